//! Agent accounts.

use chrono::{DateTime, Utc};
use helpdesk_domain::access::{AgentScope, TicketAccess};
use helpdesk_domain::agent::Role;
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::ids::AgentId;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use crate::entity::agent;
use crate::error::parse_column;
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRecord {
    pub id: AgentId,
    pub email: EmailAddress,
    pub name: String,
    pub role: Role,
    pub scope: AgentScope,
    pub active: bool,
    /// Access tokens name the version they were issued at; only tokens of
    /// the current version are accepted.
    pub token_version: i64,
    /// False for agents created by an import, who cannot log in until an
    /// admin sets a password.
    pub can_log_in: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewAgent {
    pub email: EmailAddress,
    pub name: String,
    pub role: Role,
    pub scope: AgentScope,
    /// An argon2 PHC string; `None` for an account that cannot log in yet.
    pub password_hash: Option<String>,
}

/// What `update_agent` changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AgentChanges {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub scope: Option<AgentScope>,
}

impl TryFrom<agent::Model> for AgentRecord {
    type Error = StoreError;

    fn try_from(m: agent::Model) -> Result<Self, StoreError> {
        Ok(Self {
            id: AgentId::from_uuid(m.id),
            email: parse_column("agents.email", &m.email)?,
            name: m.name,
            role: parse_column("agents.role", &m.role)?,
            scope: parse_column("agents.scope", &m.scope)?,
            active: m.active,
            token_version: m.token_version,
            can_log_in: m.password_hash.is_some(),
            created_at: m.created_at,
        })
    }
}

impl Store {
    pub async fn create_agent(&self, new: NewAgent, at: DateTime<Utc>) -> Result<AgentRecord, StoreError> {
        let email = new.email.to_string();
        let row = agent::ActiveModel {
            id: Set(AgentId::new().as_uuid()),
            email: Set(email.clone()),
            name: Set(new.name),
            role: Set(new.role.as_str().to_owned()),
            password_hash: Set(new.password_hash),
            active: Set(true),
            scope: Set(new.scope.as_str().to_owned()),
            token_version: Set(0),
            created_at: Set(helpdesk_domain::time::to_micros(at)),
        };
        let model = row
            .insert(self.db())
            .await
            .map_err(|e| StoreError::conflict_on_unique(e, format!("an agent with email {email} exists")))?;
        model.try_into()
    }

    pub async fn agent(&self, id: AgentId) -> Result<Option<AgentRecord>, StoreError> {
        agent::Entity::find_by_id(id.as_uuid())
            .one(self.db())
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    pub async fn agents_by_ids(&self, ids: &[AgentId]) -> Result<Vec<AgentRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        agent::Entity::find()
            .filter(agent::Column::Id.is_in(ids.iter().map(AgentId::as_uuid)))
            .all(self.db())
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect()
    }

    pub async fn list_agents(&self) -> Result<Vec<AgentRecord>, StoreError> {
        agent::Entity::find()
            .order_by_asc(agent::Column::Email)
            .all(self.db())
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect()
    }

    /// The agent with this email and their password hash, for logging in.
    pub async fn agent_credentials(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<(AgentRecord, Option<String>)>, StoreError> {
        let Some(model) = agent::Entity::find()
            .filter(agent::Column::Email.eq(email.as_str()))
            .one(self.db())
            .await?
        else {
            return Ok(None);
        };
        let hash = model.password_hash.clone();
        Ok(Some((model.try_into()?, hash)))
    }

    pub async fn admin_exists(&self) -> Result<bool, StoreError> {
        let admins = agent::Entity::find()
            .filter(agent::Column::Role.eq(Role::Admin.as_str()))
            .filter(agent::Column::Active.eq(true))
            .count(self.db())
            .await?;
        Ok(admins > 0)
    }

    /// Sets a new password and revokes every token issued before.
    pub async fn set_agent_password(&self, id: AgentId, password_hash: String) -> Result<AgentRecord, StoreError> {
        self.change_agent(id, true, |row| row.password_hash = Set(Some(password_hash)))
            .await
    }

    /// Changes an agent's name, role or scope. A role change takes effect
    /// on the agent's next request: roles are read from here, never from a
    /// token.
    pub async fn update_agent(&self, id: AgentId, changes: AgentChanges) -> Result<AgentRecord, StoreError> {
        if changes.role == Some(Role::Agent) {
            self.keep_an_admin(id).await?;
        }
        self.change_agent(id, false, |row| {
            if let Some(name) = changes.name {
                row.name = Set(name);
            }
            if let Some(role) = changes.role {
                row.role = Set(role.as_str().to_owned());
            }
            if let Some(scope) = changes.scope {
                row.scope = Set(scope.as_str().to_owned());
            }
        })
        .await
    }

    /// Deactivates (`false`) or reactivates an agent. Deactivation revokes
    /// every token at once; reactivation does not revive them (the agent
    /// logs in again). The last active admin cannot be deactivated.
    pub async fn set_agent_active(&self, id: AgentId, active: bool) -> Result<AgentRecord, StoreError> {
        if !active {
            self.keep_an_admin(id).await?;
        }
        self.change_agent(id, !active, |row| row.active = Set(active)).await
    }

    /// Refuses to take away the desk's last active admin.
    async fn keep_an_admin(&self, leaving: AgentId) -> Result<(), StoreError> {
        let others = agent::Entity::find()
            .filter(agent::Column::Role.eq(Role::Admin.as_str()))
            .filter(agent::Column::Active.eq(true))
            .filter(agent::Column::Id.ne(leaving.as_uuid()))
            .count(self.db())
            .await?;
        let leaving_is_admin = self
            .agent(leaving)
            .await?
            .is_some_and(|a| a.role.is_admin() && a.active);
        if leaving_is_admin && others == 0 {
            return Err(StoreError::Conflict("the desk needs at least one active admin".into()));
        }
        Ok(())
    }

    async fn change_agent(
        &self,
        id: AgentId,
        revoke_tokens: bool,
        change: impl FnOnce(&mut agent::ActiveModel),
    ) -> Result<AgentRecord, StoreError> {
        let model = agent::Entity::find_by_id(id.as_uuid())
            .one(self.db())
            .await?
            .ok_or_else(|| StoreError::not_found("agent"))?;
        let version = model.token_version;
        let mut row = model.into_active_model();
        change(&mut row);
        if revoke_tokens {
            row.token_version = Set(version.saturating_add(1));
        }
        let record: AgentRecord = row.update(self.db()).await?.try_into()?;
        self.announce_agent(id);
        Ok(record)
    }

    /// The tickets `agent` may see and change: the whole desk for scope
    /// ALL; otherwise their teams' tickets, and tickets with no team when
    /// the desk allows it.
    pub async fn ticket_access(&self, agent: &AgentRecord) -> Result<TicketAccess, StoreError> {
        if agent.scope == AgentScope::All {
            return Ok(TicketAccess::Everything);
        }
        let teams = self.agent_teams(&[agent.id]).await?.into_iter().map(|(_, team)| team);
        let teamless = self.teamless_tickets_visible().await?;
        Ok(TicketAccess::of(agent.scope, teams, teamless))
    }
}
