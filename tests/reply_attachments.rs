//! An agent answers with files: the invoice the customer asked for, a
//! screenshot for a colleague. A public reply carries them to the customer
//! as MIME parts of the threaded mail; a note keeps them inside the desk.
//! The desk's limits on count and size refuse a reply as a whole, naming
//! the file, and then nothing of it is kept or sent. Only agents send files.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::time::Duration;

use common::multipart::FilePart;
use common::smtp::{SmtpSink, header};
use common::{TestApp, TestDb, each_store, error_code, error_message};
use helpdesk_domain::attachment::AttachmentLimits;
use mail_parser::{MessageParser, MimeHeaders};
use serde_json::{Value, json};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

const REPLY: &str = "mutation($input: ReplyInput!) { replyToTicket(input: $input) { \
    message { id internal delivery { status } attachments { filename contentType size url } } } }";

const MESSAGES: &str = "query($id: ID!) { ticket(id: $id) { messages { body internal attachments { filename } } } }";

fn file<'a>(index: usize, name: &'a str, media_type: &'a str, bytes: &[u8]) -> FilePart<'a> {
    FilePart {
        variable: match index {
            0 => "variables.input.attachments.0",
            1 => "variables.input.attachments.1",
            2 => "variables.input.attachments.2",
            _ => panic!("three files at most here"),
        },
        name,
        media_type,
        bytes: bytes.to_vec(),
    }
}

/// Input for a reply whose `attachments` the files fill (one `null` each).
fn reply(ticket: &str, body: &str, internal: bool, files: usize) -> Value {
    json!({ "input": {
        "ticketId": ticket,
        "body": body,
        "internal": internal,
        "attachments": vec![Value::Null; files],
    } })
}

async fn mailed_ticket(app: &TestApp) -> String {
    let raw = "From: Cara <cara@example.com>\r\nTo: support@desk.example\r\nSubject: Invoice for March\r\n\
               Message-ID: <march@mail.example.com>\r\nContent-Type: text/plain\r\n\r\nCould you send me the invoice?\r\n";
    let (status, filed) = app.post_email(raw.as_bytes()).await;
    assert_eq!(status, 200, "{filed}");
    filed["ticketId"].as_str().unwrap().to_owned()
}

async fn messages(app: &TestApp, token: &str, ticket: &str) -> Vec<Value> {
    app.ok(token, MESSAGES, json!({ "id": ticket })).await["ticket"]["messages"]
        .as_array()
        .unwrap()
        .clone()
}

async fn the_customer_gets_the_replys_files_and_a_colleague_the_notes(db: TestDb) {
    let smtp = SmtpSink::start();
    let app = TestApp::spawn_with_smtp(&db, Some(&smtp.url())).await;
    let admin = app.login_admin().await;
    let ticket = mailed_ticket(&app).await;

    // A screenshot for the team first: a note, which no customer sees.
    let (status, noted) = app
        .gql_with_files(
            Some(&admin),
            REPLY,
            reply(&ticket, "What the customer sees.", true, 1),
            vec![file(0, "screen.png", "image/png", PNG)],
        )
        .await;
    assert_eq!(status, 200, "{noted}");
    let note = &noted["data"]["replyToTicket"]["message"];
    assert_eq!(note["internal"], true, "{noted}");
    assert_eq!(note["delivery"], Value::Null, "a note is not mailed");
    assert_eq!(note["attachments"][0]["filename"], "screen.png");

    // Then the invoice and a note in a name that is not ASCII, to Cara.
    let greeting = "Grüße aus dem Büro\n".repeat(3);
    let (status, replied) = app
        .gql_with_files(
            Some(&admin),
            REPLY,
            reply(&ticket, "Here is your invoice.", false, 2),
            vec![
                file(0, "invoice-march.pdf", "application/pdf", PDF),
                file(
                    1,
                    "C:\\Users\\ann\\Grüße.txt",
                    "text/plain; charset=utf-8",
                    greeting.as_bytes(),
                ),
            ],
        )
        .await;
    assert_eq!(status, 200, "{replied}");
    let message = &replied["data"]["replyToTicket"]["message"];
    let kept = message["attachments"].as_array().unwrap();
    assert_eq!(kept.len(), 2, "{replied}");
    assert_eq!(kept[0]["filename"], "invoice-march.pdf");
    assert_eq!(kept[0]["contentType"], "application/pdf");
    assert_eq!(kept[0]["size"], PDF.len());
    assert_eq!(kept[1]["filename"], "Grüße.txt", "the path a client sent is not kept");
    assert_eq!(kept[1]["size"], greeting.len());
    // The agent opens what was kept, byte for byte.
    let opened = app.http().get(kept[0]["url"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(opened.status().as_u16(), 200);
    assert_eq!(opened.bytes().await.unwrap().to_vec(), PDF);

    // One mail reaches Cara: the reply, threaded, with both files.
    let sent = smtp.wait_for(1, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.received().len(), 1, "the note sent nothing");
    let raw = &sent[0];
    assert_eq!(header(raw, "To").as_deref(), Some("cara@example.com"));
    assert_eq!(header(raw, "In-Reply-To").as_deref(), Some("<march@mail.example.com>"));
    let mail = MessageParser::default().parse(raw.as_bytes()).unwrap();
    assert!(
        mail.content_type()
            .is_some_and(|t| t.ctype() == "multipart" && t.subtype() == Some("mixed")),
        "{raw}"
    );
    assert_eq!(mail.body_text(0).unwrap().trim(), "Here is your invoice.");
    let files: Vec<_> = mail.attachments().collect();
    assert_eq!(files.len(), 2, "{raw}");
    assert_eq!(files[0].attachment_name(), Some("invoice-march.pdf"));
    assert!(files[0].is_content_type("application", "pdf"), "{raw}");
    assert_eq!(files[0].contents(), PDF);
    assert_eq!(files[1].attachment_name(), Some("Grüße.txt"));
    assert_eq!(files[1].contents(), greeting.as_bytes());
    app.stop().await;
}

async fn a_reply_over_the_limits_is_refused_whole(db: TestDb) {
    let app = TestApp::spawn_configured(&db, |config| {
        config.mail.attachments = AttachmentLimits {
            max_files: 2,
            max_file_bytes: 1024,
            max_total_bytes: 1536,
        };
    })
    .await;
    let admin = app.login_admin().await;
    let ticket = mailed_ticket(&app).await;
    let kib = |n: usize| vec![b'x'; n * 1024];

    for (files, why) in [
        (
            vec![
                file(0, "notes.txt", "text/plain", &kib(1)),
                file(1, "dump.bin", "application/octet-stream", &kib(2)),
            ],
            "attachments: dump.bin is 2048 bytes; one file may have at most 1024",
        ),
        (
            vec![
                file(0, "a.txt", "text/plain", b"a"),
                file(1, "b.txt", "text/plain", b"b"),
                file(2, "c.txt", "text/plain", b"c"),
            ],
            "attachments: at most 2 files on one message",
        ),
        (
            vec![
                file(0, "a.txt", "text/plain", &kib(1)),
                file(1, "b.txt", "text/plain", &kib(1)),
            ],
            "attachments: the files together may have at most 1536 bytes",
        ),
    ] {
        let count = files.len();
        let (status, refused) = app
            .gql_with_files(Some(&admin), REPLY, reply(&ticket, "Too much.", false, count), files)
            .await;
        assert_eq!(status, 200, "{refused}");
        assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
        assert_eq!(error_message(&refused), why);
    }
    // None of them left a message behind, nor a mail to send.
    assert_eq!(messages(&app, &admin, &ticket).await.len(), 1);

    // A body past the limit of a whole request is cut off with 413.
    let huge = vec![b'x'; 4 * 1024 * 1024 + 2048];
    let (status, body) = app
        .gql_with_files(
            Some(&admin),
            REPLY,
            reply(&ticket, "Huge.", false, 1),
            vec![file(0, "huge.bin", "application/octet-stream", &huge)],
        )
        .await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(messages(&app, &admin, &ticket).await.len(), 1);
    app.stop().await;
}

async fn only_agents_send_files(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let ticket = mailed_ticket(&app).await;

    // Without a token (a chat visitor, anyone) a multipart request is
    // refused before its body is read.
    let (status, body) = app
        .gql_with_files(
            None,
            REPLY,
            reply(&ticket, "Hi.", false, 1),
            vec![file(0, "x.pdf", "application/pdf", PDF)],
        )
        .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    let (status, body) = app
        .gql_with_files(
            Some("not-a-token"),
            REPLY,
            reply(&ticket, "Hi.", false, 1),
            vec![file(0, "x.pdf", "application/pdf", PDF)],
        )
        .await;
    assert_eq!(status, 401, "{body}");

    // A JSON request naming a file it does not carry is bad input, and the
    // server goes on serving.
    for forged in ["#__graphql_file__:0", "#__graphql_file__:99", "#__graphql_file__:x"] {
        let mut input = reply(&ticket, "Hi.", false, 0);
        input["input"]["attachments"] = json!([forged]);
        let answer = app.gql(Some(&admin), REPLY, input).await;
        assert_eq!(error_code(&answer), "BAD_USER_INPUT", "{forged}: {answer}");
    }
    assert_eq!(messages(&app, &admin, &ticket).await.len(), 1);
    app.stop().await;
}

each_store!(
    the_customer_gets_the_replys_files_and_a_colleague_the_notes,
    a_reply_over_the_limits_is_refused_whole,
    only_agents_send_files,
);
