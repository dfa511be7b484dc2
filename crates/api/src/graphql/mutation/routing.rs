//! Routing: a team's mode, an agent's availability and capacities. See
//! docs/api.md#routing.

use async_graphql::{Context, ID, Object};
use helpdesk_domain::ids::{AgentId, TeamId};

use crate::ApiError;
use crate::auth::viewer;
use crate::error::ApiResult;
use crate::graphql::types::agent::Agent;
use crate::graphql::types::enums::{Availability, Channel, RoutingMode};
use crate::graphql::types::team::Team;
use crate::graphql::types::{parse_id, state};

#[derive(Default)]
pub(crate) struct RoutingMutation;

#[Object]
impl RoutingMutation {
    /// Turns routing on for a team, or off (admin only). With routing on,
    /// the team's new and reopened unassigned tickets go to its available
    /// members with room for them; the others wait, oldest first.
    async fn set_team_routing(&self, ctx: &Context<'_>, team_id: ID, mode: RoutingMode) -> ApiResult<Team> {
        viewer::admin(ctx)?;
        let team: TeamId = parse_id(&team_id, "teamId")?;
        let store = &state(ctx)?.store;
        store.set_team_routing(team, mode.into()).await?;
        let found = store.teams_by_ids(&[team]).await?.into_iter().next();
        found.map(Team).ok_or(ApiError::NotFound("team"))
    }

    /// Sets whether routing gives an agent tickets: the caller's own, or
    /// (admins only) another agent's.
    async fn set_availability(
        &self,
        ctx: &Context<'_>,
        availability: Availability,
        agent_id: Option<ID>,
    ) -> ApiResult<Agent> {
        let viewer = viewer::agent(ctx)?;
        let agent: AgentId = match agent_id {
            Some(id) => parse_id(&id, "agentId")?,
            None => viewer.agent_id,
        };
        if agent != viewer.agent_id {
            viewer::admin(ctx)?;
        }
        let store = &state(ctx)?.store;
        let found = store.agent(agent).await?.ok_or(ApiError::NotFound("agent"))?;
        store.set_availability(agent, availability.into()).await?;
        Ok(Agent(found))
    }

    /// Sets how many open tickets of `channel` routing gives an agent at
    /// most (0 to 1,000); null lifts the limit (admin only).
    async fn set_agent_capacity(
        &self,
        ctx: &Context<'_>,
        agent_id: ID,
        channel: Channel,
        max_open: Option<u32>,
    ) -> ApiResult<Agent> {
        viewer::admin(ctx)?;
        let agent: AgentId = parse_id(&agent_id, "agentId")?;
        let store = &state(ctx)?.store;
        let found = store.agent(agent).await?.ok_or(ApiError::NotFound("agent"))?;
        store.set_capacity(agent, channel.into(), max_open).await?;
        Ok(Agent(found))
    }
}
