//! A customer writes in, an agent answers by mail, the customer answers
//! back: one ticket, threaded by Message-ID, on both stores.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::time::{Duration, Instant};

use common::smtp::{SmtpSink, header};
use common::{DESK_ADDRESS, TestApp, TestDb, each_store, event_kinds};
use serde_json::{Value, json};

/// A plain mail as a mail server would deliver it.
fn mail(from: &str, message_id: &str, subject: &str, in_reply_to: Option<&str>, body: &str) -> Vec<u8> {
    let mut raw = format!(
        "From: {from}\r\nTo: {DESK_ADDRESS}\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n\
         Date: Sun, 29 Nov 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
    );
    if let Some(parent) = in_reply_to {
        raw.push_str(&format!("In-Reply-To: <{parent}>\r\nReferences: <{parent}>\r\n"));
    }
    raw.push_str(&format!("\r\n{body}\r\n"));
    raw.into_bytes()
}

const TICKET: &str = "query($id: ID!) { ticket(id: $id) { number status channel subject followUpOf { number }
    customer { email name }
    messages { body channel emailMessageId author { kind customer { email } } delivery { status to attempts lastError } }
    events { kind details } } }";

async fn ticket(app: &TestApp, token: &str, id: &str) -> Value {
    app.ok(token, TICKET, json!({ "id": id })).await["ticket"].clone()
}

async fn reply(app: &TestApp, token: &str, id: &str, body: &str) -> Value {
    let q = "mutation($i: ReplyInput!) { replyToTicket(input: $i) { message { emailMessageId delivery { status to } } ticket { status } } }";
    app.ok(token, q, json!({ "i": { "ticketId": id, "body": body } })).await["replyToTicket"].clone()
}

async fn mail_answer_and_answer_back_are_one_ticket(db: TestDb) {
    let smtp = SmtpSink::start();
    let app = TestApp::spawn_with_smtp(&db, Some(&smtp.url())).await;
    let token = app.login_admin().await;

    let (status, filed) = app
        .post_email(&mail(
            "Ana Lopez <ana@example.com>",
            "first@mail.example.com",
            "Card declined",
            None,
            "My card was refused.",
        ))
        .await;
    assert_eq!(status, 200, "{filed}");
    assert_eq!(filed["duplicate"], false);
    let id = filed["ticketId"].as_str().unwrap().to_owned();

    let answer = reply(&app, &token, &id, "Please try again now.").await;
    assert_eq!(answer["ticket"]["status"], "OPEN");
    assert_eq!(
        answer["message"]["delivery"],
        json!({ "status": "PENDING", "to": "ana@example.com" })
    );
    let agent_message_id = answer["message"]["emailMessageId"].as_str().unwrap().to_owned();

    let sent = smtp.wait_for(1, Duration::from_secs(20)).await;
    let out = &sent[0];
    assert_eq!(header(out, "From").as_deref(), Some(DESK_ADDRESS));
    assert_eq!(header(out, "To").as_deref(), Some("ana@example.com"));
    assert_eq!(header(out, "Subject").as_deref(), Some("Re: [#1] Card declined"));
    assert_eq!(header(out, "Message-ID"), Some(format!("<{agent_message_id}>")));
    assert_eq!(header(out, "In-Reply-To").as_deref(), Some("<first@mail.example.com>"));
    assert_eq!(header(out, "References").as_deref(), Some("<first@mail.example.com>"));
    assert!(out.contains("Please try again now."));

    // Her mail client answers the agent's mail; the subject alone would not
    // say which ticket.
    let (status, filed) = app
        .post_email(&mail(
            "ana@example.com",
            "second@mail.example.com",
            "Re: Card declined",
            Some(&agent_message_id),
            "Works now, thanks!",
        ))
        .await;
    assert_eq!(status, 200, "{filed}");
    assert_eq!(filed["ticketId"], json!(id));

    // The sender records SENT just after the server's 250, so the mail can
    // arrive a moment before its delivery says so.
    let deadline = Instant::now() + Duration::from_secs(10);
    let t = loop {
        let t = ticket(&app, &token, &id).await;
        if t["messages"][1]["delivery"]["status"] == "SENT" || Instant::now() >= deadline {
            break t;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(t["channel"], "EMAIL");
    assert_eq!(
        t["customer"],
        json!({ "email": "ana@example.com", "name": "Ana Lopez" })
    );
    let kinds: Vec<&str> = t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["author"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["CUSTOMER", "AGENT", "CUSTOMER"]);
    assert_eq!(t["messages"][2]["body"].as_str().unwrap().trim(), "Works now, thanks!");
    assert_eq!(t["messages"][1]["delivery"]["status"], "SENT");
    assert_eq!(t["messages"][1]["delivery"]["attempts"], 1);
}

async fn the_same_mail_twice_is_stored_once(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let token = app.login_admin().await;
    let raw = mail("ana@example.com", "once@mail.example.com", "Hello", None, "Hi");
    let (_, first) = app.post_email(&raw).await;
    let (status, second) = app.post_email(&raw).await;
    assert_eq!(status, 200);
    assert_eq!(second["duplicate"], true);
    assert_eq!(second["ticketId"], first["ticketId"]);
    assert_eq!(second["messageId"], first["messageId"]);
    let t = ticket(&app, &token, first["ticketId"].as_str().unwrap()).await;
    assert_eq!(t["messages"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.ok(&token, "{ tickets { totalCount } }", json!({})).await["tickets"]["totalCount"],
        1
    );
}

async fn a_subject_token_threads_only_the_customers_own_mail(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let token = app.login_admin().await;
    let (_, first) = app
        .post_email(&mail(
            "ana@example.com",
            "a1@mail.example.com",
            "Parcel late",
            None,
            "Where?",
        ))
        .await;
    let id = first["ticketId"].as_str().unwrap();

    let (_, again) = app
        .post_email(&mail(
            "Ana@Example.com",
            "a2@mail.example.com",
            "[#1] more details",
            None,
            "Order 991",
        ))
        .await;
    assert_eq!(again["ticketId"], json!(id), "the customer's own mail threads by token");

    let (_, stranger) = app
        .post_email(&mail(
            "mallory@example.net",
            "m1@mail.example.net",
            "Re: [#1] Parcel late",
            None,
            "me too",
        ))
        .await;
    assert_ne!(
        stranger["ticketId"],
        json!(id),
        "a stranger cannot write into a ticket by guessing its number"
    );
    let t = ticket(&app, &token, stranger["ticketId"].as_str().unwrap()).await;
    assert_eq!(t["number"], 2);
}

async fn a_reply_reopens_a_solved_ticket_and_follows_up_a_closed_one(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let token = app.login_admin().await;
    let (_, first) = app
        .post_email(&mail(
            "ana@example.com",
            "s1@mail.example.com",
            "Refund",
            None,
            "Refund please",
        ))
        .await;
    let id = first["ticketId"].as_str().unwrap().to_owned();
    let set = "mutation($id: ID!, $s: TicketStatus!) { updateTicket(input: {ticketId: $id, status: $s}) { status } }";
    app.ok(&token, set, json!({ "id": id, "s": "SOLVED" })).await;

    app.post_email(&mail(
        "ana@example.com",
        "s2@mail.example.com",
        "Re: Refund",
        Some("s1@mail.example.com"),
        "Not yet!",
    ))
    .await;
    let t = ticket(&app, &token, &id).await;
    assert_eq!(t["status"], "OPEN");
    let reopen = t["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["details"]["reopen"] == true);
    assert!(reopen.is_some(), "the reopen is recorded: {:?}", event_kinds(&t));

    app.ok(&token, set, json!({ "id": id, "s": "CLOSED" })).await;
    let (status, later) = app
        .post_email(&mail(
            "ana@example.com",
            "s3@mail.example.com",
            "Re: Refund",
            Some("s2@mail.example.com"),
            "Again?",
        ))
        .await;
    assert_eq!(status, 200);
    assert_ne!(later["ticketId"], json!(id));
    let follow_up = ticket(&app, &token, later["ticketId"].as_str().unwrap()).await;
    assert_eq!(follow_up["followUpOf"]["number"], 1);
    assert_eq!(follow_up["status"], "NEW");
    assert_eq!(ticket(&app, &token, &id).await["messages"].as_array().unwrap().len(), 2);
}

async fn automatic_mail_is_filed_but_never_counted_or_answered(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let token = app.login_admin().await;
    let (_, first) = app
        .post_email(&mail(
            "ana@example.com",
            "q1@mail.example.com",
            "Invoice",
            None,
            "Copy please",
        ))
        .await;
    let id = first["ticketId"].as_str().unwrap().to_owned();
    let answer = reply(&app, &token, &id, "Attached.").await;
    let agent_id = answer["message"]["emailMessageId"].as_str().unwrap().to_owned();

    let out_of_office = format!(
        "From: ana@example.com\r\nTo: {DESK_ADDRESS}\r\nSubject: Out of office\r\nMessage-ID: <ooo@mail.example.com>\r\n\
         In-Reply-To: <{agent_id}>\r\nAuto-Submitted: auto-replied\r\nContent-Type: text/plain\r\n\r\nI am away.\r\n"
    );
    let (status, filed) = app.post_email(out_of_office.as_bytes()).await;
    assert_eq!(status, 200, "{filed}");
    assert_eq!(filed["ticketId"], json!(id));
    let t = ticket(&app, &token, &id).await;
    assert_eq!(t["messages"][2]["author"]["kind"], "SYSTEM");
    assert_eq!(t["messages"][2]["delivery"], json!(null), "never answered");
    assert_eq!(t["status"], "OPEN");

    let stray = out_of_office
        .replace(&format!("In-Reply-To: <{agent_id}>\r\n"), "")
        .replace("ooo@", "ooo2@");
    let (status, held) = app.post_email(stray.as_bytes()).await;
    assert_eq!(
        status, 202,
        "an auto-reply that belongs to no ticket opens none; it is held: {held}"
    );
    assert_eq!(held["reason"], "AUTO_SUBMITTED");

    let from_desk = mail(DESK_ADDRESS, "loop@desk.example", "Re: [#1] Invoice", None, "echo");
    let (status, held) = app.post_email(&from_desk).await;
    assert_eq!(status, 202, "the desk's own mail opens no ticket; it is held: {held}");
    assert_eq!(held["reason"], "OWN_ADDRESS");
    assert_eq!(
        app.ok(&token, "{ tickets { totalCount } }", json!({})).await["tickets"]["totalCount"],
        1
    );
}

async fn bad_input_is_refused_with_a_reason_and_stores_nothing(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let token = app.login_admin().await;
    for garbage in [&b""[..], b"hello", b"{\"json\": true}", &[0xff, 0xfe, 0x00, 0x13, 0x37]] {
        let (status, body) = app.post_email(garbage).await;
        assert_eq!(status, 400, "{garbage:?}");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "a reason: {body}"
        );
    }
    let huge = mail(
        "ana@example.com",
        "big@mail.example.com",
        "Big",
        None,
        &"x".repeat(common::MAX_EMAIL_BYTES),
    );
    let (status, _) = app.post_email(&huge).await;
    assert_eq!(status, 413);

    let unauthorized = app
        .http()
        .post(format!("{}/inbound/email", app.base_url))
        .bearer_auth("wrong")
        .body(mail("ana@example.com", "x@mail.example.com", "Hi", None, "Hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status().as_u16(), 401);
    assert_eq!(
        app.ok(&token, "{ tickets { totalCount } }", json!({})).await["tickets"]["totalCount"],
        0
    );
}

each_store!(
    mail_answer_and_answer_back_are_one_ticket,
    the_same_mail_twice_is_stored_once,
    a_subject_token_threads_only_the_customers_own_mail,
    a_reply_reopens_a_solved_ticket_and_follows_up_a_closed_one,
    automatic_mail_is_filed_but_never_counted_or_answered,
    bad_input_is_refused_with_a_reason_and_stores_nothing,
);
