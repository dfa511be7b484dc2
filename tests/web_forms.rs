//! A contact form on the company's website opens tickets: tagged, routed and
//! prioritised as the admin defined the form, with errors a person can act
//! on, and nothing for bots.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::time::Duration;

use common::smtp::{SmtpSink, header};
use common::{TestApp, TestDb, each_store, error_code};
use serde_json::{Value, json};

const CREATE_FORM: &str =
    "mutation($i: WebFormInput!) { createWebForm(input: $i) { key name priority tags acknowledge team { name } } }";

async fn post_form(app: &TestApp, key: &str, body: &str) -> reqwest::Response {
    app.http()
        .post(format!("{}/inbound/webform/{key}", app.base_url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

async fn post_json(app: &TestApp, key: &str, body: Value) -> reqwest::Response {
    app.http()
        .post(format!("{}/inbound/webform/{key}", app.base_url))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn ticket(app: &TestApp, token: &str, id: &str) -> Value {
    let q = "query($id: ID!) { ticket(id: $id) { channel subject priority tags team { name } customer { email name } messages { body author { kind } } } }";
    app.ok(token, q, json!({ "id": id })).await["ticket"].clone()
}

async fn a_form_post_opens_a_routed_ticket(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let team = app.team(&admin, "Sales").await;
    let form = app
        .ok(
            &admin,
            CREATE_FORM,
            json!({ "i": { "key": "contact", "name": "Contact us", "priority": "HIGH", "tags": ["Website", "lead"],
                           "teamId": team } }),
        )
        .await;
    assert_eq!(
        form["createWebForm"],
        json!({ "key": "contact", "name": "Contact us", "priority": "HIGH", "tags": ["lead", "website"], "acknowledge": false, "team": { "name": "Sales" } })
    );

    let response = post_form(
        &app,
        "contact",
        "name=Ana+L%C3%B3pez&email=ana%40example.com&subject=Pricing&message=How+much%3F&website=",
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
    let created: Value = response.json().await.unwrap();
    let t = ticket(&app, &admin, created["ticketId"].as_str().unwrap()).await;
    assert_eq!(t["channel"], "WEB_FORM");
    assert_eq!(t["subject"], "Pricing");
    assert_eq!(t["priority"], "HIGH");
    assert_eq!(t["tags"], json!(["lead", "website"]));
    assert_eq!(t["team"]["name"], "Sales");
    assert_eq!(
        t["customer"],
        json!({ "email": "ana@example.com", "name": "Ana López" })
    );
    assert_eq!(
        t["messages"],
        json!([{ "body": "How much?", "author": { "kind": "CUSTOMER" } }])
    );

    let response = post_json(
        &app,
        "contact",
        json!({ "name": "Bo", "email": "bo@example.com", "message": "Call me" }),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
    let created: Value = response.json().await.unwrap();
    assert_eq!(
        ticket(&app, &admin, created["ticketId"].as_str().unwrap()).await["subject"],
        "Contact us from Bo"
    );

    assert_eq!(post_json(&app, "nope", json!({})).await.status().as_u16(), 404);
}

async fn bad_posts_get_per_field_errors_and_bots_get_nothing(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    app.ok(
        &admin,
        CREATE_FORM,
        json!({ "i": { "key": "support", "name": "Support" } }),
    )
    .await;

    let response = post_json(
        &app,
        "support",
        json!({ "name": "", "email": "not-an-address", "message": "x".repeat(20_001) }),
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["errors"],
        json!({ "email": "is not a valid email address", "message": "must be at most 20000 characters", "name": "is required" })
    );

    let bot = post_form(
        &app,
        "support",
        "name=Bot&email=bot%40example.com&message=buy+now&website=http%3A%2F%2Fspam.example",
    )
    .await;
    assert_eq!(bot.status().as_u16(), 201, "the bot sees success");
    assert_eq!(
        app.ok(&admin, "{ tickets { totalCount } }", json!({})).await["tickets"]["totalCount"],
        0
    );
}

async fn one_address_is_rate_limited(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    app.ok(
        &admin,
        CREATE_FORM,
        json!({ "i": { "key": "support", "name": "Support" } }),
    )
    .await;
    let post = json!({ "name": "Cy", "email": "cy@example.com", "message": "again" });
    for _ in 0..common::WEBFORM_POSTS_PER_MINUTE {
        assert_eq!(post_json(&app, "support", post.clone()).await.status().as_u16(), 201);
    }
    let limited = post_json(&app, "support", post).await;
    assert_eq!(limited.status().as_u16(), 429);
    let retry_after: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
    let count = app.ok(&admin, "{ tickets { totalCount } }", json!({})).await;
    assert_eq!(count["tickets"]["totalCount"], common::WEBFORM_POSTS_PER_MINUTE);
}

async fn forms_are_defined_by_admins_only(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let (_, agent) = app.agent(&admin, "bo@desk.example", "AGENT").await;
    let input = json!({ "i": { "key": "contact", "name": "Contact" } });
    assert_eq!(
        error_code(&app.gql(Some(&agent), CREATE_FORM, input.clone()).await),
        "FORBIDDEN"
    );
    app.ok(&admin, CREATE_FORM, input.clone()).await;
    assert_eq!(error_code(&app.gql(Some(&admin), CREATE_FORM, input).await), "CONFLICT");
    let bad_key = json!({ "i": { "key": "Contact Us!", "name": "Contact" } });
    assert_eq!(
        error_code(&app.gql(Some(&admin), CREATE_FORM, bad_key).await),
        "BAD_USER_INPUT"
    );
    let forms = app.ok(&agent, "{ webForms { key } }", json!({})).await;
    assert_eq!(forms["webForms"], json!([{ "key": "contact" }]));
}

async fn the_acknowledgement_is_mailed_and_answers_thread_back(db: TestDb) {
    let smtp = SmtpSink::start();
    let app = TestApp::spawn_with_smtp(&db, Some(&smtp.url())).await;
    let admin = app.login_admin().await;
    app.ok(
        &admin,
        CREATE_FORM,
        json!({ "i": { "key": "support", "name": "Acme Support", "acknowledge": true } }),
    )
    .await;
    let response = post_json(
        &app,
        "support",
        json!({ "name": "Dee", "email": "dee@example.com", "subject": "Broken lid", "message": "It broke." }),
    )
    .await;
    let created: Value = response.json().await.unwrap();
    let id = created["ticketId"].as_str().unwrap().to_owned();

    let mails = smtp.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(header(&mails[0], "To").as_deref(), Some("dee@example.com"));
    assert_eq!(
        header(&mails[0], "Subject").as_deref(),
        Some("[#1] We received your request")
    );
    let ack_id = header(&mails[0], "Message-ID").unwrap();

    let answer = format!(
        "From: dee@example.com\r\nTo: support@desk.example\r\nSubject: Re: Broken lid\r\nMessage-ID: <dee2@mail.example.com>\r\n\
         In-Reply-To: {ack_id}\r\nContent-Type: text/plain\r\n\r\nPhoto attached next time.\r\n"
    );
    let (status, filed) = app.post_email(answer.as_bytes()).await;
    assert_eq!(status, 200);
    assert_eq!(filed["ticketId"], json!(id));
    let t = ticket(&app, &admin, &id).await;
    let kinds: Vec<&str> = t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["author"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["CUSTOMER", "SYSTEM", "CUSTOMER"],
        "the acknowledgement is the desk's, not an agent reply"
    );
}

/// Anyone may post a form with anyone's address: the acknowledgement a
/// stranger receives must not carry a word the poster wrote.
async fn the_acknowledgement_carries_no_text_of_the_poster(db: TestDb) {
    let smtp = SmtpSink::start();
    let app = TestApp::spawn_with_smtp(&db, Some(&smtp.url())).await;
    let admin = app.login_admin().await;
    app.ok(
        &admin,
        CREATE_FORM,
        json!({ "i": { "key": "support", "name": "Acme Support", "acknowledge": true } }),
    )
    .await;
    let response = post_json(
        &app,
        "support",
        json!({
            "name": "Your bank: verify at evil.example",
            "email": "victim@example.com",
            "subject": "Account locked, call +1 555 0100",
            "message": "Log in at http://evil.example/reset to unlock your account.",
        }),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);

    let mails = smtp.wait_for(1, Duration::from_secs(20)).await;
    let mail = &mails[0];
    assert_eq!(header(mail, "To").as_deref(), Some("victim@example.com"));
    assert_eq!(
        header(mail, "Subject").as_deref(),
        Some("[#1] We received your request")
    );
    let (_, body) = mail.split_once("\n\n").unwrap();
    assert!(body.contains("number 1"), "the ticket number is the one detail: {body}");
    for planted in ["evil.example", "555 0100", "bank", "locked", "unlock"] {
        assert!(!mail.contains(planted), "{planted:?} reached the mail:\n{mail}");
    }
}

each_store!(
    the_acknowledgement_carries_no_text_of_the_poster,
    a_form_post_opens_a_routed_ticket,
    bad_posts_get_per_field_errors_and_bots_get_nothing,
    one_address_is_rate_limited,
    forms_are_defined_by_admins_only,
    the_acknowledgement_is_mailed_and_answers_thread_back,
);
