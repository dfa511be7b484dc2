//! The benchmarks' PostgreSQL databases, one per benchmark and size, on the
//! server the environment names.

use sea_orm::{ConnectionTrait, Database};

type Error = Box<dyn std::error::Error>;

/// The URL of database `name` on `server`, created if missing; `fresh`
/// drops it first, so what it held is gone.
pub async fn postgres_database(server: &str, name: &str, fresh: bool) -> Result<String, Error> {
    let admin = Database::connect(server).await?;
    if fresh {
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await?;
    }
    let exists = admin
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
        ))
        .await?
        .is_some();
    if !exists {
        admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
    }
    admin.close().await?;
    let (base, query) = server.split_once('?').map_or((server, None), |(b, q)| (b, Some(q)));
    let host_end = base.find("://").map_or(0, |i| i + 3);
    let path = base[host_end..].find('/').map_or(base.len(), |i| host_end + i);
    Ok(match query {
        Some(q) => format!("{}/{name}?{q}", &base[..path]),
        None => format!("{}/{name}", &base[..path]),
    })
}
