//! Changing a ticket's status, priority, assignment, tags and FCR eligibility.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use helpdesk_domain::DomainError;
use helpdesk_domain::access::TicketAccess;
use helpdesk_domain::ids::{AgentId, TeamId, TicketId};
use helpdesk_domain::tag::Tag;
use helpdesk_domain::ticket::{Actor, EventKind, Priority, TicketEvent, TicketStatus};
use helpdesk_domain::time::to_micros;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};

use super::record::TicketRecord;
use super::{history, lock};
use crate::entity::{agent, team, ticket, ticket_tag};
use crate::error::parse_column;
use crate::{Store, StoreError};

/// The changes to make; `None` leaves a field as it is. For assignee and team,
/// `Some(None)` clears them.
#[derive(Debug, Clone, Default)]
pub struct TicketChanges {
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    pub assignee: Option<Option<AgentId>>,
    pub team: Option<Option<TeamId>>,
    /// The complete new set of tags.
    pub tags: Option<BTreeSet<Tag>>,
    pub fcr_eligible: Option<bool>,
}

impl Store {
    /// Applies `changes`; fields set to the value they already have record
    /// nothing. A CLOSED ticket accepts no change.
    ///
    /// Desk-internal: agents change tickets through [`crate::tickets::ScopedStore`].
    pub async fn update_ticket(
        &self,
        ticket_id: TicketId,
        changes: TicketChanges,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<TicketRecord, StoreError> {
        self.update_ticket_within(ticket_id, changes, actor, at, &TicketAccess::Everything)
            .await
    }

    pub(crate) async fn update_ticket_within(
        &self,
        ticket_id: TicketId,
        changes: TicketChanges,
        actor: Actor,
        at: DateTime<Utc>,
        access: &TicketAccess,
    ) -> Result<TicketRecord, StoreError> {
        let txn = self.write().await?;
        match update_in(&txn, ticket_id, changes, actor, at, access).await? {
            Updated::Changed(record) => {
                txn.commit().await?;
                self.announce(ticket_id);
                Ok(record)
            }
            Updated::Unchanged(record) => {
                txn.rollback().await?;
                Ok(record)
            }
        }
    }
}

/// What [`update_in`] did.
pub(crate) enum Updated {
    Changed(TicketRecord),
    /// Every field already had its value: nothing was written.
    Unchanged(TicketRecord),
}

/// Applies `changes` inside the caller's write transaction, which commits
/// (and announces) or rolls back: the one body of [`Store::update_ticket`],
/// shared with changes made together with something else (a macro).
pub(crate) async fn update_in(
    txn: &DatabaseTransaction,
    ticket_id: TicketId,
    changes: TicketChanges,
    actor: Actor,
    at: DateTime<Utc>,
    access: &TicketAccess,
) -> Result<Updated, StoreError> {
    let at = to_micros(at);
    let current = lock::lock_ticket_within(txn, ticket_id, access).await?;
    let record: TicketRecord = current.clone().try_into()?;
    let mut events = Vec::new();
    let mut row: ticket::ActiveModel = current.into();
    let event = |kind| TicketEvent { at, actor, kind };

    if let Some(to) = changes.status {
        record.status.check_transition(to)?;
    }
    if record.status == TicketStatus::Closed {
        return Err(DomainError::TicketClosed.into());
    }
    if let Some(to) = changes.status.filter(|s| *s != record.status) {
        row.status = Set(to.as_str().to_owned());
        events.push(event(EventKind::status_changed(record.status, to)));
    }
    if let Some(to) = changes.priority.filter(|p| *p != record.priority) {
        row.priority = Set(to.as_str().to_owned());
        events.push(event(EventKind::PriorityChanged {
            from: record.priority,
            to,
        }));
    }
    if let Some(to) = changes.team.filter(|t| *t != record.team_id) {
        if let Some(id) = to
            && team::Entity::find_by_id(id.as_uuid()).one(txn).await?.is_none()
        {
            return Err(StoreError::not_found("team"));
        }
        row.team_id = Set(to.map(|t| t.as_uuid()));
        events.push(event(EventKind::TeamChanged {
            from: record.team_id,
            to,
        }));
    }
    if let Some(to) = changes.assignee.filter(|a| *a != record.assignee_id) {
        if let Some(id) = to
            && agent::Entity::find_by_id(id.as_uuid()).one(txn).await?.is_none()
        {
            return Err(StoreError::not_found("agent"));
        }
        row.assignee_id = Set(to.map(|a| a.as_uuid()));
        events.push(event(EventKind::AssigneeChanged {
            from: record.assignee_id,
            to,
        }));
    }
    if let Some(eligible) = changes.fcr_eligible.filter(|e| *e != record.fcr_eligible) {
        row.fcr_eligible = Set(eligible);
        events.push(event(EventKind::FcrEligibilityChanged { eligible }));
    }
    if let Some(tags) = changes.tags {
        let stored = stored_tags(txn, ticket_id).await?;
        let added: Vec<Tag> = tags.difference(&stored).cloned().collect();
        let removed: Vec<Tag> = stored.difference(&tags).cloned().collect();
        if !removed.is_empty() {
            ticket_tag::Entity::delete_many()
                .filter(ticket_tag::Column::TicketId.eq(ticket_id.as_uuid()))
                .filter(ticket_tag::Column::Tag.is_in(removed.iter().map(Tag::to_string)))
                .exec(txn)
                .await?;
        }
        if !added.is_empty() {
            let rows = added.iter().map(|t| ticket_tag::ActiveModel {
                ticket_id: Set(ticket_id.as_uuid()),
                tag: Set(t.to_string()),
            });
            ticket_tag::Entity::insert_many(rows)
                .exec_without_returning(txn)
                .await?;
        }
        if !added.is_empty() || !removed.is_empty() {
            events.push(event(EventKind::TagsChanged { added, removed }));
        }
    }

    if events.is_empty() {
        return Ok(Updated::Unchanged(record));
    }
    row.updated_at = Set(at);
    row.update(txn).await?;
    history::append(txn, ticket_id, &events).await?;
    history::refresh_derived(txn, ticket_id, record.created_at, at).await?;
    // Read again: rules the change started may have changed the ticket too.
    Ok(Updated::Changed(lock::lock_ticket(txn, ticket_id).await?.try_into()?))
}

/// A ticket's tags as stored.
pub(crate) async fn stored_tags(txn: &DatabaseTransaction, ticket_id: TicketId) -> Result<BTreeSet<Tag>, StoreError> {
    ticket_tag::Entity::find()
        .filter(ticket_tag::Column::TicketId.eq(ticket_id.as_uuid()))
        .all(txn)
        .await?
        .into_iter()
        .map(|t| parse_column::<Tag>("ticket_tags.tag", &t.tag))
        .collect()
}
