//! `schema.graphql` is what the server serves, byte for byte.
//! Run with `UPDATE_SCHEMA=1` to rewrite the file after changing the API.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::path::Path;
use std::process::Command;

#[test]
fn committed_schema_matches_the_served_schema() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let served = helpdesk_api::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &served).expect("write schema.graphql");
    }
    let committed = std::fs::read_to_string(&path).expect("read schema.graphql");
    assert!(
        committed == served,
        "schema.graphql is stale: run `UPDATE_SCHEMA=1 cargo test --test schema_drift`"
    );
}

#[test]
fn helpdesk_schema_prints_the_committed_file() {
    let out = Command::new(env!("CARGO_BIN_EXE_helpdesk"))
        .arg("schema")
        .output()
        .expect("run helpdesk schema");
    assert!(out.status.success());
    let committed = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql")).expect("read");
    assert!(out.stdout == committed, "`helpdesk schema` differs from schema.graphql");
}
