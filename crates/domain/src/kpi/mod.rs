//! Customer-service KPIs as `docs/kpis.md` defines them.
//!
//! Every figure is defined once here: [`period`] cuts a range into buckets in
//! a time zone, [`Tallies`] are the exact integer aggregates a bucket's
//! figures are formed from, and [`reference`] computes them straight from
//! ticket histories. The SQL in `crates/metrics` computes the same tallies in
//! the database; both turn them into [`KpiValues`] through the one conversion
//! in [`values`], so the two can only disagree on what they count, never on
//! rounding.

mod filter;
mod overdue;
mod period;
pub mod reference;
mod stats;
mod tally;
mod values;

pub use filter::{KpiFilter, TicketAttributes};
pub use overdue::{OverdueSpan, overdue_spans};
pub use period::{Bucket, Period, PlanError, Range, bucket_bound, plan_buckets};
pub use stats::{DurationTally, nearest_rank};
pub use tally::{DurationFigure, ReportTallies, SlaTally, Tallies};
pub use values::{
    ChannelShare, CsatFigures, DurationStats, KpiBucket, KpiReport, KpiValues, NpsFigures, SlaFigures, SlaTargetFigures,
};

use chrono::{DateTime, Utc};

use crate::calendar::BusinessCalendar;
use crate::sla::Clock;

/// The time from `from` to `to` on `clock`, in whole microseconds: every
/// microsecond on CALENDAR, only the open ones of the desk's `calendar` on
/// BUSINESS. Zero when `to` is not after `from`. Every KPI duration, stored
/// or recomputed, is measured by this one function.
pub fn elapsed_micros(clock: Clock, calendar: &BusinessCalendar, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    if to <= from {
        return 0;
    }
    let span = match clock {
        Clock::Calendar => to - from,
        Clock::Business => calendar.business_time_between(from, to),
    };
    span.num_microseconds().unwrap_or(i64::MAX)
}
