//! The teams and agents that saved actions and conditions name must exist
//! when they are saved (applying checks again: one may go later).

use helpdesk_domain::DomainError;
use helpdesk_domain::automation::{Assign, TicketActions};
use helpdesk_domain::ids::{AgentId, TeamId};
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::StoreError;
use crate::entity::{agent, team};

pub(crate) async fn check_team(db: &impl ConnectionTrait, id: TeamId, field: &'static str) -> Result<(), StoreError> {
    if team::Entity::find_by_id(id.as_uuid()).one(db).await?.is_none() {
        return Err(DomainError::UnknownReference { field, what: "team" }.into());
    }
    Ok(())
}

pub(crate) async fn check_agent(db: &impl ConnectionTrait, id: AgentId, field: &'static str) -> Result<(), StoreError> {
    if agent::Entity::find_by_id(id.as_uuid()).one(db).await?.is_none() {
        return Err(DomainError::UnknownReference { field, what: "agent" }.into());
    }
    Ok(())
}

pub(crate) async fn check_action_references(
    db: &impl ConnectionTrait,
    actions: &TicketActions,
) -> Result<(), StoreError> {
    if let Some(Assign::Set(id)) = actions.team {
        check_team(db, id, "actions.teamId").await?;
    }
    if let Some(Assign::Set(id)) = actions.assignee {
        check_agent(db, id, "actions.assigneeId").await?;
    }
    Ok(())
}
