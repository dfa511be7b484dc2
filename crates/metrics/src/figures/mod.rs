//! One statement per group of figures; each adds its tallies to the
//! buckets' (`idx` 0 is the whole range).

mod backlog;
mod durations;
mod first_solves;
mod sla;
mod surveys;
mod volumes;

pub(crate) use backlog::backlog;
pub(crate) use durations::durations;
pub(crate) use first_solves::first_solves;
pub(crate) use sla::sla;
pub(crate) use surveys::surveys;
pub(crate) use volumes::volumes;

use helpdesk_domain::kpi::Tallies;
use sea_orm::QueryResult;

use crate::MetricsError;

/// The tallies of the total (index 0) and of each bucket (index i + 1).
pub(crate) type Slots = Vec<Tallies>;

pub(crate) fn int(row: &QueryResult, column: usize) -> Result<i64, MetricsError> {
    row.try_get_by_index::<i64>(column)
        .map_err(|e| MetricsError::Row(format!("column {column}: {e}")))
}

pub(crate) fn opt_int(row: &QueryResult, column: usize) -> Result<Option<i64>, MetricsError> {
    row.try_get_by_index::<Option<i64>>(column)
        .map_err(|e| MetricsError::Row(format!("column {column}: {e}")))
}

pub(crate) fn count(row: &QueryResult, column: usize) -> Result<u64, MetricsError> {
    Ok(u64::try_from(opt_int(row, column)?.unwrap_or(0)).unwrap_or(0))
}

/// The slot a row's bucket index (in `column`) names.
pub(crate) fn slot<'a>(
    slots: &'a mut Slots,
    row: &QueryResult,
    column: usize,
) -> Result<&'a mut Tallies, MetricsError> {
    let idx = int(row, column)?;
    usize::try_from(idx)
        .ok()
        .and_then(|i| slots.get_mut(i))
        .ok_or_else(|| MetricsError::Row(format!("bucket index {idx} out of range")))
}
