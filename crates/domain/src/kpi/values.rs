//! The figures a report shows, formed from [`Tallies`] by one conversion.

use chrono::{DateTime, Utc};

use super::period::Bucket;
use super::stats::DurationTally;
use super::tally::{ReportTallies, SlaTally, Tallies};
use crate::sla::SlaTarget;
use crate::ticket::Channel;

/// A duration figure in seconds; `average`, `median` and `p90` are `None`
/// when `count` is 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DurationStats {
    pub count: u64,
    pub average: Option<f64>,
    pub median: Option<f64>,
    pub p90: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlaTargetFigures {
    pub target: SlaTarget,
    pub achieved: u64,
    pub breached: u64,
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SlaFigures {
    pub achieved: u64,
    pub breached: u64,
    pub rate: Option<f64>,
    /// Every target, in the enum's order, decided or not.
    pub by_target: Vec<SlaTargetFigures>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CsatFigures {
    pub responses: u64,
    /// Percent of responses rating 4 or 5.
    pub score: Option<f64>,
    pub average: Option<f64>,
}

impl CsatFigures {
    /// The figures of `responses` ratings, `satisfied` of them 4 or 5,
    /// adding up to `rating_sum` (docs/kpis.md#csat).
    pub fn of(responses: u64, satisfied: u64, rating_sum: u64) -> Self {
        Self {
            responses,
            score: percent(satisfied, responses),
            average: mean(rating_sum as f64, responses),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NpsFigures {
    pub responses: u64,
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
    /// Percent promoters minus percent detractors.
    pub score: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChannelShare {
    pub channel: Channel,
    pub tickets: u64,
    pub share: f64,
}

/// Every figure of `docs/kpis.md` for one bucket (or the whole range).
#[derive(Debug, Clone, PartialEq)]
pub struct KpiValues {
    pub tickets_created: u64,
    pub tickets_solved: u64,
    pub first_response_time: DurationStats,
    pub response_time: DurationStats,
    pub resolution_time: DurationStats,
    pub full_resolution_time: DurationStats,
    pub interactions_per_ticket: Option<f64>,
    pub assignee_stations_per_ticket: Option<f64>,
    pub fcr_rate: Option<f64>,
    pub reopen_rate: Option<f64>,
    pub resolution_rate: Option<f64>,
    pub backlog: u64,
    pub overdue_backlog: u64,
    pub sla: SlaFigures,
    pub csat: CsatFigures,
    pub nps: NpsFigures,
    /// Channels with any ticket created in the bucket, in the enum's order.
    pub channels: Vec<ChannelShare>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KpiBucket {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub values: KpiValues,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KpiReport {
    pub total: KpiValues,
    pub buckets: Vec<KpiBucket>,
    /// Tickets created in the range over the number of buckets (empty ones
    /// included); 0 when there are no buckets.
    pub average_tickets_created: f64,
}

const MICROS_PER_SECOND: f64 = 1_000_000.0;

/// `numerator / denominator`, `None` for an empty denominator.
fn mean(numerator: f64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| numerator / denominator as f64)
}

/// A percentage, `None` for an empty denominator.
fn percent(part: u64, whole: u64) -> Option<f64> {
    mean(100.0 * part as f64, whole)
}

fn seconds(micros: i64) -> f64 {
    micros as f64 / MICROS_PER_SECOND
}

impl From<&DurationTally> for DurationStats {
    fn from(t: &DurationTally) -> Self {
        Self {
            count: t.count,
            average: mean(seconds(t.sum_micros), t.count),
            median: t.median_micros.filter(|_| t.count > 0).map(seconds),
            p90: t.p90_micros.filter(|_| t.count > 0).map(seconds),
        }
    }
}

fn sla_figures(by: &std::collections::BTreeMap<SlaTarget, SlaTally>) -> SlaFigures {
    let by_target: Vec<_> = SlaTarget::ALL
        .iter()
        .map(|&target| {
            let t = by.get(&target).copied().unwrap_or_default();
            SlaTargetFigures {
                target,
                achieved: t.achieved,
                breached: t.breached,
                rate: percent(t.achieved, t.achieved + t.breached),
            }
        })
        .collect();
    let achieved = by_target.iter().map(|t| t.achieved).sum();
    let breached = by_target.iter().map(|t| t.breached).sum();
    SlaFigures {
        achieved,
        breached,
        rate: percent(achieved, achieved + breached),
        by_target,
    }
}

impl From<&Tallies> for KpiValues {
    fn from(t: &Tallies) -> Self {
        let nps_responses = t.nps_promoters + t.nps_passives + t.nps_detractors;
        let channel_total: u64 = t.channels.values().sum();
        Self {
            tickets_created: t.tickets_created,
            tickets_solved: t.tickets_solved,
            first_response_time: (&t.first_response).into(),
            response_time: (&t.response).into(),
            resolution_time: (&t.resolution).into(),
            full_resolution_time: (&t.full_resolution).into(),
            interactions_per_ticket: mean(t.interactions as f64, t.first_solved),
            assignee_stations_per_ticket: mean(t.assignee_stations as f64, t.first_solved),
            fcr_rate: percent(t.fcr_resolved, t.fcr_candidates),
            reopen_rate: percent(t.reopened, t.first_solved),
            resolution_rate: percent(t.created_resolved_at_end, t.tickets_created),
            backlog: t.backlog,
            overdue_backlog: t.overdue_backlog,
            sla: sla_figures(&t.sla),
            csat: CsatFigures::of(t.csat_responses, t.csat_satisfied, t.csat_rating_sum),
            nps: NpsFigures {
                responses: nps_responses,
                promoters: t.nps_promoters,
                passives: t.nps_passives,
                detractors: t.nps_detractors,
                score: mean(
                    100.0 * t.nps_promoters as f64 - 100.0 * t.nps_detractors as f64,
                    nps_responses,
                ),
            },
            channels: t
                .channels
                .iter()
                .filter(|&(_, &n)| n > 0)
                .map(|(&channel, &tickets)| ChannelShare {
                    channel,
                    tickets,
                    share: percent(tickets, channel_total).unwrap_or(0.0),
                })
                .collect(),
        }
    }
}

impl From<&ReportTallies> for KpiReport {
    fn from(r: &ReportTallies) -> Self {
        let buckets: Vec<_> = r
            .buckets
            .iter()
            .map(|(Bucket { start, end }, t)| KpiBucket {
                start: *start,
                end: *end,
                values: t.into(),
            })
            .collect();
        Self {
            total: (&r.total).into(),
            average_tickets_created: mean(r.total.tickets_created as f64, buckets.len() as u64).unwrap_or(0.0),
            buckets,
        }
    }
}
