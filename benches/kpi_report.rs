//! How fast the KPI report answers on a realistic desk: seeds N tickets
//! (default 100,000; `HELPDESK_BENCH_TICKETS`) through the import path into
//! SQLite, and into PostgreSQL when `HELPDESK_BENCH_POSTGRES_URL` (or
//! `HELPDESK_TEST_POSTGRES_URL`) names a server (`HELPDESK_BENCH_STORES`
//! picks one), then times a 12-month
//! report grouped by MONTH with every figure, and prints the timings.
//!
//! Run with `cargo bench --bench kpi_report`. Seeded stores are kept under
//! the target directory (`bench-data/`) and seeding is idempotent, so later
//! runs only time the queries.

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveTime, Utc};
use helpdesk_channels::import::{ImportOptions, Importer, seed, seed_sla_policy};
use helpdesk_domain::kpi::Period;
use helpdesk_domain::sla::Clock;
use helpdesk_metrics::kpi_report;
use helpdesk_persistence::{Backend, Store};
use sea_orm::{ConnectionTrait, Database};

#[path = "support/bench_data.rs"]
mod bench_data;
#[path = "support/postgres.rs"]
mod postgres;
#[path = "support/stores.rs"]
mod stores;
#[path = "support/year_report.rs"]
mod year_report;
use bench_data::bench_dir;
use postgres::postgres_database;
use stores::stores;
use year_report::year_report;

const SEED: u64 = 42;
const RUNS: usize = 7;

type Error = Box<dyn std::error::Error>;

#[tokio::main]
async fn main() -> Result<(), Error> {
    // `RUST_LOG=helpdesk_metrics=debug` shows each group of figures' time.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let tickets: u64 = std::env::var("HELPDESK_BENCH_TICKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    // Seeded history ends at the start of today; the report covers the
    // twelve months before it.
    let until = Utc::now().date_naive().and_time(NaiveTime::MIN).and_utc();
    println!("kpi_report benchmark: {tickets} seeded tickets (seed {SEED}), history until {until}");

    let stores = stores()?;
    if stores.sqlite {
        let dir = bench_dir();
        std::fs::create_dir_all(&dir)?;
        let sqlite = format!("sqlite://{}?mode=rwc", dir.join(format!("kpis-{tickets}.db")).display());
        bench_store("SQLite", &sqlite, tickets, until).await?;
    }

    match stores.postgres {
        Some(server) => {
            let url = postgres_database(&server, &format!("helpdesk_bench_{tickets}"), false).await?;
            bench_store("PostgreSQL", &url, tickets, until).await?;
        }
        None => println!("PostgreSQL: skipped (set HELPDESK_BENCH_POSTGRES_URL)"),
    }
    Ok(())
}

async fn bench_store(name: &str, url: &str, tickets: u64, until: DateTime<Utc>) -> Result<(), Error> {
    let store = Store::connect(url).await?;
    store.migrate().await?;
    if store.sla_policies().await?.is_empty() {
        store.create_sla_policy(seed_sla_policy(), Utc::now()).await?;
    }
    let started = Instant::now();
    let mut importer = Importer::new(
        &store,
        ImportOptions::default(),
        helpdesk_channels::clock::Clock::system(),
    );
    for (n, ticket) in (1..).zip(seed(tickets, SEED, until)) {
        importer.push(n, Ok(ticket)).await?;
    }
    let summary = importer.finish().await?;
    println!(
        "{name}: seeding imported {} tickets ({} already there) in {:.1} s",
        summary.imported,
        summary.already_imported,
        started.elapsed().as_secs_f64()
    );
    // Facts measured before a calendar change would be refreshed by the
    // server's background job; make sure none is stale before timing.
    while store.refresh_stale_facts(1000, true, Utc::now()).await? > 0 {}
    // The import settled the store (statistics, SQLite's log); on
    // PostgreSQL autovacuum would also have set the visibility maps a
    // desk's index-only scans rely on.
    store.settle_after_bulk_write().await?;
    if store.backend() == Backend::Postgres {
        let direct = Database::connect(url).await?;
        direct.execute_unprepared("VACUUM ANALYZE").await?;
        direct.close().await?;
    }

    for (clock, group_by) in [
        (Clock::Calendar, Period::Month),
        (Clock::Business, Period::Month),
        (Clock::Calendar, Period::Day),
    ] {
        let query = year_report(until, clock, group_by)?;
        let now = Utc::now();
        let report = kpi_report(&store, &query, now).await?; // warm-up
        let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let started = Instant::now();
            std::hint::black_box(kpi_report(&store, &query, now).await?);
            times.push(started.elapsed());
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{name}: 12 months by {:<5} {:<8} clock, {} buckets, {} tickets created: median {:.0} ms (min {:.0}, max {:.0}, {RUNS} runs)",
            group_by.as_str(),
            clock.as_str(),
            report.buckets.len(),
            report.total.tickets_created,
            ms(times[RUNS / 2]),
            ms(times[0]),
            ms(times[RUNS - 1]),
        );
    }
    Ok(())
}
