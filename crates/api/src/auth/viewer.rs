//! The caller of a GraphQL operation.

use async_graphql::Context;
use helpdesk_domain::agent::Role;
use helpdesk_domain::ids::AgentId;

use crate::ApiError;

/// An authenticated agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Viewer {
    pub agent_id: AgentId,
    pub role: Role,
}

/// What the request's `Authorization` header said, put into each request.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Authentication {
    Missing,
    Invalid,
    Valid(Viewer),
}

/// The authenticated agent, or `UNAUTHENTICATED`.
pub(crate) fn agent(ctx: &Context<'_>) -> Result<Viewer, ApiError> {
    match ctx.data_opt::<Authentication>() {
        Some(Authentication::Valid(viewer)) => Ok(*viewer),
        Some(Authentication::Invalid) => Err(ApiError::Unauthenticated("invalid or expired access token")),
        Some(Authentication::Missing) | None => Err(ApiError::Unauthenticated("an access token is required")),
    }
}

/// The authenticated admin, or `UNAUTHENTICATED` / `FORBIDDEN`.
pub(crate) fn admin(ctx: &Context<'_>) -> Result<Viewer, ApiError> {
    let viewer = agent(ctx)?;
    if viewer.role.is_admin() {
        Ok(viewer)
    } else {
        Err(ApiError::Forbidden("only an admin may do this"))
    }
}
