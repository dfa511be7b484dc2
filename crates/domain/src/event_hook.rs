//! Event webhooks: which changes to a ticket an integrator can subscribe
//! to, what a subscription must say, and the JSON each delivery carries.
//!
//! The payload's `change` is the event exactly as the ticket's history
//! keeps it (the `details` of `Ticket.events`), so a receiver reads one
//! vocabulary whether it listens or polls.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::DomainError;
use crate::ids::{AgentId, CustomerId, MessageId, RuleId, TeamId, TicketId};
use crate::macros::named_enum;
use crate::sla::check_webhook_secret;
use crate::tag::Tag;
use crate::ticket::text;
use crate::ticket::{Author, Channel, EventKind, Priority, TicketEvent, TicketStatus};

named_enum! {
    /// The changes a subscription can ask to be told about.
    HookEvent as "webhook event" {
        /// A ticket was opened, by any channel.
        TicketCreated => "TICKET_CREATED",
        /// A customer's or agent's message, or an internal note, was added.
        MessageAdded => "MESSAGE_ADDED",
        StatusChanged => "STATUS_CHANGED",
        /// The ticket's assignee or team changed.
        Assigned => "ASSIGNED",
        SlaWarning => "SLA_WARNING",
        SlaBreached => "SLA_BREACHED",
        SurveyAnswered => "SURVEY_ANSWERED",
    }
}

/// What a test delivery's `event` says: no ticket changed.
pub const TEST_EVENT: &str = "TEST";

/// The longest subscription name, in characters.
pub const NAME_MAX: usize = 100;

impl HookEvent {
    /// The subscribable change an event of a history is, if any. Copies a
    /// merge brings over (`moved_from`) were announced when first added.
    pub fn of(kind: &EventKind) -> Option<HookEvent> {
        match kind {
            EventKind::Created { .. } => Some(HookEvent::TicketCreated),
            EventKind::Message { moved_from: None, .. } | EventKind::Note { moved_from: None, .. } => {
                Some(HookEvent::MessageAdded)
            }
            EventKind::StatusChanged { .. } => Some(HookEvent::StatusChanged),
            EventKind::AssigneeChanged { .. } | EventKind::TeamChanged { .. } => Some(HookEvent::Assigned),
            EventKind::SlaWarning { .. } => Some(HookEvent::SlaWarning),
            EventKind::SlaBreached { .. } => Some(HookEvent::SlaBreached),
            EventKind::SurveyAnswered { .. } => Some(HookEvent::SurveyAnswered),
            EventKind::Message { .. }
            | EventKind::Note { .. }
            | EventKind::PriorityChanged { .. }
            | EventKind::TagsChanged { .. }
            | EventKind::FcrEligibilityChanged { .. }
            | EventKind::MergedInto { .. }
            | EventKind::MergedFrom { .. }
            | EventKind::CustomerVerified { .. }
            | EventKind::CustomerMerged { .. }
            | EventKind::RuleChainStopped { .. } => None,
        }
    }

    /// The message an event added, for `MESSAGE_ADDED` deliveries.
    pub fn message_of(kind: &EventKind) -> Option<MessageId> {
        match kind {
            EventKind::Message {
                message_id,
                moved_from: None,
                ..
            }
            | EventKind::Note {
                message_id,
                moved_from: None,
            } => Some(*message_id),
            _ => None,
        }
    }
}

/// A subscription as an admin defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookSubscription {
    pub name: String,
    pub url: String,
    /// HMAC-SHA256 key of every delivery's signature.
    pub secret: String,
    /// At least one, each once, in their declared order.
    pub events: Vec<HookEvent>,
    pub active: bool,
}

impl HookSubscription {
    /// Checks what a subscription must say: a name, a long enough secret
    /// and at least one event (duplicates are dropped). The URL's target is
    /// the channels' policy, checked by whoever saves it.
    pub fn new(name: &str, url: &str, secret: &str, events: &[HookEvent], active: bool) -> Result<Self, DomainError> {
        let name = text::bounded(name, "name", NAME_MAX)?;
        check_webhook_secret("secret", secret)?;
        let mut chosen: Vec<HookEvent> = events.to_vec();
        chosen.sort();
        chosen.dedup();
        if chosen.is_empty() {
            return Err(DomainError::Empty { field: "events" });
        }
        Ok(Self {
            name,
            url: url.trim().to_owned(),
            secret: secret.to_owned(),
            events: chosen,
            active,
        })
    }

    /// The events as one stored value: names joined by commas.
    pub fn events_text(events: &[HookEvent]) -> String {
        events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(",")
    }

    /// The events of a stored value (unknown names, from a newer server,
    /// are skipped).
    pub fn parse_events(stored: &str) -> Vec<HookEvent> {
        stored.split(',').filter_map(|name| name.parse().ok()).collect()
    }
}

/// The ticket as a delivery shows it, as it is after the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookTicket {
    pub id: TicketId,
    pub number: i64,
    pub subject: String,
    pub status: TicketStatus,
    pub priority: Priority,
    pub channel: Channel,
    pub customer: CustomerId,
    pub assignee: Option<AgentId>,
    pub team: Option<TeamId>,
    pub tags: Vec<Tag>,
}

/// The message a `MESSAGE_ADDED` delivery carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookMessage {
    pub id: MessageId,
    pub author: Author,
    pub internal: bool,
    pub body: String,
}

fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The JSON body of one delivery of `event` about `ticket`.
pub fn payload(
    delivery: uuid::Uuid,
    hook: HookEvent,
    event: &TicketEvent,
    ticket: &HookTicket,
    message: Option<&HookMessage>,
) -> Value {
    let mut body = json!({
        "id": delivery.to_string(),
        "event": hook.as_str(),
        "occurredAt": instant(event.at),
        "actor": event.actor,
        "ticket": ticket_json(ticket),
        "change": event.kind,
    });
    if let Some(message) = message {
        body["message"] = json!({
            "id": message.id.to_string(),
            "author": message.author.as_str(),
            "internal": message.internal,
            "body": message.body,
        });
    }
    body
}

fn ticket_json(ticket: &HookTicket) -> Value {
    json!({
        "id": ticket.id.to_string(),
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status.as_str(),
        "priority": ticket.priority.as_str(),
        "channel": ticket.channel.as_str(),
        "customerId": ticket.customer.to_string(),
        "assigneeId": ticket.assignee.map(|a| a.to_string()),
        "teamId": ticket.team.map(|t| t.to_string()),
        "tags": ticket.tags.iter().map(Tag::as_str).collect::<Vec<_>>(),
    })
}

/// The `event` of a delivery a rule's webhook action queues.
pub const RULE_EVENT: &str = "RULE";

/// The JSON body of a rule's webhook call: which rule ran on which ticket
/// (as the rule left it), when.
pub fn rule_payload(delivery: uuid::Uuid, rule: RuleId, name: &str, at: DateTime<Utc>, ticket: &HookTicket) -> Value {
    json!({
        "id": delivery.to_string(),
        "event": RULE_EVENT,
        "occurredAt": instant(at),
        "rule": { "id": rule.to_string(), "name": name },
        "ticket": ticket_json(ticket),
    })
}

/// The JSON body of a test delivery: what a receiver needs to check its
/// signature and its parsing, about no ticket.
pub fn test_payload(delivery: uuid::Uuid, subscription: &str, at: DateTime<Utc>) -> Value {
    json!({
        "id": delivery.to_string(),
        "event": TEST_EVENT,
        "occurredAt": instant(at),
        "subscription": subscription,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::TicketStatus;

    #[test]
    fn a_subscription_needs_a_name_a_secret_and_an_event() {
        let ok = HookSubscription::new(
            " CRM ",
            "https://crm.example.com/hook",
            "0123456789abcdef",
            &[
                HookEvent::StatusChanged,
                HookEvent::TicketCreated,
                HookEvent::StatusChanged,
            ],
            true,
        )
        .unwrap();
        assert_eq!(ok.name, "CRM");
        assert_eq!(ok.events, [HookEvent::TicketCreated, HookEvent::StatusChanged]);
        let secret = "0123456789abcdef";
        assert_eq!(
            HookSubscription::new("", "u", secret, &[HookEvent::Assigned], true),
            Err(DomainError::Empty { field: "name" })
        );
        assert_eq!(
            HookSubscription::new("CRM", "u", secret, &[], true),
            Err(DomainError::Empty { field: "events" })
        );
        assert!(matches!(
            HookSubscription::new("CRM", "u", "short", &[HookEvent::Assigned], true),
            Err(DomainError::WebhookSecret { field: "secret", .. })
        ));
    }

    #[test]
    fn stored_events_read_back_and_skip_what_this_server_does_not_know() {
        let all = HookEvent::ALL.to_vec();
        assert_eq!(
            HookSubscription::parse_events(&HookSubscription::events_text(&all)),
            all
        );
        assert_eq!(
            HookSubscription::parse_events("ASSIGNED,TICKET_DELETED"),
            [HookEvent::Assigned]
        );
    }

    #[test]
    fn moved_copies_and_bookkeeping_are_not_announced() {
        let message = MessageId::new();
        let moved = EventKind::Message {
            message_id: message,
            author: Author::Customer,
            channel: Channel::Email,
            moved_from: Some(TicketId::new()),
        };
        assert_eq!(HookEvent::of(&moved), None);
        assert_eq!(HookEvent::message_of(&moved), None);
        let note = EventKind::Note {
            message_id: message,
            moved_from: None,
        };
        assert_eq!(HookEvent::of(&note), Some(HookEvent::MessageAdded));
        assert_eq!(HookEvent::message_of(&note), Some(message));
        assert_eq!(
            HookEvent::of(&EventKind::status_changed(TicketStatus::Open, TicketStatus::Solved)),
            Some(HookEvent::StatusChanged)
        );
        assert_eq!(
            HookEvent::of(&EventKind::FcrEligibilityChanged { eligible: false }),
            None
        );
    }
}
