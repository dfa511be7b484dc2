//! A website visitor chats with the desk: the ticket is a CHAT ticket, the
//! agent's reply reaches the visitor live over a websocket, and by mail once
//! the visitor has left.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::time::Duration;

use common::chat::start_chat;
use common::smtp::{SmtpSink, header};
use common::ws::GraphqlWs;
use common::{TestApp, TestDb, each_store, error_code};
use serde_json::{Value, json};

const REPLY: &str = "mutation($id: ID!, $body: String!, $internal: Boolean) { replyToTicket(input: {ticketId: $id, body: $body, internal: $internal}) { message { id delivery { status } } } }";
const LIVE: &str = "subscription($token: String!) { chatMessages(token: $token) { body fromVisitor authorName } }";

async fn a_visitor_sees_the_agents_reply_live(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let agent = app.login_admin().await;
    let (token, ticket_id) = start_chat(&app, "ana@example.com").await;

    let mut visitor = GraphqlWs::connect(&app.base_url, json!({})).await;
    visitor.subscribe("1", LIVE, json!({ "token": token })).await;

    // An internal note is never shown; the public reply arrives live.
    app.ok(
        &agent,
        REPLY,
        json!({ "id": ticket_id, "body": "check warehouse", "internal": true }),
    )
    .await;
    let reply = app
        .ok(&agent, REPLY, json!({ "id": ticket_id, "body": "It ships today!" }))
        .await;
    assert_eq!(
        reply["replyToTicket"]["message"]["delivery"],
        json!(null),
        "a present visitor gets no mail"
    );
    let live = visitor.next_payload().await;
    assert_eq!(
        live["data"]["chatMessages"],
        json!({ "body": "It ships today!", "fromVisitor": false, "authorName": "Administrator" })
    );

    let sent = app
        .gql(
            None,
            "mutation($t: String!) { sendChatMessage(token: $t, body: \"Great, thanks\") { body fromVisitor } }",
            json!({ "t": token }),
        )
        .await;
    assert_eq!(
        sent["data"]["sendChatMessage"],
        json!({ "body": "Great, thanks", "fromVisitor": true })
    );

    let q = "query($id: ID!) { ticket(id: $id) { channel status messages { body channel internal author { kind } } } }";
    let ticket = app.ok(&agent, q, json!({ "id": ticket_id })).await["ticket"].clone();
    assert_eq!(ticket["channel"], "CHAT");
    assert_eq!(ticket["status"], "OPEN");
    let bodies: Vec<&str> = ticket["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        [
            "Hi! My order has not arrived.",
            "check warehouse",
            "It ships today!",
            "Great, thanks"
        ]
    );
    assert!(
        ticket["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["channel"] == "CHAT")
    );
    visitor.close().await;

    let bad = app
        .gql(
            None,
            "mutation { sendChatMessage(token: \"forged\", body: \"x\") { body } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&bad), "UNAUTHENTICATED");
}

async fn a_visitor_who_left_gets_the_reply_by_mail(db: TestDb) {
    let smtp = SmtpSink::start();
    let app = TestApp::spawn_with_smtp(&db, Some(&smtp.url())).await;
    let agent = app.login_admin().await;
    let (token, ticket_id) = start_chat(&app, "bo@example.com").await;
    let visitor = GraphqlWs::connect(&app.base_url, json!({})).await;
    let mut visitor = visitor;
    visitor.subscribe("1", LIVE, json!({ "token": token })).await;
    visitor.close().await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let reply = app
        .ok(
            &agent,
            REPLY,
            json!({ "id": ticket_id, "body": "Sorry for the wait: refunded." }),
        )
        .await;
    assert_eq!(reply["replyToTicket"]["message"]["delivery"]["status"], "PENDING");
    let mails = smtp.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(header(&mails[0], "To").as_deref(), Some("bo@example.com"));
    assert!(mails[0].contains("Sorry for the wait: refunded."));
}

async fn agents_follow_ticket_changes_live(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let agent = app.login_admin().await;
    let ticket = app
        .create_ticket(
            &agent,
            json!({ "subject": "Printer", "body": "on fire", "customerEmail": "dee@example.com" }),
        )
        .await;
    let id = ticket["id"].as_str().unwrap();

    let mut ws = GraphqlWs::connect(&app.base_url, json!({ "authorization": format!("Bearer {agent}") })).await;
    let one = "subscription($id: ID) { ticketEvents(ticketId: $id) { kind ticketId actorKind details } }";
    ws.subscribe("one", one, json!({ "id": id })).await;
    ws.subscribe(
        "all",
        "subscription { ticketEvents { kind ticket { subject } } }",
        json!({}),
    )
    .await;

    let update = "mutation($id: ID!) { updateTicket(input: {ticketId: $id, priority: URGENT}) { priority } }";
    app.ok(&agent, update, json!({ "id": id })).await;
    let mut got: Vec<Value> = Vec::new();
    for _ in 0..2 {
        got.push(ws.receive(Duration::from_secs(10)).await.expect("two event messages"));
    }
    got.sort_by_key(|m| m["id"].as_str().unwrap().to_owned());
    assert_eq!(got[0]["id"], "all");
    assert_eq!(
        got[0]["payload"]["data"]["ticketEvents"],
        json!({ "kind": "PRIORITY_CHANGED", "ticket": { "subject": "Printer" } })
    );
    assert_eq!(got[1]["id"], "one");
    let event = &got[1]["payload"]["data"]["ticketEvents"];
    assert_eq!(event["kind"], "PRIORITY_CHANGED");
    assert_eq!(event["ticketId"], json!(id));
    assert_eq!(event["details"]["to"], "URGENT");

    // Another ticket's change reaches only the all-tickets subscription.
    app.create_ticket(
        &agent,
        json!({ "subject": "Other", "body": "x", "customerEmail": "eve@example.com" }),
    )
    .await;
    let next = ws.receive(Duration::from_secs(10)).await.unwrap();
    assert_eq!(next["id"], "all");
    assert_eq!(next["payload"]["data"]["ticketEvents"]["kind"], "CREATED");
    ws.close().await;

    // Without a token the subscription is refused.
    let mut anonymous = GraphqlWs::connect(&app.base_url, json!({})).await;
    anonymous
        .subscribe("x", "subscription { ticketEvents { kind } }", json!({}))
        .await;
    let refused = anonymous.receive(Duration::from_secs(5)).await.unwrap();
    let code = refused["payload"][0]["extensions"]["code"]
        .as_str()
        .or(refused["payload"]["errors"][0]["extensions"]["code"].as_str());
    assert_eq!(code, Some("UNAUTHENTICATED"), "{refused}");
}

each_store!(
    a_visitor_sees_the_agents_reply_live,
    a_visitor_who_left_gets_the_reply_by_mail,
    agents_follow_ticket_changes_live,
);
