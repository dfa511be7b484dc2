//! What a chat visitor may see: their ticket's number and the public
//! messages of their conversation, nothing of the desk's internals.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use helpdesk_domain::ticket::Author;
use helpdesk_persistence::tickets::{MessageRecord, TicketRecord};

use super::loader;
use crate::error::ApiResult;

/// The visitor's view of their ticket.
pub(crate) struct ChatTicket(pub TicketRecord);

#[Object]
impl ChatTicket {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn number(&self) -> i64 {
        self.0.number
    }

    async fn subject(&self) -> &str {
        &self.0.subject
    }
}

/// One public message of a chat.
pub(crate) struct ChatMessage(pub MessageRecord);

#[Object]
impl ChatMessage {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn body(&self) -> &str {
        &self.0.body
    }

    /// True for the visitor's own messages, false for the desk's.
    async fn from_visitor(&self) -> bool {
        self.0.author == Author::Customer
    }

    /// The answering agent's name, for the desk's messages.
    async fn author_name(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        let Some(agent) = self.0.agent_id else { return Ok(None) };
        Ok(loader(ctx)?.load_one(agent).await?.map(|a| a.name))
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
