//! Reading the integer columns of the KPI statements' rows, and the slot a
//! row's bucket index names.

use helpdesk_domain::kpi::Tallies;
use sea_orm::QueryResult;

use super::Slots;
use crate::StoreError;

pub(crate) fn int(row: &QueryResult, column: usize) -> Result<i64, StoreError> {
    row.try_get_by_index::<i64>(column)
        .map_err(|e| StoreError::UnexpectedRow(format!("column {column}: {e}")))
}

pub(crate) fn opt_int(row: &QueryResult, column: usize) -> Result<Option<i64>, StoreError> {
    row.try_get_by_index::<Option<i64>>(column)
        .map_err(|e| StoreError::UnexpectedRow(format!("column {column}: {e}")))
}

pub(crate) fn count(row: &QueryResult, column: usize) -> Result<u64, StoreError> {
    Ok(u64::try_from(opt_int(row, column)?.unwrap_or(0)).unwrap_or(0))
}

/// The slot a row's bucket index (in `column`) names.
pub(crate) fn slot<'a>(slots: &'a mut Slots, row: &QueryResult, column: usize) -> Result<&'a mut Tallies, StoreError> {
    let idx = int(row, column)?;
    usize::try_from(idx)
        .ok()
        .and_then(|i| slots.get_mut(i))
        .ok_or_else(|| StoreError::UnexpectedRow(format!("bucket index {idx} out of range")))
}
