use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use helpdesk_persistence::outbox::{DeliveryStatus as StoreDeliveryStatus, OutboxRecord};
use helpdesk_persistence::tickets::AttachmentRecord;
use helpdesk_persistence::tickets::MessageRecord;

use super::agent::Agent;
use super::customer::Customer;
use super::enums::{AuthorKind, Channel};
use super::{loader, state};
use crate::auth::viewer::agent;
use crate::error::ApiResult;
use crate::graphql::loaders::{AttachmentsOf, DeliveryOf};

/// A public message or an internal note on a ticket.
pub(crate) struct Message(pub MessageRecord);

/// Who wrote a message.
pub(crate) struct MessageAuthor<'a>(&'a MessageRecord);

#[Object]
impl Message {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn ticket_id(&self) -> ID {
        ID(self.0.ticket_id.to_string())
    }

    async fn author(&self) -> MessageAuthor<'_> {
        MessageAuthor(&self.0)
    }

    async fn body(&self) -> &str {
        &self.0.body
    }

    /// An internal note, never shown to the customer.
    async fn internal(&self) -> bool {
        self.0.internal
    }

    async fn channel(&self) -> Channel {
        self.0.channel.into()
    }

    /// The RFC 5322 Message-ID, for messages that came or went by mail.
    async fn email_message_id(&self) -> Option<&str> {
        self.0.rfc_message_id.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The HTML body, for messages that came by mail with one, sanitized
    /// (no scripts, event handlers, `javascript:` links or remote images;
    /// see docs/api.md#html-bodies).
    async fn html_body(&self) -> Option<String> {
        // Sanitized when stored and again here, so rows stored before the
        // policy (or under an older one) are served safe too.
        self.0.html_body.as_deref().map(helpdesk_channels::email::sanitize_html)
    }

    async fn attachments(&self, ctx: &Context<'_>) -> ApiResult<Vec<Attachment>> {
        let found = loader(ctx)?
            .load_one(AttachmentsOf(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(found.iter().cloned().map(Attachment).collect())
    }

    /// How the mail carrying this reply is doing; null for messages that
    /// are not mailed.
    async fn delivery(&self, ctx: &Context<'_>) -> ApiResult<Option<MailDelivery>> {
        Ok(loader(ctx)?.load_one(DeliveryOf(self.0.id)).await?.map(MailDelivery))
    }
}

/// A file that came with a message.
pub(crate) struct Attachment(AttachmentRecord);

#[Object]
impl Attachment {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn filename(&self) -> Option<&str> {
        self.0.filename.as_deref()
    }

    async fn content_type(&self) -> &str {
        &self.0.content_type
    }

    /// Size in bytes.
    async fn size(&self) -> u64 {
        self.0.size
    }

    /// Where a browser opens the file without an `Authorization` header: a
    /// link for the calling agent only, under `HELPDESK_PUBLIC_URL`, that
    /// works for 15 minutes and while the agent's sessions and scope do.
    /// Images and PDF open in place; everything else downloads.
    async fn url(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let viewer = agent(ctx)?;
        let state = state(ctx)?;
        let token = state
            .jwt
            .attachment_link(viewer.subject(), self.0.id, state.clock.now())?;
        Ok(format!("{}/attachments/{}?token={token}", state.public_url, self.0.id))
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub(crate) enum DeliveryStatus {
    /// Queued or being retried.
    Pending,
    Sent,
    /// Given up: refused for good, or too many failed attempts.
    Failed,
}

impl From<StoreDeliveryStatus> for DeliveryStatus {
    fn from(status: StoreDeliveryStatus) -> Self {
        match status {
            StoreDeliveryStatus::Pending => DeliveryStatus::Pending,
            StoreDeliveryStatus::Sent => DeliveryStatus::Sent,
            StoreDeliveryStatus::Failed => DeliveryStatus::Failed,
        }
    }
}

/// The outbound mail of a reply.
pub(crate) struct MailDelivery(OutboxRecord);

#[Object]
impl MailDelivery {
    async fn status(&self) -> DeliveryStatus {
        self.0.status.into()
    }

    async fn to(&self) -> &str {
        &self.0.to
    }

    async fn attempts(&self) -> u32 {
        self.0.attempts
    }

    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }

    /// When the next attempt is due, while pending.
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.status == StoreDeliveryStatus::Pending).then_some(self.0.next_attempt_at)
    }

    async fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.sent_at
    }
}

#[Object]
impl MessageAuthor<'_> {
    async fn kind(&self) -> AuthorKind {
        self.0.author.into()
    }

    /// The agent, when an agent wrote it.
    async fn agent(&self, ctx: &Context<'_>) -> ApiResult<Option<Agent>> {
        let Some(id) = self.0.agent_id else { return Ok(None) };
        Ok(loader(ctx)?.load_one(id).await?.map(Agent))
    }

    /// The customer, when the customer wrote it.
    async fn customer(&self, ctx: &Context<'_>) -> ApiResult<Option<Customer>> {
        let Some(id) = self.0.customer_id else { return Ok(None) };
        Ok(loader(ctx)?.load_one(id).await?.map(Customer))
    }
}
