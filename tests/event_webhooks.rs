//! An integrator wires the desk into a CRM: an admin subscribes a URL to
//! kinds of ticket events; each such event is POSTed there as JSON signed
//! with the subscription's secret, retried while the receiver is down, and
//! logged per subscription. A test event checks the wiring.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::time::{Duration, Instant};

use common::smtp::{SmtpSink, free_port};
use common::webhook::WebhookSink;
use common::{TestApp, TestDb, each_store, error_code, error_message};
use serde_json::{Value, json};

const SECRET: &str = "crm-secret-0123456789";

const SUBSCRIBE: &str = "mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { id name url events active } }";

const LOG: &str = "query($id: ID!) { webhookSubscription(id: $id) { deliveries(first: 50) { \
    nodes { id event ticketId status attempts lastError nextAttemptAt sentAt payload } } } }";

async fn subscribe(app: &TestApp, admin: &str, name: &str, url: &str, events: &[&str]) -> String {
    let data = app
        .ok(
            admin,
            SUBSCRIBE,
            json!({ "i": { "name": name, "url": url, "secret": SECRET, "events": events } }),
        )
        .await;
    data["createWebhookSubscription"]["id"].as_str().unwrap().to_owned()
}

async fn log(app: &TestApp, admin: &str, subscription: &str) -> Vec<Value> {
    app.ok(admin, LOG, json!({ "id": subscription })).await["webhookSubscription"]["deliveries"]["nodes"]
        .as_array()
        .unwrap()
        .clone()
}

/// Waits until `sink` has received `n` posts.
async fn received(sink: &WebhookSink, n: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let got = sink.received();
        if got.len() >= n {
            return got
                .into_iter()
                .map(|(headers, body)| {
                    // Signed with the subscription's secret, over the exact body.
                    let expected = helpdesk_channels::webhook::signature(SECRET, body.as_bytes());
                    assert_eq!(headers["x-helpdesk-signature"].to_str().unwrap(), expected);
                    assert_eq!(headers["content-type"], "application/json");
                    let json: Value = serde_json::from_str(&body).unwrap();
                    assert_eq!(headers["x-helpdesk-delivery"].to_str().unwrap(), json["id"]);
                    json
                })
                .collect();
        }
        assert!(Instant::now() < deadline, "{} of {n} posts arrived", got.len());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn each_subscribed_event_reaches_the_crm_signed(db: TestDb) {
    let crm = WebhookSink::start().await;
    let pager = WebhookSink::start().await;
    let app = TestApp::spawn_allowing_webhooks(&db, None, "127.0.0.1").await;
    let admin = app.login_admin().await;
    let crm_id = subscribe(
        &app,
        &admin,
        "CRM",
        &crm.url,
        &["TICKET_CREATED", "MESSAGE_ADDED", "STATUS_CHANGED", "ASSIGNED"],
    )
    .await;
    let pager_id = subscribe(&app, &admin, "Pager", &pager.url, &["SLA_BREACHED"]).await;

    // Dana mails in; an agent takes the ticket and solves it with a reply.
    let raw = "From: Dana <dana@example.com>\r\nTo: support@desk.example\r\nSubject: Card declined\r\n\
               Message-ID: <declined@mail.example.com>\r\nContent-Type: text/plain\r\n\r\nMy card was declined.\r\n";
    let (status, filed) = app.post_email(raw.as_bytes()).await;
    assert_eq!(status, 200, "{filed}");
    let ticket = filed["ticketId"].as_str().unwrap().to_owned();
    let me = app.ok(&admin, "{ me { id } }", json!({})).await["me"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.ok(
        &admin,
        "mutation($i: UpdateTicketInput!) { updateTicket(input: $i) { id } }",
        json!({ "i": { "ticketId": ticket, "assigneeId": me } }),
    )
    .await;
    app.ok(
        &admin,
        "mutation($i: ReplyInput!) { replyToTicket(input: $i) { message { id } } }",
        json!({ "i": { "ticketId": ticket, "body": "Fixed: please try again.", "status": "SOLVED" } }),
    )
    .await;

    let posts = received(&crm, 5).await;
    let events: Vec<&str> = posts.iter().map(|p| p["event"].as_str().unwrap()).collect();
    assert_eq!(
        events,
        [
            "TICKET_CREATED",
            "MESSAGE_ADDED",
            "ASSIGNED",
            "MESSAGE_ADDED",
            "STATUS_CHANGED"
        ]
    );
    let number = app
        .ok(
            &admin,
            "query($id: ID!) { ticket(id: $id) { number } }",
            json!({ "id": ticket }),
        )
        .await["ticket"]["number"]
        .clone();
    for post in &posts {
        assert_eq!(post["ticket"]["id"], ticket.as_str());
        assert_eq!(
            post["ticket"]["number"], number,
            "the ticket's number, from its first event on"
        );
        assert_eq!(post["ticket"]["subject"], "Card declined");
        assert_eq!(post["ticket"]["channel"], "EMAIL");
    }
    let created = &posts[0];
    assert_eq!(created["ticket"]["status"], "NEW");
    assert_eq!(created["actor"]["kind"], "SYSTEM", "the mail channel opened it");
    assert_eq!(created["change"]["type"], "CREATED");
    let question = &posts[1];
    assert_eq!(question["message"]["body"], "My card was declined.");
    assert_eq!(question["message"]["author"], "CUSTOMER");
    assert_eq!(question["actor"]["kind"], "CUSTOMER");
    let assigned = &posts[2];
    assert_eq!(assigned["ticket"]["assigneeId"], me.as_str());
    assert_eq!(assigned["change"]["to"], me.as_str());
    assert_eq!(assigned["actor"], json!({ "kind": "AGENT", "id": me }));
    let answer = &posts[3];
    assert_eq!(answer["message"]["body"], "Fixed: please try again.");
    assert_eq!(answer["message"]["internal"], false);
    let solved = &posts[4];
    assert_eq!(solved["ticket"]["status"], "SOLVED");
    assert_eq!(solved["change"]["from"], "NEW");
    assert_eq!(solved["change"]["to"], "SOLVED");

    // Each delivery is in the CRM's log, sent, newest first; the pager,
    // which asked for breaches only, was sent nothing.
    let deadline = Instant::now() + Duration::from_secs(10);
    let logged = loop {
        let logged = log(&app, &admin, &crm_id).await;
        if logged.iter().all(|d| d["status"] == "SENT") {
            break logged;
        }
        assert!(Instant::now() < deadline, "{logged:#?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let logged_events: Vec<&str> = logged.iter().rev().map(|d| d["event"].as_str().unwrap()).collect();
    assert_eq!(logged_events, events);
    assert_eq!(logged[0]["ticketId"], ticket.as_str());
    assert_eq!(logged[0]["attempts"], 1);
    let sent: Value = serde_json::from_str(logged[0]["payload"].as_str().unwrap()).unwrap();
    assert_eq!(sent, posts[4], "the log keeps the body as sent");
    assert!(log(&app, &admin, &pager_id).await.is_empty());
    assert!(pager.received().is_empty());
    app.stop().await;
}

async fn a_receiver_that_is_down_is_retried_and_a_test_event_checks_the_wiring(db: TestDb) {
    let app = TestApp::spawn_allowing_webhooks(&db, None, "127.0.0.1").await;
    let admin = app.login_admin().await;
    // Nothing listens there yet.
    let port = free_port();
    let id = subscribe(
        &app,
        &admin,
        "Warehouse",
        &format!("http://127.0.0.1:{port}/hook"),
        &["TICKET_CREATED"],
    )
    .await;
    let test = "mutation($s: ID!) { sendTestWebhookEvent(subscriptionId: $s) { id event status ticketId } }";
    let queued = app.ok(&admin, test, json!({ "s": id })).await["sendTestWebhookEvent"].clone();
    assert_eq!(queued["event"], "TEST");
    assert_eq!(queued["status"], "PENDING");
    assert_eq!(queued["ticketId"], Value::Null);

    let deadline = Instant::now() + Duration::from_secs(20);
    let failed = loop {
        let entry = log(&app, &admin, &id).await[0].clone();
        if entry["attempts"].as_u64().unwrap_or(0) >= 1 {
            break entry;
        }
        assert!(Instant::now() < deadline, "no attempt: {entry}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(failed["status"], "PENDING", "{failed}");
    assert!(failed["lastError"].as_str().is_some_and(|e| !e.is_empty()), "{failed}");
    assert!(failed["nextAttemptAt"].is_string(), "{failed}");

    // The receiver comes up; the retry, due after the backoff, arrives
    // with the same id and body.
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let sink = WebhookSink::serve(listener).await;
    app.clock.advance(chrono::TimeDelta::seconds(5)).unwrap();
    let posts = received(&sink, 1).await;
    assert_eq!(posts[0]["event"], "TEST");
    assert_eq!(posts[0]["subscription"], "Warehouse");
    assert_eq!(posts[0]["id"], queued["id"]);

    // Switched off, it queues nothing for new tickets.
    app.ok(
        &admin,
        "mutation($i: UpdateWebhookSubscriptionInput!) { updateWebhookSubscription(input: $i) { active } }",
        json!({ "i": { "id": id, "active": false } }),
    )
    .await;
    app.create_ticket(
        &admin,
        json!({ "subject": "Quiet", "body": "No hook.", "customerEmail": "eve@example.com" }),
    )
    .await;
    assert_eq!(log(&app, &admin, &id).await.len(), 1);
    app.stop().await;
}

async fn only_a_well_formed_subscription_from_an_admin_is_kept(db: TestDb) {
    let sink = WebhookSink::start().await;
    let app = TestApp::spawn_allowing_webhooks(&db, None, "127.0.0.1").await;
    let admin = app.login_admin().await;
    let good_url = sink.url.clone();
    // Loopback too, but not what HELPDESK_WEBHOOK_ALLOW names.
    let refused_url = sink.url.replace("127.0.0.1", "[::1]");
    let input = |name: &str, url: &str, secret: &str, events: Value| json!({ "i": { "name": name, "url": url, "secret": secret, "events": events } });
    for (bad, why) in [
        (
            input(" ", &good_url, SECRET, json!(["ASSIGNED"])),
            "name must not be empty",
        ),
        (
            input("CRM", &good_url, "short", json!(["ASSIGNED"])),
            "secret of at least 16 characters is required",
        ),
        (input("CRM", &good_url, SECRET, json!([])), "events must not be empty"),
        (
            input("CRM", &good_url.replace("http:", "ftp:"), SECRET, json!(["ASSIGNED"])),
            "url: ",
        ),
        (input("CRM", &refused_url, SECRET, json!(["ASSIGNED"])), "url: "),
    ] {
        let answer = app.gql(Some(&admin), SUBSCRIBE, bad).await;
        assert_eq!(error_code(&answer), "BAD_USER_INPUT", "{answer}");
        assert!(error_message(&answer).starts_with(why), "{answer}");
    }
    let unknown_kind = app
        .gql(
            Some(&admin),
            SUBSCRIBE,
            input("CRM", &good_url, SECRET, json!(["TICKET_DELETED"])),
        )
        .await;
    assert_eq!(error_code(&unknown_kind), "BAD_USER_INPUT");

    let good = input("CRM", &good_url, SECRET, json!(["ASSIGNED", "ASSIGNED"]));
    let kept = app.ok(&admin, SUBSCRIBE, good.clone()).await["createWebhookSubscription"].clone();
    assert_eq!(kept["events"], json!(["ASSIGNED"]));
    assert_eq!(kept["active"], true);
    assert_eq!(error_code(&app.gql(Some(&admin), SUBSCRIBE, good).await), "CONFLICT");
    let (_, agent) = app.agent(&admin, "ann@desk.example", "AGENT").await;
    let other = input("Other", &good_url, SECRET, json!(["ASSIGNED"]));
    assert_eq!(error_code(&app.gql(Some(&agent), SUBSCRIBE, other).await), "FORBIDDEN");
    let listing = app
        .gql(Some(&agent), "{ webhookSubscriptions { id } }", json!({}))
        .await;
    assert_eq!(error_code(&listing), "FORBIDDEN");

    // The secret is never shown; deleting takes the subscription away.
    let listed = app
        .ok(&admin, "{ webhookSubscriptions { id name url } }", json!({}))
        .await;
    assert!(!listed.to_string().contains(SECRET));
    let delete = "mutation($id: ID!) { deleteWebhookSubscription(id: $id) }";
    let id = kept["id"].as_str().unwrap();
    assert_eq!(
        app.ok(&admin, delete, json!({ "id": id })).await["deleteWebhookSubscription"],
        true
    );
    assert_eq!(
        app.ok(&admin, delete, json!({ "id": id })).await["deleteWebhookSubscription"],
        false
    );
    app.stop().await;
}

/// Deadlines and answers go to whoever asked for them: the on-call pager
/// hears of the warning and the breach, the quality team of the rating.
async fn warnings_breaches_and_answers_reach_whoever_asked(db: TestDb) {
    let smtp = SmtpSink::start();
    let pager = WebhookSink::start().await;
    let quality = WebhookSink::start().await;
    let app = TestApp::spawn_allowing_webhooks(&db, Some(&smtp.url()), "127.0.0.1").await;
    let admin = app.login_admin().await;
    subscribe(&app, &admin, "Pager", &pager.url, &["SLA_WARNING", "SLA_BREACHED"]).await;
    subscribe(&app, &admin, "Quality", &quality.url, &["SURVEY_ANSWERED"]).await;
    app.ok(
        &admin,
        "mutation($i: SlaPolicyInput!) { createSlaPolicy(input: $i) { id } }",
        json!({ "i": { "name": "Hot line", "targets": [{ "target": "FIRST_RESPONSE", "minutes": 1 }] } }),
    )
    .await;
    let raw = "From: ana@example.com\r\nTo: support@desk.example\r\nSubject: Site down\r\n\
               Message-ID: <down@mail.example.com>\r\n\r\nNothing loads.\r\n";
    let (_, filed) = app.post_email(raw.as_bytes()).await;
    let ticket = filed["ticketId"].as_str().unwrap().to_owned();

    // Nobody answers: the warning at 80% of the minute, then the breach.
    app.clock.advance(chrono::TimeDelta::seconds(50)).unwrap();
    received(&pager, 1).await;
    app.clock.advance(chrono::TimeDelta::seconds(15)).unwrap();
    let alerts = received(&pager, 2).await;
    for (alert, kind) in alerts.iter().zip(["SLA_WARNING", "SLA_BREACHED"]) {
        assert_eq!(alert["event"], kind);
        assert_eq!(alert["change"]["type"], kind);
        assert_eq!(alert["change"]["target"], "FIRST_RESPONSE");
        assert!(alert["change"]["due_at"].is_string(), "{alert}");
        assert_eq!(alert["actor"]["kind"], "SYSTEM");
        assert_eq!(alert["ticket"]["id"], ticket.as_str());
    }

    // Solved, Ana rates it 4 from the invitation mail.
    let token = common::survey::mailed_survey_token(&app, &smtp, &admin, &ticket).await;
    let answer = app
        .gql(
            None,
            common::survey::SUBMIT,
            json!({ "token": token, "rating": 4, "comment": "Quick fix" }),
        )
        .await;
    assert!(answer.get("errors").is_none(), "{answer}");
    let rated = received(&quality, 1).await;
    assert_eq!(rated[0]["event"], "SURVEY_ANSWERED");
    assert_eq!(rated[0]["change"]["survey"], "CSAT");
    assert_eq!(rated[0]["change"]["score"], 4);
    assert_eq!(rated[0]["change"]["comment"], "Quick fix");
    assert_eq!(rated[0]["ticket"]["status"], "SOLVED");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(pager.received().len(), 2, "the pager asked for deadlines only");
    assert_eq!(quality.received().len(), 1, "and quality for answers only");
    app.stop().await;
}

each_store!(
    each_subscribed_event_reaches_the_crm_signed,
    warnings_breaches_and_answers_reach_whoever_asked,
    a_receiver_that_is_down_is_retried_and_a_test_event_checks_the_wiring,
    only_a_well_formed_subscription_from_an_admin_is_kept,
);
