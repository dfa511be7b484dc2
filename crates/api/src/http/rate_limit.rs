//! Fixed-window rate limits for the public endpoints and for failed logins.
//!
//! The state lives in this process only: each server behind a load balancer
//! limits on its own, so N servers let through up to N times the configured
//! figures. That keeps the limits free of any store round trip; a deployment
//! that needs one shared budget limits at its proxy as well.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::AbuseLimits;

/// At most `limit` counted events per `window` for one key (a client address,
/// an email address), judged on the app clock's instants.
#[derive(Debug)]
pub(crate) struct RateLimiter<K = IpAddr> {
    limit: u32,
    window: Duration,
    seen: Mutex<HashMap<K, (DateTime<Utc>, u32)>>,
}

/// Windows kept before expired ones are swept, so a flood of keys cannot
/// grow the map without bound.
const SWEEP_AT: usize = 10_000;

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    pub(crate) fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request for `key`; `Err(wait)` when over the limit, with how
    /// long until its window ends. A refused request is not counted.
    pub(crate) fn check(&self, key: &K, now: DateTime<Utc>) -> Result<(), Duration> {
        self.refused(key, now)?;
        self.record(key, now);
        Ok(())
    }

    /// `Err(wait)` when `key` has used up its window, without counting.
    pub(crate) fn refused(&self, key: &K, now: DateTime<Utc>) -> Result<(), Duration> {
        let Ok(seen) = self.seen.lock() else { return Ok(()) };
        match seen.get(key) {
            Some((start, count)) if *count >= self.limit => {
                let elapsed = since(*start, now);
                if elapsed < self.window {
                    Err(self.window.saturating_sub(elapsed))
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// Counts one event (a failed login, say) for `key`.
    pub(crate) fn record(&self, key: &K, now: DateTime<Utc>) {
        let Ok(mut seen) = self.seen.lock() else { return };
        if seen.len() >= SWEEP_AT {
            let window = self.window;
            seen.retain(|_, (start, _)| since(*start, now) < window);
        }
        let entry = seen.entry(key.clone()).or_insert((now, 0));
        if since(entry.0, now) >= self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }

    /// Drops what was counted for `key` (the owner of an address proved who
    /// they are).
    pub(crate) fn forget(&self, key: &K) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.remove(key);
        }
    }
}

/// Every limiter of the desk, one per thing counted.
#[derive(Debug)]
pub(crate) struct Limiters {
    pub webform: RateLimiter,
    pub chat: RateLimiter,
    /// The survey page and `submitSurvey`, one budget per client address.
    pub survey: RateLimiter,
    pub login: RateLimiter,
    pub login_failures_by_email: RateLimiter<String>,
    pub login_failures_by_client: RateLimiter,
}

impl Limiters {
    pub(crate) fn new(limits: &AbuseLimits, webform_posts_per_minute: u32) -> Self {
        let minute = Duration::from_secs(60);
        Self {
            webform: RateLimiter::new(webform_posts_per_minute, minute),
            chat: RateLimiter::new(limits.chat_requests_per_minute, minute),
            survey: RateLimiter::new(limits.survey_requests_per_minute, minute),
            login: RateLimiter::new(limits.login_requests_per_minute, minute),
            login_failures_by_email: RateLimiter::new(limits.login_failures_per_email, limits.login_failure_window),
            login_failures_by_client: RateLimiter::new(limits.login_failures_per_client, limits.login_failure_window),
        }
    }
}

/// Time from `start` to `now`; zero when the clock reads earlier.
fn since(start: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
    (now - start).to_std().unwrap_or_default()
}

/// Whole seconds a client is told to wait (`Retry-After`, `retryAfter`):
/// rounded up, and at least one.
pub(crate) fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    #[test]
    fn limits_each_address_per_window() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let t0 = Utc::now();
        assert!(limiter.check(&a, t0).is_ok());
        assert!(limiter.check(&a, t0).is_ok());
        let wait = limiter.check(&a, t0 + TimeDelta::seconds(10)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        assert!(limiter.check(&b, t0).is_ok(), "another address has its own window");
        assert!(
            limiter.check(&a, t0 + TimeDelta::seconds(60)).is_ok(),
            "a new window starts"
        );
    }

    #[test]
    fn recorded_failures_refuse_without_counting_checks() {
        let limiter = RateLimiter::new(2, Duration::from_secs(900));
        let key = "ann@example.com".to_owned();
        let t0 = Utc::now();
        assert!(limiter.refused(&key, t0).is_ok());
        limiter.record(&key, t0);
        assert!(limiter.refused(&key, t0).is_ok(), "asking does not count");
        limiter.record(&key, t0);
        assert_eq!(limiter.refused(&key, t0), Err(Duration::from_secs(900)));
        limiter.forget(&key);
        assert!(limiter.refused(&key, t0).is_ok());
    }

    #[test]
    fn waits_round_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::from_millis(10)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(1500)), 2);
        assert_eq!(retry_after_secs(Duration::from_secs(60)), 60);
    }
}
