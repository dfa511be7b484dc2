//! What the store hands back about tickets, in domain types.

use chrono::{DateTime, Utc};
use helpdesk_domain::ids::{AgentId, CustomerId, MessageId, RuleId, TeamId, TicketId};
use helpdesk_domain::ticket::{Actor, Author, Channel, EventKind, Priority, TicketEvent, TicketStatus};

use crate::StoreError;
use crate::entity::{message, ticket, ticket_event};
use crate::error::parse_column;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRecord {
    pub id: TicketId,
    pub number: i64,
    pub subject: String,
    pub status: TicketStatus,
    pub priority: Priority,
    pub channel: Channel,
    pub customer_id: CustomerId,
    pub assignee_id: Option<AgentId>,
    pub team_id: Option<TeamId>,
    pub fcr_eligible: bool,
    pub merged_into: Option<TicketId>,
    pub follow_up_of: Option<TicketId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The earliest deadline of its running SLA targets.
    pub sla_next_due_at: Option<DateTime<Utc>>,
    /// A target was breached and its event has not come yet.
    pub sla_breached: bool,
    /// The key of the web form it came through.
    pub web_form_key: Option<String>,
}

impl TryFrom<ticket::Model> for TicketRecord {
    type Error = StoreError;

    fn try_from(m: ticket::Model) -> Result<Self, StoreError> {
        Ok(Self {
            id: TicketId::from_uuid(m.id),
            number: m.number,
            subject: m.subject,
            status: parse_column("tickets.status", &m.status)?,
            priority: parse_column("tickets.priority", &m.priority)?,
            channel: parse_column("tickets.channel", &m.channel)?,
            customer_id: CustomerId::from_uuid(m.customer_id),
            assignee_id: m.assignee_id.map(AgentId::from_uuid),
            team_id: m.team_id.map(TeamId::from_uuid),
            fcr_eligible: m.fcr_eligible,
            merged_into: m.merged_into_id.map(TicketId::from_uuid),
            follow_up_of: m.follow_up_of_id.map(TicketId::from_uuid),
            created_at: m.created_at,
            updated_at: m.updated_at,
            sla_next_due_at: m.sla_next_due_at,
            sla_breached: m.sla_breached,
            web_form_key: m.web_form_key,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    pub id: MessageId,
    pub ticket_id: TicketId,
    pub author: Author,
    pub agent_id: Option<AgentId>,
    pub customer_id: Option<CustomerId>,
    pub channel: Channel,
    pub internal: bool,
    pub body: String,
    pub rfc_message_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub html_body: Option<String>,
    /// The From address, for messages that came by mail.
    pub sender: Option<String>,
}

impl TryFrom<message::Model> for MessageRecord {
    type Error = StoreError;

    fn try_from(m: message::Model) -> Result<Self, StoreError> {
        Ok(Self {
            id: MessageId::from_uuid(m.id),
            ticket_id: TicketId::from_uuid(m.ticket_id),
            author: parse_column("messages.author", &m.author)?,
            agent_id: m.agent_id.map(AgentId::from_uuid),
            customer_id: m.customer_id.map(CustomerId::from_uuid),
            channel: parse_column("messages.channel", &m.channel)?,
            internal: m.internal,
            body: m.body,
            rfc_message_id: m.rfc_message_id,
            created_at: m.created_at,
            html_body: m.html_body,
            sender: m.sender,
        })
    }
}

/// One row of a ticket's history.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    /// Position in the global log; orders events with the same instant.
    pub id: i64,
    pub ticket_id: TicketId,
    pub event: TicketEvent,
}

impl TryFrom<ticket_event::Model> for EventRecord {
    type Error = StoreError;

    fn try_from(m: ticket_event::Model) -> Result<Self, StoreError> {
        let kind: EventKind = serde_json::from_value(m.payload.clone()).map_err(|_| StoreError::Corrupt {
            column: "ticket_events.payload",
            value: m.payload.to_string(),
        })?;
        let actor = match (m.actor_kind.as_str(), m.actor_id) {
            ("AGENT", Some(id)) => Actor::Agent(AgentId::from_uuid(id)),
            ("CUSTOMER", Some(id)) => Actor::Customer(CustomerId::from_uuid(id)),
            ("SYSTEM", _) => Actor::System,
            ("RULE", Some(id)) => Actor::Rule(RuleId::from_uuid(id)),
            (other, _) => {
                return Err(StoreError::Corrupt {
                    column: "ticket_events.actor_kind",
                    value: other.to_owned(),
                });
            }
        };
        Ok(Self {
            id: m.id,
            ticket_id: TicketId::from_uuid(m.ticket_id),
            event: TicketEvent { at: m.at, actor, kind },
        })
    }
}

/// The columns an actor is stored in.
pub(super) fn actor_columns(actor: Actor) -> (&'static str, Option<uuid::Uuid>) {
    match actor {
        Actor::Agent(id) => ("AGENT", Some(id.as_uuid())),
        Actor::Customer(id) => ("CUSTOMER", Some(id.as_uuid())),
        Actor::System => ("SYSTEM", None),
        Actor::Rule(id) => ("RULE", Some(id.as_uuid())),
    }
}
