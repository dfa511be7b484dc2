//! An operator scrapes `/metrics` with Prometheus.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use common::{TestApp, TestDb, each_store};
use serde_json::json;

async fn metrics_count_requests_queues_and_open_tickets(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    app.create_ticket(
        &admin,
        json!({ "subject": "a", "body": "b", "customerEmail": "ana@example.com", "channel": "EMAIL" }),
    )
    .await;
    app.create_ticket(
        &admin,
        json!({ "subject": "c", "body": "d", "customerEmail": "bo@example.com", "channel": "CHAT" }),
    )
    .await;
    let q = "mutation($id: ID!) { replyToTicket(input: {ticketId: $id, body: \"hi\"}) { message { id } } }";
    let email_ticket = app
        .ok(
            &admin,
            "{ tickets(filter: {channels: [EMAIL]}) { nodes { id } } }",
            json!({}),
        )
        .await;
    app.ok(&admin, q, json!({ "id": email_ticket["tickets"]["nodes"][0]["id"] }))
        .await;

    let response = app
        .http()
        .get(format!("{}/metrics", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    let value = |series: &str| -> f64 {
        let line = text
            .lines()
            .find(|l| l.starts_with(series))
            .unwrap_or_else(|| panic!("no {series} in\n{text}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert!(value("helpdesk_http_requests_total{method=\"POST\",route=\"/graphql\",status=\"200\"}") >= 5.0);
    assert!(
        value("helpdesk_http_request_duration_seconds_count{method=\"POST\",route=\"/graphql\",status=\"200\"}") >= 5.0
    );
    assert_eq!(value("helpdesk_open_tickets{channel=\"EMAIL\"}"), 1.0);
    assert_eq!(value("helpdesk_open_tickets{channel=\"CHAT\"}"), 1.0);
    assert_eq!(
        value("helpdesk_queue_pending{queue=\"mail\"}"),
        1.0,
        "the reply waits: no SMTP configured"
    );
    assert_eq!(value("helpdesk_queue_pending{queue=\"webhook\"}"), 0.0);
    assert_eq!(value("helpdesk_sla_breached_tickets"), 0.0);
}

each_store!(metrics_count_requests_queues_and_open_tickets);
