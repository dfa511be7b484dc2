//! Human ticket numbers: 1, 2, 3, ... with no gaps.
//!
//! Gap-free means the counter row stays locked from taking a number until
//! the transaction commits (a rollback gives the number back), so on
//! PostgreSQL ticket creations queue on that row. A creation therefore
//! inserts its ticket under a provisional number and takes the real one as
//! its very last statement: the queue then holds each creation for one
//! update and its commit, not for the whole transaction (parsing a mail's
//! thread, customer, history and derived rows). Measured at 1M tickets, the
//! number taken first left 16 mail clients waiting on the row most of the time.

use helpdesk_domain::ids::TicketId;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use crate::StoreError;
use crate::entity::{counter, ticket};

/// What a new ticket's row holds until [`assign_ticket_number`] gives it its
/// number: negative, so never a real number, and taken from the low 62 bits
/// of the id (random or a randomly seeded counter in a v7 UUID), so two
/// creations in flight, which the unique index on the number both sees,
/// share one with odds near 2^-62; if they ever did, one would fail with a
/// conflict, never take the other's ticket.
pub(super) fn provisional_number(id: TicketId) -> i64 {
    let random = id.as_uuid().as_u64_pair().1 & (u64::MAX >> 2);
    // `random` < 2^62: the conversion is exact and the result at most -1.
    -i64::try_from(random).unwrap_or(i64::MAX >> 1) - 1
}

/// Takes the next number and gives it to the ticket inserted under its
/// provisional one; the caller commits next. Returns the number.
pub(super) async fn assign_ticket_number(txn: &DatabaseTransaction, id: TicketId) -> Result<i64, StoreError> {
    let number = reserve_ticket_numbers(txn, 1).await?;
    ticket::Entity::update_many()
        .col_expr(ticket::Column::Number, Expr::value(number))
        .filter(ticket::Column::Id.eq(id.as_uuid()))
        .exec(txn)
        .await?;
    Ok(number)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provisional_number_is_negative_and_follows_the_id() {
        for _ in 0..1_000 {
            let id = TicketId::new();
            let provisional = provisional_number(id);
            assert!(provisional < 0, "{provisional}");
            assert_eq!(provisional, provisional_number(id));
        }
        let (a, b) = (TicketId::new(), TicketId::new());
        assert_ne!(provisional_number(a), provisional_number(b));
    }
}
