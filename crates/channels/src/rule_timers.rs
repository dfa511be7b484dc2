//! Runs time-based rules ("N minutes after the ticket entered status S and
//! nothing happened") on the tickets whose time has come. Every server
//! runs it; the store changes each ticket once (see the store's
//! `run_rule_timers`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use helpdesk_persistence::rules::TimerCursors;
use helpdesk_persistence::{Store, StoreError};

use crate::worker::Job;

/// The pause between looks when nothing was due: a rule's delay is
/// counted in minutes.
const EVERY: Duration = Duration::from_secs(30);

pub struct RuleTimers {
    store: Store,
    cursors: TimerCursors,
}

impl RuleTimers {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            cursors: TimerCursors::default(),
        }
    }
}

impl Job for RuleTimers {
    const NAME: &'static str = "rule timers";

    fn idle_pause(&self) -> Duration {
        EVERY
    }

    async fn run_due(&mut self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        self.store.run_rule_timers(now, &mut self.cursors).await
    }
}
