//! Scratch stores for tests (behind the `testing` feature).
//!
//! Every store-touching test runs on SQLite, and on PostgreSQL too when
//! `HELPDESK_TEST_POSTGRES_URL` points at a server: each test gets its own
//! SQLite file or its own PostgreSQL database, so tests run in parallel.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sea_orm::{ConnectionTrait, Database};

use crate::{Backend, Store};

/// The environment variable naming the PostgreSQL server tests may use.
pub const POSTGRES_ENV: &str = "HELPDESK_TEST_POSTGRES_URL";

/// A migrated scratch store, removed when dropped.
pub struct TestDb {
    pub url: String,
    pub store: Store,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// A fresh SQLite file in its own temporary folder.
    pub async fn sqlite() -> Self {
        let db = Self::sqlite_unmigrated().await;
        db.store.migrate().await.expect("migrate sqlite");
        db
    }

    /// Like [`TestDb::sqlite`], without running the migrations: for a test
    /// of an upgrade to migrate part of the way itself.
    pub async fn sqlite_unmigrated() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("helpdesk.db").display());
        let store = Store::connect(&url).await.expect("open sqlite");
        Self {
            url,
            store,
            cleanup: Cleanup::Sqlite(dir),
        }
    }

    /// A fresh database on the server named by `HELPDESK_TEST_POSTGRES_URL`,
    /// or `None` when it is unset.
    pub async fn postgres() -> Option<Self> {
        let db = Self::postgres_unmigrated().await?;
        db.store.migrate().await.expect("migrate postgres");
        Some(db)
    }

    /// Like [`TestDb::postgres`], without running the migrations: for the
    /// servers under test to migrate it themselves.
    pub async fn postgres_unmigrated() -> Option<Self> {
        let admin_url = std::env::var(POSTGRES_ENV).ok().filter(|v| !v.is_empty())?;
        let name = format!("hd_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(admin_url.as_str())
            .await
            .expect("connect to HELPDESK_TEST_POSTGRES_URL");
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create scratch database");
        admin.close().await.ok();
        let url = with_database(&admin_url, &name);
        let store = Store::connect(&url).await.expect("open postgres");
        Some(Self {
            url,
            store,
            cleanup: Cleanup::Postgres { admin_url, name },
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs inside the test's runtime; a private one on its own
            // thread can still await the DROP.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                rt.block_on(async {
                    let admin = Database::connect(admin_url.as_str()).await.ok()?;
                    admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .await
                        .ok()?;
                    admin.close().await.ok()
                })
            })
            .join();
        }
    }
}

/// `postgres://host/db?x` with the database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// Declares each named `async fn(TestDb)` as a test on SQLite and on PostgreSQL
/// (the latter skipped, with a note, when `HELPDESK_TEST_POSTGRES_URL` is unset).
#[macro_export]
macro_rules! each_store {
    ($($name:ident),+ $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::testing::TestDb::sqlite().await).await
                }
            )+
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    match $crate::testing::TestDb::postgres().await {
                        Some(db) => super::$name(db).await,
                        None => eprintln!("{} unset: PostgreSQL run skipped", $crate::testing::POSTGRES_ENV),
                    }
                }
            )+
        }
    };
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database_in_a_url() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }
}
