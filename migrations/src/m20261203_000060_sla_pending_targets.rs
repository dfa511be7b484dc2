//! Indexes that hold only what the SLA scheduler looks for, by when it falls
//! due: running targets (`decided_at IS NULL`) whose warning was not raised
//! yet; and running or breached targets whose breach was not raised yet.
//! The scheduler's search used to read every target through indexes of all
//! of them (`ix_sla_targets_due`, `ix_sla_targets_warn`, which nothing else
//! reads): at 1,000,000 tickets (2.9 million targets) it was 12 of 86
//! samples of PostgreSQL busy during ingestion, up to 0.9 s per search.
//! These hold a few thousand rows, so they cost imports and creations less
//! than the two they replace.
//!
//! The predicates use literals (`NOT warning_raised`, `state = 'BREACHED'`)
//! and the scheduler's queries (`persistence::sla`) repeat them word for
//! word: both engines match a partial index by its predicate, and neither
//! can prove it from a bound parameter. The queries also read in the key's
//! order: PostgreSQL estimates the breached-but-unraised targets as a third
//! of the table (it multiplies the two columns' odds), and with a `LIMIT`
//! and no order it chose to scan the table for them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in [
            "DROP INDEX ix_sla_targets_due",
            "DROP INDEX ix_sla_targets_warn",
            "CREATE INDEX ix_sla_targets_pending_warning ON sla_targets (warn_at) \
             WHERE decided_at IS NULL AND NOT warning_raised",
            "CREATE INDEX ix_sla_targets_pending_breach ON sla_targets (due_at) \
             WHERE NOT breach_raised AND (decided_at IS NULL OR state = 'BREACHED')",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in [
            "DROP INDEX ix_sla_targets_pending_warning",
            "DROP INDEX ix_sla_targets_pending_breach",
            "CREATE INDEX ix_sla_targets_due ON sla_targets (due_at)",
            "CREATE INDEX ix_sla_targets_warn ON sla_targets (warn_at)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
