//! Rules as admins keep them (`mod.rs`), running them on a ticket's
//! change in its transaction (`run.rs`), and running time-based rules on
//! the tickets whose time has come (`timers.rs`).

mod run;
mod timers;

pub(crate) use run::after_events;
pub use timers::TimerCursors;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use helpdesk_domain::automation::{Condition, Conditions, RuleDraft, RuleEvent, RuleTimer, TicketActions};
use helpdesk_domain::ids::RuleId;
use helpdesk_domain::time::to_micros;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::action_references::{check_action_references, check_agent, check_team};
use crate::entity::rule;
use crate::error::parse_column;
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRecord {
    pub id: RuleId,
    pub rule: RuleDraft,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn corrupt(column: &'static str, value: &str) -> StoreError {
    StoreError::Corrupt {
        column,
        value: value.to_owned(),
    }
}

impl TryFrom<rule::Model> for RuleRecord {
    type Error = StoreError;

    fn try_from(m: rule::Model) -> Result<Self, StoreError> {
        let events = m
            .events
            .split(',')
            .filter(|e| !e.is_empty())
            .map(|e| parse_column::<RuleEvent>("rules.events", e))
            .collect::<Result<BTreeSet<_>, _>>()?;
        let conditions: Conditions =
            serde_json::from_str(&m.conditions).map_err(|_| corrupt("rules.conditions", &m.conditions))?;
        let actions: TicketActions =
            serde_json::from_str(&m.actions).map_err(|_| corrupt("rules.actions", &m.actions))?;
        let timer = match (m.timer_status.as_deref(), m.timer_minutes) {
            (Some(status), Some(minutes)) => Some(RuleTimer {
                status: parse_column("rules.timer_status", status)?,
                minutes: u32::try_from(minutes).map_err(|_| corrupt("rules.timer_minutes", &minutes.to_string()))?,
            }),
            _ => None,
        };
        let notify = m
            .notify
            .as_deref()
            .map(|n| serde_json::from_str(n).map_err(|_| corrupt("rules.notify", n)))
            .transpose()?;
        let webhook = m
            .webhook
            .as_deref()
            .map(|w| serde_json::from_str(w).map_err(|_| corrupt("rules.webhook", "(not shown: holds a secret)")))
            .transpose()?;
        Ok(Self {
            id: RuleId::from_uuid(m.id),
            // Stored as checked when saved; read back as they are.
            rule: RuleDraft {
                name: m.name,
                position: m.position,
                active: m.active,
                events,
                timer,
                conditions,
                actions,
                notify,
                webhook,
            },
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

fn json<T: serde::Serialize>(value: &T, column: &'static str) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|err| corrupt(column, &err.to_string()))
}

fn events_text(events: &BTreeSet<RuleEvent>) -> String {
    events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(",")
}

/// Teams named by conditions and actions must exist, and agents by actions.
async fn check_references(db: &impl ConnectionTrait, draft: &RuleDraft) -> Result<(), StoreError> {
    for condition in draft.conditions.all.iter().chain(&draft.conditions.any) {
        if let Condition::TeamIs { team: Some(id) } = condition {
            check_team(db, *id, "conditions.teamId").await?;
        }
    }
    if let Some(notify) = &draft.notify {
        for team in &notify.teams {
            check_team(db, *team, "notify.teamIds").await?;
        }
        for agent in &notify.agents {
            check_agent(db, *agent, "notify.agentIds").await?;
        }
    }
    check_action_references(db, &draft.actions).await
}

/// The rule's columns, written on creation and on every change.
fn columns(row: &mut rule::ActiveModel, draft: &RuleDraft) -> Result<(), StoreError> {
    row.name = Set(draft.name.clone());
    row.position = Set(draft.position);
    row.active = Set(draft.active);
    row.events = Set(events_text(&draft.events));
    row.timer_status = Set(draft.timer.map(|t| t.status.as_str().to_owned()));
    row.timer_minutes = Set(draft.timer.map(|t| i32::try_from(t.minutes).unwrap_or(i32::MAX)));
    row.conditions = Set(json(&draft.conditions, "rules.conditions")?);
    row.webhook = Set(draft.webhook.as_ref().map(|w| json(w, "rules.webhook")).transpose()?);
    row.notify = Set(draft.notify.as_ref().map(|n| json(n, "rules.notify")).transpose()?);
    row.actions = Set(json(&draft.actions, "rules.actions")?);
    Ok(())
}

impl Store {
    pub async fn create_rule(&self, draft: RuleDraft, at: DateTime<Utc>) -> Result<RuleRecord, StoreError> {
        check_references(self.db(), &draft).await?;
        let at = to_micros(at);
        let mut row = rule::ActiveModel {
            id: Set(RuleId::new().as_uuid()),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        };
        columns(&mut row, &draft)?;
        row.insert(self.db()).await?.try_into()
    }

    /// Every rule, in the order they run (active or not).
    pub async fn rules(&self) -> Result<Vec<RuleRecord>, StoreError> {
        ordered(self.db(), false).await
    }

    pub async fn rule(&self, id: RuleId) -> Result<Option<RuleRecord>, StoreError> {
        rule::Entity::find_by_id(id.as_uuid())
            .one(self.db())
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    /// Replaces a rule with `draft` (checked whole by the caller).
    pub async fn update_rule(&self, id: RuleId, draft: RuleDraft, at: DateTime<Utc>) -> Result<RuleRecord, StoreError> {
        if self.rule(id).await?.is_none() {
            return Err(StoreError::not_found("rule"));
        }
        check_references(self.db(), &draft).await?;
        let mut row = rule::ActiveModel {
            id: Set(id.as_uuid()),
            updated_at: Set(to_micros(at)),
            ..Default::default()
        };
        columns(&mut row, &draft)?;
        row.update(self.db()).await?.try_into()
    }

    pub async fn delete_rule(&self, id: RuleId) -> Result<(), StoreError> {
        let deleted = rule::Entity::delete_by_id(id.as_uuid()).exec(self.db()).await?;
        if deleted.rows_affected == 0 {
            return Err(StoreError::not_found("rule"));
        }
        Ok(())
    }
}

/// Rules in the order they run: by position, then name, then id.
async fn ordered(db: &impl ConnectionTrait, active_only: bool) -> Result<Vec<RuleRecord>, StoreError> {
    let mut select = rule::Entity::find();
    if active_only {
        select = select.filter(rule::Column::Active.eq(true));
    }
    select
        .order_by_asc(rule::Column::Position)
        .order_by_asc(rule::Column::Name)
        .order_by_asc(rule::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}
