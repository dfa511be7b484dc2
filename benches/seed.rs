//! How fast `helpdesk seed` fills an empty store, how much memory it takes
//! doing so, and how fast the first KPI report answers right after.
//!
//! Runs the built `helpdesk` binary as a child, as an operator would, for N
//! tickets (default 100,000; `HELPDESK_BENCH_TICKETS`) into a fresh SQLite
//! file, and into a fresh PostgreSQL database when
//! `HELPDESK_BENCH_POSTGRES_URL` (or `HELPDESK_TEST_POSTGRES_URL`) names a
//! server (`HELPDESK_BENCH_STORES` picks one). While it runs, the child's peak resident memory (`VmHWM`) and
//! peak anonymous memory (`RssAnon`) are sampled from `/proc`. Then a
//! server-sized store times a 12-month report grouped by MONTH: the first
//! one after the import, and the median of the next few.
//!
//! Run with `cargo bench --bench seed`. The stores stay where they were
//! written: `<target>/bench-data/seed-N.db` and database `helpdesk_seed_N`;
//! each run starts them afresh.

#[path = "support/bench_data.rs"]
mod bench_data;
#[path = "support/postgres.rs"]
mod postgres;
#[path = "support/process_memory.rs"]
mod process_memory;
#[path = "support/stores.rs"]
mod stores;
#[path = "support/year_report.rs"]
mod year_report;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bench_data::bench_dir;
use chrono::{DateTime, NaiveTime, Utc};
use helpdesk_domain::kpi::Period;
use helpdesk_domain::sla::Clock;
use helpdesk_metrics::kpi_report;
use helpdesk_persistence::Store;
use postgres::postgres_database;
use process_memory::ProcessMemory;
use stores::stores;
use year_report::year_report;

const SEED: u64 = 42;
/// Reports timed after the first, for the median.
const LATER_RUNS: usize = 5;

type Error = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let tickets: u64 = std::env::var("HELPDESK_BENCH_TICKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let until = Utc::now().date_naive().and_time(NaiveTime::MIN).and_utc();
    println!("seed benchmark: {tickets} tickets (seed {SEED}), history until {until}");

    let stores = stores()?;
    if stores.sqlite {
        let dir = bench_dir();
        std::fs::create_dir_all(&dir)?;
        let file = dir.join(format!("seed-{tickets}.db"));
        for suffix in ["", "-wal", "-shm"] {
            let path = PathBuf::from(format!("{}{suffix}", file.display()));
            if path.exists() {
                std::fs::remove_file(path)?;
            }
        }
        let sqlite = format!("sqlite://{}?mode=rwc", file.display());
        bench_store("SQLite", &sqlite, tickets, until).await?;
    }

    match stores.postgres {
        Some(server) => {
            let url = postgres_database(&server, &format!("helpdesk_seed_{tickets}"), true).await?;
            bench_store("PostgreSQL", &url, tickets, until).await?;
        }
        None => println!("PostgreSQL: skipped (set HELPDESK_BENCH_POSTGRES_URL)"),
    }
    Ok(())
}

async fn bench_store(name: &str, url: &str, tickets: u64, until: DateTime<Utc>) -> Result<(), Error> {
    let load_before = load_average();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_helpdesk"))
        .args(["--database-url", url, "seed", "--seed", &SEED.to_string()])
        .args(["--tickets", &tickets.to_string(), "--until", &until.to_rfc3339()])
        .stdout(Stdio::null())
        .spawn()?;
    let pid = child.id();
    let mut peak = ProcessMemory::default();
    let status = loop {
        if let Some(now) = ProcessMemory::read(pid) {
            peak = peak.max(now);
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let secs = started.elapsed().as_secs_f64();
    if !status.success() {
        return Err(format!("{name}: helpdesk seed failed: {status}").into());
    }
    println!(
        "{name}: seeded {tickets} tickets in {secs:.1} s ({:.0} tickets/s), peak RSS {} MiB, peak anonymous {} MiB (load average {load_before} before, {} after)",
        tickets as f64 / secs,
        peak.hwm_kib >> 10,
        peak.anon_kib >> 10,
        load_average(),
    );

    // A server's store: its pool, page cache and statement timeout.
    let store = Store::connect(url).await?;
    let query = year_report(until, Clock::Calendar, Period::Month)?;
    let now = Utc::now();
    let first = Instant::now();
    let report = kpi_report(&store, &query, now).await?;
    let first = first.elapsed();
    let mut later: Vec<Duration> = Vec::with_capacity(LATER_RUNS);
    for _ in 0..LATER_RUNS {
        let started = Instant::now();
        std::hint::black_box(kpi_report(&store, &query, now).await?);
        later.push(started.elapsed());
    }
    later.sort();
    println!(
        "{name}: first 12-month report by MONTH ({} tickets created) {:.0} ms, then median {:.0} ms ({LATER_RUNS} runs); store kept at {}",
        report.total.tickets_created,
        first.as_secs_f64() * 1000.0,
        later[LATER_RUNS / 2].as_secs_f64() * 1000.0,
        where_kept(url),
    );
    Ok(())
}

/// The one-minute load average: other work on the machine skews the figures.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

fn where_kept(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .map_or(url, |rest| rest.split('?').next().unwrap_or(rest))
}
