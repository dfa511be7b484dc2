//! An admin points an SLA webhook somewhere. The desk connects from inside
//! its own network, so it refuses targets that are not public (its own
//! loopback here; private, link-local and metadata addresses alike) unless
//! the operator allowed them, before any connection is made. Every address
//! in this file is loopback.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use common::webhook::UntouchedPort;
use common::{TestApp, TestDb, each_store, error_code, error_message};
use serde_json::json;

const CREATE: &str = "mutation($i: SlaPolicyInput!) { createSlaPolicy(input: $i) { id } }";
const UPDATE: &str = "mutation($id: ID!, $i: SlaPolicyInput!) { updateSlaPolicy(id: $id, input: $i) { id } }";

fn policy(url: Option<&str>) -> serde_json::Value {
    json!({ "name": "Hot line", "webhookUrl": url, "webhookSecret": "0123456789abcdef",
            "targets": [{ "target": "FIRST_RESPONSE", "minutes": 60 }] })
}

fn loopback_urls(v4: &UntouchedPort, v6: &UntouchedPort) -> Vec<String> {
    vec![
        format!("http://127.0.0.1:{}/hook", v4.port),
        format!("http://localhost:{}/hook", v4.port),
        format!("http://[::1]:{}/hook", v6.port),
        format!("http://[::ffff:127.0.0.1]:{}/hook", v4.port),
    ]
}

async fn loopback_webhooks_are_refused_without_a_connection(db: TestDb) {
    let v4 = UntouchedPort::bind("127.0.0.1:0").await;
    let v6 = UntouchedPort::bind("[::1]:0").await;
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;

    for url in loopback_urls(&v4, &v6) {
        let refused = app.gql(Some(&admin), CREATE, json!({ "i": policy(Some(&url)) })).await;
        assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{url}: {refused}");
        let message = error_message(&refused);
        assert!(message.starts_with("webhookUrl:"), "names the field: {message}");
        assert!(message.contains("loopback"), "says why: {message}");
    }
    let plain = app.ok(&admin, CREATE, json!({ "i": policy(None) })).await;
    let id = plain["createSlaPolicy"]["id"].as_str().unwrap().to_owned();
    for url in loopback_urls(&v4, &v6) {
        let refused = app
            .gql(Some(&admin), UPDATE, json!({ "id": id, "i": policy(Some(&url)) }))
            .await;
        assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{url}: {refused}");
        assert!(error_message(&refused).starts_with("webhookUrl:"));
    }
    let stored = app.ok(&admin, "{ slaPolicies { webhookUrl } }", json!({})).await;
    assert_eq!(stored["slaPolicies"], json!([{ "webhookUrl": null }]));
    assert_eq!(v4.connections(), 0, "nothing connected to the IPv4 loopback listener");
    assert_eq!(v6.connections(), 0, "nothing connected to the IPv6 loopback listener");
}

async fn the_operator_can_allow_an_on_premise_receiver(db: TestDb) {
    let v4 = UntouchedPort::bind("127.0.0.1:0").await;
    let v6 = UntouchedPort::bind("[::1]:0").await;
    let app = TestApp::spawn_allowing_webhooks(&db, None, "127.0.0.0/8, ::1, localhost").await;
    let admin = app.login_admin().await;
    for (n, url) in loopback_urls(&v4, &v6).iter().enumerate() {
        let mut input = policy(Some(url));
        input["name"] = json!(format!("On premise {n}"));
        app.ok(&admin, CREATE, json!({ "i": input })).await;
    }
    // Allowed loopback is no licence for the rest of the non-public space.
    let refused = app
        .gql(
            Some(&admin),
            CREATE,
            json!({ "i": policy(Some("ftp://127.0.0.1/hook")) }),
        )
        .await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT");
    assert_eq!(
        app.ok(&admin, "{ slaPolicies { id } }", json!({})).await["slaPolicies"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

/// A policy set while its target was allowed, sent after the operator took
/// the exception away: the sender checks again and refuses, unconnected.
async fn the_sender_checks_the_target_again_at_send_time(db: TestDb) {
    let receiver = UntouchedPort::bind("127.0.0.1:0").await;
    let url = format!("http://localhost:{}/hook", receiver.port);
    let before = TestApp::spawn_allowing_webhooks(&db, None, "localhost").await;
    let admin = before.login_admin().await;
    let mut input = policy(Some(&url));
    input["targets"] = json!([{ "target": "FIRST_RESPONSE", "minutes": 1 }]);
    before.ok(&admin, CREATE, json!({ "i": input })).await;
    before.stop().await;

    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let raw = "From: ana@example.com\r\nTo: support@desk.example\r\nSubject: Down!\r\n\
               Message-ID: <down@mail.example.com>\r\n\r\nSite is down\r\n";
    let (_, filed) = app.post_email(raw.as_bytes()).await;
    let id = filed["ticketId"].as_str().unwrap().to_owned();
    app.clock.advance(chrono::TimeDelta::seconds(70)).unwrap();

    // The breach is raised and its webhook queued; the sender gives it up.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let events = app
            .ok(
                &admin,
                "query($id: ID!) { ticket(id: $id) { events { kind } } }",
                json!({ "id": id }),
            )
            .await;
        let breached = events["ticket"]["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "SLA_BREACHED");
        if breached && app.store.pending_webhook_count().await.unwrap() == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "breach raised and its webhook settled"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(receiver.connections(), 0, "the refused target was never connected to");
}

each_store!(
    loopback_webhooks_are_refused_without_a_connection,
    the_operator_can_allow_an_on_premise_receiver,
    the_sender_checks_the_target_again_at_send_time,
);
