use helpdesk_domain::DomainError;
use sea_orm::{DbErr, RuntimeErr, SqlErr};

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A workflow rule refused the change.
    #[error(transparent)]
    Rule(#[from] DomainError),
    #[error("{what} not found")]
    NotFound { what: &'static str },
    /// The change collides with what is stored (a unique name taken, ...).
    #[error("{0}")]
    Conflict(String),
    /// The database could not be reached; worth retrying later.
    #[error("store unavailable: {0}")]
    Unavailable(#[source] DbErr),
    /// A statement or a report ran past the statement timeout (or waited
    /// that long for its turn) and was abandoned.
    #[error("{what} took longer than the statement timeout")]
    Timeout { what: &'static str },
    #[error("database error: {0}")]
    Database(#[source] DbErr),
    /// A read query's row did not have the shape its statement promises: a
    /// bug in the statement.
    #[error("query returned an unexpected row: {0}")]
    UnexpectedRow(String),
    /// A stored value no longer parses: a bug or a hand-edited database.
    #[error("corrupt stored value in {column}: {value:?}")]
    Corrupt { column: &'static str, value: String },
}

impl StoreError {
    pub(crate) fn not_found(what: &'static str) -> Self {
        StoreError::NotFound { what }
    }

    /// Maps a unique-constraint violation to `Conflict` with `message`.
    pub(crate) fn conflict_on_unique(err: DbErr, message: impl Into<String>) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict(message.into()),
            _ => err.into(),
        }
    }
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        match err {
            DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => StoreError::Unavailable(err),
            other if cancelled_by_statement_timeout(&other) => StoreError::Timeout { what: "a statement" },
            other if server_unavailable(&other) => StoreError::Unavailable(other),
            other => StoreError::Database(other),
        }
    }
}

/// PostgreSQL's `query_canceled`: what a statement past
/// `statement_timeout` fails with.
fn cancelled_by_statement_timeout(err: &DbErr) -> bool {
    const QUERY_CANCELED: &str = "57014";
    match err {
        DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e)) => e
            .as_database_error()
            .and_then(|db| db.code())
            .is_some_and(|code| code == QUERY_CANCELED),
        _ => false,
    }
}

/// PostgreSQL refusing work for now rather than for the request: out of
/// connection slots (53300), shutting down or starting up (57P01-57P03),
/// or a connection exception (class 08); or the connection itself lost
/// mid-statement (an I/O error: "expected to read 5 bytes, got 0 bytes at
/// EOF" when the server went away), or the pool unable to lend one. Worth
/// retrying, like a store that cannot be reached.
fn server_unavailable(err: &DbErr) -> bool {
    match err {
        DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e)) => {
            matches!(
                e.as_ref(),
                sea_orm::sqlx::Error::Io(_) | sea_orm::sqlx::Error::PoolTimedOut | sea_orm::sqlx::Error::PoolClosed
            ) || e
                .as_database_error()
                .and_then(|db| db.code())
                .is_some_and(|code| code == "53300" || code.starts_with("57P0") || code.starts_with("08"))
        }
        _ => false,
    }
}

/// Parses a stored enum string back into its domain type.
pub(crate) fn parse_column<T: std::str::FromStr>(column: &'static str, value: &str) -> Result<T, StoreError> {
    value.parse().map_err(|_| StoreError::Corrupt {
        column,
        value: value.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    #[test]
    fn a_connection_lost_mid_statement_is_worth_retrying() {
        let lost = || sea_orm::sqlx::Error::Io(io::Error::new(io::ErrorKind::UnexpectedEof, "got 0 bytes at EOF"));
        for err in [
            DbErr::Exec(RuntimeErr::SqlxError(lost().into())),
            DbErr::Query(RuntimeErr::SqlxError(lost().into())),
            DbErr::Query(RuntimeErr::SqlxError(sea_orm::sqlx::Error::PoolTimedOut.into())),
        ] {
            assert!(matches!(StoreError::from(err), StoreError::Unavailable(_)));
        }
        let bug = DbErr::Query(RuntimeErr::SqlxError(sea_orm::sqlx::Error::RowNotFound.into()));
        assert!(matches!(StoreError::from(bug), StoreError::Database(_)));
    }
}
