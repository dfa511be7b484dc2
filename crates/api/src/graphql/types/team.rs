use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use helpdesk_persistence::teams::TeamRecord;

use helpdesk_domain::routing::RoutingMode as DomainMode;

use super::agent::Agent;
use super::enums::RoutingMode;
use super::state;
use crate::error::ApiResult;

/// A group of agents tickets can be routed to.
pub(crate) struct Team(pub TeamRecord);

#[Object]
impl Team {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// How the team hands out its tickets (OFF: by hand).
    async fn routing(&self, ctx: &Context<'_>) -> ApiResult<RoutingMode> {
        let modes = state(ctx)?.store.team_routing(&[self.0.id]).await?;
        Ok(modes.get(&self.0.id).copied().unwrap_or(DomainMode::Off).into())
    }

    async fn members(&self, ctx: &Context<'_>) -> ApiResult<Vec<Agent>> {
        let store = &state(ctx)?.store;
        let ids: Vec<_> = store
            .team_members(&[self.0.id])
            .await?
            .into_iter()
            .map(|(_, a)| a)
            .collect();
        let mut agents: Vec<Agent> = store.agents_by_ids(&ids).await?.into_iter().map(Agent).collect();
        agents.sort_by(|a, b| a.0.email.cmp(&b.0.email));
        Ok(agents)
    }
}
