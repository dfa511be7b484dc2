//! Web forms: admin-defined public forms that open tickets.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use helpdesk_domain::ids::TeamId;
use helpdesk_domain::tag::Tag;
use helpdesk_domain::ticket::Priority;
use helpdesk_domain::time::to_micros;
use sea_orm::{ActiveModelTrait, EntityTrait, QueryOrder, Set};

use crate::entity::{team, web_form};
use crate::error::parse_column;
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebForm {
    /// The `{formKey}` of `POST /inbound/webform/{formKey}`.
    pub key: String,
    pub name: String,
    pub priority: Priority,
    pub team: Option<TeamId>,
    pub tags: BTreeSet<Tag>,
    /// Mail the customer an acknowledgement when the form opens a ticket.
    pub acknowledge: bool,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<web_form::Model> for WebForm {
    type Error = StoreError;

    fn try_from(m: web_form::Model) -> Result<Self, StoreError> {
        Ok(Self {
            key: m.key,
            name: m.name,
            priority: parse_column("web_forms.priority", &m.priority)?,
            team: m.team_id.map(TeamId::from_uuid),
            tags: m
                .tags
                .split_whitespace()
                .map(|t| parse_column("web_forms.tags", t))
                .collect::<Result<_, _>>()?,
            acknowledge: m.acknowledge,
            created_at: m.created_at,
        })
    }
}

impl Store {
    pub async fn create_web_form(&self, form: WebForm) -> Result<WebForm, StoreError> {
        if let Some(id) = form.team
            && team::Entity::find_by_id(id.as_uuid()).one(self.db()).await?.is_none()
        {
            return Err(StoreError::not_found("team"));
        }
        let key = form.key.clone();
        web_form::ActiveModel {
            key: Set(form.key),
            name: Set(form.name),
            priority: Set(form.priority.as_str().to_owned()),
            team_id: Set(form.team.map(|t| t.as_uuid())),
            tags: Set(form.tags.iter().map(Tag::as_str).collect::<Vec<_>>().join(" ")),
            acknowledge: Set(form.acknowledge),
            created_at: Set(to_micros(form.created_at)),
        }
        .insert(self.db())
        .await
        .map_err(|e| StoreError::conflict_on_unique(e, format!("a form with key {key:?} exists")))?
        .try_into()
    }

    pub async fn web_form(&self, key: &str) -> Result<Option<WebForm>, StoreError> {
        web_form::Entity::find_by_id(key.to_owned())
            .one(self.db())
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    pub async fn list_web_forms(&self) -> Result<Vec<WebForm>, StoreError> {
        web_form::Entity::find()
            .order_by_asc(web_form::Column::Key)
            .all(self.db())
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect()
    }
}
