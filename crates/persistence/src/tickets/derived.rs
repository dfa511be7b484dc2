//! Everything kept in step with a ticket's event log: metric facts, the
//! duration samples of every KPI duration on both clocks, solve spans,
//! survey answers and SLA targets, each carrying the ticket's current
//! [`Dimensions`].
//!
//! Replaying (instead of patching the stored rows) keeps one definition of
//! every fact: the domain's fold, the same for live changes, merges and
//! imported history. Histories are tens of events, so this is cheap.

use chrono::{DateTime, Utc};
use helpdesk_domain::calendar::BusinessCalendar;
use helpdesk_domain::ids::TicketId;
use helpdesk_domain::kpi::{DurationFigure, elapsed_micros, overdue_spans};
use helpdesk_domain::sla::{Clock, SlaPolicy, TargetOutcome};
use helpdesk_domain::ticket::{TicketEvent, TicketFacts};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};

use super::dimensions::Dimensions;
use crate::entity::{duration_sample, overdue_span, survey_response, ticket_fact, ticket_solve};
use crate::{StoreError, duration_figure};

/// Bump when what the facts hold changes, so the rebuild job recomputes
/// every ticket's facts from its log.
const FACTS_VERSION: u32 = 3;

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
    derive(txn, ticket, created_at, now, Derived::Before).await
}

/// Derives the rows of a ticket opened in this transaction: as
/// [`refresh_derived`], without first deleting rows that cannot exist yet
/// (six statements of the twenty-odd a new ticket costs).
pub(crate) async fn derive_new(
    txn: &DatabaseTransaction,
    ticket: TicketId,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    derive(txn, ticket, created_at, now, Derived::Never).await
}

/// Whether rows were derived from a ticket before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Derived {
    Before,
    Never,
}

async fn derive(
    txn: &DatabaseTransaction,
    ticket: TicketId,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
    derived: Derived,
) -> Result<(), StoreError> {
    let ctx = DeriveContext::load(txn).await?;
    let history: Vec<_> = super::history::load(txn, ticket)
        .await?
        .into_iter()
        .map(|r| r.event)
        .collect();
    let dims = Dimensions::load(txn, ticket).await?;
    // A caller's `now` may predate a change committed while it waited for
    // the ticket's lock (the facts refresher reads the clock before it
    // locks); a ticket is never judged as of before its own history.
    let now = history.iter().map(|e| e.at).fold(now, DateTime::max);
    let targets = crate::sla::outcomes_of(&ctx, &history, now);
    crate::sla::refresh_targets(txn, ticket, &dims, &targets, &history, derived).await?;
    let mut rows = DerivedRows::default();
    rows.add(&ctx, ticket, &dims, created_at, &history, &targets);
    if derived == Derived::Before {
        // Everything derived before goes; the log says what holds now.
        let id = ticket.as_uuid();
        ticket_fact::Entity::delete_by_id(id).exec(txn).await?;
        delete_of::<duration_sample::Entity>(txn, duration_sample::Column::TicketId, id).await?;
        delete_of::<ticket_solve::Entity>(txn, ticket_solve::Column::TicketId, id).await?;
        delete_of::<survey_response::Entity>(txn, survey_response::Column::TicketId, id).await?;
        delete_of::<overdue_span::Entity>(txn, overdue_span::Column::TicketId, id).await?;
    }
    rows.insert(txn).await
}

/// Deletes the rows of `E` whose `column` names the ticket `id`.
async fn delete_of<E: EntityTrait>(
    txn: &DatabaseTransaction,
    column: E::Column,
    id: uuid::Uuid,
) -> Result<(), StoreError> {
    E::delete_many().filter(column.eq(id)).exec(txn).await?;
    Ok(())
}

/// The rows derived from tickets' histories, gathered so a batch of
/// tickets is written with a few multi-row inserts.
#[derive(Default)]
pub(crate) struct DerivedRows {
    facts: Vec<ticket_fact::ActiveModel>,
    samples: Vec<duration_sample::ActiveModel>,
    solves: Vec<ticket_solve::ActiveModel>,
    surveys: Vec<survey_response::ActiveModel>,
    overdue: Vec<overdue_span::ActiveModel>,
}

fn count(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl DerivedRows {
    pub(crate) fn add(
        &mut self,
        ctx: &DeriveContext,
        ticket: TicketId,
        dims: &Dimensions,
        created_at: DateTime<Utc>,
        history: &[TicketEvent],
        targets: &[TargetOutcome],
    ) {
        let (facts, responses) = TicketFacts::replay(created_at, history);
        let id = ticket.as_uuid();
        self.facts.push(dims.stamp(ticket_fact::ActiveModel {
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
            first_response_at: Set(facts.first_response_at()),
            business_stamp: Set(ctx.stamp.clone()),
            fcr_eligible: Set(dims.fcr_eligible),
            ..Default::default()
        }));

        // Every duration sample: (figure, seq, from, completed, superseded).
        let mut samples = Vec::new();
        if let Some(at) = facts.first_response_at() {
            samples.push((DurationFigure::FirstResponse, 0, created_at, at, None));
        }
        samples.extend(
            (0..)
                .zip(&responses)
                .map(|(i, r)| (DurationFigure::Response, i, r.waiting_since, r.answered_at, None)),
        );
        if let Some(at) = facts.first_solved_at {
            samples.push((DurationFigure::Resolution, 0, created_at, at, None));
        }
        samples.extend((0..).zip(&facts.solve_spans).map(|(i, s)| {
            (
                DurationFigure::FullResolution,
                i,
                created_at,
                s.solved_at,
                s.reopened_at,
            )
        }));
        let on = |clock, from, to| elapsed_micros(clock, &ctx.calendar, from, to);
        self.samples
            .extend(samples.into_iter().map(|(figure, i, from, at, until)| {
                dims.stamp(duration_sample::ActiveModel {
                    ticket_id: Set(id),
                    figure: Set(duration_figure::code(figure)),
                    seq: Set(i),
                    started_at: Set(from),
                    completed_at: Set(at),
                    superseded_at: Set(until),
                    calendar_us: Set(on(Clock::Calendar, from, at)),
                    business_us: Set(on(Clock::Business, from, at)),
                    ..Default::default()
                })
            }));

        let previous = std::iter::once(None).chain(facts.solve_spans.iter().map(|s| Some(s.solved_at)));
        self.solves.extend(
            (0..)
                .zip(facts.solve_spans.iter().zip(previous))
                .map(|(i, (s, previous))| {
                    dims.stamp(ticket_solve::ActiveModel {
                        ticket_id: Set(id),
                        seq: Set(i),
                        solved_at: Set(s.solved_at),
                        reopened_at: Set(s.reopened_at),
                        calendar_us: Set(on(Clock::Calendar, created_at, s.solved_at)),
                        business_us: Set(on(Clock::Business, created_at, s.solved_at)),
                        ticket_created_at: Set(Some(created_at)),
                        previous_solved_at: Set(previous),
                        ..Default::default()
                    })
                }),
        );
        self.surveys.extend((0..).zip(&facts.surveys).map(|(i, s)| {
            dims.stamp(survey_response::ActiveModel {
                ticket_id: Set(id),
                seq: Set(i),
                survey: Set(s.survey.as_str().to_owned()),
                score: Set(i16::from(s.score)),
                answered_at: Set(s.at),
                comment: Set(s.comment.clone()),
                invitation_id: Set(s.invitation.map(|i| i.as_uuid())),
                ..Default::default()
            })
        }));
        let overdue = overdue_spans(targets, &facts.solve_spans);
        self.overdue.extend((0..).zip(overdue).map(|(i, span)| {
            dims.stamp(overdue_span::ActiveModel {
                ticket_id: Set(id),
                seq: Set(i),
                counts_after: Set(span.after),
                counts_until: Set(span.until),
                ..Default::default()
            })
        }));
    }

    /// Inserts the rows in chunks that stay under both engines' limit on
    /// bound parameters.
    pub(crate) async fn insert(self, txn: &DatabaseTransaction) -> Result<(), StoreError> {
        insert_chunked::<ticket_fact::Entity>(txn, self.facts).await?;
        insert_chunked::<duration_sample::Entity>(txn, self.samples).await?;
        insert_chunked::<ticket_solve::Entity>(txn, self.solves).await?;
        insert_chunked::<survey_response::Entity>(txn, self.surveys).await?;
        insert_chunked::<overdue_span::Entity>(txn, self.overdue).await
    }
}

/// Rows one multi-row insert writes, largest first: a batch's rows go in
/// statements of these sizes only, so every table has at most five insert
/// statements, each prepared once per connection and reused by every batch
/// after, and a batch's remainder takes at most a dozen small ones. (Sizing statements to fit each batch made a new statement for
/// nearly every batch; the prepared ones piled up in the connection's
/// statement cache, megabytes each on SQLite.) 512 rows of up to 63
/// columns stay under both engines' limit on bound parameters (SQLite
/// allows 32,766, PostgreSQL 65,535).
const ROWS_PER_STATEMENT: [usize; 5] = [512, 128, 32, 8, 1];

/// Writes `rows` with a few multi-row inserts.
pub(crate) async fn insert_chunked<E>(db: &impl ConnectionTrait, rows: Vec<E::ActiveModel>) -> Result<(), StoreError>
where
    E: EntityTrait,
    E::ActiveModel: Send,
{
    let mut left = rows.len();
    let mut rows = rows.into_iter();
    for size in ROWS_PER_STATEMENT {
        while left >= size {
            let chunk: Vec<_> = rows.by_ref().take(size).collect();
            E::insert_many(chunk).exec_without_returning(db).await?;
            left -= size;
        }
    }
    Ok(())
}
