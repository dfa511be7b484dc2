use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use helpdesk_persistence::tickets::MessageRecord;

use super::agent::Agent;
use super::customer::Customer;
use super::enums::{AuthorKind, Channel};
use super::loader;
use crate::error::ApiResult;

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
