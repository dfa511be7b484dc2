//! Agent accounts.

use chrono::{DateTime, Utc};
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
    pub active: bool,
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
    /// An argon2 PHC string; `None` for an account that cannot log in yet.
    pub password_hash: Option<String>,
}

impl TryFrom<agent::Model> for AgentRecord {
    type Error = StoreError;

    fn try_from(m: agent::Model) -> Result<Self, StoreError> {
        Ok(Self {
            id: AgentId::from_uuid(m.id),
            email: parse_column("agents.email", &m.email)?,
            name: m.name,
            role: parse_column("agents.role", &m.role)?,
            active: m.active,
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

    pub async fn set_agent_password(&self, id: AgentId, password_hash: String) -> Result<AgentRecord, StoreError> {
        let model = agent::Entity::find_by_id(id.as_uuid())
            .one(self.db())
            .await?
            .ok_or_else(|| StoreError::not_found("agent"))?;
        let mut row = model.into_active_model();
        row.password_hash = Set(Some(password_hash));
        row.update(self.db()).await?.try_into()
    }
}
