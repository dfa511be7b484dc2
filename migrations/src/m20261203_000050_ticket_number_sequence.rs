//! On PostgreSQL, ticket numbers come from the sequence `ticket_number_seq`
//! instead of the `counters` row, whose lock every creation queued on until
//! its commit (see `persistence::tickets::number`). The sequence continues
//! where the counter stopped, and the counter row goes so that nothing reads
//! a number that no longer moves. SQLite keeps the counter: one writer at a
//! time queues there anyway.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        db.execute_unprepared("CREATE SEQUENCE ticket_number_seq AS bigint MINVALUE 1")
            .await?;
        // `setval(.., v, false)`: the next number is v itself, so an unused
        // counter (value 0) starts the sequence at 1.
        db.execute_unprepared(
            "SELECT setval('ticket_number_seq', value + 1, false) FROM counters WHERE name = 'ticket_number'",
        )
        .await?;
        db.execute_unprepared("DELETE FROM counters WHERE name = 'ticket_number'")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        db.execute_unprepared(
            "INSERT INTO counters (name, value) \
             SELECT 'ticket_number', COALESCE(MAX(number), 0) FROM tickets",
        )
        .await?;
        db.execute_unprepared("DROP SEQUENCE ticket_number_seq").await?;
        Ok(())
    }
}
