//! Hands the tickets that waited for an agent with room to the first one
//! who has it, as tickets are solved, agents come back or capacities grow.
//! Every server runs it; the store decides each team's tickets under its
//! routing lock (see the store's `route_waiting`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use helpdesk_persistence::{Store, StoreError};

use crate::worker::Job;

/// How soon room that freed up is noticed.
const EVERY: Duration = Duration::from_secs(5);

pub struct TicketRouter {
    store: Store,
}

impl TicketRouter {
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}

impl Job for TicketRouter {
    const NAME: &'static str = "ticket router";

    fn idle_pause(&self) -> Duration {
        EVERY
    }

    async fn run_due(&mut self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        self.store.route_waiting(now).await
    }
}
