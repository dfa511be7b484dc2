//! Survey invitations and the answers to them.
//!
//! Invitations are queued in the write path of every ticket change
//! (`schedule.rs`, called by `tickets::history::append`), so no entry point
//! can solve a ticket without its survey; leased and marked sent by the
//! survey sender (`send.rs`), answered by token (`answer.rs`), and listed
//! for the desk (`responses.rs`). The settings live in the settings table
//! (`settings.rs`). Only the SHA-256 of a token is stored.

mod answer;
mod responses;
pub(crate) mod schedule;
mod send;
mod settings;

use chrono::{DateTime, Utc};
use helpdesk_domain::ids::{CustomerId, SurveyInvitationId, TicketId};
use helpdesk_domain::survey::InvitationState;
use helpdesk_domain::ticket::Survey;

pub use answer::{AnsweredSurvey, SurveyPage};
pub use responses::{SurveyResponseCursor, SurveyResponseFilter, SurveyResponsePage, SurveyResponseRecord};
pub use send::{InvitationDelivery, SentInvitation};

use crate::StoreError;
use crate::entity::survey_invitation;
use crate::error::parse_column;

/// How an invitation reached its customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SentBy {
    Mail,
    Chat,
}

impl SentBy {
    pub fn as_str(self) -> &'static str {
        match self {
            SentBy::Mail => "MAIL",
            SentBy::Chat => "CHAT",
        }
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "MAIL" => Ok(SentBy::Mail),
            "CHAT" => Ok(SentBy::Chat),
            _ => Err(StoreError::Corrupt {
                column: "survey_invitations.sent_by",
                value: s.to_owned(),
            }),
        }
    }
}

/// One invitation as stored. Its state as a customer sees it depends on the
/// time: see [`SurveyInvitationRecord::state_at`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyInvitationRecord {
    pub id: SurveyInvitationId,
    pub survey: Survey,
    pub ticket_id: TicketId,
    pub customer_id: CustomerId,
    pub state: InvitationState,
    pub due_at: DateTime<Utc>,
    pub sent_by: Option<SentBy>,
    pub sent_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    /// The first answer; a later one replaces the score and comment only.
    pub answered_at: Option<DateTime<Utc>>,
    pub score: Option<u8>,
    pub comment: Option<String>,
}

impl SurveyInvitationRecord {
    pub fn state_at(&self, now: DateTime<Utc>) -> InvitationState {
        self.state.at(now, self.expires_at)
    }
}

impl TryFrom<survey_invitation::Model> for SurveyInvitationRecord {
    type Error = StoreError;

    fn try_from(m: survey_invitation::Model) -> Result<Self, StoreError> {
        Ok(Self {
            id: SurveyInvitationId::from_uuid(m.id),
            survey: parse_column("survey_invitations.survey", &m.survey)?,
            ticket_id: TicketId::from_uuid(m.ticket_id),
            customer_id: CustomerId::from_uuid(m.customer_id),
            state: parse_column("survey_invitations.state", &m.state)?,
            due_at: m.due_at,
            sent_by: m.sent_by.as_deref().map(SentBy::parse).transpose()?,
            sent_at: m.sent_at,
            expires_at: m.expires_at,
            answered_at: m.answered_at,
            score: m
                .score
                .map(|s| {
                    u8::try_from(s).map_err(|_| StoreError::Corrupt {
                        column: "survey_invitations.score",
                        value: s.to_string(),
                    })
                })
                .transpose()?,
            comment: m.comment,
        })
    }
}
