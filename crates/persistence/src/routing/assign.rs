//! Handing tickets to agents. A ticket is routed in the transaction of the
//! change that makes it routable (created, reopened, moved to a team or
//! unassigned); one nobody had room for waits, and `route_waiting` (a
//! worker every server runs) hands the waiting ones out, oldest first, as
//! room frees.
//!
//! Every decision for a team is made under the lock of its routing row
//! (PostgreSQL; SQLite has one writer), so two servers neither give one
//! ticket twice nor give an agent more than their capacity; the ticket
//! itself is locked and checked to be still unassigned.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use helpdesk_domain::access::TicketAccess;
use helpdesk_domain::ids::{AgentId, TeamId, TicketId};
use helpdesk_domain::routing::{Availability, Candidate, RoutingMode, choose, routable};
use helpdesk_domain::ticket::{Actor, EventKind, TicketEvent, TicketStatus};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::sea_query::{LockBehavior, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::entity::{agent, agent_availability, agent_capacity, team_member, team_routing, ticket};
use crate::error::parse_column;
use crate::tickets::lock;
use crate::tickets::update::{TicketChanges, update_in};
use crate::{Store, StoreError};

/// Statuses an agent's ticket counts against their capacity in.
const OPEN: [TicketStatus; 4] = [
    TicketStatus::New,
    TicketStatus::Open,
    TicketStatus::Pending,
    TicketStatus::OnHold,
];

/// Waiting tickets handed out per team and round.
const WAITING_BATCH: u64 = 100;

type Boxed<'a> = Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send + 'a>>;

/// Routes `ticket` if the change made of `events` left it routable. Boxed,
/// because the assignment comes back through `history::announce`.
pub(crate) fn after_events<'a>(txn: &'a DatabaseTransaction, ticket: TicketId, events: &'a [TicketEvent]) -> Boxed<'a> {
    Box::pin(route(txn, ticket, events))
}

async fn route(txn: &DatabaseTransaction, ticket_id: TicketId, events: &[TicketEvent]) -> Result<(), StoreError> {
    let may_route = events.iter().any(|e| {
        matches!(
            e.kind,
            EventKind::Created { .. }
                | EventKind::StatusChanged { .. }
                | EventKind::TeamChanged { .. }
                | EventKind::AssigneeChanged { to: None, .. }
        )
    });
    let Some(at) = events.last().map(|e| e.at) else {
        return Ok(());
    };
    if !may_route {
        return Ok(());
    }
    let row = lock::lock_ticket(txn, ticket_id).await?;
    assign_one(txn, &row, at).await?;
    Ok(())
}

/// Whether `row` waits for an agent: unassigned, on a team, not merged,
/// NEW or OPEN.
fn waiting(row: &ticket::Model) -> Result<Option<TeamId>, StoreError> {
    let status: TicketStatus = parse_column("tickets.status", &row.status)?;
    Ok(row
        .team_id
        .filter(|_| row.assignee_id.is_none() && row.merged_into_id.is_none() && routable(status))
        .map(TeamId::from_uuid))
}

/// Gives the (locked) ticket to an agent of its routing team with room, if
/// it waits for one; true when it did.
async fn assign_one(txn: &DatabaseTransaction, row: &ticket::Model, at: DateTime<Utc>) -> Result<bool, StoreError> {
    let Some(team) = waiting(row)? else {
        return Ok(false);
    };
    let mut routing = team_routing::Entity::find_by_id(team.as_uuid());
    if txn.get_database_backend() == DbBackend::Postgres {
        routing = routing.lock_exclusive();
    }
    let Some(routing) = routing.one(txn).await? else {
        return Ok(false);
    };
    let mode: RoutingMode = parse_column("team_routing.mode", &routing.mode)?;
    if mode == RoutingMode::Off {
        return Ok(false);
    }
    let members = candidates(txn, team, &row.channel).await?;
    let Some(agent) = choose(mode, &members, routing.last_agent_id.map(AgentId::from_uuid)) else {
        return Ok(false);
    };
    let ticket_id = TicketId::from_uuid(row.id);
    let changes = TicketChanges {
        assignee: Some(Some(agent)),
        ..TicketChanges::default()
    };
    update_in(txn, ticket_id, changes, Actor::System, at, &TicketAccess::Everything).await?;
    team_routing::ActiveModel {
        team_id: Set(team.as_uuid()),
        last_agent_id: Set(Some(agent.as_uuid())),
        ..Default::default()
    }
    .update(txn)
    .await?;
    Ok(true)
}

/// The team's members in their fixed order, as routing sees them for a
/// ticket of `channel`.
async fn candidates(txn: &DatabaseTransaction, team: TeamId, channel: &str) -> Result<Vec<Candidate>, StoreError> {
    let ids: Vec<Uuid> = team_member::Entity::find()
        .select_only()
        .column(team_member::Column::AgentId)
        .filter(team_member::Column::TeamId.eq(team.as_uuid()))
        .order_by_asc(team_member::Column::AgentId)
        .into_tuple()
        .all(txn)
        .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let active: Vec<Uuid> = agent::Entity::find()
        .select_only()
        .column(agent::Column::Id)
        .filter(agent::Column::Id.is_in(ids.clone()))
        .filter(agent::Column::Active.eq(true))
        .into_tuple()
        .all(txn)
        .await?;
    let away: Vec<Uuid> = agent_availability::Entity::find()
        .select_only()
        .column(agent_availability::Column::AgentId)
        .filter(agent_availability::Column::AgentId.is_in(ids.clone()))
        .filter(agent_availability::Column::Availability.eq(Availability::Away.as_str()))
        .into_tuple()
        .all(txn)
        .await?;
    let capacities: HashMap<Uuid, i32> = agent_capacity::Entity::find()
        .select_only()
        .column(agent_capacity::Column::AgentId)
        .column(agent_capacity::Column::MaxOpen)
        .filter(agent_capacity::Column::AgentId.is_in(ids.clone()))
        .filter(agent_capacity::Column::Channel.eq(channel))
        .into_tuple::<(Uuid, i32)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let open: HashMap<Uuid, i64> = ticket::Entity::find()
        .select_only()
        .column(ticket::Column::AssigneeId)
        .column_as(Expr::col(ticket::Column::Id).count(), "open")
        .filter(ticket::Column::AssigneeId.is_in(ids.clone()))
        .filter(ticket::Column::Channel.eq(channel))
        .filter(ticket::Column::Status.is_in(OPEN.iter().map(|s| s.as_str())))
        .filter(ticket::Column::MergedIntoId.is_null())
        .group_by(ticket::Column::AssigneeId)
        .into_tuple::<(Uuid, i64)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    Ok(ids
        .into_iter()
        .map(|id| Candidate {
            agent: AgentId::from_uuid(id),
            available: active.contains(&id) && !away.contains(&id),
            open: open.get(&id).map_or(0, |n| u32::try_from(*n).unwrap_or(u32::MAX)),
            capacity: capacities.get(&id).map(|c| u32::try_from(*c).unwrap_or(0)),
        })
        .collect())
}

impl Store {
    /// Hands out the tickets that waited for room, oldest first, on every
    /// routing team; returns how many it assigned.
    pub async fn route_waiting(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let teams: Vec<Uuid> = team_routing::Entity::find()
            .select_only()
            .column(team_routing::Column::TeamId)
            .filter(team_routing::Column::Mode.ne(RoutingMode::Off.as_str()))
            .into_tuple()
            .all(self.db())
            .await?;
        let mut assigned = 0;
        for team in teams {
            assigned += self.route_waiting_of(TeamId::from_uuid(team), now).await?;
        }
        Ok(assigned)
    }

    async fn route_waiting_of(&self, team: TeamId, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let txn = self.write().await?;
        let mut waiting = ticket::Entity::find()
            .filter(ticket::Column::TeamId.eq(team.as_uuid()))
            .filter(ticket::Column::AssigneeId.is_null())
            .filter(ticket::Column::MergedIntoId.is_null())
            .filter(ticket::Column::Status.is_in([TicketStatus::New.as_str(), TicketStatus::Open.as_str()]))
            .order_by_asc(ticket::Column::CreatedAt)
            .order_by_asc(ticket::Column::Id)
            .limit(WAITING_BATCH);
        if txn.get_database_backend() == DbBackend::Postgres {
            // A ticket another transaction holds is being changed: its
            // change routes it if it still waits.
            waiting = waiting.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let waiting = waiting.all(&txn).await?;
        let mut assigned = Vec::new();
        for row in waiting {
            if assign_one(&txn, &row, now).await? {
                assigned.push(TicketId::from_uuid(row.id));
            }
        }
        if assigned.is_empty() {
            txn.rollback().await?;
            return Ok(0);
        }
        txn.commit().await?;
        for id in &assigned {
            self.announce(*id);
        }
        Ok(assigned.len())
    }
}
