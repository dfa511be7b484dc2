//! How a server's store is sized and bounded: the connection pool, how long
//! a request waits for a connection, how long one statement may run, and
//! how many connections the heavy report queries may hold at once.
//!
//! The bounds exist so that no burst of one kind of work starves the rest:
//! reports wait for one of their few slots instead of taking every
//! connection from ticket work, the SLA scheduler and the outbox, and a
//! statement that runs away is cancelled instead of holding its connection.

use std::time::Duration;

/// Connection and work bounds of a [`crate::Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// Connections in the pool; `None`: 8 on SQLite, 16 on PostgreSQL.
    pub max_connections: Option<u32>,
    /// How long a request waits for a free connection (or, when the
    /// database is down, for a new one) before failing as unavailable.
    pub acquire_timeout: Duration,
    /// The longest one statement may run, and one report as a whole; `None`
    /// for none (command-line imports, which write in large batches).
    pub statement_timeout: Option<Duration>,
    /// How many KPI reports read at once; others wait their turn (up to the
    /// statement timeout) without holding a connection.
    pub report_connections: usize,
}

impl Default for StoreOptions {
    /// A server's bounds: 10 s to get a connection, 30 s per statement, and
    /// [`default_report_connections`] reports at a time.
    fn default() -> Self {
        Self {
            max_connections: None,
            acquire_timeout: Duration::from_secs(10),
            statement_timeout: Some(Duration::from_secs(30)),
            report_connections: default_report_connections(),
        }
    }
}

/// Half the machine's cores, at least one: a report keeps a core busy from
/// start to end (on SQLite in this process), so reports together never take
/// every core from the queue and the workers.
pub fn default_report_connections() -> usize {
    std::thread::available_parallelism().map_or(1, |cores| (cores.get() / 2).max(1))
}

impl StoreOptions {
    /// For one-shot commands (import, seed, mail piped in): no statement
    /// timeout, since a bulk write may rightly run long.
    pub fn command() -> Self {
        Self {
            statement_timeout: None,
            ..Self::default()
        }
    }
}
