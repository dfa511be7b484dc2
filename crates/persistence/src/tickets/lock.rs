//! Loading a ticket for change.

use helpdesk_domain::access::TicketAccess;
use helpdesk_domain::ids::{TeamId, TicketId};
use sea_orm::ConnectionTrait;
use sea_orm::{DatabaseTransaction, DbBackend, EntityTrait, QuerySelect};

use crate::StoreError;
use crate::entity::ticket;

/// Loads a ticket inside a write transaction, locking its row on PostgreSQL
/// so concurrent changes to one ticket apply one after the other. (SQLite's
/// IMMEDIATE transactions already serialise all writers.)
pub(crate) async fn lock_ticket(txn: &DatabaseTransaction, id: TicketId) -> Result<ticket::Model, StoreError> {
    let mut select = ticket::Entity::find_by_id(id.as_uuid());
    if txn.get_database_backend() == DbBackend::Postgres {
        select = select.lock_exclusive();
    }
    select.one(txn).await?.ok_or_else(|| StoreError::not_found("ticket"))
}

/// [`lock_ticket`] for a caller limited to `access`: a ticket outside it is
/// not found, exactly like one that does not exist (no existence oracle).
pub(crate) async fn lock_ticket_within(
    txn: &DatabaseTransaction,
    id: TicketId,
    access: &TicketAccess,
) -> Result<ticket::Model, StoreError> {
    let row = lock_ticket(txn, id).await?;
    if access.covers(row.team_id.map(TeamId::from_uuid)) {
        Ok(row)
    } else {
        Err(StoreError::not_found("ticket"))
    }
}
