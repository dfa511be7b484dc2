//! Keeps metric facts measured on the desk's current business calendar:
//! after `setBusinessCalendar` (or an upgrade), every ticket's BUSINESS
//! durations are recomputed in the background, a batch at a time, so the
//! KPI queries never measure on a calendar that is no longer in force.

use std::time::Duration;

use chrono::{DateTime, Utc};
use helpdesk_persistence::{Store, StoreError};

use crate::worker::Job;

/// How often it looks for stale facts when all were current.
const IDLE: Duration = Duration::from_secs(2);
const BATCH: u64 = 200;

/// The worker job that re-derives stale facts.
pub struct FactsRefresher {
    store: Store,
    /// Tickets with no facts at all only exist in a store upgraded from
    /// before the facts' current shape; look for them until none is found.
    look_for_missing: bool,
}

impl FactsRefresher {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            look_for_missing: true,
        }
    }
}

impl Job for FactsRefresher {
    const NAME: &'static str = "facts refresher";

    fn idle_pause(&self) -> Duration {
        IDLE
    }

    async fn run_due(&mut self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let refreshed = self
            .store
            .refresh_stale_facts(BATCH, self.look_for_missing, now)
            .await?;
        if refreshed == 0 {
            self.look_for_missing = false;
        } else {
            tracing::info!(tickets = refreshed, "metric facts refreshed");
        }
        Ok(refreshed)
    }
}
