//! Who may call what: every resolver but `login` needs a valid token, and
//! managing agents and teams needs an admin.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use common::{ADMIN_EMAIL, LOGIN, TestApp, TestDb, each_store, error_code, error_message};
use helpdesk_api::{App, WorkerSet};
use serde_json::json;

async fn missing_forged_and_garbage_tokens_are_unauthenticated(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let valid = app.login_admin().await;

    let body = app.gql(None, "{ me { email } }", json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    assert_eq!(body["data"], json!(null));

    // Same claims, signed with another secret.
    let (header_and_claims, _) = valid.rsplit_once('.').unwrap();
    let forged = format!("{header_and_claims}.c2lnbmVkLXdpdGgtYW5vdGhlci1zZWNyZXQ");
    for token in [forged.as_str(), "garbage", ""] {
        let body = app.gql(Some(token), "{ tickets { totalCount } }", json!({})).await;
        assert_eq!(error_code(&body), "UNAUTHENTICATED", "token {token:?}");
    }
    let body = app
        .gql(
            None,
            "mutation { createTicket(input: {subject: \"s\", body: \"b\", customerEmail: \"a@b.io\"}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    assert_eq!(
        app.ok(&valid, "{ tickets { totalCount } }", json!({})).await["tickets"]["totalCount"],
        0
    );
}

async fn wrong_passwords_and_unknown_emails_get_the_same_answer(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let wrong = app
        .gql(
            None,
            LOGIN,
            json!({ "email": ADMIN_EMAIL, "password": "not the password" }),
        )
        .await;
    let unknown = app
        .gql(
            None,
            LOGIN,
            json!({ "email": "nobody@desk.example", "password": "whatever1" }),
        )
        .await;
    assert_eq!(error_code(&wrong), "UNAUTHENTICATED");
    assert_eq!(error_message(&wrong), error_message(&unknown));
    let ok = app
        .gql(
            None,
            LOGIN,
            json!({ "email": "ADMIN@desk.example", "password": common::ADMIN_PASSWORD }),
        )
        .await;
    assert_eq!(
        ok["data"]["login"]["agent"]["role"], "ADMIN",
        "email is case-insensitive"
    );
}

async fn only_admins_manage_agents_and_teams(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let (bo_id, bo) = app.agent(&admin, "bo@desk.example", "AGENT").await;

    let me = app.ok(&bo, "{ me { email role } }", json!({})).await;
    assert_eq!(me["me"], json!({ "email": "bo@desk.example", "role": "AGENT" }));

    let create_agent =
        "mutation { createAgent(input: {email: \"cy@desk.example\", name: \"Cy\", password: \"cy-password\"}) { id } }";
    assert_eq!(
        error_code(&app.gql(Some(&bo), create_agent, json!({})).await),
        "FORBIDDEN"
    );
    let create_team =
        "mutation($m: [ID!]) { createTeam(input: {name: \"Billing\", memberIds: $m}) { name members { email } } }";
    assert_eq!(
        error_code(&app.gql(Some(&bo), create_team, json!({ "m": [] })).await),
        "FORBIDDEN"
    );

    let team = app.ok(&admin, create_team, json!({ "m": [bo_id] })).await;
    assert_eq!(
        team["createTeam"],
        json!({ "name": "Billing", "members": [{ "email": "bo@desk.example" }] })
    );
    // Names and emails are unique.
    assert_eq!(
        error_code(&app.gql(Some(&admin), create_team, json!({ "m": [] })).await),
        "CONFLICT"
    );
    let dup = "mutation { createAgent(input: {email: \"BO@desk.example\", name: \"Bo again\", password: \"bo-password\"}) { id } }";
    assert_eq!(error_code(&app.gql(Some(&admin), dup, json!({})).await), "CONFLICT");
    let short =
        "mutation { createAgent(input: {email: \"dee@desk.example\", name: \"Dee\", password: \"short\"}) { id } }";
    assert_eq!(
        error_code(&app.gql(Some(&admin), short, json!({})).await),
        "BAD_USER_INPUT"
    );

    let teams = app
        .ok(
            &bo,
            "{ me { teams { name } } teams { name } agents { email } }",
            json!({}),
        )
        .await;
    assert_eq!(teams["me"]["teams"], json!([{ "name": "Billing" }]));
    assert_eq!(
        teams["agents"],
        json!([{ "email": ADMIN_EMAIL }, { "email": "bo@desk.example" }])
    );
}

async fn internals_never_reach_the_client(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let body = app
        .gql(Some(&admin), "query { ticket(id: \"not-a-uuid\") { id } }", json!({}))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    let body = app
        .gql(
            Some(&admin),
            "query { ticket(id: \"0190b0a4-0000-7000-8000-000000000000\") { id } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["ticket"],
        json!(null),
        "an unknown ticket is null, not an error"
    );
    let invalid = app.gql(Some(&admin), "{ tickets { noSuchField } }", json!({})).await;
    assert_eq!(
        error_code(&invalid),
        "BAD_USER_INPUT",
        "validation errors carry a code too"
    );
    let unparseable = app.gql(Some(&admin), "{ tickets { ", json!({})).await;
    assert_eq!(error_code(&unparseable), "BAD_USER_INPUT");
    let text = body.to_string().to_lowercase();
    for leak in ["select", "sqlx", "backtrace", "panicked"] {
        assert!(!text.contains(leak), "{leak} in {body}");
    }
}

/// A short signing secret can be brute-forced from any token it signed, so
/// the server refuses to start with one, and says what to do.
async fn a_short_jwt_secret_is_refused_at_start(db: TestDb) {
    let mut config = TestApp::config(&db, None, WorkerSet::None);
    config.jwt_secret = Some("only-31-bytes-of-secret-text-xx".to_owned());
    assert_eq!(config.jwt_secret.as_ref().unwrap().len(), 31);
    let refused = match App::build(config).await {
        Ok(_) => panic!("a 31-byte secret was accepted"),
        Err(err) => err.to_string(),
    };
    assert!(refused.contains("HELPDESK_JWT_SECRET"), "{refused}");
    assert!(refused.contains("at least 32"), "{refused}");

    let app = TestApp::spawn_configured(&db, |c| {
        c.jwt_secret = Some("exactly-32-bytes-of-secret-text!".to_owned());
    })
    .await;
    app.login_admin().await;
}

each_store!(
    a_short_jwt_secret_is_refused_at_start,
    missing_forged_and_garbage_tokens_are_unauthenticated,
    wrong_passwords_and_unknown_emails_get_the_same_answer,
    only_admins_manage_agents_and_teams,
    internals_never_reach_the_client,
);
