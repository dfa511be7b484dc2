use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use helpdesk_domain::email::EmailAddress;

use crate::ApiError;
use crate::auth::jwt::TokenSubject;
use crate::auth::password;
use crate::error::ApiResult;
use crate::graphql::types::agent::Agent;
use crate::graphql::types::{client_address, state};

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
    /// Throttled: too many calls from one client, or too many failures for
    /// one email address or from one client, answer `RATE_LIMITED` with
    /// `extensions.retryAfter` (HTTP 429 with `Retry-After`).
    ///
    /// See docs/api.md#logging-in.
    async fn login(&self, ctx: &Context<'_>, email: String, password: String) -> ApiResult<AuthPayload> {
        let state = state(ctx)?;
        let client = client_address(ctx)?;
        let now = state.clock.now();
        let limiters = &state.limiters;
        limiters.login.check(&client, now).map_err(ApiError::rate_limited)?;
        limiters
            .login_failures_by_client
            .refused(&client, now)
            .map_err(ApiError::rate_limited)?;
        let account = email.trim().to_lowercase();
        limiters
            .login_failures_by_email
            .refused(&account, now)
            .map_err(ApiError::rate_limited)?;

        let found = match EmailAddress::parse(&email) {
            Ok(address) => state.store.agent_credentials(&address).await?,
            Err(_) => None,
        };
        // An unknown, inactive or password-less agent is checked against the
        // dummy hash, so every failure costs one argon2 verification.
        let (agent, hash) = match found {
            Some((agent, Some(hash))) if agent.active => (Some(agent), hash),
            _ => (None, state.dummy_password_hash.to_string()),
        };
        // argon2 is deliberately slow; keep it off the async workers.
        let matches = tokio::task::spawn_blocking(move || password::verify(&password, &hash))
            .await
            .map_err(|e| ApiError::internal("password check panicked", e))?;
        let agent = match agent {
            Some(agent) if matches => agent,
            _ => {
                limiters.login_failures_by_email.record(&account, now);
                limiters.login_failures_by_client.record(&client, now);
                return Err(ApiError::Unauthenticated(BAD_CREDENTIALS));
            }
        };
        // The owner proved who they are; the client's own count stays, so
        // logging in to one account cannot buy guesses at others.
        limiters.login_failures_by_email.forget(&account);
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
