//! A whole report: plan the buckets, read each group of figures in one
//! snapshot, add the buckets up into the whole range, and form the figures.

use chrono::{DateTime, Utc};
use helpdesk_domain::kpi::{KpiReport, Range, ReportTallies, Tallies, plan_buckets};
use helpdesk_persistence::Store;
use helpdesk_persistence::kpi::KpiScope;

use crate::{KpiQuery, MetricsError};

/// The report's exact tallies (what the property test compares).
pub async fn kpi_tallies(store: &Store, query: &KpiQuery, now: DateTime<Utc>) -> Result<ReportTallies, MetricsError> {
    let range = Range::new(query.from, query.to, now)?;
    let buckets = plan_buckets(range, query.timezone, query.group_by)?;
    // Slot 0 is the whole range, slot i + 1 bucket i.
    let mut slots = vec![Tallies::default(); buckets.len() + 1];
    let reader = store
        .kpi_reader(KpiScope {
            range,
            buckets,
            filter: query.filter.clone(),
            clock: query.clock,
        })
        .await?;
    // Each group of figures, timed for `RUST_LOG=helpdesk_metrics=debug`.
    // The backlogs need the volumes' creations and solves.
    macro_rules! timed {
        ($figures:ident $(, $arg:expr)?) => {{
            let started = std::time::Instant::now();
            let read = reader.$figures(&mut slots $(, $arg)?).await?;
            tracing::debug!(
                figures = stringify!($figures),
                ms = started.elapsed().as_secs_f64() * 1000.0,
                "kpi figures computed"
            );
            read
        }};
    }
    let solves = timed!(volumes);
    timed!(durations);
    timed!(first_solves);
    timed!(backlog, &solves);
    timed!(sla);
    timed!(surveys);
    let buckets = reader.buckets().to_vec();
    reader.close().await?;
    let total = total_of(&slots, buckets.len());
    Ok(ReportTallies {
        total,
        buckets: buckets.into_iter().zip(slots.into_iter().skip(1)).collect(),
    })
}

/// The whole range's tallies. With one bucket they are that bucket's. With
/// several, figures that add up (counts, sums) are the sum over the buckets,
/// which partition the range; medians and distinct counts were computed for
/// the range itself (slot 0), as were the backlogs (at the range's end).
fn total_of(slots: &[Tallies], buckets: usize) -> Tallies {
    let own = slots.first().cloned().unwrap_or_default();
    if buckets == 1 {
        return slots.get(1).cloned().unwrap_or(own);
    }
    let mut total = Tallies {
        tickets_solved: own.tickets_solved,
        first_response: own.first_response,
        response: own.response,
        resolution: own.resolution,
        full_resolution: own.full_resolution,
        backlog: own.backlog,
        overdue_backlog: own.overdue_backlog,
        ..Tallies::default()
    };
    if let Some(last) = slots.last().filter(|_| buckets > 0) {
        total.overdue_backlog = last.overdue_backlog;
    }
    for t in slots.iter().skip(1) {
        total.tickets_created += t.tickets_created;
        total.first_solved += t.first_solved;
        total.interactions += t.interactions;
        total.assignee_stations += t.assignee_stations;
        total.reopened += t.reopened;
        total.fcr_candidates += t.fcr_candidates;
        total.fcr_resolved += t.fcr_resolved;
        total.created_resolved_at_end += t.created_resolved_at_end;
        total.csat_responses += t.csat_responses;
        total.csat_satisfied += t.csat_satisfied;
        total.csat_rating_sum += t.csat_rating_sum;
        total.nps_promoters += t.nps_promoters;
        total.nps_passives += t.nps_passives;
        total.nps_detractors += t.nps_detractors;
        for (target, tally) in &t.sla {
            let sum = total.sla.entry(*target).or_default();
            sum.achieved += tally.achieved;
            sum.breached += tally.breached;
        }
        for (channel, n) in &t.channels {
            *total.channels.entry(*channel).or_default() += n;
        }
    }
    total
}

/// Every figure of `metrics.md` for the query.
pub async fn kpi_report(store: &Store, query: &KpiQuery, now: DateTime<Utc>) -> Result<KpiReport, MetricsError> {
    Ok(KpiReport::from(&kpi_tallies(store, query, now).await?))
}
