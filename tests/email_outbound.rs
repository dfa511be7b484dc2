//! Agent replies reach the customer even when the mail server is down for a
//! while: the outbox keeps them and the sender retries.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::time::{Duration, Instant};

use common::smtp::{SmtpSink, free_port, header};
use common::{TestApp, TestDb, each_store};
use serde_json::{Value, json};

const DELIVERY: &str = "query($id: ID!) { ticket(id: $id) { messages { emailMessageId delivery { status attempts lastError nextAttemptAt } } } }";

async fn delivery(app: &TestApp, token: &str, id: &str) -> Value {
    app.ok(token, DELIVERY, json!({ "id": id })).await["ticket"]["messages"][1].clone()
}

async fn a_reply_waits_for_a_mail_server_that_is_down(db: TestDb) {
    let port = free_port();
    let app = TestApp::spawn_with_smtp(&db, Some(&format!("smtp://127.0.0.1:{port}"))).await;
    let token = app.login_admin().await;
    let raw = "From: ana@example.com\r\nTo: support@desk.example\r\nSubject: Lost parcel\r\n\
               Message-ID: <lost@mail.example.com>\r\nContent-Type: text/plain\r\n\r\nWhere is it?\r\n";
    let (_, filed) = app.post_email(raw.as_bytes()).await;
    let id = filed["ticketId"].as_str().unwrap().to_owned();
    let q = "mutation($id: ID!) { replyToTicket(input: {ticketId: $id, body: \"On its way.\"}) { message { id } } }";
    app.ok(&token, q, json!({ "id": id })).await;

    // Nobody listens yet: the attempt fails and a retry is scheduled.
    let deadline = Instant::now() + Duration::from_secs(20);
    let failed = loop {
        let d = delivery(&app, &token, &id).await;
        if d["delivery"]["attempts"].as_u64().unwrap_or(0) >= 1 {
            break d;
        }
        assert!(Instant::now() < deadline, "no delivery attempt was made: {d}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(failed["delivery"]["status"], "PENDING");
    assert!(
        failed["delivery"]["lastError"].as_str().is_some_and(|e| !e.is_empty()),
        "{failed}"
    );
    assert!(failed["delivery"]["nextAttemptAt"].is_string());

    // The server comes up; the retry delivers the mail, once.
    let smtp = SmtpSink::start_on(port);
    let sent = smtp.wait_for(1, Duration::from_secs(30)).await;
    let message_id = failed["emailMessageId"].as_str().unwrap();
    assert_eq!(header(&sent[0], "Message-ID"), Some(format!("<{message_id}>")));
    assert_eq!(
        header(&sent[0], "In-Reply-To").as_deref(),
        Some("<lost@mail.example.com>")
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let d = delivery(&app, &token, &id).await;
        if d["delivery"]["status"] == "SENT" {
            assert_eq!(d["delivery"]["lastError"], json!(null));
            break;
        }
        assert!(Instant::now() < deadline, "delivery never marked SENT: {d}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(smtp.received().len(), 1, "sent exactly once");
}

async fn queued_mail_survives_a_restart(db: TestDb) {
    // First server: no SMTP configured, so the reply is only queued.
    let app = TestApp::spawn(&db).await;
    let token = app.login_admin().await;
    let raw = "From: bo@example.com\r\nTo: support@desk.example\r\nSubject: Invoice\r\n\
               Message-ID: <inv@mail.example.com>\r\nContent-Type: text/plain\r\n\r\nCopy please\r\n";
    let (_, filed) = app.post_email(raw.as_bytes()).await;
    let id = filed["ticketId"].as_str().unwrap().to_owned();
    let q = "mutation($id: ID!) { replyToTicket(input: {ticketId: $id, body: \"Here it is.\"}) { message { id } } }";
    app.ok(&token, q, json!({ "id": id })).await;
    app.stop().await;

    // Restarted with a mail server: the queued reply goes out.
    let smtp = SmtpSink::start();
    let app = TestApp::spawn_with_smtp(&db, Some(&smtp.url())).await;
    let sent = smtp.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(header(&sent[0], "To").as_deref(), Some("bo@example.com"));
    assert_eq!(header(&sent[0], "Subject").as_deref(), Some("Re: [#1] Invoice"));
    app.stop().await;
}

async fn internal_notes_and_non_email_tickets_send_no_mail(db: TestDb) {
    let smtp = SmtpSink::start();
    let app = TestApp::spawn_with_smtp(&db, Some(&smtp.url())).await;
    let token = app.login_admin().await;
    let raw = "From: cy@example.com\r\nTo: support@desk.example\r\nSubject: Hi\r\n\
               Message-ID: <hi@mail.example.com>\r\nContent-Type: text/plain\r\n\r\nHi\r\n";
    let (_, filed) = app.post_email(raw.as_bytes()).await;
    let note = "mutation($id: ID!) { replyToTicket(input: {ticketId: $id, body: \"internal\", internal: true}) { message { delivery { status } } } }";
    let n = app.ok(&token, note, json!({ "id": filed["ticketId"] })).await;
    assert_eq!(n["replyToTicket"]["message"]["delivery"], json!(null));

    let phone = app
        .create_ticket(
            &token,
            json!({ "subject": "Call back", "body": "b", "customerEmail": "dee@example.com", "channel": "PHONE" }),
        )
        .await;
    let reply = "mutation($id: ID!) { replyToTicket(input: {ticketId: $id, body: \"called\"}) { message { delivery { status } } } }";
    let r = app.ok(&token, reply, json!({ "id": phone["id"] })).await;
    assert_eq!(r["replyToTicket"]["message"]["delivery"], json!(null));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(smtp.received().is_empty());
}

each_store!(
    a_reply_waits_for_a_mail_server_that_is_down,
    queued_mail_survives_a_restart,
    internal_notes_and_non_email_tickets_send_no_mail,
);

/// The retry story above needs a mail server that really goes down: once
/// stopped, its port refuses connections and cuts the open ones, and a new
/// server can listen on the same port at once.
#[test]
fn a_stopped_mail_server_lets_go_of_its_port() {
    use std::io::{BufRead, BufReader, Read};
    use std::net::TcpStream;

    let greeting = |stream: &TcpStream| {
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line).unwrap();
        line
    };
    let smtp = SmtpSink::start();
    let port = smtp.port;
    let open = TcpStream::connect(("127.0.0.1", port)).unwrap();
    assert!(greeting(&open).starts_with("220 "));
    drop(smtp);
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "port {port} still open"
    );
    let mut rest = Vec::new();
    let cut = (&open).read_to_end(&mut rest);
    assert!(cut.is_err() || rest.is_empty(), "the open connection was cut");

    let again = SmtpSink::start_on(port);
    let fresh = TcpStream::connect(("127.0.0.1", again.port)).unwrap();
    assert!(greeting(&fresh).starts_with("220 "));
}
