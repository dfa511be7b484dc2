//! A set of actions applied to a ticket in one transaction: its changes,
//! an internal note and a public reply, each through the same body as the
//! command that makes it alone, so every workflow rule holds.

use chrono::{DateTime, Utc};
use helpdesk_domain::access::TicketAccess;
use helpdesk_domain::automation::TicketActions;
use helpdesk_domain::ids::{AgentId, RuleId, TicketId};
use helpdesk_domain::ticket::{Actor, TicketStatus};
use helpdesk_domain::time::to_micros;
use sea_orm::DatabaseTransaction;

use super::lock;
use super::mail::MailParts;
use super::messages::{MessageAuthor, NewMessage, add_message_in};
use super::record::{MessageRecord, TicketRecord};
use super::update::{TicketChanges, stored_tags, update_in};
use crate::error::parse_column;
use crate::outbox::NewOutboxMail;
use crate::{Store, StoreError};

/// The actions with their texts filled in for one ticket, ready to apply.
#[derive(Debug, Clone)]
pub struct FilledActions {
    pub actions: TicketActions,
    /// The internal note's text, filled in.
    pub note: Option<String>,
    /// The public reply's text, filled in, and its mail when it goes by mail.
    pub reply: Option<(String, Option<NewOutboxMail>)>,
}

/// What applying left behind.
#[derive(Debug, Clone)]
pub struct AppliedActions {
    pub ticket: TicketRecord,
    pub note: Option<MessageRecord>,
    pub reply: Option<MessageRecord>,
}

/// Who applies a set of actions: an agent (a macro) or a rule.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ActedBy {
    Agent(AgentId),
    Rule(RuleId),
}

impl ActedBy {
    fn actor(self) -> Actor {
        match self {
            ActedBy::Agent(id) => Actor::Agent(id),
            ActedBy::Rule(id) => Actor::Rule(id),
        }
    }

    fn author(self) -> MessageAuthor {
        match self {
            ActedBy::Agent(id) => MessageAuthor::Agent(id),
            ActedBy::Rule(id) => MessageAuthor::Rule(id),
        }
    }
}

impl Store {
    pub(crate) async fn apply_actions_within(
        &self,
        ticket_id: TicketId,
        filled: FilledActions,
        agent: AgentId,
        at: DateTime<Utc>,
        access: &TicketAccess,
    ) -> Result<AppliedActions, StoreError> {
        let txn = self.write().await?;
        let applied = apply_in(&txn, ticket_id, filled, ActedBy::Agent(agent), at, access).await?;
        txn.commit().await?;
        self.announce(ticket_id);
        Ok(applied)
    }
}

/// Applies `filled` inside the caller's write transaction, which commits
/// and announces it.
pub(crate) async fn apply_in(
    txn: &DatabaseTransaction,
    ticket_id: TicketId,
    filled: FilledActions,
    by: ActedBy,
    at: DateTime<Utc>,
    access: &TicketAccess,
) -> Result<AppliedActions, StoreError> {
    let at = to_micros(at);
    let current = lock::lock_ticket_within(txn, ticket_id, access).await?;
    let status: TicketStatus = parse_column("tickets.status", &current.status)?;
    let FilledActions { actions, note, reply } = filled;
    actions.check_applicable(status)?;

    let tags = if actions.touches_tags() {
        Some(actions.tags_after(&stored_tags(txn, ticket_id).await?))
    } else {
        None
    };
    // With an agent's reply, the status goes with it, as a reply sets one;
    // otherwise (a rule's reply never sets one) it is a change like any other.
    let status_with_reply = matches!(by, ActedBy::Agent(_)) && reply.is_some();
    let changes = TicketChanges {
        status: actions.status.filter(|_| !status_with_reply),
        priority: actions.priority,
        assignee: actions.assignee.map(|a| a.target()),
        team: actions.team.map(|t| t.target()),
        tags,
        fcr_eligible: None,
    };
    update_in(txn, ticket_id, changes, by.actor(), at, access).await?;

    let message = |body, internal, status, outbox: Option<NewOutboxMail>| NewMessage {
        author: by.author(),
        body,
        internal,
        channel: None,
        status,
        rfc_message_id: outbox.as_ref().map(|m| m.rfc_message_id.clone()),
        mail: MailParts::default(),
        outbox,
    };
    let note = match note {
        Some(body) => Some(
            add_message_in(txn, ticket_id, message(body, true, None, None), at, access)
                .await?
                .0,
        ),
        None => None,
    };
    let reply = match reply {
        Some((body, mail)) => Some(
            add_message_in(
                txn,
                ticket_id,
                message(body, false, actions.status.filter(|_| status_with_reply), mail),
                at,
                access,
            )
            .await?
            .0,
        ),
        None => None,
    };
    let ticket = lock::lock_ticket(txn, ticket_id).await?.try_into()?;
    Ok(AppliedActions { ticket, note, reply })
}
