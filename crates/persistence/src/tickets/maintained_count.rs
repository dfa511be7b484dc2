//! Ticket counts the database keeps, for the counts every queue asks.
//!
//! `ticket_counts` holds how many tickets have each combination of status,
//! channel, priority, team, assignee and "SLA breached"; triggers on
//! `tickets` append each change to `ticket_count_deltas` in the writing
//! transaction, and [`Store::fold_ticket_counts`] moves the deltas into the
//! totals now and then (migration m20261203_000070 says why two tables). A
//! count over those dimensions and the caller's reach sums the matching rows
//! of both tables in one statement, so it is as exact as counting the
//! tickets, at the cost of a few hundred rows instead of every match.

use sea_orm::sea_query::{Alias, Expr, Query, UnionType};
use sea_orm::{ConnectionTrait, Statement};

use super::TicketFilter;
use super::query::dimensions_match;
use crate::store::Backend;
use crate::{Store, StoreError};

/// The counted dimensions: the columns both tables share with `tickets`.
const DIMENSIONS: [&str; 6] = [
    "status",
    "channel",
    "priority",
    "team_id",
    "assignee_id",
    "sla_breached",
];

/// Whether the maintained counts answer `filter`: it asks only about the
/// counted dimensions and the caller's reach. (Spelled out field by field, so
/// a new filter field cannot be overlooked here.)
pub(super) fn answers(filter: &TicketFilter) -> bool {
    let TicketFilter {
        statuses: _,
        channels: _,
        priorities: _,
        assignee_ids: _,
        team_ids: _,
        sla_breached: _,
        access: _,
        tags,
        customer_email,
        customer_ids,
        created_from,
        created_to,
    } = filter;
    tags.is_empty()
        && customer_email.is_none()
        && customer_ids.is_empty()
        && created_from.is_none()
        && created_to.is_none()
}

/// The statement summing the totals and the pending deltas that match
/// `filter` (which [`answers`] must accept).
pub(super) fn count_statement(store: &Store, filter: &TicketFilter) -> Statement {
    let rows = |table: &'static str| {
        Query::select()
            .columns(DIMENSIONS.map(Alias::new))
            .column(Alias::new("n"))
            .from(Alias::new(table))
            .to_owned()
    };
    let both = rows("ticket_counts")
        .union(UnionType::All, rows("ticket_count_deltas"))
        .to_owned();
    let counted = Alias::new("counted");
    let sum = Query::select()
        .expr_as(Expr::cust("CAST(COALESCE(SUM(n), 0) AS BIGINT)"), Alias::new("n"))
        .from_subquery(both, counted.clone())
        .cond_where(dimensions_match(filter, counted))
        .to_owned();
    store.db().get_database_backend().build(&sum)
}

/// Runs a [`count_statement`].
pub(super) async fn count(db: &sea_orm::DatabaseConnection, statement: Statement) -> Result<u64, StoreError> {
    let row = db
        .query_one_raw(statement)
        .await?
        .ok_or_else(|| StoreError::UnexpectedRow("a sum returned no row".into()))?;
    let n: i64 = row.try_get("", "n")?;
    u64::try_from(n).map_err(|_| StoreError::UnexpectedRow(format!("a ticket count of {n}")))
}

impl Store {
    /// Folds the pending deltas into the totals, returning how many delta
    /// rows it folded. Counts are exact before, during and after: a count
    /// sees the deltas either still pending or already in the totals.
    ///
    /// - On PostgreSQL, one statement: it takes the deltas it sees, and the
    ///   totals of the combinations they touch, and writes one total per
    ///   combination back. Writers are never blocked (deltas arriving
    ///   meanwhile are not seen, so not taken). Two servers folding at once
    ///   each take what the other did not, which may leave two rows for a
    ///   combination; a count sums them, and the next fold of that
    ///   combination merges them.
    /// - On SQLite, the same in four statements under the write lock, which
    ///   holds off every other writer until the fold commits.
    pub async fn fold_ticket_counts(&self) -> Result<u64, StoreError> {
        let matching = |total: &str, delta: &str| {
            DIMENSIONS
                .map(|d| match d {
                    "team_id" | "assignee_id" if self.backend() == Backend::Postgres => {
                        format!("{delta}.{d} IS NOT DISTINCT FROM {total}.{d}")
                    }
                    "team_id" | "assignee_id" => format!("{delta}.{d} IS {total}.{d}"),
                    _ => format!("{delta}.{d} = {total}.{d}"),
                })
                .join(" AND ")
        };
        let dims = DIMENSIONS.join(", ");
        match self.backend() {
            Backend::Postgres => {
                let touched = matching("t", "d");
                let t_dims = DIMENSIONS.map(|d| format!("t.{d}")).join(", ");
                let fold = format!(
                    "WITH moved AS (DELETE FROM ticket_count_deltas RETURNING {dims}, n), \
                     touched AS (DELETE FROM ticket_counts t WHERE EXISTS \
                       (SELECT 1 FROM moved d WHERE {touched}) RETURNING {t_dims}, t.n), \
                     written AS (INSERT INTO ticket_counts ({dims}, n) \
                       SELECT {dims}, SUM(n) FROM (SELECT * FROM moved UNION ALL SELECT * FROM touched) c \
                       GROUP BY {dims} HAVING SUM(n) <> 0 RETURNING 1) \
                     SELECT count(*) AS folded FROM moved"
                );
                let row = self
                    .db()
                    .query_one_raw(Statement::from_string(self.db().get_database_backend(), fold))
                    .await?
                    .ok_or_else(|| StoreError::UnexpectedRow("a fold returned no row".into()))?;
                let folded: i64 = row.try_get("", "folded")?;
                Ok(u64::try_from(folded).unwrap_or(0))
            }
            Backend::Sqlite => {
                // Most rounds find nothing: look before taking the write lock.
                let pending = self
                    .db()
                    .query_one_raw(Statement::from_string(
                        self.db().get_database_backend(),
                        "SELECT EXISTS (SELECT 1 FROM ticket_count_deltas) AS pending",
                    ))
                    .await?
                    .map(|row| row.try_get::<bool>("", "pending"))
                    .transpose()?
                    .unwrap_or(false);
                if !pending {
                    return Ok(0);
                }
                let touched = matching("ticket_counts", "d");
                let txn = self.write().await?;
                let copied = txn
                    .execute_unprepared(&format!(
                        "INSERT INTO ticket_count_deltas ({dims}, n) SELECT {dims}, n FROM ticket_counts \
                         WHERE EXISTS (SELECT 1 FROM ticket_count_deltas d WHERE {touched})"
                    ))
                    .await?
                    .rows_affected();
                txn.execute_unprepared(&format!(
                    "DELETE FROM ticket_counts WHERE EXISTS (SELECT 1 FROM ticket_count_deltas d WHERE {touched})"
                ))
                .await?;
                txn.execute_unprepared(&format!(
                    "INSERT INTO ticket_counts ({dims}, n) SELECT {dims}, SUM(n) FROM ticket_count_deltas \
                     GROUP BY {dims} HAVING SUM(n) <> 0"
                ))
                .await?;
                let moved = txn
                    .execute_unprepared("DELETE FROM ticket_count_deltas")
                    .await?
                    .rows_affected();
                txn.commit().await?;
                Ok(moved.saturating_sub(copied))
            }
        }
    }
}
