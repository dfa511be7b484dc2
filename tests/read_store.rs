//! `HELPDESK_READ_DATABASE_URL`: the heavy reads (`kpis`, the CSV export,
//! the `tickets` list) go to a read store of their own, such as a
//! PostgreSQL replica, and changes never do. There is no replica here: the
//! read store is a second connection to the same database, and the story
//! watches which of the two runs the statements.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use common::{TestApp, TestDb, each_store};
use helpdesk_api::WorkerSet;
use serde_json::json;

const TICKETS: &str = "query { tickets(first: 10) { totalCount nodes { subject } } }";
const KPIS: &str =
    "query($from: DateTime!, $to: DateTime!) { kpis(from: $from, to: $to) { total { ticketsCreated } } }";

async fn heavy_reads_go_to_the_read_store_and_changes_do_not(db: TestDb) {
    let app = TestApp::spawn_configured(&db, |config| {
        config.read_database_url = Some(db.url.clone());
        // Workers poll the primary; without them its count is the requests'.
        config.workers = WorkerSet::None;
    })
    .await;
    assert_ne!(
        app.read_store.server_id(),
        app.store.server_id(),
        "a store of its own, not the primary"
    );
    let admin = app.login_admin().await;

    let untouched = app.read_store.statements_run();
    let ticket =
        json!({ "subject": "Invoice twice", "body": "Please refund one.", "customerEmail": "ana@example.com" });
    app.create_ticket(&admin, ticket).await;
    assert_eq!(
        app.read_store.statements_run(),
        untouched,
        "a change never reaches the read store"
    );

    let before = app.read_store.statements_run();
    let list = app.ok(&admin, TICKETS, json!({})).await;
    assert_eq!(list["tickets"]["nodes"][0]["subject"], "Invoice twice", "{list}");
    let after_list = app.read_store.statements_run();
    assert!(after_list > before, "the ticket list read the read store");

    let range = json!({ "from": "2020-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z" });
    let kpis = app.ok(&admin, KPIS, range).await;
    assert_eq!(kpis["kpis"]["total"]["ticketsCreated"], 1, "{kpis}");
    let after_kpis = app.read_store.statements_run();
    assert!(after_kpis > after_list, "kpis read the read store");

    let export = app
        .http()
        .get(format!(
            "{}/exports/kpis.csv?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z",
            app.base_url
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    assert!(
        app.read_store.statements_run() > after_kpis,
        "the CSV export read the read store"
    );
}

each_store!(heavy_reads_go_to_the_read_store_and_changes_do_not);
