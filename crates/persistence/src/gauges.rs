//! Counts for the `/metrics` gauges, each one aggregate query.

use helpdesk_domain::sla::TargetState;
use helpdesk_domain::ticket::{Channel, TicketStatus};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};

use crate::entity::{sla_target, ticket, webhook_delivery};
use crate::error::parse_column;
use crate::outbox::DeliveryStatus;
use crate::{Store, StoreError};

impl Store {
    /// Unresolved tickets (not SOLVED, CLOSED or merged) per channel.
    pub async fn open_tickets_by_channel(&self) -> Result<Vec<(Channel, u64)>, StoreError> {
        let rows: Vec<(String, i64)> = ticket::Entity::find()
            .select_only()
            .column(ticket::Column::Channel)
            .column_as(ticket::Column::Id.count(), "n")
            .filter(ticket::Column::Status.is_not_in([TicketStatus::Solved.as_str(), TicketStatus::Closed.as_str()]))
            .filter(ticket::Column::MergedIntoId.is_null())
            .group_by(ticket::Column::Channel)
            .into_tuple()
            .all(self.db())
            .await?;
        rows.into_iter()
            .map(|(channel, n)| {
                Ok((
                    parse_column("tickets.channel", &channel)?,
                    u64::try_from(n).unwrap_or(0),
                ))
            })
            .collect()
    }

    pub async fn pending_webhook_count(&self) -> Result<u64, StoreError> {
        Ok(webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending.as_str()))
            .count(self.db())
            .await?)
    }

    /// Undecided SLA targets per state (RUNNING, WARNING, PAUSED).
    pub async fn open_sla_targets_by_state(&self) -> Result<Vec<(TargetState, u64)>, StoreError> {
        let rows: Vec<(String, i64)> = sla_target::Entity::find()
            .select_only()
            .column(sla_target::Column::State)
            .column_as(sla_target::Column::TicketId.count(), "n")
            .filter(sla_target::Column::DecidedAt.is_null())
            .group_by(sla_target::Column::State)
            .into_tuple()
            .all(self.db())
            .await?;
        rows.into_iter()
            .map(|(state, n)| {
                Ok((
                    parse_column("sla_targets.state", &state)?,
                    u64::try_from(n).unwrap_or(0),
                ))
            })
            .collect()
    }

    /// Tickets with a breached target whose event has not come yet.
    pub async fn tickets_with_open_breach(&self) -> Result<u64, StoreError> {
        Ok(ticket::Entity::find()
            .filter(ticket::Column::SlaBreached.eq(true))
            .count(self.db())
            .await?)
    }
}
