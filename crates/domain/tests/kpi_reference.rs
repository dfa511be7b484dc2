//! The KPI reference on hand-computed stories, one per edge case `docs/kpis.md`
//! names: who created the ticket, which messages are replies, reopens,
//! closing, pending, merges, empty buckets, DST days, business hours,
//! backlogs at bucket boundaries, SLA decisions, surveys, filters and
//! nearest-rank percentiles.
//!
//! Times are UTC on the week of Monday 2026-03-02 unless a story says
//! otherwise; `at(d, h, m)` is 2026-03-dd hh:mm UTC.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use helpdesk_domain::calendar::{BusinessCalendar, OpenInterval};
use helpdesk_domain::ids::{AgentId, MessageId, SlaPolicyId, TeamId, TicketId};
use helpdesk_domain::kpi::reference::{ReferenceTicket, report_tallies};
use helpdesk_domain::kpi::{
    Bucket, DurationStats, DurationTally, KpiFilter, KpiReport, KpiValues, Period, Range, ReportTallies, SlaTally,
    Tallies, TicketAttributes, plan_buckets,
};
use helpdesk_domain::sla::{Clock, SlaTarget, TargetOutcome, TargetState};
use helpdesk_domain::tag::Tag;
use helpdesk_domain::ticket::{Actor, Author, Channel, EventKind, Priority, Survey, TicketEvent, TicketStatus};

use TicketStatus::{Closed, New, Open, Pending, Solved};

const MINUTE: i64 = 60_000_000;

/// 2026-03-dd hh:mm UTC; 2026-03-02 is a Monday.
fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, minute, 0).unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A Berlin wall-clock time that exists exactly once.
fn berlin(s: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    chrono_tz::Europe::Berlin
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn minutes(list: &[i64]) -> DurationTally {
    DurationTally::of(list.iter().map(|m| m * MINUTE).collect())
}

fn close(actual: Option<f64>, expected: f64) -> bool {
    actual.is_some_and(|a| (a - expected).abs() < 1e-9)
}

/// A ticket under construction; owns what a [`ReferenceTicket`] borrows.
struct Ticket {
    created_at: DateTime<Utc>,
    attributes: TicketAttributes,
    fcr_eligible: bool,
    merged: bool,
    history: Vec<TicketEvent>,
    sla: Vec<TargetOutcome>,
}

impl Ticket {
    /// Created at `created_at`: an email, normal priority, no team, no
    /// assignee, no tags, FCR-eligible, no messages yet.
    fn bare(created_at: DateTime<Utc>) -> Self {
        let mut ticket = Self {
            created_at,
            attributes: TicketAttributes {
                channel: Channel::Email,
                priority: Priority::Normal,
                team: None,
                assignee: None,
                tags: Vec::new(),
            },
            fcr_eligible: true,
            merged: false,
            history: Vec::new(),
            sla: Vec::new(),
        };
        ticket.history.push(TicketEvent {
            at: created_at,
            actor: Actor::System,
            kind: EventKind::Created {
                channel: Channel::Email,
                priority: Priority::Normal,
            },
        });
        ticket
    }

    /// Customer-created: the customer's message at `created_at` opens it.
    fn customer(created_at: DateTime<Utc>) -> Self {
        Self::bare(created_at).says(created_at, Author::Customer)
    }

    /// Agent-created: an agent's outbound message at `created_at` opens it.
    fn outbound(created_at: DateTime<Utc>) -> Self {
        Self::bare(created_at).says(created_at, Author::Agent)
    }

    fn event(mut self, at: DateTime<Utc>, kind: EventKind) -> Self {
        self.history.push(TicketEvent {
            at,
            actor: Actor::System,
            kind,
        });
        self
    }

    fn says(self, at: DateTime<Utc>, author: Author) -> Self {
        let channel = self.attributes.channel;
        self.event(
            at,
            EventKind::Message {
                message_id: MessageId::new(),
                author,
                channel,
                moved_from: None,
            },
        )
    }

    fn customer_writes(self, at: DateTime<Utc>) -> Self {
        self.says(at, Author::Customer)
    }

    fn agent_replies(self, at: DateTime<Utc>) -> Self {
        self.says(at, Author::Agent)
    }

    fn desk_sends(self, at: DateTime<Utc>) -> Self {
        self.says(at, Author::System)
    }

    fn note(self, at: DateTime<Utc>) -> Self {
        self.event(
            at,
            EventKind::Note {
                message_id: MessageId::new(),
                moved_from: None,
            },
        )
    }

    fn status(self, at: DateTime<Utc>, from: TicketStatus, to: TicketStatus) -> Self {
        self.event(at, EventKind::status_changed(from, to))
    }

    fn assign(self, at: DateTime<Utc>, to: Option<AgentId>) -> Self {
        self.event(at, EventKind::AssigneeChanged { from: None, to })
    }

    fn survey(self, at: DateTime<Utc>, survey: Survey, score: u8) -> Self {
        self.event(
            at,
            EventKind::SurveyAnswered {
                survey,
                score,
                comment: None,
                invitation: None,
            },
        )
    }

    /// An SLA target as decided; a breach is decided at its deadline.
    fn target(
        mut self,
        target: SlaTarget,
        state: TargetState,
        decided_at: Option<DateTime<Utc>>,
        met_at: Option<DateTime<Utc>>,
    ) -> Self {
        self.sla.push(TargetOutcome {
            target,
            policy_id: SlaPolicyId::new(),
            started_at: self.created_at,
            due_at: if state == TargetState::Breached {
                decided_at
            } else {
                None
            },
            warn_at: None,
            state,
            decided_at,
            met_at,
        });
        self
    }

    fn channel(mut self, channel: Channel) -> Self {
        self.attributes.channel = channel;
        for event in &mut self.history {
            if let EventKind::Created { channel: c, .. } | EventKind::Message { channel: c, .. } = &mut event.kind {
                *c = channel;
            }
        }
        self
    }

    fn tags(mut self, tags: &[&str]) -> Self {
        self.attributes.tags = tags.iter().map(|t| Tag::parse(t).unwrap()).collect();
        self
    }

    fn assignee(mut self, agent: AgentId) -> Self {
        self.attributes.assignee = Some(agent);
        self
    }

    fn team(mut self, team: TeamId) -> Self {
        self.attributes.team = Some(team);
        self
    }

    fn priority(mut self, priority: Priority) -> Self {
        self.attributes.priority = priority;
        self
    }

    fn not_fcr_eligible(mut self) -> Self {
        self.fcr_eligible = false;
        self
    }

    fn merged(mut self) -> Self {
        self.merged = true;
        self
    }

    fn view(&self) -> ReferenceTicket<'_> {
        ReferenceTicket {
            created_at: self.created_at,
            attributes: self.attributes.clone(),
            fcr_eligible: self.fcr_eligible,
            merged: self.merged,
            history: &self.history,
            sla: &self.sla,
        }
    }
}

fn range(from: DateTime<Utc>, to: DateTime<Utc>) -> Range {
    Range::new(from, to, utc("2100-01-01T00:00:00Z")).unwrap()
}

fn run(
    tickets: &[Ticket],
    range: Range,
    buckets: &[Bucket],
    clock: Clock,
    calendar: &BusinessCalendar,
    filter: &KpiFilter,
) -> ReportTallies {
    let views: Vec<_> = tickets.iter().map(Ticket::view).collect();
    report_tallies(&views, range, buckets, clock, calendar, filter)
}

/// The whole range as one bucket, CALENDAR clock, no filter.
fn total(tickets: &[Ticket], from: DateTime<Utc>, to: DateTime<Utc>) -> Tallies {
    filtered(tickets, from, to, &KpiFilter::default())
}

fn filtered(tickets: &[Ticket], from: DateTime<Utc>, to: DateTime<Utc>, filter: &KpiFilter) -> Tallies {
    let r = range(from, to);
    let buckets = plan_buckets(r, Tz::UTC, None).unwrap();
    let report = run(
        tickets,
        r,
        &buckets,
        Clock::Calendar,
        &BusinessCalendar::always_open(),
        filter,
    );
    assert_eq!(report.buckets.len(), 1);
    assert_eq!(
        report.buckets[0].1, report.total,
        "one bucket equal to the range is the total"
    );
    report.total
}

/// UTC days of the range, CALENDAR clock, no filter.
fn days(tickets: &[Ticket], from: DateTime<Utc>, to: DateTime<Utc>) -> ReportTallies {
    let r = range(from, to);
    let buckets = plan_buckets(r, Tz::UTC, Some(Period::Day)).unwrap();
    run(
        tickets,
        r,
        &buckets,
        Clock::Calendar,
        &BusinessCalendar::always_open(),
        &KpiFilter::default(),
    )
}

fn per_bucket<T>(report: &ReportTallies, f: impl Fn(&Tallies) -> T) -> Vec<T> {
    report.buckets.iter().map(|(_, t)| f(t)).collect()
}

#[test]
fn agent_created_tickets_have_no_first_response_and_are_no_fcr_candidates() {
    // The agent writes first at 09:00 (outbound); the customer answers at
    // 10:00, the agent replies at 10:30 and solves at 11:00.
    let outbound = Ticket::outbound(at(2, 9, 0))
        .customer_writes(at(2, 10, 0))
        .agent_replies(at(2, 10, 30))
        .status(at(2, 11, 0), Open, Solved);
    // Its customer-created twin: the customer writes at 09:00, one reply at
    // 09:30, solved at 11:00.
    let inbound = Ticket::customer(at(2, 9, 0))
        .agent_replies(at(2, 9, 30))
        .status(at(2, 11, 0), Open, Solved);

    let t = total(&[outbound], at(2, 0, 0), at(3, 0, 0));
    assert_eq!(t.first_response, DurationTally::default(), "no first response sample");
    // The customer's 10:00 message is answered at 10:30: one response sample.
    assert_eq!(t.response, minutes(&[30]));
    assert_eq!(t.resolution, minutes(&[120]));
    // Both agent messages come before the first solve.
    assert_eq!((t.first_solved, t.interactions), (1, 2));
    assert_eq!((t.fcr_candidates, t.fcr_resolved), (0, 0));
    let v = KpiValues::from(&t);
    assert_eq!(v.first_response_time.count, 0);
    assert_eq!(v.first_response_time.average, None);
    assert_eq!(v.fcr_rate, None, "no candidate: no rate, not 0");

    let t = total(&[inbound], at(2, 0, 0), at(3, 0, 0));
    assert_eq!(t.first_response, minutes(&[30]));
    assert_eq!((t.fcr_candidates, t.fcr_resolved), (1, 1));
    assert_eq!(KpiValues::from(&t).fcr_rate, Some(100.0));
}

#[test]
fn consecutive_customer_messages_are_measured_from_the_earliest() {
    // Customer 09:00, 09:10, 09:20; agent 10:00: one wait of 60 minutes
    // (not 40). Customer 10:30, 10:45; agent 11:00: 30 minutes (not 15).
    let ticket = Ticket::customer(at(2, 9, 0))
        .customer_writes(at(2, 9, 10))
        .customer_writes(at(2, 9, 20))
        .agent_replies(at(2, 10, 0))
        .customer_writes(at(2, 10, 30))
        .customer_writes(at(2, 10, 45))
        .agent_replies(at(2, 11, 0));
    let t = total(&[ticket], at(2, 0, 0), at(3, 0, 0));
    assert_eq!(t.first_response, minutes(&[60]));
    assert_eq!(t.response, minutes(&[60, 30]));
    // Average (60 + 30) / 2 = 45 minutes = 2700 s.
    assert_eq!(KpiValues::from(&t).response_time.average, Some(2700.0));
}

#[test]
fn consecutive_agent_replies_give_one_sample() {
    // Customer 09:00; agent 09:30 and 09:45 (one sample: 30 min).
    // Customer 10:00; agent 10:20 and 10:25 (one sample: 20 min).
    let ticket = Ticket::customer(at(2, 9, 0))
        .agent_replies(at(2, 9, 30))
        .agent_replies(at(2, 9, 45))
        .customer_writes(at(2, 10, 0))
        .agent_replies(at(2, 10, 20))
        .agent_replies(at(2, 10, 25));
    let t = total(&[ticket], at(2, 0, 0), at(3, 0, 0));
    assert_eq!(t.response, minutes(&[30, 20]));
    assert_eq!(t.first_response, minutes(&[30]));
}

#[test]
fn internal_notes_are_never_replies() {
    // Customer 09:00; notes at 09:05 and 09:10; the first public reply at
    // 09:40; another note; solved 09:50.
    let ticket = Ticket::customer(at(2, 9, 0))
        .note(at(2, 9, 5))
        .note(at(2, 9, 10))
        .agent_replies(at(2, 9, 40))
        .note(at(2, 9, 45))
        .status(at(2, 9, 50), Open, Solved);
    let t = total(&[ticket], at(2, 0, 0), at(3, 0, 0));
    assert_eq!(t.first_response, minutes(&[40]));
    assert_eq!(t.response, minutes(&[40]));
    // One public agent message before the solve: notes do not count, so the
    // ticket is still a first-contact resolution.
    assert_eq!(t.interactions, 1);
    assert_eq!((t.fcr_candidates, t.fcr_resolved), (1, 1));
}

#[test]
fn messages_the_desk_sends_by_itself_are_never_replies() {
    // An auto-acknowledgement at 09:01; the first agent reply at 11:00.
    let acknowledged = Ticket::customer(at(2, 9, 0))
        .desk_sends(at(2, 9, 1))
        .agent_replies(at(2, 11, 0))
        .status(at(2, 11, 5), Open, Solved);
    // Only an auto-acknowledgement: no reply at all.
    let unanswered = Ticket::customer(at(2, 9, 0)).desk_sends(at(2, 9, 1));
    let t = total(&[acknowledged, unanswered], at(2, 0, 0), at(3, 0, 0));
    assert_eq!(t.first_response, minutes(&[120]));
    assert_eq!(t.response, minutes(&[120]));
    assert_eq!(t.interactions, 1);
    assert_eq!((t.fcr_candidates, t.fcr_resolved), (1, 1));
    assert_eq!(t.backlog, 1, "the unanswered ticket is still open");
}

#[test]
fn reopen_then_solve() {
    // Mon 09:00 customer, 09:30 reply, 10:00 solved (first solve: 1 h).
    // Tue 09:00 the customer writes again, which reopens it; 09:30 reply,
    // 10:00 solved again (latest solve: 25 h after creation).
    let ticket = || {
        Ticket::customer(at(2, 9, 0))
            .agent_replies(at(2, 9, 30))
            .status(at(2, 10, 0), Open, Solved)
            .customer_writes(at(3, 9, 0))
            .status(at(3, 9, 0), Solved, Open)
            .agent_replies(at(3, 9, 30))
            .status(at(3, 10, 0), Open, Solved)
    };

    // Range Mon-Wed, by day.
    let report = days(&[ticket()], at(2, 0, 0), at(5, 0, 0));
    let [(_, mon), (_, tue), (_, wed)] = &report.buckets[..] else {
        panic!("three days")
    };
    // Resolution: to the first solve, in Monday's bucket.
    assert_eq!(mon.resolution, minutes(&[60]));
    assert_eq!(tue.resolution, DurationTally::default());
    // Full resolution: to the latest solve before the end of the range
    // (Tue 10:00), in Tuesday's bucket: 25 h.
    assert_eq!(mon.full_resolution, DurationTally::default());
    assert_eq!(tue.full_resolution, minutes(&[25 * 60]));
    // Solved on both days; one distinct ticket over the range.
    assert_eq!(per_bucket(&report, |t| t.tickets_solved), [1, 1, 0]);
    assert_eq!(report.total.tickets_solved, 1);
    // First-solved Monday and reopened before the end of the range: the
    // reopen rate is 100 % and FCR is broken, though one reply preceded the
    // first solve.
    assert_eq!((mon.first_solved, mon.reopened), (1, 1));
    assert_eq!((mon.fcr_candidates, mon.fcr_resolved), (1, 0));
    let v = KpiValues::from(mon);
    assert_eq!(v.reopen_rate, Some(100.0));
    assert_eq!(v.fcr_rate, Some(0.0));
    assert_eq!(wed, &Tallies::default());

    // Range ending Tue 09:00, the instant of the reopen: at the end of the
    // range the reopen has not happened yet (status at T is set by events
    // strictly before T). No reopen, FCR holds, and the ticket is resolved
    // at the end by its first solve.
    let report = days(&[ticket()], at(2, 0, 0), at(3, 9, 0));
    let mon = &report.buckets[0].1;
    assert_eq!((mon.first_solved, mon.reopened), (1, 0));
    assert_eq!((mon.fcr_candidates, mon.fcr_resolved), (1, 1));
    assert_eq!(mon.full_resolution, minutes(&[60]));
    assert_eq!(KpiValues::from(mon).reopen_rate, Some(0.0));

    // One minute later the reopen counts; the ticket is not resolved at the
    // end, so there is no full resolution sample at all.
    let t = total(&[ticket()], at(2, 0, 0), at(3, 9, 1));
    assert_eq!((t.reopened, t.fcr_resolved), (1, 0));
    assert_eq!(t.full_resolution, DurationTally::default());
    assert_eq!(t.backlog, 1);
}

#[test]
fn closing_without_solving_is_a_solve_and_closing_a_solved_ticket_is_not() {
    // Opened and closed straight from OPEN at 09:30: a solve after 30 min.
    let closed = Ticket::customer(at(2, 9, 0))
        .status(at(2, 9, 10), New, Open)
        .status(at(2, 9, 30), Open, Closed);
    // Solved Mon 10:00 (1 h), closed Tue 10:00: the close solves nothing new.
    let solved_then_closed =
        Ticket::customer(at(2, 9, 0))
            .status(at(2, 10, 0), Open, Solved)
            .status(at(3, 10, 0), Solved, Closed);
    let report = days(&[closed, solved_then_closed], at(2, 0, 0), at(4, 0, 0));
    let [(_, mon), (_, tue)] = &report.buckets[..] else {
        panic!("two days")
    };
    assert_eq!(mon.tickets_solved, 2);
    assert_eq!(tue.tickets_solved, 0);
    assert_eq!(mon.resolution, minutes(&[30, 60]));
    // Both are resolved at the end; the latest solve of the second is still
    // Monday's SOLVED.
    assert_eq!(mon.full_resolution, minutes(&[30, 60]));
    assert_eq!(tue.full_resolution, DurationTally::default());
    assert_eq!(mon.created_resolved_at_end, 2);
    assert_eq!(KpiValues::from(mon).resolution_rate, Some(100.0));
    assert_eq!(mon.backlog, 0);
}

#[test]
fn pending_does_not_pause_kpi_durations() {
    // Customer 09:00; reply 09:10 and PENDING (waiting for the customer)
    // until the customer writes at 13:00; reply 13:30; solved 14:00.
    // The SLA RESOLUTION target would not count the 3 h 50 min in PENDING;
    // the KPI resolution time does: 14:00 - 09:00 = 5 h.
    let ticket = Ticket::customer(at(2, 9, 0))
        .agent_replies(at(2, 9, 10))
        .status(at(2, 9, 10), New, Pending)
        .customer_writes(at(2, 13, 0))
        .status(at(2, 13, 0), Pending, Open)
        .agent_replies(at(2, 13, 30))
        .status(at(2, 14, 0), Open, Solved);
    let t = total(&[ticket], at(2, 0, 0), at(3, 0, 0));
    assert_eq!(t.resolution, minutes(&[5 * 60]));
    assert_eq!(t.full_resolution, minutes(&[5 * 60]));
    assert_eq!(t.response, minutes(&[10, 30]));
    assert_eq!(KpiValues::from(&t).resolution_time.average, Some(5.0 * 3600.0));
}

#[test]
fn merged_tickets_are_left_out() {
    let source_id = TicketId::new();
    let target_id = TicketId::new();
    // The source: created 09:05, merged into the target at 09:20, with a
    // solve, a survey and an SLA decision that must all vanish.
    let source = Ticket::customer(at(2, 9, 5))
        .event(at(2, 9, 20), EventKind::MergedInto { target: target_id })
        .status(at(2, 9, 20), Open, Closed)
        .survey(at(2, 9, 25), Survey::Csat, 1)
        .target(
            SlaTarget::FirstResponse,
            TargetState::Breached,
            Some(at(2, 9, 15)),
            Some(at(2, 9, 20)),
        )
        .merged();
    // The target: created 09:00; the source's 09:05 message is copied over at
    // its own time; the reply at 09:30 answers the wait that began at 09:00.
    let target = Ticket::customer(at(2, 9, 0))
        .event(
            at(2, 9, 5),
            EventKind::Message {
                message_id: MessageId::new(),
                author: Author::Customer,
                channel: Channel::Email,
                moved_from: Some(source_id),
            },
        )
        .event(at(2, 9, 20), EventKind::MergedFrom { source: source_id })
        .agent_replies(at(2, 9, 30))
        .status(at(2, 9, 40), Open, Solved);

    let both = total(&[source, target], at(2, 0, 0), at(3, 0, 0));
    assert_eq!(both.tickets_created, 1);
    assert_eq!(both.tickets_solved, 1);
    assert_eq!(both.first_response, minutes(&[30]));
    assert_eq!(both.response, minutes(&[30]));
    assert_eq!(both.resolution, minutes(&[40]));
    assert_eq!(both.csat_responses, 0);
    assert!(both.sla.is_empty());
    assert_eq!(both.channels, BTreeMap::from([(Channel::Email, 1)]));

    let target_only = Ticket::customer(at(2, 9, 0))
        .customer_writes(at(2, 9, 5))
        .agent_replies(at(2, 9, 30))
        .status(at(2, 9, 40), Open, Solved);
    assert_eq!(both, total(&[target_only], at(2, 0, 0), at(3, 0, 0)));
}

#[test]
fn empty_buckets_count_zero_and_have_no_averages_or_rates() {
    // One ticket on Monday, done the same day; Tuesday and Wednesday empty.
    let ticket = Ticket::customer(at(2, 9, 0))
        .agent_replies(at(2, 9, 30))
        .status(at(2, 10, 0), Open, Solved)
        .survey(at(2, 11, 0), Survey::Csat, 5)
        .target(
            SlaTarget::FirstResponse,
            TargetState::Achieved,
            Some(at(2, 9, 30)),
            Some(at(2, 9, 30)),
        );
    let report = days(&[ticket], at(2, 0, 0), at(5, 0, 0));
    assert_eq!(per_bucket(&report, |t| t.tickets_created), [1, 0, 0]);
    assert_eq!(report.buckets[1].1, Tallies::default());
    assert_eq!(report.buckets[2].1, Tallies::default());

    let kpis = KpiReport::from(&report);
    // 1 ticket over 3 buckets, empty ones included.
    assert!((kpis.average_tickets_created - 1.0 / 3.0).abs() < 1e-12);
    let empty = &kpis.buckets[2].values;
    let none = DurationStats {
        count: 0,
        average: None,
        median: None,
        p90: None,
    };
    assert_eq!(empty.tickets_created, 0);
    assert_eq!(empty.tickets_solved, 0);
    assert_eq!(empty.first_response_time, none);
    assert_eq!(empty.response_time, none);
    assert_eq!(empty.resolution_time, none);
    assert_eq!(empty.full_resolution_time, none);
    assert_eq!(empty.interactions_per_ticket, None);
    assert_eq!(empty.assignee_stations_per_ticket, None);
    assert_eq!(empty.fcr_rate, None);
    assert_eq!(empty.reopen_rate, None);
    assert_eq!(empty.resolution_rate, None);
    assert_eq!((empty.backlog, empty.overdue_backlog), (0, 0));
    assert_eq!(empty.sla.rate, None);
    assert!(empty.sla.by_target.iter().all(|t| t.rate.is_none()));
    assert_eq!((empty.csat.score, empty.csat.average), (None, None));
    assert_eq!(empty.nps.score, None);
    assert!(empty.channels.is_empty());

    // A report over no tickets at all is empty everywhere, never NaN.
    let nothing = KpiReport::from(&days(&[], at(2, 0, 0), at(5, 0, 0)));
    assert_eq!(nothing.average_tickets_created, 0.0);
    assert_eq!(nothing.total, KpiValues::from(&Tallies::default()));
    assert_eq!(nothing.total.first_response_time, none);
}

#[test]
fn dst_days_in_berlin_count_tickets_in_their_local_day() {
    let tz = chrono_tz::Europe::Berlin;
    let berlin_days = |tickets: &[Ticket], from: &str, to: &str| {
        let r = range(berlin(from), berlin(to));
        let buckets = plan_buckets(r, tz, Some(Period::Day)).unwrap();
        run(
            tickets,
            r,
            &buckets,
            Clock::Calendar,
            &BusinessCalendar::always_open(),
            &KpiFilter::default(),
        )
    };
    let hours = |report: &ReportTallies| {
        report
            .buckets
            .iter()
            .map(|(b, _)| (b.end - b.start).num_hours())
            .collect::<Vec<_>>()
    };

    // Spring: Sunday 2026-03-29 has 23 hours (02:00 CET jumps to 03:00 CEST).
    let spring = [
        // Sat 23:30 CET = 22:30Z: Saturday.
        Ticket::customer(berlin("2026-03-28 23:30")),
        // Sun 00:30 CET = Sat 23:30Z: Sunday, though Saturday in UTC.
        // Solved Sun 12:00 CEST = 10:00Z: 10 h 30 min later, though the wall
        // clock moved 11 h 30 min.
        Ticket::customer(berlin("2026-03-29 00:30")).status(berlin("2026-03-29 12:00"), Open, Solved),
        // Sun 23:30 CEST = 21:30Z: Sunday.
        Ticket::customer(berlin("2026-03-29 23:30")),
        // Mon 00:30 CEST = Sun 22:30Z: Monday, though Sunday in UTC.
        Ticket::customer(berlin("2026-03-30 00:30")),
    ];
    let report = berlin_days(&spring, "2026-03-28 00:00", "2026-03-31 00:00");
    assert_eq!(hours(&report), [24, 23, 24]);
    assert_eq!(per_bucket(&report, |t| t.tickets_created), [1, 2, 1]);
    assert_eq!(per_bucket(&report, |t| t.resolution.count), [0, 1, 0]);
    assert_eq!(report.buckets[1].1.resolution, minutes(&[10 * 60 + 30]));
    // Backlog at each local midnight: end of Saturday 1; end of Sunday 2
    // (Saturday's and Sunday 23:30's; the one solved at noon is not); end of
    // Monday 3.
    assert_eq!(per_bucket(&report, |t| t.backlog), [1, 2, 3]);

    // Autumn: Sunday 2026-10-25 has 25 hours (03:00 CEST falls back to 02:00 CET).
    let autumn = [
        // Sat 23:59 CEST = 21:59Z: Saturday.
        Ticket::customer(berlin("2026-10-24 23:59")),
        // Sun 00:15 CEST = Sat 22:15Z: Sunday. Solved Sun 12:15 CET = 11:15Z:
        // 13 h later, though the wall clock moved 12 h.
        Ticket::customer(berlin("2026-10-25 00:15")).status(berlin("2026-10-25 12:15"), Open, Solved),
        // Sun 23:45 CET = 22:45Z: Sunday.
        Ticket::customer(berlin("2026-10-25 23:45")),
        // Mon 00:15 CET = Sun 23:15Z: Monday.
        Ticket::customer(berlin("2026-10-26 00:15")),
    ];
    let report = berlin_days(&autumn, "2026-10-24 00:00", "2026-10-27 00:00");
    assert_eq!(hours(&report), [24, 25, 24]);
    assert_eq!(per_bucket(&report, |t| t.tickets_created), [1, 2, 1]);
    assert_eq!(report.buckets[1].1.resolution, minutes(&[13 * 60]));
    assert_eq!(report.total.tickets_created, 4);
}

#[test]
fn the_business_clock_counts_only_open_hours() {
    let tz = chrono_tz::Europe::Berlin;
    let office = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri].map(|day| {
        OpenInterval::new(
            day,
            NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
        )
    });
    let calendar = BusinessCalendar::new(tz, office, []).unwrap();
    // Created Friday 2026-03-06 16:00 Berlin (15:00Z), answered Monday
    // 2026-03-09 10:00 (09:00Z), solved Monday 11:30 (10:30Z).
    let ticket = Ticket::customer(berlin("2026-03-06 16:00"))
        .agent_replies(berlin("2026-03-09 10:00"))
        .status(berlin("2026-03-09 11:30"), Open, Solved);
    let r = range(at(2, 0, 0), at(16, 0, 0));
    let one = [Bucket {
        start: r.from,
        end: r.to,
    }];
    let tickets = [ticket];
    let report =
        |clock, calendar: &BusinessCalendar| run(&tickets, r, &one, clock, calendar, &KpiFilter::default()).total;

    // BUSINESS: Fri 16:00-17:00 + Mon 09:00-10:00 = 2 h; to the solve
    // another 1 h 30 min: 3 h 30 min.
    let business = report(Clock::Business, &calendar);
    assert_eq!(business.first_response, minutes(&[2 * 60]));
    assert_eq!(business.response, minutes(&[2 * 60]));
    assert_eq!(business.resolution, minutes(&[3 * 60 + 30]));
    assert_eq!(KpiValues::from(&business).first_response_time.average, Some(7200.0));

    // CALENDAR: Fri 15:00Z to Mon 09:00Z = 66 h; to the solve 67 h 30 min.
    let calendar_clock = report(Clock::Calendar, &calendar);
    assert_eq!(calendar_clock.first_response, minutes(&[66 * 60]));
    assert_eq!(calendar_clock.resolution, minutes(&[67 * 60 + 30]));

    // With no calendar configured, BUSINESS equals CALENDAR.
    assert_eq!(
        report(Clock::Business, &BusinessCalendar::always_open()),
        calendar_clock
    );
}

#[test]
fn backlog_at_bucket_ends_reads_status_strictly_before_the_end() {
    // A: created Mon 10:00, solved exactly at Tue 00:00, the boundary.
    let a = Ticket::customer(at(2, 10, 0)).status(at(3, 0, 0), Open, Solved);
    // B: created exactly at Tue 00:00.
    let b = Ticket::customer(at(3, 0, 0));
    // C: created Mon 11:00, solved Mon 12:00, reopened exactly at Wed 00:00.
    let c = Ticket::customer(at(2, 11, 0))
        .agent_replies(at(2, 11, 30))
        .status(at(2, 12, 0), Open, Solved)
        .customer_writes(at(4, 0, 0))
        .status(at(4, 0, 0), Solved, Open);
    let report = days(&[a, b, c], at(2, 0, 0), at(5, 0, 0));

    // End of Monday (T = Tue 00:00): A's solve at T has not happened yet, so
    // A is in the backlog; B, created at T, is not yet; C is solved. -> 1
    // End of Tuesday (T = Wed 00:00): A solved; B open; C's reopen at T has
    // not happened yet. -> 1
    // End of Wednesday (T = Thu 00:00): B and C. -> 2
    assert_eq!(per_bucket(&report, |t| t.backlog), [1, 1, 2]);
    assert_eq!(report.total.backlog, 2);
    // A's solve at Tue 00:00 belongs to Tuesday.
    assert_eq!(per_bucket(&report, |t| t.tickets_solved), [1, 1, 0]);
    assert_eq!(per_bucket(&report, |t| t.tickets_created), [2, 1, 0]);
    // Resolved at the end of the whole range: only A. Monday: 1 of A, C;
    // Tuesday: 0 of B.
    assert_eq!(per_bucket(&report, |t| t.created_resolved_at_end), [1, 0, 0]);
    let kpis = KpiReport::from(&report);
    assert_eq!(kpis.buckets[0].values.resolution_rate, Some(50.0));
    assert_eq!(kpis.buckets[1].values.resolution_rate, Some(0.0));
    assert!(close(kpis.total.resolution_rate, 100.0 / 3.0));
    // Full resolution: A only (14 h, in Tuesday's bucket); C is open at the end.
    assert_eq!(per_bucket(&report, |t| t.full_resolution.count), [0, 1, 0]);
    assert_eq!(report.total.full_resolution, minutes(&[14 * 60]));
}

#[test]
fn overdue_backlog_counts_breached_targets_not_yet_met() {
    use SlaTarget::FirstResponse;
    use TargetState::{Achieved, Breached};
    // X: first response breached Mon 10:00, answered (met) Tue 12:00.
    let x = Ticket::customer(at(2, 8, 0)).agent_replies(at(3, 12, 0)).target(
        FirstResponse,
        Breached,
        Some(at(2, 10, 0)),
        Some(at(3, 12, 0)),
    );
    // Y: breached Mon 11:00, answered Wed 06:00.
    let y = Ticket::customer(at(2, 9, 0)).agent_replies(at(4, 6, 0)).target(
        FirstResponse,
        Breached,
        Some(at(2, 11, 0)),
        Some(at(4, 6, 0)),
    );
    // U: breached Mon 12:00, answered exactly at Tue 00:00.
    let u = Ticket::customer(at(2, 9, 0)).agent_replies(at(3, 0, 0)).target(
        FirstResponse,
        Breached,
        Some(at(2, 12, 0)),
        Some(at(3, 0, 0)),
    );
    // Z: breached exactly at Tue 00:00, never answered.
    let z = Ticket::customer(at(2, 22, 0)).target(FirstResponse, Breached, Some(at(3, 0, 0)), None);
    // W: breached Mon 10:00, then solved Mon 15:00 without a reply (the solve
    // closes the breached target): not in any backlog.
    let w = Ticket::customer(at(2, 9, 0)).status(at(2, 15, 0), Open, Solved).target(
        FirstResponse,
        Breached,
        Some(at(2, 10, 0)),
        Some(at(2, 15, 0)),
    );
    // V: answered in time, still open: backlog, never overdue.
    let v = Ticket::customer(at(2, 9, 0)).agent_replies(at(2, 9, 30)).target(
        FirstResponse,
        Achieved,
        Some(at(2, 9, 30)),
        Some(at(2, 9, 30)),
    );
    let report = days(&[x, y, u, z, w, v], at(2, 0, 0), at(5, 0, 0));

    // Backlog: X, Y, U, Z, V at every day's end.
    assert_eq!(per_bucket(&report, |t| t.backlog), [5, 5, 5]);
    // End of Mon (T = Tue 00:00): X (met later), Y, and U (its reply at T
    // has not happened yet at T); Z's breach is decided at T, not before
    // it. -> 3
    // End of Tue (Wed 00:00): X met Tue 12:00, U met; Y and Z. -> 2
    // End of Wed (Thu 00:00): Y met Wed 06:00; Z. -> 1
    assert_eq!(per_bucket(&report, |t| t.overdue_backlog), [3, 2, 1]);
    assert_eq!(report.total.overdue_backlog, 1);
    assert_eq!(KpiReport::from(&report).buckets[0].values.overdue_backlog, 3);
}

#[test]
fn sla_decisions_belong_to_the_bucket_of_the_decision() {
    use SlaTarget::{FirstResponse, NextReply, Resolution};
    use TargetState::{Achieved, Breached, Paused, Running};
    // P: created Mon 23:00; first reply Tue 00:30 (achieved, decided when
    // met); resolution breached at its deadline Wed 08:00; a next reply
    // still running is not decided.
    let p = Ticket::customer(at(2, 23, 0))
        .agent_replies(at(3, 0, 30))
        .customer_writes(at(3, 1, 0))
        .target(FirstResponse, Achieved, Some(at(3, 0, 30)), Some(at(3, 0, 30)))
        .target(Resolution, Breached, Some(at(4, 8, 0)), None)
        .target(NextReply, Running, None, None);
    // Q: first reply Mon 09:20 (achieved); resolution paused (pending).
    let q = Ticket::customer(at(2, 9, 0))
        .agent_replies(at(2, 9, 20))
        .status(at(2, 9, 20), New, Pending)
        .target(FirstResponse, Achieved, Some(at(2, 9, 20)), Some(at(2, 9, 20)))
        .target(Resolution, Paused, None, None);
    let report = days(&[p, q], at(2, 0, 0), at(5, 0, 0));

    let achieved = SlaTally {
        achieved: 1,
        breached: 0,
    };
    let breached = SlaTally {
        achieved: 0,
        breached: 1,
    };
    assert_eq!(report.buckets[0].1.sla, BTreeMap::from([(FirstResponse, achieved)]));
    assert_eq!(report.buckets[1].1.sla, BTreeMap::from([(FirstResponse, achieved)]));
    assert_eq!(report.buckets[2].1.sla, BTreeMap::from([(Resolution, breached)]));

    // Over the range: 2 achieved, 1 breached: 66.7 %.
    let total = KpiValues::from(&report.total).sla;
    assert_eq!((total.achieved, total.breached), (2, 1));
    assert!(close(total.rate, 200.0 / 3.0));
    let by_target: Vec<_> = total.by_target.iter().map(|t| (t.target, t.rate)).collect();
    assert_eq!(
        by_target,
        [(FirstResponse, Some(100.0)), (NextReply, None), (Resolution, Some(0.0))]
    );
}

#[test]
fn csat_and_nps_scores_belong_to_the_bucket_of_the_answer() {
    // All tickets created Monday; the answers come Monday night and Tuesday.
    let mon = at(2, 9, 0);
    let tickets = [
        Ticket::customer(mon)
            .survey(at(3, 10, 0), Survey::Csat, 5)
            .survey(at(3, 10, 1), Survey::Nps, 10),
        Ticket::customer(mon)
            .survey(at(3, 11, 0), Survey::Csat, 4)
            .survey(at(3, 11, 1), Survey::Nps, 9),
        Ticket::customer(mon)
            .survey(at(3, 12, 0), Survey::Csat, 3)
            .survey(at(3, 12, 1), Survey::Nps, 8),
        Ticket::customer(mon)
            .survey(at(2, 23, 59), Survey::Csat, 1)
            .survey(at(2, 23, 59), Survey::Nps, 0),
        Ticket::customer(mon)
            .survey(at(3, 13, 0), Survey::Nps, 7)
            .survey(at(3, 14, 0), Survey::Nps, 6),
    ];
    let report = days(&tickets, at(2, 0, 0), at(4, 0, 0));
    let kpis = KpiReport::from(&report);

    // Monday: CSAT 1 -> 1 response, 0 % satisfied, average 1.
    // NPS 0 -> one detractor, score -100.
    let m = &report.buckets[0].1;
    assert_eq!((m.csat_responses, m.csat_satisfied, m.csat_rating_sum), (1, 0, 1));
    assert_eq!((m.nps_promoters, m.nps_passives, m.nps_detractors), (0, 0, 1));
    let mv = &kpis.buckets[0].values;
    assert_eq!((mv.csat.score, mv.csat.average), (Some(0.0), Some(1.0)));
    assert_eq!(mv.nps.score, Some(-100.0));

    // Tuesday: CSAT 5, 4, 3 -> 3 responses, 2 satisfied (66.7 %), average 4.
    // NPS 10, 9 | 8, 7 | 6 -> 2 promoters, 2 passives, 1 detractor:
    // 40 % - 20 % = 20.
    let t = &report.buckets[1].1;
    assert_eq!((t.csat_responses, t.csat_satisfied, t.csat_rating_sum), (3, 2, 12));
    assert_eq!((t.nps_promoters, t.nps_passives, t.nps_detractors), (2, 2, 1));
    let tv = &kpis.buckets[1].values;
    assert!(close(tv.csat.score, 200.0 / 3.0));
    assert_eq!(tv.csat.average, Some(4.0));
    assert_eq!(tv.nps.responses, 5);
    assert!(close(tv.nps.score, 20.0));

    // Range: CSAT 5, 4, 3, 1 -> 50 %, average 13 / 4 = 3.25.
    // NPS 2 promoters, 2 passives, 2 detractors -> 0.
    let total = &kpis.total;
    assert_eq!(total.csat.responses, 4);
    assert_eq!((total.csat.score, total.csat.average), (Some(50.0), Some(3.25)));
    assert_eq!(total.nps.responses, 6);
    assert_eq!(total.nps.score, Some(0.0));
}

#[test]
fn filters_narrow_every_figure_to_current_values() {
    let (a1, a2) = (AgentId::new(), AgentId::new());
    let team = TeamId::new();
    // A: email, tagged billing, assigned to a1; first reply after 10 min; CSAT 5.
    let a = Ticket::customer(at(2, 9, 0))
        .tags(&["billing"])
        .assignee(a1)
        .agent_replies(at(2, 9, 10))
        .survey(at(2, 10, 0), Survey::Csat, 5);
    // B: chat, tagged vip, assigned to a2; 20 min; CSAT 1.
    let b = Ticket::customer(at(2, 9, 0))
        .channel(Channel::Chat)
        .tags(&["vip"])
        .assignee(a2)
        .agent_replies(at(2, 9, 20))
        .survey(at(2, 10, 0), Survey::Csat, 1);
    // C: email, untagged, unassigned, in a team; 30 min.
    let c = Ticket::customer(at(2, 9, 0)).team(team).agent_replies(at(2, 9, 30));
    // D: web form, tagged refund and billing, assigned to a1, high priority; 40 min.
    let d = Ticket::customer(at(2, 9, 0))
        .channel(Channel::WebForm)
        .tags(&["refund", "billing"])
        .assignee(a1)
        .priority(Priority::High)
        .agent_replies(at(2, 9, 40));
    let tickets = [a, b, c, d];
    let with = |filter: KpiFilter| filtered(&tickets, at(2, 0, 0), at(3, 0, 0), &filter);
    let tag = |s: &str| Tag::parse(s).unwrap();

    let all = with(KpiFilter::default());
    assert_eq!(all.tickets_created, 4);
    assert_eq!(all.first_response, minutes(&[10, 20, 30, 40]));

    // Channel EMAIL: A and C, and only A's survey.
    let email = with(KpiFilter {
        channels: vec![Channel::Email],
        ..KpiFilter::default()
    });
    assert_eq!(email.tickets_created, 2);
    assert_eq!(email.first_response, minutes(&[10, 30]));
    assert_eq!((email.csat_responses, email.csat_rating_sum), (1, 5));
    assert_eq!(email.backlog, 2);
    assert_eq!(email.channels, BTreeMap::from([(Channel::Email, 2)]));
    let shares = KpiValues::from(&email).channels;
    assert_eq!(shares.len(), 1);
    assert_eq!((shares[0].tickets, shares[0].share), (2, 100.0));

    // Channels EMAIL or CHAT: A, B, C.
    let two = with(KpiFilter {
        channels: vec![Channel::Email, Channel::Chat],
        ..KpiFilter::default()
    });
    assert_eq!(two.tickets_created, 3);

    // Tags, any of: billing or refund -> A and D; refund alone -> D.
    let billing = with(KpiFilter {
        tags: vec![tag("billing"), tag("refund")],
        ..KpiFilter::default()
    });
    assert_eq!(billing.first_response, minutes(&[10, 40]));
    let refund = with(KpiFilter {
        tags: vec![tag("refund")],
        ..KpiFilter::default()
    });
    assert_eq!(refund.first_response, minutes(&[40]));

    // Assignee a2: B alone, with its unhappy survey. The unassigned C never
    // matches an agent filter.
    let by_a2 = with(KpiFilter {
        agent_ids: vec![a2],
        ..KpiFilter::default()
    });
    assert_eq!(by_a2.tickets_created, 1);
    assert_eq!(by_a2.first_response, minutes(&[20]));
    assert_eq!(KpiValues::from(&by_a2).csat.score, Some(0.0));

    // Every list must match: assignee a1 and channel EMAIL -> A only.
    let a1_email = with(KpiFilter {
        agent_ids: vec![a1],
        channels: vec![Channel::Email],
        ..KpiFilter::default()
    });
    assert_eq!(a1_email.first_response, minutes(&[10]));

    // Priority and team.
    let high = with(KpiFilter {
        priorities: vec![Priority::High],
        ..KpiFilter::default()
    });
    assert_eq!(high.first_response, minutes(&[40]));
    let teamed = with(KpiFilter {
        team_ids: vec![team],
        ..KpiFilter::default()
    });
    assert_eq!(teamed.first_response, minutes(&[30]));
}

#[test]
fn median_and_p90_are_nearest_rank_on_ten_samples() {
    // First responses of 1..=10 minutes, in no particular order. Sorted,
    // the median is sample ceil(0.5 * 10) = 5 (5 min = 300 s) and the p90
    // sample ceil(0.9 * 10) = 9 (9 min = 540 s); the average is 55 / 10 =
    // 5.5 min = 330 s.
    let tickets: Vec<_> = [7, 3, 10, 1, 9, 2, 8, 4, 6, 5]
        .into_iter()
        .map(|m| Ticket::customer(at(2, 9, 0)).agent_replies(at(2, 9, m)))
        .collect();
    let t = total(&tickets, at(2, 0, 0), at(3, 0, 0));
    assert_eq!(
        t.first_response,
        DurationTally {
            count: 10,
            sum_micros: 55 * MINUTE,
            median_micros: Some(5 * MINUTE),
            p90_micros: Some(9 * MINUTE),
        }
    );
    assert_eq!(
        KpiValues::from(&t).first_response_time,
        DurationStats {
            count: 10,
            average: Some(330.0),
            median: Some(300.0),
            p90: Some(540.0),
        }
    );
}

#[test]
fn the_total_is_over_all_samples_not_an_average_of_buckets() {
    // Monday: one ticket solved after 10 min. Tuesday: three after 20 min.
    let tickets = [
        Ticket::customer(at(2, 9, 0)).status(at(2, 9, 10), New, Solved),
        Ticket::customer(at(3, 9, 0)).status(at(3, 9, 20), New, Solved),
        Ticket::customer(at(3, 10, 0)).status(at(3, 10, 20), New, Solved),
        Ticket::customer(at(3, 11, 0)).status(at(3, 11, 20), New, Solved),
    ];
    let kpis = KpiReport::from(&days(&tickets, at(2, 0, 0), at(4, 0, 0)));
    assert_eq!(kpis.buckets[0].values.resolution_time.average, Some(600.0));
    assert_eq!(kpis.buckets[1].values.resolution_time.average, Some(1200.0));
    // (10 + 3 * 20) / 4 = 17.5 min = 1050 s, not (10 + 20) / 2 = 15 min.
    assert_eq!(kpis.total.resolution_time.average, Some(1050.0));
    // 4 tickets over 2 buckets.
    assert_eq!(kpis.average_tickets_created, 2.0);
}

#[test]
fn interactions_stations_and_fcr_look_before_the_first_solve() {
    let (a, b, c) = (AgentId::new(), AgentId::new(), AgentId::new());
    // Three replies and two stations before the first solve: assigned to a,
    // unassigned, back to a (same agent: no new station), then to b. What
    // happens after the solve does not count. Not FCR: three replies.
    let busy = Ticket::customer(at(2, 9, 0))
        .assign(at(2, 9, 1), Some(a))
        .agent_replies(at(2, 9, 5))
        .assign(at(2, 9, 10), None)
        .assign(at(2, 9, 15), Some(a))
        .assign(at(2, 9, 20), Some(b))
        .agent_replies(at(2, 9, 25))
        .agent_replies(at(2, 9, 30))
        .status(at(2, 9, 40), Open, Solved)
        .assign(at(2, 9, 50), Some(c))
        .agent_replies(at(2, 9, 55));
    // One reply, one station: FCR.
    let quick = Ticket::customer(at(2, 9, 0))
        .assign(at(2, 9, 1), Some(b))
        .agent_replies(at(2, 9, 2))
        .status(at(2, 9, 3), Open, Solved);
    // The same, but not FCR-eligible (say, a spam report): no candidate.
    let ineligible = Ticket::customer(at(2, 9, 0))
        .assign(at(2, 9, 1), Some(b))
        .agent_replies(at(2, 9, 2))
        .status(at(2, 9, 3), Open, Solved)
        .not_fcr_eligible();
    let t = total(&[busy, quick, ineligible], at(2, 0, 0), at(3, 0, 0));
    // Interactions 3 + 1 + 1 = 5, stations 2 + 1 + 1 = 4, over 3 tickets.
    assert_eq!((t.first_solved, t.interactions, t.assignee_stations), (3, 5, 4));
    assert_eq!((t.fcr_candidates, t.fcr_resolved), (2, 1));
    let v = KpiValues::from(&t);
    assert!(close(v.interactions_per_ticket, 5.0 / 3.0));
    assert!(close(v.assignee_stations_per_ticket, 4.0 / 3.0));
    assert_eq!(v.fcr_rate, Some(50.0));
    assert_eq!(v.reopen_rate, Some(0.0));
}
