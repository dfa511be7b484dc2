//! A newcomer's first session: log in, open three tickets, answer them
//! publicly and internally, change their status, priority and tags, page
//! through them, and find all of it again after a restart.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use common::{TICKET_FIELDS, TestApp, TestDb, each_store, event_kinds};
use serde_json::{Value, json};

const REPLY: &str = "mutation($i: ReplyInput!) { replyToTicket(input: $i) { message { body internal author { kind } } ticket { status } } }";
const UPDATE: &str = "mutation($i: UpdateTicketInput!) { updateTicket(input: $i) { status priority tags } }";
const PAGE: &str = "query($first: Int, $after: String) { tickets(first: $first, after: $after, orderBy: {field: CREATED_AT, direction: ASC}) { totalCount edges { cursor node { number subject } } pageInfo { hasNextPage endCursor } } }";

async fn first_session_survives_a_restart(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let token = app.login_admin().await;

    let me = app.ok(&token, "{ me { email role } }", json!({})).await;
    assert_eq!(me["me"], json!({ "email": common::ADMIN_EMAIL, "role": "ADMIN" }));

    let subjects = ["Card declined", "Where is my parcel?", "Cannot log in"];
    let mut ids = Vec::new();
    for (i, subject) in subjects.iter().enumerate() {
        let ticket = app
            .create_ticket(
                &token,
                json!({ "subject": subject, "body": format!("Help with {subject}"), "customerEmail": "Ana@Example.com",
                        "customerName": "Ana", "channel": "EMAIL" }),
            )
            .await;
        assert_eq!(ticket["number"], json!(i + 1), "numbers are sequential");
        assert_eq!(ticket["status"], "NEW");
        assert_eq!(ticket["priority"], "NORMAL");
        assert_eq!(ticket["channel"], "EMAIL");
        assert_eq!(ticket["customer"], json!({ "email": "ana@example.com", "name": "Ana" }));
        assert_eq!(ticket["messages"][0]["author"]["kind"], "CUSTOMER");
        assert_eq!(event_kinds(&ticket), ["CREATED", "MESSAGE"]);
        ids.push(ticket["id"].as_str().unwrap().to_owned());
    }

    // A public reply opens the NEW ticket; an internal note changes nothing.
    let reply = app
        .ok(
            &token,
            REPLY,
            json!({ "i": { "ticketId": ids[0], "body": "We are on it." } }),
        )
        .await;
    assert_eq!(reply["replyToTicket"]["ticket"]["status"], "OPEN");
    assert_eq!(
        reply["replyToTicket"]["message"],
        json!({ "body": "We are on it.", "internal": false, "author": { "kind": "AGENT" } })
    );
    let note = app
        .ok(
            &token,
            REPLY,
            json!({ "i": { "ticketId": ids[0], "body": "Checked the gateway logs.", "internal": true } }),
        )
        .await;
    assert_eq!(note["replyToTicket"]["ticket"]["status"], "OPEN");
    assert_eq!(note["replyToTicket"]["message"]["internal"], true);
    // Reply and wait for the customer in one step.
    let pending = app
        .ok(
            &token,
            REPLY,
            json!({ "i": { "ticketId": ids[1], "body": "Which order number?", "status": "PENDING" } }),
        )
        .await;
    assert_eq!(pending["replyToTicket"]["ticket"]["status"], "PENDING");

    let updated = app
        .ok(
            &token,
            UPDATE,
            json!({ "i": { "ticketId": ids[0], "status": "SOLVED", "priority": "HIGH", "tags": ["Billing", "vip"] } }),
        )
        .await;
    assert_eq!(
        updated["updateTicket"],
        json!({ "status": "SOLVED", "priority": "HIGH", "tags": ["billing", "vip"] })
    );

    let before = ticket(&app, &token, &ids[0]).await;
    assert_eq!(
        event_kinds(&before),
        [
            "CREATED",
            "MESSAGE",
            "MESSAGE",
            "STATUS_CHANGED",
            "NOTE",
            "STATUS_CHANGED",
            "PRIORITY_CHANGED",
            "TAGS_CHANGED"
        ]
    );
    assert_eq!(before["messages"].as_array().unwrap().len(), 3);

    let pages = page_through(&app, &token, 2).await;
    assert_eq!(pages, [vec![1, 2], vec![3]]);

    // Restart: a new server process on the same store.
    app.stop().await;
    let app = TestApp::spawn(&db).await;
    // The JWT secret was kept in the store, so the old token still works.
    let after = ticket(&app, &token, &ids[0]).await;
    assert_eq!(after, before, "everything is still there after the restart");
    assert_eq!(page_through(&app, &token, 2).await, pages);
    let second = ticket(&app, &token, &ids[1]).await;
    assert_eq!(second["status"], "PENDING");
    assert_eq!(second["messages"][1]["body"], "Which order number?");
}

async fn ticket(app: &TestApp, token: &str, id: &str) -> Value {
    let data = app
        .ok(
            token,
            &format!("query($id: ID!) {{ ticket(id: $id) {{ {TICKET_FIELDS} }} }}"),
            json!({ "id": id }),
        )
        .await;
    data["ticket"].clone()
}

/// Walks `tickets` page by page and returns the ticket numbers of each page.
async fn page_through(app: &TestApp, token: &str, size: i64) -> Vec<Vec<i64>> {
    let mut pages = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let data = app.ok(token, PAGE, json!({ "first": size, "after": after })).await;
        let conn = &data["tickets"];
        assert_eq!(conn["totalCount"], 3);
        pages.push(
            conn["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["number"].as_i64().unwrap())
                .collect(),
        );
        if !conn["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    pages
}

each_store!(first_session_survives_a_restart);
