//! The transactional outbox: mail the desk must send, written in the same
//! transaction as the message it carries, and handed to senders one row at a
//! time so that no mail is sent twice, even by two servers on one database.

use chrono::{DateTime, TimeDelta, Utc};
use helpdesk_domain::ids::{MessageId, TicketId};
use helpdesk_domain::survey::redact_survey_tokens;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};

use crate::entity::outbox;
use crate::{Store, StoreError};

/// Why the desk sends a mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxKind {
    /// An agent's public reply on an email ticket.
    AgentReply,
    /// The desk confirming it received a request (e.g. a web form).
    Acknowledgement,
    /// An SLA warning or breach, to the agents who own the ticket.
    SlaNotice,
    /// A one-time code proving a chat visitor's claimed address.
    ChatVerification,
    /// A CSAT or NPS invitation to the ticket's customer.
    SurveyInvitation,
    /// A rule telling agents about a ticket.
    RuleNotice,
    /// A rule's reply to the ticket's customer.
    RuleReply,
}

impl OutboxKind {
    fn as_str(self) -> &'static str {
        match self {
            OutboxKind::AgentReply => "AGENT_REPLY",
            OutboxKind::Acknowledgement => "ACKNOWLEDGEMENT",
            OutboxKind::SlaNotice => "SLA_NOTICE",
            OutboxKind::ChatVerification => "CHAT_VERIFICATION",
            OutboxKind::SurveyInvitation => "SURVEY_INVITATION",
            OutboxKind::RuleNotice => "RULE_NOTICE",
            OutboxKind::RuleReply => "RULE_REPLY",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Pending,
    Sent,
    /// Given up: a permanent refusal, or too many attempts.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "PENDING",
            DeliveryStatus::Sent => "SENT",
            DeliveryStatus::Failed => "FAILED",
        }
    }
}

impl std::str::FromStr for DeliveryStatus {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "PENDING" => Ok(DeliveryStatus::Pending),
            "SENT" => Ok(DeliveryStatus::Sent),
            "FAILED" => Ok(DeliveryStatus::Failed),
            _ => Err(()),
        }
    }
}

/// A mail to queue with its message.
#[derive(Debug, Clone)]
pub struct NewOutboxMail {
    pub kind: OutboxKind,
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The Message-ID the mail goes out with (also stored on its message);
    /// empty for a notice outside any thread: the sender makes one.
    pub rfc_message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRecord {
    pub id: uuid::Uuid,
    pub ticket_id: TicketId,
    pub message_id: Option<MessageId>,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub rfc_message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl TryFrom<outbox::Model> for OutboxRecord {
    type Error = StoreError;

    fn try_from(m: outbox::Model) -> Result<Self, StoreError> {
        Ok(Self {
            id: m.id,
            ticket_id: TicketId::from_uuid(m.ticket_id),
            message_id: m.message_id.map(MessageId::from_uuid),
            to: m.to_address,
            subject: m.subject,
            body: m.body,
            rfc_message_id: m.rfc_message_id,
            in_reply_to: m.in_reply_to,
            references: m
                .references
                .map(|r| r.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
            status: m.status.parse().map_err(|()| StoreError::Corrupt {
                column: "outbox.status",
                value: m.status,
            })?,
            attempts: u32::try_from(m.attempts).unwrap_or(0),
            next_attempt_at: m.next_attempt_at,
            last_error: m.last_error,
            sent_at: m.sent_at,
        })
    }
}

pub(crate) fn outbox_row(
    mail: NewOutboxMail,
    ticket: TicketId,
    message: Option<MessageId>,
    at: DateTime<Utc>,
) -> outbox::ActiveModel {
    outbox::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        ticket_id: Set(ticket.as_uuid()),
        message_id: Set(message.map(|m| m.as_uuid())),
        kind: Set(mail.kind.as_str().to_owned()),
        to_address: Set(mail.to),
        subject: Set(mail.subject),
        body: Set(mail.body),
        rfc_message_id: Set(mail.rfc_message_id),
        in_reply_to: Set(mail.in_reply_to),
        references: Set((!mail.references.is_empty()).then(|| mail.references.join(" "))),
        status: Set(DeliveryStatus::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(at),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(at),
        sent_at: Set(None),
    }
}

const COLUMNS: crate::delivery::DeliveryColumns<outbox::Column> = crate::delivery::DeliveryColumns {
    id: outbox::Column::Id,
    status: outbox::Column::Status,
    attempts: outbox::Column::Attempts,
    next_attempt_at: outbox::Column::NextAttemptAt,
    locked_until: outbox::Column::LockedUntil,
    last_error: outbox::Column::LastError,
    sent_at: outbox::Column::SentAt,
};

impl Store {
    /// Leases up to `limit` due mails to this sender for `lease` (see
    /// `delivery::lease`: one sender per mail, even across servers).
    pub async fn lease_due_mail(
        &self,
        now: DateTime<Utc>,
        limit: u64,
        lease: TimeDelta,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        let txn = self.write().await?;
        let ids = crate::delivery::lease::<outbox::Entity>(&txn, &COLUMNS, now, limit, lease).await?;
        if ids.is_empty() {
            txn.commit().await?;
            return Ok(Vec::new());
        }
        let rows = outbox::Entity::find()
            .filter(outbox::Column::Id.is_in(ids))
            .order_by_asc(outbox::Column::NextAttemptAt)
            .all(&txn)
            .await?;
        txn.commit().await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Records a mail sent. A survey invitation's links are blanked in the
    /// kept copy: their tokens are for the customer alone.
    pub async fn mark_mail_sent(&self, id: uuid::Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
        crate::delivery::mark_sent::<outbox::Entity, _>(self.db(), &COLUMNS, id, at).await?;
        self.redact_survey_links(id).await
    }

    /// Records a failed attempt; the mail is tried again at `retry_at`, or
    /// given up (FAILED) when `retry_at` is `None`.
    pub async fn mark_mail_attempt_failed(
        &self,
        id: uuid::Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        crate::delivery::mark_attempt_failed::<outbox::Entity, _>(self.db(), &COLUMNS, id, error, retry_at).await?;
        if retry_at.is_none() {
            // Given up: the links will never be sent.
            self.redact_survey_links(id).await?;
        }
        Ok(())
    }

    /// Blanks the tokens of the survey links in outbox mail `id`, if it is a
    /// survey invitation (only the invitation's hash is kept).
    async fn redact_survey_links(&self, id: uuid::Uuid) -> Result<(), StoreError> {
        let Some(row) = outbox::Entity::find_by_id(id)
            .filter(outbox::Column::Kind.eq(OutboxKind::SurveyInvitation.as_str()))
            .one(self.db())
            .await?
        else {
            return Ok(());
        };
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Body, Expr::value(redact_survey_tokens(&row.body)))
            .filter(outbox::Column::Id.eq(id))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// The outbox rows of the given messages (their delivery state).
    pub async fn mail_of_messages(&self, messages: &[MessageId]) -> Result<Vec<OutboxRecord>, StoreError> {
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        outbox::Entity::find()
            .filter(outbox::Column::MessageId.is_in(messages.iter().map(MessageId::as_uuid)))
            .order_by_asc(outbox::Column::CreatedAt)
            .all(self.db())
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect()
    }

    /// Mails waiting to be sent.
    pub async fn pending_mail_count(&self) -> Result<u64, StoreError> {
        Ok(outbox::Entity::find()
            .filter(outbox::Column::Status.eq(DeliveryStatus::Pending.as_str()))
            .count(self.db())
            .await?)
    }
}
