//! The append-only history of a ticket: one event per change.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Channel, Priority, StatusChange, TicketStatus};
use crate::ids::{AgentId, CustomerId, MessageId, RuleId, SurveyInvitationId, TeamId, TicketId};
use crate::macros::named_enum;
use crate::sla::SlaTarget;
use crate::tag::Tag;

named_enum! {
    /// The two surveys a customer answers: satisfaction with one ticket
    /// (rating 1-5) and likelihood to recommend (score 0-10).
    Survey as "survey" {
        Csat => "CSAT",
        Nps => "NPS",
    }
}

impl Survey {
    /// The scores this survey accepts.
    pub fn accepts(self, score: u8) -> bool {
        match self {
            Survey::Csat => (1..=5).contains(&score),
            Survey::Nps => score <= 10,
        }
    }
}

named_enum! {
    /// Who wrote a message.
    Author as "author" {
        Customer => "CUSTOMER",
        Agent => "AGENT",
        /// The desk itself: acknowledgements, notices, auto-replies it received.
        System => "SYSTEM",
    }
}

/// Who caused an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Actor {
    Agent(AgentId),
    Customer(CustomerId),
    System,
    /// An admin's rule, acting on an event of the ticket.
    Rule(RuleId),
}

/// One change to a ticket, at one instant, by one actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketEvent {
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub kind: EventKind,
}

/// What changed. Serialised (tagged by `type`) as the event's payload in the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventKind {
    Created {
        channel: Channel,
        priority: Priority,
    },
    /// A public message. `moved_from` is set on copies a merge brings over,
    /// so the target's history holds the message at its own time.
    Message {
        message_id: MessageId,
        author: Author,
        channel: Channel,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        moved_from: Option<TicketId>,
    },
    /// An internal note: never seen by the customer, never a reply.
    Note {
        message_id: MessageId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        moved_from: Option<TicketId>,
    },
    StatusChanged {
        from: TicketStatus,
        to: TicketStatus,
        /// Out of SOLVED back into work; kept explicit so the history reads
        /// as a reopen without re-deriving it.
        reopen: bool,
    },
    PriorityChanged {
        from: Priority,
        to: Priority,
    },
    AssigneeChanged {
        from: Option<AgentId>,
        to: Option<AgentId>,
    },
    TeamChanged {
        from: Option<TeamId>,
        to: Option<TeamId>,
    },
    TagsChanged {
        added: Vec<Tag>,
        removed: Vec<Tag>,
    },
    FcrEligibilityChanged {
        eligible: bool,
    },
    MergedInto {
        target: TicketId,
    },
    MergedFrom {
        source: TicketId,
    },
    /// A target entered its warning window (raised once per target).
    SlaWarning {
        target: SlaTarget,
        started_at: DateTime<Utc>,
        due_at: Option<DateTime<Utc>>,
    },
    /// A target's deadline passed before its event (raised once per target).
    SlaBreached {
        target: SlaTarget,
        started_at: DateTime<Utc>,
        due_at: Option<DateTime<Utc>>,
    },
    /// The chat visitor's claimed address was verified: the ticket moved
    /// from the visitor's unverified contact to the address's customer.
    CustomerVerified {
        from: CustomerId,
        to: CustomerId,
    },
    /// An admin merged the ticket's customer into another (one person with
    /// two addresses): the ticket moved from `from` to `to`.
    CustomerMerged {
        from: CustomerId,
        to: CustomerId,
    },
    /// The customer answered a survey about this ticket. A live answer
    /// names its invitation: a later answer to the same invitation replaces
    /// this one in the facts. Imported answers name none.
    SurveyAnswered {
        survey: Survey,
        score: u8,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        invitation: Option<SurveyInvitationId>,
    },
    /// Rules kept starting one another for longer than a chain may run
    /// (`automation::rule::MAX_CHAIN`): `rule` would have run next, and
    /// did not. What the chain changed before it stopped stands.
    RuleChainStopped {
        rule: RuleId,
        depth: u32,
    },
}

impl EventKind {
    pub fn status_changed(from: TicketStatus, to: TicketStatus) -> Self {
        EventKind::StatusChanged {
            from,
            to,
            reopen: StatusChange { from, to }.is_reopen(),
        }
    }

    /// The stable name of the kind, as stored in its own column for filtering
    /// and shown to API clients.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Created { .. } => "CREATED",
            EventKind::Message { .. } => "MESSAGE",
            EventKind::Note { .. } => "NOTE",
            EventKind::StatusChanged { .. } => "STATUS_CHANGED",
            EventKind::PriorityChanged { .. } => "PRIORITY_CHANGED",
            EventKind::AssigneeChanged { .. } => "ASSIGNEE_CHANGED",
            EventKind::TeamChanged { .. } => "TEAM_CHANGED",
            EventKind::TagsChanged { .. } => "TAGS_CHANGED",
            EventKind::FcrEligibilityChanged { .. } => "FCR_ELIGIBILITY_CHANGED",
            EventKind::MergedInto { .. } => "MERGED_INTO",
            EventKind::MergedFrom { .. } => "MERGED_FROM",
            EventKind::SlaWarning { .. } => "SLA_WARNING",
            EventKind::SlaBreached { .. } => "SLA_BREACHED",
            EventKind::SurveyAnswered { .. } => "SURVEY_ANSWERED",
            EventKind::CustomerVerified { .. } => "CUSTOMER_VERIFIED",
            EventKind::CustomerMerged { .. } => "CUSTOMER_MERGED",
            EventKind::RuleChainStopped { .. } => "RULE_CHAIN_STOPPED",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips_through_json() {
        let kind = EventKind::status_changed(TicketStatus::Solved, TicketStatus::Open);
        let json = serde_json::to_value(&kind).unwrap();
        assert_eq!(json["type"], "STATUS_CHANGED");
        assert_eq!(json["reopen"], true);
        assert_eq!(serde_json::from_value::<EventKind>(json).unwrap(), kind);
    }
}
