//! Rules: an admin tells the desk "when this happens to a ticket like that,
//! do this", and the desk does it in the change's own transaction, as the
//! rule, in position order, never looping for ever.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::time::{Duration, Instant};

use chrono::TimeDelta;
use common::smtp::{SmtpSink, header};
use common::webhook::WebhookSink;
use common::{TestApp, TestDb, each_store, error_code, error_message};
use serde_json::{Value, json};

const CREATE_RULE: &str = "mutation($i: RuleInput!) { createRule(input: $i) { id name position active events \
    conditions { all { hasTag channelIn } any { subjectContains } } actions { priority team { name } addTags note } } }";
const TICKET: &str = "query($id: ID!) { ticket(id: $id) { priority tags webFormKey team { name } \
    messages { body internal author { kind } } \
    events { kind actorKind actorRuleId actorAgent { email } details } } }";

async fn create_rule(app: &TestApp, admin: &str, input: Value) -> String {
    let created = app.ok(admin, CREATE_RULE, json!({ "i": input })).await;
    created["createRule"]["id"].as_str().unwrap().to_owned()
}

async fn ticket(app: &TestApp, token: &str, id: &str) -> Value {
    app.ok(token, TICKET, json!({ "id": id })).await["ticket"].clone()
}

/// The events of `kind` a rule made, with the rule's id.
fn by_rules<'a>(ticket: &'a Value, kind: &str) -> Vec<&'a Value> {
    ticket["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == kind && e["actorKind"] == "RULE")
        .collect()
}

async fn a_web_form_ticket_about_billing_is_routed_by_the_rule(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let billing = app.team(&admin, "Billing").await;
    let rule = create_rule(
        &app,
        &admin,
        json!({
            "name": "Billing forms to Billing",
            "events": ["TICKET_CREATED"],
            "conditions": { "all": [{ "hasTag": "billing" }, { "channelIn": ["WEB_FORM"] }] },
            "actions": { "teamId": billing, "addTags": ["routed"], "note": "Routed by {agent_name} for {customer_name}." },
        }),
    )
    .await;
    // Another rule acts on one form's tickets, whatever their tags.
    create_rule(
        &app,
        &admin,
        json!({
            "name": "General form is urgent",
            "events": ["TICKET_CREATED"],
            "conditions": { "all": [{ "webFormKey": "general" }] },
            "actions": { "priority": "HIGH" },
        }),
    )
    .await;
    for (key, tags) in [("billing", json!(["billing"])), ("general", json!([]))] {
        app.ok(
            &admin,
            "mutation($i: WebFormInput!) { createWebForm(input: $i) { key } }",
            json!({ "i": { "key": key, "name": key, "tags": tags } }),
        )
        .await;
    }
    let submit = |key: &'static str| {
        let app = &app;
        async move {
            let response = app
                .http()
                .post(format!("{}/inbound/webform/{key}", app.base_url))
                .json(&json!({ "email": "ana@example.com", "name": "Ana Lima", "subject": "Invoice", "message": "Where is my invoice?" }))
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success(), "{}", response.status());
            let body: Value = response.json().await.unwrap();
            body["ticketId"].as_str().unwrap().to_owned()
        }
    };

    // A billing form's ticket goes to Billing the moment it exists, by the rule.
    let routed = ticket(&app, &admin, &submit("billing").await).await;
    assert_eq!(routed["team"]["name"], "Billing");
    assert_eq!(routed["tags"], json!(["billing", "routed"]));
    let team_change = by_rules(&routed, "TEAM_CHANGED");
    assert_eq!(team_change.len(), 1, "{routed:#}");
    assert_eq!(team_change[0]["actorRuleId"], rule.as_str());
    let note = routed["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["internal"] == true)
        .expect("the rule's note");
    assert_eq!(note["body"], "Routed by Billing forms to Billing for Ana Lima.");
    assert_eq!(note["author"]["kind"], "SYSTEM");

    // Another form's ticket does not meet the conditions.
    let other = ticket(&app, &admin, &submit("general").await).await;
    assert_eq!(other["team"], Value::Null);
    assert_eq!(other["webFormKey"], "general");
    assert_eq!(other["priority"], "HIGH");
    assert_eq!(routed["webFormKey"], "billing");
    assert_eq!(routed["priority"], "NORMAL");
    assert!(by_rules(&other, "TAGS_CHANGED").is_empty());

    // Turned off, the rule does nothing.
    let off = "mutation($id: ID!, $i: RuleInput!) { updateRule(id: $id, input: $i) { active } }";
    let input = json!({ "name": "Billing forms to Billing", "active": false, "events": ["TICKET_CREATED"],
        "conditions": { "all": [{ "hasTag": "billing" }] }, "actions": { "teamId": billing } });
    assert_eq!(
        app.ok(&admin, off, json!({ "id": rule, "i": input })).await["updateRule"]["active"],
        false
    );
    let unrouted = ticket(&app, &admin, &submit("billing").await).await;
    assert_eq!(unrouted["team"], Value::Null);
}

async fn an_sla_warning_raises_the_priority_and_tells_the_team_lead(db: TestDb) {
    let smtp = SmtpSink::start();
    let app = TestApp::spawn_with_smtp(&db, Some(&smtp.url())).await;
    let admin = app.login_admin().await;
    let (lead, _) = app.agent(&admin, "lead@desk.example", "AGENT").await;
    app.ok(
        &admin,
        "mutation($i: SlaPolicyInput!) { createSlaPolicy(input: $i) { id } }",
        json!({ "i": { "name": "Hot line", "targets": [{ "target": "FIRST_RESPONSE", "minutes": 1 }] } }),
    )
    .await;
    create_rule(
        &app,
        &admin,
        json!({
            "name": "Escalate at risk",
            "events": ["SLA_WARNING"],
            "actions": { "priority": "URGENT", "addTags": ["sla-risk"], "note": "First response due soon on #{ticket_number}." },
            "notify": { "agentIds": [lead], "subject": "[#{ticket_number}] at risk: {subject}",
                        "body": "{customer_email} is waiting; {agent_name} raised it to urgent." },
        }),
    )
    .await;
    let raw = "From: ana@example.com\r\nTo: support@desk.example\r\nSubject: Down!\r\nMessage-ID: <down@mail.example.com>\r\n\r\nSite is down\r\n";
    let (_, filed) = app.post_email(raw.as_bytes()).await;
    let id = filed["ticketId"].as_str().unwrap().to_owned();
    assert_eq!(ticket(&app, &admin, &id).await["priority"], "NORMAL");

    // Nobody answers: past 80% of the minute the warning is raised, and the
    // rule acts on it in the same transaction.
    app.clock.advance(TimeDelta::seconds(50)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let escalated = loop {
        let t = ticket(&app, &admin, &id).await;
        if t["priority"] == "URGENT" {
            break t;
        }
        assert!(Instant::now() < deadline, "not escalated: {t:#}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(escalated["tags"], json!(["sla-risk"]));
    let kinds: Vec<&str> = escalated["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    let warning = kinds.iter().position(|k| *k == "SLA_WARNING").unwrap();
    let raised = kinds.iter().position(|k| *k == "PRIORITY_CHANGED").unwrap();
    assert!(warning < raised, "{kinds:?}");
    assert_eq!(by_rules(&escalated, "PRIORITY_CHANGED").len(), 1);

    // The team lead hears of it by mail, once.
    let sent = smtp.wait_for(1, Duration::from_secs(20)).await;
    let notices: Vec<&String> = sent
        .iter()
        .filter(|m| header(m, "To").as_deref() == Some("lead@desk.example"))
        .collect();
    assert_eq!(notices.len(), 1, "{sent:#?}");
    let subject = header(notices[0], "Subject").unwrap();
    assert!(
        subject.contains("at risk: Down!") && subject.starts_with("[#"),
        "{subject}"
    );
    assert!(notices[0].contains("ana@example.com is waiting; Escalate at risk raised it to urgent."));
    assert!(header(notices[0], "Message-ID").is_some_and(|id| id.ends_with('>')));
}

async fn a_solved_ticket_is_closed_after_four_quiet_days(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let mut admin = app.login_admin().await;
    let created = app
        .ok(
            &admin,
            "mutation($i: RuleInput!) { createRule(input: $i) { id events timer { status minutes } } }",
            json!({ "i": { "name": "Close solved after 4 days", "timer": { "status": "SOLVED", "minutes": 5760 },
                           "actions": { "status": "CLOSED", "addTags": ["auto-closed"] } } }),
        )
        .await;
    assert_eq!(created["createRule"]["events"], json!([]));
    assert_eq!(
        created["createRule"]["timer"],
        json!({ "status": "SOLVED", "minutes": 5760 })
    );
    let open_ticket = |admin: String, subject: &'static str| {
        let app = &app;
        async move {
            app.create_ticket(
                &admin,
                json!({ "subject": subject, "body": "Help", "customerEmail": "al@example.com" }),
            )
            .await["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let solve = "mutation($id: ID!) { updateTicket(input: {ticketId: $id, status: SOLVED}) { status } }";
    let first = open_ticket(admin.clone(), "Solved first").await;
    app.ok(&admin, solve, json!({ "id": first })).await;
    app.clock.advance(TimeDelta::days(1)).unwrap();
    // Tokens live hours, not days: log in again after each move.
    admin = app.login_admin().await;
    let second = open_ticket(admin.clone(), "Solved a day later").await;
    app.ok(&admin, solve, json!({ "id": second })).await;

    // Three more days and a minute: the first has been quiet for four days.
    app.clock.advance(TimeDelta::days(3) + TimeDelta::minutes(1)).unwrap();
    admin = app.login_admin().await;
    let deadline = Instant::now() + Duration::from_secs(15);
    let closed = loop {
        let t = ticket(&app, &admin, &first).await;
        if by_rules(&t, "STATUS_CHANGED").len() == 1 {
            break t;
        }
        assert!(Instant::now() < deadline, "not closed: {t:#}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(closed["tags"], json!(["auto-closed"]));
    assert_eq!(by_rules(&closed, "STATUS_CHANGED").len(), 1, "{closed:#}");
    // The second has been quiet for three days only.
    let status = "query($id: ID!) { ticket(id: $id) { status } }";
    assert_eq!(
        app.ok(&admin, status, json!({ "id": second })).await["ticket"]["status"],
        "SOLVED"
    );

    // A reply reopens nothing here, but any change restarts the quiet time:
    // tagged now, the second waits four days from now.
    let tag = "mutation($id: ID!) { updateTicket(input: {ticketId: $id, tags: [\"waiting\"]}) { tags } }";
    app.ok(&admin, tag, json!({ "id": second })).await;
    app.clock.advance(TimeDelta::days(2)).unwrap();
    admin = app.login_admin().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        app.ok(&admin, status, json!({ "id": second })).await["ticket"]["status"],
        "SOLVED"
    );
    app.clock.advance(TimeDelta::days(2) + TimeDelta::minutes(1)).unwrap();
    admin = app.login_admin().await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while app.ok(&admin, status, json!({ "id": second })).await["ticket"]["status"] != "CLOSED" {
        assert!(Instant::now() < deadline, "the second was never closed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn a_rule_calls_a_webhook_signed_with_its_secret(db: TestDb) {
    let sink = WebhookSink::start().await;
    // The receiver listens on loopback, which the operator allows here.
    let app = TestApp::spawn_allowing_webhooks(&db, None, "127.0.0.1").await;
    let admin = app.login_admin().await;
    let secret = "rule-secret-0123456789";
    let rule = app
        .ok(
            &admin,
            "mutation($i: RuleInput!) { createRule(input: $i) { id webhookUrl } }",
            json!({ "i": { "name": "Tell the CRM about VIPs", "events": ["TICKET_CREATED"],
                           "conditions": { "all": [{ "customerDomain": "bigcorp.example" }] },
                           "webhook": { "url": sink.url, "secret": secret } } }),
        )
        .await;
    assert_eq!(rule["createRule"]["webhookUrl"], sink.url.as_str());
    let rule_id = rule["createRule"]["id"].as_str().unwrap();
    let vip = app
        .create_ticket(
            &admin,
            json!({ "subject": "Outage", "body": "All down", "customerEmail": "cio@eu.bigcorp.example" }),
        )
        .await;
    app.create_ticket(
        &admin,
        json!({ "subject": "Hi", "body": "Hello", "customerEmail": "al@example.com" }),
    )
    .await;

    let deadline = Instant::now() + Duration::from_secs(20);
    let (headers, body) = loop {
        if let Some(post) = sink.received().into_iter().next() {
            break post;
        }
        assert!(Instant::now() < deadline, "the rule's call never came");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let expected = helpdesk_channels::webhook::signature(secret, body.as_bytes());
    assert_eq!(headers["x-helpdesk-signature"].to_str().unwrap(), expected);
    let post: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(post["event"], "RULE");
    assert_eq!(
        post["rule"],
        json!({ "id": rule_id, "name": "Tell the CRM about VIPs" })
    );
    assert_eq!(post["ticket"]["number"], vip["number"]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.received().len(), 1, "only the VIP's ticket is posted");
}

async fn a_pending_customer_is_reminded_once_in_their_thread(db: TestDb) {
    let smtp = SmtpSink::start();
    let app = TestApp::spawn_with_smtp(&db, Some(&smtp.url())).await;
    let mut admin = app.login_admin().await;
    app.ok(
        &admin,
        "mutation($i: RuleInput!) { createRule(input: $i) { id } }",
        json!({ "i": { "name": "Remind pending customers", "timer": { "status": "PENDING", "minutes": 4320 },
                       "conditions": { "all": [{ "lacksTag": "reminded" }] },
                       "actions": { "addTags": ["reminded"],
                                    "reply": "Hi {customer_name}, do you still need help with #{ticket_number}?" } } }),
    )
    .await;
    let raw = "From: Ana Lima <ana@example.com>\r\nTo: support@desk.example\r\nSubject: Login fails\r\n\
               Message-ID: <login@mail.example.com>\r\nContent-Type: text/plain\r\n\r\nI cannot log in.\r\n";
    let (_, filed) = app.post_email(raw.as_bytes()).await;
    let id = filed["ticketId"].as_str().unwrap().to_owned();
    let ask = "mutation($id: ID!) { replyToTicket(input: {ticketId: $id, body: \"Which browser?\", status: PENDING}) { ticket { status } } }";
    app.ok(&admin, ask, json!({ "id": id })).await;
    let asked = smtp.wait_for(1, Duration::from_secs(20)).await;
    let question_id = header(&asked[0], "Message-ID").unwrap();

    // Three quiet days later the rule reminds Ana, in her thread, once.
    app.clock.advance(TimeDelta::days(3) + TimeDelta::minutes(1)).unwrap();
    admin = app.login_admin().await;
    let sent = smtp.wait_for(2, Duration::from_secs(20)).await;
    let reminder = &sent[1];
    assert_eq!(header(reminder, "To").as_deref(), Some("ana@example.com"));
    assert_eq!(header(reminder, "In-Reply-To"), Some(question_id.clone()));
    let number = app
        .ok(
            &admin,
            "query($id: ID!) { ticket(id: $id) { number } }",
            json!({ "id": id }),
        )
        .await["ticket"]["number"]
        .as_i64()
        .unwrap();
    assert_eq!(
        header(reminder, "Subject"),
        Some(format!("Re: [#{number}] Login fails"))
    );
    assert!(
        reminder.contains(&format!("Hi Ana Lima, do you still need help with #{number}?")),
        "{reminder}"
    );
    let t = ticket(&app, &admin, &id).await;
    assert_eq!(t["tags"], json!(["reminded"]));
    let by_rule: Vec<&Value> = t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["author"]["kind"] == "SYSTEM" && m["internal"] == false)
        .collect();
    assert_eq!(by_rule.len(), 1, "{t:#}");
    // A rule's reply is not the desk answering: the ticket still waits.
    let status = "query($id: ID!) { ticket(id: $id) { status } }";
    assert_eq!(
        app.ok(&admin, status, json!({ "id": id })).await["ticket"]["status"],
        "PENDING"
    );

    // Ana answers the reminder: her mail threads into the same ticket.
    let reminder_id = header(reminder, "Message-ID").unwrap();
    let answer = format!(
        "From: ana@example.com\r\nTo: support@desk.example\r\nSubject: Re: Login fails\r\n\
         Message-ID: <answer@mail.example.com>\r\nIn-Reply-To: {reminder_id}\r\n\
         Content-Type: text/plain\r\n\r\nStill broken, Firefox.\r\n"
    );
    let (_, threaded) = app.post_email(answer.as_bytes()).await;
    assert_eq!(threaded["ticketId"], json!(id));

    // Three more quiet days (reopened, then pending again) remind no more.
    app.ok(&admin, ask, json!({ "id": id })).await;
    app.clock.advance(TimeDelta::days(3) + TimeDelta::minutes(1)).unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        smtp.received().len(),
        3,
        "the question, the reminder, the second question"
    );
}

async fn rules_never_loop_for_ever(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    // A rule is not started again by its own change: it tags and raises
    // once, though raising is a priority change.
    create_rule(
        &app,
        &admin,
        json!({ "name": "Mark reprioritized", "position": 1, "events": ["PRIORITY_CHANGED"],
                "conditions": { "all": [{ "lacksTag": "vip" }] },
                "actions": { "addTags": ["reprioritized"], "priority": "LOW" } }),
    )
    .await;
    let id = app
        .create_ticket(
            &admin,
            json!({ "subject": "Slow site", "body": "It is slow", "customerEmail": "al@example.com" }),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let set =
        "mutation($id: ID!, $p: Priority!) { updateTicket(input: {ticketId: $id, priority: $p}) { priority tags } }";
    let once = app.ok(&admin, set, json!({ "id": id, "p": "HIGH" })).await;
    // The mutation answers with the ticket as the rules left it.
    assert_eq!(once["updateTicket"]["priority"], "LOW");
    assert_eq!(once["updateTicket"]["tags"], json!(["reprioritized"]));
    let t = ticket(&app, &admin, &id).await;
    assert_eq!(by_rules(&t, "PRIORITY_CHANGED").len(), 1, "{t:#}");
    assert!(by_rules(&t, "RULE_CHAIN_STOPPED").is_empty());

    // Two rules that set each other's condition stop at the bound.
    let tagged = "mutation($id: ID!) { updateTicket(input: {ticketId: $id, tags: [\"vip\"]}) { tags } }";
    app.ok(&admin, tagged, json!({ "id": id })).await;
    create_rule(
        &app,
        &admin,
        json!({ "name": "High to urgent", "position": 2, "events": ["PRIORITY_CHANGED"],
                "conditions": { "all": [{ "priorityIn": ["HIGH"] }, { "hasTag": "vip" }] },
                "actions": { "priority": "URGENT" } }),
    )
    .await;
    create_rule(
        &app,
        &admin,
        json!({ "name": "Urgent to high", "position": 3, "events": ["PRIORITY_CHANGED"],
                "conditions": { "all": [{ "priorityIn": ["URGENT"] }, { "hasTag": "vip" }] },
                "actions": { "priority": "HIGH" } }),
    )
    .await;
    let started = Instant::now();
    app.ok(&admin, set, json!({ "id": id, "p": "HIGH" })).await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    let t = ticket(&app, &admin, &id).await;
    let stopped: Vec<&Value> = t["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "RULE_CHAIN_STOPPED")
        .collect();
    assert_eq!(stopped.len(), 1, "{t:#}");
    assert_eq!(stopped[0]["actorKind"], "SYSTEM");
    assert_eq!(stopped[0]["details"]["depth"], 5);
    // Both rules ran in each of the five rounds: ten changes, then the stop.
    assert_eq!(by_rules(&t, "PRIORITY_CHANGED").len(), 1 + 10, "{t:#}");
    assert_eq!(t["priority"], "HIGH");
}

async fn rules_are_checked_whole(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let ops = app.team(&admin, "Ops").await;
    let base = || json!({ "name": "Bad", "events": ["TICKET_CREATED"], "actions": { "priority": "HIGH" } });
    let with = |key: &str, value: Value| {
        let mut input = base();
        input[key] = value;
        input
    };
    let cases = [
        (with("events", json!([])), "events"),
        (
            with("actions", json!({ "reply": "Hi {customer}" })),
            "actions.reply: unknown placeholder {customer}",
        ),
        (with("actions", json!({ "note": "Hi {who}" })), "actions.note"),
        (with("actions", json!({ "status": "NEW" })), "actions.status"),
        (
            with(
                "conditions",
                json!({ "all": [{ "teamId": "01890000-0000-7000-8000-000000000000" }] }),
            ),
            "conditions.teamId",
        ),
        (
            with("conditions", json!({ "any": [{ "customerDomain": "@acme" }] })),
            "conditions.domain",
        ),
        (
            with("conditions", json!({ "all": [{ "channelIn": [] }] })),
            "conditions.channels",
        ),
        (
            with("notify", json!({ "subject": "Hi", "body": "There" })),
            "notify.agentIds",
        ),
        (
            with(
                "notify",
                json!({ "agentIds": ["01890000-0000-7000-8000-000000000000"], "subject": "Hi", "body": "x" }),
            ),
            "notify.agentIds",
        ),
        (
            with("notify", json!({ "teamIds": [ops], "subject": "{nope}", "body": "x" })),
            "notify.subject: unknown placeholder {nope}",
        ),
        (
            with("timer", json!({ "status": "SOLVED", "minutes": 60 })),
            "events, timer",
        ),
        // Loopback is not public, and this desk allows no other address.
        (
            with(
                "webhook",
                json!({ "url": "http://127.0.0.1:9/hook", "secret": "0123456789abcdef" }),
            ),
            "webhook.url",
        ),
        (
            with(
                "webhook",
                json!({ "url": "https://hooks.example.com/x", "secret": "short" }),
            ),
            "webhook.secret",
        ),
    ];
    for (input, field) in cases {
        let refused = app.gql(Some(&admin), CREATE_RULE, json!({ "i": input })).await;
        assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{input}: {refused:#}");
        assert!(error_message(&refused).contains(field), "{field}: {refused:#}");
    }
    // Two fields in one condition is not one condition.
    let two = with("conditions", json!({ "all": [{ "hasTag": "a", "lacksTag": "b" }] }));
    let refused = app.gql(Some(&admin), CREATE_RULE, json!({ "i": two })).await;
    assert!(refused["errors"].is_array(), "{refused:#}");
    assert_eq!(app.ok(&admin, "{ rules { id } }", json!({})).await["rules"], json!([]));
}

each_store!(
    a_web_form_ticket_about_billing_is_routed_by_the_rule,
    an_sla_warning_raises_the_priority_and_tells_the_team_lead,
    a_solved_ticket_is_closed_after_four_quiet_days,
    a_rule_calls_a_webhook_signed_with_its_secret,
    a_pending_customer_is_reminded_once_in_their_thread,
    rules_never_loop_for_ever,
    rules_are_checked_whole,
);
