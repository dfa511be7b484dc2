//! An agent opens what a customer attached. `Attachment.url` is a link a
//! browser follows without an `Authorization` header; it opens that one file
//! for that agent, for fifteen minutes, as far as the agent's scope and
//! sessions still reach. Images and PDF show in place; HTML and SVG, which
//! could run script as the desk, only ever download.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use base64::Engine;
use common::{TestApp, TestDb, each_store};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const HTML: &[u8] = b"<html><script>alert(document.cookie)</script></html>";
const SVG: &[u8] = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/// Cara's mail with a screenshot, a saved web page, a logo and a PDF whose
/// name is not ASCII (RFC 2231).
fn caras_mail(message_id: &str) -> Vec<u8> {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let part = |headers: &str, bytes: &[u8]| {
        format!(
            "--b1\r\n{headers}\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            b64(bytes)
        )
    };
    format!(
        "From: Cara <cara@example.com>\r\nTo: support@desk.example\r\nSubject: Broken invoice\r\n\
         Message-ID: <{message_id}>\r\nDate: Thu, 03 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe invoice page looks wrong, see attached.\r\n\
         {}{}{}{}--b1--\r\n",
        part(
            "Content-Type: image/png\r\nContent-Disposition: attachment; filename=\"screen.png\"",
            PNG
        ),
        part(
            "Content-Type: text/html; charset=utf-8\r\nContent-Disposition: attachment; filename=\"invoice.html\"",
            HTML
        ),
        part(
            "Content-Type: image/svg+xml\r\nContent-Disposition: attachment; filename=\"logo.svg\"",
            SVG
        ),
        part(
            "Content-Type: application/pdf\r\nContent-Disposition: attachment; filename*=UTF-8''Gr%C3%BC%C3%9Fe.pdf",
            PDF
        ),
    )
    .into_bytes()
}

const FILES: &str =
    "query($id: ID!) { ticket(id: $id) { messages { attachments { id filename contentType size url } } } }";

/// The attachments of a ticket as `token`'s agent sees them.
async fn attachments(app: &TestApp, token: &str, ticket: &str) -> Vec<Value> {
    let data = app.ok(token, FILES, json!({ "id": ticket })).await;
    data["ticket"]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["attachments"].as_array().unwrap().clone())
        .collect()
}

fn named<'a>(files: &'a [Value], name: &str) -> &'a Value {
    files
        .iter()
        .find(|f| f["filename"] == name)
        .unwrap_or_else(|| panic!("no {name} in {files:?}"))
}

/// Follows a link as a browser does: no `Authorization` header.
async fn open(app: &TestApp, url: &str) -> (u16, HeaderMap, Vec<u8>) {
    let response = app.http().get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).map(|v| v.to_str().unwrap()).unwrap_or_default()
}

async fn mailed_ticket(app: &TestApp) -> String {
    let (status, body) = app.post_email(&caras_mail("invoice-1@example.com")).await;
    assert_eq!(status, 200, "{body}");
    body["ticketId"].as_str().unwrap().to_owned()
}

async fn an_agent_opens_each_attachment_by_its_link_as_it_was_sent(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let ticket = mailed_ticket(&app).await;
    let admin = app.login_admin().await;
    let files = attachments(&app, &admin, &ticket).await;
    assert_eq!(files.len(), 4, "{files:?}");

    for (name, bytes, content_type, shown) in [
        ("screen.png", PNG, "image/png", "inline"),
        ("invoice.html", HTML, "text/html", "attachment"),
        ("logo.svg", SVG, "image/svg+xml", "attachment"),
        ("Grüße.pdf", PDF, "application/pdf", "inline"),
    ] {
        let file = named(&files, name);
        assert_eq!(file["size"], bytes.len(), "{name}");
        let url = file["url"].as_str().unwrap();
        assert!(url.starts_with(&format!("{}/attachments/", app.base_url)), "{url}");
        let (status, headers, body) = open(&app, url).await;
        assert_eq!(status, 200, "{name}");
        assert_eq!(body, bytes, "{name} comes back byte for byte");
        assert_eq!(header(&headers, "content-type"), content_type, "{name}");
        let disposition = header(&headers, "content-disposition");
        assert!(disposition.starts_with(&format!("{shown};")), "{name}: {disposition}");
        assert_eq!(header(&headers, "x-content-type-options"), "nosniff", "{name}");
        assert!(
            header(&headers, "content-security-policy").contains("default-src 'none'"),
            "{name}"
        );
        assert_eq!(header(&headers, "cache-control"), "private, no-store", "{name}");
    }
    let pdf = header(
        &open(&app, named(&files, "Grüße.pdf")["url"].as_str().unwrap()).await.1,
        "content-disposition",
    )
    .to_owned();
    assert_eq!(
        pdf,
        "inline; filename=\"Gr__e.pdf\"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.pdf"
    );

    // An agent's own header opens it too, as on /graphql.
    let png = named(&files, "screen.png");
    let path = format!("{}/attachments/{}", app.base_url, png["id"].as_str().unwrap());
    let with_header = app.http().get(&path).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(with_header.status().as_u16(), 200);
    assert_eq!(with_header.bytes().await.unwrap().to_vec(), PNG);
    // Neither a header nor a link: no file.
    assert_eq!(open(&app, &path).await.0, 401);
    app.stop().await;
}

async fn a_link_opens_one_file_for_a_while_and_nothing_else(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let ticket = mailed_ticket(&app).await;
    let admin = app.login_admin().await;
    let files = attachments(&app, &admin, &ticket).await;
    let (png, html) = (named(&files, "screen.png"), named(&files, "invoice.html"));
    let png_url = png["url"].as_str().unwrap();
    let token = png_url.split("token=").nth(1).unwrap();

    // The PNG's token on the HTML's path opens nothing.
    let elsewhere = format!(
        "{}/attachments/{}?token={token}",
        app.base_url,
        html["id"].as_str().unwrap()
    );
    assert_eq!(open(&app, &elsewhere).await.0, 401);
    // A token changed by one character opens nothing.
    let mut forged = png_url.to_owned();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(open(&app, &forged).await.0, 401);
    // A link is no access token.
    let as_access = app.gql(Some(token), "{ me { id } }", json!({})).await;
    assert_eq!(common::error_code(&as_access), "UNAUTHENTICATED", "{as_access}");
    // An unknown attachment, with a valid header: not found.
    let unknown = format!("{}/attachments/01a23d38-0b47-72f4-a7fb-d8c508820d71", app.base_url);
    let missing = app.http().get(&unknown).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(missing.status().as_u16(), 404);

    // Fourteen minutes on it still works; sixteen and it has expired, while
    // the agent's hour-long session (and a fresh link) still open the file.
    app.clock.advance(chrono::TimeDelta::minutes(14)).unwrap();
    assert_eq!(open(&app, png_url).await.0, 200);
    app.clock.advance(chrono::TimeDelta::minutes(2)).unwrap();
    assert_eq!(open(&app, png_url).await.0, 401, "expired");
    let fresh = attachments(&app, &admin, &ticket).await;
    assert_eq!(
        open(&app, named(&fresh, "screen.png")["url"].as_str().unwrap()).await.0,
        200
    );
    app.stop().await;
}

async fn a_link_follows_the_agents_reach_and_sessions(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let ticket = mailed_ticket(&app).await;
    let admin = app.login_admin().await;
    let billing = app.team(&admin, "Billing").await;
    let shipping = app.team(&admin, "Shipping").await;
    let (ann_id, ann) = app.agent_with_scope(&admin, "ann@desk.example", "AGENT", "TEAMS").await;
    app.add_team_member(&admin, &billing, &ann_id).await;
    let move_to = |team: String| json!({ "i": { "ticketId": ticket, "teamId": team } });
    let update = "mutation($i: UpdateTicketInput!) { updateTicket(input: $i) { id } }";
    app.ok(&admin, update, move_to(billing.clone())).await;

    // Ann works Billing: she gets a link and it works.
    let files = attachments(&app, &ann, &ticket).await;
    let png = named(&files, "screen.png");
    let url = png["url"].as_str().unwrap().to_owned();
    assert_eq!(open(&app, &url).await.0, 200);
    let path = format!("{}/attachments/{}", app.base_url, png["id"].as_str().unwrap());

    // The ticket moves to Shipping: her link and her header find nothing.
    app.ok(&admin, update, move_to(shipping)).await;
    assert_eq!(open(&app, &url).await.0, 404, "out of reach, as if it did not exist");
    let by_header = app.http().get(&path).bearer_auth(&ann).send().await.unwrap();
    assert_eq!(by_header.status().as_u16(), 404);

    // Back in Billing it opens again; once Ann is deactivated it does not.
    app.ok(&admin, update, move_to(billing)).await;
    assert_eq!(open(&app, &url).await.0, 200);
    app.ok(
        &admin,
        "mutation($a: ID!) { deactivateAgent(agentId: $a) { active } }",
        json!({ "a": ann_id }),
    )
    .await;
    assert_eq!(
        open(&app, &url).await.0,
        401,
        "a deactivated agent's links die with her sessions"
    );
    app.stop().await;
}

each_store!(
    an_agent_opens_each_attachment_by_its_link_as_it_was_sent,
    a_link_opens_one_file_for_a_while_and_nothing_else,
    a_link_follows_the_agents_reach_and_sessions,
);
