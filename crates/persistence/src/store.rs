use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use helpdesk_migrations::MigratorTrait;
use sea_orm::sqlx::postgres::PgConnectOptions;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use helpdesk_domain::ids::{AgentId, ServerId, TicketId};
use tokio::sync::broadcast;

use crate::change_feed::{ChangeFeed, TicketChange};
use crate::kpi::ReportGate;
use crate::tcp_nodelay;
use crate::tickets::shared_count::SharedCounts;
use crate::{StoreError, StoreOptions};

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle to the database; cheap to clone (it is a pool).
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    /// Statements run since connecting: an operational gauge, and how tests
    /// check that a page of tickets costs a constant number of queries.
    statements: Arc<AtomicU64>,
    /// Tickets and agents changed, announced after each commit here and,
    /// on PostgreSQL, to the other servers on the database.
    changes: ChangeFeed,
    /// Where this store connected, for the change listener's connection,
    /// which is not from the pool.
    url: Arc<str>,
    /// The few report slots and the time a report may take.
    reports: ReportGate,
    /// Ticket counts asked at once, counted once.
    counts: SharedCounts,
}

impl Store {
    /// Connects to `url` (`sqlite://…` or `postgres://…`) with a server's
    /// bounds ([`StoreOptions::default`]).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, StoreOptions::default()).await
    }

    /// Connects to `url` with `options`.
    ///
    /// SQLite gets WAL (readers never wait for the writer), a busy timeout
    /// (writers queue instead of failing), foreign keys, a page cache and
    /// memory map bounded in total (see [`StoreOptions`]), and a small pool; see
    /// [`Store::write`] for why write transactions begin IMMEDIATE.
    /// PostgreSQL cancels any statement that runs past the statement timeout
    /// itself, so a cancelled request's statement does not run on.
    pub async fn connect_with(url: &str, options: StoreOptions) -> Result<Self, StoreError> {
        let mut connect = ConnectOptions::new(url.to_owned());
        connect
            .sqlx_logging(false)
            .connect_timeout(Duration::from_secs(5))
            .acquire_timeout(options.acquire_timeout);
        if url.starts_with("sqlite:") {
            // Negative: KiB rather than pages.
            let cache = format!("-{}", options.sqlite_cache_kib_per_connection());
            let mmap = options.sqlite_mmap_bytes_per_connection().to_string();
            connect
                .max_connections(options.pool_size(true))
                .min_connections(1)
                .map_sqlx_sqlite_opts(move |o| {
                    o.journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal)
                        .busy_timeout(Duration::from_secs(10))
                        .foreign_keys(true)
                        // SQLite keeps a page cache (and a map) per connection:
                        // the configured totals are shared out, so the server's
                        // memory does not grow with its pool.
                        .pragma("cache_size", cache.clone())
                        .pragma("mmap_size", mmap.clone())
                        .pragma("temp_store", "memory")
                });
        } else {
            connect.max_connections(options.pool_size(false)).min_connections(1);
            if let Ok(port) = url.parse::<PgConnectOptions>().map(|o| o.get_port()) {
                // sqlx 0.9.0 leaves Nagle's algorithm on (see tcp_nodelay.rs).
                connect.map_sqlx_postgres_pool_opts(move |o| {
                    o.after_connect(move |_, _| {
                        tcp_nodelay::set_on_sockets_to(port);
                        Box::pin(async { Ok(()) })
                    })
                });
            }
            if let Some(timeout) = options.statement_timeout {
                let millis = timeout.as_millis().to_string();
                connect.map_sqlx_postgres_opts(move |o| o.options([("statement_timeout", millis.as_str())]));
            }
        }
        let mut db = Database::connect(connect).await?;
        let statements = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&statements);
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        let changes = ChangeFeed::new(
            (db.get_database_backend() == DbBackend::Postgres).then(|| db.get_postgres_connection_pool().clone()),
        );
        Ok(Self {
            db,
            statements,
            changes,
            url: url.into(),
            reports: ReportGate::new(options.report_connections, options.statement_timeout),
            counts: SharedCounts::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        match self.db.get_database_backend() {
            DbBackend::Sqlite => Backend::Sqlite,
            _ => Backend::Postgres,
        }
    }

    /// Tickets changed from now on, each announced after its change
    /// committed: by this process, and once [`Store::follow_other_servers`]
    /// runs, by every server on the same PostgreSQL database.
    pub fn subscribe_changes(&self) -> broadcast::Receiver<TicketChange> {
        self.changes.subscribe_tickets()
    }

    pub(crate) fn announce(&self, ticket: TicketId) {
        self.changes.announce_ticket(ticket);
    }

    /// Agents whose access changes from now on (deactivated, password or
    /// scope changed, team joined or left), announced like tickets, so open
    /// subscriptions re-check their caller at once.
    pub fn subscribe_agent_changes(&self) -> broadcast::Receiver<AgentId> {
        self.changes.subscribe_agents()
    }

    pub(crate) fn announce_agent(&self, agent: AgentId) {
        self.changes.announce_agent(agent);
    }

    /// On PostgreSQL, starts hearing the changes other servers on the
    /// database announce (see `change_feed.rs`); a server calls it once. On
    /// SQLite there is no other server.
    pub fn follow_other_servers(&self) {
        if self.backend() == Backend::Postgres {
            self.changes.follow(&self.url);
        }
    }

    /// This process's name among the servers sharing the database.
    pub fn server_id(&self) -> ServerId {
        self.changes.server()
    }

    pub(crate) fn shared_counts(&self) -> &SharedCounts {
        &self.counts
    }

    /// How many statements this store has run since it connected.
    pub fn statements_run(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Applies pending migrations. On PostgreSQL under an advisory lock, so
    /// of several servers starting at once one migrates and the others wait,
    /// then find nothing left to do (see `migration_lock.rs`).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend() {
            Backend::Sqlite => Ok(helpdesk_migrations::Migrator::up(&self.db, None).await?),
            Backend::Postgres => crate::migration_lock::migrate_locked(&self.db).await,
        }
    }

    /// After a bulk write such as an import, so the first report afterwards
    /// is as fast as later ones: fresh planner statistics, and
    ///
    /// - on SQLite the write-ahead log folded back into the database and
    ///   truncated. A large import leaves a log as large as its biggest
    ///   batch, and until it is checkpointed every read consults it (KPI
    ///   reports ran three times slower on a freshly seeded store).
    /// - on PostgreSQL `VACUUM ANALYZE` of the tables an import writes: the
    ///   visibility map lets reports answer from their indexes alone, which
    ///   autovacuum would only get to some time later. (VACUUM cannot run
    ///   in a transaction: each statement runs on its own.)
    ///
    /// First the import's ticket count deltas are folded into the totals
    /// (on SQLite one per ticket: a queue's count would sum them all).
    pub async fn settle_after_bulk_write(&self) -> Result<(), StoreError> {
        self.fold_ticket_counts().await?;
        match self.backend() {
            Backend::Sqlite => {
                self.db.execute_unprepared("PRAGMA optimize").await?;
                self.db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await?;
            }
            Backend::Postgres => {
                let tables = crate::imports::tables_written().join(", ");
                self.db.execute_unprepared(&format!("VACUUM ANALYZE {tables}")).await?;
            }
        }
        Ok(())
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await?;
        Ok(())
    }

    pub(crate) fn reports(&self) -> &ReportGate {
        &self.reports
    }

    pub(crate) fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Begins a transaction that will write.
    ///
    /// On SQLite it begins IMMEDIATE: a deferred transaction that reads first
    /// and upgrades to a write fails with BUSY when another writer got there
    /// first, instead of waiting its turn under the busy timeout.
    pub(crate) async fn write(&self) -> Result<DatabaseTransaction, StoreError> {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        self.begin(options).await
    }

    /// Begins a transaction in a task of its own, which runs to the end
    /// whatever becomes of the caller.
    ///
    /// sqlx (0.8 and 0.9, its issue 4393) counts a PostgreSQL transaction
    /// as open only once BEGIN's answer is read: a caller cancelled during
    /// that round trip (a client that hung up, a report past its deadline)
    /// left its connection inside a transaction that nothing rolls back,
    /// and the pool lent it on; the next report on it failed with "SET
    /// TRANSACTION ISOLATION LEVEL must be called before any query". Begun
    /// here, the transaction is complete before anyone can drop it, and one
    /// whose caller is gone is dropped with the task, which rolls it back.
    pub(crate) async fn begin(&self, options: TransactionOptions) -> Result<DatabaseTransaction, StoreError> {
        let db = self.db.clone();
        tokio::spawn(async move { db.begin_with_options(options).await })
            .await
            .map_err(|e| StoreError::Unavailable(sea_orm::DbErr::Custom(format!("beginning a transaction: {e}"))))?
            .map_err(StoreError::from)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::testing::{POSTGRES_ENV, TestDb};

    /// A caller may be cancelled at any await (a client hangs up, a report
    /// runs out of time), including while its transaction is beginning; the
    /// pool must never lend a connection left inside that transaction.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_a_transaction_cancelled_while_beginning_leaves_no_connection_inside_it() {
        let Some(db) = TestDb::postgres().await else {
            eprintln!("{POSTGRES_ENV} unset: PostgreSQL run skipped");
            return;
        };
        let options = StoreOptions {
            max_connections: Some(2),
            ..StoreOptions::default()
        };
        let store = Store::connect_with(&db.url, options).await.unwrap();
        let mut cancelled = 0;
        for micros in 0..300 {
            match tokio::time::timeout(Duration::from_micros(micros), store.snapshot()).await {
                Ok(snapshot) => snapshot.unwrap().close().await.unwrap(),
                Err(_) => {
                    cancelled += 1;
                    // A savepoint is refused outside a transaction block and
                    // taken inside one: by a connection left in a transaction.
                    for _ in 0..4 {
                        let probe = store.db().execute_unprepared("SAVEPOINT probe").await;
                        assert!(
                            probe.is_err(),
                            "a pooled connection was still inside a transaction cancelled after {micros} µs"
                        );
                    }
                }
            }
        }
        assert!(cancelled > 0, "some begins were cut short");
    }

    #[tokio::test]
    async fn postgres_cancels_a_statement_past_the_timeout_and_serves_on() {
        let Some(db) = TestDb::postgres().await else {
            eprintln!("{POSTGRES_ENV} unset: PostgreSQL run skipped");
            return;
        };
        let options = StoreOptions {
            statement_timeout: Some(Duration::from_millis(200)),
            ..StoreOptions::default()
        };
        let store = Store::connect_with(&db.url, options).await.unwrap();
        let slow = store
            .db()
            .execute_unprepared("SELECT pg_sleep(5)")
            .await
            .map_err(StoreError::from);
        assert!(matches!(slow, Err(StoreError::Timeout { .. })), "{slow:?}");
        store.ping().await.unwrap();
        // Commands such as an import run without the limit.
        let command = Store::connect_with(&db.url, StoreOptions::command()).await.unwrap();
        command.db().execute_unprepared("SELECT pg_sleep(0.3)").await.unwrap();
    }
}
