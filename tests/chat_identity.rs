//! A chat visitor's address is a claim, not a proof. A visitor who types a
//! customer's address gets their own unverified contact: nothing of that
//! customer's record, history or other tickets is reachable from the chat,
//! and replies on the customer's other tickets never reach it. The claim is
//! proved by a one-time code mailed to the address, or by an agent who
//! confirms it; then the chat joins that customer, its history saying so.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use chrono::TimeDelta;
use common::chat::{mail_to, mailed_code, start_chat};
use common::smtp::SmtpSink;
use common::ws::GraphqlWs;
use common::{TestApp, TestDb, each_store, error_code, error_message, event_kinds};
use serde_json::{Value, json};

const REPLY: &str =
    "mutation($id: ID!, $body: String!) { replyToTicket(input: {ticketId: $id, body: $body}) { message { id } } }";
const LIVE: &str = "subscription($token: String!) { chatMessages(token: $token) { body fromVisitor } }";
const VERIFY: &str = "mutation($t: String!, $c: String!) { verifyChat(token: $t, code: $c) }";
const REQUEST: &str = "mutation($t: String!) { requestChatVerification(token: $t) }";
const TICKET: &str = "query($id: ID!) { ticket(id: $id) { customer { id email verified claimedEmail channels { channel tickets } } events { kind actorKind details } } }";
const CONFIRM: &str = "mutation($id: ID!) { confirmChatIdentity(ticketId: $id) { id customer { email verified } } }";

/// A customer who has written by mail: their ticket's id and their id.
async fn customer_by_mail(app: &TestApp, agent: &str, email: &str) -> (String, String) {
    let raw = format!(
        "From: Cy <{email}>\r\nTo: support@desk.example\r\nSubject: Invoice 2026-114\r\nMessage-ID: <{email}.1@mail.example.com>\r\n\r\nMy card number ends in 4242; the invoice is wrong.\r\n"
    );
    assert_eq!(app.post_email(raw.as_bytes()).await.0, 200);
    let filter = "query($e: String!) { tickets(filter: {customerEmail: $e}) { nodes { id customer { id } } } }";
    let data = app.ok(agent, filter, json!({ "e": email })).await;
    let node = &data["tickets"]["nodes"][0];
    (
        node["id"].as_str().unwrap().to_owned(),
        node["customer"]["id"].as_str().unwrap().to_owned(),
    )
}

async fn ticket(app: &TestApp, agent: &str, id: &str) -> Value {
    app.ok(agent, TICKET, json!({ "id": id })).await["ticket"].clone()
}

fn verified_event(ticket: &Value) -> Value {
    ticket["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "CUSTOMER_VERIFIED")
        .cloned()
        .unwrap_or(Value::Null)
}

async fn a_visitor_claiming_a_customers_address_reaches_nothing_of_theirs(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let agent = app.login_admin().await;
    let (cy_ticket, cy) = customer_by_mail(&app, &agent, "cy@example.com").await;

    // Someone types Cy's address into the chat widget.
    let (token, chat) = start_chat(&app, "CY@example.com").await;
    let seen = ticket(&app, &agent, &chat).await;
    let contact = &seen["customer"];
    assert_ne!(contact["id"], json!(cy), "not Cy's record");
    assert_eq!(contact["verified"], false);
    assert_eq!(contact["email"], Value::Null, "the address is only claimed");
    assert_eq!(contact["claimedEmail"], "cy@example.com");
    assert_eq!(
        contact["channels"],
        json!([{ "channel": "CHAT", "tickets": 1 }]),
        "none of Cy's tickets"
    );
    let cys = "{ tickets(filter: {customerEmail: \"cy@example.com\"}) { totalCount nodes { id } } }";
    let data = app.ok(&agent, cys, json!({})).await;
    assert_eq!(data["tickets"]["totalCount"], 1, "the chat is not Cy's ticket: {data}");
    assert_eq!(data["tickets"]["nodes"][0]["id"], json!(cy_ticket));
    let cy_customer = ticket(&app, &agent, &cy_ticket).await["customer"].clone();
    assert_eq!(cy_customer["verified"], true);
    assert_eq!(cy_customer["channels"], json!([{ "channel": "EMAIL", "tickets": 1 }]));

    // The agent answers Cy's invoice, then the chat: the chat only ever
    // carries its own ticket's replies.
    let mut visitor = GraphqlWs::connect(&app.base_url, json!({})).await;
    visitor.subscribe("1", LIVE, json!({ "token": token })).await;
    app.ok(
        &agent,
        REPLY,
        json!({ "id": cy_ticket, "body": "Cy, your refund for card 4242 is on its way." }),
    )
    .await;
    app.ok(&agent, REPLY, json!({ "id": chat, "body": "Hello! How can I help?" }))
        .await;
    let first = visitor.next_payload().await;
    assert_eq!(
        first["data"]["chatMessages"],
        json!({ "body": "Hello! How can I help?", "fromVisitor": false }),
        "the reply on Cy's ticket never reaches the chat"
    );
    visitor.close().await;
}

async fn a_visitor_proves_the_address_with_the_mailed_code(db: TestDb) {
    let smtp = SmtpSink::start();
    let app = TestApp::spawn_with_smtp(&db, Some(&smtp.url())).await;
    let agent = app.login_admin().await;
    let (dee_ticket, dee) = customer_by_mail(&app, &agent, "dee@example.com").await;
    let (token, chat) = start_chat(&app, "dee@example.com").await;

    let code = mailed_code(&app, &smtp, &token, "dee@example.com", 1).await;
    let mail = mail_to(&smtp, "dee@example.com", 1).await;
    assert!(
        !mail.contains("order has not arrived"),
        "the code mail carries nothing the visitor typed: {mail}"
    );
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let refused = app.gql(None, VERIFY, json!({ "t": token, "c": wrong })).await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT");
    assert_eq!(error_message(&refused), "wrong verification code; 4 attempts left");
    assert_eq!(
        ticket(&app, &agent, &chat).await["customer"]["verified"],
        false,
        "a wrong code proves nothing"
    );

    let verified = app.gql(None, VERIFY, json!({ "t": token, "c": code })).await;
    assert_eq!(verified["data"]["verifyChat"], true, "{verified}");
    let seen = ticket(&app, &agent, &chat).await;
    assert_eq!(seen["customer"]["id"], json!(dee), "the chat joined Dee's record");
    assert_eq!(seen["customer"]["verified"], true);
    assert_eq!(seen["customer"]["email"], "dee@example.com");
    assert_eq!(
        seen["customer"]["channels"],
        json!([{ "channel": "EMAIL", "tickets": 1 }, { "channel": "CHAT", "tickets": 1 }])
    );
    let event = verified_event(&seen);
    assert_eq!(event["actorKind"], "CUSTOMER", "{seen}");
    assert_eq!(event["details"]["to"], json!(dee));
    assert_ne!(event["details"]["from"], json!(dee));
    let both = "{ tickets(filter: {customerEmail: \"dee@example.com\"}) { totalCount } }";
    assert_eq!(app.ok(&agent, both, json!({})).await["tickets"]["totalCount"], 2);
    assert_eq!(
        event_kinds(&ticket(&app, &agent, &dee_ticket).await),
        ["CREATED", "MESSAGE"],
        "Dee's own ticket did not change"
    );

    // Nothing left to prove.
    let again = app.gql(None, VERIFY, json!({ "t": token, "c": code })).await;
    assert_eq!(error_message(&again), "this chat's address is verified already");
    let more = app.gql(None, REQUEST, json!({ "t": token })).await;
    assert_eq!(error_code(&more), "BAD_USER_INPUT");
    // The chat goes on as before.
    let sent = app
        .gql(
            None,
            "mutation($t: String!) { sendChatMessage(token: $t, body: \"Thanks!\") { body } }",
            json!({ "t": token }),
        )
        .await;
    assert_eq!(sent["data"]["sendChatMessage"]["body"], "Thanks!", "{sent}");
}

async fn a_code_dies_after_fifteen_minutes_or_five_wrong_guesses(db: TestDb) {
    let smtp = SmtpSink::start();
    let app = TestApp::spawn_with_smtp(&db, Some(&smtp.url())).await;
    let agent = app.login_admin().await;
    let email = "eve@example.com";
    let (token, chat) = start_chat(&app, email).await;

    let late = mailed_code(&app, &smtp, &token, email, 1).await;
    app.clock.advance(TimeDelta::minutes(15)).unwrap();
    let refused = app.gql(None, VERIFY, json!({ "t": token, "c": late })).await;
    assert_eq!(error_message(&refused), "no live verification code: request a new one");

    let guessed = mailed_code(&app, &smtp, &token, email, 2).await;
    let wrong = if guessed == "999999" { "999998" } else { "999999" };
    for left in (0..5).rev() {
        let refused = app.gql(None, VERIFY, json!({ "t": token, "c": wrong })).await;
        assert_eq!(
            error_message(&refused),
            format!("wrong verification code; {left} attempts left")
        );
    }
    let spent = app.gql(None, VERIFY, json!({ "t": token, "c": guessed })).await;
    assert_eq!(
        error_message(&spent),
        "no live verification code: request a new one",
        "after five wrong guesses even the right code is refused"
    );

    // Three codes per chat, no more: the address is not the visitor's to flood.
    let last = mailed_code(&app, &smtp, &token, email, 3).await;
    let fourth = app.gql(None, REQUEST, json!({ "t": token })).await;
    assert_eq!(
        error_message(&fourth),
        "no more verification codes for this chat (at most 3 are sent)"
    );
    let verified = app.gql(None, VERIFY, json!({ "t": token, "c": last })).await;
    assert_eq!(verified["data"]["verifyChat"], true, "{verified}");
    let seen = ticket(&app, &agent, &chat).await;
    assert_eq!(seen["customer"]["email"], email, "a customer made for the address");
    assert_eq!(smtp.received().len(), 3, "one mail per code");
}

async fn an_agent_confirms_the_visitors_address(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let agent = app.login_admin().await;
    let (fay_ticket, fay) = customer_by_mail(&app, &agent, "fay@example.com").await;
    let (_, chat) = start_chat(&app, "fay@example.com").await;

    let confirmed = app.ok(&agent, CONFIRM, json!({ "id": chat })).await;
    assert_eq!(
        confirmed["confirmChatIdentity"]["customer"],
        json!({ "email": "fay@example.com", "verified": true })
    );
    let seen = ticket(&app, &agent, &chat).await;
    assert_eq!(seen["customer"]["id"], json!(fay));
    assert_eq!(verified_event(&seen)["actorKind"], "AGENT");

    let again = app.gql(Some(&agent), CONFIRM, json!({ "id": chat })).await;
    assert_eq!(error_message(&again), "this chat's address is verified already");
    let mailed = app.gql(Some(&agent), CONFIRM, json!({ "id": fay_ticket })).await;
    assert_eq!(
        error_code(&mailed),
        "BAD_USER_INPUT",
        "a customer found by their mail has nothing to prove"
    );
}

async fn verification_calls_are_rate_limited_like_other_chat_calls(db: TestDb) {
    let app = TestApp::spawn_configured(&db, |c| c.limits.chat_requests_per_minute = 2).await;
    let (token, _) = start_chat(&app, "gus@example.com").await;
    let first = app.gql(None, VERIFY, json!({ "t": token, "c": "000000" })).await;
    assert_eq!(error_code(&first), "BAD_USER_INPUT");
    for (query, variables) in [
        (VERIFY, json!({ "t": token, "c": "000000" })),
        (REQUEST, json!({ "t": token })),
    ] {
        let response = app
            .http()
            .post(format!("{}/graphql", app.base_url))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 429);
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), "RATE_LIMITED");
    }
}

each_store!(
    a_visitor_claiming_a_customers_address_reaches_nothing_of_theirs,
    a_visitor_proves_the_address_with_the_mailed_code,
    a_code_dies_after_fifteen_minutes_or_five_wrong_guesses,
    an_agent_confirms_the_visitors_address,
    verification_calls_are_rate_limited_like_other_chat_calls,
);
