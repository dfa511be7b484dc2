//! Ticket counts the database keeps up to date, so a queue's `totalCount`
//! reads a few hundred rows instead of every open ticket. At 1,000,000
//! tickets a count of the open ones read 120,000 index entries and, because
//! the pages of tickets that keep changing are rarely all-visible, tens of
//! thousands of table pages: 50 to 110 ms of a queue page's time.
//!
//! `ticket_counts` holds how many tickets have each combination of the
//! dimensions a queue filters on. Triggers on `tickets` append +1/-1 rows to
//! `ticket_count_deltas` in the writing transaction, so no two writers ever
//! wait on one counter row (every new mail opens a ticket with the same
//! dimensions); a background job folds the deltas into the totals. A count
//! sums both tables in one statement, so it is exact at every moment.
//!
//! On PostgreSQL an INSERT statement writes one delta per combination it
//! inserted (a statement trigger over its transition table: an import batch
//! of 1,000 tickets writes a handful of rows), while an UPDATE writes a pair
//! only for a row whose dimensions changed (a row trigger with a WHEN the
//! server checks without calling the function). SQLite has row triggers only.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

/// The dimensions counted, in the order of both tables' columns.
const DIMENSIONS: &str = "status, channel, priority, team_id, assignee_id, sla_breached";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on SQLite too (sea-orm runs SQLite migrations
    /// without one): a ticket written by another process (an MTA pipe)
    /// between the triggers and the first count would be counted twice.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [TicketCounts::Table, TicketCounts::Deltas] {
            m.create_table(
                Table::create()
                    .table(table)
                    .col(string(TicketCounts::Status))
                    .col(string(TicketCounts::Channel))
                    .col(string(TicketCounts::Priority))
                    .col(uuid_null(TicketCounts::TeamId))
                    .col(uuid_null(TicketCounts::AssigneeId))
                    .col(boolean(TicketCounts::SlaBreached))
                    .col(big_integer(TicketCounts::N))
                    .to_owned(),
            )
            .await?;
        }
        let db = m.get_connection();
        let old = old_row();
        let new = new_row();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(&format!(
                    "CREATE FUNCTION ticket_count_deltas_of_statement() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN \
                       IF TG_OP = 'INSERT' THEN \
                         INSERT INTO ticket_count_deltas ({DIMENSIONS}, n) \
                         SELECT {DIMENSIONS}, count(*) FROM inserted GROUP BY {DIMENSIONS}; \
                       ELSE \
                         INSERT INTO ticket_count_deltas ({DIMENSIONS}, n) \
                         SELECT {DIMENSIONS}, -count(*) FROM deleted GROUP BY {DIMENSIONS}; \
                       END IF; \
                       RETURN NULL; \
                     END $$"
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE FUNCTION ticket_count_deltas_of_update() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN \
                       INSERT INTO ticket_count_deltas ({DIMENSIONS}, n) VALUES ({old}, -1), ({new}, 1); \
                       RETURN NULL; \
                     END $$"
                ))
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER ticket_counts_on_insert AFTER INSERT ON tickets \
                     REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT \
                     EXECUTE FUNCTION ticket_count_deltas_of_statement()",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER ticket_counts_on_delete AFTER DELETE ON tickets \
                     REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT \
                     EXECUTE FUNCTION ticket_count_deltas_of_statement()",
                )
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER ticket_counts_on_update AFTER UPDATE OF {DIMENSIONS} ON tickets \
                     FOR EACH ROW WHEN (({old}) IS DISTINCT FROM ({new})) \
                     EXECUTE FUNCTION ticket_count_deltas_of_update()"
                ))
                .await?;
            }
            DbBackend::Sqlite => {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER ticket_counts_on_insert AFTER INSERT ON tickets BEGIN \
                     INSERT INTO ticket_count_deltas ({DIMENSIONS}, n) VALUES ({new}, 1); END"
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER ticket_counts_on_delete AFTER DELETE ON tickets BEGIN \
                     INSERT INTO ticket_count_deltas ({DIMENSIONS}, n) VALUES ({old}, -1); END"
                ))
                .await?;
                let changed = DIMENSIONS
                    .split(", ")
                    .map(|d| format!("OLD.{d} IS NOT NEW.{d}"))
                    .collect::<Vec<_>>()
                    .join(" OR ");
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER ticket_counts_on_update AFTER UPDATE OF {DIMENSIONS} ON tickets \
                     WHEN {changed} BEGIN \
                     INSERT INTO ticket_count_deltas ({DIMENSIONS}, n) VALUES ({old}, -1), ({new}, 1); END"
                ))
                .await?;
            }
            other => return Err(DbErr::Migration(format!("unsupported backend {other:?}"))),
        }
        // The tickets already there, counted in the same transaction that
        // starts the triggers (see `use_transaction`), so none is missed or
        // counted twice.
        db.execute_unprepared(&format!(
            "INSERT INTO ticket_counts ({DIMENSIONS}, n) \
             SELECT {DIMENSIONS}, count(*) FROM tickets GROUP BY {DIMENSIONS}"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for trigger in [
            "ticket_counts_on_insert",
            "ticket_counts_on_delete",
            "ticket_counts_on_update",
        ] {
            let drop = match db.get_database_backend() {
                DbBackend::Postgres => format!("DROP TRIGGER {trigger} ON tickets"),
                _ => format!("DROP TRIGGER {trigger}"),
            };
            db.execute_unprepared(&drop).await?;
        }
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared("DROP FUNCTION ticket_count_deltas_of_statement()")
                .await?;
            db.execute_unprepared("DROP FUNCTION ticket_count_deltas_of_update()")
                .await?;
        }
        for table in [TicketCounts::Deltas, TicketCounts::Table] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

fn old_row() -> String {
    row_of("OLD")
}

fn new_row() -> String {
    row_of("NEW")
}

/// `OLD.status, OLD.channel, ...`: the dimensions of a trigger's row.
fn row_of(which: &str) -> String {
    DIMENSIONS
        .split(", ")
        .map(|d| format!("{which}.{d}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(DeriveIden)]
enum TicketCounts {
    Table,
    #[sea_orm(iden = "ticket_count_deltas")]
    Deltas,
    Status,
    Channel,
    Priority,
    TeamId,
    AssigneeId,
    SlaBreached,
    N,
}
