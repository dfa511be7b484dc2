//! Indexes a ticket listing walks in its order instead of sorting every
//! matching ticket: per status (a queue asks for a few statuses; the
//! listing walks each one's range and merges them) by creation, by last
//! change and by SLA due time, and by SLA due time alone. The status
//! index they start with makes `ix_tickets_status` redundant.
//!
//! A ticket without a running SLA target sorts after every deadline. The
//! engines disagree on where NULL sorts, so the key is a generated column,
//! `sla_due_key`, the deadline or the far-future instant that stands for
//! none (the same `9999-12-31T23:59:59Z` the listing's cursors use). It is
//! derived by the database on every write, so no write path can forget it.
//! On SQLite it is virtual (only the index stores it); PostgreSQL can only
//! store it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

const INDEXES: [(&str, &str); 4] = [
    ("ix_tickets_due_order", "sla_due_key, id"),
    ("ix_tickets_status_due", "status, sla_due_key, id"),
    ("ix_tickets_status_created", "status, created_at, id"),
    ("ix_tickets_status_updated", "status, updated_at, id"),
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let due_key = match db.get_database_backend() {
            // The text form every instant is stored in on SQLite.
            DbBackend::Sqlite => {
                "ALTER TABLE tickets ADD COLUMN sla_due_key TEXT GENERATED ALWAYS AS \
                 (COALESCE(sla_next_due_at, '9999-12-31T23:59:59+00:00')) VIRTUAL"
            }
            _ => {
                "ALTER TABLE tickets ADD COLUMN sla_due_key timestamptz GENERATED ALWAYS AS \
                 (COALESCE(sla_next_due_at, '9999-12-31 23:59:59+00'::timestamptz)) STORED"
            }
        };
        db.execute_unprepared(due_key).await?;
        for (name, columns) in INDEXES {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON tickets ({columns})"))
                .await?;
        }
        db.execute_unprepared("DROP INDEX ix_tickets_status").await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("CREATE INDEX ix_tickets_status ON tickets (status)")
            .await?;
        for (name, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        db.execute_unprepared("ALTER TABLE tickets DROP COLUMN sla_due_key")
            .await?;
        Ok(())
    }
}
