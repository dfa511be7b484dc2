//! An agent's queue: filtered, ordered, paged, and cheap however many
//! tickets a page shows.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use common::{TestApp, TestDb, each_store};
use serde_json::{Value, json};

const LIST: &str =
    "query($f: TicketFilter, $first: Int) { tickets(first: $first, filter: $f) { totalCount nodes { subject } } }";

async fn subjects(app: &TestApp, token: &str, filter: Value) -> (i64, Vec<String>) {
    let data = app.ok(token, LIST, json!({ "f": filter, "first": 100 })).await;
    let conn = &data["tickets"];
    let mut subjects: Vec<String> = conn["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["subject"].as_str().unwrap().to_owned())
        .collect();
    subjects.sort();
    (conn["totalCount"].as_i64().unwrap(), subjects)
}

async fn filters_narrow_the_queue(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let (bo_id, _) = app.agent(&admin, "bo@desk.example", "AGENT").await;
    let team_id = app.team(&admin, "Billing").await;

    app.create_ticket(&admin, json!({ "subject": "a", "body": "b", "customerEmail": "ana@example.com", "channel": "EMAIL", "tags": ["billing"], "teamId": team_id })).await;
    app.create_ticket(&admin, json!({ "subject": "b", "body": "b", "customerEmail": "bo@example.com", "channel": "CHAT", "priority": "URGENT", "assigneeId": bo_id })).await;
    let c = app.create_ticket(&admin, json!({ "subject": "c", "body": "b", "customerEmail": "ana@example.com", "channel": "PHONE", "tags": ["vip", "billing"] })).await;
    app.ok(
        &admin,
        "mutation($id: ID!) { updateTicket(input: {ticketId: $id, status: PENDING}) { id } }",
        json!({ "id": c["id"] }),
    )
    .await;

    let all = subjects(&app, &admin, json!({})).await;
    assert_eq!(all, (3, vec!["a".into(), "b".into(), "c".into()]));
    let cases = [
        (json!({ "statuses": ["PENDING"] }), vec!["c"]),
        (json!({ "statuses": ["NEW", "OPEN"] }), vec!["a", "b"]),
        (json!({ "channels": ["EMAIL", "CHAT"] }), vec!["a", "b"]),
        (json!({ "priorities": ["URGENT"] }), vec!["b"]),
        (json!({ "assigneeIds": [bo_id] }), vec!["b"]),
        (json!({ "teamIds": [team_id] }), vec!["a"]),
        (json!({ "tags": ["billing"] }), vec!["a", "c"]),
        (json!({ "tags": ["VIP"] }), vec!["c"]),
        (json!({ "customerEmail": "Ana@Example.com" }), vec!["a", "c"]),
        (
            json!({ "customerEmail": "ana@example.com", "tags": ["vip"] }),
            vec!["c"],
        ),
        (
            json!({ "createdFrom": "2000-01-01T00:00:00Z", "createdTo": "2000-01-02T00:00:00Z" }),
            vec![],
        ),
        (json!({ "createdFrom": "2000-01-01T00:00:00Z" }), vec!["a", "b", "c"]),
    ];
    for (filter, expected) in cases {
        let expected: Vec<String> = expected.into_iter().map(str::to_owned).collect();
        let got = subjects(&app, &admin, filter.clone()).await;
        assert_eq!(got, (expected.len() as i64, expected), "filter {filter}");
    }
}

async fn a_page_of_fifty_costs_a_constant_number_of_queries(db: TestDb) {
    let app = TestApp::spawn_without_jobs(&db).await;
    let admin = app.login_admin().await;
    let (bo_id, _) = app.agent(&admin, "bo@desk.example", "AGENT").await;
    let team_id = app.team(&admin, "Billing").await;
    for i in 0..50 {
        app.create_ticket(
            &admin,
            json!({ "subject": format!("t{i}"), "body": "b", "customerEmail": format!("c{i}@example.com"),
                    "tags": [format!("tag{i}"), "common"], "assigneeId": bo_id, "teamId": team_id }),
        )
        .await;
    }
    let query = "query($first: Int) { tickets(first: $first) { totalCount edges { node { number customer { email } assignee { email } team { name } tags messages { body author { kind customer { email } } } } } } }";
    let cost = |first: i64| {
        let app = &app;
        let admin = &admin;
        async move {
            let before = app.store.statements_run();
            let data = app.ok(admin, query, json!({ "first": first })).await;
            let edges = data["tickets"]["edges"].as_array().unwrap().len() as i64;
            assert_eq!(edges, first);
            for edge in data["tickets"]["edges"].as_array().unwrap() {
                assert_eq!(edge["node"]["assignee"]["email"], "bo@desk.example");
                assert_eq!(edge["node"]["tags"].as_array().unwrap().len(), 2);
            }
            app.store.statements_run() - before
        }
    };
    let for_five = cost(5).await;
    let for_fifty = cost(50).await;
    assert_eq!(for_five, for_fifty, "queries must not grow with the page size");
    assert!(for_fifty <= 10, "a page costs {for_fifty} statements");
}

/// The count reads every matching ticket and the page reads fifty: each is
/// read only when the query asks for it.
async fn the_count_and_the_page_are_read_only_when_asked_for(db: TestDb) {
    let app = TestApp::spawn_without_jobs(&db).await;
    let admin = app.login_admin().await;
    for i in 0..3 {
        app.create_ticket(
            &admin,
            json!({ "subject": format!("t{i}"), "body": "b", "customerEmail": format!("c{i}@example.com") }),
        )
        .await;
    }
    let cost = |query: &'static str| {
        let app = &app;
        let admin = &admin;
        async move {
            let before = app.store.statements_run();
            let data = app.ok(admin, query, json!({})).await;
            (app.store.statements_run() - before, data)
        }
    };
    let (both, data) = cost("{ tickets(first: 2) { totalCount edges { node { number } } } }").await;
    assert_eq!(data["tickets"]["totalCount"], 3);
    assert_eq!(data["tickets"]["edges"].as_array().unwrap().len(), 2);
    let (count_only, data) = cost("{ tickets(first: 2) { totalCount } }").await;
    assert_eq!(data["tickets"]["totalCount"], 3);
    let (page_only, data) = cost("{ tickets(first: 2) { pageInfo { hasNextPage } nodes { number } } }").await;
    assert_eq!(data["tickets"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(data["tickets"]["nodes"].as_array().unwrap().len(), 2);
    assert_eq!(count_only, both - 1, "a count alone reads no page");
    assert_eq!(page_only, both - 1, "a page alone counts nothing");
}

each_store!(
    filters_narrow_the_queue,
    a_page_of_fifty_costs_a_constant_number_of_queries,
    the_count_and_the_page_are_read_only_when_asked_for
);
