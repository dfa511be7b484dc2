//! The ticket workflow as agents meet it over GraphQL: the status rules,
//! assignment, merges, and the history each change leaves.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use common::{TestApp, TestDb, each_store, error_code, error_message, event_kinds};
use serde_json::{Value, json};

const UPDATE: &str = "mutation($i: UpdateTicketInput!) { updateTicket(input: $i) { status assignee { email } team { name } fcrEligible } }";
const REPLY: &str = "mutation($i: ReplyInput!) { replyToTicket(input: $i) { ticket { status } } }";

async fn open_ticket(app: &TestApp, token: &str, subject: &str) -> String {
    let t = app
        .create_ticket(
            token,
            json!({ "subject": subject, "body": "help", "customerEmail": "ana@example.com" }),
        )
        .await;
    t["id"].as_str().unwrap().to_owned()
}

async fn invalid_transitions_name_both_states(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let id = open_ticket(&app, &admin, "Refund").await;
    app.ok(&admin, UPDATE, json!({ "i": { "ticketId": id, "status": "OPEN" } }))
        .await;

    let back_to_new = app
        .gql(
            Some(&admin),
            UPDATE,
            json!({ "i": { "ticketId": id, "status": "NEW" } }),
        )
        .await;
    assert_eq!(error_code(&back_to_new), "BAD_USER_INPUT");
    let message = error_message(&back_to_new);
    assert!(message.contains("OPEN") && message.contains("NEW"), "{message}");

    app.ok(&admin, UPDATE, json!({ "i": { "ticketId": id, "status": "CLOSED" } }))
        .await;
    let reopen = app
        .gql(
            Some(&admin),
            UPDATE,
            json!({ "i": { "ticketId": id, "status": "OPEN" } }),
        )
        .await;
    assert_eq!(error_code(&reopen), "BAD_USER_INPUT");
    assert!(error_message(&reopen).contains("CLOSED") && error_message(&reopen).contains("OPEN"));
    let reply = app
        .gql(
            Some(&admin),
            REPLY,
            json!({ "i": { "ticketId": id, "body": "hello?" } }),
        )
        .await;
    assert_eq!(error_code(&reply), "BAD_USER_INPUT");
    let tag = app
        .gql(
            Some(&admin),
            UPDATE,
            json!({ "i": { "ticketId": id, "tags": ["late"] } }),
        )
        .await;
    assert_eq!(error_code(&tag), "BAD_USER_INPUT", "a closed ticket is final");
}

async fn assignment_and_its_history(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let (bo_id, bo) = app.agent(&admin, "bo@desk.example", "AGENT").await;
    let team_id = app.team(&admin, "Billing").await;
    let id = open_ticket(&app, &bo, "Invoice copy").await;

    let assigned = app
        .ok(
            &bo,
            UPDATE,
            json!({ "i": { "ticketId": id, "assigneeId": bo_id, "teamId": team_id, "fcrEligible": false } }),
        )
        .await;
    assert_eq!(
        assigned["updateTicket"],
        json!({ "status": "NEW", "assignee": { "email": "bo@desk.example" }, "team": { "name": "Billing" }, "fcrEligible": false })
    );
    // Omitted fields stay; null clears.
    let cleared = app
        .ok(&bo, UPDATE, json!({ "i": { "ticketId": id, "assigneeId": null } }))
        .await;
    assert_eq!(cleared["updateTicket"]["assignee"], json!(null));
    assert_eq!(cleared["updateTicket"]["team"], json!({ "name": "Billing" }));
    // Setting what is already set records nothing.
    app.ok(&bo, UPDATE, json!({ "i": { "ticketId": id, "teamId": team_id } }))
        .await;

    let unknown = app
        .gql(
            Some(&bo),
            UPDATE,
            json!({ "i": { "ticketId": id, "assigneeId": "0190b0a4-0000-7000-8000-000000000000" } }),
        )
        .await;
    assert_eq!(error_code(&unknown), "NOT_FOUND");

    let history = history(&app, &bo, &id).await;
    assert_eq!(
        event_kinds(&history),
        [
            "CREATED",
            "MESSAGE",
            "TEAM_CHANGED",
            "ASSIGNEE_CHANGED",
            "FCR_ELIGIBILITY_CHANGED",
            "ASSIGNEE_CHANGED"
        ]
    );
    let assign = &history["events"][3];
    assert_eq!(assign["actorKind"], "AGENT");
    assert_eq!(assign["actorAgent"]["email"], "bo@desk.example");
    assert_eq!(assign["details"]["to"], json!(bo_id));
}

async fn merging_moves_messages_and_closes_the_source(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let target = open_ticket(&app, &admin, "Parcel late").await;
    let source = open_ticket(&app, &admin, "Parcel still late").await;
    app.ok(
        &admin,
        REPLY,
        json!({ "i": { "ticketId": source, "body": "noted", "internal": true } }),
    )
    .await;

    let merge = "mutation($s: ID!, $t: ID!) { mergeTickets(input: {sourceId: $s, targetId: $t}) { source { status mergedInto { id } messages { body } } target { status messages { body internal } } } }";
    let merged = app.ok(&admin, merge, json!({ "s": source, "t": target })).await;
    let m = &merged["mergeTickets"];
    assert_eq!(m["source"]["status"], "CLOSED");
    assert_eq!(m["source"]["mergedInto"]["id"], json!(target));
    assert_eq!(m["source"]["messages"], json!([]));
    assert_eq!(m["target"]["messages"].as_array().unwrap().len(), 3);

    let history = history(&app, &admin, &target).await;
    assert_eq!(
        event_kinds(&history),
        ["CREATED", "MESSAGE", "MESSAGE", "NOTE", "MERGED_FROM"]
    );
    assert_eq!(history["events"][2]["details"]["moved_from"], json!(source));

    let again = app.gql(Some(&admin), merge, json!({ "s": source, "t": target })).await;
    assert_eq!(error_code(&again), "BAD_USER_INPUT");
    let into_self = app.gql(Some(&admin), merge, json!({ "s": target, "t": target })).await;
    assert_eq!(error_code(&into_self), "BAD_USER_INPUT");
}

async fn bad_input_is_refused_before_anything_is_stored(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let create = "mutation($i: CreateTicketInput!) { createTicket(input: $i) { id } }";
    for (input, why) in [
        (
            json!({ "subject": "  ", "body": "b", "customerEmail": "a@b.io" }),
            "empty subject",
        ),
        (
            json!({ "subject": "s", "body": "b", "customerEmail": "not-an-address" }),
            "bad email",
        ),
        (
            json!({ "subject": "s", "body": "b", "customerEmail": "a@b.io", "tags": ["two words"] }),
            "bad tag",
        ),
        (
            json!({ "subject": "s", "body": "b", "customerEmail": "a@b.io", "teamId": "0190b0a4-0000-7000-8000-000000000000" }),
            "unknown team",
        ),
    ] {
        let body = app.gql(Some(&admin), create, json!({ "i": input })).await;
        assert!(body["errors"].is_array(), "{why}: {body}");
    }
    let note_with_status = app
        .gql(Some(&admin), REPLY, json!({ "i": { "ticketId": "0190b0a4-0000-7000-8000-000000000000", "body": "x", "internal": true, "status": "SOLVED" } }))
        .await;
    assert_eq!(error_code(&note_with_status), "BAD_USER_INPUT");
    let missing = app
        .gql(
            Some(&admin),
            REPLY,
            json!({ "i": { "ticketId": "0190b0a4-0000-7000-8000-000000000000", "body": "x" } }),
        )
        .await;
    assert_eq!(error_code(&missing), "NOT_FOUND");
    let count = app.ok(&admin, "{ tickets { totalCount } }", json!({})).await;
    assert_eq!(count["tickets"]["totalCount"], 0);
    // The failed attempts took no ticket number.
    let first = app
        .create_ticket(
            &admin,
            json!({ "subject": "s", "body": "b", "customerEmail": "a@b.io" }),
        )
        .await;
    assert_eq!(first["number"], 1);
}

async fn history(app: &TestApp, token: &str, id: &str) -> Value {
    let q = "query($id: ID!) { ticket(id: $id) { events { kind actorKind actorAgent { email } details } } }";
    app.ok(token, q, json!({ "id": id })).await["ticket"].clone()
}

each_store!(
    invalid_transitions_name_both_states,
    assignment_and_its_history,
    merging_moves_messages_and_closes_the_source,
    bad_input_is_refused_before_anything_is_stored,
);
