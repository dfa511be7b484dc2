use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::Utc;
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::ticket::{Actor, Channel, Priority, text};
use helpdesk_persistence::chat::ChatSession;
use helpdesk_persistence::tickets::{MailParts, MessageAuthor, NewMessage, NewTicket};
use rand::distr::{Alphanumeric, SampleString};

use crate::error::ApiResult;
use crate::graphql::types::chat::{ChatMessage, ChatTicket, session_of, token_hash};
use crate::graphql::types::state;

#[derive(Default)]
pub(crate) struct ChatMutation;

/// A website visitor opening a chat.
#[derive(InputObject)]
pub(crate) struct StartChatInput {
    name: String,
    /// Where replies go if the visitor leaves before the desk answers.
    email: String,
    /// The visitor's first message.
    message: String,
}

#[derive(SimpleObject)]
pub(crate) struct StartChatPayload {
    /// The visitor's secret for `sendChatMessage` and `chatMessages`.
    token: String,
    ticket: ChatTicket,
}

/// Longest chat subject taken from the first message.
const SUBJECT_CHARS: usize = 80;

#[Object]
impl ChatMutation {
    /// Opens a chat (public: no access token needed). The first message
    /// becomes a CHAT ticket for the visitor, who is the same customer as
    /// anyone writing from that address by another channel.
    async fn start_chat(&self, ctx: &Context<'_>, input: StartChatInput) -> ApiResult<StartChatPayload> {
        let state = state(ctx)?;
        let body = text::body(&input.message)?;
        let subject = {
            let first_line = body.lines().next().unwrap_or_default();
            let short: String = first_line.chars().take(SUBJECT_CHARS).collect();
            if short.len() < first_line.len() {
                format!("{short}…")
            } else {
                short
            }
        };
        let new = NewTicket {
            subject,
            body,
            customer_email: EmailAddress::parse(&input.email)?,
            customer_name: Some(text::bounded(&input.name, "name", 200)?),
            channel: Channel::Chat,
            priority: Priority::Normal,
            tags: Default::default(),
            assignee: None,
            team: None,
            fcr_eligible: true,
            rfc_message_id: None,
            follow_up_of: None,
            mail: MailParts::default(),
        };
        let now = Utc::now();
        let ticket = state.store.create_ticket(new, Actor::System, now).await?;
        let token = Alphanumeric.sample_string(&mut rand::rng(), 40);
        let session = ChatSession {
            ticket_id: ticket.id,
            customer_id: ticket.customer_id,
        };
        state
            .store
            .create_chat_session(&token_hash(&token), session, now)
            .await?;
        Ok(StartChatPayload {
            token,
            ticket: ChatTicket(ticket),
        })
    }

    /// The visitor writes again in their chat (public; the token identifies them).
    async fn send_chat_message(&self, ctx: &Context<'_>, token: String, body: String) -> ApiResult<ChatMessage> {
        let state = state(ctx)?;
        let session = session_of(&state.store, &token).await?;
        let new = NewMessage {
            author: MessageAuthor::Customer,
            body: text::body(&body)?,
            internal: false,
            channel: Some(Channel::Chat),
            status: None,
            rfc_message_id: None,
            mail: MailParts::default(),
            outbox: None,
        };
        let (message, _) = state.store.add_message(session.ticket_id, new, Utc::now()).await?;
        Ok(ChatMessage(message))
    }
}
