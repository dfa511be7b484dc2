//! Keeps metric facts measured on the desk's current business calendar:
//! after `setBusinessCalendar` (or an upgrade), every ticket's BUSINESS
//! durations are recomputed in the background, a batch at a time, so the
//! KPI queries never measure on a calendar that is no longer in force.

use std::time::Duration;

use chrono::Utc;
use helpdesk_persistence::Store;
use tokio::sync::watch;

/// How often it looks for stale facts when all were current.
const IDLE: Duration = Duration::from_secs(2);
const BATCH: u64 = 200;

/// Runs until `shutdown` turns true.
pub async fn run_facts_refresher(store: Store, mut shutdown: watch::Receiver<bool>) {
    // Tickets with no facts at all only exist in a store upgraded from
    // before the facts' current shape; look for them until none is found.
    let mut look_for_missing = true;
    loop {
        if *shutdown.borrow() {
            break;
        }
        let pause = match store.refresh_stale_facts(BATCH, look_for_missing, Utc::now()).await {
            Ok(0) => {
                look_for_missing = false;
                IDLE
            }
            Ok(n) => {
                tracing::info!(tickets = n, "metric facts refreshed");
                Duration::ZERO
            }
            Err(err) => {
                tracing::warn!(%err, "cannot refresh metric facts");
                IDLE
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = shutdown.changed() => {}
        }
    }
}
