use async_graphql::{Context, ID, InputObject, Object};
use helpdesk_domain::agent::parse_name;
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::ids::{AgentId, TeamId};
use helpdesk_persistence::agents::NewAgent;

use crate::ApiError;
use crate::auth::{password, viewer};
use crate::error::ApiResult;
use crate::graphql::types::agent::Agent;
use crate::graphql::types::enums::Role;
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
        let new = NewAgent {
            email: EmailAddress::parse(&input.email)?,
            name: parse_name(&input.name, "name")?,
            role: input.role.map_or(helpdesk_domain::agent::Role::Agent, Into::into),
            password_hash: Some(hash_password(input.password).await?),
        };
        let state = state(ctx)?;
        Ok(Agent(state.store.create_agent(new, state.clock.now()).await?))
    }

    /// Sets an agent's password, e.g. for an agent created by an import
    /// (admin only).
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
