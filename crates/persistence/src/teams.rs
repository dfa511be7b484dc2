//! Teams and their members.

use chrono::{DateTime, Utc};
use helpdesk_domain::ids::{AgentId, TeamId};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set};

use crate::entity::{agent, team, team_member};
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRecord {
    pub id: TeamId,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl From<team::Model> for TeamRecord {
    fn from(m: team::Model) -> Self {
        Self {
            id: TeamId::from_uuid(m.id),
            name: m.name,
            created_at: m.created_at,
        }
    }
}

impl Store {
    pub async fn create_team(&self, name: String, at: DateTime<Utc>) -> Result<TeamRecord, StoreError> {
        self.create_team_with_members(name, &[], at).await
    }

    /// Creates a team with its first members, all or nothing: a team is never
    /// left behind half-made. Every id in `members` must be an agent, each
    /// named once; otherwise nothing is stored and the error is "agent not
    /// found" (checked before the name is, so it wins over a taken name).
    pub async fn create_team_with_members(
        &self,
        name: String,
        members: &[AgentId],
        at: DateTime<Utc>,
    ) -> Result<TeamRecord, StoreError> {
        let txn = self.write().await?;
        if !members.is_empty() {
            let found = agent::Entity::find()
                .filter(agent::Column::Id.is_in(members.iter().map(AgentId::as_uuid)))
                .count(&txn)
                .await?;
            if usize::try_from(found).ok() != Some(members.len()) {
                return Err(StoreError::not_found("agent"));
            }
        }
        let row = team::ActiveModel {
            id: Set(TeamId::new().as_uuid()),
            name: Set(name.clone()),
            created_at: Set(helpdesk_domain::time::to_micros(at)),
        };
        let model = row
            .insert(&txn)
            .await
            .map_err(|e| StoreError::conflict_on_unique(e, format!("a team named {name:?} exists")))?;
        for agent in members {
            let member = team_member::ActiveModel {
                team_id: Set(model.id),
                agent_id: Set(agent.as_uuid()),
            };
            team_member::Entity::insert(member)
                .on_conflict_do_nothing()
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(model.into())
    }

    pub async fn team(&self, id: TeamId) -> Result<Option<TeamRecord>, StoreError> {
        Ok(team::Entity::find_by_id(id.as_uuid())
            .one(self.db())
            .await?
            .map(Into::into))
    }

    pub async fn teams_by_ids(&self, ids: &[TeamId]) -> Result<Vec<TeamRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = team::Entity::find()
            .filter(team::Column::Id.is_in(ids.iter().map(TeamId::as_uuid)))
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn list_teams(&self) -> Result<Vec<TeamRecord>, StoreError> {
        let rows = team::Entity::find()
            .order_by_asc(team::Column::Name)
            .all(self.db())
            .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Adds an agent to a team; adding a member twice changes nothing.
    pub async fn add_team_member(&self, team: TeamId, agent: AgentId) -> Result<(), StoreError> {
        if self.team(team).await?.is_none() {
            return Err(StoreError::not_found("team"));
        }
        if self.agent(agent).await?.is_none() {
            return Err(StoreError::not_found("agent"));
        }
        let row = team_member::ActiveModel {
            team_id: Set(team.as_uuid()),
            agent_id: Set(agent.as_uuid()),
        };
        team_member::Entity::insert(row)
            .on_conflict_do_nothing()
            .exec(self.db())
            .await?;
        self.announce_agent(agent);
        Ok(())
    }

    pub async fn remove_team_member(&self, team: TeamId, agent: AgentId) -> Result<(), StoreError> {
        team_member::Entity::delete_many()
            .filter(team_member::Column::TeamId.eq(team.as_uuid()))
            .filter(team_member::Column::AgentId.eq(agent.as_uuid()))
            .exec(self.db())
            .await?;
        self.announce_agent(agent);
        Ok(())
    }

    /// Members of each of the given teams, as (team, agent) pairs.
    pub async fn team_members(&self, teams: &[TeamId]) -> Result<Vec<(TeamId, AgentId)>, StoreError> {
        if teams.is_empty() {
            return Ok(Vec::new());
        }
        let rows = team_member::Entity::find()
            .filter(team_member::Column::TeamId.is_in(teams.iter().map(TeamId::as_uuid)))
            .all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| (TeamId::from_uuid(r.team_id), AgentId::from_uuid(r.agent_id)))
            .collect())
    }

    /// Teams of each of the given agents, as (agent, team) pairs.
    pub async fn agent_teams(&self, agents: &[AgentId]) -> Result<Vec<(AgentId, TeamId)>, StoreError> {
        if agents.is_empty() {
            return Ok(Vec::new());
        }
        let rows = team_member::Entity::find()
            .filter(team_member::Column::AgentId.is_in(agents.iter().map(AgentId::as_uuid)))
            .all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| (AgentId::from_uuid(r.agent_id), TeamId::from_uuid(r.team_id)))
            .collect())
    }
}
