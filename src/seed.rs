//! `helpdesk seed --tickets N [--seed S]`: generated history for demos and
//! benchmarks, written through the same batches as `helpdesk import`.

use std::process::ExitCode;

use chrono::{DateTime, NaiveTime, Utc};
use helpdesk_channels::clock::Clock;
use helpdesk_channels::import::{ImportOptions, Importer, SEED_POLICY_NAME, seed, seed_sla_policy};
use helpdesk_persistence::Store;

use crate::cli::SeedArgs;
use crate::import::{fail, open_store, print_summary, progress_bar, store_failed};

/// sysexits.h: the command was used wrongly.
const EX_USAGE: u8 = 64;

pub async fn run(database_url: &str, args: &SeedArgs) -> ExitCode {
    let clock = Clock::system();
    let now = clock.now();
    // The start of today by default: runs on the same day generate the
    // same tickets, and the history never reaches into the future.
    let until = args.until.unwrap_or_else(|| start_of_day(now));
    if until > now {
        return fail("seed", EX_USAGE, &format!("--until {until} is in the future"));
    }
    let store = match open_store(database_url).await {
        Ok(store) => store,
        Err(err) => return store_failed("seed", &err, false),
    };
    if let Err(err) = ensure_sla_policy(&store, now).await {
        return store_failed("seed", &err, false);
    }

    let bar = progress_bar(
        Some(args.tickets),
        "{wide_bar} {pos}/{len} tickets {elapsed} (eta {eta})",
    );
    let options = ImportOptions {
        batch_size: usize::try_from(args.batch_size).unwrap_or(usize::MAX),
        ..ImportOptions::default()
    };
    let mut importer = Importer::new(&store, options, clock);
    for (n, ticket) in (1..).zip(seed(args.tickets, args.seed, until)) {
        if let Err(err) = importer.push(n, Ok(ticket)).await {
            bar.finish_and_clear();
            print_summary(importer.summary());
            return store_failed("seed", &err, true);
        }
        bar.set_position(n);
    }
    let result = importer.finish().await;
    bar.finish_and_clear();
    let summary = match result {
        Ok(summary) => summary,
        Err(err) => return store_failed("seed", &err, true),
    };
    print_summary(&summary);
    // The seed draws each ticket's time at random, so its search documents
    // lie in no order of age; a store filled before use can afford the
    // rewrite that orders them as a desk's own writes would.
    if summary.imported > 0
        && let Err(err) = store.lay_out_search_documents_by_age().await
    {
        return store_failed("seed", &err, true);
    }
    ExitCode::SUCCESS
}

/// Seeded tickets are there to show figures; with no SLA policy at all
/// there would be no SLA figures to show.
async fn ensure_sla_policy(store: &Store, now: DateTime<Utc>) -> Result<(), helpdesk_persistence::StoreError> {
    if store.sla_policies().await?.is_empty() {
        store.create_sla_policy(seed_sla_policy(), now).await?;
        println!("created SLA policy {SEED_POLICY_NAME:?}");
    }
    Ok(())
}

fn start_of_day(at: DateTime<Utc>) -> DateTime<Utc> {
    at.date_naive().and_time(NaiveTime::MIN).and_utc()
}
