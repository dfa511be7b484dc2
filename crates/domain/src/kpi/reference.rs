//! The reference: every figure computed straight from ticket histories, by
//! the definitions in `docs/kpis.md`. Slow and obvious on purpose; the SQL in
//! `crates/metrics` must agree with it.
//!
//! Each ticket's history is replayed once through [`TicketFacts::replay`],
//! the single definition of per-ticket facts; then every bucket (and the
//! range as a whole) is tallied by walking all tickets and asking each
//! definition directly. Every duration is measured by [`elapsed_micros`].
//!
//! Two rules run through all of it:
//! - An instant `x` is *in* a bucket `[s, e)` when `s <= x < e`.
//! - The status at an instant `T` is set by the events strictly before `T`:
//!   an event exactly at `T` has not happened yet. So a ticket is resolved at
//!   `T` when one of its solve spans has `solved_at < T <= reopened_at` (or
//!   has not been reopened), and it exists at `T` when `created_at < T`.

use chrono::{DateTime, Utc};

use super::elapsed_micros;
use super::filter::{KpiFilter, TicketAttributes};
use super::period::{Bucket, Range};
use super::stats::DurationTally;
use super::tally::{ReportTallies, Tallies};
use crate::calendar::BusinessCalendar;
use crate::sla::{Clock, TargetOutcome, TargetState};
use crate::ticket::{ResponseSample, SolveSpan, Survey, TicketEvent, TicketFacts};

/// One ticket as the reference sees it.
#[derive(Debug, Clone)]
pub struct ReferenceTicket<'a> {
    pub created_at: DateTime<Utc>,
    /// Current channel, priority, team, assignee and tags, for the filter
    /// (and the channel for the `channels` figure).
    pub attributes: TicketAttributes,
    /// Current value of the ticket's FCR eligibility.
    pub fcr_eligible: bool,
    /// Merged into another ticket: left out of every figure.
    pub merged: bool,
    /// The ticket's events, time-ordered.
    pub history: &'a [TicketEvent],
    /// The ticket's SLA targets as decided.
    pub sla: &'a [TargetOutcome],
}

/// The tallies of a whole report: `total` over one bucket equal to
/// `[range.from, range.to)`, and each of `buckets` (in the order given) with
/// its own. Merged tickets and tickets `filter` does not match are left out.
/// Durations are measured on `clock`, BUSINESS counting the open time of
/// `calendar` (the desk's default calendar).
pub fn report_tallies(
    tickets: &[ReferenceTicket<'_>],
    range: Range,
    buckets: &[Bucket],
    clock: Clock,
    calendar: &BusinessCalendar,
    filter: &KpiFilter,
) -> ReportTallies {
    let replayed: Vec<Replayed<'_, '_>> = tickets
        .iter()
        .filter(|ticket| !ticket.merged && filter.matches(&ticket.attributes))
        .map(Replayed::of)
        .collect();
    let tally = |bucket: Bucket| {
        BucketTally {
            tickets: &replayed,
            bucket,
            range_end: range.to,
            clock,
            calendar,
        }
        .tallies()
    };
    let whole = Bucket {
        start: range.from,
        end: range.to,
    };
    ReportTallies {
        total: tally(whole),
        buckets: buckets.iter().map(|&bucket| (bucket, tally(bucket))).collect(),
    }
}

/// A ticket with its history replayed.
struct Replayed<'t, 'a> {
    ticket: &'t ReferenceTicket<'a>,
    facts: TicketFacts,
    samples: Vec<ResponseSample>,
}

impl<'t, 'a> Replayed<'t, 'a> {
    fn of(ticket: &'t ReferenceTicket<'a>) -> Self {
        let (facts, samples) = TicketFacts::replay(ticket.created_at, ticket.history);
        Self { ticket, facts, samples }
    }

    /// The solve span that makes the ticket resolved at `at`, if any: solved
    /// before `at` and not reopened before `at`. (In a consistent history at
    /// most one span qualifies; the latest is taken.)
    fn resolving_span(&self, at: DateTime<Utc>) -> Option<&SolveSpan> {
        self.facts
            .solve_spans
            .iter()
            .rev()
            .find(|span| span.solved_at < at && span.reopened_at.is_none_or(|reopened| reopened >= at))
    }

    fn is_resolved_at(&self, at: DateTime<Utc>) -> bool {
        self.resolving_span(at).is_some()
    }

    /// Created before `at` and not resolved at `at`.
    fn is_unresolved_at(&self, at: DateTime<Utc>) -> bool {
        self.ticket.created_at < at && !self.is_resolved_at(at)
    }

    /// Reopened at least once before `at`.
    fn reopened_before(&self, at: DateTime<Utc>) -> bool {
        self.facts.first_reopened_at.is_some_and(|reopened| reopened < at)
    }

    /// Has an SLA target that is breached at `at` and not yet met:
    /// decided (breached) before `at`, its event not come before `at`.
    fn is_overdue_at(&self, at: DateTime<Utc>) -> bool {
        self.ticket.sla.iter().any(|outcome| {
            outcome.state == TargetState::Breached
                && outcome.decided_at.is_some_and(|decided| decided < at)
                && outcome.met_at.is_none_or(|met| met >= at)
        })
    }
}

/// Tallying one bucket over every ticket.
struct BucketTally<'r, 't, 'a> {
    tickets: &'r [Replayed<'t, 'a>],
    bucket: Bucket,
    range_end: DateTime<Utc>,
    clock: Clock,
    calendar: &'r BusinessCalendar,
}

impl BucketTally<'_, '_, '_> {
    fn contains(&self, at: DateTime<Utc>) -> bool {
        self.bucket.start <= at && at < self.bucket.end
    }

    fn contains_some(&self, at: Option<DateTime<Utc>>) -> bool {
        at.is_some_and(|at| self.contains(at))
    }

    fn elapsed(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        elapsed_micros(self.clock, self.calendar, from, to)
    }

    fn tallies(&self) -> Tallies {
        let mut t = Tallies::default();
        let mut first_response = Vec::new();
        let mut response = Vec::new();
        let mut resolution = Vec::new();
        let mut full_resolution = Vec::new();
        let to = self.range_end;
        let bucket_end = self.bucket.end;

        for r in self.tickets {
            let ticket = r.ticket;
            let facts = &r.facts;
            let created = self.contains(ticket.created_at);
            let first_solved = self.contains_some(facts.first_solved_at);
            let customer_created = facts.customer_created == Some(true);

            // ticketsCreated, channels, resolutionRate.
            if created {
                t.tickets_created += 1;
                *t.channels.entry(ticket.attributes.channel).or_insert(0) += 1;
                if r.is_resolved_at(to) {
                    t.created_resolved_at_end += 1;
                }
            }

            // ticketsSolved: distinct tickets with a solve in the bucket.
            if facts.solve_spans.iter().any(|span| self.contains(span.solved_at)) {
                t.tickets_solved += 1;
            }

            // firstResponseTime: customer-created tickets, at the first public reply.
            if customer_created
                && let Some(replied) = facts.first_public_reply_at
                && self.contains(replied)
            {
                first_response.push(self.elapsed(ticket.created_at, replied));
            }

            // responseTime: each answered wait, at the answer.
            for sample in &r.samples {
                if self.contains(sample.answered_at) {
                    response.push(self.elapsed(sample.waiting_since, sample.answered_at));
                }
            }

            // resolutionTime, interactions, assignee stations, reopen rate, FCR:
            // tickets first-solved in the bucket.
            if let Some(solved) = facts.first_solved_at
                && first_solved
            {
                resolution.push(self.elapsed(ticket.created_at, solved));
                t.first_solved += 1;
                t.interactions += u64::from(facts.replies_before_first_solve);
                t.assignee_stations += u64::from(facts.assignee_stations_before_first_solve);
                let reopened = r.reopened_before(to);
                if reopened {
                    t.reopened += 1;
                }
                if customer_created && ticket.fcr_eligible {
                    t.fcr_candidates += 1;
                    if facts.replies_before_first_solve == 1 && !reopened {
                        t.fcr_resolved += 1;
                    }
                }
            }

            // fullResolutionTime: resolved at the end of the range, by a solve in the bucket.
            if let Some(span) = r.resolving_span(to)
                && self.contains(span.solved_at)
            {
                full_resolution.push(self.elapsed(ticket.created_at, span.solved_at));
            }

            // backlog and overdueBacklog: at the bucket's end.
            if r.is_unresolved_at(bucket_end) {
                t.backlog += 1;
                if r.is_overdue_at(bucket_end) {
                    t.overdue_backlog += 1;
                }
            }

            // sla: targets decided in the bucket.
            for outcome in ticket.sla {
                if !self.contains_some(outcome.decided_at) {
                    continue;
                }
                match outcome.state {
                    TargetState::Achieved => t.sla.entry(outcome.target).or_default().achieved += 1,
                    TargetState::Breached => t.sla.entry(outcome.target).or_default().breached += 1,
                    TargetState::Running | TargetState::Paused | TargetState::Warning => {}
                }
            }

            // csat and nps: responses in the bucket, on their survey's scale.
            for answer in &facts.surveys {
                if !self.contains(answer.at) || !answer.survey.accepts(answer.score) {
                    continue;
                }
                match (answer.survey, answer.score) {
                    (Survey::Csat, score) => {
                        t.csat_responses += 1;
                        t.csat_rating_sum += u64::from(score);
                        if score >= 4 {
                            t.csat_satisfied += 1;
                        }
                    }
                    (Survey::Nps, 9..=10) => t.nps_promoters += 1,
                    (Survey::Nps, 7..=8) => t.nps_passives += 1,
                    (Survey::Nps, _) => t.nps_detractors += 1,
                }
            }
        }

        t.first_response = DurationTally::of(first_response);
        t.response = DurationTally::of(response);
        t.resolution = DurationTally::of(resolution);
        t.full_resolution = DurationTally::of(full_resolution);
        t
    }
}
