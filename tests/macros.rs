//! Macros: an admin saves the desk's answer to a common question once, and
//! an agent applies it to a ticket in one step: the reply goes out with the
//! customer's name filled in, the ticket is tagged, handed on and set
//! waiting, all at once and recorded as that agent's doing.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::time::Duration;

use common::smtp::{SmtpSink, header};
use common::{TICKET_FIELDS, TestApp, TestDb, each_store, error_code, error_message};
use serde_json::{Value, json};

const CREATE: &str = "mutation($i: CreateMacroInput!) { createMacro(input: $i) { id name shared owner { email } \
    actions { status priority team { name } addTags removeTags note reply } } }";
const PREVIEW: &str =
    "query($t: ID!, $m: ID!) { previewMacro(ticketId: $t, macroId: $m) { note reply actions { status } } }";
const APPLY: &str = "mutation($t: ID!, $m: ID!) { applyMacro(ticketId: $t, macroId: $m) { \
    note { body internal } reply { body internal emailMessageId } ticket { status priority tags team { name } } } }";
const MACROS: &str = "{ macros { name shared } }";

async fn ticket(app: &TestApp, token: &str, id: &str) -> Value {
    let q = format!(
        "query($id: ID!) {{ ticket(id: $id) {{ {TICKET_FIELDS} events {{ kind actorKind actorAgent {{ email }} }} }} }}"
    );
    app.ok(token, &q, json!({ "id": id })).await["ticket"].clone()
}

async fn create_macro(app: &TestApp, token: &str, input: Value) -> Value {
    app.gql(Some(token), CREATE, json!({ "i": input })).await
}

async fn a_macro_answers_with_the_customers_name_and_moves_the_ticket_on(db: TestDb) {
    let smtp = SmtpSink::start();
    let app = TestApp::spawn_with_smtp(&db, Some(&smtp.url())).await;
    let admin = app.login_admin().await;
    let billing = app.team(&admin, "Billing").await;
    let (_, bo) = app.agent(&admin, "bo@desk.example", "AGENT").await;

    // The admin saves the desk's answer to "charged twice".
    let saved = create_macro(
        &app,
        &admin,
        json!({
            "name": "Refund issued",
            "shared": true,
            "actions": {
                "status": "PENDING",
                "priority": "HIGH",
                "teamId": billing,
                "addTags": ["refund", "Billing"],
                "removeTags": ["triage"],
                "note": "Refund booked by {agent_name}.",
                "reply": "Hi {customer_name},\n\nwe refunded the double charge on ticket #{ticket_number} ({subject}).\n\n{agent_name}",
            },
        }),
    )
    .await;
    assert!(saved.get("errors").is_none(), "{saved:#}");
    let saved = &saved["data"]["createMacro"];
    assert_eq!(saved["shared"], true);
    assert_eq!(saved["owner"], Value::Null);
    assert_eq!(saved["actions"]["team"]["name"], "Billing");
    assert_eq!(saved["actions"]["addTags"], json!(["billing", "refund"]));
    let macro_id = saved["id"].as_str().unwrap();

    // Ana writes in; the ticket waits in triage.
    let raw = "From: Ana Lima <ana@example.com>\r\nTo: support@desk.example\r\nSubject: Charged twice\r\n\
               Message-ID: <twice@mail.example.com>\r\nContent-Type: text/plain\r\n\r\nYou took my money twice.\r\n";
    let (_, filed) = app.post_email(raw.as_bytes()).await;
    let id = filed["ticketId"].as_str().unwrap().to_owned();
    let tag = "mutation($id: ID!) { updateTicket(input: {ticketId: $id, tags: [\"triage\", \"vip\"]}) { id } }";
    app.ok(&admin, tag, json!({ "id": id })).await;
    let before = ticket(&app, &bo, &id).await;
    let number = before["number"].as_i64().unwrap();

    // Bo sees the macro and previews it: the texts filled in, nothing changed.
    let listed = app.ok(&bo, MACROS, json!({})).await;
    assert_eq!(listed["macros"], json!([{ "name": "Refund issued", "shared": true }]));
    let preview = app.ok(&bo, PREVIEW, json!({ "t": id, "m": macro_id })).await["previewMacro"].clone();
    let expected_reply = format!(
        "Hi Ana Lima,\n\nwe refunded the double charge on ticket #{number} (Charged twice).\n\nbo@desk.example"
    );
    assert_eq!(preview["reply"], expected_reply.as_str());
    assert_eq!(preview["note"], "Refund booked by bo@desk.example.");
    assert_eq!(preview["actions"]["status"], "PENDING");
    let unchanged = ticket(&app, &bo, &id).await;
    assert_eq!(unchanged["status"], "NEW");
    assert_eq!(unchanged["messages"].as_array().unwrap().len(), 1);

    // Bo applies it: one step does all of it.
    let applied = app.ok(&bo, APPLY, json!({ "t": id, "m": macro_id })).await["applyMacro"].clone();
    assert_eq!(applied["reply"]["body"], expected_reply.as_str());
    assert_eq!(applied["reply"]["internal"], false);
    assert_eq!(applied["note"]["internal"], true);
    assert_eq!(applied["ticket"]["status"], "PENDING");
    assert_eq!(applied["ticket"]["priority"], "HIGH");
    assert_eq!(applied["ticket"]["team"]["name"], "Billing");
    assert_eq!(applied["ticket"]["tags"], json!(["billing", "refund", "vip"]));

    // The history says Bo did each change.
    let after = ticket(&app, &admin, &id).await;
    let by_bo: Vec<&str> = after["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actorAgent"]["email"] == "bo@desk.example")
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "PRIORITY_CHANGED",
        "TEAM_CHANGED",
        "TAGS_CHANGED",
        "NOTE",
        "MESSAGE",
        "STATUS_CHANGED",
    ] {
        assert!(by_bo.contains(&kind), "no {kind} by Bo in {by_bo:?}");
    }

    // Ana gets the reply by mail, in her thread, her name filled in.
    let sent = smtp.wait_for(1, Duration::from_secs(20)).await;
    let mail = &sent[0];
    assert_eq!(header(mail, "To").as_deref(), Some("ana@example.com"));
    assert_eq!(header(mail, "In-Reply-To").as_deref(), Some("<twice@mail.example.com>"));
    assert!(
        header(mail, "Subject").unwrap().contains(&format!("[#{number}]")),
        "{mail}"
    );
    assert!(mail.contains("Hi Ana Lima,"), "{mail}");
    let message_id = applied["reply"]["emailMessageId"].as_str().unwrap();
    assert_eq!(header(mail, "Message-ID"), Some(format!("<{message_id}>")));
}

async fn macros_are_checked_whole_and_personal_ones_stay_their_owners(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let (_, bo) = app.agent(&admin, "bo@desk.example", "AGENT").await;
    let (_, cy) = app.agent(&admin, "cy@desk.example", "AGENT").await;

    // Each mistake is refused whole, naming the field.
    let cases = [
        (json!({ "reply": "Dear {customer}," }), "actions.reply"),
        (json!({ "note": "unclosed {agent_name" }), "actions.note"),
        (
            json!({ "teamId": "01890000-0000-7000-8000-000000000000" }),
            "actions.teamId",
        ),
        (
            json!({ "assigneeId": "01890000-0000-7000-8000-000000000000" }),
            "actions.assigneeId",
        ),
        (json!({ "status": "NEW" }), "actions.status"),
        (json!({ "addTags": ["vip"], "removeTags": ["vip"] }), "vip"),
        (json!({}), "actions"),
    ];
    for (actions, field) in cases {
        let refused = create_macro(
            &app,
            &admin,
            json!({ "name": "Bad", "shared": true, "actions": actions }),
        )
        .await;
        assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{actions}: {refused:#}");
        assert!(error_message(&refused).contains(field), "{field}: {refused:#}");
    }
    assert_eq!(app.ok(&admin, MACROS, json!({})).await["macros"], json!([]));

    // Only admins keep shared macros.
    let shared = create_macro(
        &app,
        &bo,
        json!({ "name": "Ours", "shared": true, "actions": { "priority": "LOW" } }),
    )
    .await;
    assert_eq!(error_code(&shared), "FORBIDDEN", "{shared:#}");

    // Bo's own macro is his alone: others neither see, apply nor change it.
    let mine = create_macro(
        &app,
        &bo,
        json!({ "name": "Chase", "actions": { "status": "PENDING" } }),
    )
    .await;
    let mine = mine["data"]["createMacro"].clone();
    assert_eq!(mine["shared"], false);
    assert_eq!(mine["owner"]["email"], "bo@desk.example");
    let mine = mine["id"].as_str().unwrap().to_owned();
    for other in [&cy, &admin] {
        assert_eq!(app.ok(other, MACROS, json!({})).await["macros"], json!([]));
        let one = app
            .ok(
                other,
                "query($id: ID!) { macro(id: $id) { id } }",
                json!({ "id": mine }),
            )
            .await;
        assert_eq!(one["macro"], Value::Null);
        let renamed = app
            .gql(
                Some(other),
                "mutation($id: ID!) { updateMacro(input: {id: $id, name: \"Mine now\"}) { id } }",
                json!({ "id": mine }),
            )
            .await;
        assert_eq!(error_code(&renamed), "NOT_FOUND", "{renamed:#}");
    }
    let ticket_id = app
        .create_ticket(
            &cy,
            json!({ "subject": "Where is it?", "body": "Parcel late", "customerEmail": "al@example.com" }),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let applied = app.gql(Some(&cy), APPLY, json!({ "t": ticket_id, "m": mine })).await;
    assert_eq!(error_code(&applied), "NOT_FOUND", "{applied:#}");

    // Bo renames it, applies it, and the workflow still rules: a CLOSED
    // ticket takes no macro, and nothing of it is applied.
    let renamed = app
        .ok(&bo, "mutation($id: ID!) { updateMacro(input: {id: $id, name: \"Chase up\", actions: {status: CLOSED, addTags: [\"chased\"]}}) { name actions { status addTags } } }", json!({ "id": mine }))
        .await;
    assert_eq!(renamed["updateMacro"]["name"], "Chase up");
    let applied = app.ok(&bo, APPLY, json!({ "t": ticket_id, "m": mine })).await;
    assert_eq!(applied["applyMacro"]["ticket"]["status"], "CLOSED");
    assert_eq!(applied["applyMacro"]["ticket"]["tags"], json!(["chased"]));
    let again = app.gql(Some(&bo), APPLY, json!({ "t": ticket_id, "m": mine })).await;
    assert_eq!(error_code(&again), "BAD_USER_INPUT", "{again:#}");

    // And deletes it.
    let deleted = app
        .ok(
            &bo,
            "mutation($id: ID!) { deleteMacro(id: $id) }",
            json!({ "id": mine }),
        )
        .await;
    assert_eq!(deleted["deleteMacro"], true);
    assert_eq!(app.ok(&bo, MACROS, json!({})).await["macros"], json!([]));
}

each_store!(
    a_macro_answers_with_the_customers_name_and_moves_the_ticket_on,
    macros_are_checked_whole_and_personal_ones_stay_their_owners,
);
