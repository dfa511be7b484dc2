//! A customer answering an invitation by its token.

use chrono::{DateTime, Utc};
use helpdesk_domain::DomainError;
use helpdesk_domain::ids::{CustomerId, TicketId};
use helpdesk_domain::survey::{InvitationState, check_answer};
use helpdesk_domain::ticket::{Actor, EventKind, TicketEvent};
use helpdesk_domain::time::to_micros;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::SurveyInvitationRecord;
use crate::entity::{survey_invitation, ticket};
use crate::tickets::{history, lock};
use crate::{Store, StoreError};

/// What the survey page shows about an invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyPage {
    pub invitation: SurveyInvitationRecord,
    pub ticket_number: i64,
    pub ticket_subject: String,
}

/// An answer as recorded: the invitation after it, and whether it replaced
/// an earlier answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnsweredSurvey {
    pub page: SurveyPage,
    pub replaced: bool,
}

/// The invitation a token's hash names, if it was sent (a queued or
/// cancelled invitation has no token).
async fn by_token<C: ConnectionTrait>(db: &C, token_hash: &str) -> Result<SurveyPage, StoreError> {
    let row = survey_invitation::Entity::find()
        .filter(survey_invitation::Column::TokenHash.eq(token_hash))
        .filter(
            survey_invitation::Column::State
                .is_in([InvitationState::Sent.as_str(), InvitationState::Answered.as_str()]),
        )
        .one(db)
        .await?
        .ok_or_else(|| StoreError::not_found("survey"))?;
    let ticket = ticket::Entity::find_by_id(row.ticket_id)
        .one(db)
        .await?
        .ok_or_else(|| StoreError::not_found("survey"))?;
    Ok(SurveyPage {
        invitation: row.try_into()?,
        ticket_number: ticket.number,
        ticket_subject: ticket.subject,
    })
}

impl Store {
    /// The invitation behind a token's hash, whatever its expiry: the page
    /// tells an expired link apart from an unknown one.
    pub async fn survey_by_token_hash(&self, token_hash: &str) -> Result<Option<SurveyPage>, StoreError> {
        match by_token(self.db(), token_hash).await {
            Ok(page) => Ok(Some(page)),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Records an answer to the invitation a token's hash names: a
    /// `SURVEY_ANSWERED` event on its ticket (which the KPIs count through
    /// the facts) and the answer on the invitation, in one transaction. A
    /// later answer before expiry replaces the earlier one.
    ///
    /// Refused: an unknown token (`NotFound`), an expired one
    /// (`SurveyExpired`), a score off the survey's scale or a comment that
    /// is too long.
    pub async fn answer_survey(
        &self,
        token_hash: &str,
        score: i64,
        comment: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<AnsweredSurvey, StoreError> {
        let now = to_micros(now);
        let txn = self.write().await?;
        let found = by_token(&txn, token_hash).await?;
        let invitation = &found.invitation;
        if invitation.expires_at.is_none_or(|expiry| expiry <= now) {
            return Err(DomainError::SurveyExpired.into());
        }
        let answer = check_answer(invitation.survey, score, comment)?;
        let ticket_row = lock::lock_ticket(&txn, invitation.ticket_id).await?;
        let event = TicketEvent {
            at: now,
            actor: Actor::Customer(invitation.customer_id),
            kind: EventKind::SurveyAnswered {
                survey: invitation.survey,
                score: answer.score,
                comment: answer.comment.clone(),
                invitation: Some(invitation.id),
            },
        };
        let ticket_id = TicketId::from_uuid(ticket_row.id);
        history::append(&txn, ticket_id, std::slice::from_ref(&event)).await?;
        history::refresh_derived(&txn, ticket_id, ticket_row.created_at, now).await?;
        let replaced = invitation.answered_at.is_some();
        let row = survey_invitation::ActiveModel {
            id: Set(invitation.id.as_uuid()),
            state: Set(InvitationState::Answered.as_str().to_owned()),
            answered_at: Set(Some(invitation.answered_at.unwrap_or(now))),
            score: Set(Some(i16::from(answer.score))),
            comment: Set(answer.comment),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        txn.commit().await?;
        self.announce(ticket_id);
        Ok(AnsweredSurvey {
            page: SurveyPage {
                invitation: row.try_into()?,
                ticket_number: found.ticket_number,
                ticket_subject: found.ticket_subject,
            },
            replaced,
        })
    }

    /// The invitations about these tickets, oldest first.
    pub async fn survey_invitations_of_tickets(
        &self,
        tickets: &[TicketId],
    ) -> Result<Vec<SurveyInvitationRecord>, StoreError> {
        self.invitations_where(survey_invitation::Column::TicketId.is_in(tickets.iter().map(|t| t.as_uuid())))
            .await
    }

    /// The invitations sent (or due) to these customers, oldest first.
    pub async fn survey_invitations_of_customers(
        &self,
        customers: &[CustomerId],
    ) -> Result<Vec<SurveyInvitationRecord>, StoreError> {
        self.invitations_where(survey_invitation::Column::CustomerId.is_in(customers.iter().map(|c| c.as_uuid())))
            .await
    }

    async fn invitations_where(
        &self,
        condition: sea_orm::sea_query::SimpleExpr,
    ) -> Result<Vec<SurveyInvitationRecord>, StoreError> {
        use sea_orm::QueryOrder;
        survey_invitation::Entity::find()
            .filter(condition)
            .order_by_asc(survey_invitation::Column::DueAt)
            .order_by_asc(survey_invitation::Column::Id)
            .all(self.db())
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect()
    }
}
