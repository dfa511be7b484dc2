//! The `kpis` report: every figure of `docs/kpis.md`, as the domain forms it.
//! Durations are seconds; rates are percentages 0-100, null when nothing
//! was there to divide by.

use async_graphql::{ID, InputObject, SimpleObject};
use chrono::{DateTime, Utc};
use helpdesk_domain::ids::{AgentId, TeamId};
use helpdesk_domain::kpi;

use super::enums::{Channel, Priority, SlaTarget};
use super::{enum_list, id_list, tag_list};
use crate::error::ApiResult;

/// Narrows every figure to tickets whose current values match: each list
/// matches any of its values, and all given lists must match. See docs/kpis.md#filters.
#[derive(InputObject, Default)]
pub(crate) struct KpiFilter {
    /// Tickets that came in on any of these channels.
    channels: Option<Vec<Channel>>,
    /// Tickets with any of these priorities now.
    priorities: Option<Vec<Priority>>,
    /// Tickets assigned to any of these teams now.
    team_ids: Option<Vec<ID>>,
    /// Tickets assigned to any of these agents now.
    agent_ids: Option<Vec<ID>>,
    /// Tickets carrying any of these tags now.
    tags: Option<Vec<String>>,
}

impl KpiFilter {
    pub(crate) fn into_domain(self) -> ApiResult<kpi::KpiFilter> {
        Ok(kpi::KpiFilter {
            channels: enum_list(self.channels),
            priorities: enum_list(self.priorities),
            team_ids: id_list::<TeamId>(self.team_ids, "teamIds")?,
            agent_ids: id_list::<AgentId>(self.agent_ids, "agentIds")?,
            tags: tag_list(self.tags)?,
            // The caller's reach is set by the resolver.
            access: Default::default(),
        })
    }
}

/// Customer-service KPIs over a range: the whole range and each bucket. See docs/kpis.md#the-kpis-query.
#[derive(SimpleObject)]
pub(crate) struct KpiReport {
    /// Every figure over the whole range, from all its samples (never an average of bucket figures). See docs/kpis.md#the-total-and-the-buckets.
    total: KpiValues,
    /// The range cut by `groupBy`, first and last clipped to the range; one bucket equal to the range without `groupBy`. See docs/kpis.md#buckets-periods-and-time-zones.
    buckets: Vec<KpiBucket>,
    /// Tickets created in the range divided by the number of buckets, empty ones included. See docs/kpis.md#average-tickets-created.
    average_tickets_created: f64,
}

/// One period of a report. See docs/kpis.md#buckets-periods-and-time-zones.
#[derive(SimpleObject)]
pub(crate) struct KpiBucket {
    /// The bucket's first instant (inclusive).
    start: DateTime<Utc>,
    /// The bucket's end (exclusive).
    end: DateTime<Utc>,
    /// Every figure for samples completed in this bucket.
    values: KpiValues,
}

/// Every KPI for one bucket, or for the whole range. See docs/kpis.md#the-kpis-query.
#[derive(SimpleObject)]
pub(crate) struct KpiValues {
    /// Tickets created in the bucket. See docs/kpis.md#tickets-created.
    tickets_created: u64,
    /// Distinct tickets solved (set SOLVED, or CLOSED from another status) at least once in the bucket. See docs/kpis.md#tickets-solved.
    tickets_solved: u64,
    /// Per customer-created ticket first answered in the bucket: from creation to the first public agent message. See docs/kpis.md#first-response-time.
    first_response_time: DurationStats,
    /// Per agent reply in the bucket: from the earliest unanswered customer message to that reply. See docs/kpis.md#response-time.
    response_time: DurationStats,
    /// Per ticket first solved in the bucket: from creation to the first solve. See docs/kpis.md#resolution-time.
    resolution_time: DurationStats,
    /// Per ticket solved at the end of the range whose latest solve is in the bucket: from creation to that solve. See docs/kpis.md#full-resolution-time.
    full_resolution_time: DurationStats,
    /// Mean public agent messages before the first solve, over tickets first solved in the bucket. See docs/kpis.md#interactions-per-ticket.
    interactions_per_ticket: Option<f64>,
    /// Mean assignments to a different agent before the first solve, over tickets first solved in the bucket. See docs/kpis.md#assignee-stations-per-ticket.
    assignee_stations_per_ticket: Option<f64>,
    /// Percent of eligible customer-created tickets first solved in the bucket with one agent reply and never reopened. See docs/kpis.md#fcr-rate.
    fcr_rate: Option<f64>,
    /// Percent of tickets first solved in the bucket that were reopened before the end of the range. See docs/kpis.md#reopen-rate.
    reopen_rate: Option<f64>,
    /// Percent of tickets created in the bucket that are SOLVED or CLOSED at the end of the range. See docs/kpis.md#resolution-rate.
    resolution_rate: Option<f64>,
    /// Tickets unresolved at the bucket's end. See docs/kpis.md#backlog.
    backlog: u64,
    /// Unresolved tickets at the bucket's end with an SLA target breached and not yet met. See docs/kpis.md#overdue-backlog.
    overdue_backlog: u64,
    /// SLA targets decided (achieved or breached) in the bucket. See docs/kpis.md#sla.
    sla: SlaFigures,
    /// CSAT survey responses (ratings 1-5) received in the bucket. See docs/kpis.md#csat.
    csat: CsatFigures,
    /// NPS survey responses (scores 0-10) received in the bucket. See docs/kpis.md#nps.
    nps: NpsFigures,
    /// Tickets created in the bucket per channel, for channels with any. See docs/kpis.md#channels.
    channels: Vec<ChannelShare>,
}

/// A duration figure, in seconds; `average`, `median` and `p90` are null when `count` is 0. See docs/kpis.md#duration-statistics.
#[derive(SimpleObject)]
pub(crate) struct DurationStats {
    /// How many samples the figure has.
    count: u64,
    /// Mean of the samples, in seconds.
    average: Option<f64>,
    /// Nearest-rank median of the samples, in seconds.
    median: Option<f64>,
    /// Nearest-rank 90th percentile of the samples, in seconds.
    p90: Option<f64>,
}

/// SLA targets decided in a bucket. See docs/kpis.md#sla.
#[derive(SimpleObject)]
pub(crate) struct SlaFigures {
    /// Targets met at or before their deadline.
    achieved: u64,
    /// Targets whose deadline passed first.
    breached: u64,
    /// Percent achieved of achieved plus breached.
    rate: Option<f64>,
    /// The same per target, every target listed.
    by_target: Vec<SlaTargetFigures>,
}

/// One SLA target's decisions in a bucket. See docs/kpis.md#sla.
#[derive(SimpleObject)]
pub(crate) struct SlaTargetFigures {
    /// Which target.
    target: SlaTarget,
    /// Targets of this kind met at or before their deadline.
    achieved: u64,
    /// Targets of this kind whose deadline passed first.
    breached: u64,
    /// Percent achieved of achieved plus breached.
    rate: Option<f64>,
}

/// Customer satisfaction survey answers. See docs/kpis.md#csat.
#[derive(SimpleObject)]
pub(crate) struct CsatFigures {
    /// Responses received.
    responses: u64,
    /// Percent of responses rating 4 or 5.
    score: Option<f64>,
    /// Mean rating, 1-5.
    average: Option<f64>,
}

/// Net promoter score survey answers. See docs/kpis.md#nps.
#[derive(SimpleObject)]
pub(crate) struct NpsFigures {
    /// Responses received.
    responses: u64,
    /// Responses scoring 9 or 10.
    promoters: u64,
    /// Responses scoring 7 or 8.
    passives: u64,
    /// Responses scoring 0 to 6.
    detractors: u64,
    /// Percent promoters minus percent detractors, -100 to 100.
    score: Option<f64>,
}

/// Tickets created on one channel. See docs/kpis.md#channels.
#[derive(SimpleObject)]
pub(crate) struct ChannelShare {
    /// The channel.
    channel: Channel,
    /// Tickets created on it.
    tickets: u64,
    /// Percent of all tickets created.
    share: f64,
}

impl From<kpi::KpiReport> for KpiReport {
    fn from(r: kpi::KpiReport) -> Self {
        Self {
            total: r.total.into(),
            buckets: r.buckets.into_iter().map(Into::into).collect(),
            average_tickets_created: r.average_tickets_created,
        }
    }
}

impl From<kpi::KpiBucket> for KpiBucket {
    fn from(b: kpi::KpiBucket) -> Self {
        Self {
            start: b.start,
            end: b.end,
            values: b.values.into(),
        }
    }
}

impl From<kpi::DurationStats> for DurationStats {
    fn from(d: kpi::DurationStats) -> Self {
        Self {
            count: d.count,
            average: d.average,
            median: d.median,
            p90: d.p90,
        }
    }
}

impl From<kpi::CsatFigures> for CsatFigures {
    fn from(c: kpi::CsatFigures) -> Self {
        Self {
            responses: c.responses,
            score: c.score,
            average: c.average,
        }
    }
}

impl From<kpi::KpiValues> for KpiValues {
    fn from(v: kpi::KpiValues) -> Self {
        Self {
            tickets_created: v.tickets_created,
            tickets_solved: v.tickets_solved,
            first_response_time: v.first_response_time.into(),
            response_time: v.response_time.into(),
            resolution_time: v.resolution_time.into(),
            full_resolution_time: v.full_resolution_time.into(),
            interactions_per_ticket: v.interactions_per_ticket,
            assignee_stations_per_ticket: v.assignee_stations_per_ticket,
            fcr_rate: v.fcr_rate,
            reopen_rate: v.reopen_rate,
            resolution_rate: v.resolution_rate,
            backlog: v.backlog,
            overdue_backlog: v.overdue_backlog,
            sla: SlaFigures {
                achieved: v.sla.achieved,
                breached: v.sla.breached,
                rate: v.sla.rate,
                by_target: v
                    .sla
                    .by_target
                    .into_iter()
                    .map(|t| SlaTargetFigures {
                        target: t.target.into(),
                        achieved: t.achieved,
                        breached: t.breached,
                        rate: t.rate,
                    })
                    .collect(),
            },
            csat: v.csat.into(),
            nps: NpsFigures {
                responses: v.nps.responses,
                promoters: v.nps.promoters,
                passives: v.nps.passives,
                detractors: v.nps.detractors,
                score: v.nps.score,
            },
            channels: v
                .channels
                .into_iter()
                .map(|c| ChannelShare {
                    channel: c.channel.into(),
                    tickets: c.tickets,
                    share: c.share,
                })
                .collect(),
        }
    }
}
