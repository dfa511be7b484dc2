//! Cutting a report's range into calendar periods of a time zone.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use crate::macros::named_enum;

named_enum! {
    /// The calendar period a report groups by. Periods start at local
    /// midnight; weeks on Monday (ISO).
    Period as "period" {
        Day => "DAY",
        Week => "WEEK",
        Month => "MONTH",
        Quarter => "QUARTER",
        Year => "YEAR",
    }
}

/// A half-open span of time `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Bucket {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// A report's range `[from, to)`, with instants after "now" taken as now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("`from` must be before `to`")]
    EmptyRange,
    #[error("grouping this range by {period} makes {buckets} buckets; at most {max} are allowed")]
    TooManyBuckets { period: Period, buckets: usize, max: usize },
}

/// The most buckets one report may have: a day-by-day report over 25 years.
pub const MAX_BUCKETS: usize = 9_200;

impl Range {
    /// The range as asked for, clipped to `now`. Fails when `from` is not
    /// before `to` as asked.
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>, now: DateTime<Utc>) -> Result<Self, PlanError> {
        if from >= to {
            return Err(PlanError::EmptyRange);
        }
        Ok(Self {
            from: from.min(now),
            to: to.min(now),
        })
    }
}

/// The buckets of `range` grouped by `period` in `tz`, the first and last
/// clipped to the range; with no period, one bucket equal to the range.
/// A range entirely in the future (empty after clipping to now) has no
/// buckets when grouped.
pub fn plan_buckets(range: Range, tz: Tz, period: Option<Period>) -> Result<Vec<Bucket>, PlanError> {
    let Some(period) = period else {
        return Ok(vec![Bucket {
            start: range.from,
            end: range.to,
        }]);
    };
    let mut buckets = Vec::new();
    let mut day = period.first_day(range.from.with_timezone(&tz).date_naive());
    let mut start = local_midnight(tz, day);
    while start < range.to {
        let next_day = period.next(day);
        let end = local_midnight(tz, next_day);
        if end > range.from {
            buckets.push(Bucket {
                start: start.max(range.from),
                end: end.min(range.to),
            });
            if buckets.len() > MAX_BUCKETS {
                return Err(PlanError::TooManyBuckets {
                    period,
                    buckets: estimate(range, period),
                    max: MAX_BUCKETS,
                });
            }
        }
        (day, start) = (next_day, end);
    }
    Ok(buckets)
}

/// At most how many buckets a report over `[from, to)` grouped by `period`
/// has, in any time zone, without planning them: what the API charges a
/// report before running it. One bucket without a period; an empty range
/// still costs one.
pub fn bucket_bound(from: DateTime<Utc>, to: DateTime<Utc>, period: Option<Period>) -> usize {
    let Some(period) = period else { return 1 };
    // Whole days in the range, plus one for the first partial period and one
    // for a time zone that shifts the range across a period's edge.
    let days = usize::try_from((to - from).num_days()).unwrap_or(0);
    let shortest = match period {
        Period::Day => 1,
        Period::Week => 7,
        Period::Month => 28,
        Period::Quarter => 89,
        Period::Year => 365,
    };
    days / shortest + 2
}

fn estimate(range: Range, period: Period) -> usize {
    let days = (range.to - range.from).num_days().max(0) as usize;
    days / match period {
        Period::Day => 1,
        Period::Week => 7,
        Period::Month => 30,
        Period::Quarter => 91,
        Period::Year => 365,
    }
}

impl Period {
    /// The first day of the period that contains `date`.
    fn first_day(self, date: NaiveDate) -> NaiveDate {
        let month_start = |month| NaiveDate::from_ymd_opt(date.year(), month, 1).unwrap_or(date);
        match self {
            Period::Day => date,
            Period::Week => date - Days::new(u64::from(date.weekday().num_days_from_monday())),
            Period::Month => month_start(date.month()),
            Period::Quarter => month_start((date.month0() / 3) * 3 + 1),
            Period::Year => month_start(1),
        }
    }

    /// The first day of the next period, from the first day of one.
    fn next(self, first: NaiveDate) -> NaiveDate {
        let later = match self {
            Period::Day => first.checked_add_days(Days::new(1)),
            Period::Week => first.checked_add_days(Days::new(7)),
            Period::Month => first.checked_add_months(Months::new(1)),
            Period::Quarter => first.checked_add_months(Months::new(3)),
            Period::Year => first.checked_add_months(Months::new(12)),
        };
        later.unwrap_or(NaiveDate::MAX)
    }
}

/// The instant a local date begins in `tz`: its midnight, or, where a
/// daylight-saving change skips midnight, the moment the clocks jump
/// (midnight read with the offset in force before the jump).
fn local_midnight(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    if let Some(at) = tz.from_local_datetime(&midnight).earliest() {
        return at.with_timezone(&Utc);
    }
    let offset_before = tz
        .offset_from_utc_datetime(&(midnight - chrono::TimeDelta::days(1)))
        .fix();
    (midnight - offset_before).and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_bound_is_never_below_the_planned_buckets() {
        let from = Utc.with_ymd_and_hms(2025, 12, 31, 22, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 12, 31, 22, 0, 0).unwrap();
        let range = Range::new(from, to, to).unwrap();
        for zone in [chrono_tz::UTC, chrono_tz::Pacific::Kiritimati, chrono_tz::America::Adak] {
            for period in [Period::Day, Period::Week, Period::Month, Period::Quarter, Period::Year] {
                let planned = plan_buckets(range, zone, Some(period)).unwrap().len();
                let bound = bucket_bound(from, to, Some(period));
                assert!(planned <= bound, "{period} in {zone}: {planned} planned, bound {bound}");
                assert!(
                    bound <= planned + 2,
                    "{period} in {zone}: bound {bound} far above {planned}"
                );
            }
        }
        assert_eq!(bucket_bound(from, to, None), 1);
        assert_eq!(bucket_bound(to, from, Some(Period::Day)), 2);
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn range(from: &str, to: &str) -> Range {
        Range::new(at(from), at(to), at("2100-01-01T00:00:00Z")).unwrap()
    }

    fn hours(b: &Bucket) -> i64 {
        (b.end - b.start).num_hours()
    }

    #[test]
    fn berlin_days_around_both_changes_last_23_and_25_hours() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let spring = plan_buckets(
            range("2026-03-27T23:00:00Z", "2026-03-30T22:00:00Z"),
            berlin,
            Some(Period::Day),
        )
        .unwrap();
        assert_eq!(spring.iter().map(hours).collect::<Vec<_>>(), [24, 23, 24]);
        assert_eq!(spring[1].start, at("2026-03-29T00:00:00+01:00"));
        let autumn = plan_buckets(
            range("2026-10-23T22:00:00Z", "2026-10-26T23:00:00Z"),
            berlin,
            Some(Period::Day),
        )
        .unwrap();
        assert_eq!(autumn.iter().map(hours).collect::<Vec<_>>(), [24, 25, 24]);
    }

    #[test]
    fn first_and_last_buckets_are_clipped() {
        let utc: Tz = "UTC".parse().unwrap();
        let b = plan_buckets(
            range("2026-01-15T12:00:00Z", "2026-03-10T00:00:00Z"),
            utc,
            Some(Period::Month),
        )
        .unwrap();
        assert_eq!(
            b,
            [
                Bucket {
                    start: at("2026-01-15T12:00:00Z"),
                    end: at("2026-02-01T00:00:00Z")
                },
                Bucket {
                    start: at("2026-02-01T00:00:00Z"),
                    end: at("2026-03-01T00:00:00Z")
                },
                Bucket {
                    start: at("2026-03-01T00:00:00Z"),
                    end: at("2026-03-10T00:00:00Z")
                },
            ]
        );
    }

    #[test]
    fn weeks_are_iso_and_quarters_calendar() {
        let utc: Tz = "UTC".parse().unwrap();
        // 2027-01-01 is a Friday: its ISO week began on Monday 2026-12-28.
        let w = plan_buckets(
            range("2026-12-28T00:00:00Z", "2027-01-11T00:00:00Z"),
            utc,
            Some(Period::Week),
        )
        .unwrap();
        assert_eq!(w.len(), 2);
        assert_eq!(w[1].start, at("2027-01-04T00:00:00Z"));
        let q = plan_buckets(
            range("2026-02-01T00:00:00Z", "2027-01-01T00:00:00Z"),
            utc,
            Some(Period::Quarter),
        )
        .unwrap();
        let starts: Vec<_> = q.iter().map(|b| b.start).collect();
        assert_eq!(
            starts,
            [
                at("2026-02-01T00:00:00Z"),
                at("2026-04-01T00:00:00Z"),
                at("2026-07-01T00:00:00Z"),
                at("2026-10-01T00:00:00Z")
            ]
        );
    }

    #[test]
    fn a_midnight_skipped_by_dst_starts_the_day_at_the_jump() {
        // Chile moved clocks from 00:00 to 01:00 on 2026-09-06.
        let santiago: Tz = "America/Santiago".parse().unwrap();
        let b = plan_buckets(
            range("2026-09-05T00:00:00Z", "2026-09-08T00:00:00Z"),
            santiago,
            Some(Period::Day),
        )
        .unwrap();
        let day = b
            .iter()
            .find(|b| b.start == at("2026-09-06T04:00:00Z"))
            .expect("the short day starts at the jump");
        assert_eq!(hours(day), 23);
    }

    #[test]
    fn no_period_is_one_bucket_and_future_is_clipped_to_now() {
        let utc: Tz = "UTC".parse().unwrap();
        let r = Range::new(
            at("2026-01-01T00:00:00Z"),
            at("2027-01-01T00:00:00Z"),
            at("2026-06-01T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(r.to, at("2026-06-01T00:00:00Z"));
        assert_eq!(plan_buckets(r, utc, None).unwrap().len(), 1);
        assert_eq!(
            Range::new(
                at("2026-01-01T00:00:00Z"),
                at("2026-01-01T00:00:00Z"),
                at("2026-06-01T00:00:00Z")
            ),
            Err(PlanError::EmptyRange)
        );
        let daily = Range::new(
            at("2000-01-01T00:00:00Z"),
            at("2030-01-01T00:00:00Z"),
            at("2030-01-01T00:00:00Z"),
        )
        .unwrap();
        assert!(matches!(
            plan_buckets(daily, utc, Some(Period::Day)),
            Err(PlanError::TooManyBuckets { .. })
        ));
    }
}
