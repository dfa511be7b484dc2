//! Human ticket numbers: 1, 2, 3, ... in the order tickets are numbered.
//!
//! A creation inserts its ticket under a provisional number and takes the
//! real one after every statement that could refuse the ticket (an unknown
//! agent, a Message-ID stored already), so a refused ticket leaves no gap;
//! only the webhook deliveries announcing it, which carry the number,
//! follow.
//!
//! Where the number comes from differs by engine, because of what each
//! engine queues on:
//! - SQLite has one writer at a time, so a `counters` row updated inside the
//!   transaction costs nothing more and a rollback gives the number back.
//! - On PostgreSQL that row was the queue: it stays locked until the commit,
//!   and at 1,000,000 tickets 64 of 86 samples of 16 mail clients were
//!   waiting on it, holding ingestion to 143 mails/s. So PostgreSQL takes the
//!   number from the sequence `ticket_number_seq`, which never waits. The
//!   price: a transaction that fails after taking its number (its commit
//!   fails because the connection or the database died, or an import batch
//!   is refused midway) leaves that number unused. Nothing in a ticket's own
//!   checks comes after the number, so a refused ticket still leaves no gap.

use helpdesk_domain::ids::TicketId;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter, Statement, Value,
};

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
    if txn.get_database_backend() == DbBackend::Postgres {
        // One statement: the number and the row that takes it.
        let row = txn
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "UPDATE tickets SET number = nextval('ticket_number_seq') WHERE id = $1 RETURNING number",
                [Value::from(id.as_uuid())],
            ))
            .await?
            .ok_or(StoreError::NotFound { what: "ticket" })?;
        return Ok(row.try_get_by_index::<i64>(0)?);
    }
    let number = *take_from_counter(txn, 1).await?.start();
    ticket::Entity::update_many()
        .col_expr(ticket::Column::Number, Expr::value(number))
        .filter(ticket::Column::Id.eq(id.as_uuid()))
        .exec(txn)
        .await?;
    Ok(number)
}

/// Takes `count` numbers at once (for an import batch), in increasing order.
/// On SQLite they are consecutive; on PostgreSQL live creations running
/// beside the import may take numbers in between.
pub(crate) async fn reserve_ticket_numbers(txn: &DatabaseTransaction, count: i64) -> Result<Vec<i64>, StoreError> {
    if txn.get_database_backend() == DbBackend::Postgres {
        let rows = txn
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT nextval('ticket_number_seq') FROM generate_series(1, $1)",
                [Value::from(count)],
            ))
            .await?;
        let mut numbers = rows
            .iter()
            .map(|row| row.try_get_by_index::<i64>(0))
            .collect::<Result<Vec<_>, _>>()?;
        numbers.sort_unstable();
        return Ok(numbers);
    }
    Ok(take_from_counter(txn, count).await?.collect())
}

/// SQLite's numbers: `count` consecutive ones from the `counters` row, which
/// stays locked (with the whole database) until the caller commits.
async fn take_from_counter(txn: &DatabaseTransaction, count: i64) -> Result<std::ops::RangeInclusive<i64>, StoreError> {
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
    let last = row.try_get_by_index::<i64>(0)?;
    Ok(last - count + 1..=last)
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
