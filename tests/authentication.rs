//! Who may call what: every resolver but `login` needs a valid token, and
//! managing agents and teams needs an admin.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::time::Duration;

use common::ws::GraphqlWs;
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

async fn a_deactivated_agent_is_locked_out_at_once_and_stays_out(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let (ann_id, ann) = app.agent(&admin, "ann@desk.example", "AGENT").await;
    let mut ws = GraphqlWs::connect(&app.base_url, json!({ "authorization": format!("Bearer {ann}") })).await;
    ws.subscribe("all", "subscription { ticketEvents { kind } }", json!({}))
        .await;

    let deactivated = app
        .ok(
            &admin,
            "mutation($a: ID!) { deactivateAgent(agentId: $a) { active } }",
            json!({ "a": ann_id }),
        )
        .await;
    assert_eq!(deactivated["deactivateAgent"]["active"], false);
    // The open subscription ends with the reason, without waiting for a change.
    let ended = ws.receive(Duration::from_secs(5)).await.expect("the subscription ends");
    assert_eq!(ended["type"], "next", "{ended}");
    assert_eq!(
        ended["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{ended}"
    );
    let complete = ws.receive(Duration::from_secs(5)).await.expect("complete");
    assert_eq!(complete["type"], "complete", "{complete}");
    ws.close().await;

    let body = app.gql(Some(&ann), "{ me { email } }", json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "the token stopped working");
    let login = app
        .gql(
            None,
            LOGIN,
            json!({ "email": "ann@desk.example", "password": "agent-password" }),
        )
        .await;
    assert_eq!(error_code(&login), "UNAUTHENTICATED", "no new token either");

    app.ok(
        &admin,
        "mutation($a: ID!) { reactivateAgent(agentId: $a) { active } }",
        json!({ "a": ann_id }),
    )
    .await;
    let body = app.gql(Some(&ann), "{ me { email } }", json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "old tokens stay revoked");
    let fresh = app.login("ann@desk.example", "agent-password").await;
    assert_eq!(
        app.ok(&fresh, "{ me { email } }", json!({})).await["me"]["email"],
        "ann@desk.example"
    );
    app.stop().await;
}

async fn a_password_change_revokes_earlier_tokens(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let (ann_id, ann) = app.agent(&admin, "ann@desk.example", "AGENT").await;
    app.ok(
        &admin,
        "mutation($a: ID!) { setAgentPassword(agentId: $a, password: \"a-new-passphrase\") { id } }",
        json!({ "a": ann_id }),
    )
    .await;
    let body = app.gql(Some(&ann), "{ me { email } }", json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    let fresh = app.login("ann@desk.example", "a-new-passphrase").await;
    assert_eq!(
        app.ok(&fresh, "{ me { email } }", json!({})).await["me"]["email"],
        "ann@desk.example"
    );
    app.stop().await;
}

async fn the_role_comes_from_the_store_not_the_token(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let (bo_id, bo) = app.agent(&admin, "bo@desk.example", "ADMIN").await;
    let create = "mutation($e: String!) { createTeam(input: {name: $e}) { id } }";
    assert!(
        app.gql(Some(&bo), create, json!({ "e": "One" }))
            .await
            .get("errors")
            .is_none()
    );
    app.ok(
        &admin,
        "mutation($a: ID!) { updateAgent(input: {agentId: $a, role: AGENT}) { role } }",
        json!({ "a": bo_id }),
    )
    .await;
    let body = app.gql(Some(&bo), create, json!({ "e": "Two" })).await;
    assert_eq!(error_code(&body), "FORBIDDEN", "demoted with the same token: {body}");
    app.stop().await;
}

async fn the_last_active_admin_cannot_be_locked_out(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let me = app.ok(&admin, "{ me { id } }", json!({})).await["me"]["id"].clone();
    for mutation in [
        "mutation($a: ID!) { deactivateAgent(agentId: $a) { id } }",
        "mutation($a: ID!) { updateAgent(input: {agentId: $a, role: AGENT}) { id } }",
    ] {
        let body = app.gql(Some(&admin), mutation, json!({ "a": me })).await;
        assert_eq!(error_code(&body), "CONFLICT", "{mutation}: {body}");
    }
    assert!(
        app.gql(Some(&admin), "{ me { email } }", json!({}))
            .await
            .get("errors")
            .is_none()
    );
    app.stop().await;
}

async fn new_agents_default_to_their_teams_and_admins_to_the_whole_desk(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let create = "mutation($e: String!, $r: Role) { createAgent(input: {email: $e, name: $e, password: \"agent-password\", role: $r}) { scope } }";
    let agent = app
        .ok(&admin, create, json!({ "e": "a@desk.example", "r": "AGENT" }))
        .await;
    assert_eq!(agent["createAgent"]["scope"], "TEAMS");
    let second_admin = app
        .ok(&admin, create, json!({ "e": "b@desk.example", "r": "ADMIN" }))
        .await;
    assert_eq!(second_admin["createAgent"]["scope"], "ALL");
    app.stop().await;
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
    a_deactivated_agent_is_locked_out_at_once_and_stays_out,
    a_password_change_revokes_earlier_tokens,
    the_role_comes_from_the_store_not_the_token,
    the_last_active_admin_cannot_be_locked_out,
    new_agents_default_to_their_teams_and_admins_to_the_whole_desk,
);
