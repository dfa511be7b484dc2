//! The few connections reports may hold at once, and the time a report may
//! take.
//!
//! A year of daily buckets reads every sample of the year several times
//! over: a burst of such reports, each holding a pooled connection, would
//! leave none for ticket work, the SLA scheduler or the outbox. Reports
//! therefore pass a gate with a fixed number of slots; a report waiting for
//! a slot holds no connection, and one that cannot finish (waiting
//! included) within the statement timeout fails as timed out instead of
//! piling up.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::StoreError;

#[derive(Debug, Clone)]
pub(crate) struct ReportGate {
    slots: Arc<Semaphore>,
    timeout: Option<Duration>,
}

/// A report's slot, held until the report is closed or dropped, and the
/// instant its time runs out.
#[derive(Debug)]
pub(crate) struct ReportPass {
    _slot: OwnedSemaphorePermit,
    deadline: Option<Instant>,
}

impl ReportGate {
    /// `slots` reports at a time (at least one), each within `timeout`.
    pub(crate) fn new(slots: usize, timeout: Option<Duration>) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            timeout,
        }
    }

    /// Waits for a slot, at most until the report's time runs out.
    pub(crate) async fn enter(&self) -> Result<ReportPass, StoreError> {
        let deadline = self.timeout.map(|timeout| Instant::now() + timeout);
        let slot = Arc::clone(&self.slots).acquire_owned();
        let slot = match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline, slot)
                .await
                .map_err(|_| StoreError::Timeout {
                    what: "waiting for a report slot",
                })?,
            None => slot.await,
        };
        // The semaphore is never closed.
        let slot = slot.map_err(|_| StoreError::Timeout {
            what: "report slots closed",
        })?;
        Ok(ReportPass { _slot: slot, deadline })
    }
}

impl ReportPass {
    /// Runs one of the report's queries within what is left of its time.
    ///
    /// On PostgreSQL the server cancels a statement past the timeout too;
    /// SQLite has no such limit, so there the deadline is this one alone
    /// (the abandoned statement finishes on its connection, still holding
    /// the report's slot until it does).
    pub(crate) async fn within<T>(&self, query: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
        match self.deadline {
            Some(deadline) => tokio::time::timeout_at(deadline, query)
                .await
                .map_err(|_| StoreError::Timeout { what: "the report" })?,
            None => query.await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_report_waits_for_a_slot_no_longer_than_its_time() {
        let gate = ReportGate::new(1, Some(Duration::from_secs(30)));
        let first = gate.enter().await.unwrap();
        let waiting = gate.enter().await;
        assert!(matches!(waiting, Err(StoreError::Timeout { .. })), "{waiting:?}");
        drop(first);
        gate.enter().await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_query_past_the_deadline_times_out() {
        let gate = ReportGate::new(2, Some(Duration::from_secs(30)));
        let pass = gate.enter().await.unwrap();
        let quick = pass.within(async { Ok::<_, StoreError>(1) }).await.unwrap();
        assert_eq!(quick, 1);
        let slow = pass
            .within(async {
                tokio::time::sleep(Duration::from_secs(31)).await;
                Ok::<_, StoreError>(2)
            })
            .await;
        assert!(
            matches!(slow, Err(StoreError::Timeout { what: "the report" })),
            "{slow:?}"
        );
    }
}
