//! CSAT and NPS: a solved ticket brings its customer an invitation, one click
//! on a link in the mail records the rating, and the answer shows on the
//! ticket, in `surveyResponses` and in `kpis`. Invitations respect the delay,
//! the quiet period, reopens and merges; links expire; two servers send an
//! invitation once.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::time::Duration;

use chrono::TimeDelta;
use common::smtp::{SmtpSink, header};
use common::survey::{
    SUBMIT, configure, first_is, invitations, invitations_until, link_for, mail_text, set_status, token_of,
};
use common::ws::GraphqlWs;
use common::{TestApp, TestDb, each_store, error_code, error_message, event_kinds};
use serde_json::{Value, json};

const REPLY: &str =
    "mutation($id: ID!, $body: String!) { replyToTicket(input: {ticketId: $id, body: $body}) { message { id } } }";
const RESPONSES: &str = "query($f: SurveyResponseFilter) { surveyResponses(first: 10, filter: $f) { totalCount edges { cursor node { survey rating comment channel answeredAt ticket { number } } } pageInfo { hasNextPage } } }";
const CSAT: &str = "query($from: DateTime!, $to: DateTime!) { kpis(from: $from, to: $to) { total { csat { responses score average } nps { responses promoters score } } } }";
const EVENTS: &str = "query($id: ID!) { ticket(id: $id) { events { kind } } }";

/// A mail from `from` opens an EMAIL ticket; returns its id.
async fn mailed_ticket(app: &TestApp, from: &str, subject: &str, message_id: &str) -> String {
    let raw = format!(
        "From: {from}\r\nTo: support@desk.example\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n\
         Content-Type: text/plain\r\n\r\nPlease help.\r\n"
    );
    let (status, filed) = app.post_email(raw.as_bytes()).await;
    assert_eq!(status, 200, "{filed}");
    filed["ticketId"].as_str().unwrap().to_owned()
}

/// The survey mails among those received.
fn survey_mails(mails: &[String]) -> Vec<String> {
    mails.iter().filter(|m| m.contains("/survey/")).cloned().collect()
}

async fn wait_for_survey_mails(smtp: &SmtpSink, n: usize) -> Vec<String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let found = survey_mails(&smtp.received());
        if found.len() >= n {
            return found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "expected {n} survey mails, got {}",
            found.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The bodies of the survey mails the outbox keeps, read straight from its
/// table (no code of the desk's in between).
async fn kept_survey_mails(url: &str) -> Vec<String> {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let db = Database::connect(url).await.unwrap();
    let sql = "SELECT body FROM outbox WHERE kind = 'SURVEY_INVITATION'";
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
    db.close().await.unwrap();
    rows.iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect()
}

async fn kpis(app: &TestApp, token: &str) -> Value {
    let now = app.clock.now();
    let vars =
        json!({ "from": (now - TimeDelta::days(1)).to_rfc3339(), "to": (now + TimeDelta::days(1)).to_rfc3339() });
    app.ok(token, CSAT, vars).await["kpis"]["total"].clone()
}

async fn get(app: &TestApp, url: &str) -> (u16, String) {
    let response = app.http().get(url).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn post_form(app: &TestApp, url: &str, form: &[(&str, &str)]) -> (u16, String) {
    let body: String = form_body(form);
    let response = app
        .http()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn form_body(form: &[(&str, &str)]) -> String {
    let encode = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
                b' ' => "+".to_owned(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    form.iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn an_email_customer_rates_the_solved_ticket_in_one_click(db: TestDb) {
    let smtp = SmtpSink::start();
    let app = TestApp::spawn_with_smtp(&db, Some(&smtp.url())).await;
    let admin = app.login_admin().await;
    let id = mailed_ticket(&app, "Ana <ana@example.com>", "Card declined", "card@mail.example.com").await;
    app.ok(&admin, REPLY, json!({ "id": id, "body": "Fixed, try again." }))
        .await;
    set_status(&app, &admin, &id, "SOLVED").await;

    // The invitation reaches the customer, threaded with the ticket's mail.
    let mail = wait_for_survey_mails(&smtp, 1).await.remove(0);
    assert_eq!(header(&mail, "To").as_deref(), Some("ana@example.com"));
    let subject = header(&mail, "Subject").unwrap();
    assert!(
        subject.contains("[#1]") && subject.contains("Card declined"),
        "{subject}"
    );
    let references = header(&mail, "References").unwrap();
    assert!(references.contains("<card@mail.example.com>"), "{references}");
    assert!(header(&mail, "In-Reply-To").is_some());
    let text = mail_text(&mail);
    assert!(text.contains("Hello Ana"), "{text}");
    let sent = invitations(&app, &admin, &id).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0]["survey"].as_str(), sent[0]["state"].as_str()),
        (Some("CSAT"), Some("SENT"))
    );
    assert_eq!(sent[0]["sentBy"], "MAIL");

    // One click on "4" records it and shows the page with 4 selected; the
    // answer is a change to the ticket that subscribers see.
    let mut watcher = GraphqlWs::connect(&app.base_url, json!({ "authorization": format!("Bearer {admin}") })).await;
    watcher
        .subscribe(
            "1",
            "subscription($id: ID!) { ticketEvents(ticketId: $id) { kind } }",
            json!({ "id": id }),
        )
        .await;
    let four = link_for(&text, 4);
    assert!(four.starts_with(&app.base_url), "{four}");
    // Once sent, the desk's own copy of the mail holds no live token: only
    // the invitation's hash is kept.
    let token = token_of(&four);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let kept = loop {
        let kept = kept_survey_mails(&db.url).await;
        if kept.iter().all(|body| !body.contains(&token)) || std::time::Instant::now() > deadline {
            break kept;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(kept.len(), 1);
    assert!(!kept[0].contains(&token), "{}", kept[0]);
    assert!(kept[0].contains("/survey/(link-sent)?rating=4"), "{}", kept[0]);
    let (status, page) = get(&app, &four).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("id=\"thanks\""), "{page}");
    assert!(page.contains("id=\"rating-4\" value=\"4\" checked"), "{page}");
    assert!(page.contains("Card declined"));

    assert_eq!(
        watcher.next_payload().await["data"]["ticketEvents"]["kind"],
        "SURVEY_ANSWERED"
    );
    watcher.close().await;
    let answered = invitations(&app, &admin, &id).await;
    assert_eq!(
        (answered[0]["state"].as_str(), answered[0]["rating"].as_i64()),
        (Some("ANSWERED"), Some(4))
    );
    assert!(
        event_kinds(&app.ok(&admin, EVENTS, json!({ "id": id })).await["ticket"])
            .contains(&"SURVEY_ANSWERED".to_owned())
    );
    let listed = app.ok(&admin, RESPONSES, json!({})).await["surveyResponses"].clone();
    assert_eq!(listed["totalCount"], 1);
    let node = &listed["edges"][0]["node"];
    assert_eq!(
        (node["rating"].as_i64(), node["channel"].as_str()),
        (Some(4), Some("EMAIL"))
    );
    assert_eq!(node["ticket"]["number"], 1);
    let figures = kpis(&app, &admin).await;
    assert_eq!(
        figures["csat"],
        json!({ "responses": 1, "score": 100.0, "average": 4.0 })
    );

    // Another link of the same mail changes the answer: still one response.
    let (status, page) = get(&app, &link_for(&text, 2)).await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"rating-2\" value=\"2\" checked"), "{page}");
    // The form: a rating and a comment, posted without JavaScript.
    let form_url = format!("{}/survey/{}", app.base_url, token_of(&four));
    let (status, page) = post_form(
        &app,
        &form_url,
        &[("rating", "3"), ("comment", "Slow, <b>but</b> fine")],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("id=\"thanks\""));
    assert!(
        page.contains("Slow, &lt;b&gt;but&lt;"),
        "the comment is escaped: {page}"
    );
    assert!(!page.contains("<b>"), "{page}");
    let figures = kpis(&app, &admin).await;
    assert_eq!(figures["csat"], json!({ "responses": 1, "score": 0.0, "average": 3.0 }));
    let listed = app.ok(&admin, RESPONSES, json!({})).await["surveyResponses"].clone();
    assert_eq!(listed["totalCount"], 1);
    assert_eq!(listed["edges"][0]["node"]["comment"], "Slow, <b>but</b> fine");
    let now = app.clock.now();
    let csv = app
        .http()
        .get(format!(
            "{}/exports/kpis.csv?from={}&to={}",
            app.base_url,
            (now - TimeDelta::days(1)).format("%Y-%m-%dT%H:%M:%SZ"),
            (now + TimeDelta::days(1)).format("%Y-%m-%dT%H:%M:%SZ")
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut rows = csv.lines();
    let columns: Vec<&str> = rows.next().unwrap().split(',').collect();
    let total: Vec<&str> = rows.last().unwrap().split(',').collect();
    let at = |name: &str| total[columns.iter().position(|c| *c == name).unwrap()];
    assert_eq!((at("csat_responses"), at("csat_average")), ("1", "3"), "{csv}");
    let last = invitations(&app, &admin, &id).await;
    assert_eq!(last[0]["rating"], 3);
    assert_eq!(
        last[0]["answeredAt"], answered[0]["answeredAt"],
        "the first answer's time stays"
    );

    // Filters: a rating range that excludes it, and one that includes it.
    let none = app.ok(&admin, RESPONSES, json!({ "f": { "minRating": 4 } })).await;
    assert_eq!(none["surveyResponses"]["totalCount"], 0);
    let some = app
        .ok(
            &admin,
            RESPONSES,
            json!({ "f": { "maxRating": 3, "channels": ["EMAIL"], "surveys": ["CSAT"] } }),
        )
        .await;
    assert_eq!(some["surveyResponses"]["totalCount"], 1);
    app.stop().await;
}

async fn a_customer_invited_within_the_quiet_period_is_not_asked_again(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    configure(&app, &admin, json!({ "quietPeriodDays": 7 })).await;
    let first = mailed_ticket(&app, "bo@example.com", "First", "first@mail.example.com").await;
    set_status(&app, &admin, &first, "SOLVED").await;
    invitations_until(&app, &admin, &first, first_is("SENT")).await;

    let second = mailed_ticket(&app, "bo@example.com", "Second", "second@mail.example.com").await;
    set_status(&app, &admin, &second, "SOLVED").await;
    assert_eq!(invitations(&app, &admin, &second).await, Vec::<Value>::new());

    // After the quiet period, the next solve invites again.
    app.clock.advance(TimeDelta::days(8)).unwrap();
    let admin = app.login_admin().await;
    let third = mailed_ticket(&app, "bo@example.com", "Third", "third@mail.example.com").await;
    set_status(&app, &admin, &third, "SOLVED").await;
    invitations_until(&app, &admin, &third, first_is("SENT")).await;
    app.stop().await;
}

async fn a_reopen_within_the_delay_cancels_the_invitation(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    configure(&app, &admin, json!({ "csatDelayMinutes": 60 })).await;
    let id = mailed_ticket(&app, "cy@example.com", "Printer", "printer@mail.example.com").await;
    set_status(&app, &admin, &id, "SOLVED").await;
    let queued = invitations(&app, &admin, &id).await;
    assert_eq!(queued[0]["state"], "QUEUED");

    set_status(&app, &admin, &id, "OPEN").await;
    app.clock.advance(TimeDelta::minutes(90)).unwrap();
    let admin = app.login_admin().await;
    let after = invitations(&app, &admin, &id).await;
    assert_eq!(after.len(), 1);
    assert_eq!(after[0]["state"], "CANCELLED");

    // Solved again: a new invitation, sent once the delay has passed.
    set_status(&app, &admin, &id, "SOLVED").await;
    app.clock.advance(TimeDelta::minutes(61)).unwrap();
    let admin = app.login_admin().await;
    let found = invitations_until(&app, &admin, &id, |f| f.len() == 2 && f[1]["state"] == "SENT").await;
    assert_eq!(found[0]["state"], "CANCELLED");
    app.stop().await;
}

async fn a_merged_ticket_gets_no_invitation(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    configure(&app, &admin, json!({ "csatDelayMinutes": 30 })).await;
    let source = mailed_ticket(&app, "di@example.com", "Duplicate", "dup@mail.example.com").await;
    let target = mailed_ticket(&app, "di@example.com", "Original", "orig@mail.example.com").await;
    set_status(&app, &admin, &source, "SOLVED").await;
    let merge = "mutation($s: ID!, $t: ID!) { mergeTickets(input: {sourceId: $s, targetId: $t}) { target { id } } }";
    app.ok(&admin, merge, json!({ "s": source, "t": target })).await;
    app.clock.advance(TimeDelta::minutes(45)).unwrap();
    let admin = app.login_admin().await;
    tokio::time::sleep(Duration::from_millis(700)).await; // a sender round, which must find nothing
    let found = invitations(&app, &admin, &source).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["state"], "CANCELLED");
    assert_eq!(invitations(&app, &admin, &target).await, Vec::<Value>::new());
    app.stop().await;
}

const START: &str = "mutation($i: StartChatInput!) { startChat(input: $i) { token ticket { id } } }";
const LIVE: &str = "subscription($token: String!) { chatMessages(token: $token) { body fromVisitor } }";

async fn start_chat(app: &TestApp, email: &str) -> (String, String) {
    let body = app
        .gql(
            None,
            START,
            json!({ "i": { "name": "Eve", "email": email, "message": "Hello?" } }),
        )
        .await;
    let chat = &body["data"]["startChat"];
    (
        chat["token"].as_str().unwrap().to_owned(),
        chat["ticket"]["id"].as_str().unwrap().to_owned(),
    )
}

async fn a_chat_visitor_is_asked_in_the_chat_and_by_mail_once_gone(db: TestDb) {
    let smtp = SmtpSink::start();
    let app = TestApp::spawn_with_smtp(&db, Some(&smtp.url())).await;
    let admin = app.login_admin().await;

    // Present: the invitation arrives in the chat.
    let (token, present) = start_chat(&app, "eve@example.com").await;
    let mut visitor = GraphqlWs::connect(&app.base_url, json!({})).await;
    visitor.subscribe("1", LIVE, json!({ "token": token })).await;
    set_status(&app, &admin, &present, "SOLVED").await;
    let live = visitor.next_payload().await;
    let body = live["data"]["chatMessages"]["body"].as_str().unwrap().to_owned();
    assert_eq!(live["data"]["chatMessages"]["fromVisitor"], false);
    let five = link_for(&body, 5);
    let found = invitations(&app, &admin, &present).await;
    assert_eq!(found[0]["sentBy"], "CHAT");
    let (status, _) = get(&app, &five).await;
    assert_eq!(status, 200);
    assert_eq!(invitations(&app, &admin, &present).await[0]["rating"], 5);
    visitor.close().await;

    // Gone: the invitation goes by mail.
    let (_, gone) = start_chat(&app, "fay@example.com").await;
    set_status(&app, &admin, &gone, "SOLVED").await;
    let mail = wait_for_survey_mails(&smtp, 1).await.remove(0);
    assert_eq!(header(&mail, "To").as_deref(), Some("fay@example.com"));
    assert_eq!(invitations(&app, &admin, &gone).await[0]["sentBy"], "MAIL");
    app.stop().await;
}

async fn expired_unknown_and_malformed_answers_are_refused_with_a_reason(db: TestDb) {
    let smtp = SmtpSink::start();
    let app = TestApp::spawn_with_smtp(&db, Some(&smtp.url())).await;
    let admin = app.login_admin().await;
    configure(&app, &admin, json!({ "expiryDays": 2 })).await;
    let id = mailed_ticket(&app, "gil@example.com", "Refund", "refund@mail.example.com").await;
    set_status(&app, &admin, &id, "SOLVED").await;
    let text = mail_text(&wait_for_survey_mails(&smtp, 1).await[0]);
    let link = link_for(&text, 4);
    let token = token_of(&link);
    let page_url = format!("{}/survey/{token}", app.base_url);

    // Off the scale, too long, missing: refused with the reason, on the page and over GraphQL.
    let (status, page) = get(&app, &format!("{page_url}?rating=9")).await;
    assert_eq!(status, 400);
    assert!(page.contains("outside the scale"), "{page}");
    let long = "x".repeat(5001);
    let (status, page) = post_form(&app, &page_url, &[("rating", "4"), ("comment", &long)]).await;
    assert_eq!(status, 400);
    assert!(page.contains("comment is longer than 5000 characters"), "{page}");
    let (status, page) = post_form(&app, &page_url, &[("comment", "no rating")]).await;
    assert_eq!(status, 400);
    assert!(page.contains("Choose a rating"), "{page}");
    let (status, page) = post_form(&app, &format!("{}/survey", app.base_url), &[("rating", "4")]).await;
    assert_eq!(status, 400);
    assert!(page.contains("token is missing"), "{page}");
    let wrong = app.gql(None, SUBMIT, json!({ "token": token, "score": 9 })).await;
    assert_eq!(error_code(&wrong), "BAD_USER_INPUT");
    assert!(error_message(&wrong).contains("rating (1-5)"), "{wrong}");
    let off = app.gql(None, SUBMIT, json!({ "token": token, "rating": 0 })).await;
    assert_eq!(error_code(&off), "BAD_USER_INPUT");
    assert_eq!(
        invitations(&app, &admin, &id).await[0]["state"],
        "SENT",
        "nothing recorded"
    );

    // Over GraphQL, twice: the second replaces the first.
    let first = app
        .gql(None, SUBMIT, json!({ "token": token, "rating": 5, "comment": "great" }))
        .await;
    assert_eq!(first["data"]["submitSurvey"]["replaced"], false, "{first}");
    let second = app.gql(None, SUBMIT, json!({ "token": token, "rating": 4 })).await;
    assert_eq!(second["data"]["submitSurvey"]["replaced"], true);
    assert_eq!(kpis(&app, &admin).await["csat"]["responses"], 1);

    // Unknown: 404 page, NOT_FOUND.
    let (status, page) = get(&app, &format!("{}/survey/nosuchtoken?rating=4", app.base_url)).await;
    assert_eq!(status, 404);
    assert!(page.contains("not known") && page.contains("<html"), "{page}");
    let unknown = app
        .gql(None, SUBMIT, json!({ "token": "nosuchtoken", "rating": 4 }))
        .await;
    assert_eq!(error_code(&unknown), "NOT_FOUND");

    // Expired: 410 page, BAD_USER_INPUT with the reason; the answer stays.
    app.clock.advance(TimeDelta::days(3)).unwrap();
    let admin = app.login_admin().await;
    let (status, page) = get(&app, &link).await;
    assert_eq!(status, 410);
    assert!(page.contains("expired"), "{page}");
    let late = app.gql(None, SUBMIT, json!({ "token": token, "rating": 1 })).await;
    assert_eq!(error_code(&late), "BAD_USER_INPUT");
    assert!(error_message(&late).contains("expired"), "{late}");
    let kept = invitations(&app, &admin, &id).await;
    assert_eq!(
        (kept[0]["state"].as_str(), kept[0]["rating"].as_i64()),
        (Some("ANSWERED"), Some(4))
    );
    app.stop().await;
}

async fn an_unanswered_invitation_shows_as_expired(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let id = mailed_ticket(&app, "hal@example.com", "Login", "login@mail.example.com").await;
    set_status(&app, &admin, &id, "SOLVED").await;
    invitations_until(&app, &admin, &id, first_is("SENT")).await;
    app.clock.advance(TimeDelta::days(31)).unwrap();
    let admin = app.login_admin().await;
    assert_eq!(invitations(&app, &admin, &id).await[0]["state"], "EXPIRED");
    let customer = "query($id: ID!) { ticket(id: $id) { customer { surveys { state survey } } } }";
    let seen = app.ok(&admin, customer, json!({ "id": id })).await;
    assert_eq!(
        seen["ticket"]["customer"]["surveys"],
        json!([{ "state": "EXPIRED", "survey": "CSAT" }])
    );
    app.stop().await;
}

async fn two_servers_send_a_due_invitation_once(db: TestDb) {
    let smtp = SmtpSink::start();
    let one = TestApp::spawn_with_smtp(&db, Some(&smtp.url())).await;
    let two = TestApp::spawn_with_smtp(&db, Some(&smtp.url())).await;
    let admin = one.login_admin().await;
    configure(&one, &admin, json!({ "csatDelayMinutes": 10 })).await;
    let id = mailed_ticket(&one, "ivy@example.com", "Race", "race@mail.example.com").await;
    set_status(&one, &admin, &id, "SOLVED").await;
    // Both servers find it due at once.
    one.clock.advance(TimeDelta::minutes(11)).unwrap();
    two.clock.advance(TimeDelta::minutes(11)).unwrap();
    wait_for_survey_mails(&smtp, 1).await;
    tokio::time::sleep(Duration::from_secs(2)).await; // time for a second, wrong, send
    assert_eq!(survey_mails(&smtp.received()).len(), 1, "sent exactly once");
    assert_eq!(invitations(&one, &admin, &id).await.len(), 1);
    one.stop().await;
    two.stop().await;
}

async fn an_invitation_due_while_the_server_was_down_goes_out_at_restart(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    configure(&app, &admin, json!({ "csatDelayMinutes": 30 })).await;
    let id = mailed_ticket(&app, "jo@example.com", "Restart", "restart@mail.example.com").await;
    set_status(&app, &admin, &id, "SOLVED").await;
    app.stop().await;

    let smtp = SmtpSink::start();
    let app = TestApp::spawn_with_smtp(&db, Some(&smtp.url())).await;
    app.clock.advance(TimeDelta::minutes(31)).unwrap();
    let mail = wait_for_survey_mails(&smtp, 1).await.remove(0);
    assert_eq!(header(&mail, "To").as_deref(), Some("jo@example.com"));
    let admin = app.login_admin().await;
    assert_eq!(invitations(&app, &admin, &id).await[0]["state"], "SENT");
    app.stop().await;
}

async fn nps_asks_each_customer_every_interval_on_the_0_to_10_scale(db: TestDb) {
    let smtp = SmtpSink::start();
    let app = TestApp::spawn_with_smtp(&db, Some(&smtp.url())).await;
    let admin = app.login_admin().await;
    configure(
        &app,
        &admin,
        json!({ "csatEnabled": false, "npsEnabled": true, "npsIntervalDays": 30 }),
    )
    .await;
    let id = mailed_ticket(&app, "kim@example.com", "Setup", "setup@mail.example.com").await;
    set_status(&app, &admin, &id, "SOLVED").await;
    let queued = invitations(&app, &admin, &id).await;
    assert_eq!(
        (queued[0]["survey"].as_str(), queued[0]["state"].as_str()),
        (Some("NPS"), Some("QUEUED"))
    );

    app.clock.advance(TimeDelta::days(30)).unwrap();
    let admin = app.login_admin().await;
    let text = mail_text(&wait_for_survey_mails(&smtp, 1).await[0]);
    assert!(text.contains("?rating=0") && text.contains("?rating=10"), "{text}");
    let token = token_of(&link_for(&text, 9));
    let csat_style = app.gql(None, SUBMIT, json!({ "token": token, "rating": 9 })).await;
    assert_eq!(error_code(&csat_style), "BAD_USER_INPUT");
    let answered = app.gql(None, SUBMIT, json!({ "token": token, "score": 9 })).await;
    assert_eq!(answered["data"]["submitSurvey"]["survey"], "NPS", "{answered}");
    let nps = kpis(&app, &admin).await["nps"].clone();
    assert_eq!(nps, json!({ "responses": 1, "promoters": 1, "score": 100.0 }));
    app.stop().await;
}

async fn the_survey_page_and_submit_survey_are_rate_limited_per_client(db: TestDb) {
    let app = TestApp::spawn_configured(&db, |c| c.limits.survey_requests_per_minute = 2).await;
    let url = format!("{}/survey/unknown", app.base_url);
    assert_eq!(get(&app, &url).await.0, 404);
    assert_eq!(get(&app, &url).await.0, 404);
    let response = app.http().get(&url).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 429);
    let retry: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    let limited = app
        .http()
        .post(format!("{}/graphql", app.base_url))
        .json(&json!({ "query": SUBMIT, "variables": { "token": "unknown", "rating": 4 } }))
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status().as_u16(), 429);
    let body: Value = limited.json().await.unwrap();
    assert_eq!(error_code(&body), "RATE_LIMITED");
    app.stop().await;
}

async fn settings_are_for_admins_and_templates_name_known_placeholders(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let (_, agent) = app.agent(&admin, "lee@desk.example", "AGENT").await;
    let read = "{ surveySettings { csatEnabled csatDelayMinutes quietPeriodDays npsEnabled expiryDays deskName } }";
    let defaults = app.ok(&admin, read, json!({})).await;
    assert_eq!(
        defaults["surveySettings"],
        json!({ "csatEnabled": true, "csatDelayMinutes": 0, "quietPeriodDays": 0, "npsEnabled": false, "expiryDays": 30, "deskName": "Support" })
    );
    assert_eq!(error_code(&app.gql(Some(&agent), read, json!({})).await), "FORBIDDEN");
    let bad = app
        .gql(
            Some(&admin),
            common::survey::SETTINGS,
            json!({ "i": { "csatBody": "Hi {first_name}" } }),
        )
        .await;
    assert_eq!(error_code(&bad), "BAD_USER_INPUT");
    assert!(error_message(&bad).contains("{first_name}"), "{bad}");
    app.stop().await;
}

each_store!(
    an_email_customer_rates_the_solved_ticket_in_one_click,
    a_customer_invited_within_the_quiet_period_is_not_asked_again,
    a_reopen_within_the_delay_cancels_the_invitation,
    a_merged_ticket_gets_no_invitation,
    a_chat_visitor_is_asked_in_the_chat_and_by_mail_once_gone,
    expired_unknown_and_malformed_answers_are_refused_with_a_reason,
    an_unanswered_invitation_shows_as_expired,
    two_servers_send_a_due_invitation_once,
    an_invitation_due_while_the_server_was_down_goes_out_at_restart,
    nps_asks_each_customer_every_interval_on_the_0_to_10_scale,
    the_survey_page_and_submit_survey_are_rate_limited_per_client,
    settings_are_for_admins_and_templates_name_known_placeholders,
);
