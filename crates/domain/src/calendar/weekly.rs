//! The weekly pattern of opening hours, in local wall-clock time.

use std::fmt;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike, Weekday};

use super::error::CalendarError;

/// One stretch of opening hours in the week, in the calendar's local time.
///
/// `open < close` is a span within `day`. `close < open` is a shift that runs
/// past midnight (22:00-06:00): it belongs to `day`, the day it *opens*, so a
/// holiday on that date closes all of it and a holiday on the next date none
/// of it. `close` 00:00 thus means "until midnight", which is how a day open
/// until its very end is written (00:00-12:00 plus 12:00-00:00 is a whole day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpenInterval {
    pub day: Weekday,
    pub open: NaiveTime,
    pub close: NaiveTime,
}

impl OpenInterval {
    pub fn new(day: Weekday, open: NaiveTime, close: NaiveTime) -> Self {
        Self { day, open, close }
    }

    /// Whether the interval closes on the day after it opens.
    pub fn spans_midnight(&self) -> bool {
        self.close < self.open
    }

    /// Its length in local wall-clock time (a DST change can make the real
    /// time longer or shorter).
    pub fn length(&self) -> TimeDelta {
        let within_day = self.close - self.open;
        if self.spans_midnight() {
            within_day + TimeDelta::days(1)
        } else {
            within_day
        }
    }

    /// Its local span when it opens on `date` (which the caller picked to be
    /// a `day`): `[open, close)`, the close on the next date for a shift past
    /// midnight. `None` only at the end of chrono's calendar.
    pub(super) fn on(&self, date: NaiveDate) -> Option<(NaiveDateTime, NaiveDateTime)> {
        let open = date.and_time(self.open);
        let close_date = if self.spans_midnight() { date.succ_opt()? } else { date };
        Some((open, close_date.and_time(self.close)))
    }

    /// Where it starts in the week, in nanoseconds from Monday 00:00; with
    /// `length` this places every interval on one line, so overlaps (also
    /// those through midnight) are a comparison of neighbours.
    fn week_position(&self) -> i64 {
        let day = i64::from(self.day.num_days_from_monday()) * NANOS_PER_DAY;
        day + i64::from(self.open.num_seconds_from_midnight()) * NANOS_PER_SECOND + i64::from(self.open.nanosecond())
    }

    fn week_end(&self) -> i64 {
        self.week_position() + self.length().num_nanoseconds().unwrap_or(NANOS_PER_DAY)
    }
}

impl fmt::Display for OpenInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}-{}", self.day, self.open, self.close)
    }
}

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const NANOS_PER_DAY: i64 = 86_400 * NANOS_PER_SECOND;
const NANOS_PER_WEEK: i64 = 7 * NANOS_PER_DAY;

/// A validated week: no interval is empty, none overlaps another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct WeeklyHours {
    /// In week order (Monday 00:00 first), which is also the order in which
    /// a date's intervals open.
    intervals: Vec<OpenInterval>,
}

impl WeeklyHours {
    pub(super) fn new(intervals: impl IntoIterator<Item = OpenInterval>) -> Result<Self, CalendarError> {
        let mut intervals: Vec<OpenInterval> = intervals.into_iter().collect();
        for interval in &intervals {
            for time in [interval.open, interval.close] {
                // chrono keeps a leap second as nanoseconds past one billion.
                if time.nanosecond() >= 1_000_000_000 {
                    return Err(CalendarError::LeapSecond {
                        interval: *interval,
                        time,
                    });
                }
            }
            if interval.open == interval.close {
                return Err(CalendarError::ZeroLength(*interval));
            }
        }
        intervals.sort_by_key(OpenInterval::week_position);
        for pair in intervals.windows(2) {
            if pair[1].week_position() < pair[0].week_end() {
                return Err(CalendarError::Overlap {
                    first: pair[0],
                    second: pair[1],
                });
            }
        }
        // Only the last interval can run past the end of the week (each is
        // shorter than a day and they do not overlap), into Monday's first.
        if let (Some(first), Some(last)) = (intervals.first(), intervals.last())
            && intervals.len() > 1
            && last.week_end() - NANOS_PER_WEEK > first.week_position()
        {
            return Err(CalendarError::Overlap {
                first: *last,
                second: *first,
            });
        }
        Ok(Self { intervals })
    }

    pub(super) fn intervals(&self) -> &[OpenInterval] {
        &self.intervals
    }

    /// The intervals that open on `date`'s weekday, in opening order.
    pub(super) fn opening_on(&self, date: NaiveDate) -> impl Iterator<Item = &OpenInterval> {
        let day = date.weekday();
        self.intervals.iter().filter(move |interval| interval.day == day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn iv(day: Weekday, open: NaiveTime, close: NaiveTime) -> OpenInterval {
        OpenInterval::new(day, open, close)
    }

    #[test]
    fn lengths_count_past_midnight() {
        assert_eq!(iv(Weekday::Mon, hm(9, 0), hm(17, 0)).length(), TimeDelta::hours(8));
        assert_eq!(iv(Weekday::Mon, hm(22, 0), hm(6, 0)).length(), TimeDelta::hours(8));
        assert_eq!(iv(Weekday::Mon, hm(12, 0), hm(0, 0)).length(), TimeDelta::hours(12));
    }

    #[test]
    fn touching_intervals_are_fine() {
        let week = WeeklyHours::new([
            iv(Weekday::Mon, hm(12, 0), hm(0, 0)),
            iv(Weekday::Mon, hm(0, 0), hm(12, 0)),
            iv(Weekday::Sun, hm(22, 0), hm(0, 0)),
            iv(Weekday::Tue, hm(0, 0), hm(1, 0)),
        ])
        .unwrap();
        let days: Vec<_> = week.intervals().iter().map(|i| (i.day, i.open)).collect();
        assert_eq!(
            days,
            [
                (Weekday::Mon, hm(0, 0)),
                (Weekday::Mon, hm(12, 0)),
                (Weekday::Tue, hm(0, 0)),
                (Weekday::Sun, hm(22, 0))
            ]
        );
    }

    #[test]
    fn refuses_empty_and_overlapping_hours() {
        let empty = iv(Weekday::Wed, hm(9, 0), hm(9, 0));
        assert_eq!(WeeklyHours::new([empty]), Err(CalendarError::ZeroLength(empty)));

        let a = iv(Weekday::Wed, hm(9, 0), hm(12, 0));
        let b = iv(Weekday::Wed, hm(11, 59), hm(17, 0));
        assert_eq!(
            WeeklyHours::new([b, a]),
            Err(CalendarError::Overlap { first: a, second: b })
        );
        assert!(WeeklyHours::new([a, a]).is_err(), "the same interval twice");

        let night = iv(Weekday::Wed, hm(22, 0), hm(6, 0));
        let morning = iv(Weekday::Thu, hm(5, 0), hm(9, 0));
        assert_eq!(
            WeeklyHours::new([morning, night]),
            Err(CalendarError::Overlap {
                first: night,
                second: morning
            })
        );

        let sunday_night = iv(Weekday::Sun, hm(22, 0), hm(6, 0));
        let monday = iv(Weekday::Mon, hm(5, 30), hm(9, 0));
        assert_eq!(
            WeeklyHours::new([monday, sunday_night]),
            Err(CalendarError::Overlap {
                first: sunday_night,
                second: monday
            })
        );
        assert!(WeeklyHours::new([sunday_night, iv(Weekday::Mon, hm(6, 0), hm(9, 0))]).is_ok());
    }

    #[test]
    fn refuses_leap_seconds() {
        let leap = NaiveTime::from_hms_milli_opt(23, 59, 59, 1_500).unwrap();
        let interval = iv(Weekday::Fri, hm(9, 0), leap);
        assert_eq!(
            WeeklyHours::new([interval]),
            Err(CalendarError::LeapSecond { interval, time: leap })
        );
    }
}
