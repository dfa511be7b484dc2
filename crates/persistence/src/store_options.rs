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
    /// SQLite's page cache for the whole pool, in bytes, shared out evenly
    /// among its connections: SQLite keeps one cache per connection, so a
    /// per-connection size would grow the server with its pool.
    pub sqlite_cache_bytes: u64,
    /// SQLite's memory map for the whole pool, in bytes, shared out the same
    /// way; 0 maps nothing (reads go through the page cache and the
    /// operating system's file cache).
    pub sqlite_mmap_bytes: u64,
}

/// The default [`StoreOptions::sqlite_cache_bytes`]: 64 MiB.
pub const DEFAULT_SQLITE_CACHE_BYTES: u64 = 64 << 20;

/// The smallest page cache a connection gets however many share the total:
/// SQLite's own default (2 MiB), under which even small reads thrash.
const MIN_SQLITE_CACHE_PER_CONNECTION: u64 = 2 << 20;

impl Default for StoreOptions {
    /// A server's bounds: 10 s to get a connection, 30 s per statement, and
    /// [`default_report_connections`] reports at a time.
    fn default() -> Self {
        Self {
            max_connections: None,
            acquire_timeout: Duration::from_secs(10),
            statement_timeout: Some(Duration::from_secs(30)),
            report_connections: default_report_connections(),
            sqlite_cache_bytes: DEFAULT_SQLITE_CACHE_BYTES,
            sqlite_mmap_bytes: 0,
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
    ///
    /// An import writes through one connection at a time, so the pool is
    /// two (the writer and one spare) and the writer's share of the page
    /// cache is the larger: imported history lands all over the tables'
    /// time indexes, and a batch that finds its pages cached is written
    /// several times faster. 128 MiB in all keeps the command's memory flat
    /// whatever the size of the import.
    pub fn command() -> Self {
        Self {
            max_connections: Some(2),
            statement_timeout: None,
            sqlite_cache_bytes: 2 * DEFAULT_SQLITE_CACHE_BYTES,
            ..Self::default()
        }
    }

    /// The pool's size on an engine (`None` in [`Self::max_connections`]
    /// means 8 on SQLite, 16 on PostgreSQL).
    pub fn pool_size(&self, sqlite: bool) -> u32 {
        self.max_connections.unwrap_or(if sqlite { 8 } else { 16 }).max(1)
    }

    /// One SQLite connection's page cache, in KiB: the total shared out.
    pub fn sqlite_cache_kib_per_connection(&self) -> u64 {
        (self.sqlite_cache_bytes / u64::from(self.pool_size(true))).max(MIN_SQLITE_CACHE_PER_CONNECTION) >> 10
    }

    /// One SQLite connection's memory map, in bytes: the total shared out.
    pub fn sqlite_mmap_bytes_per_connection(&self) -> u64 {
        self.sqlite_mmap_bytes / u64::from(self.pool_size(true))
    }
}
