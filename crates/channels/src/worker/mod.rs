//! The one shape of every background job: do what is due now, then look
//! again, at once while there was work, after a pause when there was none,
//! until shutdown.
//!
//! The outbox sender, the webhook sender, the SLA alert raiser and the facts
//! refresher are each a [`Job`]; [`run`] is the only loop. Jobs keep their
//! state of record in the store (leases, due instants), so several servers
//! on one database can run the same jobs and each item is handled once, and
//! a restarted server picks up what came due while it was down.

mod delivery;

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use helpdesk_persistence::StoreError;
use tokio::sync::watch;

use crate::clock::Clock;

pub use delivery::{Attempt, Courier, DeliveryJob, backoff};

/// One background job, run round after round by [`run`].
pub trait Job: Send + 'static {
    /// For logs.
    const NAME: &'static str;

    /// How long to wait after a round that found nothing due (or failed)
    /// before looking again. Moving the clock ends the wait early.
    fn idle_pause(&self) -> Duration;

    /// Does the work due at `now` and says how many items it handled; 0
    /// means nothing was due.
    fn run_due(&mut self, now: DateTime<Utc>) -> impl Future<Output = Result<usize, StoreError>> + Send;

    /// Resolves when the job learns, on its own, that something may be due
    /// (the mailbox fetcher's IMAP IDLE); the wait after an idle round ends
    /// then. Dropped unfinished when the wait ends otherwise. Never, by
    /// default.
    fn wake(&mut self) -> impl Future<Output = ()> + Send {
        std::future::pending()
    }
}

/// Runs `job` until `shutdown` turns true. A round in progress finishes
/// first; what is left stays in the store for the next start.
pub async fn run<J: Job>(mut job: J, clock: Clock, mut shutdown: watch::Receiver<bool>) {
    tracing::info!(job = J::NAME, "started");
    loop {
        if *shutdown.borrow() {
            break;
        }
        let busy = match job.run_due(clock.now()).await {
            Ok(0) => false,
            Ok(n) => {
                tracing::debug!(job = J::NAME, items = n, "round done");
                true
            }
            Err(err) => {
                tracing::warn!(job = J::NAME, %err, "round failed; will retry");
                false
            }
        };
        if busy {
            // More may be due at once; let other tasks run in between.
            tokio::task::yield_now().await;
            continue;
        }
        let pause = job.idle_pause();
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = job.wake() => {}
            _ = clock.moved() => {}
            _ = shutdown.changed() => {}
        }
    }
    tracing::info!(job = J::NAME, "stopped");
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use chrono::TimeDelta;

    use super::*;

    /// Counts its rounds; reports work on the first `busy` of them.
    struct Counting {
        rounds: Arc<AtomicUsize>,
        busy: usize,
    }

    impl Job for Counting {
        const NAME: &'static str = "counting";

        fn idle_pause(&self) -> Duration {
            Duration::from_secs(3600)
        }

        async fn run_due(&mut self, _now: DateTime<Utc>) -> Result<usize, StoreError> {
            let round = self.rounds.fetch_add(1, Ordering::SeqCst);
            Ok(usize::from(round < self.busy))
        }
    }

    async fn until(rounds: &AtomicUsize, n: usize) {
        tokio::time::timeout(Duration::from_secs(5), async {
            while rounds.load(Ordering::SeqCst) < n {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("rounds ran");
    }

    #[tokio::test]
    async fn runs_again_at_once_while_busy_then_waits_for_the_clock_or_shutdown() {
        let rounds = Arc::new(AtomicUsize::new(0));
        let clock = Clock::movable();
        let (stop, stopped) = watch::channel(false);
        let job = Counting {
            rounds: Arc::clone(&rounds),
            busy: 3,
        };
        let worker = tokio::spawn(run(job, clock.clone(), stopped));
        // Three busy rounds and one idle one, without waiting an hour.
        until(&rounds, 4).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(rounds.load(Ordering::SeqCst), 4, "idle until something changes");
        clock.advance(TimeDelta::minutes(5)).unwrap();
        until(&rounds, 5).await;
        stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(5), worker)
            .await
            .expect("stops on shutdown")
            .unwrap();
    }
}
