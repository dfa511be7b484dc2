//! The desk fetches its mail from an IMAP mailbox (`HELPDESK_IMAP_URL`) on
//! a real Dovecot: a mail delivered there becomes a ticket, a reply
//! delivered while the desk waits in IDLE threads into it at once (well
//! before the next poll), each filed mail is marked seen, a mail too large
//! to file is flagged for a person and left in the mailbox, and a mail the
//! desk had filed already (it crashed before marking it) is recognised by
//! its Message-ID and not filed twice.
//!
//! Runs when `HELPDESK_TEST_IMAP=1` (as `.ci/run` sets it after installing
//! Debian's `dovecot-imapd`); fails, never skips, when Dovecot is missing.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::time::{Duration, Instant};

use common::dovecot::{self, Dovecot, Flags};
use common::{MAX_EMAIL_BYTES, TestApp, TestDb, each_store};
use helpdesk_api::MailboxPolling;
use serde_json::{Value, json};

/// Longer than any test waits: only IDLE can bring a mail in time.
const POLL: Duration = Duration::from_secs(120);

const TICKETS: &str = "{ tickets(first: 20) { nodes { id subject messages { body } } } }";

fn mail(message_id: &str, in_reply_to: Option<&str>, subject: &str, body: &str) -> Vec<u8> {
    let threading = in_reply_to
        .map(|parent| format!("In-Reply-To: <{parent}>\r\nReferences: <{parent}>\r\n"))
        .unwrap_or_default();
    format!(
        "From: Ana Lima <ana@example.com>\r\nTo: support@desk.example\r\nSubject: {subject}\r\n\
         Message-ID: <{message_id}>\r\n{threading}Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

async fn desk_fetching_from(db: &TestDb, server: &Dovecot) -> TestApp {
    let url = server.url();
    TestApp::spawn_configured(db, move |config| {
        config.mailbox = Some(MailboxPolling {
            mailbox: url.parse().unwrap(),
            poll: POLL,
        });
    })
    .await
}

async fn tickets(app: &TestApp, token: &str) -> Vec<Value> {
    app.ok(token, TICKETS, json!({})).await["tickets"]["nodes"]
        .as_array()
        .unwrap()
        .clone()
}

/// Waits, up to 30 s, until `done` holds of the desk's tickets.
async fn eventually(app: &TestApp, token: &str, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = tickets(app, token).await;
        if done(&now) {
            return now;
        }
        assert!(Instant::now() < deadline, "{what}; tickets: {now:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits, up to 30 s, until the mailbox's flags are `expected`.
async fn flags_become(server: &Dovecot, expected: &[Flags]) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = server.flags().await;
        if now == expected {
            return;
        }
        assert!(Instant::now() < deadline, "flags {now:?}, expected {expected:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

const SEEN: Flags = Flags {
    seen: true,
    flagged: false,
};
const FLAGGED: Flags = Flags {
    seen: true,
    flagged: true,
};

async fn mail_in_the_mailbox_becomes_a_ticket_and_replies_thread_in(db: TestDb) {
    if !dovecot::enabled("mail_in_the_mailbox_becomes_a_ticket_and_replies_thread_in") {
        return;
    }
    let server = Dovecot::start();
    server
        .deliver(&mail("lamp@example.com", None, "Broken lamp", "It flickers."))
        .await;
    let app = desk_fetching_from(&db, &server).await;
    let admin = app.login_admin().await;

    let filed = eventually(&app, &admin, "the mail was not filed", |t| t.len() == 1).await;
    assert_eq!(filed[0]["subject"], "Broken lamp");
    flags_become(&server, &[SEEN]).await;

    // The desk now waits in IDLE: a reply arrives, and is filed at once.
    server
        .deliver(&mail(
            "lamp-2@example.com",
            Some("lamp@example.com"),
            "Re: Broken lamp",
            "Now it is dark.",
        ))
        .await;
    let threaded = eventually(&app, &admin, "the reply was not threaded", |t| {
        t.len() == 1 && t[0]["messages"].as_array().unwrap().len() == 2
    })
    .await;
    assert_eq!(threaded[0]["messages"][1]["body"], "Now it is dark.");
    flags_become(&server, &[SEEN, SEEN]).await;

    // Too large to file: flagged for a person, kept in the mailbox.
    let huge = "x".repeat(MAX_EMAIL_BYTES + 1);
    server.deliver(&mail("huge@example.com", None, "Logs", &huge)).await;
    flags_become(&server, &[SEEN, SEEN, FLAGGED]).await;
    assert_eq!(tickets(&app, &admin).await.len(), 1);
    app.stop().await;
}

async fn a_mail_filed_before_a_crash_is_not_filed_twice(db: TestDb) {
    if !dovecot::enabled("a_mail_filed_before_a_crash_is_not_filed_twice") {
        return;
    }
    let server = Dovecot::start();
    let raw = mail("parcel@example.com", None, "Parcel missing", "Where is it?");
    // Filed, but the desk stopped before marking it seen: still unseen.
    {
        let app = TestApp::spawn(&db).await;
        let (status, filed) = app.post_email(&raw).await;
        assert_eq!(status, 200, "{filed}");
        app.stop().await;
    }
    server.deliver(&raw).await;
    server
        .deliver(&mail("other@example.com", None, "Invoice", "Please resend it."))
        .await;

    let app = desk_fetching_from(&db, &server).await;
    let admin = app.login_admin().await;
    flags_become(&server, &[SEEN, SEEN]).await;
    let all = eventually(&app, &admin, "the new mail was not filed", |t| t.len() == 2).await;
    let parcel: Vec<&Value> = all.iter().filter(|t| t["subject"] == "Parcel missing").collect();
    assert_eq!(parcel.len(), 1, "{all:?}");
    assert_eq!(parcel[0]["messages"].as_array().unwrap().len(), 1, "{all:?}");
    app.stop().await;
}

each_store!(
    mail_in_the_mailbox_becomes_a_ticket_and_replies_thread_in,
    a_mail_filed_before_a_crash_is_not_filed_twice,
);
