//! Keeping the search documents current: one per ticket, holding its
//! subject, its customer's name and addresses, its tags and its messages
//! and notes (the first [`MAX_INDEXED_BODY_CHARS`]), as the tables
//! `ticket_search` (and, on SQLite, the FTS5 index that follows it by
//! triggers) of migration m20261207_000010 keep them.
//!
//! A document is rewritten whole, by one statement that reads it from the
//! rows it is made of, in the transaction of the write that changed them:
//! every live change to a ticket passes through `history::announce`, which
//! rewrites its document; an import rewrites its batch's; renaming or
//! merging a customer rewrites their tickets'. A rewrite that changes
//! nothing (an SLA alert, a status change) leaves the row untouched, so
//! neither store re-indexes it.
//!
//! The language PostgreSQL indexes in is the desk's setting
//! `search_language` ([`Store::use_search_language`]); SQLite's index stems
//! English whatever it says.

use helpdesk_domain::search::{HIT_END, HIT_START, MAX_INDEXED_BODY_CHARS};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use uuid::Uuid;

use crate::{Store, StoreError};

/// The setting naming PostgreSQL's text search configuration.
pub(crate) const LANGUAGE_SETTING: &str = "search_language";

/// The setting naming the configuration every document was last found
/// indexed in, written once a re-index finished: so that a start in the
/// same language need not read every document to learn it.
const LANGUAGE_INDEXED_SETTING: &str = "search_language_indexed";

/// The configuration the documents are indexed and searched in, as SQL.
pub(crate) const POSTGRES_LANGUAGE: &str =
    "coalesce((SELECT value FROM settings WHERE key = 'search_language'), 'english')::regconfig";

/// Ids per statement: well under both engines' bound on parameters.
const CHUNK: usize = 500;

/// Whose documents to rewrite.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Documents<'a> {
    /// These tickets'.
    Tickets(&'a [Uuid]),
    /// The tickets of these customers (a name or an address changed).
    OfCustomers(&'a [Uuid]),
}

/// Rewrites the documents of `which` from the rows they are made of.
pub(crate) async fn rewrite(db: &impl ConnectionTrait, which: Documents<'_>) -> Result<(), StoreError> {
    let (column, ids) = match which {
        Documents::Tickets(ids) => ("t.id", ids),
        Documents::OfCustomers(ids) => ("t.customer_id", ids),
    };
    let backend = db.get_database_backend();
    for chunk in ids.chunks(CHUNK) {
        let sql = rewrite_statement(backend, column, chunk.len());
        let values = chunk.iter().map(|id| Value::from(*id));
        db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    Ok(())
}

/// The rewrite of the documents whose `column` is one of `n` ids.
///
/// A customer's addresses are picked out of their identities by an
/// aggregate `FILTER`, not in `WHERE`: with statistics from when the
/// store was small (a long import before its closing `ANALYZE`, or a
/// server without autovacuum), PostgreSQL would otherwise AND the
/// customer's index with the (kind, value) index and read every email
/// identity for each ticket (10 ms a ticket at 240,000 identities).
fn rewrite_statement(backend: DbBackend, column: &str, n: usize) -> String {
    let markers = format!("{}{}", HIT_START, HIT_END);
    match backend {
        DbBackend::Postgres => {
            let ids = (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
            format!(
                "INSERT INTO ticket_search (ticket_id, language, subject, people, tags, body)
                 SELECT t.id, {POSTGRES_LANGUAGE},
                    translate(t.subject, '{markers}', ''),
                    translate(concat_ws(' ', c.name, (
                        SELECT string_agg(i.value || ' ' || replace(i.value, '@', ' '), ' ' ORDER BY i.value)
                            FILTER (WHERE i.kind = 'EMAIL')
                        FROM customer_identities i WHERE i.customer_id = t.customer_id
                    )), '{markers}', ''),
                    coalesce((SELECT string_agg(g.tag, ' ' ORDER BY g.tag) FROM ticket_tags g WHERE g.ticket_id = t.id), ''),
                    left(translate(coalesce((
                        SELECT string_agg(m.body, E'\\n\\n' ORDER BY m.created_at, m.id)
                        FROM messages m WHERE m.ticket_id = t.id
                    ), ''), '{markers}', ''), {MAX_INDEXED_BODY_CHARS})
                 FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id
                 WHERE {column} IN ({ids})
                 ON CONFLICT (ticket_id) DO UPDATE SET
                    language = EXCLUDED.language, subject = EXCLUDED.subject, people = EXCLUDED.people,
                    tags = EXCLUDED.tags, body = EXCLUDED.body
                 WHERE (ticket_search.language, ticket_search.subject, ticket_search.people,
                        ticket_search.tags, ticket_search.body)
                    IS DISTINCT FROM (EXCLUDED.language, EXCLUDED.subject, EXCLUDED.people,
                        EXCLUDED.tags, EXCLUDED.body)"
            )
        }
        _ => {
            let ids = vec!["?"; n].join(", ");
            let clean = |sql: &str| {
                format!(
                    "replace(replace({sql}, char({}), ''), char({}), '')",
                    u32::from(HIT_START),
                    u32::from(HIT_END)
                )
            };
            let subject = clean("t.subject");
            let people = clean(
                "trim(coalesce(c.name, '') || ' ' || coalesce((
                    SELECT group_concat(i.value || ' ' || replace(i.value, '@', ' '), ' ' ORDER BY i.value)
                        FILTER (WHERE i.kind = 'EMAIL')
                    FROM customer_identities i WHERE i.customer_id = t.customer_id
                ), ''))",
            );
            let body = clean(
                "coalesce((
                    SELECT group_concat(m.body, char(10, 10) ORDER BY m.created_at, m.id)
                    FROM messages m WHERE m.ticket_id = t.id
                ), '')",
            );
            format!(
                "INSERT INTO ticket_search (ticket_id, subject, people, tags, body)
                 SELECT t.id, {subject}, {people},
                    coalesce((SELECT group_concat(g.tag, ' ' ORDER BY g.tag) FROM ticket_tags g WHERE g.ticket_id = t.id), ''),
                    substr({body}, 1, {MAX_INDEXED_BODY_CHARS})
                 FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id
                 WHERE {column} IN ({ids})
                 ON CONFLICT (ticket_id) DO UPDATE SET
                    subject = excluded.subject, people = excluded.people, tags = excluded.tags, body = excluded.body
                 WHERE ticket_search.subject IS NOT excluded.subject OR ticket_search.people IS NOT excluded.people
                    OR ticket_search.tags IS NOT excluded.tags OR ticket_search.body IS NOT excluded.body"
            )
        }
    }
}

/// Why a search language was refused.
#[derive(Debug, thiserror::Error)]
pub enum SearchLanguageError {
    #[error(
        "HELPDESK_SEARCH_LANGUAGE: PostgreSQL has no text search configuration {0:?} (see `\\dF` in psql: english, german, simple, ...)"
    )]
    Unknown(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Lays PostgreSQL's search documents out newest last, in the order of
    /// their tickets' ids, and refreshes their statistics. A search walks
    /// the newest documents (see `tickets/search.rs`): where they lie
    /// together, as a desk writing its tickets as they come lays them, a
    /// walk reads a page per dozen documents; where an import wrote them in
    /// no order of age, a page per document, and at a million tickets the
    /// walks of common phrases went from about 40 ms to 300. `CLUSTER`
    /// rewrites the table under a lock that holds off every ticket write
    /// (20 s at a million tickets on two cores): for a store being filled
    /// before use, as by `helpdesk seed`, or in a maintenance window.
    /// SQLite's search walks nothing: there it does nothing.
    pub async fn lay_out_search_documents_by_age(&self) -> Result<(), StoreError> {
        if self.db().get_database_backend() == DbBackend::Postgres {
            self.db()
                .execute_unprepared("CLUSTER ticket_search USING ticket_search_pkey")
                .await?;
            self.db().execute_unprepared("ANALYZE ticket_search").await?;
        }
        Ok(())
    }

    /// Makes `language` the text search configuration PostgreSQL indexes
    /// and searches in, re-indexing the documents in another one (the first
    /// start after it changed, or the next one when that start was cut off;
    /// every server of a desk must say the same). A start in the language
    /// the documents were last re-indexed in reads none of them. SQLite
    /// only records it: its index stems English.
    pub async fn use_search_language(&self, language: &str) -> Result<(), SearchLanguageError> {
        let db = self.db();
        let backend = db.get_database_backend();
        if backend == DbBackend::Postgres {
            let known = db
                .query_one_raw(Statement::from_sql_and_values(
                    backend,
                    "SELECT 1 FROM pg_ts_config WHERE cfgname = $1",
                    [Value::from(language.to_owned())],
                ))
                .await
                .map_err(StoreError::from)?;
            if known.is_none() {
                return Err(SearchLanguageError::Unknown(language.to_owned()));
            }
        }
        if self.setting(LANGUAGE_SETTING).await?.as_deref() != Some(language) {
            // Forgotten first: a re-index cut off after the change must
            // not pass for finished at the next start.
            self.set_setting(LANGUAGE_INDEXED_SETTING, "").await?;
            self.set_setting(LANGUAGE_SETTING, language).await?;
        }
        if backend == DbBackend::Postgres && self.setting(LANGUAGE_INDEXED_SETTING).await?.as_deref() != Some(language)
        {
            // In batches, each well within the statement timeout, however
            // many tickets there are.
            let mut documents = 0;
            loop {
                let changed = db
                    .execute_raw(Statement::from_sql_and_values(
                        backend,
                        "UPDATE ticket_search SET language = $1::regconfig WHERE ticket_id IN (
                            SELECT ticket_id FROM ticket_search WHERE language <> $1::regconfig LIMIT 2000
                        )",
                        [Value::from(language.to_owned())],
                    ))
                    .await
                    .map_err(StoreError::from)?
                    .rows_affected();
                if changed == 0 {
                    break;
                }
                documents += changed;
            }
            self.set_setting(LANGUAGE_INDEXED_SETTING, language).await?;
            tracing::info!(language, documents, "search documents re-indexed in the new language");
        }
        Ok(())
    }
}
