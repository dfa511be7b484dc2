use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use helpdesk_persistence::agents::AgentRecord;

use async_graphql::SimpleObject;
use helpdesk_domain::routing::Availability as DomainAvailability;

use super::enums::{AgentScope, Availability, Channel, Role};
use super::state;
use super::team::Team;
use crate::error::ApiResult;

/// How many open tickets of a channel routing gives an agent at most.
#[derive(SimpleObject)]
pub(crate) struct ChannelCapacity {
    pub channel: Channel,
    pub max_open: u32,
}

/// An account that works tickets.
pub(crate) struct Agent(pub AgentRecord);

#[Object]
impl Agent {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn email(&self) -> &str {
        self.0.email.as_str()
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn role(&self) -> Role {
        self.0.role.into()
    }

    /// Which tickets the agent sees and changes.
    async fn scope(&self) -> AgentScope {
        self.0.scope.into()
    }

    /// False once an admin deactivated the account: it cannot log in, and
    /// its tokens stopped working.
    async fn active(&self) -> bool {
        self.0.active
    }

    /// False for agents created by an import until an admin sets a password.
    async fn can_log_in(&self) -> bool {
        self.0.can_log_in
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Whether routing gives them tickets now.
    async fn availability(&self, ctx: &Context<'_>) -> ApiResult<Availability> {
        let set = state(ctx)?.store.availability(&[self.0.id]).await?;
        Ok(set
            .get(&self.0.id)
            .copied()
            .unwrap_or(DomainAvailability::Available)
            .into())
    }

    /// The most open tickets routing gives them, per channel; a channel not
    /// listed has no limit.
    async fn capacities(&self, ctx: &Context<'_>) -> ApiResult<Vec<ChannelCapacity>> {
        let all = state(ctx)?.store.capacities(&[self.0.id]).await?;
        Ok(all
            .get(&self.0.id)
            .into_iter()
            .flatten()
            .map(|(channel, max_open)| ChannelCapacity {
                channel: (*channel).into(),
                max_open: *max_open,
            })
            .collect())
    }

    async fn teams(&self, ctx: &Context<'_>) -> ApiResult<Vec<Team>> {
        let store = &state(ctx)?.store;
        let ids: Vec<_> = store
            .agent_teams(&[self.0.id])
            .await?
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        let mut teams: Vec<Team> = store.teams_by_ids(&ids).await?.into_iter().map(Team).collect();
        teams.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        Ok(teams)
    }
}
