//! Everything kept in step with a ticket's event log: metric facts with
//! their durations on both clocks, response samples, solve spans, survey
//! answers and SLA targets.
//!
//! Replaying (instead of patching the stored rows) keeps one definition of
//! every fact: the domain's fold, the same for live changes, merges and
//! imported history. Histories are tens of events, so this is cheap.

use chrono::{DateTime, Utc};
use helpdesk_domain::calendar::BusinessCalendar;
use helpdesk_domain::ids::TicketId;
use helpdesk_domain::kpi::elapsed_micros;
use helpdesk_domain::sla::{Clock, SlaPolicy};
use helpdesk_domain::ticket::{TicketEvent, TicketFacts};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};

use crate::StoreError;
use crate::entity::{response_sample, survey_response, ticket_fact, ticket_solve};

/// Bump when what the facts hold changes, so the rebuild job recomputes
/// every ticket's facts from its log.
const FACTS_VERSION: u32 = 1;

/// What deriving needs besides the ticket's own history: the SLA policies in
/// force and the desk's calendar. Loaded once per transaction, or once per
/// import batch.
pub(crate) struct DeriveContext {
    pub policies: Vec<SlaPolicy>,
    pub calendar: BusinessCalendar,
    /// Whether a calendar was set (SLA BUSINESS targets fall back to CALENDAR).
    pub calendar_set: bool,
    /// Names the facts version and calendar the stored durations were
    /// measured with.
    pub stamp: String,
}

impl DeriveContext {
    pub(crate) async fn load<C: ConnectionTrait>(db: &C) -> Result<Self, StoreError> {
        let policies = crate::sla::policies(db).await?;
        let calendar = crate::calendar::load(db).await?;
        let stamp = business_stamp(calendar.as_ref())?;
        Ok(Self {
            policies,
            calendar_set: calendar.is_some(),
            calendar: calendar.unwrap_or_else(BusinessCalendar::always_open),
            stamp,
        })
    }
}

/// A short, stable name for the facts version and the desk's calendar:
/// facts stamped otherwise are stale.
pub(crate) fn business_stamp(calendar: Option<&BusinessCalendar>) -> Result<String, StoreError> {
    let text = calendar.map(crate::calendar::encode).transpose()?.unwrap_or_default();
    // FNV-1a: tiny, stable across builds and platforms (unlike std's hasher).
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    Ok(format!("v{FACTS_VERSION}:{hash:016x}"))
}

/// Recomputes everything derived from the ticket's log, as of `now`.
pub(crate) async fn refresh_derived(
    txn: &DatabaseTransaction,
    ticket: TicketId,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let ctx = DeriveContext::load(txn).await?;
    let history: Vec<_> = super::history::load(txn, ticket)
        .await?
        .into_iter()
        .map(|r| r.event)
        .collect();
    write_derived(txn, &ctx, ticket, created_at, &history, now, true).await
}

/// Writes the derived rows of one ticket from its full `history`.
/// `replace` deletes what was derived before (false only for a ticket
/// created in this transaction).
pub(crate) async fn write_derived(
    txn: &DatabaseTransaction,
    ctx: &DeriveContext,
    ticket: TicketId,
    created_at: DateTime<Utc>,
    history: &[TicketEvent],
    now: DateTime<Utc>,
    replace: bool,
) -> Result<(), StoreError> {
    crate::sla::refresh_targets(txn, ctx, ticket, history, now, replace).await?;
    let rows = DerivedRows::of(ctx, ticket, created_at, history);
    let id = ticket.as_uuid();
    if replace {
        ticket_fact::Entity::delete_by_id(id).exec(txn).await?;
        response_sample::Entity::delete_many()
            .filter(response_sample::Column::TicketId.eq(id))
            .exec(txn)
            .await?;
        ticket_solve::Entity::delete_many()
            .filter(ticket_solve::Column::TicketId.eq(id))
            .exec(txn)
            .await?;
        survey_response::Entity::delete_many()
            .filter(survey_response::Column::TicketId.eq(id))
            .exec(txn)
            .await?;
    }
    rows.insert(txn).await
}

/// The rows derived from tickets' histories, gathered so a batch of
/// tickets is written with a few multi-row inserts.
#[derive(Default)]
pub(crate) struct DerivedRows {
    facts: Vec<ticket_fact::ActiveModel>,
    samples: Vec<response_sample::ActiveModel>,
    solves: Vec<ticket_solve::ActiveModel>,
    surveys: Vec<survey_response::ActiveModel>,
}

fn count(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn seq(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

impl DerivedRows {
    pub(crate) fn of(
        ctx: &DeriveContext,
        ticket: TicketId,
        created_at: DateTime<Utc>,
        history: &[TicketEvent],
    ) -> Self {
        let mut rows = Self::default();
        rows.add(ctx, ticket, created_at, history);
        rows
    }

    pub(crate) fn add(
        &mut self,
        ctx: &DeriveContext,
        ticket: TicketId,
        created_at: DateTime<Utc>,
        history: &[TicketEvent],
    ) {
        let (facts, samples) = TicketFacts::replay(created_at, history);
        let id = ticket.as_uuid();
        let on = |clock, from, to| elapsed_micros(clock, &ctx.calendar, from, to);
        let first_response_at = facts
            .first_public_reply_at
            .filter(|_| facts.customer_created == Some(true));
        self.facts.push(ticket_fact::ActiveModel {
            ticket_id: Set(id),
            created_at: Set(facts.created_at),
            status: Set(facts.status.as_str().to_owned()),
            customer_created: Set(facts.customer_created),
            first_public_reply_at: Set(facts.first_public_reply_at),
            last_public_reply_at: Set(facts.last_public_reply_at),
            last_customer_message_at: Set(facts.last_customer_message_at),
            awaiting_reply_since: Set(facts.awaiting_reply_since),
            public_replies: Set(count(facts.public_replies)),
            customer_messages: Set(count(facts.customer_messages)),
            internal_notes: Set(count(facts.internal_notes)),
            replies_before_first_solve: Set(count(facts.replies_before_first_solve)),
            assignee_stations_before_first_solve: Set(count(facts.assignee_stations_before_first_solve)),
            last_assigned_agent_id: Set(facts.last_assigned_agent.map(|a| a.as_uuid())),
            first_solved_at: Set(facts.first_solved_at),
            latest_solved_at: Set(facts.latest_solved_at),
            solves: Set(count(facts.solves)),
            reopens: Set(count(facts.reopens)),
            first_reopened_at: Set(facts.first_reopened_at),
            first_response_at: Set(first_response_at),
            first_response_calendar_us: Set(first_response_at.map(|at| on(Clock::Calendar, created_at, at))),
            first_response_business_us: Set(first_response_at.map(|at| on(Clock::Business, created_at, at))),
            resolution_calendar_us: Set(facts.first_solved_at.map(|at| on(Clock::Calendar, created_at, at))),
            resolution_business_us: Set(facts.first_solved_at.map(|at| on(Clock::Business, created_at, at))),
            business_stamp: Set(ctx.stamp.clone()),
        });
        self.samples
            .extend(samples.iter().enumerate().map(|(i, s)| response_sample::ActiveModel {
                ticket_id: Set(id),
                seq: Set(seq(i)),
                waiting_since: Set(s.waiting_since),
                answered_at: Set(s.answered_at),
                calendar_us: Set(on(Clock::Calendar, s.waiting_since, s.answered_at)),
                business_us: Set(on(Clock::Business, s.waiting_since, s.answered_at)),
            }));
        self.solves.extend(
            facts
                .solve_spans
                .iter()
                .enumerate()
                .map(|(i, s)| ticket_solve::ActiveModel {
                    ticket_id: Set(id),
                    seq: Set(seq(i)),
                    solved_at: Set(s.solved_at),
                    reopened_at: Set(s.reopened_at),
                    calendar_us: Set(on(Clock::Calendar, created_at, s.solved_at)),
                    business_us: Set(on(Clock::Business, created_at, s.solved_at)),
                }),
        );
        self.surveys.extend(
            facts
                .surveys
                .iter()
                .enumerate()
                .map(|(i, s)| survey_response::ActiveModel {
                    ticket_id: Set(id),
                    seq: Set(seq(i)),
                    survey: Set(s.survey.as_str().to_owned()),
                    score: Set(i16::from(s.score)),
                    answered_at: Set(s.at),
                }),
        );
    }

    /// Inserts the rows in chunks that stay under both engines' limit on
    /// bound parameters.
    pub(crate) async fn insert(self, txn: &DatabaseTransaction) -> Result<(), StoreError> {
        insert_chunked::<ticket_fact::Entity>(txn, self.facts, 26).await?;
        insert_chunked::<response_sample::Entity>(txn, self.samples, 6).await?;
        insert_chunked::<ticket_solve::Entity>(txn, self.solves, 6).await?;
        insert_chunked::<survey_response::Entity>(txn, self.surveys, 5).await
    }
}

/// Multi-row inserts of `rows` with `columns` columns each, at most about
/// 30,000 bound values a statement (SQLite allows 32,766, PostgreSQL 65,535).
pub(crate) async fn insert_chunked<E>(
    txn: &DatabaseTransaction,
    rows: Vec<E::ActiveModel>,
    columns: usize,
) -> Result<(), StoreError>
where
    E: EntityTrait,
    E::ActiveModel: Send,
{
    let per_statement = (30_000 / columns.max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(per_statement).collect();
        E::insert_many(chunk).exec_without_returning(txn).await?;
    }
    Ok(())
}
