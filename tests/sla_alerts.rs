//! An agent's promise to answer within a minute: the desk warns before it
//! breaks, records the breach, tells the assignee, and starts the next-reply
//! clock after the answer.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::time::Duration;

use chrono::TimeDelta;

use common::smtp::{SmtpSink, header};
use common::webhook::WebhookSink;
use common::ws::GraphqlWs;
use common::{TestApp, TestDb, each_store, error_code};
use serde_json::{Value, json};

const CREATE_POLICY: &str = "mutation($i: SlaPolicyInput!) { createSlaPolicy(input: $i) { id name targets { target minutes clock } warningPercent } }";
const TARGETS: &str =
    "query($id: ID!) { ticket(id: $id) { slaTargets { target state dueAt decidedAt policy { name } } } }";

async fn targets(app: &TestApp, token: &str, id: &str) -> Vec<Value> {
    app.ok(token, TARGETS, json!({ "id": id })).await["ticket"]["slaTargets"]
        .as_array()
        .unwrap()
        .clone()
}

async fn a_one_minute_first_response_warns_then_breaches(db: TestDb) {
    let smtp = SmtpSink::start();
    let hook = WebhookSink::start().await;
    // The receiver listens on loopback, which webhooks may reach only when
    // the operator allows it, as for an on-premise receiver.
    let app = TestApp::spawn_allowing_webhooks(&db, Some(&smtp.url()), "127.0.0.1").await;
    let admin = app.login_admin().await;
    let (bo_id, bo) = app.agent(&admin, "bo@desk.example", "AGENT").await;
    let policy = app
        .ok(
            &admin,
            CREATE_POLICY,
            json!({ "i": { "name": "Hot line", "webhookUrl": hook.url, "webhookSecret": "0123456789abcdef", "targets": [
                { "target": "FIRST_RESPONSE", "minutes": 1 },
                { "target": "NEXT_REPLY", "minutes": 5, "clock": "CALENDAR" } ] } }),
        )
        .await;
    assert_eq!(policy["createSlaPolicy"]["warningPercent"], 20);

    let mut ws = GraphqlWs::connect(&app.base_url, json!({ "authorization": format!("Bearer {bo}") })).await;
    ws.subscribe(
        "sla",
        "subscription { ticketEvents { kind ticketId details } }",
        json!({}),
    )
    .await;

    let raw = "From: ana@example.com\r\nTo: support@desk.example\r\nSubject: Down!\r\nMessage-ID: <down@mail.example.com>\r\n\r\nSite is down\r\n";
    let (_, filed) = app.post_email(raw.as_bytes()).await;
    let id = filed["ticketId"].as_str().unwrap().to_owned();
    app.ok(
        &admin,
        "mutation($id: ID!, $a: ID) { updateTicket(input: {ticketId: $id, assigneeId: $a}) { id } }",
        json!({ "id": id, "a": bo_id }),
    )
    .await;
    let first = &targets(&app, &bo, &id).await[0];
    assert_eq!(
        (first["target"].as_str(), first["state"].as_str()),
        (Some("FIRST_RESPONSE"), Some("RUNNING"))
    );
    assert_eq!(first["policy"]["name"], "Hot line");

    // Nobody answers. The warning is due at 80% of the minute, the breach
    // at its end: move the desk's clock past each instead of waiting.
    // Everything the ticket does arrives; collect up to each SLA event.
    let mut kinds = Vec::new();
    for (after, until) in [(50, "SLA_WARNING"), (15, "SLA_BREACHED")] {
        app.clock.advance(TimeDelta::seconds(after)).unwrap();
        while !kinds.iter().any(|k| k == until) {
            let message = ws
                .receive(Duration::from_secs(10))
                .await
                .unwrap_or_else(|| panic!("{until} within 10 s of its moment"));
            let event = &message["payload"]["data"]["ticketEvents"];
            kinds.push(event["kind"].as_str().unwrap().to_owned());
            if event["kind"] == "SLA_WARNING" || event["kind"] == "SLA_BREACHED" {
                assert_eq!(event["ticketId"], json!(id));
                assert_eq!(event["details"]["target"], "FIRST_RESPONSE");
            }
        }
    }
    let warning = kinds
        .iter()
        .position(|k| k == "SLA_WARNING")
        .expect("a warning before the breach");
    assert!(warning < kinds.iter().position(|k| k == "SLA_BREACHED").unwrap());
    assert_eq!(
        kinds.iter().filter(|k| *k == "SLA_WARNING").count(),
        1,
        "raised once: {kinds:?}"
    );

    let first = &targets(&app, &bo, &id).await[0];
    assert_eq!(first["state"], "BREACHED");
    assert_eq!(first["decidedAt"], first["dueAt"], "decided at the deadline");
    let breached = "{ tickets(filter: {slaBreached: true}) { nodes { id slaBreached } } }";
    assert_eq!(
        app.ok(&bo, breached, json!({})).await["tickets"]["nodes"],
        json!([{ "id": id, "slaBreached": true }])
    );

    // The assignee was told, twice: the warning and the breach.
    let mails = smtp.wait_for(2, Duration::from_secs(20)).await;
    assert!(
        mails
            .iter()
            .all(|m| header(m, "To").as_deref() == Some("bo@desk.example"))
    );
    let subjects: Vec<String> = mails.iter().map(|m| header(m, "Subject").unwrap()).collect();
    assert!(
        subjects
            .iter()
            .any(|s| s.contains("FIRST_RESPONSE") && s.contains("breached")),
        "{subjects:?}"
    );

    // The policy's webhook got both events, signed.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while hook.received().len() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "webhook deliveries: {:?}",
            hook.received()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let posts = hook.received();
    let events: Vec<Value> = posts
        .iter()
        .map(|(_, body)| serde_json::from_str(body).unwrap())
        .collect();
    assert_eq!(events[0]["event"], "SLA_WARNING");
    assert_eq!(events[1]["event"], "SLA_BREACHED");
    assert!(
        events
            .iter()
            .all(|e| e["ticketId"] == json!(id) && e["target"] == "FIRST_RESPONSE")
    );
    for (headers, body) in &posts {
        let expected = helpdesk_channels::webhook::signature("0123456789abcdef", body.as_bytes());
        assert_eq!(headers["x-helpdesk-signature"].to_str().unwrap(), expected);
    }

    // The answer comes late; the customer writes again, the next-reply clock
    // starts and the prompt answer achieves it.
    let reply =
        "mutation($id: ID!, $b: String!) { replyToTicket(input: {ticketId: $id, body: $b}) { ticket { status } } }";
    app.ok(&bo, reply, json!({ "id": id, "b": "Looking." })).await;
    assert_eq!(
        app.ok(&bo, breached, json!({})).await["tickets"]["nodes"],
        json!([]),
        "answered: no longer overdue"
    );
    let again = "From: ana@example.com\r\nTo: support@desk.example\r\nSubject: Re: Down!\r\nMessage-ID: <down2@mail.example.com>\r\nIn-Reply-To: <down@mail.example.com>\r\n\r\nStill down\r\n";
    app.post_email(again.as_bytes()).await;
    let next = targets(&app, &bo, &id).await;
    let running = next.iter().find(|t| t["target"] == "NEXT_REPLY").unwrap();
    assert_eq!(running["state"], "RUNNING");
    app.ok(&bo, reply, json!({ "id": id, "b": "Fixed now." })).await;
    let done = targets(&app, &bo, &id).await;
    let next_reply = done.iter().find(|t| t["target"] == "NEXT_REPLY").unwrap();
    assert_eq!(next_reply["state"], "ACHIEVED");
    assert_eq!(
        done.iter().find(|t| t["target"] == "FIRST_RESPONSE").unwrap()["state"],
        "BREACHED",
        "decided stays decided"
    );
    ws.close().await;
}

async fn only_admins_manage_policies(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let (_, agent) = app.agent(&admin, "bo@desk.example", "AGENT").await;
    let input =
        json!({ "i": { "name": "Std", "targets": [{ "target": "RESOLUTION", "minutes": 480, "clock": "BUSINESS" }] } });
    assert_eq!(
        error_code(&app.gql(Some(&agent), CREATE_POLICY, input.clone()).await),
        "FORBIDDEN"
    );
    let created = app.ok(&admin, CREATE_POLICY, input.clone()).await;
    let id = created["createSlaPolicy"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        error_code(&app.gql(Some(&admin), CREATE_POLICY, input).await),
        "CONFLICT"
    );
    let bad = json!({ "i": { "name": "Bad", "targets": [{ "target": "RESOLUTION", "minutes": 0 }] } });
    assert_eq!(
        error_code(&app.gql(Some(&admin), CREATE_POLICY, bad).await),
        "BAD_USER_INPUT"
    );

    let update =
        "mutation($id: ID!, $i: SlaPolicyInput!) { updateSlaPolicy(id: $id, input: $i) { name position priorities } }";
    let updated = app
        .ok(
            &admin,
            update,
            json!({ "id": id, "i": { "name": "Urgent", "position": 1, "priorities": ["URGENT"], "targets": [] } }),
        )
        .await;
    assert_eq!(
        updated["updateSlaPolicy"],
        json!({ "name": "Urgent", "position": 1, "priorities": ["URGENT"] })
    );
    let listed = app.ok(&admin, "{ slaPolicies { name } }", json!({})).await;
    assert_eq!(listed["slaPolicies"], json!([{ "name": "Urgent" }]));
    let deleted = app
        .ok(
            &admin,
            "mutation($id: ID!) { deleteSlaPolicy(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(deleted["deleteSlaPolicy"], true);
    assert_eq!(
        app.ok(&admin, "{ slaPolicies { name } }", json!({})).await["slaPolicies"],
        json!([])
    );
}

async fn the_queue_shows_what_burns_first(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let first_response = |minutes| json!([{ "target": "FIRST_RESPONSE", "minutes": minutes }]);
    let urgent =
        json!({ "i": { "name": "Urgent", "position": 1, "priorities": ["URGENT"], "targets": first_response(30) } });
    app.ok(&admin, CREATE_POLICY, urgent).await;
    let normal =
        json!({ "i": { "name": "Normal", "position": 2, "priorities": ["NORMAL"], "targets": first_response(240) } });
    app.ok(&admin, CREATE_POLICY, normal).await;
    for (subject, priority) in [("normal", "NORMAL"), ("low, no promise", "LOW"), ("urgent", "URGENT")] {
        let input =
            json!({ "subject": subject, "body": "b", "customerEmail": "ana@example.com", "priority": priority });
        app.create_ticket(&admin, input).await;
    }
    let page =
        "query($after: String) { tickets(first: 1, after: $after, orderBy: {field: SLA_DUE_AT, direction: ASC}) {
        edges { node { subject slaNextDueAt } } pageInfo { hasNextPage endCursor } } }";
    let mut order = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let data = app.ok(&admin, page, json!({ "after": after })).await;
        let conn = &data["tickets"];
        for edge in conn["edges"].as_array().unwrap() {
            order.push((
                edge["node"]["subject"].as_str().unwrap().to_owned(),
                edge["node"]["slaNextDueAt"].is_string(),
            ));
        }
        if conn["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let expected = [("urgent", true), ("normal", true), ("low, no promise", false)];
    let expected: Vec<(String, bool)> = expected.iter().map(|(s, d)| ((*s).to_owned(), *d)).collect();
    assert_eq!(order, expected, "soonest deadline first, tickets without one last");
}

each_store!(
    a_one_minute_first_response_warns_then_breaches,
    only_admins_manage_policies,
    the_queue_shows_what_burns_first,
);
