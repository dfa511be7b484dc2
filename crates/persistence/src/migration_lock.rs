//! Migrating a PostgreSQL database that several servers start on at once.
//!
//! Each server takes one advisory lock before running migrations, so one
//! migrates while the others wait, and then find every migration applied.
//! The lock is a session lock on a connection taken out of the pool for the
//! purpose: if migrating fails or is cancelled, closing that connection
//! releases the lock, and no pooled connection is ever left holding it.

use std::sync::Arc;

use helpdesk_migrations::MigratorTrait;
use sea_orm::DatabaseConnection;
use sea_orm::sqlx::Connection;

use crate::StoreError;

/// The advisory lock's key, shared by every server of every version: the
/// ASCII of "helpdesk".
const MIGRATION_LOCK: i64 = 0x6865_6c70_6465_736b;

/// Runs pending migrations on `db` (PostgreSQL) under the lock.
pub(crate) async fn migrate_locked(db: &DatabaseConnection) -> Result<(), StoreError> {
    let mut lock = db
        .get_postgres_connection_pool()
        .acquire()
        .await
        .map_err(db_err)?
        .detach();
    sea_orm::sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut lock)
        .await
        .map_err(db_err)?;
    let migrated = helpdesk_migrations::Migrator::up(db, None).await;
    let unlocked = sea_orm::sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut lock)
        .await;
    // Closing ends the session, which releases the lock even if unlocking failed.
    let _ = lock.close().await;
    migrated?;
    unlocked.map_err(db_err)?;
    Ok(())
}

/// As sea-orm reports a failed statement, so the usual mapping to
/// unavailable, timeout or database error applies.
fn db_err(err: sea_orm::sqlx::Error) -> StoreError {
    sea_orm::DbErr::Exec(sea_orm::RuntimeErr::SqlxError(Arc::new(err))).into()
}
