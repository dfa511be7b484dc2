//! The open stretches of a calendar as UTC spans, in time order.

use std::collections::VecDeque;

use chrono::{DateTime, TimeDelta, Utc};

use super::zone::{next_transition, offset_at};
use super::{BusinessCalendar, Hours};

/// A half-open stretch `[start, end)` of open time.
pub(super) type Span = (DateTime<Utc>, DateTime<Utc>);

/// How much timeline one step of the walk looks at: a day keeps the number of
/// local dates per step at three at most.
const STEP: TimeDelta = TimeDelta::days(1);

/// Weekly calendars are walked only this far inside chrono's range, so that
/// adding an offset or a step to an instant can never overflow. Seconds
/// within two days of the year -262143 or +262142 are never open.
const MARGIN: TimeDelta = TimeDelta::days(2);

pub(super) fn earliest() -> DateTime<Utc> {
    DateTime::<Utc>::MIN_UTC + MARGIN
}

pub(super) fn latest() -> DateTime<Utc> {
    DateTime::<Utc>::MAX_UTC - MARGIN
}

/// The calendar's open spans within `[from, to)`, clipped to it, in order and
/// disjoint; neighbours may touch (a span is cut where a step or an offset
/// stretch ends).
pub(super) struct OpenSpans<'a> {
    calendar: &'a BusinessCalendar,
    /// Everything before it has been looked at.
    cursor: DateTime<Utc>,
    end: DateTime<Utc>,
    ready: VecDeque<Span>,
}

impl<'a> OpenSpans<'a> {
    pub(super) fn new(calendar: &'a BusinessCalendar, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        let (cursor, end) = match calendar.hours {
            Hours::Always => (from, to),
            Hours::Weekly(_) => (from.max(earliest()), to.min(latest())),
        };
        Self {
            calendar,
            cursor,
            end,
            ready: VecDeque::new(),
        }
    }

    /// Looks at the next stretch of constant offset, up to a day long.
    fn step(&mut self) {
        if matches!(self.calendar.hours, Hours::Always) {
            self.ready.push_back((self.cursor, self.end));
            self.cursor = self.end;
            return;
        }
        let tz = self.calendar.tz;
        let from = self.cursor;
        let to = (from + STEP).min(self.end);
        let to = next_transition(tz, from, to).unwrap_or(to);
        // Within [from, to) local time is UTC plus this one offset, so a
        // local span maps back to UTC by subtracting it, order kept.
        let offset = offset_at(tz, from);
        let (local_from, local_to) = (from.naive_utc() + offset, to.naive_utc() + offset);
        // Intervals that opened the day before may still run at local_from.
        let mut date = local_from.date().pred_opt();
        while let Some(day) = date.filter(|day| *day <= local_to.date()) {
            for (open, close) in self.calendar.local_open_on(day) {
                let (open, close) = (open.max(local_from), close.min(local_to));
                if open < close {
                    self.ready
                        .push_back(((open - offset).and_utc(), (close - offset).and_utc()));
                }
            }
            date = day.succ_opt();
        }
        self.cursor = to;
    }
}

impl Iterator for OpenSpans<'_> {
    type Item = Span;

    fn next(&mut self) -> Option<Span> {
        loop {
            if let Some(span) = self.ready.pop_front() {
                return Some(span);
            }
            if self.cursor >= self.end {
                return None;
            }
            self.step();
        }
    }
}
