//! What a chat visitor may see: their ticket's number and the public
//! messages of their conversation, nothing of the desk's internals.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use helpdesk_domain::ticket::Author;
use helpdesk_persistence::Store;
use helpdesk_persistence::chat::ChatSession;
use helpdesk_persistence::tickets::{MessageRecord, TicketRecord};
use sha2::{Digest, Sha256};

use super::loader;
use crate::ApiError;
use crate::error::ApiResult;

/// The stored form of a visitor's token: a SHA-256, so a leaked database
/// does not hand out live chat sessions.
pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The session a visitor's token opens, or `UNAUTHENTICATED`.
pub(crate) async fn session_of(store: &Store, token: &str) -> ApiResult<ChatSession> {
    store
        .chat_session(&token_hash(token))
        .await?
        .ok_or(ApiError::Unauthenticated("unknown chat token"))
}

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
