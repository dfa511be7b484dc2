//! What a store holds after a crash, counted straight from its tables: the
//! tests that kill the server trust no code of the server to tell them.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

/// Rows that belong together but lost their partner.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Census {
    /// Messages per RFC Message-ID (those matching the pattern asked for).
    pub messages_by_rfc_id: BTreeMap<String, i64>,
    /// Tickets with no message at all (a ticket without its first message).
    pub tickets_without_messages: i64,
    /// Messages whose ticket is gone.
    pub messages_without_ticket: i64,
    /// Tickets with no history (no CREATED event).
    pub tickets_without_history: i64,
    /// Tickets without their derived metric facts.
    pub tickets_without_facts: i64,
    pub tickets: i64,
}

/// Counts the store at `url`; `rfc_like` is a SQL LIKE pattern for the
/// Message-IDs to count.
pub async fn take(url: &str, rfc_like: &str) -> Census {
    let db = Database::connect(url).await.expect("connect for the census");
    let backend = db.get_database_backend();
    let count = |sql: &'static str| {
        let db = &db;
        async move {
            let row = db
                .query_one_raw(Statement::from_string(backend, sql))
                .await
                .unwrap()
                .unwrap();
            row.try_get_by_index::<i64>(0).unwrap()
        }
    };
    let mut census = Census {
        tickets: count("SELECT COUNT(*) FROM tickets").await,
        tickets_without_messages: count(
            "SELECT COUNT(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id)",
        )
        .await,
        messages_without_ticket: count(
            "SELECT COUNT(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM tickets t WHERE t.id = m.ticket_id)",
        )
        .await,
        tickets_without_history: count(
            "SELECT COUNT(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'CREATED')",
        )
        .await,
        tickets_without_facts: count(
            "SELECT COUNT(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ticket_facts f WHERE f.ticket_id = t.id)",
        )
        .await,
        ..Census::default()
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            match backend {
                sea_orm::DbBackend::Postgres => {
                    "SELECT rfc_message_id, COUNT(*) FROM messages WHERE rfc_message_id LIKE $1 GROUP BY rfc_message_id"
                }
                _ => {
                    "SELECT rfc_message_id, COUNT(*) FROM messages WHERE rfc_message_id LIKE ? GROUP BY rfc_message_id"
                }
            },
            [rfc_like.into()],
        ))
        .await
        .unwrap();
    for row in rows {
        let id: String = row.try_get_by_index(0).unwrap();
        let n: i64 = row.try_get_by_index(1).unwrap();
        census.messages_by_rfc_id.insert(id, n);
    }
    db.close().await.unwrap();
    census
}

/// One number from the database, counted there: what the code under test
/// did, not what it says it did.
pub async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}
