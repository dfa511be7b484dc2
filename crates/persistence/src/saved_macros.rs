//! Macros as saved: the shared ones and each agent's own, by name.
//!
//! An agent reaches the shared macros and their own; anyone else's
//! personal macro is not found, never forbidden, so its existence does not
//! leak. Who may change one is the domain's `MacroScope::editable_by`.

use chrono::{DateTime, Utc};
use helpdesk_domain::DomainError;
use helpdesk_domain::agent::Role;
use helpdesk_domain::automation::{MacroDraft, MacroScope, TicketActions};
use helpdesk_domain::ids::{AgentId, MacroId};
use helpdesk_domain::time::to_micros;
use sea_orm::sea_query::Condition;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::action_references::check_action_references;
use crate::entity::saved_macro;
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroRecord {
    pub id: MacroId,
    pub name: String,
    pub scope: MacroScope,
    pub actions: TicketActions,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<saved_macro::Model> for MacroRecord {
    type Error = StoreError;

    fn try_from(m: saved_macro::Model) -> Result<Self, StoreError> {
        Ok(Self {
            id: MacroId::from_uuid(m.id),
            name: m.name,
            scope: m.owner_id.map_or(MacroScope::Shared, |owner| {
                MacroScope::Personal(AgentId::from_uuid(owner))
            }),
            actions: serde_json::from_str(&m.actions).map_err(|_| StoreError::Corrupt {
                column: "macros.actions",
                value: m.actions.clone(),
            })?,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

/// Who asks to change a macro.
#[derive(Debug, Clone, Copy)]
pub struct MacroEditor {
    pub agent: AgentId,
    pub role: Role,
}

/// Changes to a macro; `None` keeps a part as it is.
#[derive(Debug, Clone, Default)]
pub struct MacroChanges {
    pub name: Option<String>,
    pub actions: Option<TicketActions>,
}

fn actions_json(actions: &TicketActions) -> Result<String, StoreError> {
    serde_json::to_string(actions).map_err(|err| StoreError::Corrupt {
        column: "macros.actions",
        value: err.to_string(),
    })
}

impl Store {
    /// Saves a macro. A shared one only for an admin; a personal one is the
    /// editor's own.
    pub async fn create_macro(
        &self,
        draft: MacroDraft,
        scope: MacroScope,
        editor: MacroEditor,
        at: DateTime<Utc>,
    ) -> Result<MacroRecord, StoreError> {
        if !scope.editable_by(editor.agent, editor.role) {
            return Err(DomainError::MacroNotEditable.into());
        }
        check_action_references(self.db(), &draft.actions).await?;
        let at = to_micros(at);
        saved_macro::ActiveModel {
            id: Set(MacroId::new().as_uuid()),
            name: Set(draft.name),
            owner_id: Set(match scope {
                MacroScope::Shared => None,
                MacroScope::Personal(owner) => Some(owner.as_uuid()),
            }),
            actions: Set(actions_json(&draft.actions)?),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(self.db())
        .await?
        .try_into()
    }

    /// The macros `agent` may apply: the shared ones and their own, by name.
    pub async fn macros_for(&self, agent: AgentId) -> Result<Vec<MacroRecord>, StoreError> {
        saved_macro::Entity::find()
            .filter(
                Condition::any()
                    .add(saved_macro::Column::OwnerId.is_null())
                    .add(saved_macro::Column::OwnerId.eq(agent.as_uuid())),
            )
            .order_by_asc(saved_macro::Column::Name)
            .order_by_asc(saved_macro::Column::Id)
            .all(self.db())
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect()
    }

    /// One macro `agent` may apply; someone else's personal one is not found.
    pub async fn macro_for(&self, agent: AgentId, id: MacroId) -> Result<Option<MacroRecord>, StoreError> {
        let Some(row) = saved_macro::Entity::find_by_id(id.as_uuid()).one(self.db()).await? else {
            return Ok(None);
        };
        let record = MacroRecord::try_from(row)?;
        Ok(record.scope.usable_by(agent).then_some(record))
    }

    /// Renames a macro or replaces its actions, checked as a whole again.
    pub async fn update_macro(
        &self,
        id: MacroId,
        changes: MacroChanges,
        editor: MacroEditor,
        at: DateTime<Utc>,
    ) -> Result<MacroRecord, StoreError> {
        let current = self.editable_macro(id, editor).await?;
        let draft = MacroDraft::new(
            changes.name.as_deref().unwrap_or(&current.name),
            changes.actions.unwrap_or(current.actions),
        )?;
        check_action_references(self.db(), &draft.actions).await?;
        saved_macro::ActiveModel {
            id: Set(id.as_uuid()),
            name: Set(draft.name),
            actions: Set(actions_json(&draft.actions)?),
            updated_at: Set(to_micros(at)),
            ..Default::default()
        }
        .update(self.db())
        .await?
        .try_into()
    }

    pub async fn delete_macro(&self, id: MacroId, editor: MacroEditor) -> Result<(), StoreError> {
        self.editable_macro(id, editor).await?;
        saved_macro::Entity::delete_by_id(id.as_uuid()).exec(self.db()).await?;
        Ok(())
    }

    async fn editable_macro(&self, id: MacroId, editor: MacroEditor) -> Result<MacroRecord, StoreError> {
        let current = self
            .macro_for(editor.agent, id)
            .await?
            .ok_or_else(|| StoreError::not_found("macro"))?;
        if current.scope.editable_by(editor.agent, editor.role) {
            Ok(current)
        } else {
            Err(DomainError::MacroNotEditable.into())
        }
    }
}
