//! A consistent, read-only view for reports that take several queries.
//!
//! The KPI report runs one aggregate query per group of figures; reading
//! them all in one snapshot means a ticket solved while the report runs is
//! either in every figure or in none.

use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseTransaction, DbBackend, IsolationLevel, QueryResult, Statement,
    TransactionOptions, Value,
};

use crate::{Backend, Store, StoreError};

pub(crate) struct Snapshot {
    txn: DatabaseTransaction,
    backend: Backend,
}

impl Store {
    /// Opens a read-only snapshot: REPEATABLE READ on PostgreSQL; on SQLite
    /// (WAL) a deferred transaction, whose first read fixes what it sees.
    pub(crate) async fn snapshot(&self) -> Result<Snapshot, StoreError> {
        let options = match self.backend() {
            Backend::Postgres => TransactionOptions {
                isolation_level: Some(IsolationLevel::RepeatableRead),
                access_mode: Some(AccessMode::ReadOnly),
                ..TransactionOptions::default()
            },
            Backend::Sqlite => TransactionOptions::default(),
        };
        Ok(Snapshot {
            txn: self.begin(options).await?,
            backend: self.backend(),
        })
    }
}

impl Snapshot {
    /// Runs one query written with `?` placeholders (numbered for
    /// PostgreSQL here), with `values` bound in order.
    pub(crate) async fn rows(&self, sql: &str, values: Vec<Value>) -> Result<Vec<QueryResult>, StoreError> {
        let (backend, sql) = match self.backend {
            Backend::Sqlite => (DbBackend::Sqlite, sql.to_owned()),
            Backend::Postgres => (DbBackend::Postgres, numbered_placeholders(sql)),
        };
        Ok(self
            .txn
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?)
    }

    /// Ends the snapshot (it never wrote anything).
    pub(crate) async fn close(self) -> Result<(), StoreError> {
        Ok(self.txn.rollback().await?)
    }
}

/// `?` → `$1`, `$2`, ... The KPI SQL has no `?` inside literals.
fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}
