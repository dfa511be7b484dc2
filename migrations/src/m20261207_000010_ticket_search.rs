//! Full-text search over tickets: one search document per ticket (its
//! subject; its customer's name and addresses; its tags; its messages and
//! notes), rewritten in the transaction of every write that changes one of
//! them, and filled here from the tickets already stored.
//!
//! - PostgreSQL: `ticket_search` holds the texts and a `tsvector` the
//!   database derives from them (weights A for the subject, B for people
//!   and tags, D for messages) in the row's `language`, under a GIN index.
//! - SQLite: `ticket_search` holds the texts and an FTS5 index
//!   (`ticket_search_fts`, external content) follows it through triggers;
//!   its tokenizer stems English (`porter`) and folds diacritics.
//!
//! The fill is the store's own rebuild statement over every ticket (see
//! `persistence/src/search_index.rs`), as it was when this migration was
//! written: a migration is history and keeps its own copy.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES_UP: &[&str] = &[
    "CREATE TABLE ticket_search (
        ticket_id uuid PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
        language regconfig NOT NULL DEFAULT 'english',
        subject text NOT NULL,
        people text NOT NULL,
        tags text NOT NULL,
        body text NOT NULL,
        document tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector(language, subject), 'A')
            || setweight(to_tsvector(language, people), 'B')
            || setweight(to_tsvector(language, tags), 'B')
            || setweight(to_tsvector(language, body), 'D')
        ) STORED
    )",
    "CREATE INDEX ix_ticket_search_document ON ticket_search USING GIN (document)",
    "INSERT INTO ticket_search (ticket_id, language, subject, people, tags, body)
     SELECT t.id,
        coalesce((SELECT value FROM settings WHERE key = 'search_language'), 'english')::regconfig,
        translate(t.subject, E'\\uE000\\uE001', ''),
        translate(concat_ws(' ', c.name, (
            SELECT string_agg(i.value || ' ' || replace(i.value, '@', ' '), ' ' ORDER BY i.value)
            FROM customer_identities i WHERE i.customer_id = t.customer_id AND i.kind = 'EMAIL'
        )), E'\\uE000\\uE001', ''),
        coalesce((SELECT string_agg(g.tag, ' ' ORDER BY g.tag) FROM ticket_tags g WHERE g.ticket_id = t.id), ''),
        left(translate(coalesce((
            SELECT string_agg(m.body, E'\\n\\n' ORDER BY m.created_at, m.id) FROM messages m WHERE m.ticket_id = t.id
        ), ''), E'\\uE000\\uE001', ''), 200000)
     FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id",
];

const SQLITE_UP: &[&str] = &[
    "CREATE TABLE ticket_search (
        doc INTEGER PRIMARY KEY,
        ticket_id uuid_text NOT NULL UNIQUE REFERENCES tickets (id) ON DELETE CASCADE,
        subject TEXT NOT NULL,
        people TEXT NOT NULL,
        tags TEXT NOT NULL,
        body TEXT NOT NULL
    )",
    "CREATE VIRTUAL TABLE ticket_search_fts USING fts5(
        subject, people, tags, body,
        content = 'ticket_search', content_rowid = 'doc',
        tokenize = 'porter unicode61 remove_diacritics 2'
    )",
    "CREATE TRIGGER ticket_search_inserted AFTER INSERT ON ticket_search BEGIN
        INSERT INTO ticket_search_fts (rowid, subject, people, tags, body)
        VALUES (new.doc, new.subject, new.people, new.tags, new.body);
    END",
    "CREATE TRIGGER ticket_search_deleted AFTER DELETE ON ticket_search BEGIN
        INSERT INTO ticket_search_fts (ticket_search_fts, rowid, subject, people, tags, body)
        VALUES ('delete', old.doc, old.subject, old.people, old.tags, old.body);
    END",
    "CREATE TRIGGER ticket_search_updated AFTER UPDATE ON ticket_search BEGIN
        INSERT INTO ticket_search_fts (ticket_search_fts, rowid, subject, people, tags, body)
        VALUES ('delete', old.doc, old.subject, old.people, old.tags, old.body);
        INSERT INTO ticket_search_fts (rowid, subject, people, tags, body)
        VALUES (new.doc, new.subject, new.people, new.tags, new.body);
    END",
    "INSERT INTO ticket_search (ticket_id, subject, people, tags, body)
     SELECT t.id,
        replace(replace(t.subject, char(57344), ''), char(57345), ''),
        replace(replace(trim(coalesce(c.name, '') || ' ' || coalesce((
            SELECT group_concat(i.value || ' ' || replace(i.value, '@', ' '), ' ' ORDER BY i.value)
            FROM customer_identities i WHERE i.customer_id = t.customer_id AND i.kind = 'EMAIL'
        ), '')), char(57344), ''), char(57345), ''),
        coalesce((SELECT group_concat(g.tag, ' ' ORDER BY g.tag) FROM ticket_tags g WHERE g.ticket_id = t.id), ''),
        substr(replace(replace(coalesce((
            SELECT group_concat(m.body, char(10, 10) ORDER BY m.created_at, m.id) FROM messages m WHERE m.ticket_id = t.id
        ), ''), char(57344), ''), char(57345), ''), 1, 200000)
     FROM tickets t LEFT JOIN customers c ON c.id = t.customer_id",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let statements = match db.get_database_backend() {
            DbBackend::Postgres => POSTGRES_UP,
            _ => SQLITE_UP,
        };
        for statement in statements {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() == DbBackend::Sqlite {
            // The triggers go with their table.
            db.execute_unprepared("DROP TABLE ticket_search_fts").await?;
        }
        db.execute_unprepared("DROP TABLE ticket_search").await?;
        Ok(())
    }
}
