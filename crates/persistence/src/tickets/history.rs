//! Appending to a ticket's event log and reading it back.

pub(crate) use super::derived::{derive_new, refresh_derived};

use helpdesk_domain::ids::TicketId;
use helpdesk_domain::ticket::TicketEvent;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set};

use super::record::{EventRecord, actor_columns};
use crate::StoreError;
use crate::entity::ticket_event;
use crate::search_index::{self, Documents};

pub(crate) async fn append(
    txn: &DatabaseTransaction,
    ticket: TicketId,
    events: &[TicketEvent],
) -> Result<(), StoreError> {
    append_unannounced(txn, ticket, events).await?;
    announce(txn, ticket, events).await
}

/// Appends a new ticket's first events without announcing them yet: its
/// creation announces them once the ticket has its number (which is taken
/// last, see `number`), so subscribers never see the provisional one.
pub(crate) async fn append_unannounced(
    txn: &DatabaseTransaction,
    ticket: TicketId,
    events: &[TicketEvent],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    ticket_event::Entity::insert_many(rows(ticket, events)?)
        .exec_without_returning(txn)
        .await?;
    // Every live change passes here (imports use `append_many`), so this is
    // where a solve queues its survey and a reopen or merge cancels it.
    crate::surveys::schedule::after_events(txn, ticket, events).await
}

/// Queues the webhooks subscribed to `events` and rewrites the ticket's
/// search document, in the transaction that records them. Every live
/// change passes here, after writing what it changed; imports announce
/// nothing (and rewrite their documents themselves).
pub(crate) async fn announce(
    txn: &DatabaseTransaction,
    ticket: TicketId,
    events: &[TicketEvent],
) -> Result<(), StoreError> {
    crate::event_hooks::after_events(txn, ticket, events).await?;
    // The rules run after the change is written and before its document
    // is: what they change is searchable with it.
    crate::rules::after_events(txn, ticket, events).await?;
    // Then routing: a rule may have put the ticket on a routing team.
    crate::routing::after_events(txn, ticket, events).await?;
    search_index::rewrite(txn, Documents::Tickets(&[ticket.as_uuid()])).await
}

/// Appends the logs of many tickets with a few multi-row inserts; each
/// ticket's events keep their order.
pub(crate) async fn append_many(
    txn: &DatabaseTransaction,
    logs: &[(TicketId, Vec<TicketEvent>)],
) -> Result<(), StoreError> {
    let mut all = Vec::new();
    for (ticket, events) in logs {
        all.extend(rows(*ticket, events)?);
    }
    super::derived::insert_chunked::<ticket_event::Entity>(txn, all).await
}

fn rows(ticket: TicketId, events: &[TicketEvent]) -> Result<Vec<ticket_event::ActiveModel>, StoreError> {
    events
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
        .collect()
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
