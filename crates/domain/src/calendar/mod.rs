//! Business time: which real seconds a desk's opening hours count.
//!
//! A [`BusinessCalendar`] is weekly opening hours in an IANA time zone, minus
//! holidays. The SLA and KPI `BUSINESS` clock counts only its open seconds;
//! [`BusinessCalendar::always_open`] is the `CALENDAR` clock, which counts
//! every second.
//!
//! # Which seconds are open
//!
//! A real instant is open when the zone's wall clock at that instant shows a
//! date and time inside an [`OpenInterval`] that opened on a date that is not a
//! holiday: `open <= local < close`, with `close` on the next date for a
//! shift past midnight. Everything else follows from asking the wall clock:
//!
//! - Local times that do not exist (the hour skipped in spring) are never
//!   shown, so they are never open: 01:00-04:00 on Berlin's spring-forward
//!   day is 2 real hours.
//! - Local times shown twice (the hour repeated in autumn) are open both
//!   times, each real second counted once: 01:00-04:00 on the fall-back day
//!   is 4 real hours. An interval that ends inside the repeated hour, say
//!   01:00-02:30, is open until the first 02:30, closed from then until the
//!   clock turns back to 02:00, and open again until the second 02:30.
//! - A holiday closes the intervals that *open* on it; the tail of a night
//!   shift that began the evening before still counts.
//!
//! The other common rule, "map each date's open to its earliest UTC instant
//! and its close to the latest, count what lies between", gives the same
//! counts except when an open or close time falls inside a repeated hour:
//! for 01:00-02:30 above it would count 2½ hours, including the half hour
//! between the first 02:30 and the turn back, which the wall clock shows as
//! 02:30-03:00. (Times inside a skipped hour have no UTC instant to map to;
//! read as the moment the clock jumps, that rule agrees with this one.)
//!
//! Counting walks the timeline in stretches of constant UTC offset of at
//! most a day, intersecting each with the local intervals of the dates it
//! shows: O(days) per question, never minute by minute.

mod deadline;
mod error;
mod spans;
mod weekly;
mod zone;

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

pub use deadline::SEARCH_HORIZON_DAYS;
pub use error::CalendarError;
pub use weekly::OpenInterval;
use weekly::WeeklyHours;

/// Weekly opening hours in a time zone, minus holidays. See the module
/// documentation for exactly which seconds are open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessCalendar {
    tz: Tz,
    hours: Hours,
    holidays: BTreeSet<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Hours {
    /// Every second, in any zone: kept apart from weekly hours so the
    /// CALENDAR clock is plain arithmetic, with no horizon and no DST.
    Always,
    Weekly(WeeklyHours),
}

impl BusinessCalendar {
    /// A calendar open during `intervals` of each week in `tz`, except the
    /// intervals that open on one of `holidays` (local dates).
    ///
    /// No intervals at all is a calendar that never opens (its deadlines are
    /// `None`). Refuses an empty interval (`open == close`), intervals that
    /// overlap (a shift past midnight overlaps the next day's hours if they
    /// begin before it ends, Sunday's reaching into Monday's), and leap
    /// seconds; intervals that only touch are fine.
    pub fn new(
        tz: Tz,
        intervals: impl IntoIterator<Item = OpenInterval>,
        holidays: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, CalendarError> {
        Ok(Self {
            tz,
            hours: Hours::Weekly(WeeklyHours::new(intervals)?),
            holidays: holidays.into_iter().collect(),
        })
    }

    /// The CALENDAR clock: every second is open, there are no holidays.
    pub fn always_open() -> Self {
        Self {
            tz: Tz::UTC,
            hours: Hours::Always,
            holidays: BTreeSet::new(),
        }
    }

    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    pub fn is_always_open(&self) -> bool {
        matches!(self.hours, Hours::Always)
    }

    /// The weekly intervals in week order (Monday 00:00 first); empty for
    /// [`always_open`](Self::always_open).
    pub fn intervals(&self) -> &[OpenInterval] {
        match &self.hours {
            Hours::Always => &[],
            Hours::Weekly(week) => week.intervals(),
        }
    }

    pub fn holidays(&self) -> &BTreeSet<NaiveDate> {
        &self.holidays
    }

    /// Whether the second at `at` counts as business time.
    pub fn is_open_at(&self, at: DateTime<Utc>) -> bool {
        if self.is_always_open() {
            return true;
        }
        let local = at.with_timezone(&self.tz).naive_local();
        // Only intervals opening on this date or, past midnight, the day
        // before can show this wall-clock time.
        let yesterday = local.date().pred_opt();
        [yesterday, Some(local.date())]
            .into_iter()
            .flatten()
            .flat_map(|date| self.local_open_on(date))
            .any(|(open, close)| open <= local && local < close)
    }

    /// The local spans of the intervals that open on `date`, in opening order;
    /// none on a holiday.
    fn local_open_on(&self, date: NaiveDate) -> impl Iterator<Item = (NaiveDateTime, NaiveDateTime)> + '_ {
        let intervals = match &self.hours {
            Hours::Weekly(week) if !self.holidays.contains(&date) => Some(week.opening_on(date)),
            _ => None,
        };
        intervals
            .into_iter()
            .flatten()
            .filter_map(move |interval| interval.on(date))
    }
}

impl crate::sla::WorkingClock for BusinessCalendar {
    fn deadline(&self, start: DateTime<Utc>, seconds: i64, pauses: &[crate::sla::Pause]) -> Option<DateTime<Utc>> {
        self.deadline_with_pauses(start, seconds, pauses)
    }
}
