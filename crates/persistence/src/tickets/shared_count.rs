//! Counts asked at the same time, counted once.
//!
//! A queue's `totalCount` is exact: it counts every matching ticket, and at
//! 1,000,000 tickets (100,000 open) that is about 15 ms of database CPU per
//! request even as an index-only scan. Thirty agents watching the same queue
//! ask for the same count many times a second, so one count serves every
//! request that arrived while it was waiting to start:
//!
//! - with no count of the same statement running, a request starts one;
//! - with one running, the request waits for the next one, which starts when
//!   the running one ends, and which every request arriving meanwhile
//!   shares.
//!
//! So every answer comes from a count that started after its request
//! arrived: never stale, never missing a change committed before the
//! request (unlike a cache with a lifetime), and at most two counts of one
//! statement are ever in flight. Each count runs in a task of its own, so a
//! client that hangs up does not cancel it for the others. A count that
//! fails is not shared: each of its requests counts again by itself and
//! gets its own error.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::watch;

use crate::StoreError;

/// What a count comes to: `None` while it runs, then `Some(Ok(n))`, or
/// `Some(Err(()))` when it failed.
type Outcome = Option<Result<u64, ()>>;

#[derive(Clone, Default)]
pub(crate) struct SharedCounts {
    slots: Arc<Mutex<HashMap<String, Slot>>>,
    runs: Arc<AtomicU64>,
}

impl std::fmt::Debug for SharedCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedCounts")
            .field("runs", &self.runs())
            .finish_non_exhaustive()
    }
}

/// The counts of one statement: the one running and the one waiting for it.
#[derive(Default)]
struct Slot {
    running: Option<Run>,
    next: Option<Run>,
}

#[derive(Clone)]
struct Run {
    id: u64,
    outcome: watch::Receiver<Outcome>,
}

impl SharedCounts {
    /// The count `key` names (the statement, with its values), from a run of
    /// `count` that starts no earlier than this call. `count` is called for
    /// each request, but only the run's own is awaited.
    pub(crate) async fn count<F, Fut>(&self, key: String, count: F) -> Result<u64, StoreError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<u64, StoreError>> + Send + 'static,
    {
        let mut outcome = self.join(key, count());
        if let Ok(done) = outcome.wait_for(Option::is_some).await
            && let Some(Ok(n)) = *done
        {
            return Ok(n);
        }
        // The shared count failed (or its task died): count alone, for this
        // request's own answer or error.
        count().await
    }

    /// How many counts have run (for tests: requests at once share them).
    pub(crate) fn runs(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }

    fn join<Fut>(&self, key: String, count: Fut) -> watch::Receiver<Outcome>
    where
        Fut: Future<Output = Result<u64, StoreError>> + Send + 'static,
    {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = slots.entry(key.clone()).or_default();
        if let Some(next) = &slot.next {
            return next.outcome.clone();
        }
        let after = slot.running.as_ref().map(|running| running.outcome.clone());
        let id = self.runs.fetch_add(1, Ordering::Relaxed);
        let (tell, outcome) = watch::channel(None);
        let run = Run {
            id,
            outcome: outcome.clone(),
        };
        if after.is_some() {
            slot.next = Some(run);
        } else {
            slot.running = Some(run);
        }
        let slots = Arc::clone(&self.slots);
        tokio::spawn(async move {
            if let Some(mut running) = after {
                // Ends with the running count, whether it succeeded, failed
                // or its task died (the sender dropped).
                let _ = running.wait_for(Option::is_some).await;
            }
            let counted = count.await.map_err(|_| ());
            // The slot moves on before anyone hears the outcome, so a
            // request arriving after this count ended never joins it.
            {
                let mut slots = slots.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(slot) = slots.get_mut(&key) {
                    if slot.running.as_ref().is_some_and(|r| r.id == id) {
                        slot.running = slot.next.take();
                    }
                    if slot.running.is_none() && slot.next.is_none() {
                        slots.remove(&key);
                    }
                }
            }
            let _ = tell.send(Some(counted));
        });
        outcome
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::sync::Semaphore;

    use super::*;

    /// A count that takes `pause` and answers how many counts ran before it.
    fn slow_count(
        started: &Arc<AtomicU64>,
        pause: Duration,
    ) -> impl Fn() -> std::pin::Pin<Box<dyn Future<Output = Result<u64, StoreError>> + Send>> + use<> {
        let started = Arc::clone(started);
        move || {
            let started = Arc::clone(&started);
            Box::pin(async move {
                let n = started.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::time::sleep(pause).await;
                Ok(n)
            })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn requests_arriving_during_a_count_share_the_next_one() {
        let shared = SharedCounts::default();
        let started = Arc::new(AtomicU64::new(0));
        let count = slow_count(&started, Duration::from_millis(15));

        let first = tokio::spawn({
            let (shared, count) = (shared.clone(), slow_count(&started, Duration::from_millis(15)));
            async move { shared.count("open".into(), count).await }
        });
        tokio::time::sleep(Duration::from_millis(5)).await;
        // Ten requests while the first count runs: they must not take its
        // answer (it started before they arrived) but share the next one.
        let gate = Arc::new(Semaphore::new(0));
        let mut later = Vec::new();
        for _ in 0..10 {
            let (shared, count, gate) = (
                shared.clone(),
                slow_count(&started, Duration::from_millis(15)),
                Arc::clone(&gate),
            );
            later.push(tokio::spawn(async move {
                let _ = gate.acquire().await;
                shared.count("open".into(), count).await
            }));
        }
        gate.add_permits(10);
        assert_eq!(first.await.unwrap().unwrap(), 1);
        for request in later {
            assert_eq!(
                request.await.unwrap().unwrap(),
                2,
                "the count that started after it arrived"
            );
        }
        assert_eq!(shared.runs(), 2);

        // Once nothing runs, a request starts a fresh count.
        assert_eq!(shared.count("open".into(), count).await.unwrap(), 3);
        // Another statement never shares.
        let other = slow_count(&started, Duration::from_millis(1));
        assert_eq!(shared.count("closed".into(), other).await.unwrap(), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_count_is_counted_again_by_each_request() {
        let shared = SharedCounts::default();
        let attempts = Arc::new(AtomicU64::new(0));
        let failing = {
            let attempts = Arc::clone(&attempts);
            move || {
                let attempts = Arc::clone(&attempts);
                async move {
                    attempts.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    Err(StoreError::not_found("ticket"))
                }
            }
        };
        let result = shared.count("open".into(), failing).await;
        assert!(matches!(result, Err(StoreError::NotFound { .. })), "{result:?}");
        assert_eq!(attempts.load(Ordering::SeqCst), 2, "the shared run, then its own");
    }
}
