//! The load driver: starts the release `helpdesk serve` on an existing
//! (seeded) store, runs the agent-queue load, the search load (with
//! `--search`) and the mail-ingestion load against it over loopback with
//! HTTP/1.1 keep-alive, samples the server's
//! memory, and ends by counting every ticket and message the loads wrote so
//! none is lost or duplicated.
//!
//! ```text
//! cargo bench --bench load -- --database-url sqlite:///var/tmp/seed-1m.db
//! cargo bench --bench load -- --database-url postgres://postgres@127.0.0.1/helpdesk_1m --clients 32 --seconds 30
//! cargo bench --bench load -- --database-url postgres://postgres@127.0.0.1/helpdesk_1m --no-queue --no-ingest --search
//! ```
//!
//! It prints figures; it asserts nothing about speed (BENCHMARKS.md holds
//! the targets and what was measured). It fails only when the server
//! misbehaves: a lost or duplicated mail, or a store it cannot read.

mod census;
mod ingest;
mod latency;
#[path = "../support/process_memory.rs"]
mod process_memory;
mod queue;
mod search;
mod server;

use std::time::Duration;

use clap::Parser;

pub type Error = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Parser)]
#[command(about = "Queue and ingestion load against a seeded helpdesk store")]
struct Args {
    /// The store to serve (seed it first with `helpdesk seed`).
    #[arg(long)]
    database_url: String,
    /// Concurrent queue clients, each on its own keep-alive connection.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// How long the queue load runs, after its warm-up.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// Queue requests before measuring, not counted.
    #[arg(long, default_value_t = 5)]
    warmup_seconds: u64,
    /// Pause between one client's requests (0: back to back, the hardest load).
    #[arg(long, default_value_t = 0)]
    think_ms: u64,
    /// Concurrent mail senders.
    #[arg(long, default_value_t = 16)]
    mail_clients: usize,
    /// Mails to send in all; one in four replies to an earlier one.
    #[arg(long, default_value_t = 20_000)]
    mails: usize,
    /// Skip the queue load.
    #[arg(long)]
    no_queue: bool,
    /// Skip the ingestion load.
    #[arg(long)]
    no_ingest: bool,
    /// Run the search load too (after the queue load, before ingestion).
    #[arg(long)]
    search: bool,
    /// Concurrent searching agents.
    #[arg(long, default_value_t = 4)]
    search_clients: usize,
    /// Ask the queue page without `totalCount`, to see what counting costs.
    #[arg(long)]
    no_total_count: bool,
    /// Extra `NAME=VALUE` environment for the server (e.g. HELPDESK_DB_POOL_SIZE=8).
    #[arg(long = "server-env", value_parser = parse_env)]
    server_env: Vec<(String, String)>,
}

fn parse_env(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("{s:?} is not NAME=VALUE"))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    // `cargo bench` passes `--bench`; the driver has no use for it.
    let args = Args::parse_from(std::env::args().filter(|a| a != "--bench"));
    let server = server::Server::start(&args.database_url, &args.server_env).await?;
    let memory = server.sample_memory(Duration::from_millis(100));
    println!(
        "load: {} on {}, server pid {}",
        server.base_url,
        server::describe_store(&args.database_url),
        server.pid()
    );
    let before = census::take(&args.database_url).await?;
    println!("store before: {} tickets, {} messages", before.tickets, before.messages);

    if !args.no_queue {
        let token = server.login_admin().await?;
        let options = queue::Options {
            clients: args.clients,
            warmup: Duration::from_secs(args.warmup_seconds),
            measure: Duration::from_secs(args.seconds),
            think: Duration::from_millis(args.think_ms),
            with_total_count: !args.no_total_count,
        };
        let report = queue::run(&server.base_url, &token, &options).await?;
        println!("{}", report.line("queue"));
        println!("server memory so far: {}", memory.peak());
    }

    if args.search {
        let token = server.login_admin().await?;
        let options = search::Options {
            clients: args.search_clients,
            warmup: Duration::from_secs(args.warmup_seconds),
            measure: Duration::from_secs(args.seconds),
        };
        for (name, report) in search::run(&server.base_url, &token, &options).await? {
            println!("{}", report.line(&name));
        }
        println!("server memory so far: {}", memory.peak());
    }

    if !args.no_ingest {
        let run_id = format!("{:x}", std::process::id()) + &format!("{:x}", chrono::Utc::now().timestamp_micros());
        let options = ingest::Options {
            clients: args.mail_clients,
            mails: args.mails,
            run_id: run_id.clone(),
        };
        let (report, threads) = ingest::run(&server.base_url, &options).await?;
        println!("{}", report.line("ingestion"));
        let after = census::take(&args.database_url).await?;
        let mine = census::messages_of_run(&args.database_url, &run_id).await?;
        println!(
            "store after: {} tickets (+{}), {} messages (+{}); this run's Message-IDs stored: {} distinct, {} rows",
            after.tickets,
            after.tickets - before.tickets,
            after.messages,
            after.messages - before.messages,
            mine.distinct,
            mine.rows
        );
        let sent = i64::try_from(args.mails)?;
        let threads = i64::try_from(threads)?;
        let ok = mine.distinct == sent
            && mine.rows == sent
            && after.messages - before.messages == sent
            && after.tickets - before.tickets == threads;
        println!(
            "census: {} (expected {sent} messages, {threads} new tickets)",
            if ok { "every mail stored once" } else { "MISMATCH" }
        );
        if !ok {
            return Err("the census found lost or duplicated mail".into());
        }
    }
    println!("server memory: {}", memory.peak());
    server.stop();
    Ok(())
}
