//! Human ticket numbers: 1, 2, 3, ... with no gaps.

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction};

use crate::StoreError;
use crate::entity::counter;

/// Takes the next ticket number inside the ticket's own transaction: the
/// counter row stays locked until commit, and a rollback gives the number back.
pub(super) async fn next_ticket_number(txn: &DatabaseTransaction) -> Result<i64, StoreError> {
    reserve_ticket_numbers(txn, 1).await
}

/// Waits for (and then holds until commit) the counter row's lock without
/// taking a number: a transaction that may create a customer by address
/// outside a ticket creation queues with the creations, as they queue with
/// one another, so none inserts an identity another has just added.
pub(crate) async fn queue_behind_ticket_creations(txn: &DatabaseTransaction) -> Result<(), StoreError> {
    reserve_ticket_numbers(txn, 0).await.map(|_| ())
}

/// Takes `count` consecutive numbers at once (for an import batch); returns
/// the last of them.
pub(crate) async fn reserve_ticket_numbers(txn: &DatabaseTransaction, count: i64) -> Result<i64, StoreError> {
    let stmt = Query::update()
        .table(counter::Entity)
        .value(counter::Column::Value, Expr::col(counter::Column::Value).add(count))
        .and_where(counter::Column::Name.eq("ticket_number"))
        .returning_col(counter::Column::Value)
        .to_owned();
    let row = txn.query_one(&stmt).await?.ok_or_else(|| StoreError::Corrupt {
        column: "counters.name",
        value: "ticket_number missing".into(),
    })?;
    Ok(row.try_get_by_index::<i64>(0)?)
}
