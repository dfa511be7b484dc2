//! Keeps the maintained ticket counts compact: every second it folds the
//! deltas the ticket triggers appended into the totals (see the store's
//! `fold_ticket_counts`). A count is exact with or without folding; folding
//! keeps it cheap, since a count sums every delta still pending.

use std::time::Duration;

use chrono::{DateTime, Utc};
use helpdesk_persistence::{Store, StoreError};

use crate::worker::Job;

/// The pause between folds.
const EVERY: Duration = Duration::from_secs(1);

/// The worker job that folds ticket count deltas.
pub struct TicketCountFolder {
    store: Store,
}

impl TicketCountFolder {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

impl Job for TicketCountFolder {
    const NAME: &'static str = "ticket count folder";

    fn idle_pause(&self) -> Duration {
        EVERY
    }

    async fn run_due(&mut self, _now: DateTime<Utc>) -> Result<usize, StoreError> {
        let folded = self.store.fold_ticket_counts().await?;
        tracing::trace!(deltas = folded, "ticket counts folded");
        // A fold takes every delta there is, so nothing is left due: what
        // arrives next waits a pause, or a busy desk would be folded back to
        // back, a few rows at a time.
        Ok(0)
    }
}
