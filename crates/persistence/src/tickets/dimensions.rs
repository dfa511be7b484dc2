//! The ticket attributes KPI reports filter by, copied onto every row a
//! report aggregates (facts, duration samples, solves, survey answers, SLA
//! targets), so a report reads one narrow index instead of looking up each
//! row's ticket. Every change to a ticket re-derives those rows, which keeps
//! the copies equal to the ticket's current values.

use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Value};
use uuid::Uuid;

use crate::StoreError;
use crate::entity::{duration_sample, overdue_span, sla_target, survey_response, ticket, ticket_fact, ticket_solve};
use helpdesk_domain::ids::TicketId;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Dimensions {
    /// Merged into another ticket: reports leave it out.
    pub merged: bool,
    pub channel: String,
    pub priority: String,
    pub team_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    /// Only `ticket_facts` keeps it (FCR counts eligible tickets).
    pub fcr_eligible: bool,
}

impl Dimensions {
    pub(crate) fn of(ticket: &ticket::Model) -> Self {
        Self {
            merged: ticket.merged_into_id.is_some(),
            channel: ticket.channel.clone(),
            priority: ticket.priority.clone(),
            team_id: ticket.team_id,
            assignee_id: ticket.assignee_id,
            fcr_eligible: ticket.fcr_eligible,
        }
    }

    pub(crate) async fn load<C: ConnectionTrait>(db: &C, ticket: TicketId) -> Result<Self, StoreError> {
        let row = ticket::Entity::find_by_id(ticket.as_uuid())
            .one(db)
            .await?
            .ok_or(StoreError::NotFound { what: "ticket" })?;
        Ok(Self::of(&row))
    }

    /// Sets the dimension columns of `row`.
    pub(crate) fn stamp<A: Dimensioned>(&self, mut row: A) -> A {
        let [merged, channel, priority, team, assignee] = A::dimension_columns();
        row.set(merged, Value::from(self.merged));
        row.set(channel, Value::from(self.channel.clone()));
        row.set(priority, Value::from(self.priority.clone()));
        row.set(team, Value::from(self.team_id));
        row.set(assignee, Value::from(self.assignee_id));
        row
    }
}

/// A row that carries the dimensions: its columns for merged, channel,
/// priority, team and assignee, in that order.
pub(crate) trait Dimensioned: ActiveModelTrait {
    fn dimension_columns() -> [<Self::Entity as EntityTrait>::Column; 5];
}

macro_rules! dimensioned {
    ($($entity:ident),+) => {$(
        impl Dimensioned for $entity::ActiveModel {
            fn dimension_columns() -> [$entity::Column; 5] {
                use $entity::Column as C;
                [C::Merged, C::Channel, C::Priority, C::TeamId, C::AssigneeId]
            }
        }
    )+};
}

dimensioned!(
    ticket_fact,
    duration_sample,
    ticket_solve,
    survey_response,
    sla_target,
    overdue_span
);
