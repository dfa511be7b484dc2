//! The exact aggregates one bucket's figures are formed from.

use std::collections::BTreeMap;

use super::period::Bucket;
use super::stats::DurationTally;
use crate::macros::named_enum;
use crate::sla::SlaTarget;
use crate::ticket::Channel;

named_enum! {
    /// The four duration figures of `docs/kpis.md`.
    DurationFigure as "duration figure" {
        /// Creation to the first public agent reply (customer-created tickets).
        FirstResponse => "FIRST_RESPONSE",
        /// A customer's wait to the agent reply that ended it.
        Response => "RESPONSE",
        /// Creation to the first solve.
        Resolution => "RESOLUTION",
        /// Creation to a solve not reopened before the report's end.
        FullResolution => "FULL_RESOLUTION",
    }
}

/// Decisions on one SLA target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlaTally {
    pub achieved: u64,
    pub breached: u64,
}

/// Counts, integer sums and picked samples: everything a [`super::KpiValues`]
/// is computed from. Two implementations that agree on these agree on every
/// figure to the bit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tallies {
    /// Tickets created in the bucket.
    pub tickets_created: u64,
    /// Distinct tickets with a solve in the bucket.
    pub tickets_solved: u64,
    pub first_response: DurationTally,
    pub response: DurationTally,
    pub resolution: DurationTally,
    pub full_resolution: DurationTally,
    /// Tickets first-solved in the bucket: the denominator of interactions,
    /// assignee stations and the reopen rate.
    pub first_solved: u64,
    /// Public agent messages before the first solve, summed over those tickets.
    pub interactions: u64,
    /// Assignee stations before the first solve, summed over those tickets.
    pub assignee_stations: u64,
    /// Of those tickets, how many were reopened before the end of the range.
    pub reopened: u64,
    /// Customer-created, FCR-eligible tickets first-solved in the bucket.
    pub fcr_candidates: u64,
    /// Of those, solved with exactly one public agent message and not
    /// reopened before the end of the range.
    pub fcr_resolved: u64,
    /// Of the tickets created in the bucket, those resolved at the end of
    /// the whole range.
    pub created_resolved_at_end: u64,
    /// Tickets unresolved at the bucket's end.
    pub backlog: u64,
    /// Of those, tickets with a breached SLA target still open at the end.
    pub overdue_backlog: u64,
    /// SLA decisions in the bucket per target (targets without any left out).
    pub sla: BTreeMap<SlaTarget, SlaTally>,
    pub csat_responses: u64,
    /// CSAT responses rating 4 or 5.
    pub csat_satisfied: u64,
    pub csat_rating_sum: u64,
    pub nps_promoters: u64,
    pub nps_passives: u64,
    pub nps_detractors: u64,
    /// Tickets created in the bucket per channel (channels without any left out).
    pub channels: BTreeMap<Channel, u64>,
}

/// A whole report in tallies: the range's and each bucket's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTallies {
    pub total: Tallies,
    pub buckets: Vec<(Bucket, Tallies)>,
}

impl Tallies {
    pub fn duration(&self, figure: DurationFigure) -> &DurationTally {
        match figure {
            DurationFigure::FirstResponse => &self.first_response,
            DurationFigure::Response => &self.response,
            DurationFigure::Resolution => &self.resolution,
            DurationFigure::FullResolution => &self.full_resolution,
        }
    }

    pub fn duration_mut(&mut self, figure: DurationFigure) -> &mut DurationTally {
        match figure {
            DurationFigure::FirstResponse => &mut self.first_response,
            DurationFigure::Response => &mut self.response,
            DurationFigure::Resolution => &mut self.resolution,
            DurationFigure::FullResolution => &mut self.full_resolution,
        }
    }
}
