use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use helpdesk_domain::email::EmailAddress;

use crate::ApiError;
use crate::auth::jwt::TokenSubject;
use crate::auth::password;
use crate::error::ApiResult;
use crate::graphql::types::agent::Agent;
use crate::graphql::types::state;

#[derive(Default)]
pub(crate) struct AuthMutation;

#[derive(SimpleObject)]
pub(crate) struct AuthPayload {
    /// Send as `Authorization: Bearer <token>`.
    token: String,
    expires_at: DateTime<Utc>,
    agent: Agent,
}

/// One message for every failure, so a caller cannot learn which emails exist.
const BAD_CREDENTIALS: &str = "unknown email or wrong password";

#[Object]
impl AuthMutation {
    /// Exchanges an agent's email and password for an access token.
    ///
    /// See docs/api.md#logging-in.
    async fn login(&self, ctx: &Context<'_>, email: String, password: String) -> ApiResult<AuthPayload> {
        let state = state(ctx)?;
        let email = EmailAddress::parse(&email).map_err(|_| ApiError::Unauthenticated(BAD_CREDENTIALS))?;
        let found = state.store.agent_credentials(&email).await?;
        let (agent, hash) = match found {
            Some((agent, Some(hash))) if agent.active => (agent, hash),
            _ => return Err(ApiError::Unauthenticated(BAD_CREDENTIALS)),
        };
        // argon2 is deliberately slow; keep it off the async workers.
        let matches = tokio::task::spawn_blocking(move || password::verify(&password, &hash))
            .await
            .map_err(|e| ApiError::internal("password check panicked", e))?;
        if !matches {
            return Err(ApiError::Unauthenticated(BAD_CREDENTIALS));
        }
        let (token, expires_at) = state.jwt.issue(
            TokenSubject {
                agent_id: agent.id,
                version: agent.token_version,
            },
            state.clock.now(),
        )?;
        Ok(AuthPayload {
            token,
            expires_at,
            agent: Agent(agent),
        })
    }
}
