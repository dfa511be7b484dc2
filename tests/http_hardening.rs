//! The HTTP side holds up against clients that misbehave: slow headers and
//! bodies are cut off, the inbound mail hook refuses a wrong token before
//! reading a byte of body, every response carries the browser security
//! headers, and the IDE runs from the server's own files or not at all.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::time::{Duration, Instant};

use common::{INBOUND_TOKEN, TestApp, TestDb, each_store};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads what the server sends until it closes the connection (or `limit`
/// passes); returns it and when the connection ended, if it did.
async fn read_until_closed(stream: &mut tokio::net::tcp::OwnedReadHalf, limit: Duration) -> (String, Option<Instant>) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&seen).into_owned(), Some(Instant::now())),
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&seen).into_owned(), None),
        }
    }
}

/// Sends `bytes` one at a time, `pause` apart, until done or the server hangs up.
async fn trickle(mut stream: tokio::net::tcp::OwnedWriteHalf, bytes: Vec<u8>, pause: Duration) {
    for byte in bytes {
        if stream.write_all(&[byte]).await.is_err() {
            return;
        }
        tokio::time::sleep(pause).await;
    }
    // Then hold the connection open without a word.
    std::future::pending::<()>().await;
}

async fn slow_headers_are_cut_off(db: TestDb) {
    let app = TestApp::spawn_configured(&db, |c| c.http.header_read_timeout = Duration::from_secs(1)).await;
    let stream = TcpStream::connect(app.addr).await.unwrap();
    let (mut reader, writer) = stream.into_split();
    let started = Instant::now();
    // A request line and endless headers, a byte every 100 ms: every byte
    // is "progress", yet the headers never end.
    let mut request = b"GET /healthz HTTP/1.1\r\nHost: desk\r\n".to_vec();
    request.extend(std::iter::repeat_n(b'x', 500));
    let slowly = tokio::spawn(trickle(writer, request, Duration::from_millis(100)));

    let (_, closed) = read_until_closed(&mut reader, Duration::from_secs(10)).await;
    slowly.abort();
    let closed = closed.expect("the server kept a slow-loris connection open for 10 s");
    let after = closed - started;
    assert!(
        after < Duration::from_secs(4),
        "closed {after:?} after the first byte, the timeout is 1 s"
    );
    assert!(after >= Duration::from_millis(900), "closed too early: {after:?}");
}

async fn slow_bodies_are_cut_off(db: TestDb) {
    let app = TestApp::spawn_configured(&db, |c| c.http.body_read_timeout = Duration::from_secs(1)).await;
    let stream = TcpStream::connect(app.addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let headers =
        "POST /graphql HTTP/1.1\r\nHost: desk\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n";
    writer.write_all(headers.as_bytes()).await.unwrap();
    let started = Instant::now();
    let body = br#"{"query": "{ me { email } }", "padding": ""#.to_vec();
    let slowly = tokio::spawn(trickle(writer, body, Duration::from_millis(100)));

    let (answer, closed) = read_until_closed(&mut reader, Duration::from_secs(10)).await;
    slowly.abort();
    let closed = closed.expect("the server kept a trickling body open for 10 s");
    let after = closed - started;
    assert!(
        after < Duration::from_secs(4),
        "closed {after:?} after the headers, the body timeout is 1 s"
    );
    assert!(
        answer.starts_with("HTTP/1.1 4"),
        "a client error, then the close: {answer:?}"
    );
}

async fn a_wrong_inbound_token_is_refused_before_the_body(db: TestDb) {
    let app = TestApp::spawn_configured(&db, |c| c.http.body_read_timeout = Duration::from_secs(3)).await;
    // Headers announcing a large body (within the size limit), a first
    // chunk of it, then nothing.
    let post = |token: &str| {
        format!(
            "POST /inbound/email HTTP/1.1\r\nHost: desk\r\nAuthorization: Bearer {token}\r\n\
             Content-Length: 400000\r\n\r\nFrom: a@example.com\r\n"
        )
    };

    let stream = TcpStream::connect(app.addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let started = Instant::now();
    writer.write_all(post("not-the-token").as_bytes()).await.unwrap();
    let (answer, _) = read_until_closed(&mut reader, Duration::from_millis(1500)).await;
    assert!(
        answer.starts_with("HTTP/1.1 401"),
        "a wrong token is refused at once, without waiting for the body: {answer:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(1500));

    // With the right token the body is awaited, up to the body timeout.
    let stream = TcpStream::connect(app.addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let started = Instant::now();
    writer.write_all(post(INBOUND_TOKEN).as_bytes()).await.unwrap();
    let (answer, closed) = read_until_closed(&mut reader, Duration::from_secs(10)).await;
    let after = closed.expect("the server gave up on the body") - started;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(
        (Duration::from_millis(2500)..Duration::from_secs(6)).contains(&after),
        "gave up after {after:?}, the body timeout is 3 s"
    );
}

fn assert_security_headers(response: &reqwest::Response, what: &str) {
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("{what}: no {name}"))
    };
    assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header("x-frame-options"), "DENY", "{what}");
    assert_eq!(header("referrer-policy"), "no-referrer", "{what}");
    assert!(
        header("content-security-policy").contains("default-src 'none'"),
        "{what}"
    );
}

async fn every_response_carries_the_security_headers(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let http = app.http();
    let base = &app.base_url;
    let answers = [
        (
            "GET /healthz",
            http.get(format!("{base}/healthz")).send().await.unwrap(),
        ),
        (
            "GET /metrics",
            http.get(format!("{base}/metrics")).send().await.unwrap(),
        ),
        (
            "POST /graphql",
            http.post(format!("{base}/graphql"))
                .json(&json!({ "query": "{ me { email } }" }))
                .send()
                .await
                .unwrap(),
        ),
        (
            "GET /exports/kpis.csv without a token",
            http.get(format!("{base}/exports/kpis.csv")).send().await.unwrap(),
        ),
        (
            "POST /inbound/email without a token",
            http.post(format!("{base}/inbound/email"))
                .body("x")
                .send()
                .await
                .unwrap(),
        ),
        (
            "an unknown path",
            http.get(format!("{base}/nowhere")).send().await.unwrap(),
        ),
    ];
    for (what, response) in &answers {
        assert_security_headers(response, what);
        assert!(
            response.headers().get("strict-transport-security").is_none(),
            "{what}: HSTS only when configured"
        );
    }

    let https = TestApp::spawn_configured(&db, |c| c.http.hsts_max_age_secs = Some(31_536_000)).await;
    let response = https
        .http()
        .get(format!("{}/healthz", https.base_url))
        .send()
        .await
        .unwrap();
    assert_security_headers(&response, "GET /healthz");
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
}

/// The `src` and `href` values of a page.
fn references(page: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        let mut rest = page;
        while let Some(at) = rest.find(attribute) {
            rest = &rest[at + attribute.len()..];
            let end = rest.find('"').unwrap();
            found.push(rest[..end].to_owned());
        }
    }
    found
}

async fn the_ide_runs_from_the_servers_own_files(db: TestDb) {
    let app = TestApp::spawn_configured(&db, |c| c.http.graphiql = Some(true)).await;
    let page = app
        .http()
        .get(format!("{}/graphql", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let policy = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(!policy.contains("unsafe-eval") && !policy.contains("http"), "{policy}");
    assert_security_headers(&page, "the IDE page");
    let html = page.text().await.unwrap();
    assert!(!html.contains("//"), "the page names another origin:\n{html}");
    assert!(
        !html.contains("<script>"),
        "no inline script, the policy would block it"
    );

    let assets = references(&html);
    assert_eq!(
        assets.len(),
        5,
        "three scripts of GraphiQL and React, its styles, our start script: {assets:?}"
    );
    for asset in &assets {
        assert!(asset.starts_with("/graphql/assets/"), "{asset}");
        let response = app.http().get(format!("{}{asset}", app.base_url)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{asset}");
        let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
        let expected = if asset.ends_with(".css") {
            "text/css"
        } else {
            "text/javascript"
        };
        assert!(content_type.starts_with(expected), "{asset}: {content_type}");
        assert!(
            response.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("max-age=31536000"),
            "{asset}"
        );
        assert!(response.bytes().await.unwrap().len() > 100, "{asset} has content");
    }
    let missing = app
        .http()
        .get(format!("{}/graphql/assets/nothing.js", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);
}

const INTROSPECTION: &str = "{ __schema { queryType { name } } }";

async fn without_the_ide_there_is_no_map_of_the_api(db: TestDb) {
    let app = TestApp::spawn_configured(&db, |c| c.http.graphiql = Some(false)).await;
    let page = app
        .http()
        .get(format!("{}/graphql", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 404);
    let asset = app
        .http()
        .get(format!("{}/graphql/assets/start-1.js", app.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(asset.status().as_u16(), 404);

    let admin = app.login_admin().await;
    for probe in [INTROSPECTION, "{ __type(name: \"Ticket\") { fields { name } } }"] {
        let body = app.gql(Some(&admin), probe, json!({})).await;
        assert!(body.get("errors").is_some(), "{probe} answered: {body:#}");
        assert_eq!(body["data"], Value::Null, "{probe}: {body:#}");
    }
    // The API itself still answers.
    let me = app.ok(&admin, "{ me { email } }", json!({})).await;
    assert_eq!(me["me"]["email"], common::ADMIN_EMAIL);
}

async fn the_ide_is_on_by_default_only_for_sqlite(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let page = app
        .http()
        .get(format!("{}/graphql", app.base_url))
        .send()
        .await
        .unwrap();
    let admin = app.login_admin().await;
    let introspection = app.gql(Some(&admin), INTROSPECTION, json!({})).await;
    if db.url.starts_with("sqlite:") {
        assert_eq!(page.status().as_u16(), 200);
        assert_eq!(introspection["data"]["__schema"]["queryType"]["name"], "Query");
    } else {
        assert_eq!(page.status().as_u16(), 404);
        assert!(introspection.get("errors").is_some(), "{introspection:#}");
    }
}

/// One operation per request, as JSON (or multipart, for files): anything
/// else is the client's mistake, said in a GraphQL error with HTTP 400.
async fn graphql_takes_one_operation_at_a_time(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let url = format!("{}/graphql", app.base_url);
    for (body, content_type, why) in [
        (
            r#"[{"query": "{ me { id } }"}, {"query": "{ me { id } }"}]"#,
            "application/json",
            "Batch requests are not supported",
        ),
        ("{ me { id } }", "application/json", ""),
        (r#"{"query": "{ me { id } }"}"#, "multipart/form-data; boundary=x", ""),
    ] {
        let response = app
            .http()
            .post(&url)
            .bearer_auth(&admin)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400, "{body}");
        let answer: serde_json::Value = response.json().await.unwrap();
        assert_eq!(common::error_code(&answer), "BAD_USER_INPUT", "{answer}");
        assert!(common::error_message(&answer).contains(why), "{answer}");
    }
    // The server is none the worse for it.
    assert!(app.gql(Some(&admin), "{ me { id } }", json!({})).await["data"]["me"]["id"].is_string());
}

each_store!(
    graphql_takes_one_operation_at_a_time,
    slow_headers_are_cut_off,
    slow_bodies_are_cut_off,
    a_wrong_inbound_token_is_refused_before_the_body,
    every_response_carries_the_security_headers,
    the_ide_runs_from_the_servers_own_files,
    without_the_ide_there_is_no_map_of_the_api,
    the_ide_is_on_by_default_only_for_sqlite,
);
