//! Turning an imported ticket into the events a live ticket records.

use chrono::{DateTime, Utc};

use super::ticket::{ImportedAuthor, ImportedKind, ImportedTicket};
use crate::email::EmailAddress;
use crate::ids::{AgentId, CustomerId, MessageId, TeamId};
use crate::ticket::{Actor, Author, EventKind, Priority, TicketEvent, TicketStatus};

/// Finds the ids of the people and teams an import names (the store
/// creates those it has not seen yet before building histories).
pub trait Resolver {
    fn agent(&self, email: &EmailAddress) -> AgentId;
    fn team(&self, name: &str) -> TeamId;
}

/// A message or note to store with the ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedMessage {
    pub id: MessageId,
    pub at: DateTime<Utc>,
    pub author: Author,
    pub agent: Option<AgentId>,
    pub internal: bool,
    pub body: String,
}

/// The ticket's recorded history and where it ended up.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedHistory {
    pub events: Vec<TicketEvent>,
    pub messages: Vec<ImportedMessage>,
    pub status: TicketStatus,
    pub priority: Priority,
    pub assignee: Option<AgentId>,
    pub team: Option<TeamId>,
    /// When the ticket last changed: its last event.
    pub updated_at: DateTime<Utc>,
}

impl ImportedTicket {
    /// The events a live ticket with this past would have recorded: created,
    /// its first message, its tags, then every other event as given. A status event that names the
    /// status the ticket already has records nothing, as live.
    /// Call [`check`](Self::check) first.
    pub fn history(&self, customer: CustomerId, ids: &impl Resolver) -> ImportedHistory {
        let at = self.created_at;
        let mut out = ImportedHistory {
            events: vec![TicketEvent {
                at,
                actor: Actor::System,
                kind: EventKind::Created {
                    channel: self.channel,
                    priority: self.priority,
                },
            }],
            messages: Vec::new(),
            status: TicketStatus::New,
            priority: self.priority,
            assignee: None,
            team: None,
            updated_at: at,
        };
        // As live: the first message, then the ticket's tags and flags.
        let mut events = self.events.iter();
        if let Some(first) = events.next() {
            out.apply(self, customer, ids, first.at, &first.kind);
        }
        if !self.tags.is_empty() {
            out.push(
                at,
                Actor::System,
                EventKind::TagsChanged {
                    added: self.tags.iter().cloned().collect(),
                    removed: vec![],
                },
            );
        }
        if !self.fcr_eligible {
            out.push(at, Actor::System, EventKind::FcrEligibilityChanged { eligible: false });
        }
        for event in events {
            out.apply(self, customer, ids, event.at, &event.kind);
        }
        out
    }
}

impl ImportedHistory {
    fn push(&mut self, at: DateTime<Utc>, actor: Actor, kind: EventKind) {
        self.updated_at = self.updated_at.max(at);
        self.events.push(TicketEvent { at, actor, kind });
    }

    fn message(
        &mut self,
        at: DateTime<Utc>,
        author: Author,
        agent: Option<AgentId>,
        internal: bool,
        body: &str,
    ) -> MessageId {
        let id = MessageId::new();
        self.messages.push(ImportedMessage {
            id,
            at,
            author,
            agent,
            internal,
            body: body.to_owned(),
        });
        id
    }

    fn apply(
        &mut self,
        ticket: &ImportedTicket,
        customer: CustomerId,
        ids: &impl Resolver,
        at: DateTime<Utc>,
        kind: &ImportedKind,
    ) {
        match kind {
            ImportedKind::Message { author, body } => {
                let (author, agent, actor) = match author {
                    ImportedAuthor::Customer => (Author::Customer, None, Actor::Customer(customer)),
                    ImportedAuthor::Agent(email) => {
                        let agent = ids.agent(email);
                        (Author::Agent, Some(agent), Actor::Agent(agent))
                    }
                };
                let message_id = self.message(at, author, agent, false, body);
                self.push(
                    at,
                    actor,
                    EventKind::Message {
                        message_id,
                        author,
                        channel: ticket.channel,
                        moved_from: None,
                    },
                );
            }
            ImportedKind::Note { agent, body } => {
                let agent = ids.agent(agent);
                let message_id = self.message(at, Author::Agent, Some(agent), true, body);
                self.push(
                    at,
                    Actor::Agent(agent),
                    EventKind::Note {
                        message_id,
                        moved_from: None,
                    },
                );
            }
            ImportedKind::Status(to) => {
                if *to != self.status {
                    let from = std::mem::replace(&mut self.status, *to);
                    self.push(at, Actor::System, EventKind::status_changed(from, *to));
                }
            }
            ImportedKind::Priority(to) => {
                if *to != self.priority {
                    let from = std::mem::replace(&mut self.priority, *to);
                    self.push(at, Actor::System, EventKind::PriorityChanged { from, to: *to });
                }
            }
            ImportedKind::Assign { agent, team } => {
                if let Some(team) = team {
                    let to = team.as_deref().map(|name| ids.team(name));
                    if to != self.team {
                        let from = std::mem::replace(&mut self.team, to);
                        self.push(at, Actor::System, EventKind::TeamChanged { from, to });
                    }
                }
                if let Some(agent) = agent {
                    let to = agent.as_ref().map(|email| ids.agent(email));
                    if to != self.assignee {
                        let from = std::mem::replace(&mut self.assignee, to);
                        self.push(at, Actor::System, EventKind::AssigneeChanged { from, to });
                    }
                }
            }
            ImportedKind::Survey { survey, score, comment } => {
                self.push(
                    at,
                    Actor::Customer(customer),
                    EventKind::SurveyAnswered {
                        survey: *survey,
                        score: *score,
                        comment: comment.clone(),
                        invitation: None,
                    },
                );
            }
        }
    }
}
