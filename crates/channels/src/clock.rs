//! The one source of "now" for the server, its workers and its tests.
//!
//! Every instant the desk records (a ticket's creation, a reply, when an SLA
//! alert is due, when a mail is retried) comes from a [`Clock`] held in the
//! app state and handed to each worker, never from `Utc::now()` at the call
//! site. Production runs on the system clock; tests run on a clock they can
//! move forward, so an SLA breach an hour away or the next day's report is a
//! call away instead of a wait.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::watch;

/// A cheap, shareable handle to the current time.
#[derive(Debug, Clone)]
pub struct Clock {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// How far this clock runs ahead of the system clock, in microseconds;
    /// always 0 for [`Clock::system`].
    ahead_micros: AtomicI64,
    movable: bool,
    /// Bumped whenever the clock is moved, so sleeping workers look again
    /// at once instead of after their idle pause.
    moved: watch::Sender<u64>,
}

/// Why a clock cannot be moved.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ClockError {
    #[error("the system clock cannot be moved")]
    NotMovable,
    #[error("a clock only moves forward")]
    Backwards,
}

impl Clock {
    /// The system's wall clock, as production uses.
    pub fn system() -> Self {
        Self::new(false)
    }

    /// A clock that runs with the system clock until it is moved forward
    /// with [`Clock::advance`]. Time keeps flowing between moves, so
    /// everything that orders events by their instants still sees them in
    /// the order they happened.
    pub fn movable() -> Self {
        Self::new(true)
    }

    fn new(movable: bool) -> Self {
        let (moved, _) = watch::channel(0);
        Self {
            inner: Arc::new(Inner {
                ahead_micros: AtomicI64::new(0),
                movable,
                moved,
            }),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + TimeDelta::microseconds(self.inner.ahead_micros.load(Ordering::Acquire))
    }

    /// Moves a movable clock forward by `by`, and wakes the workers that
    /// wait on it.
    pub fn advance(&self, by: TimeDelta) -> Result<(), ClockError> {
        if !self.inner.movable {
            return Err(ClockError::NotMovable);
        }
        if by < TimeDelta::zero() {
            return Err(ClockError::Backwards);
        }
        let micros = by.num_microseconds().unwrap_or(i64::MAX);
        self.inner.ahead_micros.fetch_add(micros, Ordering::AcqRel);
        self.inner.moved.send_modify(|n| *n = n.wrapping_add(1));
        Ok(())
    }

    /// Moves a movable clock forward to `at` (no move if `at` is not ahead).
    pub fn advance_to(&self, at: DateTime<Utc>) -> Result<(), ClockError> {
        let by = at - self.now();
        self.advance(by.max(TimeDelta::zero()))
    }

    /// Resolves the next time the clock is moved (never, for the system
    /// clock). Workers wait on it beside their idle pause.
    pub async fn moved(&self) {
        let mut moved = self.inner.moved.subscribe();
        if moved.changed().await.is_err() {
            // The sender lives as long as `self`; this is unreachable while
            // we hold it, so wait forever rather than spin.
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_movable_clock_moves_forward_only() {
        let clock = Clock::movable();
        let before = clock.now();
        clock.advance(TimeDelta::hours(2)).unwrap();
        assert!(clock.now() - before >= TimeDelta::hours(2));
        assert_eq!(clock.advance(TimeDelta::seconds(-1)), Err(ClockError::Backwards));
    }

    #[test]
    fn the_system_clock_cannot_be_moved() {
        let clock = Clock::system();
        assert_eq!(clock.advance(TimeDelta::seconds(1)), Err(ClockError::NotMovable));
        let drift = (clock.now() - Utc::now()).abs();
        assert!(drift < TimeDelta::seconds(1));
    }

    #[tokio::test]
    async fn moving_the_clock_wakes_its_waiters() {
        let clock = Clock::movable();
        let waiter = tokio::spawn({
            let clock = clock.clone();
            async move { clock.moved().await }
        });
        // Let the waiter subscribe before the move.
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        clock.advance(TimeDelta::minutes(1)).unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(5), waiter)
            .await
            .expect("woken")
            .expect("joined");
    }
}
