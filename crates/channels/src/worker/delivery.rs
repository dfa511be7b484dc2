//! Queues of things to deliver to the outside world (mail, webhook posts):
//! lease what is due, attempt each, record the outcome, retry transient
//! failures with backoff, give up after too many attempts or on a refusal.
//!
//! A [`Courier`] knows one queue and how to attempt one item; [`DeliveryJob`]
//! is everything else, the same for every queue.

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use helpdesk_persistence::{Store, StoreError};

use super::Job;
use crate::clock::Clock;

/// How one attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Delivered,
    /// A transient failure (the receiver is down or busy): try again later.
    Retry(String),
    /// A permanent refusal: trying again would fail the same way.
    GiveUp(String),
}

/// One delivery queue and how to attempt its items.
pub trait Courier: Send + Sync + 'static {
    type Item: Send + Sync;

    /// For logs.
    const NAME: &'static str;
    /// Attempts before an item is given up.
    const MAX_ATTEMPTS: u32;
    /// Items leased per round.
    const BATCH: u64;
    /// Long enough for one slow attempt; a crashed server's lease runs out
    /// and another server takes the item.
    const LEASE: TimeDelta;

    fn lease(
        store: &Store,
        now: DateTime<Utc>,
        limit: u64,
        lease: TimeDelta,
    ) -> impl Future<Output = Result<Vec<Self::Item>, StoreError>> + Send;
    fn id(item: &Self::Item) -> uuid::Uuid;
    /// Attempts made before this one.
    fn attempts(item: &Self::Item) -> u32;
    fn mark_delivered(
        store: &Store,
        id: uuid::Uuid,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Records a failed attempt: tried again at `retry_at`, or given up when `None`.
    fn mark_failed(
        store: &Store,
        id: uuid::Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Makes one attempt to deliver `item`.
    fn attempt(&self, item: &Self::Item) -> impl Future<Output = Attempt> + Send;
}

/// The worker job that drains one courier's queue.
pub struct DeliveryJob<C> {
    courier: C,
    store: Store,
    /// Outcomes are stamped when they happen, not when the round began.
    clock: Clock,
}

/// How long an idle delivery queue waits before looking again.
const IDLE_POLL: Duration = Duration::from_millis(500);

impl<C: Courier> DeliveryJob<C> {
    pub fn new(courier: C, store: Store, clock: Clock) -> Self {
        Self { courier, store, clock }
    }

    /// Leases and attempts one batch of due items; returns how many were handled.
    pub async fn deliver_due(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let due = C::lease(&self.store, now, C::BATCH, C::LEASE).await?;
        for item in &due {
            let id = C::id(item);
            let attempts = C::attempts(item) + 1;
            let recorded = match self.courier.attempt(item).await {
                Attempt::Delivered => C::mark_delivered(&self.store, id, self.clock.now()).await,
                Attempt::Retry(error) if attempts < C::MAX_ATTEMPTS => {
                    let at = self.clock.now() + backoff(attempts);
                    tracing::warn!(queue = C::NAME, %id, %error, retry_at = %at, "not delivered; will retry");
                    C::mark_failed(&self.store, id, &error, Some(at)).await
                }
                Attempt::Retry(error) | Attempt::GiveUp(error) => {
                    tracing::error!(queue = C::NAME, %id, %error, "given up");
                    C::mark_failed(&self.store, id, &error, None).await
                }
            };
            if let Err(err) = recorded {
                // The lease runs out and the item is tried again; delivering
                // twice is the lesser harm than never delivering.
                tracing::error!(queue = C::NAME, %id, %err, "cannot record the outcome");
            }
        }
        Ok(due.len())
    }
}

impl<C: Courier> Job for DeliveryJob<C> {
    const NAME: &'static str = C::NAME;

    fn idle_pause(&self) -> Duration {
        IDLE_POLL
    }

    async fn run_due(&mut self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        self.deliver_due(now).await
    }
}

/// 2^attempt seconds, capped at one hour: quick retries for a receiver that
/// blinked, patience for one that is down.
pub fn backoff(attempt: u32) -> TimeDelta {
    TimeDelta::seconds(1i64 << attempt.min(12)).min(TimeDelta::hours(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_then_caps_at_an_hour() {
        assert_eq!(backoff(1), TimeDelta::seconds(2));
        assert_eq!(backoff(5), TimeDelta::seconds(32));
        assert_eq!(backoff(40), TimeDelta::hours(1));
    }
}
