//! Handing due invitations to one sender and recording that they went out.
//!
//! The sender leases due rows (like the outbox: `FOR UPDATE SKIP LOCKED` on
//! PostgreSQL, one IMMEDIATE writer on SQLite), makes each one's token and
//! message, and records the send in one transaction that flips the row from
//! QUEUED to SENT and queues the mail or files the chat message. The flip is
//! conditional, so even a sender whose lease ran out cannot send twice.

use chrono::{DateTime, TimeDelta, Utc};
use helpdesk_domain::access::TicketAccess;
use helpdesk_domain::ids::SurveyInvitationId;
use helpdesk_domain::survey::InvitationState;
use helpdesk_domain::ticket::Channel;
use helpdesk_domain::time::to_micros;
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{SentBy, SurveyInvitationRecord};
use crate::entity::{outbox, survey_invitation};
use crate::outbox::{NewOutboxMail, outbox_row};
use crate::tickets::messages::add_message_in;
use crate::tickets::{MailParts, MessageAuthor, NewMessage};
use crate::{Store, StoreError};

/// How an invitation reaches its customer.
#[derive(Debug, Clone)]
pub enum InvitationDelivery {
    /// A mail through the outbox.
    Mail(NewOutboxMail),
    /// A message from the desk in the ticket's chat.
    Chat { body: String },
}

/// What the sender records when an invitation goes out.
#[derive(Debug, Clone)]
pub struct SentInvitation {
    /// SHA-256 (hex) of the token in the links; the token itself is not kept.
    pub token_hash: String,
    pub expires_at: DateTime<Utc>,
    pub delivery: InvitationDelivery,
}

impl Store {
    /// Leases up to `limit` invitations due at `now` for `lease`, oldest due
    /// first. Another sender sees them again only when the lease runs out.
    pub async fn lease_due_invitations(
        &self,
        now: DateTime<Utc>,
        limit: u64,
        lease: TimeDelta,
    ) -> Result<Vec<SurveyInvitationRecord>, StoreError> {
        let now = to_micros(now);
        let txn = self.write().await?;
        let mut due = survey_invitation::Entity::find()
            .filter(survey_invitation::Column::State.eq(InvitationState::Queued.as_str()))
            .filter(survey_invitation::Column::DueAt.lte(now))
            .filter(
                Condition::any()
                    .add(survey_invitation::Column::LockedUntil.is_null())
                    .add(survey_invitation::Column::LockedUntil.lt(now)),
            )
            .order_by_asc(survey_invitation::Column::DueAt)
            .limit(limit);
        if txn.get_database_backend() == DbBackend::Postgres {
            due = due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let rows = due.all(&txn).await?;
        if !rows.is_empty() {
            survey_invitation::Entity::update_many()
                .col_expr(survey_invitation::Column::LockedUntil, Expr::value(now + lease))
                .filter(survey_invitation::Column::Id.is_in(rows.iter().map(|r| r.id)))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Records that invitation `id` went out at `at`, together with its
    /// mail or chat message. Returns false, changing nothing, when it is no
    /// longer QUEUED (cancelled by a reopen, or sent by another server) or
    /// its ticket was merged meanwhile (then it is cancelled).
    pub async fn record_invitation_sent(
        &self,
        id: SurveyInvitationId,
        sent: SentInvitation,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let at = to_micros(at);
        let txn = self.write().await?;
        let Some(row) = survey_invitation::Entity::find_by_id(id.as_uuid()).one(&txn).await? else {
            return Err(StoreError::not_found("survey invitation"));
        };
        // Lock the ticket before flipping the invitation: a reopen holds the
        // ticket's lock while it cancels, so the two cannot interleave.
        let ticket_row =
            crate::tickets::lock::lock_ticket(&txn, helpdesk_domain::ids::TicketId::from_uuid(row.ticket_id)).await?;
        if ticket_row.merged_into_id.is_some() {
            set_state(&txn, id, InvitationState::Cancelled).await?;
            txn.commit().await?;
            return Ok(false);
        }
        let flipped = survey_invitation::Entity::update_many()
            .col_expr(
                survey_invitation::Column::State,
                Expr::value(InvitationState::Sent.as_str()),
            )
            .col_expr(survey_invitation::Column::TokenHash, Expr::value(sent.token_hash))
            .col_expr(
                survey_invitation::Column::SentBy,
                Expr::value(
                    match sent.delivery {
                        InvitationDelivery::Mail(_) => SentBy::Mail,
                        InvitationDelivery::Chat { .. } => SentBy::Chat,
                    }
                    .as_str(),
                ),
            )
            .col_expr(survey_invitation::Column::SentAt, Expr::value(at))
            .col_expr(
                survey_invitation::Column::ExpiresAt,
                Expr::value(to_micros(sent.expires_at)),
            )
            .col_expr(
                survey_invitation::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(survey_invitation::Column::Id.eq(id.as_uuid()))
            .filter(survey_invitation::Column::State.eq(InvitationState::Queued.as_str()))
            .exec(&txn)
            .await?;
        if flipped.rows_affected == 0 {
            txn.rollback().await?;
            return Ok(false);
        }
        let ticket_id = helpdesk_domain::ids::TicketId::from_uuid(ticket_row.id);
        let announce = match sent.delivery {
            InvitationDelivery::Mail(mail) => {
                outbox::Entity::insert(outbox_row(mail, ticket_id, None, at))
                    .exec_without_returning(&txn)
                    .await?;
                false
            }
            InvitationDelivery::Chat { body } => {
                let message = NewMessage {
                    author: MessageAuthor::System,
                    body,
                    internal: false,
                    channel: Some(Channel::Chat),
                    status: None,
                    rfc_message_id: None,
                    mail: MailParts::default(),
                    outbox: None,
                };
                add_message_in(&txn, ticket_id, message, at, &TicketAccess::Everything).await?;
                true
            }
        };
        txn.commit().await?;
        if announce {
            self.announce(ticket_id);
        }
        Ok(true)
    }

    /// Drops a due invitation that cannot be delivered (its customer has no
    /// address), so it is not tried again.
    pub async fn cancel_invitation(&self, id: SurveyInvitationId) -> Result<(), StoreError> {
        let txn = self.write().await?;
        set_state(&txn, id, InvitationState::Cancelled).await?;
        txn.commit().await?;
        Ok(())
    }
}

async fn set_state<C: ConnectionTrait>(
    db: &C,
    id: SurveyInvitationId,
    state: InvitationState,
) -> Result<(), StoreError> {
    survey_invitation::Entity::update_many()
        .col_expr(survey_invitation::Column::State, Expr::value(state.as_str()))
        .col_expr(
            survey_invitation::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(survey_invitation::Column::Id.eq(id.as_uuid()))
        .filter(survey_invitation::Column::State.eq(InvitationState::Queued.as_str()))
        .exec(db)
        .await?;
    Ok(())
}
