//! Measuring a target's time on its clock.

use chrono::{DateTime, TimeDelta, Utc};

/// A span during which a target's clock stands still; `None` as its end
/// means it has not ended.
pub type Pause = (DateTime<Utc>, Option<DateTime<Utc>>);

/// A clock that counts some seconds and not others.
pub trait WorkingClock: Send + Sync {
    /// The instant when `seconds` of this clock's time have passed since
    /// `start`, not counting `pauses` (time-ordered, non-overlapping). `None`
    /// when that never happens: the last pause has not ended, or the clock
    /// never runs.
    fn deadline(&self, start: DateTime<Utc>, seconds: i64, pauses: &[Pause]) -> Option<DateTime<Utc>>;
}

/// The CALENDAR clock: every second counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct CalendarClock;

impl WorkingClock for CalendarClock {
    fn deadline(&self, start: DateTime<Utc>, seconds: i64, pauses: &[Pause]) -> Option<DateTime<Utc>> {
        let mut due = start + TimeDelta::seconds(seconds);
        for &(from, until) in pauses {
            // Only pauses that begin before the (pushed) deadline delay it.
            if from >= due {
                break;
            }
            let from = from.max(start);
            let until = until?;
            if until > from {
                due += until - from;
            }
        }
        Some(due)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + TimeDelta::minutes(minute)
    }

    #[test]
    fn pauses_push_the_deadline() {
        let clock = CalendarClock;
        assert_eq!(clock.deadline(at(0), 3600, &[]), Some(at(60)));
        assert_eq!(clock.deadline(at(0), 3600, &[(at(10), Some(at(40)))]), Some(at(90)));
        assert_eq!(
            clock.deadline(at(0), 3600, &[(at(70), Some(at(80)))]),
            Some(at(60)),
            "a pause after the deadline"
        );
        assert_eq!(clock.deadline(at(0), 3600, &[(at(10), None)]), None, "paused for good");
        assert_eq!(
            clock.deadline(at(0), 3600, &[(at(10), Some(at(40))), (at(80), Some(at(85)))]),
            Some(at(95))
        );
    }
}
