//! Real-world-shaped mail through both entry points, `POST /inbound/email`
//! and `helpdesk ingest-email` (an MTA pipe): same outcome, same ticket.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use common::{TestApp, TestDb, each_store, fixture, ingest_pipe};
use serde_json::{Value, json};

/// What the desk does with a fixture, in this order.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Filed {
    NewTicket,
    /// Threads into an earlier fixture's ticket (the fixtures hold one
    /// conversation with Ana: her first mail, her reply, her out-of-office).
    IntoTicket1,
    /// Automatic mail that belongs to no ticket: accepted and held for review.
    Held,
}

const FIXTURES: &[(&str, Filed)] = &[
    ("plain.eml", Filed::NewTicket),
    ("multipart_alternative.eml", Filed::NewTicket),
    ("html_only.eml", Filed::NewTicket),
    ("attachment_pdf.eml", Filed::NewTicket),
    ("attachment_text_iso_8859_1.eml", Filed::NewTicket),
    ("inline_image_related.eml", Filed::NewTicket),
    ("iso_8859_1_quoted_printable.eml", Filed::NewTicket),
    ("windows_1252.eml", Filed::NewTicket),
    ("koi8_r.eml", Filed::NewTicket),
    ("shift_jis.eml", Filed::NewTicket),
    ("encoded_subject_utf8.eml", Filed::NewTicket),
    ("nested_message_rfc822.eml", Filed::NewTicket),
    ("no_message_id.eml", Filed::NewTicket),
    ("reply_with_quoted_history.eml", Filed::IntoTicket1),
    ("auto_reply_out_of_office.eml", Filed::IntoTicket1),
    ("bounce_delivery_status.eml", Filed::Held),
];

const STORED: &str =
    "{ tickets(first: 100, orderBy: {field: CREATED_AT, direction: ASC}) { nodes { subject channel customer { email }
    messages { body htmlBody author { kind } attachments { filename contentType size } } } } }";

async fn fixtures_file_the_same_through_http_and_the_pipe(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let piped = TestDb::sqlite().await;
    let mut first_ticket = None;
    for (name, filed) in FIXTURES {
        let raw = fixture(name);
        let (status, body) = app.post_email(&raw).await;
        let (code, out) = ingest_pipe(&piped.url, &raw);
        first_ticket = first_ticket.or_else(|| body["ticketId"].as_str().map(str::to_owned));
        if *filed == Filed::IntoTicket1 {
            assert_eq!(body["ticketId"].as_str(), first_ticket.as_deref(), "{name}");
        }
        let expected_status = if *filed == Filed::Held { 202 } else { 200 };
        assert_eq!(status, expected_status, "{name}: {body}");
        assert_eq!(code, 0, "{name}");
        let printed: Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(printed["duplicate"], false, "{name}");
        // Delivered again: stored once, through either door.
        let (_, again) = app.post_email(&raw).await;
        assert_eq!(again["duplicate"], true, "{name}");
        let (code, out) = ingest_pipe(&piped.url, &raw);
        assert_eq!(code, 0);
        assert!(out.contains("\"duplicate\":true"), "{name}: {out}");
    }
    let token = app.login_admin().await;
    let via_http = app.ok(&token, STORED, json!({})).await;
    app.stop().await;
    let pipe_app = TestApp::spawn(&piped).await;
    let token = pipe_app.login_admin().await;
    let via_pipe = pipe_app.ok(&token, STORED, json!({})).await;
    assert_eq!(via_http, via_pipe, "both doors file mail the same way");
    let tickets = via_http["tickets"]["nodes"].as_array().unwrap();
    assert!(tickets.iter().all(|t| t["channel"] == "EMAIL"));
    assert_eq!(
        tickets.len(),
        FIXTURES.iter().filter(|(_, f)| *f == Filed::NewTicket).count()
    );
    let conversation = tickets[0]["messages"].as_array().unwrap();
    assert_eq!(conversation.len(), 3, "Ana's mail, her reply and her out-of-office");
    let authors: Vec<&str> = conversation
        .iter()
        .map(|m| m["author"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        authors,
        ["CUSTOMER", "CUSTOMER", "SYSTEM"],
        "an auto-reply is never a customer reply"
    );
    let pdf = tickets
        .iter()
        .flat_map(|t| t["messages"].as_array().unwrap())
        .flat_map(|m| m["attachments"].as_array().unwrap());
    assert!(
        pdf.clone().any(|a| a["contentType"] == "application/pdf"),
        "attachments are kept"
    );
}

async fn the_pipe_speaks_sysexits(db: TestDb) {
    let (code, _) = ingest_pipe(&db.url, b"this is not a mail");
    assert_eq!(code, 65, "garbage is refused");
    let huge = format!(
        "From: a@example.com\r\nSubject: big\r\n\r\n{}",
        "x".repeat(common::MAX_EMAIL_BYTES)
    );
    assert_eq!(ingest_pipe(&db.url, huge.as_bytes()).0, 65, "oversized mail is refused");
    let (code, _) = ingest_pipe("sqlite:///nonexistent-dir/for/sure/helpdesk.db", &fixture("plain.eml"));
    assert_eq!(code, 75, "an unavailable store asks the MTA to retry");
    let (code, _) = ingest_pipe("postgres://postgres@127.0.0.1:1/none", &fixture("plain.eml"));
    assert_eq!(code, 75);
}

each_store!(
    fixtures_file_the_same_through_http_and_the_pipe,
    the_pipe_speaks_sysexits
);
