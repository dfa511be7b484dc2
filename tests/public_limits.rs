//! The public entry points resist abuse: guessing passwords, flooding the
//! chat, and dodging the limits with a forged `X-Forwarded-For`. Each story
//! runs a server with tight limits and speaks to it over HTTP from 127.0.0.1.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::time::{Duration, Instant};

use chrono::TimeDelta;
use common::{ADMIN_EMAIL, ADMIN_PASSWORD, LOGIN, TestApp, TestDb, each_store};
use helpdesk_api::AppConfig;
use serde_json::{Value, json};

const START: &str = "mutation($i: StartChatInput!) { startChat(input: $i) { token } }";
const SEND: &str = "mutation($t: String!, $b: String!) { sendChatMessage(token: $t, body: $b) { body } }";

/// What a client sees of one `/graphql` call: status, `Retry-After`, body.
struct Answer {
    status: u16,
    retry_after: Option<u64>,
    body: Value,
}

impl Answer {
    fn code(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["code"].as_str()
    }

    fn logged_in(&self) -> bool {
        self.body["data"]["login"]["token"].is_string()
    }

    /// A refusal as the contract spells it: 429, `Retry-After`, and the same
    /// wait in `extensions.retryAfter`.
    fn assert_rate_limited(&self, max_wait: u64) {
        assert_eq!(self.status, 429, "{:#}", self.body);
        assert_eq!(self.code(), Some("RATE_LIMITED"), "{:#}", self.body);
        let wait = self.retry_after.expect("a Retry-After header");
        assert!((1..=max_wait).contains(&wait), "Retry-After {wait}");
        assert_eq!(self.body["errors"][0]["extensions"]["retryAfter"], json!(wait));
    }
}

async fn call(app: &TestApp, forwarded_for: Option<&str>, query: &str, variables: Value) -> Answer {
    let mut request = app
        .http()
        .post(format!("{}/graphql", app.base_url))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(hops) = forwarded_for {
        request = request.header("x-forwarded-for", hops);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    Answer {
        status,
        retry_after,
        body: response.json().await.unwrap(),
    }
}

async fn login(app: &TestApp, email: &str, password: &str) -> Answer {
    login_via(app, None, email, password).await
}

async fn login_via(app: &TestApp, forwarded_for: Option<&str>, email: &str, password: &str) -> Answer {
    call(
        app,
        forwarded_for,
        LOGIN,
        json!({ "email": email, "password": password }),
    )
    .await
}

async fn spawn(db: &TestDb, configure: impl FnOnce(&mut AppConfig)) -> TestApp {
    TestApp::spawn_configured(db, configure).await
}

async fn guessing_one_accounts_password_is_stopped(db: TestDb) {
    let app = spawn(&db, |c| c.limits.login_failures_per_email = 3).await;
    let admin = app.login_admin().await;
    app.agent(&admin, "bo@desk.example", "AGENT").await;

    for _ in 0..3 {
        let wrong = login(&app, ADMIN_EMAIL, "guess-guess").await;
        assert_eq!(wrong.status, 200);
        assert_eq!(wrong.code(), Some("UNAUTHENTICATED"));
    }
    // Now even the right password is refused for that address, with a wait.
    login(&app, ADMIN_EMAIL, ADMIN_PASSWORD)
        .await
        .assert_rate_limited(15 * 60);
    // The same spelled otherwise is the same account.
    login(&app, "ADMIN@desk.example", ADMIN_PASSWORD)
        .await
        .assert_rate_limited(15 * 60);
    // Another account from the same client is not affected.
    assert!(login(&app, "bo@desk.example", "agent-password").await.logged_in());

    app.clock.advance(TimeDelta::minutes(15)).unwrap();
    assert!(
        login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await.logged_in(),
        "the window has passed"
    );
}

async fn one_client_guessing_many_accounts_is_stopped(db: TestDb) {
    let app = spawn(&db, |c| {
        c.limits.login_failures_per_client = 4;
        c.limits.login_failures_per_email = 100;
    })
    .await;
    assert!(login(&app, "nobody1@desk.example", "guess-guess").await.code() == Some("UNAUTHENTICATED"));
    assert!(login(&app, "nobody2@desk.example", "guess-guess").await.code() == Some("UNAUTHENTICATED"));
    // A success in between does not wipe the client's failures.
    assert!(login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await.logged_in());
    assert!(login(&app, "nobody3@desk.example", "guess-guess").await.code() == Some("UNAUTHENTICATED"));
    assert!(login(&app, ADMIN_EMAIL, "guess-guess").await.code() == Some("UNAUTHENTICATED"));

    login(&app, ADMIN_EMAIL, ADMIN_PASSWORD)
        .await
        .assert_rate_limited(15 * 60);
    login(&app, "nobody5@desk.example", "guess-guess")
        .await
        .assert_rate_limited(15 * 60);
}

async fn an_unknown_email_answers_like_a_wrong_password(db: TestDb) {
    let app = spawn(&db, |c| c.limits.login_failures_per_email = 100).await;
    let mut wrong = Vec::new();
    let mut unknown = Vec::new();
    let mut messages = Vec::new();
    for round in 0..5 {
        let started = Instant::now();
        let answer = login(&app, ADMIN_EMAIL, "not the password").await;
        wrong.push(started.elapsed());
        messages.push(answer.body["errors"][0].clone());
        let started = Instant::now();
        let answer = login(&app, &format!("nobody{round}@desk.example"), "not the password").await;
        unknown.push(started.elapsed());
        messages.push(answer.body["errors"][0].clone());
    }
    // Same message, same code, same (absent) path details.
    let first = &messages[0];
    assert!(
        messages
            .iter()
            .all(|m| m["message"] == first["message"] && m["extensions"] == first["extensions"])
    );
    // Both pay one argon2 check: an unknown address is not answered at once.
    let (wrong, unknown) = (wrong.iter().min().unwrap(), unknown.iter().min().unwrap());
    assert!(
        *unknown * 3 >= *wrong,
        "an unknown email answered in {unknown:?}, a wrong password in {wrong:?}"
    );
}

async fn logins_per_client_are_limited(db: TestDb) {
    let app = spawn(&db, |c| c.limits.login_requests_per_minute = 3).await;
    for _ in 0..3 {
        assert!(login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await.logged_in());
    }
    login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await.assert_rate_limited(60);
    app.clock.advance(TimeDelta::seconds(60)).unwrap();
    assert!(login(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await.logged_in());
}

async fn start_chat(app: &TestApp) -> Answer {
    call(
        app,
        None,
        START,
        json!({ "i": { "name": "Vi", "email": "vi@example.com", "message": "Hello?" } }),
    )
    .await
}

async fn a_chatty_client_is_slowed_down(db: TestDb) {
    let app = spawn(&db, |c| c.limits.chat_requests_per_minute = 3).await;
    let started = start_chat(&app).await;
    let token = started.body["data"]["startChat"]["token"].as_str().unwrap().to_owned();
    for line in ["one", "two"] {
        let sent = call(&app, None, SEND, json!({ "t": token, "b": line })).await;
        assert_eq!(sent.body["data"]["sendChatMessage"]["body"], line, "{:#}", sent.body);
    }
    call(&app, None, SEND, json!({ "t": token, "b": "three" }))
        .await
        .assert_rate_limited(60);
    start_chat(&app).await.assert_rate_limited(60);

    app.clock.advance(TimeDelta::seconds(60)).unwrap();
    let sent = call(&app, None, SEND, json!({ "t": token, "b": "three" })).await;
    assert_eq!(sent.body["data"]["sendChatMessage"]["body"], "three", "{:#}", sent.body);
}

async fn a_chat_token_dies_a_day_after_the_visitors_last_message(db: TestDb) {
    let app = spawn(&db, |c| c.limits.chat_token_ttl = Duration::from_secs(24 * 3600)).await;
    let started = start_chat(&app).await;
    let token = started.body["data"]["startChat"]["token"].as_str().unwrap().to_owned();

    app.clock.advance(TimeDelta::hours(23)).unwrap();
    let sent = call(&app, None, SEND, json!({ "t": token, "b": "still there?" })).await;
    assert!(sent.body.get("errors").is_none(), "{:#}", sent.body);
    // Each message extends the token: 46 hours after the start, 23 after the last line.
    app.clock.advance(TimeDelta::hours(23)).unwrap();
    let sent = call(&app, None, SEND, json!({ "t": token, "b": "hello again" })).await;
    assert!(sent.body.get("errors").is_none(), "{:#}", sent.body);

    app.clock.advance(TimeDelta::hours(24)).unwrap();
    let late = call(&app, None, SEND, json!({ "t": token, "b": "anyone?" })).await;
    assert_eq!(late.code(), Some("UNAUTHENTICATED"), "{:#}", late.body);
    assert!(late.body["errors"][0]["message"].as_str().unwrap().contains("expired"));
}

async fn a_forged_forwarded_for_does_not_dodge_the_limit(db: TestDb) {
    // No trusted proxies: the socket peer is the client, whatever it claims.
    let app = spawn(&db, |c| c.limits.login_requests_per_minute = 2).await;
    assert!(
        login_via(&app, Some("203.0.113.1"), ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .logged_in()
    );
    assert!(
        login_via(&app, Some("203.0.113.2"), ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .logged_in()
    );
    login_via(&app, Some("203.0.113.3"), ADMIN_EMAIL, ADMIN_PASSWORD)
        .await
        .assert_rate_limited(60);
}

async fn behind_a_trusted_proxy_the_forwarded_address_is_the_client(db: TestDb) {
    let app = spawn(&db, |c| {
        c.limits.login_requests_per_minute = 2;
        c.limits.trusted_proxies = "127.0.0.1".parse().unwrap();
    })
    .await;
    // The client forged a first hop; the proxy appended what it saw.
    let from_one = Some("198.51.100.77, 203.0.113.1");
    assert!(login_via(&app, from_one, ADMIN_EMAIL, ADMIN_PASSWORD).await.logged_in());
    assert!(
        login_via(&app, Some("203.0.113.1"), ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .logged_in()
    );
    login_via(&app, Some("198.51.100.78, 203.0.113.1"), ADMIN_EMAIL, ADMIN_PASSWORD)
        .await
        .assert_rate_limited(60);
    // Another client behind the same proxy has its own budget.
    assert!(
        login_via(&app, Some("203.0.113.2"), ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .logged_in()
    );
}

each_store!(
    guessing_one_accounts_password_is_stopped,
    one_client_guessing_many_accounts_is_stopped,
    an_unknown_email_answers_like_a_wrong_password,
    logins_per_client_are_limited,
    a_chatty_client_is_slowed_down,
    a_chat_token_dies_a_day_after_the_visitors_last_message,
    a_forged_forwarded_for_does_not_dodge_the_limit,
    behind_a_trusted_proxy_the_forwarded_address_is_the_client,
);
