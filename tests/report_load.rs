//! An analyst hammers the desk with year-long daily reports while an agent
//! works the queue and the SLA scheduler watches a one-minute promise: the
//! reports wait their turn on their own few connections, the queue answers
//! and the warning is raised while the burst is still being worked off.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use common::ws::GraphqlWs;
use common::{TestApp, TestDb, each_store, error_code, error_message};
use serde_json::{Value, json};

const REPORTS: usize = 300;
const YEAR_OF_DAYS: &str = "query($from: DateTime!, $to: DateTime!) { kpis(from: $from, to: $to, groupBy: DAY) { total { ticketsCreated backlog } buckets { start values { ticketsCreated firstResponseTime { median } } } } }";
const QUEUE: &str = "{ tickets(first: 50, filter: {statuses: [NEW, OPEN]}, orderBy: {field: SLA_DUE_AT, direction: ASC}) { totalCount nodes { id number customer { email } assignee { name } team { name } tags } } }";

/// A year of history from `helpdesk seed`, the real binary.
fn seed(db: &TestDb, tickets: u32) {
    let out = Command::new(env!("CARGO_BIN_EXE_helpdesk"))
        .args(["seed", "--tickets", &tickets.to_string(), "--seed", "3"])
        .env("HELPDESK_DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run helpdesk seed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn year() -> Value {
    let to = Utc::now();
    json!({ "from": to - TimeDelta::days(365), "to": to })
}

/// How long the agent's queue takes, and that it answers.
async fn queue_time(app: &TestApp, token: &str) -> Duration {
    let started = Instant::now();
    let page = app.ok(token, QUEUE, json!({})).await;
    assert!(page["tickets"]["totalCount"].as_i64().unwrap() > 0, "{page}");
    started.elapsed()
}

async fn one_operation_of_many_aliased_reports_is_refused_before_it_runs(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let admin = app.login_admin().await;
    let aliased: String = (0..REPORTS)
        .map(|i| format!("r{i}: kpis(from: $from, to: $to, groupBy: DAY) {{ total {{ ticketsCreated }} }} "))
        .collect();
    let query = format!("query($from: DateTime!, $to: DateTime!) {{ {aliased} }}");
    let refused = app.gql(Some(&admin), &query, year()).await;
    assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
    assert!(error_message(&refused).contains("too complex"), "{refused}");
    assert!(refused["data"].is_null(), "nothing ran: {refused}");

    // One such report, or a handful, is what a dashboard asks for.
    let few: String = (0..3)
        .map(|i| format!("r{i}: kpis(from: $from, to: $to, groupBy: DAY) {{ total {{ ticketsCreated }} }} "))
        .collect();
    let query = format!("query($from: DateTime!, $to: DateTime!) {{ {few} }}");
    let answered = app.ok(&admin, &query, year()).await;
    assert_eq!(answered["r2"]["total"]["ticketsCreated"], 0);

    // A full page of the queue with messages and history stays allowed.
    let wide = "{ tickets(first: 100) { nodes { id number subject status priority channel createdAt updatedAt tags customer { id email name } assignee { id name email } team { id name } messages { id body internal createdAt } events { id kind at details } } } }";
    app.ok(&admin, wide, json!({})).await;
    app.stop().await;
}

async fn a_burst_of_year_long_daily_reports_starves_neither_the_queue_nor_the_sla_scheduler(db: TestDb) {
    // A report that fails for another reason than its time shows why.
    let _ = tracing_subscriber::fmt()
        .with_env_filter("error")
        .with_test_writer()
        .try_init();
    seed(&db, 1_500);
    // Reports that cannot finish within 10 s give up, so the burst ends.
    let app = TestApp::spawn_configured(&db, |config| {
        config.store.statement_timeout = Some(Duration::from_secs(10));
    })
    .await;
    let admin = app.login_admin().await;
    let (_, analyst) = app.agent(&admin, "ana@desk.example", "AGENT").await;
    let (bo_id, bo) = app.agent(&admin, "bo@desk.example", "AGENT").await;

    // A one-minute promise on a new ticket, watched by the scheduler.
    app.ok(
        &admin,
        "mutation($i: SlaPolicyInput!) { createSlaPolicy(input: $i) { id } }",
        json!({ "i": { "name": "Hot line", "position": 1, "targets": [{ "target": "FIRST_RESPONSE", "minutes": 1 }] } }),
    )
    .await;
    let raw = "From: cy@example.com\r\nTo: support@desk.example\r\nSubject: Down!\r\nMessage-ID: <down@burst.example.com>\r\n\r\nSite is down\r\n";
    let (status, filed) = app.post_email(raw.as_bytes()).await;
    assert_eq!(status, 200, "{filed}");
    let hot = filed["ticketId"].as_str().unwrap().to_owned();
    app.ok(
        &admin,
        "mutation($id: ID!, $a: ID) { updateTicket(input: {ticketId: $id, assigneeId: $a}) { id } }",
        json!({ "id": hot, "a": bo_id }),
    )
    .await;
    let mut ws = GraphqlWs::connect(&app.base_url, json!({ "authorization": format!("Bearer {bo}") })).await;
    ws.subscribe(
        "hot",
        "subscription($id: ID) { ticketEvents(ticketId: $id) { kind } }",
        json!({ "id": hot }),
    )
    .await;

    // The queue's normal time, alone.
    let mut quiet = Vec::new();
    for _ in 0..5 {
        quiet.push(queue_time(&app, &bo).await);
    }

    // The burst: each report a request of its own, all at once.
    let finished = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let burst: Vec<_> = (0..REPORTS)
        .map(|_| {
            let (http, url, token, finished) = (
                app.http().clone(),
                format!("{}/graphql", app.base_url),
                analyst.clone(),
                Arc::clone(&finished),
            );
            tokio::spawn(async move {
                let body: Value = http
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({ "query": YEAR_OF_DAYS, "variables": year() }))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                finished.fetch_add(1, Ordering::SeqCst);
                body
            })
        })
        .collect();

    // Meanwhile the agent works the queue...
    let mut loaded = Vec::new();
    for _ in 0..5 {
        loaded.push(queue_time(&app, &bo).await);
    }
    let reports_done_by_queue = finished.load(Ordering::SeqCst);

    // ...and the one-minute promise comes due: move the desk's clock past
    // its warning, and the scheduler raises it while reports still queue.
    app.clock.advance(TimeDelta::seconds(50)).unwrap();
    loop {
        let message = ws
            .receive(Duration::from_secs(20))
            .await
            .expect("the SLA warning within 20 s of its moment");
        if message["payload"]["data"]["ticketEvents"]["kind"] == "SLA_WARNING" {
            break;
        }
    }
    let reports_done_by_warning = finished.load(Ordering::SeqCst);

    let mut answered = 0;
    for report in burst {
        let body = report.await.unwrap();
        match body["errors"].as_array() {
            None => {
                assert_eq!(
                    body["data"]["kpis"]["buckets"].as_array().unwrap().len(),
                    366,
                    "a year of days"
                );
                answered += 1;
            }
            // Past the statement timeout a report gives up, with its code.
            Some(_) => assert_eq!(error_code(&body), "TIMEOUT", "{body}"),
        }
    }
    let burst_time = started.elapsed();
    let max = |times: &[Duration]| times.iter().max().copied().unwrap();
    eprintln!(
        "{REPORTS} year-long daily reports: {answered} answered in {burst_time:?}; queue alone at most {:?}, \
         during the burst at most {:?} (answered with {reports_done_by_queue} reports done); \
         SLA warning raised with {reports_done_by_warning} done; queue alone {quiet:?}, during {loaded:?}",
        max(&quiet),
        max(&loaded),
    );
    assert!(
        reports_done_by_queue < REPORTS / 2,
        "the queue answered only after {reports_done_by_queue} of {REPORTS} reports"
    );
    assert!(
        reports_done_by_warning < REPORTS,
        "the warning came only after the whole burst"
    );
    assert!(answered > 0, "the reports themselves are worked off too");
    ws.close().await;
    app.stop().await;
}

each_store!(
    one_operation_of_many_aliased_reports_is_refused_before_it_runs,
    a_burst_of_year_long_daily_reports_starves_neither_the_queue_nor_the_sla_scheduler,
);
