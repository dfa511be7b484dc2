//! The report the benchmarks time: the twelve months before `until`, every
//! figure, in Europe/Berlin.

use chrono::{DateTime, Months, Utc};
use helpdesk_domain::kpi::{KpiFilter, Period};
use helpdesk_domain::sla::Clock;
use helpdesk_metrics::KpiQuery;

pub fn year_report(
    until: DateTime<Utc>,
    clock: Clock,
    group_by: Period,
) -> Result<KpiQuery, Box<dyn std::error::Error>> {
    Ok(KpiQuery {
        from: until.checked_sub_months(Months::new(12)).ok_or("date out of range")?,
        to: until,
        timezone: KpiQuery::zone("Europe/Berlin")?,
        group_by: Some(group_by),
        clock,
        filter: KpiFilter::default(),
    })
}
