//! Appending to the event log and keeping metric facts in step with it.

use chrono::{DateTime, Utc};
use helpdesk_domain::ids::TicketId;
use helpdesk_domain::ticket::{TicketEvent, TicketFacts};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set};

use super::record::{EventRecord, actor_columns};
use crate::StoreError;
use crate::entity::{response_sample, ticket_event, ticket_fact};

pub(crate) async fn append(
    txn: &DatabaseTransaction,
    ticket: TicketId,
    events: &[TicketEvent],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let rows = events
        .iter()
        .map(|e| {
            let (actor_kind, actor_id) = actor_columns(e.actor);
            let payload = serde_json::to_value(&e.kind).map_err(|err| StoreError::Corrupt {
                column: "ticket_events.payload",
                value: err.to_string(),
            })?;
            Ok(ticket_event::ActiveModel {
                ticket_id: Set(ticket.as_uuid()),
                at: Set(e.at),
                kind: Set(e.kind.name().to_owned()),
                actor_kind: Set(actor_kind.to_owned()),
                actor_id: Set(actor_id),
                payload: Set(payload),
                ..Default::default()
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    ticket_event::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// A ticket's history in order: by instant, then by position in the log.
pub(crate) async fn load<C: sea_orm::ConnectionTrait>(
    db: &C,
    ticket: TicketId,
) -> Result<Vec<EventRecord>, StoreError> {
    ticket_event::Entity::find()
        .filter(ticket_event::Column::TicketId.eq(ticket.as_uuid()))
        .order_by_asc(ticket_event::Column::At)
        .order_by_asc(ticket_event::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// Recomputes everything derived from the ticket's log: its metric facts,
/// response samples and SLA targets (as of `now`).
///
/// Replaying (instead of patching the stored facts) keeps one definition of
/// every fact: the domain's fold, the same for live changes, merges and
/// imported history. Histories are tens of events, so this is cheap.
pub(crate) async fn refresh_derived(
    txn: &DatabaseTransaction,
    ticket: TicketId,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let events = load(txn, ticket).await?;
    let history: Vec<_> = events.iter().map(|r| r.event.clone()).collect();
    crate::sla::refresh_targets(txn, ticket, &history, now).await?;
    let (facts, samples) = TicketFacts::replay(created_at, events.iter().map(|r| &r.event));
    let id = ticket.as_uuid();

    ticket_fact::Entity::delete_by_id(id).exec(txn).await?;
    let count = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    ticket_fact::Entity::insert(ticket_fact::ActiveModel {
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
    })
    .exec_without_returning(txn)
    .await?;

    response_sample::Entity::delete_many()
        .filter(response_sample::Column::TicketId.eq(id))
        .exec(txn)
        .await?;
    if !samples.is_empty() {
        let rows = samples.iter().map(|s| response_sample::ActiveModel {
            ticket_id: Set(id),
            waiting_since: Set(s.waiting_since),
            answered_at: Set(s.answered_at),
            calendar_seconds: Set((s.answered_at - s.waiting_since).as_seconds_f64()),
            ..Default::default()
        });
        response_sample::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}
