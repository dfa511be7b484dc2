use async_graphql::{Context, ID, InputObject, Object};
use helpdesk_domain::access::AgentScope;
use helpdesk_domain::agent::parse_name;
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::ids::{AgentId, TeamId};
use helpdesk_persistence::agents::{AgentChanges, NewAgent};

use crate::ApiError;
use crate::auth::{password, viewer};
use crate::error::ApiResult;
use crate::graphql::types::agent::Agent;
use crate::graphql::types::desk_access::DeskAccess;
use crate::graphql::types::enums::{AgentScope as GqlAgentScope, Role};
use crate::graphql::types::team::Team;
use crate::graphql::types::{parse_id, state};

#[derive(Default)]
pub(crate) struct AdminMutation;

#[derive(InputObject)]
pub(crate) struct CreateAgentInput {
    email: String,
    name: String,
    /// At least 8 characters.
    password: String,
    /// Default AGENT.
    role: Option<Role>,
    /// Default TEAMS for agents, ALL for admins.
    scope: Option<GqlAgentScope>,
}

#[derive(InputObject)]
pub(crate) struct UpdateAgentInput {
    agent_id: ID,
    name: Option<String>,
    /// Takes effect on the agent's next request.
    role: Option<Role>,
    scope: Option<GqlAgentScope>,
}

#[derive(InputObject)]
pub(crate) struct DeskAccessInput {
    /// Whether agents scoped to TEAMS also see tickets that belong to no team.
    teamless_tickets_visible: bool,
}

#[derive(InputObject)]
pub(crate) struct CreateTeamInput {
    name: String,
    member_ids: Option<Vec<ID>>,
}

async fn hash_password(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|e| ApiError::internal("password hashing panicked", e))?
}

#[Object]
impl AdminMutation {
    /// Creates an agent account (admin only).
    ///
    /// See docs/api.md#agents-and-teams.
    async fn create_agent(&self, ctx: &Context<'_>, input: CreateAgentInput) -> ApiResult<Agent> {
        viewer::admin(ctx)?;
        let role = input.role.map_or(helpdesk_domain::agent::Role::Agent, Into::into);
        let new = NewAgent {
            email: EmailAddress::parse(&input.email)?,
            name: parse_name(&input.name, "name")?,
            role,
            scope: input.scope.map_or(AgentScope::default_for(role), Into::into),
            password_hash: Some(hash_password(input.password).await?),
        };
        let state = state(ctx)?;
        Ok(Agent(state.store.create_agent(new, state.clock.now()).await?))
    }

    /// Changes an agent's name, role or scope (admin only). The desk keeps
    /// at least one active admin.
    ///
    /// See docs/api.md#who-sees-which-tickets.
    async fn update_agent(&self, ctx: &Context<'_>, input: UpdateAgentInput) -> ApiResult<Agent> {
        viewer::admin(ctx)?;
        let id: AgentId = parse_id(&input.agent_id, "agentId")?;
        let changes = AgentChanges {
            name: input.name.as_deref().map(|n| parse_name(n, "name")).transpose()?,
            role: input.role.map(Into::into),
            scope: input.scope.map(Into::into),
        };
        Ok(Agent(state(ctx)?.store.update_agent(id, changes).await?))
    }

    /// Deactivates an agent (admin only): they can no longer log in, and
    /// their tokens and open subscriptions stop working at once. Their
    /// tickets stay assigned to them. The last active admin cannot be
    /// deactivated.
    ///
    /// See docs/api.md#agents-and-teams.
    async fn deactivate_agent(&self, ctx: &Context<'_>, agent_id: ID) -> ApiResult<Agent> {
        viewer::admin(ctx)?;
        let id: AgentId = parse_id(&agent_id, "agentId")?;
        Ok(Agent(state(ctx)?.store.set_agent_active(id, false).await?))
    }

    /// Lets a deactivated agent log in again (admin only). Tokens issued
    /// before the deactivation stay revoked.
    ///
    /// See docs/api.md#agents-and-teams.
    async fn reactivate_agent(&self, ctx: &Context<'_>, agent_id: ID) -> ApiResult<Agent> {
        viewer::admin(ctx)?;
        let id: AgentId = parse_id(&agent_id, "agentId")?;
        Ok(Agent(state(ctx)?.store.set_agent_active(id, true).await?))
    }

    /// Sets the desk's access settings (admin only).
    ///
    /// See docs/api.md#who-sees-which-tickets.
    async fn set_desk_access(&self, ctx: &Context<'_>, input: DeskAccessInput) -> ApiResult<DeskAccess> {
        viewer::admin(ctx)?;
        let store = &state(ctx)?.store;
        store
            .set_teamless_tickets_visible(input.teamless_tickets_visible)
            .await?;
        DeskAccess::read(store).await
    }

    /// Sets an agent's password, e.g. for an agent created by an import
    /// (admin only). Tokens issued before stop working.
    ///
    /// See docs/api.md#agents-and-teams.
    async fn set_agent_password(&self, ctx: &Context<'_>, agent_id: ID, password: String) -> ApiResult<Agent> {
        viewer::admin(ctx)?;
        let id: AgentId = parse_id(&agent_id, "agentId")?;
        let hash = hash_password(password).await?;
        Ok(Agent(state(ctx)?.store.set_agent_password(id, hash).await?))
    }

    /// Creates a team, optionally with members (admin only).
    ///
    /// See docs/api.md#agents-and-teams.
    async fn create_team(&self, ctx: &Context<'_>, input: CreateTeamInput) -> ApiResult<Team> {
        viewer::admin(ctx)?;
        let members = input
            .member_ids
            .unwrap_or_default()
            .iter()
            .map(|id| parse_id::<AgentId>(id, "memberIds"))
            .collect::<Result<Vec<_>, _>>()?;
        let name = parse_name(&input.name, "name")?;
        let state = state(ctx)?;
        let team = state
            .store
            .create_team_with_members(name, &members, state.clock.now())
            .await?;
        Ok(Team(team))
    }

    /// Adds an agent to a team (admin only).
    ///
    /// See docs/api.md#agents-and-teams.
    async fn add_team_member(&self, ctx: &Context<'_>, team_id: ID, agent_id: ID) -> ApiResult<Team> {
        viewer::admin(ctx)?;
        let team: TeamId = parse_id(&team_id, "teamId")?;
        let store = &state(ctx)?.store;
        store.add_team_member(team, parse_id(&agent_id, "agentId")?).await?;
        store.team(team).await?.map(Team).ok_or(ApiError::NotFound("team"))
    }

    /// Removes an agent from a team (admin only).
    ///
    /// See docs/api.md#agents-and-teams.
    async fn remove_team_member(&self, ctx: &Context<'_>, team_id: ID, agent_id: ID) -> ApiResult<Team> {
        viewer::admin(ctx)?;
        let team: TeamId = parse_id(&team_id, "teamId")?;
        let store = &state(ctx)?.store;
        store.remove_team_member(team, parse_id(&agent_id, "agentId")?).await?;
        store.team(team).await?.map(Team).ok_or(ApiError::NotFound("team"))
    }
}
