//! Opening a ticket.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::ids::{AgentId, MessageId, TeamId, TicketId};
use helpdesk_domain::tag::Tag;
use helpdesk_domain::ticket::{Actor, Author, Channel, EventKind, Priority, TicketEvent, TicketStatus};
use helpdesk_domain::time::to_micros;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, EntityTrait, Set};

use super::mail::{MailParts, insert_attachments};
use super::record::TicketRecord;
use super::{history, lock, number};
use crate::entity::{agent, message, team, ticket, ticket_tag};
use crate::{Store, StoreError, customers};

/// A ticket opened on a customer's behalf: its first message is the
/// customer's, so it counts as customer-created.
#[derive(Debug, Clone)]
pub struct NewTicket {
    pub subject: String,
    pub body: String,
    pub customer_email: EmailAddress,
    pub customer_name: Option<String>,
    pub channel: Channel,
    pub priority: Priority,
    pub tags: BTreeSet<Tag>,
    pub assignee: Option<AgentId>,
    pub team: Option<TeamId>,
    pub fcr_eligible: bool,
    /// The RFC 5322 Message-ID of the customer's first message, if it came by mail.
    pub rfc_message_id: Option<String>,
    /// The closed ticket this one follows up.
    pub follow_up_of: Option<TicketId>,
    /// HTML, sender and attachments of the first message, when it came by mail.
    pub mail: MailParts,
}

/// Whose ticket a new one is, given its `customer_email`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CustomerOf {
    /// The customer who owns that address (created on first sight).
    Address,
    /// A new unverified contact that merely claims the address (a chat
    /// visitor's): not the address's customer until the claim is proved.
    Claim,
}

impl Store {
    pub async fn create_ticket(
        &self,
        new: NewTicket,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<TicketRecord, StoreError> {
        let txn = self.write().await?;
        let model = insert_ticket(&txn, new, CustomerOf::Address, None, actor, at).await?;
        txn.commit().await?;
        let record: TicketRecord = model.try_into()?;
        self.announce(record.id);
        Ok(record)
    }
}

impl Store {
    /// [`Store::create_ticket`] for a post of the web form `form_key`, which
    /// the ticket remembers (rules may act on one form's tickets).
    pub async fn create_web_form_ticket(
        &self,
        new: NewTicket,
        form_key: &str,
        at: DateTime<Utc>,
    ) -> Result<TicketRecord, StoreError> {
        let txn = self.write().await?;
        let model = insert_ticket(&txn, new, CustomerOf::Address, Some(form_key), Actor::System, at).await?;
        txn.commit().await?;
        let record: TicketRecord = model.try_into()?;
        self.announce(record.id);
        Ok(record)
    }
}

/// Opens a ticket inside `txn`, its first message the customer's, with its
/// history and derived rows; the caller commits and announces it. The
/// ticket's number is taken last (see `number`), so the caller should add
/// little before it commits.
pub(crate) async fn insert_ticket(
    txn: &DatabaseTransaction,
    new: NewTicket,
    customer_of: CustomerOf,
    form: Option<&str>,
    actor: Actor,
    at: DateTime<Utc>,
) -> Result<ticket::Model, StoreError> {
    let at = to_micros(at);
    if let Some(id) = new.assignee
        && agent::Entity::find_by_id(id.as_uuid()).one(txn).await?.is_none()
    {
        return Err(StoreError::not_found("agent"));
    }
    if let Some(id) = new.team
        && team::Entity::find_by_id(id.as_uuid()).one(txn).await?.is_none()
    {
        return Err(StoreError::not_found("team"));
    }
    let name = new.customer_name.as_deref();
    let customer = match customer_of {
        CustomerOf::Address => customers::find_or_create_by_email(txn, &new.customer_email, name, at).await?,
        CustomerOf::Claim => customers::create_unverified_contact(txn, &new.customer_email, name, at).await?,
    };
    let id = TicketId::new();

    ticket::ActiveModel {
        id: Set(id.as_uuid()),
        number: Set(number::provisional_number(id)),
        subject: Set(new.subject),
        status: Set(TicketStatus::New.as_str().to_owned()),
        priority: Set(new.priority.as_str().to_owned()),
        channel: Set(new.channel.as_str().to_owned()),
        customer_id: Set(customer.as_uuid()),
        assignee_id: Set(new.assignee.map(|a| a.as_uuid())),
        team_id: Set(new.team.map(|t| t.as_uuid())),
        fcr_eligible: Set(new.fcr_eligible),
        merged_into_id: Set(None),
        follow_up_of_id: Set(new.follow_up_of.map(|t| t.as_uuid())),
        created_at: Set(at),
        updated_at: Set(at),
        sla_next_due_at: Set(None),
        sla_breached: Set(false),
        external_id: Set(None),
        web_form_key: Set(form.map(ToOwned::to_owned)),
    }
    .insert(txn)
    .await?;

    if !new.tags.is_empty() {
        let rows = new.tags.iter().map(|t| ticket_tag::ActiveModel {
            ticket_id: Set(id.as_uuid()),
            tag: Set(t.to_string()),
        });
        ticket_tag::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await?;
    }

    let message_id = MessageId::new();
    message::ActiveModel {
        id: Set(message_id.as_uuid()),
        ticket_id: Set(id.as_uuid()),
        author: Set(Author::Customer.as_str().to_owned()),
        agent_id: Set(None),
        customer_id: Set(Some(customer.as_uuid())),
        channel: Set(new.channel.as_str().to_owned()),
        internal: Set(false),
        body: Set(new.body),
        rfc_message_id: Set(new.rfc_message_id),
        created_at: Set(at),
        html_body: Set(new.mail.html_body),
        sender: Set(new.mail.sender),
    }
    .insert(txn)
    .await
    .map_err(|e| StoreError::conflict_on_unique(e, "a message with this Message-ID is stored already"))?;
    insert_attachments(txn, message_id, new.mail.attachments, at).await?;

    let event = |actor, kind| TicketEvent { at, actor, kind };
    let mut events = vec![
        event(
            actor,
            EventKind::Created {
                channel: new.channel,
                priority: new.priority,
            },
        ),
        event(
            Actor::Customer(customer),
            EventKind::Message {
                message_id,
                author: Author::Customer,
                channel: new.channel,
                moved_from: None,
            },
        ),
    ];
    if !new.tags.is_empty() {
        events.push(event(
            actor,
            EventKind::TagsChanged {
                added: new.tags.into_iter().collect(),
                removed: vec![],
            },
        ));
    }
    if new.team.is_some() {
        events.push(event(
            actor,
            EventKind::TeamChanged {
                from: None,
                to: new.team,
            },
        ));
    }
    if new.assignee.is_some() {
        events.push(event(
            actor,
            EventKind::AssigneeChanged {
                from: None,
                to: new.assignee,
            },
        ));
    }
    if !new.fcr_eligible {
        events.push(event(actor, EventKind::FcrEligibilityChanged { eligible: false }));
    }
    history::append_unannounced(txn, id, &events).await?;
    history::derive_new(txn, id, at, at).await?;
    // Last of the ticket's own statements, so that the counter row is
    // locked only until the commit that follows; then the events are
    // announced, with the number.
    number::assign_ticket_number(txn, id).await?;
    history::announce(txn, id, &events).await?;
    // Read again: rules the creation started may have changed the ticket.
    lock::lock_ticket(txn, id).await
}
