//! The caller of a request: who they are, what they may do, which tickets
//! they reach.
//!
//! A token only names an agent and a token version. Each request reads the
//! agent from the store: a deleted, deactivated or re-passworded agent's
//! tokens stop working at once, and a role or scope change applies to the
//! next request.

use async_graphql::Context;
use helpdesk_domain::access::TicketAccess;
use helpdesk_domain::agent::Role;
use helpdesk_domain::ids::AgentId;
use helpdesk_persistence::tickets::ScopedStore;

use super::jwt::TokenSubject;
use crate::{ApiError, AppState};

/// An authenticated, active agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Viewer {
    pub agent_id: AgentId,
    pub role: Role,
    /// The tickets this agent may see and change.
    pub access: TicketAccess,
    /// The token version the request's token carries (still current).
    pub token_version: i64,
}

impl Viewer {
    /// The token this viewer authenticated with, as it named them.
    pub(crate) fn subject(&self) -> TokenSubject {
        TokenSubject {
            agent_id: self.agent_id,
            version: self.token_version,
        }
    }

    /// The store as this agent may use it for tickets.
    pub(crate) fn tickets(&self, state: &AppState) -> ScopedStore {
        state.store.scoped(self.access.clone())
    }

    /// The same, on the read store (a replica when configured), for lists
    /// that may lag the primary by a moment; never for a change.
    pub(crate) fn ticket_lists(&self, state: &AppState) -> ScopedStore {
        state.read_store.scoped(self.access.clone())
    }
}

/// What the request's credentials came to, put into each request.
#[derive(Debug, Clone)]
pub(crate) enum Authentication {
    Missing,
    Invalid,
    Valid(Viewer),
}

/// Checks a bearer token (without its `Bearer ` prefix) against the keys
/// and the store.
pub(crate) async fn authenticate(state: &AppState, token: Option<&str>) -> Result<Authentication, ApiError> {
    let Some(token) = token.map(str::trim) else {
        return Ok(Authentication::Missing);
    };
    match state.jwt.verify(token, state.clock.now()) {
        Some(subject) => viewer_of(state, subject).await,
        None => Ok(Authentication::Invalid),
    }
}

/// The viewer a verified token's subject is now, if still valid.
pub(crate) async fn viewer_of(state: &AppState, subject: TokenSubject) -> Result<Authentication, ApiError> {
    let Some(agent) = state.store.agent(subject.agent_id).await? else {
        return Ok(Authentication::Invalid);
    };
    if !agent.active || agent.token_version != subject.version {
        return Ok(Authentication::Invalid);
    }
    let access = state.store.ticket_access(&agent).await?;
    Ok(Authentication::Valid(Viewer {
        agent_id: agent.id,
        role: agent.role,
        access,
        token_version: agent.token_version,
    }))
}

/// The token of an `Authorization: Bearer <token>` header value.
pub(crate) fn bearer(value: &str) -> Option<&str> {
    value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer "))
}

/// The authenticated agent, or `UNAUTHENTICATED`.
pub(crate) fn agent<'a>(ctx: &'a Context<'_>) -> Result<&'a Viewer, ApiError> {
    match ctx.data_opt::<Authentication>() {
        Some(Authentication::Valid(viewer)) => Ok(viewer),
        Some(Authentication::Invalid) => Err(ApiError::Unauthenticated("invalid or expired access token")),
        Some(Authentication::Missing) | None => Err(ApiError::Unauthenticated("an access token is required")),
    }
}

/// The authenticated admin, or `UNAUTHENTICATED` / `FORBIDDEN`.
pub(crate) fn admin<'a>(ctx: &'a Context<'_>) -> Result<&'a Viewer, ApiError> {
    let viewer = agent(ctx)?;
    if viewer.role.is_admin() {
        Ok(viewer)
    } else {
        Err(ApiError::Forbidden("only an admin may do this"))
    }
}
