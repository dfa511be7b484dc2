//! Counting the store straight from its tables, trusting no code of the
//! server: how many tickets and messages, and how often each of this run's
//! Message-IDs was stored.

use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};

use crate::Error;

pub struct Totals {
    pub tickets: i64,
    pub messages: i64,
}

pub struct RunMessages {
    pub rows: i64,
    pub distinct: i64,
}

pub async fn take(url: &str) -> Result<Totals, Error> {
    let db = Database::connect(url).await?;
    let backend = db.get_database_backend();
    let count = |sql: &str| {
        let db = &db;
        let statement = Statement::from_string(backend, sql);
        async move {
            let row = db.query_one_raw(statement).await?.ok_or("a COUNT returned no row")?;
            Ok::<i64, Error>(row.try_get_by_index::<i64>(0)?)
        }
    };
    let totals = Totals {
        tickets: count("SELECT COUNT(*) FROM tickets").await?,
        messages: count("SELECT COUNT(*) FROM messages").await?,
    };
    db.close().await?;
    Ok(totals)
}

/// Messages whose RFC Message-ID names this run.
pub async fn messages_of_run(url: &str, run_id: &str) -> Result<RunMessages, Error> {
    let db = Database::connect(url).await?;
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT COUNT(*), COUNT(DISTINCT rfc_message_id) FROM messages WHERE rfc_message_id LIKE $1"
        }
        _ => "SELECT COUNT(*), COUNT(DISTINCT rfc_message_id) FROM messages WHERE rfc_message_id LIKE ?",
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [format!("load-{run_id}-%").into()],
        ))
        .await?
        .ok_or("a COUNT returned no row")?;
    let counts = RunMessages {
        rows: row.try_get_by_index(0)?,
        distinct: row.try_get_by_index(1)?,
    };
    db.close().await?;
    Ok(counts)
}
