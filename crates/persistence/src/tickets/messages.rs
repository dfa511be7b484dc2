//! Replies, customer messages and internal notes.

use chrono::{DateTime, Utc};
use helpdesk_domain::access::TicketAccess;
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::ids::{AgentId, MessageId, RuleId, TicketId};
use helpdesk_domain::ticket::{
    Actor, Author, Channel, EventKind, TicketEvent, TicketStatus, after_agent_reply, after_customer_message,
    check_internal_note, check_open_for_messages,
};
use helpdesk_domain::time::to_micros;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, EntityTrait, Set};

use super::mail::{MailParts, insert_attachments};
use super::record::{MessageRecord, TicketRecord};
use super::{history, lock};
use crate::customers;
use crate::entity::outbox;
use crate::entity::{message, ticket};
use crate::error::parse_column;
use crate::outbox::{NewOutboxMail, outbox_row};
use crate::{Store, StoreError};

/// Who writes a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageAuthor {
    Agent(AgentId),
    /// The ticket's customer.
    Customer,
    /// Another person writing in the ticket's thread (e.g. someone in copy),
    /// known by their address; made a customer on first sight.
    OtherCustomer {
        email: EmailAddress,
        name: Option<String>,
    },
    /// The desk itself (acknowledgements, notices).
    System,
    /// An admin's rule (its internal notes).
    Rule(RuleId),
}

#[derive(Debug, Clone)]
pub struct NewMessage {
    pub author: MessageAuthor,
    pub body: String,
    /// An internal note; only agents write them.
    pub internal: bool,
    /// The channel it came or goes by; the ticket's channel when `None`.
    pub channel: Option<Channel>,
    /// The status an agent sets together with a public reply.
    pub status: Option<TicketStatus>,
    pub rfc_message_id: Option<String>,
    pub mail: MailParts,
    /// Mail to queue with the message, committed together with it.
    pub outbox: Option<NewOutboxMail>,
}

impl Store {
    /// Adds a message to a ticket and applies what it implies for the
    /// ticket's status (see `helpdesk_domain::ticket::workflow`).
    ///
    /// Desk-internal (channels file customers' messages here); agents add
    /// messages through [`crate::tickets::ScopedStore`].
    pub async fn add_message(
        &self,
        ticket_id: TicketId,
        new: NewMessage,
        at: DateTime<Utc>,
    ) -> Result<(MessageRecord, TicketRecord), StoreError> {
        self.add_message_within(ticket_id, new, at, &TicketAccess::Everything)
            .await
    }

    pub(crate) async fn add_message_within(
        &self,
        ticket_id: TicketId,
        new: NewMessage,
        at: DateTime<Utc>,
        access: &TicketAccess,
    ) -> Result<(MessageRecord, TicketRecord), StoreError> {
        let at = to_micros(at);
        let txn = self.write().await?;
        let (message, ticket) = add_message_in(&txn, ticket_id, new, at, access).await?;
        txn.commit().await?;
        self.announce(ticket_id);
        Ok((message, ticket))
    }
}

/// Adds a message inside the caller's write transaction (which commits and
/// announces the change): the one body of [`Store::add_message`], shared
/// with changes that file a message together with something else.
pub(crate) async fn add_message_in(
    txn: &DatabaseTransaction,
    ticket_id: TicketId,
    new: NewMessage,
    at: DateTime<Utc>,
    access: &TicketAccess,
) -> Result<(MessageRecord, TicketRecord), StoreError> {
    let at = to_micros(at);
    let current = lock::lock_ticket_within(txn, ticket_id, access).await?;
    let status: TicketStatus = parse_column("tickets.status", &current.status)?;
    let channel = match new.channel {
        Some(c) => c,
        None => parse_column("tickets.channel", &current.channel)?,
    };
    let customer = helpdesk_domain::ids::CustomerId::from_uuid(current.customer_id);

    let (author, actor, next_status) = match new.author {
        MessageAuthor::Agent(agent) if new.internal => {
            check_internal_note(status, new.status)?;
            (Author::Agent, Actor::Agent(agent), None)
        }
        MessageAuthor::Agent(agent) => (
            Author::Agent,
            Actor::Agent(agent),
            after_agent_reply(status, new.status)?,
        ),
        MessageAuthor::Customer => (
            Author::Customer,
            Actor::Customer(customer),
            after_customer_message(status)?,
        ),
        MessageAuthor::OtherCustomer { ref email, ref name } => {
            let next = after_customer_message(status)?;
            let other = customers::find_or_create_by_email(txn, email, name.as_deref(), at).await?;
            (Author::Customer, Actor::Customer(other), next)
        }
        MessageAuthor::System => {
            check_open_for_messages(status)?;
            (Author::System, Actor::System, None)
        }
        MessageAuthor::Rule(rule) => {
            check_open_for_messages(status)?;
            (Author::System, Actor::Rule(rule), None)
        }
    };
    let internal = new.internal && matches!(new.author, MessageAuthor::Agent(_) | MessageAuthor::Rule(_));

    let id = MessageId::new();
    let row = message::ActiveModel {
        id: Set(id.as_uuid()),
        ticket_id: Set(ticket_id.as_uuid()),
        author: Set(author.as_str().to_owned()),
        agent_id: Set(match new.author {
            MessageAuthor::Agent(a) => Some(a.as_uuid()),
            _ => None,
        }),
        customer_id: Set(match actor {
            Actor::Customer(c) => Some(c.as_uuid()),
            _ => None,
        }),
        channel: Set(channel.as_str().to_owned()),
        internal: Set(internal),
        body: Set(new.body),
        rfc_message_id: Set(new.rfc_message_id),
        created_at: Set(at),
        html_body: Set(new.mail.html_body),
        sender: Set(new.mail.sender),
    }
    .insert(txn)
    .await
    .map_err(|e| StoreError::conflict_on_unique(e, "a message with this Message-ID is stored already"))?;
    insert_attachments(txn, id, new.mail.attachments, at).await?;
    if let Some(mail) = new.outbox {
        outbox::Entity::insert(outbox_row(mail, ticket_id, Some(id), at))
            .exec_without_returning(txn)
            .await?;
    }

    let kind = if internal {
        EventKind::Note {
            message_id: id,
            moved_from: None,
        }
    } else {
        EventKind::Message {
            message_id: id,
            author,
            channel,
            moved_from: None,
        }
    };
    let mut events = vec![TicketEvent { at, actor, kind }];
    let created_at = current.created_at;
    let mut updated: ticket::ActiveModel = current.into();
    if let Some(to) = next_status {
        events.push(TicketEvent {
            at,
            actor,
            kind: EventKind::status_changed(status, to),
        });
        updated.status = Set(to.as_str().to_owned());
    }
    updated.updated_at = Set(at);
    updated.update(txn).await?;

    history::append(txn, ticket_id, &events).await?;
    history::refresh_derived(txn, ticket_id, created_at, at).await?;
    // Read again: rules the message started may have changed the ticket too.
    let ticket = lock::lock_ticket(txn, ticket_id).await?;
    Ok((row.try_into()?, ticket.try_into()?))
}
