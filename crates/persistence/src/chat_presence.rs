//! Chat visitors present anywhere: one row per server and chat it holds a
//! live visitor of, with an expiry the server pushes forward on a heartbeat.
//! A reply written on one server asks here whether the visitor watches on
//! any server; the rows of a server that died stop counting at their expiry
//! and are swept by the next heartbeat of any server.

use chrono::{DateTime, Utc};
use helpdesk_domain::ids::{ServerId, TicketId};
use helpdesk_domain::time::to_micros;
use sea_orm::sea_query::ExprTrait;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

use crate::entity::chat_presence;
use crate::{Store, StoreError};

impl Store {
    /// Records that `server` holds a live visitor of `ticket` until
    /// `expires_at` (or later, once its heartbeat renews it).
    pub async fn mark_chat_present(
        &self,
        server: ServerId,
        ticket: TicketId,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        chat_presence::Entity::insert(row(server, ticket, expires_at))
            .on_conflict(
                OnConflict::columns([chat_presence::Column::ServerId, chat_presence::Column::TicketId])
                    .update_column(chat_presence::Column::ExpiresAt)
                    .to_owned(),
            )
            .exec_without_returning(self.db())
            .await?;
        Ok(())
    }

    /// `server` holds no visitor of `ticket` any more.
    pub async fn clear_chat_presence(&self, server: ServerId, ticket: TicketId) -> Result<(), StoreError> {
        chat_presence::Entity::delete_many()
            .filter(chat_presence::Column::ServerId.eq(server.as_uuid()))
            .filter(chat_presence::Column::TicketId.eq(ticket.as_uuid()))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// A heartbeat: `server` holds visitors of exactly `tickets`, until
    /// `expires_at`. Its other rows go, and so does every row that expired
    /// before `now` (a server that died leaves them behind).
    pub async fn renew_chat_presence(
        &self,
        server: ServerId,
        tickets: &[TicketId],
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let txn = self.write().await?;
        chat_presence::Entity::delete_many()
            .filter(
                chat_presence::Column::ExpiresAt
                    .lt(to_micros(now))
                    .or(chat_presence::Column::ServerId.eq(server.as_uuid())),
            )
            .exec(&txn)
            .await?;
        if !tickets.is_empty() {
            chat_presence::Entity::insert_many(tickets.iter().map(|t| row(server, *t, expires_at)))
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Whether some server holds a live visitor of `ticket` at `now`.
    pub async fn chat_visitor_present(&self, ticket: TicketId, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let live = chat_presence::Entity::find()
            .filter(chat_presence::Column::TicketId.eq(ticket.as_uuid()))
            .filter(chat_presence::Column::ExpiresAt.gt(to_micros(now)))
            .count(self.db())
            .await?;
        Ok(live > 0)
    }
}

fn row(server: ServerId, ticket: TicketId, expires_at: DateTime<Utc>) -> chat_presence::ActiveModel {
    chat_presence::ActiveModel {
        server_id: Set(server.as_uuid()),
        ticket_id: Set(ticket.as_uuid()),
        expires_at: Set(to_micros(expires_at)),
    }
}
