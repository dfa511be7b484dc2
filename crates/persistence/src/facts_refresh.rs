//! Bringing stale metric facts up to date: after the desk's business
//! calendar changes (BUSINESS durations were measured on the old one), after
//! an upgrade changes what facts hold, and for tickets stored before facts
//! had their current shape.
//!
//! Facts carry the stamp of the calendar they were measured with; live
//! changes stamp them with the current one, and a background job calls
//! [`Store::refresh_stale_facts`] until no ticket is left behind.

use chrono::{DateTime, Utc};
use helpdesk_domain::ids::TicketId;
use helpdesk_domain::time::to_micros;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::entity::{ticket, ticket_fact};
use crate::tickets::derived::{DeriveContext, refresh_derived};
use crate::tickets::lock::lock_ticket;
use crate::{Store, StoreError};

impl Store {
    /// Recomputes the derived rows of up to `limit` tickets whose facts are
    /// stale, in one transaction; returns how many (zero: every ticket is
    /// current). With `missing`, also tickets that have no facts at all,
    /// which only a store from before the facts' current shape has: that
    /// search reads every ticket, so callers stop asking once it finds none.
    pub async fn refresh_stale_facts(
        &self,
        limit: u64,
        missing: bool,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let stamp = DeriveContext::load(self.db()).await?.stamp;
        let mut ids: Vec<uuid::Uuid> = ticket_fact::Entity::find()
            .select_only()
            .column(ticket_fact::Column::TicketId)
            .filter(
                ticket_fact::Column::BusinessStamp
                    .lt(stamp.as_str())
                    .or(ticket_fact::Column::BusinessStamp.gt(stamp.as_str())),
            )
            .limit(limit)
            .into_tuple()
            .all(self.db())
            .await?;
        let room = limit.saturating_sub(ids.len() as u64);
        if missing && room > 0 {
            let missing: Vec<uuid::Uuid> = ticket::Entity::find()
                .select_only()
                .column(ticket::Column::Id)
                // NOT EXISTS, an anti-join along the facts' primary key. The
                // NOT IN (subquery) this was made PostgreSQL probe the whole
                // list of facts per ticket once it outgrew work_mem: at
                // 1,000,000 tickets it never finished, and each server's
                // refresher held a core with it from its start.
                .filter(
                    Expr::exists(
                        Query::select()
                            .expr(Expr::val(1))
                            .from(ticket_fact::Entity)
                            .and_where(
                                Expr::col((ticket_fact::Entity, ticket_fact::Column::TicketId))
                                    .equals((ticket::Entity, ticket::Column::Id)),
                            )
                            .to_owned(),
                    )
                    .not(),
                )
                .limit(room)
                .into_tuple()
                .all(self.db())
                .await?;
            ids.extend(missing);
        }
        if ids.is_empty() {
            return Ok(0);
        }
        let now = to_micros(now);
        let txn = self.write().await?;
        for id in &ids {
            let ticket = TicketId::from_uuid(*id);
            let row = lock_ticket(&txn, ticket).await?;
            // Policies and calendar are read after the lock, so they include
            // whatever a change committed before it (on PostgreSQL each
            // statement sees the latest commits).
            refresh_derived(&txn, ticket, row.created_at, now).await?;
        }
        txn.commit().await?;
        Ok(ids.len())
    }
}
