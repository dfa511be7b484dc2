//! Tickets as one agent may read and change them.
//!
//! Every ticket an agent reaches, by id, in a listing, through a nested
//! field or as the object of a change, goes through a [`ScopedStore`] made
//! for that agent's [`TicketAccess`]. A ticket outside it is not found,
//! never forbidden, so its existence does not leak. The API holds no other
//! way to reach tickets (its clippy configuration forbids the unscoped
//! `Store` methods), so a new resolver cannot forget the scope.

use chrono::{DateTime, Utc};
use helpdesk_domain::DomainError;
use helpdesk_domain::access::TicketAccess;
use helpdesk_domain::ids::{AgentId, AttachmentId, TicketId};
use helpdesk_domain::ticket::Actor;

use super::merge::Merge;
use super::{
    AppliedActions, AttachmentFile, FilledActions, MessageRecord, NewMessage, NewTicket, TicketChanges, TicketCursor,
    TicketFilter, TicketOrder, TicketPage, TicketRecord,
};
use crate::{Store, StoreError};

/// The store, limited to the tickets one caller may see and change.
#[derive(Debug, Clone)]
pub struct ScopedStore {
    store: Store,
    access: TicketAccess,
}

impl Store {
    /// This store as a caller with `access` may use it.
    pub fn scoped(&self, access: TicketAccess) -> ScopedStore {
        ScopedStore {
            store: self.clone(),
            access,
        }
    }
}

impl ScopedStore {
    pub fn access(&self) -> &TicketAccess {
        &self.access
    }

    /// The unscoped store, for this crate's scoped reads that apply
    /// `access` themselves.
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// The ticket, if it exists and is within reach.
    pub async fn ticket(&self, id: TicketId) -> Result<Option<TicketRecord>, StoreError> {
        Ok(self.store.ticket(id).await?.filter(|t| self.access.covers(t.team_id)))
    }

    /// An attachment with its content, if its ticket is within reach.
    pub async fn attachment(&self, id: AttachmentId) -> Result<Option<AttachmentFile>, StoreError> {
        self.store.attachment_within(id, &self.access).await
    }

    /// Those of the tickets that exist and are within reach.
    pub async fn tickets_by_ids(&self, ids: &[TicketId]) -> Result<Vec<TicketRecord>, StoreError> {
        let mut tickets = self.store.tickets_by_ids(ids).await?;
        tickets.retain(|t| self.access.covers(t.team_id));
        Ok(tickets)
    }

    /// A page of the tickets within reach that match `filter` (its
    /// `access` is replaced by the caller's).
    pub async fn list_tickets(
        &self,
        filter: &TicketFilter,
        order: TicketOrder,
        first: u64,
        after: Option<TicketCursor>,
    ) -> Result<TicketPage, StoreError> {
        let filter = TicketFilter {
            access: self.access.clone(),
            ..filter.clone()
        };
        self.store.list_tickets(&filter, order, first, after).await
    }

    /// How many tickets within reach match `filter` (its `access` is
    /// replaced by the caller's).
    pub async fn count_tickets(&self, filter: &TicketFilter) -> Result<u64, StoreError> {
        let filter = TicketFilter {
            access: self.access.clone(),
            ..filter.clone()
        };
        self.store.count_tickets(&filter).await
    }

    /// Opens a ticket; a scoped caller only in their reach (one of their
    /// teams, or no team when they see teamless tickets).
    pub async fn create_ticket(
        &self,
        new: NewTicket,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<TicketRecord, StoreError> {
        if !self.access.covers(new.team) {
            return Err(DomainError::TeamOutsideScope.into());
        }
        self.store.create_ticket(new, actor, at).await
    }

    pub async fn update_ticket(
        &self,
        ticket_id: TicketId,
        changes: TicketChanges,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<TicketRecord, StoreError> {
        self.store
            .update_ticket_within(ticket_id, changes, actor, at, &self.access)
            .await
    }

    pub async fn add_message(
        &self,
        ticket_id: TicketId,
        new: NewMessage,
        at: DateTime<Utc>,
    ) -> Result<(MessageRecord, TicketRecord), StoreError> {
        self.store.add_message_within(ticket_id, new, at, &self.access).await
    }

    /// Applies a set of actions (a macro's, filled in for this ticket) as
    /// `agent`, in one transaction: all of it or nothing.
    pub async fn apply_actions(
        &self,
        ticket_id: TicketId,
        filled: FilledActions,
        agent: AgentId,
        at: DateTime<Utc>,
    ) -> Result<AppliedActions, StoreError> {
        self.store
            .apply_actions_within(ticket_id, filled, agent, at, &self.access)
            .await
    }

    /// Merges within reach: both tickets must be. Across customers only
    /// when `merge.across_customers` confirms it.
    pub async fn merge_tickets(
        &self,
        merge: Merge,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<(TicketRecord, TicketRecord), StoreError> {
        self.store.merge_tickets_within(merge, actor, at, &self.access).await
    }

    /// Vouches for the address a chat visitor gave on `ticket_id`: its
    /// unverified contact's tickets move to the address's customer.
    pub async fn confirm_chat_identity(
        &self,
        ticket_id: TicketId,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<TicketRecord, StoreError> {
        self.store
            .confirm_chat_identity_within(ticket_id, actor, at, &self.access)
            .await
    }
}
