//! What a field costs in the complexity limit: the work it makes the store
//! do, not one point per field.
//!
//! A page of tickets costs its selection once per ticket; a KPI report costs
//! per bucket it plans (every bucket reads each group of figures, whatever
//! the selection shows), so a year of daily buckets costs far more than one
//! `me`, and an operation that aliases the same heavy report many times is
//! refused before it runs.

use chrono::{DateTime, Utc};
use helpdesk_domain::kpi::bucket_bound;

use super::types::enums::Period;

/// The most an operation may cost (see `docs/api.md#limits`): about ten
/// year-long daily reports, or a hundred tickets with their messages and
/// history several times over.
pub(crate) const LIMIT: usize = 20_000;

/// What one bucket of a report costs: a year of days (368 buckets at
/// most) costs about 1,840.
const PER_BUCKET: usize = 5;

/// The items a page returns at most (`first`, or the default, within the
/// allowed range) times what each item's selection costs.
pub(crate) fn page(first: Option<i32>, default: i32, max: i32, child_complexity: usize) -> usize {
    let items = first.unwrap_or(default).clamp(0, max);
    let items = usize::try_from(items).unwrap_or(0);
    1 + items.max(1).saturating_mul(child_complexity)
}

/// A report's cost: its buckets at most, each at [`PER_BUCKET`], plus its
/// selection.
pub(crate) fn report(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    group_by: Option<Period>,
    child_complexity: usize,
) -> usize {
    let buckets = bucket_bound(from, to, group_by.map(Into::into));
    1 + buckets.saturating_mul(PER_BUCKET).saturating_add(child_complexity)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn year() -> (DateTime<Utc>, DateTime<Utc>) {
        (
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
        )
    }

    #[test]
    fn a_year_of_days_costs_hundreds_of_months() {
        let (from, to) = year();
        let days = report(from, to, Some(Period::Day), 50);
        let months = report(from, to, Some(Period::Month), 50);
        let whole = report(from, to, None, 50);
        assert!(days > 1_800 && days < LIMIT / 10, "{days}");
        assert!(months < 200, "{months}");
        assert!(whole < months);
        assert!(300 * days > LIMIT);
    }

    #[test]
    fn a_page_costs_its_selection_per_item() {
        assert_eq!(page(Some(50), 20, 100, 10), 501);
        assert_eq!(page(None, 20, 100, 10), 201);
        // Out-of-range sizes are refused by the resolver; they cost as
        // the nearest allowed size meanwhile.
        assert_eq!(page(Some(1_000_000), 20, 100, 10), 1_001);
        assert_eq!(page(Some(-5), 20, 100, 10), 11);
    }
}
