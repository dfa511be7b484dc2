//! PostgreSQL restarted under load: while it is gone `/healthz` answers 503
//! and every request fails fast with a retryable answer (GraphQL
//! `UNAVAILABLE`, HTTP 503 with `Retry-After`) instead of hanging; once it
//! is back the same server process serves again, with no restart of its own.
//!
//! Runs against a private PostgreSQL (see `common::private_postgres`) when
//! `HELPDESK_TEST_PG_FAULTS=1`, as `.ci/run` sets it; skipped otherwise.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::private_postgres::{PrivatePostgres, enabled};
use common::process::ServeProcess;
use common::{INBOUND_TOKEN, error_code};
use serde_json::{Value, json};

/// How long the desk may take to answer any request while its store is
/// gone: "fails fast" means well within this, never a hang.
const ANSWER_WITHIN: Duration = Duration::from_secs(10);
/// Clients hammering the desk throughout.
const CLIENTS: usize = 6;
/// Answers each client must have had while PostgreSQL was down.
const ANSWERS_WHILE_DOWN: usize = 3;

/// What one request came to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Served,
    /// Refused as retryable: GraphQL `UNAVAILABLE`, or HTTP 503 with `Retry-After`.
    Retryable,
    /// Anything else (an error code, a status, no answer in time), described.
    Other(String),
}

async fn query(client: &reqwest::Client, base_url: &str, token: &str) -> Answer {
    let sent = client
        .post(format!("{base_url}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": "{ tickets(first: 5) { totalCount nodes { subject } } }" }))
        .send()
        .await;
    let response = match sent {
        Ok(r) => r,
        Err(e) => return Answer::Other(format!("graphql: no answer: {e}")),
    };
    let status = response.status().as_u16();
    let retry_after = response.headers().contains_key("retry-after");
    let body: Value = match response.json().await {
        Ok(b) => b,
        Err(e) => return Answer::Other(format!("graphql {status}: {e}")),
    };
    if body.get("errors").is_none() && body["data"]["tickets"]["totalCount"].is_number() {
        return Answer::Served;
    }
    match error_code(&body) {
        "UNAVAILABLE" if status == 503 && retry_after => Answer::Retryable,
        code => Answer::Other(format!("graphql {status} (Retry-After: {retry_after}) {code}: {body}")),
    }
}

async fn post_mail(client: &reqwest::Client, base_url: &str, n: usize) -> Answer {
    let raw = format!(
        "From: Load <load@example.com>\r\nTo: support@desk.example\r\nSubject: Load {n}\r\nMessage-ID: <load-{n}@mail.example.com>\r\n\r\nUnder load.\r\n"
    );
    let sent = client
        .post(format!("{base_url}/inbound/email"))
        .bearer_auth(INBOUND_TOKEN)
        .body(raw)
        .send()
        .await;
    match sent {
        Ok(r) if r.status().is_success() => Answer::Served,
        Ok(r) if r.status() == 503 && r.headers().contains_key("retry-after") => Answer::Retryable,
        Ok(r) => Answer::Other(format!("inbound {}", r.status())),
        Err(e) => Answer::Other(format!("inbound: no answer: {e}")),
    }
}

/// The answers clients got, by phase.
#[derive(Default)]
struct Tally {
    while_down: Mutex<Vec<Answer>>,
    /// The slowest answer while PostgreSQL was down.
    slowest_while_down: Mutex<Duration>,
    down: AtomicBool,
    answered_while_down: AtomicUsize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_restarted_under_load() {
    if !enabled("postgres_restarted_under_load") {
        return;
    }
    let postgres = PrivatePostgres::start();
    let server = ServeProcess::start(&postgres.url(), &[("HELPDESK_DB_ACQUIRE_TIMEOUT_SECS", "2")]).await;
    let token = server.login_admin().await;
    let client = reqwest::Client::builder().timeout(ANSWER_WITHIN).build().unwrap();
    assert_eq!(query(&client, &server.base_url, &token).await, Answer::Served);

    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let (client, base_url, token) = (client.clone(), server.base_url.clone(), token.clone());
        let (tally, stop) = (Arc::clone(&tally), Arc::clone(&stop));
        clients.push(tokio::spawn(async move {
            let mut n = c * 100_000;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let asked = std::time::Instant::now();
                let answer = if n % 2 == 0 {
                    query(&client, &base_url, &token).await
                } else {
                    post_mail(&client, &base_url, n).await
                };
                if tally.down.load(Ordering::SeqCst) {
                    tally.while_down.lock().unwrap().push(answer);
                    let mut slowest = tally.slowest_while_down.lock().unwrap();
                    *slowest = (*slowest).max(asked.elapsed());
                    tally.answered_while_down.fetch_add(1, Ordering::SeqCst);
                }
            }
        }));
    }

    // Gone, under load. Answers count from just before the stop, so a
    // request whose connection is cut mid-statement must be retryable too.
    tally.down.store(true, Ordering::SeqCst);
    postgres.stop();
    assert_eq!(
        server.healthz().await,
        Some(503),
        "/healthz answers 503 while the store is gone"
    );
    while tally.answered_while_down.load(Ordering::SeqCst) < CLIENTS * ANSWERS_WHILE_DOWN {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(server.healthz().await, Some(503));
    tally.down.store(false, Ordering::SeqCst);
    {
        let answers = tally.while_down.lock().unwrap();
        let other: Vec<_> = answers.iter().filter(|a| matches!(a, Answer::Other(_))).collect();
        assert!(
            other.is_empty(),
            "while PostgreSQL was down every request answers within {ANSWER_WITHIN:?}, retryable: {other:#?}"
        );
        assert!(answers.contains(&Answer::Retryable), "{answers:?}");
        eprintln!(
            "while PostgreSQL was down: {} answers, {} retryable, the slowest in {:?}",
            answers.len(),
            answers.iter().filter(|a| **a == Answer::Retryable).count(),
            tally.slowest_while_down.lock().unwrap()
        );
    }

    // Back: the same process serves again.
    postgres.start_again();
    server.wait_healthy(Duration::from_secs(30)).await;
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    assert_eq!(query(&client, &server.base_url, &token).await, Answer::Served);
    assert_eq!(post_mail(&client, &server.base_url, 1).await, Answer::Served);
    let q = "{ tickets(filter: {customerEmail: \"load@example.com\"}) { totalCount } }";
    let listed = server.gql(Some(&token), q, json!({})).await;
    assert!(
        listed["data"]["tickets"]["totalCount"].as_u64().unwrap() >= 1,
        "mail filed after the restart: {listed}"
    );
}

/// With the gate set, a machine without PostgreSQL's binaries fails the
/// test instead of skipping it (shown with an empty install directory).
#[test]
#[should_panic(expected = "no initdb under")]
fn without_initdb_the_gated_test_fails() {
    let empty = tempfile::tempdir().unwrap();
    PrivatePostgres::start_from(empty.path());
}
