//! Business time on hand-picked calendars: a plain office week, DST days,
//! a night shift over New Year, Lord Howe's half-hour DST, Chile's DST at
//! midnight, and calendars that never open.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use helpdesk_domain::calendar::{BusinessCalendar, CalendarError, OpenInterval, SEARCH_HORIZON_DAYS};
use helpdesk_domain::sla::{CalendarClock, WorkingClock};

const HOUR: i64 = 3600;

fn hm(time: &str) -> NaiveTime {
    NaiveTime::parse_from_str(time, "%H:%M").unwrap()
}

fn iv(day: Weekday, open: &str, close: &str) -> OpenInterval {
    OpenInterval::new(day, hm(open), hm(close))
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A local wall-clock time that exists exactly once.
fn local(tz: Tz, s: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    tz.from_local_datetime(&naive).single().unwrap().with_timezone(&Utc)
}

fn office_week() -> BusinessCalendar {
    let days = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
    BusinessCalendar::new(chrono_tz::Europe::Berlin, days.map(|d| iv(d, "09:00", "17:00")), []).unwrap()
}

#[test]
fn an_office_week_counts_its_hours() {
    let cal = office_week();
    let at = |s| local(chrono_tz::Europe::Berlin, s);
    // 2026-03-02 is a Monday.
    assert_eq!(
        cal.business_seconds_between(at("2026-03-02 08:00"), at("2026-03-02 18:00")),
        8 * HOUR
    );
    assert_eq!(
        cal.business_seconds_between(at("2026-03-06 16:00"), at("2026-03-09 10:00")),
        2 * HOUR
    );
    assert_eq!(
        cal.business_seconds_between(at("2026-03-02 00:00"), at("2026-03-09 00:00")),
        40 * HOUR
    );
    assert_eq!(
        cal.business_seconds_between(at("2026-03-02 18:00"), at("2026-03-02 08:00")),
        0
    );
    assert_eq!(
        cal.business_seconds_between(at("2026-03-07 08:00"), at("2026-03-08 18:00")),
        0,
        "weekend"
    );
    let half = at("2026-03-02 09:00") + TimeDelta::milliseconds(500);
    assert_eq!(
        cal.business_seconds_between(half, at("2026-03-02 09:00") + TimeDelta::seconds(2)),
        1
    );

    assert!(cal.is_open_at(at("2026-03-02 09:00")));
    assert!(cal.is_open_at(at("2026-03-02 17:00") - TimeDelta::seconds(1)));
    assert!(!cal.is_open_at(at("2026-03-02 17:00")));
}

#[test]
fn an_office_week_sets_deadlines() {
    let cal = office_week();
    let at = |s| local(chrono_tz::Europe::Berlin, s);
    let add = |s, secs| cal.add_business_seconds(at(s), secs);
    assert_eq!(add("2026-03-06 16:00", 2 * HOUR), Some(at("2026-03-09 10:00")));
    assert_eq!(
        add("2026-03-02 09:00", 8 * HOUR),
        Some(at("2026-03-02 17:00")),
        "the close, not the next opening"
    );
    assert_eq!(
        add("2026-03-02 09:00", 8 * HOUR + 1),
        Some(at("2026-03-03 09:00") + TimeDelta::seconds(1))
    );
    assert_eq!(
        add("2026-03-07 12:00", 1),
        Some(at("2026-03-09 09:00") + TimeDelta::seconds(1))
    );
    assert_eq!(
        add("2026-03-07 12:00", 0),
        Some(at("2026-03-07 12:00")),
        "zero starts nothing"
    );
    assert_eq!(add("2026-03-07 12:00", -5), Some(at("2026-03-07 12:00")));
    assert_eq!(add("2026-03-02 09:00", 40 * HOUR), Some(at("2026-03-06 17:00")));
    assert_eq!(
        add("2026-03-02 09:00", i64::MAX),
        None,
        "past any representable instant"
    );
}

#[test]
fn pauses_stop_the_business_clock() {
    let cal = office_week();
    let at = |s| local(chrono_tz::Europe::Berlin, s);
    let start = at("2026-03-02 09:00");
    let deadline =
        |pauses: &[(DateTime<Utc>, Option<DateTime<Utc>>)]| cal.deadline_with_pauses(start, 4 * HOUR, pauses);
    assert_eq!(deadline(&[]), Some(at("2026-03-02 13:00")));
    // One hour runs before the pause; three remain at 15:00: two today, one tomorrow.
    assert_eq!(
        deadline(&[(at("2026-03-02 10:00"), Some(at("2026-03-02 15:00")))]),
        Some(at("2026-03-03 10:00"))
    );
    assert_eq!(deadline(&[(at("2026-03-02 10:00"), None)]), None, "pending for good");
    assert_eq!(
        deadline(&[(at("2026-03-02 13:00"), None)]),
        Some(at("2026-03-02 13:00")),
        "paused the instant it fell due"
    );
    assert_eq!(
        deadline(&[(at("2026-03-02 18:00"), Some(at("2026-03-03 08:00")))]),
        Some(at("2026-03-02 13:00")),
        "a pause after the deadline"
    );
    assert_eq!(
        deadline(&[
            (at("2026-02-27 10:00"), Some(at("2026-03-02 11:00"))),
            (at("2026-03-02 12:00"), Some(at("2026-03-02 12:30"))),
        ]),
        Some(at("2026-03-02 15:30")),
        "a pause begun before the start, then a short one"
    );
    assert_eq!(
        cal.deadline_with_pauses(start, 0, &[(at("2026-03-01 10:00"), Some(at("2026-03-02 11:00")))]),
        Some(at("2026-03-02 11:00")),
        "a pause in force at the start holds even a zero deadline"
    );
}

/// Berlin moves from 02:00 CET to 03:00 CEST on Sunday 2026-03-29.
#[test]
fn a_spring_forward_day_is_shorter() {
    let berlin = chrono_tz::Europe::Berlin;
    let cal = BusinessCalendar::new(berlin, [iv(Weekday::Sun, "01:00", "04:00")], []).unwrap();
    let (sat, mon) = (local(berlin, "2026-03-28 12:00"), local(berlin, "2026-03-30 12:00"));
    assert_eq!(cal.business_seconds_between(sat, mon), 2 * HOUR);
    assert!(cal.is_open_at(utc("2026-03-29T00:30:00Z")), "01:30 CET");
    assert!(cal.is_open_at(utc("2026-03-29T01:00:00Z")), "03:00 CEST");
    assert_eq!(cal.add_business_seconds(sat, HOUR), Some(utc("2026-03-29T01:00:00Z")));
    assert_eq!(
        cal.add_business_seconds(sat, 2 * HOUR),
        Some(utc("2026-03-29T02:00:00Z"))
    );
    assert_eq!(
        cal.add_business_seconds(sat, 3 * HOUR),
        Some(local(berlin, "2026-04-05 02:00")),
        "the next Sunday has all three hours"
    );

    // A night shift over the change: 22:00 to 06:00 shows 8 hours on the wall, 7 pass.
    let night = BusinessCalendar::new(berlin, [iv(Weekday::Sat, "22:00", "06:00")], []).unwrap();
    assert_eq!(night.business_seconds_between(sat, mon), 7 * HOUR);
}

/// Berlin moves from 03:00 CEST back to 02:00 CET on Sunday 2026-10-25.
#[test]
fn a_fall_back_day_is_longer() {
    let berlin = chrono_tz::Europe::Berlin;
    let cal = BusinessCalendar::new(berlin, [iv(Weekday::Sun, "01:00", "04:00")], []).unwrap();
    let (sat, mon) = (local(berlin, "2026-10-24 12:00"), local(berlin, "2026-10-26 12:00"));
    assert_eq!(cal.business_seconds_between(sat, mon), 4 * HOUR);
    assert_eq!(cal.add_business_seconds(sat, 0), Some(sat));
    assert_eq!(
        cal.add_business_seconds(sat, 1),
        Some(utc("2026-10-24T23:00:01Z")),
        "01:00 CEST"
    );
    assert_eq!(
        cal.add_business_seconds(sat, 4 * HOUR),
        Some(utc("2026-10-25T03:00:00Z")),
        "04:00 CET"
    );

    // Closing inside the repeated hour: open until the first 02:30, closed
    // until the clock turns back to 02:00, open again until the second 02:30.
    let cal = BusinessCalendar::new(berlin, [iv(Weekday::Sun, "01:00", "02:30")], []).unwrap();
    assert_eq!(cal.business_seconds_between(sat, mon), 2 * HOUR);
    assert!(cal.is_open_at(utc("2026-10-25T00:15:00Z")), "02:15 CEST");
    assert!(!cal.is_open_at(utc("2026-10-25T00:45:00Z")), "02:45 CEST");
    assert!(cal.is_open_at(utc("2026-10-25T01:15:00Z")), "02:15 CET");
    assert!(!cal.is_open_at(utc("2026-10-25T01:30:00Z")), "02:30 CET");
    assert_eq!(
        cal.add_business_seconds(sat, 90 * 60),
        Some(utc("2026-10-25T00:30:00Z"))
    );
    assert_eq!(
        cal.add_business_seconds(sat, 90 * 60 + 1),
        Some(utc("2026-10-25T01:00:01Z"))
    );

    let night = BusinessCalendar::new(berlin, [iv(Weekday::Sat, "22:00", "06:00")], []).unwrap();
    assert_eq!(night.business_seconds_between(sat, mon), 9 * HOUR);
}

#[test]
fn a_night_shift_over_new_year_with_a_holiday() {
    let ny = chrono_tz::America::New_York;
    let nightly = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ]
    .map(|d| iv(d, "22:00", "06:00"));
    let cal = BusinessCalendar::new(ny, nightly, [date("2027-01-01")]).unwrap();
    let at = |s| local(ny, s);

    // The shift that opens on New Year's Eve runs into the holiday; the one
    // that would open on the holiday does not.
    assert_eq!(
        cal.business_seconds_between(at("2026-12-31 12:00"), at("2027-01-02 12:00")),
        8 * HOUR
    );
    assert!(cal.is_open_at(at("2027-01-01 05:59")));
    assert!(!cal.is_open_at(at("2027-01-01 06:00")));
    assert!(!cal.is_open_at(at("2027-01-01 23:00")));
    assert!(!cal.is_open_at(at("2027-01-02 03:00")));
    assert!(cal.is_open_at(at("2027-01-02 22:00")));
    assert_eq!(
        cal.add_business_seconds(at("2026-12-31 23:00"), 8 * HOUR),
        Some(at("2027-01-02 23:00")),
        "seven hours into New Year's morning, the eighth on the 2nd's night shift"
    );
    assert_eq!(
        cal.add_business_seconds(at("2027-01-01 12:00"), HOUR),
        Some(at("2027-01-02 23:00"))
    );

    let no_holiday = BusinessCalendar::new(ny, nightly, []).unwrap();
    assert_eq!(
        no_holiday.business_seconds_between(at("2026-12-31 12:00"), at("2027-01-02 12:00")),
        16 * HOUR
    );
}

/// Lord Howe Island moves its clocks by half an hour: back from 02:00 +11:00
/// to 01:30 +10:30 on 2026-04-05, forward from 02:00 to 02:30 on 2026-10-04.
#[test]
fn lord_howe_moves_half_an_hour() {
    let lord_howe = chrono_tz::Australia::Lord_Howe;
    let cal = BusinessCalendar::new(lord_howe, [iv(Weekday::Sun, "01:00", "03:00")], []).unwrap();
    let sunday = |day: &str| {
        let from = local(lord_howe, &format!("{day} 00:00"));
        cal.business_seconds_between(from, from + TimeDelta::days(1))
    };
    assert_eq!(sunday("2026-04-05"), 5 * HOUR / 2);
    assert_eq!(sunday("2026-10-04"), 3 * HOUR / 2);
    assert_eq!(sunday("2026-04-12"), 2 * HOUR);
    assert_eq!(
        cal.add_business_seconds(local(lord_howe, "2026-10-04 00:00"), HOUR),
        Some(local(lord_howe, "2026-10-04 02:30")),
        "01:00-02:00 is the first hour; 02:00-02:30 never shows"
    );
    assert_eq!(
        cal.add_business_seconds(local(lord_howe, "2026-10-04 00:00"), 3 * HOUR / 2),
        Some(local(lord_howe, "2026-10-04 03:00"))
    );
}

/// Chile changes its clocks at midnight: on 2026-09-06 the wall clock jumps
/// from 00:00 to 01:00, and on 2026-04-05 from 00:00 back to 23:00 the day before.
#[test]
fn santiago_changes_at_midnight() {
    let santiago = chrono_tz::America::Santiago;
    let cal = BusinessCalendar::new(
        santiago,
        [iv(Weekday::Sat, "22:00", "00:00"), iv(Weekday::Sun, "00:00", "02:00")],
        [],
    )
    .unwrap();
    let weekend = |sat: &str| {
        let from = local(santiago, &format!("{sat} 12:00"));
        cal.business_seconds_between(from, from + TimeDelta::days(1))
    };
    assert_eq!(weekend("2026-08-29"), 4 * HOUR);
    assert_eq!(weekend("2026-09-05"), 3 * HOUR, "Sunday's first hour never shows");
    assert_eq!(weekend("2026-04-04"), 5 * HOUR, "Saturday's last hour shows twice");
}

#[test]
fn a_calendar_that_never_opens_has_no_deadlines() {
    let start = utc("2026-01-01T00:00:00Z");
    let closed = BusinessCalendar::new(chrono_tz::Europe::Berlin, [], []).unwrap();
    assert_eq!(closed.add_business_seconds(start, 60), None);
    assert_eq!(closed.add_business_seconds(start, 0), Some(start));
    assert_eq!(closed.deadline_with_pauses(start, 60, &[]), None);
    assert_eq!(closed.business_seconds_between(start, start + TimeDelta::days(400)), 0);
    assert!(!closed.is_open_at(start));

    // Open one hour on Mondays, every Monday a holiday for longer than the
    // search looks: it gives up instead of searching on.
    let mondays = |years: i64| {
        (0..years * 53)
            .map(|week| date("2026-01-05") + TimeDelta::weeks(week))
            .collect::<Vec<_>>()
    };
    let hour = [iv(Weekday::Mon, "09:00", "10:00")];
    let shut = BusinessCalendar::new(chrono_tz::Europe::Berlin, hour, mondays(11)).unwrap();
    const { assert!(SEARCH_HORIZON_DAYS < 11 * 365) };
    assert_eq!(shut.add_business_seconds(start, 60), None);
    let nine = BusinessCalendar::new(chrono_tz::Europe::Berlin, hour, mondays(9)).unwrap();
    let found = nine.add_business_seconds(start, 60).unwrap();
    assert_eq!(found.date_naive(), date("2026-01-05") + TimeDelta::weeks(9 * 53));
}

#[test]
fn always_open_is_the_calendar_clock() {
    let cal = BusinessCalendar::always_open();
    let start = utc("2026-03-29T00:30:00Z");
    assert!(cal.is_always_open());
    assert!(cal.intervals().is_empty());
    assert_eq!(
        cal.business_seconds_between(start, start + TimeDelta::days(3)),
        3 * 86_400
    );
    assert_eq!(cal.add_business_seconds(start, 7), Some(start + TimeDelta::seconds(7)));
    assert_eq!(
        cal.add_business_seconds(start, 20 * 365 * 86_400),
        Some(start + TimeDelta::days(20 * 365)),
        "no search horizon"
    );
    let m = |minutes: i64| start + TimeDelta::minutes(minutes);
    for pauses in [
        vec![],
        vec![(m(10), Some(m(40)))],
        vec![(m(10), None)],
        vec![(m(-10), Some(m(5))), (m(80), Some(m(85)))],
        vec![(m(0), Some(m(5)))],
        vec![(m(-5), None)],
    ] {
        for seconds in [0, 1, 3600] {
            assert_eq!(
                cal.deadline_with_pauses(start, seconds, &pauses),
                CalendarClock.deadline(start, seconds, &pauses),
                "{seconds} s with {pauses:?}"
            );
        }
    }
}

#[test]
fn refuses_hours_that_make_no_sense() {
    let berlin = chrono_tz::Europe::Berlin;
    let empty = iv(Weekday::Tue, "09:00", "09:00");
    assert_eq!(
        BusinessCalendar::new(berlin, [empty], []),
        Err(CalendarError::ZeroLength(empty))
    );
    let (night, morning) = (iv(Weekday::Sun, "22:00", "06:00"), iv(Weekday::Mon, "05:00", "09:00"));
    let err = BusinessCalendar::new(berlin, [morning, night], []).unwrap_err();
    assert_eq!(
        err,
        CalendarError::Overlap {
            first: night,
            second: morning
        }
    );
    assert_eq!(
        err.to_string(),
        "opening hours Sun 22:00:00-06:00:00 and Mon 05:00:00-09:00:00 overlap"
    );
    assert!(BusinessCalendar::new(berlin, [night, iv(Weekday::Mon, "06:00", "09:00")], []).is_ok());
}
