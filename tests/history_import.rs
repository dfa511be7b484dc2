//! The operator's view of `helpdesk import` and `helpdesk seed`: the real
//! binary on a real store, bad lines reported by number, and running either
//! twice importing nothing new.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::census::count;
use common::{TestDb, each_store};
use helpdesk_persistence::Store;
use helpdesk_persistence::tickets::{TicketFilter, TicketOrder, TicketPage};

fn helpdesk(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_helpdesk"))
        .args(args)
        .env("HELPDESK_DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run helpdesk")
}

/// Exit code, and stdout and stderr together.
fn run(db: &TestDb, args: &[&str]) -> (i32, String) {
    let out = helpdesk(db, args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

async fn tickets(store: &Store) -> TicketPage {
    store
        .list_tickets(&TicketFilter::default(), TicketOrder::default(), 100, None)
        .await
        .unwrap()
}

fn ticket_line(id: &str, events: &str) -> String {
    format!(
        r#"{{"external_id": "{id}", "channel": "email", "subject": "Card declined", "priority": "normal", "customer": {{"email": "ana@example.com", "name": "Ana"}}, "tags": ["billing"], "created_at": "2026-03-02T09:15:00Z", "events": [{events}]}}"#
    )
}

const OPENING: &str = r#"{"at": "2026-03-02T09:15:00Z", "type": "message", "author": "customer", "body": "Help"}"#;

fn import_file(dir: &Path) -> String {
    let good = |id| {
        ticket_line(
            id,
            &format!(
                r#"{OPENING}, {{"at": "2026-03-02T09:40:00Z", "type": "assign", "agent": "bo@desk.example", "team": "Billing"}},
                {{"at": "2026-03-02T10:05:00Z", "type": "message", "author": "agent", "agent": "bo@desk.example", "body": "Fixed"}},
                {{"at": "2026-03-02T10:05:00Z", "type": "status", "status": "solved"}}"#
            ),
        )
        .replace('\n', " ")
    };
    let lines = [
        good("T-1"),                                                                         // 1
        String::new(),                                                                       // 2: blank, skipped
        r#"{"external_id": "T-2", "channel": }"#.to_owned(),                                 // 3
        ticket_line("T-3", OPENING).replace(r#""channel": "email""#, r#""channel": "fax""#), // 4
        ticket_line(
            "T-4",
            &format!(
                r#"{OPENING}, {{"at": "2026-03-02T10:00:00Z", "type": "status", "status": "closed"}}, {{"at": "2026-03-02T11:00:00Z", "type": "status", "status": "open"}}"#
            ),
        ), // 5
        ticket_line(
            "T-5",
            &format!(r#"{OPENING}, {{"at": "2026-03-02T08:00:00Z", "type": "status", "status": "open"}}"#),
        ), // 6
        good("T-6"),                                                                         // 7
        // PostgreSQL cannot store U+0000: refused here rather than failing the batch.
        ticket_line("T-7", &OPENING.replace("Help", r"He\u0000lp")), // 8
    ];
    let path = dir.join("history.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path.to_str().unwrap().to_owned()
}

async fn import_reports_bad_lines_and_imports_once(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let file = import_file(dir.path());

    let (code, out) = run(&db, &["import", &file]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("2 imported, 0 already imported, 5 rejected (7 read)"),
        "{out}"
    );
    assert!(out.contains("line 3: invalid JSON at column 35"), "{out}");
    assert!(out.contains(r#"line 4: unknown channel "fax""#), "{out}");
    assert!(
        out.contains("line 5: event 2: a CLOSED ticket cannot move to OPEN"),
        "{out}"
    );
    assert!(
        out.contains("line 6: event 1 (2026-03-02 08:00:00 UTC) is earlier than the event before it"),
        "{out}"
    );
    assert!(
        out.contains(r"line 8: event 0 (message): body contains a NUL character (\u0000)"),
        "{out}"
    );
    assert!(
        !out.contains("line 1:") && !out.contains("line 2:") && !out.contains("line 7:"),
        "{out}"
    );

    let page = tickets(&db.store).await;
    assert_eq!(page.tickets.len(), 2);
    assert!(page.tickets.iter().all(|t| t.status.is_resolved()));

    let (code, out) = run(&db, &["import", &file]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("0 imported, 2 already imported, 5 rejected (7 read)"),
        "{out}"
    );
    assert_eq!(tickets(&db.store).await.tickets.len(), 2);
}

async fn a_missing_file_exits_with_ex_noinput(db: TestDb) {
    let (code, out) = run(&db, &["import", "/nonexistent/history.jsonl"]);
    assert_eq!(code, 66, "EX_NOINPUT: {out}");
    assert!(out.contains("cannot open /nonexistent/history.jsonl"), "{out}");
}

async fn seeding_twice_with_one_seed_imports_once(db: TestDb) {
    let (code, out) = run(&db, &["seed", "--tickets", "50", "--seed", "7"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(r#"created SLA policy "Standard (seed)""#), "{out}");
    assert!(
        out.contains("50 imported, 0 already imported, 0 rejected (50 read)"),
        "{out}"
    );

    let (code, out) = run(&db, &["seed", "--tickets", "50", "--seed", "7"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("created SLA policy"), "one policy is enough: {out}");
    assert!(
        out.contains("0 imported, 50 already imported, 0 rejected (50 read)"),
        "{out}"
    );

    assert_eq!(tickets(&db.store).await.tickets.len(), 50);
    assert_eq!(db.store.sla_policies().await.unwrap().len(), 1);
    assert_eq!(db.store.pending_mail_count().await.unwrap(), 0);
}

/// The seed draws each ticket's time at random; on PostgreSQL its search
/// documents are then laid out newest last, as search walks them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_seeded_search_documents_lie_in_order_of_age() {
    let Some(db) = TestDb::postgres().await else {
        return eprintln!("PostgreSQL run skipped");
    };
    let (code, out) = run(&db, &["seed", "--tickets", "300", "--seed", "7"]);
    assert_eq!(code, 0, "{out}");
    let raw = sea_orm::Database::connect(db.url.as_str()).await.unwrap();
    assert_eq!(count(&raw, "SELECT COUNT(*) FROM ticket_search").await, 300);
    let out_of_order = count(
        &raw,
        "SELECT COUNT(*) FROM (
            SELECT ctid, lag(ctid) OVER (ORDER BY ticket_id) AS before FROM ticket_search
         ) d WHERE ctid < before",
    )
    .await;
    assert_eq!(
        out_of_order, 0,
        "each document lies after the one of the ticket before it"
    );
}

each_store!(
    import_reports_bad_lines_and_imports_once,
    a_missing_file_exits_with_ex_noinput,
    seeding_twice_with_one_seed_imports_once,
);
