//! When seeded tickets arrive: a year of hours weighted like a real desk's
//! inbox (busy on weekday office hours, quiet at night and on weekends,
//! Mondays heaviest, volume growing over the year).

use chrono::{DateTime, Datelike, DurationRound, TimeDelta, Timelike, Utc, Weekday};

pub const HISTORY_DAYS: i64 = 365;

/// Office hours the desk keeps (UTC): weekdays 08:00-18:00.
pub fn in_office_hours(at: DateTime<Utc>) -> bool {
    let weekday = !matches!(at.weekday(), Weekday::Sat | Weekday::Sun);
    weekday && (8..18).contains(&at.hour())
}

/// The first instant at or after `at` within office hours.
pub fn next_office_hour(at: DateTime<Utc>) -> DateTime<Utc> {
    let mut t = at;
    // At most a weekend plus a night away: 3 days of hours.
    for _ in 0..80 {
        if in_office_hours(t) {
            return t;
        }
        t = t.duration_trunc(TimeDelta::hours(1)).unwrap_or(t) + TimeDelta::hours(1);
    }
    t
}

/// Cumulative arrival weights, one per hour of the seeded year.
pub struct Arrivals {
    start: DateTime<Utc>,
    cumulative: Vec<f64>,
}

impl Arrivals {
    /// The year of whole hours ending at the last full hour before `until`.
    pub fn before(until: DateTime<Utc>) -> Self {
        let end = until.duration_trunc(TimeDelta::hours(1)).unwrap_or(until);
        let start = end - TimeDelta::days(HISTORY_DAYS);
        let hours = HISTORY_DAYS * 24;
        let mut total = 0.0;
        let cumulative = (0..hours)
            .map(|i| {
                let at = start + TimeDelta::hours(i);
                let growth = 0.75 + 0.5 * (i as f64 / hours as f64);
                total += weight(at) * growth;
                total
            })
            .collect();
        Self { start, cumulative }
    }

    /// The arrival at quantile `u` (in [0, 1)), `second` seconds into its hour.
    pub fn at(&self, u: f64, second: i64) -> DateTime<Utc> {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let hour = self.cumulative.partition_point(|&c| c <= u * total);
        let hour = hour.min(self.cumulative.len().saturating_sub(1));
        self.start + TimeDelta::hours(hour as i64) + TimeDelta::seconds(second.clamp(0, 3599))
    }
}

fn weight(at: DateTime<Utc>) -> f64 {
    let hour = at.hour();
    match at.weekday() {
        Weekday::Sat | Weekday::Sun => {
            if (9..18).contains(&hour) {
                1.5
            } else {
                0.3
            }
        }
        day => {
            let monday = if day == Weekday::Mon { 1.25 } else { 1.0 };
            monday
                * match hour {
                    8..=17 => 10.0,
                    6..=7 | 18..=21 => 3.0,
                    _ => 0.5,
                }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn office_hours_skip_nights_and_weekends() {
        let friday_evening = Utc.with_ymd_and_hms(2026, 3, 6, 19, 30, 0).unwrap();
        assert_eq!(
            next_office_hour(friday_evening),
            Utc.with_ymd_and_hms(2026, 3, 9, 8, 0, 0).unwrap()
        );
        let tuesday_noon = Utc.with_ymd_and_hms(2026, 3, 3, 12, 5, 0).unwrap();
        assert_eq!(next_office_hour(tuesday_noon), tuesday_noon);
    }

    #[test]
    fn arrivals_stay_inside_the_year_before_until() {
        let until = Utc.with_ymd_and_hms(2026, 11, 30, 10, 17, 0).unwrap();
        let arrivals = Arrivals::before(until);
        for u in [0.0, 0.25, 0.5, 0.999_999] {
            let at = arrivals.at(u, 3599);
            assert!(at < until && at >= until - TimeDelta::days(HISTORY_DAYS + 1), "{at}");
        }
    }
}
