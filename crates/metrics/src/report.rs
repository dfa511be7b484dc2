//! A whole report: plan the buckets, run each figure's statement in one
//! snapshot, and form the figures from the tallies.

use chrono::{DateTime, Utc};
use helpdesk_domain::kpi::{KpiReport, Range, ReportTallies, Tallies, plan_buckets};
use helpdesk_persistence::Store;

use crate::sql::Plan;
use crate::{KpiQuery, MetricsError, figures};

/// The report's exact tallies (what the property test compares).
pub async fn kpi_tallies(store: &Store, query: &KpiQuery, now: DateTime<Utc>) -> Result<ReportTallies, MetricsError> {
    let range = Range::new(query.from, query.to, now)?;
    let buckets = plan_buckets(range, query.timezone, query.group_by)?;
    let plan = Plan {
        range,
        buckets,
        filter: query.filter.clone(),
        clock: query.clock,
    };
    let mut slots = vec![Tallies::default(); plan.buckets.len() + 1];
    let db = store.snapshot().await?;
    figures::volumes(&db, &plan, &mut slots).await?;
    figures::durations(&db, &plan, &mut slots).await?;
    figures::first_solves(&db, &plan, &mut slots).await?;
    figures::backlog(&db, &plan, &mut slots).await?;
    figures::sla(&db, &plan, &mut slots).await?;
    figures::surveys(&db, &plan, &mut slots).await?;
    db.close().await?;
    let mut slots = slots.into_iter();
    let total = slots.next().unwrap_or_default();
    Ok(ReportTallies {
        total,
        buckets: plan.buckets.into_iter().zip(slots).collect(),
    })
}

/// Every figure of `metrics.md` for the query.
pub async fn kpi_report(store: &Store, query: &KpiQuery, now: DateTime<Utc>) -> Result<KpiReport, MetricsError> {
    Ok(KpiReport::from(&kpi_tallies(store, query, now).await?))
}
