//! Counting business seconds, and finding when enough of them have passed.

use chrono::{DateTime, TimeDelta, Utc};

use super::BusinessCalendar;
use super::spans::OpenSpans;

/// How far a weekly calendar is searched for the open time a deadline needs:
/// ten years. A deadline further out than that, which includes every
/// deadline of a calendar that never opens (no intervals, or holidays on
/// every working day), is reported as `None`, which the SLA rules read as
/// "never due". The bound keeps every search O(days) with a fixed ceiling.
pub const SEARCH_HORIZON_DAYS: i64 = 3653;

impl BusinessCalendar {
    /// The open time in `[from, to)` in whole seconds, rounded down (only
    /// instants with a fraction of a second give a fraction); 0 when
    /// `to <= from`. Additive: `between(a, c) == between(a, b) + between(b, c)`
    /// for whole-second instants `a <= b <= c`.
    pub fn business_seconds_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        self.open_time(from, to).num_seconds()
    }

    /// The open time in `[from, to)`, to the microsecond (zero when
    /// `to <= from`): what BUSINESS-clock KPI durations measure.
    pub fn business_time_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> TimeDelta {
        self.open_time(from, to)
    }

    /// The instant at which `seconds` business seconds have passed since
    /// `start`: the first `t` with `business_seconds_between(start, t) ==
    /// seconds`. From outside business hours the clock starts at the next
    /// opening; a deadline that uses up an interval exactly is its close, not
    /// the next opening. `seconds <= 0` gives `start`.
    ///
    /// `None` when the deadline is not found within [`SEARCH_HORIZON_DAYS`]
    /// after `start` (a calendar that never opens), or would lie past the end
    /// of chrono's calendar. [`always_open`](Self::always_open) has no
    /// horizon: it is `start + seconds`.
    pub fn add_business_seconds(&self, start: DateTime<Utc>, seconds: i64) -> Option<DateTime<Utc>> {
        self.advance(start, TimeDelta::try_seconds(seconds.max(0))?)
    }

    /// The deadline of a clock that runs from `start` on this calendar for
    /// `seconds` and stands still during `pauses`, such as an SLA RESOLUTION
    /// target that does not count time in PENDING.
    ///
    /// Precisely: the earliest instant `t >= start` such that the business
    /// seconds in `[start, t)` outside every pause number at least `seconds`
    /// (a negative `seconds` counts as 0), and `t` is not strictly inside a
    /// pause (`from < t < until`, or `from < t` for a pause with no end).
    /// So a pause that begins exactly when the deadline falls does not delay
    /// it, and one already running at `start` holds even a zero deadline
    /// until it ends.
    ///
    /// `pauses` are `(from, until)` spans, time-ordered and non-overlapping;
    /// `until` is `None` for a pause that has not ended, which can only be the
    /// last. They may begin before `start` (only what follows `start` counts)
    /// and may lie in or out of business hours.
    ///
    /// `None` when there is no such instant: a pause with no end begins
    /// before the deadline is reached (docs/kpis.md#targets-and-deadlines: "while paused it has no
    /// deadline"), or the remaining open time is not found within
    /// [`SEARCH_HORIZON_DAYS`] after the clock last starts running.
    ///
    /// On [`always_open`](Self::always_open) this is the same rule as the
    /// CALENDAR clock's, and gives the same deadlines.
    pub fn deadline_with_pauses(
        &self,
        start: DateTime<Utc>,
        seconds: i64,
        pauses: &[(DateTime<Utc>, Option<DateTime<Utc>>)],
    ) -> Option<DateTime<Utc>> {
        let mut need = TimeDelta::try_seconds(seconds.max(0))?;
        // The clock runs from here until the next pause begins.
        let mut running_since = start;
        for &(from, until) in pauses {
            if until.is_some_and(|until| until <= running_since) {
                continue; // over before the clock (re)started
            }
            if from > running_since {
                let available = self.open_time(running_since, from);
                if need <= available {
                    return self.advance(running_since, need);
                }
                need -= available;
            } else if from == running_since && need.is_zero() {
                return Some(running_since);
            }
            // `max` keeps a malformed pause (ending before it begins) from
            // turning the clock back.
            running_since = running_since.max(until?);
        }
        self.advance(running_since, need)
    }

    /// The open time in `[from, to)`.
    fn open_time(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> TimeDelta {
        if to <= from {
            return TimeDelta::zero();
        }
        OpenSpans::new(self, from, to).map(|(open, close)| close - open).sum()
    }

    /// The first instant by which `need` of open time has passed since `start`.
    fn advance(&self, start: DateTime<Utc>, need: TimeDelta) -> Option<DateTime<Utc>> {
        if need <= TimeDelta::zero() {
            return Some(start);
        }
        if self.is_always_open() {
            return start.checked_add_signed(need);
        }
        if self.intervals().is_empty() {
            return None; // never opens; no need to walk ten years to learn it
        }
        let horizon = start
            .checked_add_signed(TimeDelta::days(SEARCH_HORIZON_DAYS))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let mut need = need;
        for (open, close) in OpenSpans::new(self, start, horizon) {
            let available = close - open;
            if need <= available {
                return Some(open + need);
            }
            need -= available;
        }
        None
    }
}
