//! One imported ticket as the import file describes it.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::email::EmailAddress;
use crate::tag::Tag;
use crate::ticket::{Channel, Priority, Survey, TicketStatus};

/// A ticket with its past, as read from an import line.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedTicket {
    /// The ticket's id in the desk it came from: importing it again is a no-op.
    pub external_id: String,
    pub subject: String,
    pub channel: Channel,
    /// The priority at creation; `Priority` events change it later.
    pub priority: Priority,
    pub customer_email: EmailAddress,
    pub customer_name: Option<String>,
    pub tags: BTreeSet<Tag>,
    pub created_at: DateTime<Utc>,
    pub fcr_eligible: bool,
    pub events: Vec<ImportedEvent>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportedEvent {
    pub at: DateTime<Utc>,
    pub kind: ImportedKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportedAuthor {
    Customer,
    Agent(EmailAddress),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ImportedKind {
    /// A public message.
    Message {
        author: ImportedAuthor,
        body: String,
    },
    /// An internal note by an agent.
    Note {
        agent: EmailAddress,
        body: String,
    },
    Status(TicketStatus),
    Priority(Priority),
    /// A change of assignee and/or team: `None` leaves that one as it was,
    /// `Some(None)` clears it.
    Assign {
        agent: Option<Option<EmailAddress>>,
        team: Option<Option<String>>,
    },
    Survey {
        survey: Survey,
        score: u8,
        comment: Option<String>,
    },
}

/// Why an imported ticket's history cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("external_id must not be empty")]
    NoExternalId,
    #[error("the first event must be at created_at ({created_at}), not {at}")]
    FirstEventNotAtCreation {
        created_at: DateTime<Utc>,
        at: DateTime<Utc>,
    },
    #[error("event {index} ({at}) is earlier than the event before it; events must be in time order")]
    OutOfOrder { index: usize, at: DateTime<Utc> },
    #[error("event {index}: a CLOSED ticket cannot move to {to}")]
    LeavesClosed { index: usize, to: TicketStatus },
    #[error("event {index}: {survey} score {score} is out of range (CSAT 1-5, NPS 0-10)")]
    ScoreOutOfRange { index: usize, survey: Survey, score: u8 },
    #[error("event {index}: an assign event must name an agent or a team")]
    EmptyAssign { index: usize },
}

impl ImportedTicket {
    /// Checks the rules an import line must follow beyond its shape.
    pub fn check(&self) -> Result<(), ImportError> {
        if self.external_id.trim().is_empty() {
            return Err(ImportError::NoExternalId);
        }
        if let Some(first) = self.events.first()
            && first.at != self.created_at
        {
            return Err(ImportError::FirstEventNotAtCreation {
                created_at: self.created_at,
                at: first.at,
            });
        }
        let mut status = TicketStatus::New;
        let mut last = self.created_at;
        for (index, event) in self.events.iter().enumerate() {
            if event.at < last {
                return Err(ImportError::OutOfOrder { index, at: event.at });
            }
            last = event.at;
            match &event.kind {
                ImportedKind::Status(to) => {
                    if status == TicketStatus::Closed && *to != TicketStatus::Closed {
                        return Err(ImportError::LeavesClosed { index, to: *to });
                    }
                    status = *to;
                }
                ImportedKind::Survey { survey, score, .. } if !survey.accepts(*score) => {
                    return Err(ImportError::ScoreOutOfRange {
                        index,
                        survey: *survey,
                        score: *score,
                    });
                }
                ImportedKind::Assign {
                    agent: None,
                    team: None,
                } => return Err(ImportError::EmptyAssign { index }),
                _ => {}
            }
        }
        Ok(())
    }

    /// Every agent the history names, for the store to find or create.
    pub fn agents(&self) -> impl Iterator<Item = &EmailAddress> {
        self.events.iter().filter_map(|e| match &e.kind {
            ImportedKind::Message {
                author: ImportedAuthor::Agent(agent),
                ..
            }
            | ImportedKind::Note { agent, .. }
            | ImportedKind::Assign {
                agent: Some(Some(agent)),
                ..
            } => Some(agent),
            _ => None,
        })
    }

    /// Every team the history names.
    pub fn teams(&self) -> impl Iterator<Item = &str> {
        self.events.iter().filter_map(|e| match &e.kind {
            ImportedKind::Assign {
                team: Some(Some(team)), ..
            } => Some(team.as_str()),
            _ => None,
        })
    }
}
