//! Routing: each team's opt-in mode, each agent's availability and
//! capacity per channel (`mod.rs`), and handing tickets out (`assign.rs`):
//! a new or reopened ticket in the transaction that makes it routable, and
//! the tickets that waited for room by a worker.

mod assign;

pub(crate) use assign::after_events;

use std::collections::{BTreeMap, HashMap};

use helpdesk_domain::ids::{AgentId, TeamId};
use helpdesk_domain::routing::{Availability, RoutingMode, check_capacity};
use helpdesk_domain::ticket::Channel;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::entity::{agent_availability, agent_capacity, team, team_routing};
use crate::error::parse_column;
use crate::{Store, StoreError};

impl Store {
    /// Turns routing on (or off) for a team.
    pub async fn set_team_routing(&self, team_id: TeamId, mode: RoutingMode) -> Result<(), StoreError> {
        if team::Entity::find_by_id(team_id.as_uuid())
            .one(self.db())
            .await?
            .is_none()
        {
            return Err(StoreError::not_found("team"));
        }
        team_routing::Entity::insert(team_routing::ActiveModel {
            team_id: Set(team_id.as_uuid()),
            mode: Set(mode.as_str().to_owned()),
            last_agent_id: Set(None),
        })
        .on_conflict(
            OnConflict::column(team_routing::Column::TeamId)
                .update_column(team_routing::Column::Mode)
                .to_owned(),
        )
        .exec_without_returning(self.db())
        .await?;
        Ok(())
    }

    /// Each team's routing mode; a team not named routes nothing (OFF).
    pub async fn team_routing(&self, teams: &[TeamId]) -> Result<HashMap<TeamId, RoutingMode>, StoreError> {
        team_routing::Entity::find()
            .filter(team_routing::Column::TeamId.is_in(teams.iter().map(TeamId::as_uuid)))
            .all(self.db())
            .await?
            .into_iter()
            .map(|r| {
                Ok((
                    TeamId::from_uuid(r.team_id),
                    parse_column("team_routing.mode", &r.mode)?,
                ))
            })
            .collect()
    }

    pub async fn set_availability(&self, agent: AgentId, availability: Availability) -> Result<(), StoreError> {
        agent_availability::Entity::insert(agent_availability::ActiveModel {
            agent_id: Set(agent.as_uuid()),
            availability: Set(availability.as_str().to_owned()),
        })
        .on_conflict(
            OnConflict::column(agent_availability::Column::AgentId)
                .update_column(agent_availability::Column::Availability)
                .to_owned(),
        )
        .exec_without_returning(self.db())
        .await?;
        Ok(())
    }

    /// Each agent's availability; one not named is AVAILABLE.
    pub async fn availability(&self, agents: &[AgentId]) -> Result<HashMap<AgentId, Availability>, StoreError> {
        agent_availability::Entity::find()
            .filter(agent_availability::Column::AgentId.is_in(agents.iter().map(AgentId::as_uuid)))
            .all(self.db())
            .await?
            .into_iter()
            .map(|r| {
                Ok((
                    AgentId::from_uuid(r.agent_id),
                    parse_column("agent_availability.availability", &r.availability)?,
                ))
            })
            .collect()
    }

    /// Sets how many open tickets of `channel` routing gives `agent`;
    /// `None` lifts the limit.
    pub async fn set_capacity(
        &self,
        agent: AgentId,
        channel: Channel,
        max_open: Option<u32>,
    ) -> Result<(), StoreError> {
        match max_open {
            None => {
                agent_capacity::Entity::delete_many()
                    .filter(agent_capacity::Column::AgentId.eq(agent.as_uuid()))
                    .filter(agent_capacity::Column::Channel.eq(channel.as_str()))
                    .exec(self.db())
                    .await?;
            }
            Some(max) => {
                check_capacity(max)?;
                agent_capacity::Entity::insert(agent_capacity::ActiveModel {
                    agent_id: Set(agent.as_uuid()),
                    channel: Set(channel.as_str().to_owned()),
                    max_open: Set(i32::try_from(max).unwrap_or(i32::MAX)),
                })
                .on_conflict(
                    OnConflict::columns([agent_capacity::Column::AgentId, agent_capacity::Column::Channel])
                        .update_column(agent_capacity::Column::MaxOpen)
                        .to_owned(),
                )
                .exec_without_returning(self.db())
                .await?;
            }
        }
        Ok(())
    }

    /// Each agent's capacities by channel (channels without a limit left out).
    pub async fn capacities(&self, agents: &[AgentId]) -> Result<HashMap<AgentId, BTreeMap<Channel, u32>>, StoreError> {
        let mut out: HashMap<AgentId, BTreeMap<Channel, u32>> = HashMap::new();
        let rows = agent_capacity::Entity::find()
            .filter(agent_capacity::Column::AgentId.is_in(agents.iter().map(AgentId::as_uuid)))
            .all(self.db())
            .await?;
        for r in rows {
            let channel = parse_column("agent_capacities.channel", &r.channel)?;
            out.entry(AgentId::from_uuid(r.agent_id))
                .or_default()
                .insert(channel, u32::try_from(r.max_open).unwrap_or(0));
        }
        Ok(out)
    }
}
