//! Business time against a brute-force reference that asks the wall clock
//! about every minute: random calendars in zones with odd DST (half-hour
//! steps, changes at midnight, none), random instants around each zone's
//! offset changes and New Years in 2025-2027.
//!
//! Every instant, interval boundary and offset here falls on a whole minute,
//! so a minute is open or closed as a whole and stepping by minutes is exact.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::collections::BTreeSet;
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use helpdesk_domain::calendar::{BusinessCalendar, CalendarError, OpenInterval, SEARCH_HORIZON_DAYS};
use helpdesk_domain::sla::{CalendarClock, WorkingClock};
use proptest::prelude::*;
use proptest::sample::Index;

const ZONES: [Tz; 7] = [
    chrono_tz::Europe::Berlin,
    chrono_tz::America::New_York,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::Asia::Kolkata,
    chrono_tz::UTC,
    chrono_tz::Pacific::Apia,
    chrono_tz::America::Santiago,
];

const MINUTE: TimeDelta = TimeDelta::minutes(1);
const DAY_MINUTES: u32 = 1440;
const WEEK_MINUTES: i64 = 7 * 1440;

/// Per zone, the instants worth testing around: every change of its offset
/// from 2025 to 2027 (to the hour) and each local New Year's midnight.
static ANCHORS: LazyLock<Vec<Vec<DateTime<Utc>>>> = LazyLock::new(|| {
    ZONES
        .iter()
        .map(|tz| {
            let offset = |at: DateTime<Utc>| at.with_timezone(tz).offset().to_string();
            let mut anchors: Vec<_> = (2025..=2028)
                .map(|year| {
                    tz.with_ymd_and_hms(year, 1, 1, 0, 0, 0)
                        .earliest()
                        .unwrap()
                        .with_timezone(&Utc)
                })
                .collect();
            let mut at = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
            while at.year() < 2028 {
                let next = at + TimeDelta::hours(1);
                if offset(at) != offset(next) {
                    anchors.push(next);
                }
                at = next;
            }
            anchors
        })
        .collect()
});

/// A calendar as data, for the reference to read without the crate's help.
#[derive(Debug, Clone)]
struct Spec {
    tz: Tz,
    intervals: Vec<OpenInterval>,
    holidays: BTreeSet<NaiveDate>,
}

impl Spec {
    fn calendar(&self) -> BusinessCalendar {
        BusinessCalendar::new(self.tz, self.intervals.iter().copied(), self.holidays.iter().copied()).unwrap()
    }

    /// The definition: the wall clock at `at` shows a time inside an interval
    /// that opened on a non-holiday date (today, or yesterday past midnight).
    fn is_open(&self, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&self.tz).naive_local();
        let today = local.date();
        [today.pred_opt().unwrap(), today].into_iter().any(|date| {
            !self.holidays.contains(&date)
                && self.intervals.iter().any(|interval| {
                    let open = date.and_time(interval.open);
                    let close_date = if interval.close > interval.open {
                        date
                    } else {
                        date.succ_opt().unwrap()
                    };
                    interval.day == date.weekday() && open <= local && local < close_date.and_time(interval.close)
                })
        })
    }

    /// Open minutes in `[from, to)`.
    fn open_minutes(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        minutes(from, to).filter(|m| self.is_open(*m)).count() as i64
    }
}

fn minutes(from: DateTime<Utc>, to: DateTime<Utc>) -> impl Iterator<Item = DateTime<Utc>> {
    std::iter::successors(Some(from), |m| Some(*m + MINUTE)).take_while(move |m| *m < to)
}

fn weekday(index: u32) -> Weekday {
    Weekday::try_from(u8::try_from(index).unwrap()).unwrap()
}

fn time(minute_of_day: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(minute_of_day / 60, minute_of_day % 60, 0).unwrap()
}

/// Where an interval lies on the week's circle, in minutes from Monday 00:00.
fn week_span(interval: &OpenInterval) -> (i64, i64) {
    let minute = |t: NaiveTime| t.signed_duration_since(NaiveTime::MIN).num_minutes();
    let start = i64::from(interval.day.num_days_from_monday()) * 1440 + minute(interval.open);
    let mut length = minute(interval.close) - minute(interval.open);
    if length <= 0 {
        length += 1440;
    }
    (start, start + length)
}

/// The reference overlap test: two arcs on the week's circle meet.
fn overlap(a: &OpenInterval, b: &OpenInterval) -> bool {
    let ((a0, a1), (b0, b1)) = (week_span(a), week_span(b));
    [-WEEK_MINUTES, 0, WEEK_MINUTES]
        .iter()
        .any(|shift| a0 < b1 + shift && b0 + shift < a1)
}

/// Interval openings, half of them near midnight and the small hours where
/// DST changes happen.
fn opening() -> impl Strategy<Value = u32> {
    prop_oneof![
        0..DAY_MINUTES,
        (
            prop::sample::select(vec![22u32, 23, 0, 1, 2, 3]),
            prop::sample::select(vec![0u32, 15, 30, 45])
        )
            .prop_map(|(h, m)| h * 60 + m),
    ]
}

/// Raw `(weekday, open, close)` in minutes, non-empty, possibly overlapping.
fn raw_interval() -> impl Strategy<Value = OpenInterval> {
    (0..7u32, opening(), prop_oneof![1..240u32, 1..DAY_MINUTES]).prop_map(|(day, open, length)| {
        OpenInterval::new(weekday(day), time(open), time((open + length) % DAY_MINUTES))
    })
}

/// A valid calendar and an anchor instant to test around.
fn calendar() -> impl Strategy<Value = (Spec, DateTime<Utc>)> {
    (
        0..ZONES.len(),
        any::<Index>(),
        prop::collection::vec(raw_interval(), 0..10),
        prop::collection::vec(-3i64..7, 0..4),
    )
        .prop_map(|(zone, anchor, raw, holidays)| {
            let tz = ZONES[zone];
            let anchor = *anchor.get(&ANCHORS[zone]);
            // Keep each interval that fits with those kept before it.
            let mut intervals: Vec<OpenInterval> = Vec::new();
            for interval in raw {
                if !intervals.iter().any(|kept| overlap(kept, &interval)) {
                    intervals.push(interval);
                }
            }
            let near = anchor.with_timezone(&tz).date_naive();
            let holidays = holidays.into_iter().map(|d| near + TimeDelta::days(d)).collect();
            (
                Spec {
                    tz,
                    intervals,
                    holidays,
                },
                anchor,
            )
        })
}

/// Two days either side of an anchor, on a whole minute.
fn around(anchor: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
    anchor + TimeDelta::minutes(minutes)
}

const NEAR: std::ops::Range<i64> = -2 * 1440..2 * 1440;

/// The deadline by the definition, minute by minute up to `until`: the first
/// `t` with enough open, unpaused minutes behind it that is not strictly
/// inside a pause. `None` inside means "never"; an outer `None` means the
/// answer lies past `until`.
fn reference_deadline(
    spec: &Spec,
    start: DateTime<Utc>,
    need: i64,
    pauses: &[(DateTime<Utc>, Option<DateTime<Utc>>)],
    until: DateTime<Utc>,
) -> Option<Option<DateTime<Utc>>> {
    let paused = |m: DateTime<Utc>| pauses.iter().any(|&(from, to)| from <= m && to.is_none_or(|to| m < to));
    let inside = |t: DateTime<Utc>| pauses.iter().any(|&(from, to)| from < t && to.is_none_or(|to| t < to));
    let mut elapsed = 0;
    let mut t = start;
    loop {
        if elapsed >= need && !inside(t) {
            return Some(Some(t));
        }
        if t >= until {
            break;
        }
        if spec.is_open(t) && !paused(t) {
            elapsed += 1;
        }
        t += MINUTE;
    }
    // Every instant after an unended pause begins is inside it.
    let unended = pauses.last().is_some_and(|&(from, to)| to.is_none() && from < until);
    unended.then_some(None)
}

/// Time-ordered, non-overlapping pauses from `first` on, the last maybe unended.
fn pauses() -> impl Strategy<Value = (Vec<(i64, i64)>, bool)> {
    (
        prop::collection::vec((prop_oneof![Just(0i64), 0..600i64], 1..600i64), 0..4),
        any::<bool>(),
    )
}

fn lay_out(first: DateTime<Utc>, gaps: &[(i64, i64)], unended: bool) -> Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> {
    let mut at = first;
    let mut pauses = Vec::new();
    for &(gap, length) in gaps {
        let from = at + TimeDelta::minutes(gap);
        at = from + TimeDelta::minutes(length);
        pauses.push((from, Some(at)));
    }
    if unended && let Some(last) = pauses.last_mut() {
        last.1 = None;
    }
    pauses
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn counts_what_the_wall_clock_shows(
        (spec, anchor) in calendar(),
        start in NEAR,
        length in 0..3 * 1440i64,
    ) {
        let cal = spec.calendar();
        let from = around(anchor, start);
        let to = from + TimeDelta::minutes(length);
        prop_assert_eq!(cal.business_seconds_between(from, to), spec.open_minutes(from, to) * 60);
        prop_assert_eq!(cal.business_seconds_between(to, from), 0);
    }

    #[test]
    fn deadlines_are_the_first_instant_with_enough_time(
        (spec, anchor) in calendar(),
        start in NEAR,
        pick in any::<Index>(),
    ) {
        let cal = spec.calendar();
        let start = around(anchor, start);
        let open: Vec<_> = minutes(start, start + TimeDelta::days(4)).filter(|m| spec.is_open(*m)).collect();
        let n = pick.index(open.len() + 1);
        let expected = if n == 0 { start } else { open[n - 1] + MINUTE };
        let seconds = n as i64 * 60;
        prop_assert_eq!(cal.add_business_seconds(start, seconds), Some(expected));
        prop_assert_eq!(cal.business_seconds_between(start, expected), seconds);
        if n > 0 {
            prop_assert_eq!(cal.business_seconds_between(start, expected - TimeDelta::seconds(1)), seconds - 1);
        }
    }

    #[test]
    fn deadlines_skip_pauses(
        (spec, anchor) in calendar(),
        start in NEAR,
        need in prop_oneof![0..3i64, 0..900i64],
        (gaps, unended) in pauses(),
        lead in prop_oneof![Just(0i64), 0..180i64],
    ) {
        let cal = spec.calendar();
        let start = around(anchor, start);
        let pauses = lay_out(start - TimeDelta::minutes(lead), &gaps, unended);
        let until = start + TimeDelta::days(4);
        // Without an answer within the window the reference cannot judge.
        if let Some(expected) = reference_deadline(&spec, start, need, &pauses, until) {
            prop_assert_eq!(cal.deadline_with_pauses(start, need * 60, &pauses), expected);
        }
    }

    #[test]
    fn open_instants_match_the_definition((spec, anchor) in calendar(), seconds in -2 * 86_400..2 * 86_400i64) {
        let at = anchor + TimeDelta::seconds(seconds);
        prop_assert_eq!(spec.calendar().is_open_at(at), spec.is_open(at));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn counting_is_additive(
        (spec, anchor) in calendar(),
        a in -2 * 86_400..2 * 86_400i64,
        ab in 0..3 * 86_400i64,
        bc in 0..3 * 86_400i64,
    ) {
        let cal = spec.calendar();
        let a = anchor + TimeDelta::seconds(a);
        let b = a + TimeDelta::seconds(ab);
        let c = b + TimeDelta::seconds(bc);
        prop_assert_eq!(
            cal.business_seconds_between(a, c),
            cal.business_seconds_between(a, b) + cal.business_seconds_between(b, c)
        );
    }

    #[test]
    fn whole_second_deadlines_round_trip(
        (spec, anchor) in calendar(),
        start in -2 * 86_400..2 * 86_400i64,
        seconds in 0..5 * 86_400i64,
    ) {
        let cal = spec.calendar();
        let start = anchor + TimeDelta::seconds(start);
        let Some(due) = cal.add_business_seconds(start, seconds) else {
            // Only a calendar too sparse (or empty) to give that much within the horizon has no deadline.
            let horizon = start + TimeDelta::days(SEARCH_HORIZON_DAYS);
            prop_assert!(cal.business_seconds_between(start, horizon) < seconds);
            return Ok(());
        };
        prop_assert_eq!(cal.business_seconds_between(start, due), seconds);
        if seconds > 0 {
            prop_assert_eq!(cal.business_seconds_between(start, due - TimeDelta::seconds(1)), seconds - 1);
            prop_assert!(cal.is_open_at(due - TimeDelta::seconds(1)));
        }
    }

    #[test]
    fn validation_refuses_exactly_the_overlaps(raw in prop::collection::vec(raw_interval(), 0..6), empty in 0..3usize) {
        let mut intervals = raw;
        // Sometimes make one interval empty.
        if let Some(interval) = intervals.get_mut(empty) && empty == 0 {
            interval.close = interval.open;
        }
        let zero = intervals.iter().any(|i| i.open == i.close);
        let overlapping = intervals
            .iter()
            .enumerate()
            .any(|(i, a)| intervals[i + 1..].iter().any(|b| overlap(a, b)));
        match BusinessCalendar::new(chrono_tz::UTC, intervals.iter().copied(), []) {
            Ok(_) => prop_assert!(!zero && !overlapping),
            Err(CalendarError::ZeroLength(_)) => prop_assert!(zero),
            Err(CalendarError::Overlap { .. }) => prop_assert!(overlapping && !zero),
            Err(other) => prop_assert!(false, "unexpected {other}"),
        }
    }

    #[test]
    fn always_open_agrees_with_the_calendar_clock(
        start in 0..86_400i64,
        seconds in prop_oneof![0..3i64, 0..86_400i64],
        (gaps, unended) in pauses(),
        lead in prop_oneof![Just(0i64), 0..180i64],
    ) {
        let start = Utc.with_ymd_and_hms(2026, 3, 29, 0, 0, 0).unwrap() + TimeDelta::seconds(start);
        let pauses = lay_out(start - TimeDelta::minutes(lead), &gaps, unended);
        prop_assert_eq!(
            BusinessCalendar::always_open().deadline_with_pauses(start, seconds, &pauses),
            CalendarClock.deadline(start, seconds, &pauses)
        );
    }
}
