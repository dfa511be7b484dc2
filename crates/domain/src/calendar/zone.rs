//! The calendar zone's offset from UTC, which is constant between transitions.
//!
//! Business time is counted over stretches of constant offset: inside one,
//! local time runs exactly like UTC, so a local interval maps to a UTC span
//! by subtracting the offset. `chrono-tz` does not list its transitions, so
//! they are found by looking at the offset.

use chrono::{DateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// How far apart the offset is sampled when looking for a transition. A
/// change and its undoing closer together than this would go unseen; no zone
/// has one (the closest pairs in the tz database are weeks apart), and an
/// hourly look costs little next to the per-day work.
const PROBE: TimeDelta = TimeDelta::hours(1);

/// Local time minus UTC at `at` (+01:00 in Berlin in winter).
pub(super) fn offset_at(tz: Tz, at: DateTime<Utc>) -> TimeDelta {
    let seconds = tz.offset_from_utc_datetime(&at.naive_utc()).fix().local_minus_utc();
    TimeDelta::seconds(i64::from(seconds))
}

/// The first instant after `at` and no later than `until` at which the
/// offset differs from the one at `at`, if there is one.
pub(super) fn next_transition(tz: Tz, at: DateTime<Utc>, until: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let offset = offset_at(tz, at);
    let mut before = at;
    while before < until {
        let probe = (before + PROBE).min(until);
        if offset_at(tz, probe) != offset {
            return Some(bisect(tz, offset, before, probe));
        }
        before = probe;
    }
    None
}

/// The transition in `(same, changed]`, where the offset at `same` is
/// `offset` and at `changed` it is not. Transitions fall on whole seconds
/// (the tz database counts in seconds), so whole seconds are searched.
fn bisect(tz: Tz, offset: TimeDelta, same: DateTime<Utc>, changed: DateTime<Utc>) -> DateTime<Utc> {
    // The offset is a function of the whole second, so flooring either end
    // keeps its offset.
    let mut low = same.timestamp();
    let mut high = changed.timestamp();
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        let differs = DateTime::from_timestamp(middle, 0).is_some_and(|mid| offset_at(tz, mid) != offset);
        if differs {
            high = middle;
        } else {
            low = middle;
        }
    }
    DateTime::from_timestamp(high, 0).unwrap_or(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn finds_transitions_to_the_second() {
        let berlin = chrono_tz::Europe::Berlin;
        let from = utc("2026-03-28T12:34:56.789Z");
        let spring = next_transition(berlin, from, from + TimeDelta::days(2));
        assert_eq!(spring, Some(utc("2026-03-29T01:00:00Z")));
        assert_eq!(offset_at(berlin, utc("2026-03-29T00:59:59Z")), TimeDelta::hours(1));
        assert_eq!(offset_at(berlin, utc("2026-03-29T01:00:00Z")), TimeDelta::hours(2));

        let lord_howe = chrono_tz::Australia::Lord_Howe;
        let from = utc("2026-10-03T00:00:00Z");
        assert_eq!(
            next_transition(lord_howe, from, from + TimeDelta::days(2)),
            Some(utc("2026-10-03T15:30:00Z")),
            "02:00 +10:30 becomes 02:30 +11:00"
        );
        assert_eq!(
            next_transition(chrono_tz::Asia::Kolkata, from, from + TimeDelta::days(400)),
            None
        );
    }

    #[test]
    fn a_transition_right_after_the_start_or_at_the_limit() {
        let berlin = chrono_tz::Europe::Berlin;
        let at = utc("2026-03-29T01:00:00Z");
        assert_eq!(next_transition(berlin, at - TimeDelta::nanoseconds(1), at), Some(at));
        assert_eq!(next_transition(berlin, at - TimeDelta::seconds(1), at), Some(at));
        assert_eq!(next_transition(berlin, at, at + TimeDelta::days(1)), None);
    }
}
