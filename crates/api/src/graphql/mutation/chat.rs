//! The chat channel's GraphQL entry points; the rules are the channel's
//! (`helpdesk_channels::chat`).

use async_graphql::{Context, InputObject, Object, SimpleObject};
use helpdesk_channels::chat;

use crate::ApiError;
use crate::error::ApiResult;
use crate::graphql::types::chat::{ChatMessage, ChatTicket};
use crate::graphql::types::{client_address, state};

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

#[Object]
impl ChatMutation {
    /// Opens a chat (public: no access token needed). The first message
    /// becomes a CHAT ticket for the visitor's own unverified contact: the
    /// address given is a claim, and the chat joins that address's customer
    /// only once verified (`requestChatVerification`, `verifyChat`, or an
    /// agent's `confirmChatIdentity`).
    ///
    /// See docs/api.md#live-chat-for-a-website-widget.
    async fn start_chat(&self, ctx: &Context<'_>, input: StartChatInput) -> ApiResult<StartChatPayload> {
        let visitor = chat::StartChat {
            name: input.name,
            email: input.email,
            message: input.message,
        };
        let state = state(ctx)?;
        limit(ctx)?;
        let started = chat::start(&state.store, visitor, state.clock.now()).await?;
        Ok(StartChatPayload {
            token: started.token,
            ticket: ChatTicket(started.ticket),
        })
    }

    /// The visitor writes again in their chat (public; the token identifies them).
    ///
    /// See docs/api.md#live-chat-for-a-website-widget.
    async fn send_chat_message(&self, ctx: &Context<'_>, token: String, body: String) -> ApiResult<ChatMessage> {
        let state = state(ctx)?;
        limit(ctx)?;
        let message = chat::send(
            &state.store,
            &token,
            &body,
            state.clock.now(),
            state.limits.chat_token_ttl,
        )
        .await?;
        Ok(ChatMessage(message))
    }

    /// Mails a one-time code to the address the visitor gave (public; the
    /// token identifies them). The code lives 15 minutes and five wrong
    /// guesses; a new request replaces it, up to three per chat.
    ///
    /// See docs/api.md#chat-identity.
    async fn request_chat_verification(&self, ctx: &Context<'_>, token: String) -> ApiResult<bool> {
        let state = state(ctx)?;
        limit(ctx)?;
        let now = state.clock.now();
        let session = chat::session(&state.store, &token, now, state.limits.chat_token_ttl).await?;
        chat::request_code(&state.store, &state.mail.email, session, now).await?;
        Ok(true)
    }

    /// The visitor types the code mailed to them: the chat joins the
    /// address's customer. A wrong code is `BAD_USER_INPUT` and spends an
    /// attempt.
    ///
    /// See docs/api.md#chat-identity.
    async fn verify_chat(&self, ctx: &Context<'_>, token: String, code: String) -> ApiResult<bool> {
        let state = state(ctx)?;
        limit(ctx)?;
        let now = state.clock.now();
        let session = chat::session(&state.store, &token, now, state.limits.chat_token_ttl).await?;
        chat::verify(&state.store, session, &code, now).await?;
        Ok(true)
    }
}

/// Counts a chat call against its client's budget (public calls, so per
/// client address): `RATE_LIMITED` beyond it.
fn limit(ctx: &Context<'_>) -> ApiResult<()> {
    let state = state(ctx)?;
    let client = client_address(ctx)?;
    state
        .limiters
        .chat
        .check(&client, state.clock.now())
        .map_err(ApiError::rate_limited)
}
