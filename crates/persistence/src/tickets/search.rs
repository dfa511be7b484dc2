//! Finding tickets by what they say: the search documents (see
//! `search_index.rs`) that match a [`SearchQuery`], most relevant first,
//! narrowed by a [`TicketFilter`] and the caller's reach, each with a
//! snippet of the text that matched.
//!
//! Relevance is each engine's own: PostgreSQL's `ts_rank` (normalised by
//! the document's length) and SQLite's BM25, both weighing the subject
//! above people and tags, and those above the messages. A rank orders one
//! result list; it means nothing across queries or stores.

use helpdesk_domain::ids::TicketId;
use helpdesk_domain::search::{HIT_END, HIT_START, SearchQuery, snippet_html};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, JoinType, Query, SelectStatement};
use sea_orm::{
    ConnectionTrait, DbBackend, PaginatorTrait, QueryOrder, QuerySelect, QueryTrait, Select, Statement, Value,
};
use uuid::Uuid;

use super::query::filtered;
use super::record::TicketRecord;
use super::{ScopedStore, TicketFilter};
use crate::entity::ticket;
use crate::search_index::POSTGRES_LANGUAGE;
use crate::{Store, StoreError};

/// One ticket found.
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub ticket: TicketRecord,
    /// Higher is more relevant, within one result list.
    pub rank: f64,
    /// The text around the hits, HTML-escaped, each hit in `<mark>`.
    pub snippet: String,
}

/// One page of a search's hits, most relevant first.
#[derive(Debug, Clone)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    pub has_next_page: bool,
}

/// Words around the hits a snippet shows, about.
const SNIPPET_WORDS: u32 = 24;

/// The documents matching `query`, as rows `(ticket_id, rank)`.
fn matches(backend: DbBackend, query: &SearchQuery) -> SelectStatement {
    match backend {
        DbBackend::Postgres => {
            // The query is parsed once, as a function in FROM: called in
            // the rank and the match, it would be parsed again for every
            // document it is matched against.
            let tsquery = Func::cust(Alias::new("websearch_to_tsquery"))
                .arg(Expr::cust(POSTGRES_LANGUAGE))
                .arg(query.websearch());
            Query::select()
                .column((Alias::new("ticket_search"), Alias::new("ticket_id")))
                .expr_as(Expr::cust("ts_rank(document, q, 1)::float8"), Alias::new("rank"))
                .from(Alias::new("ticket_search"))
                .from_function(tsquery, Alias::new("q"))
                .and_where(Expr::cust("document @@ q"))
                .to_owned()
        }
        _ => Query::select()
            .expr_as(Expr::cust("ticket_search.ticket_id"), Alias::new("ticket_id"))
            // BM25 is smaller for better matches; columns weigh 10, 5, 5, 1.
            .expr_as(
                Expr::cust("-bm25(ticket_search_fts, 10.0, 5.0, 5.0, 1.0)"),
                Alias::new("rank"),
            )
            .from(Alias::new("ticket_search_fts"))
            .join(
                JoinType::InnerJoin,
                Alias::new("ticket_search"),
                Expr::cust("ticket_search.doc = ticket_search_fts.rowid"),
            )
            .and_where(Expr::cust_with_values("ticket_search_fts MATCH ?", [query.fts5()]))
            .to_owned(),
    }
}

/// The tickets matching `filter` whose documents match `query`, with the
/// rank among the columns.
fn found(backend: DbBackend, query: &SearchQuery, filter: &TicketFilter) -> Select<ticket::Entity> {
    let hit = Alias::new("hit");
    let mut select = filtered(filter).select_only().column(ticket::Column::Id);
    QueryTrait::query(&mut select).join_subquery(
        JoinType::InnerJoin,
        matches(backend, query),
        hit.clone(),
        Expr::col((hit, Alias::new("ticket_id"))).equals((ticket::Entity, ticket::Column::Id)),
    );
    select
}

impl Store {
    /// A page of the tickets matching `query` and `filter`, most relevant
    /// first, skipping the first `offset`.
    pub(crate) async fn search_tickets(
        &self,
        query: &SearchQuery,
        filter: &TicketFilter,
        first: u64,
        offset: u64,
    ) -> Result<SearchPage, StoreError> {
        let backend = self.db().get_database_backend();
        let rank = Expr::col((Alias::new("hit"), Alias::new("rank")));
        let mut rows: Vec<(Uuid, f64)> = found(backend, query, filter)
            .expr_as(rank.clone(), "rank")
            .order_by(rank, sea_orm::Order::Desc)
            .order_by(ticket::Column::Id, sea_orm::Order::Asc)
            .limit(first + 1)
            .offset(offset)
            .into_tuple()
            .all(self.db())
            .await?;
        let has_next_page = rows.len() as u64 > first;
        rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
        let ids: Vec<TicketId> = rows.iter().map(|(id, _)| TicketId::from_uuid(*id)).collect();
        let mut tickets: std::collections::HashMap<TicketId, TicketRecord> = self
            .tickets_by_ids(&ids)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect();
        let mut snippets = self.snippets(query, &ids).await?;
        let hits = rows
            .into_iter()
            .filter_map(|(id, rank)| {
                let id = TicketId::from_uuid(id);
                Some(SearchHit {
                    ticket: tickets.remove(&id)?,
                    rank,
                    snippet: snippets.remove(&id).unwrap_or_default(),
                })
            })
            .collect();
        Ok(SearchPage { hits, has_next_page })
    }

    /// How many tickets match `query` and `filter`.
    pub(crate) async fn count_search(&self, query: &SearchQuery, filter: &TicketFilter) -> Result<u64, StoreError> {
        let backend = self.db().get_database_backend();
        Ok(found(backend, query, filter).count(self.db()).await?)
    }

    /// The snippet of each of `tickets`' documents for `query`.
    async fn snippets(
        &self,
        query: &SearchQuery,
        tickets: &[TicketId],
    ) -> Result<std::collections::HashMap<TicketId, String>, StoreError> {
        let db = self.db();
        let backend = db.get_database_backend();
        let mut snippets = std::collections::HashMap::new();
        if tickets.is_empty() {
            return Ok(snippets);
        }
        let raw: Vec<(Uuid, String)> = match backend {
            DbBackend::Postgres => {
                let ids = (3..tickets.len() + 3)
                    .map(|i| format!("${i}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!(
                    "SELECT ticket_id, ts_headline({POSTGRES_LANGUAGE},
                        concat_ws(E'\\n', subject, body, people, tags),
                        websearch_to_tsquery({POSTGRES_LANGUAGE}, $1), $2) AS snippet
                     FROM ticket_search WHERE ticket_id IN ({ids})"
                );
                let options = format!(
                    "StartSel=\"{HIT_START}\", StopSel=\"{HIT_END}\", MaxWords={SNIPPET_WORDS}, \
                     MinWords={}, MaxFragments=2, FragmentDelimiter=\" … \"",
                    SNIPPET_WORDS / 2
                );
                let values = [Value::from(query.websearch()), Value::from(options)]
                    .into_iter()
                    .chain(tickets.iter().map(|id| Value::from(id.as_uuid())));
                let rows = db
                    .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
                    .await?;
                rows.iter()
                    .map(|row| Ok((row.try_get("", "ticket_id")?, row.try_get("", "snippet")?)))
                    .collect::<Result<_, sea_orm::DbErr>>()?
            }
            _ => {
                // FTS5 makes a snippet only within a MATCH, one document at
                // a time here; in process, each costs a few microseconds.
                let sql = format!(
                    "SELECT snippet(ticket_search_fts, -1, char({}), char({}), '…', {SNIPPET_WORDS}) AS snippet
                     FROM ticket_search_fts
                     WHERE ticket_search_fts MATCH ?
                       AND ticket_search_fts.rowid = (SELECT doc FROM ticket_search WHERE ticket_id = ?)",
                    u32::from(HIT_START),
                    u32::from(HIT_END)
                );
                let mut raw = Vec::with_capacity(tickets.len());
                for id in tickets {
                    let values = [Value::from(query.fts5()), Value::from(id.as_uuid())];
                    let row = db
                        .query_one_raw(Statement::from_sql_and_values(backend, &sql, values))
                        .await?;
                    if let Some(row) = row {
                        raw.push((id.as_uuid(), row.try_get::<String>("", "snippet")?));
                    }
                }
                raw
            }
        };
        for (id, text) in raw {
            snippets.insert(TicketId::from_uuid(id), snippet_html(&text));
        }
        Ok(snippets)
    }
}

impl ScopedStore {
    /// A page of the tickets within reach matching `query` and `filter`
    /// (its `access` is replaced by the caller's), most relevant first,
    /// skipping the first `offset`.
    pub async fn search_tickets(
        &self,
        query: &SearchQuery,
        filter: &TicketFilter,
        first: u64,
        offset: u64,
    ) -> Result<SearchPage, StoreError> {
        let filter = TicketFilter {
            access: self.access().clone(),
            ..filter.clone()
        };
        self.store().search_tickets(query, &filter, first, offset).await
    }

    /// How many tickets within reach match `query` and `filter`.
    pub async fn count_search(&self, query: &SearchQuery, filter: &TicketFilter) -> Result<u64, StoreError> {
        let filter = TicketFilter {
            access: self.access().clone(),
            ..filter.clone()
        };
        self.store().count_search(query, &filter).await
    }
}
