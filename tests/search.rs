//! Agents find tickets by what they say: subjects, customers' mails, their
//! own replies and internal notes, customers' names and addresses, and
//! tags, most relevant first, with the words that matched highlighted in a
//! snippet safe to show as HTML. A team's agent finds only her teams'
//! tickets.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::{TestApp, TestDb, each_store, error_code, error_message};
use serde_json::{Value, json};

const SEARCH: &str = "query($q: String!, $f: TicketFilter, $first: Int, $after: String) { \
    search(query: $q, filter: $f, first: $first, after: $after) { \
    totalCount edges { cursor rank snippet node { id subject customer { email } } } \
    pageInfo { hasNextPage endCursor } } }";

/// Numbers the tests' mails' Message-IDs.
static MAILS: AtomicUsize = AtomicUsize::new(1);

/// Files a mail and returns the ticket's id.
async fn mail(app: &TestApp, from: &str, subject: &str, body: &str) -> String {
    let raw = format!(
        "From: {from}\r\nTo: support@desk.example\r\nSubject: {subject}\r\n\
         Message-ID: <{}@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
        MAILS.fetch_add(1, Ordering::Relaxed)
    );
    let (status, filed) = app.post_email(raw.as_bytes()).await;
    assert_eq!(status, 200, "{filed}");
    filed["ticketId"].as_str().unwrap().to_owned()
}

async fn search(app: &TestApp, token: &str, query: &str, filter: Value) -> Value {
    app.ok(token, SEARCH, json!({ "q": query, "f": filter })).await["search"].clone()
}

/// The subjects `query` finds, most relevant first.
async fn subjects(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    search(app, token, query, Value::Null).await["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["subject"].as_str().unwrap().to_owned())
        .collect()
}

async fn sorted_subjects(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let mut found = subjects(app, token, query).await;
    found.sort();
    found
}

async fn an_agent_finds_tickets_by_what_they_say(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let refund = mail(
        &app,
        "Ana Lima <ana@example.com>",
        "Refund for order 1234",
        "I paid twice with my credit card.",
    )
    .await;
    let login = mail(
        &app,
        "Ben Okafor <ben@example.org>",
        "Login trouble",
        "The password reset mail never came.",
    )
    .await;
    let invoice = mail(
        &app,
        "Cara <cara@example.net>",
        "Invoice copy",
        "Paid by PayPal, no credit card; no refund needed. Alert me if fees < 5 & \"thanks\"",
    )
    .await;

    // Words, phrases, `or` and exclusions, as a web search reads them.
    assert_eq!(
        sorted_subjects(&app, &admin, "\"credit card\"").await,
        ["Invoice copy", "Refund for order 1234"]
    );
    assert_eq!(
        subjects(&app, &admin, "\"credit card\" -paypal").await,
        ["Refund for order 1234"]
    );
    assert_eq!(
        sorted_subjects(&app, &admin, "invoice or password").await,
        ["Invoice copy", "Login trouble"]
    );
    // A word in a subject outranks the same word in a message.
    let ranked = search(&app, &admin, "refund", Value::Null).await;
    assert_eq!(
        ranked["edges"][0]["node"]["subject"], "Refund for order 1234",
        "{ranked}"
    );
    assert_eq!(ranked["edges"][1]["node"]["subject"], "Invoice copy", "{ranked}");
    let (first, second) = (
        ranked["edges"][0]["rank"].as_f64().unwrap(),
        ranked["edges"][1]["rank"].as_f64().unwrap(),
    );
    assert!(first > second && second > 0.0, "{ranked}");

    // The snippet: the text escaped, the hits marked.
    let alert = search(&app, &admin, "alert", Value::Null).await;
    let snippet = alert["edges"][0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>Alert</mark>"), "{snippet}");
    assert!(snippet.contains("fees &lt; 5 &amp; &quot;thanks&quot;"), "{snippet}");
    let text = snippet.replace("<mark>", "").replace("</mark>", "");
    assert!(!text.contains(['<', '>', '"']), "only the marks are markup: {snippet}");

    // People: names and addresses.
    assert_eq!(subjects(&app, &admin, "okafor").await, ["Login trouble"]);
    assert_eq!(subjects(&app, &admin, "example.org").await, ["Login trouble"]);
    assert_eq!(subjects(&app, &admin, "cara@example.net").await, ["Invoice copy"]);

    // What agents write, public or internal, and tags: found at once.
    let reply = "mutation($i: ReplyInput!) { replyToTicket(input: $i) { ticket { id } } }";
    app.ok(
        &admin,
        reply,
        json!({ "i": { "ticketId": login, "body": "We resent the link to your mailbox." } }),
    )
    .await;
    app.ok(
        &admin,
        reply,
        json!({ "i": { "ticketId": refund, "body": "Escalated to finance.", "internal": true } }),
    )
    .await;
    let update = "mutation($i: UpdateTicketInput!) { updateTicket(input: $i) { id } }";
    app.ok(&admin, update, json!({ "i": { "ticketId": invoice, "tags": ["vip"] } }))
        .await;
    assert_eq!(subjects(&app, &admin, "resent").await, ["Login trouble"]);
    assert_eq!(subjects(&app, &admin, "finance").await, ["Refund for order 1234"]);
    assert_eq!(subjects(&app, &admin, "vip").await, ["Invoice copy"]);
    let snippet = search(&app, &admin, "finance", Value::Null).await["edges"][0]["snippet"].clone();
    assert!(snippet.as_str().unwrap().contains("<mark>finance</mark>"), "{snippet}");

    // A renamed customer is found by the new name.
    let customer = app
        .ok(
            &admin,
            "query($id: ID!) { ticket(id: $id) { customer { id } } }",
            json!({ "id": invoice }),
        )
        .await["ticket"]["customer"]["id"]
        .clone();
    app.ok(
        &admin,
        "mutation($i: UpdateCustomerInput!) { updateCustomer(input: $i) { id } }",
        json!({ "i": { "id": customer, "name": "Cara Moreau" } }),
    )
    .await;
    assert_eq!(subjects(&app, &admin, "moreau").await, ["Invoice copy"]);

    // The ticket filter narrows a search as it narrows a listing.
    let vip_only = search(&app, &admin, "\"credit card\"", json!({ "tags": ["vip"] })).await;
    assert_eq!(vip_only["totalCount"], 1, "{vip_only}");
    assert_eq!(vip_only["edges"][0]["node"]["subject"], "Invoice copy");
    let none = search(&app, &admin, "\"credit card\"", json!({ "channels": ["CHAT"] })).await;
    assert_eq!(none["totalCount"], 0, "{none}");
    assert_eq!(none["edges"], json!([]));

    // A page at a time.
    let page = app.ok(&admin, SEARCH, json!({ "q": "credit card", "first": 1 })).await["search"].clone();
    assert_eq!(page["totalCount"], 2, "{page}");
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let next = app
        .ok(
            &admin,
            SEARCH,
            json!({ "q": "credit card", "first": 1, "after": page["pageInfo"]["endCursor"] }),
        )
        .await["search"]
        .clone();
    assert_eq!(next["pageInfo"]["hasNextPage"], false, "{next}");
    assert_ne!(
        next["edges"][0]["node"]["id"], page["edges"][0]["node"]["id"],
        "the second page goes on from the first"
    );

    // Bad input says what is wrong.
    for (query, message) in [
        ("   ", "query must not be empty"),
        ("-spam", "query: nothing to look for"),
    ] {
        let refused = app.gql(Some(&admin), SEARCH, json!({ "q": query })).await;
        assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
        assert!(error_message(&refused).starts_with(message), "{refused}");
    }
    let bad_cursor = app
        .gql(Some(&admin), SEARCH, json!({ "q": "card", "after": "bm9wZQ" }))
        .await;
    assert_eq!(error_code(&bad_cursor), "BAD_USER_INPUT", "{bad_cursor}");
    // Not for the public.
    let anonymous = app.gql(None, SEARCH, json!({ "q": "card" })).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED", "{anonymous}");
    app.stop().await;
}

async fn a_team_agent_finds_only_her_teams_tickets(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let billing = app.team(&admin, "Billing").await;
    let (ann_id, ann) = app.agent_with_scope(&admin, "ann@desk.example", "AGENT", "TEAMS").await;
    app.add_team_member(&admin, &billing, &ann_id).await;
    let ours = mail(&app, "ana@example.com", "Invoice overdue", "The invoice is late.").await;
    mail(&app, "ben@example.org", "Invoice question", "Which invoice is this?").await;
    app.ok(
        &admin,
        "mutation($i: UpdateTicketInput!) { updateTicket(input: $i) { id } }",
        json!({ "i": { "ticketId": ours, "teamId": billing } }),
    )
    .await;

    assert_eq!(sorted_subjects(&app, &admin, "invoice").await.len(), 2);
    let hers = search(&app, &ann, "invoice", Value::Null).await;
    assert_eq!(hers["totalCount"], 1, "{hers}");
    assert_eq!(hers["edges"][0]["node"]["subject"], "Invoice overdue");
    // Not even by the other customer's address.
    assert_eq!(
        search(&app, &ann, "ben@example.org", Value::Null).await["totalCount"],
        0
    );
    app.stop().await;
}

each_store!(
    an_agent_finds_tickets_by_what_they_say,
    a_team_agent_finds_only_her_teams_tickets,
);
