//! Finding tickets by what they say: the search documents (see
//! `search_index.rs`) that match a [`SearchQuery`], most relevant first,
//! narrowed by a [`TicketFilter`] and the caller's reach, each with a
//! snippet of the text that matched. A search lists at most
//! [`MAX_HITS`]: the newest matches when there are more (see
//! [`Store::search_window`]).
//!
//! Relevance is each engine's own: PostgreSQL's `ts_rank` (normalised by
//! the document's length) and SQLite's BM25, both weighing the subject
//! above people and tags, and those above the messages. A rank orders one
//! result list; it means nothing across queries or stores.

use helpdesk_domain::ids::TicketId;
use helpdesk_domain::search::{HIT_END, HIT_START, MAX_HITS, SearchQuery, snippet_html};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select, Statement, Value,
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

/// The documents among `window` matching `query`, as rows `(ticket_id, rank)`.
fn ranked(backend: DbBackend, query: &SearchQuery, window: &[Uuid]) -> SelectStatement {
    let mut select = match backend {
        DbBackend::Postgres => Query::select()
            .column((Alias::new("ticket_search"), Alias::new("ticket_id")))
            .expr_as(
                Expr::cust_with_values(
                    format!("ts_rank(document, {}, 1)::float8", tsquery()),
                    [query.websearch()],
                ),
                Alias::new("rank"),
            )
            .from(Alias::new("ticket_search"))
            .and_where(postgres_match(query))
            .to_owned(),
        _ => fts5_matches(query)
            // BM25 is smaller for better matches; columns weigh 10, 5, 5, 1.
            .expr_as(
                Expr::cust("-bm25(ticket_search_fts, 10.0, 5.0, 5.0, 1.0)"),
                Alias::new("rank"),
            )
            .to_owned(),
    };
    select.and_where(Expr::col((Alias::new("ticket_search"), Alias::new("ticket_id"))).is_in(window.iter().copied()));
    select
}

/// PostgreSQL's parse of a query bound as its one value (`$1`), in the desk's
/// language. A scalar subquery, so that it is parsed once per statement
/// (an init plan): as a function in FROM, a plan that loops over
/// documents first parses it again for each of them, half a millisecond
/// a time.
fn tsquery() -> String {
    format!("(SELECT websearch_to_tsquery({POSTGRES_LANGUAGE}, $1))")
}

/// A PostgreSQL document matches `query`.
fn postgres_match(query: &SearchQuery) -> Expr {
    Expr::cust_with_values(format!("document @@ {}", tsquery()), [query.websearch()])
}

/// SQLite's documents matching `query`, selecting their `ticket_id`.
fn fts5_matches(query: &SearchQuery) -> SelectStatement {
    Query::select()
        .expr_as(Expr::cust("ticket_search.ticket_id"), Alias::new("ticket_id"))
        .from(Alias::new("ticket_search_fts"))
        .join(
            JoinType::InnerJoin,
            Alias::new("ticket_search"),
            Expr::cust("ticket_search.doc = ticket_search_fts.rowid"),
        )
        .and_where(Expr::cust_with_values("ticket_search_fts MATCH ?", [query.fts5()]))
        .to_owned()
}

/// The documents matching `query`, selecting their `ticket_id`.
fn matching(backend: DbBackend, query: &SearchQuery) -> SelectStatement {
    match backend {
        DbBackend::Postgres => Query::select()
            .column((Alias::new("ticket_search"), Alias::new("ticket_id")))
            .from(Alias::new("ticket_search"))
            .and_where(postgres_match(query))
            .to_owned(),
        _ => fts5_matches(query),
    }
}

/// How many of the newest documents PostgreSQL looks at to learn how
/// common a query's words are.
const PROBE: u64 = 2_000;

/// The most documents PostgreSQL walks, newest first, for a window of
/// matches: past that, the text index finds them sooner.
const MAX_WALK: u64 = 100_000;

/// The most matches PostgreSQL takes from the text index to keep the
/// newest: more cost more than walking.
const MAX_INDEXED: u64 = 20_000;

/// PostgreSQL's newest `n` documents (older than the ticket `before`, when
/// given), each with whether it matches `query` (`ticket_id`, `hit`). The
/// `LIMIT` inside makes the walk the plan.
fn newest_documents_hit(query: &SearchQuery, n: u64, before: Option<Uuid>) -> SelectStatement {
    let id = (Alias::new("ticket_search"), Alias::new("ticket_id"));
    let mut walk = Query::select()
        .column(id.clone())
        .expr_as(postgres_match(query), Alias::new("hit"))
        .from(Alias::new("ticket_search"))
        .order_by(id.clone(), sea_orm::Order::Desc)
        .limit(n)
        .to_owned();
    if let Some(before) = before {
        walk.and_where(Expr::col(id).lt(before));
    }
    walk
}

/// The matches among PostgreSQL's newest `n` documents older than the
/// ticket `before`, selecting their `ticket_id`.
fn newest_documents(query: &SearchQuery, n: u64, before: Option<Uuid>) -> SelectStatement {
    Query::select()
        .column((Alias::new("walk"), Alias::new("ticket_id")))
        .from_subquery(newest_documents_hit(query, n, before), Alias::new("walk"))
        .and_where(Expr::col((Alias::new("walk"), Alias::new("hit"))))
        .to_owned()
}

/// What the newest [`PROBE`] documents tell about a query.
struct Probe {
    /// How many there were: fewer only in a small store.
    walked: u64,
    /// The tickets among them matching the query and the filter, newest first.
    matches: Vec<Uuid>,
    /// The oldest document looked at.
    last: Option<Uuid>,
}

/// The tickets of `window` matching `filter`, with the rank among the columns.
fn found(backend: DbBackend, query: &SearchQuery, filter: &TicketFilter, window: &[Uuid]) -> Select<ticket::Entity> {
    let hit = Alias::new("hit");
    let mut select = filtered(filter).select_only().column(ticket::Column::Id);
    QueryTrait::query(&mut select).join_subquery(
        JoinType::InnerJoin,
        ranked(backend, query, window),
        hit.clone(),
        Expr::col((hit, Alias::new("ticket_id"))).equals((ticket::Entity, ticket::Column::Id)),
    );
    select
}

impl Store {
    /// The tickets a search lists: every ticket matching `query` and
    /// `filter` when there are at most [`MAX_HITS`], else the `MAX_HITS`
    /// newest of them (ids are time-ordered, so newest is highest).
    async fn search_window(&self, query: &SearchQuery, filter: &TicketFilter) -> Result<Vec<Uuid>, StoreError> {
        match self.db().get_database_backend() {
            DbBackend::Postgres => self.postgres_search_window(query, filter).await,
            // FTS5 lists a word's documents from its own index at a cost
            // proportional to them; the join and sort that follow are the
            // whole of the work.
            backend => self.newest_of(filter, matching(backend, query), MAX_HITS).await,
        }
    }

    /// PostgreSQL's way to the same window. Which plan is fast depends on
    /// how common the words are, which the planner can only guess from
    /// statistics (stale or missing on a store that was just filled, or
    /// that nobody analyses): for a rare word, the text index's few
    /// documents; for a common one, walking the newest documents, which
    /// meets its matches at once, while its index entries would be half
    /// the store. So the store measures instead of guessing: it looks at
    /// the newest [`PROBE`] documents, and walks as many of the newest as
    /// should hold a window of matches when there are enough of them
    /// ([`MAX_WALK`] at most); otherwise, or when the walk falls short,
    /// it takes the text index's matches, up to [`MAX_INDEXED`]. Only a
    /// common word under a narrow filter is left to the planner.
    async fn postgres_search_window(
        &self,
        query: &SearchQuery,
        filter: &TicketFilter,
    ) -> Result<Vec<Uuid>, StoreError> {
        let db = self.db();
        let Probe {
            walked,
            mut matches,
            last,
        } = self.probe(query, filter).await?;
        let matched = matches.len() as u64;
        if walked < PROBE || matches.len() >= MAX_HITS {
            // The whole store was looked at, or the window is already found.
            matches.truncate(MAX_HITS);
            return Ok(matches);
        }
        if matched > 0 {
            let needed = (MAX_HITS as u64 * walked).div_ceil(matched) * 5 / 4;
            if needed <= MAX_WALK {
                let rest = self
                    .newest_of(
                        filter,
                        newest_documents(query, needed - walked, last),
                        MAX_HITS - matches.len(),
                    )
                    .await?;
                matches.extend(rest);
                if matches.len() == MAX_HITS {
                    return Ok(matches);
                }
            }
        }
        let mut indexed = matching(DbBackend::Postgres, query);
        indexed.limit(MAX_INDEXED + 1);
        let indexed: Vec<Uuid> = db
            .query_all(&indexed)
            .await?
            .iter()
            .map(|row| row.try_get("", "ticket_id"))
            .collect::<Result<_, _>>()?;
        if indexed.len() as u64 <= MAX_INDEXED {
            return Ok(filtered(filter)
                .select_only()
                .column(ticket::Column::Id)
                .filter(ticket::Column::Id.is_in(indexed))
                .order_by(ticket::Column::Id, sea_orm::Order::Desc)
                .limit(MAX_HITS as u64)
                .into_tuple()
                .all(db)
                .await?);
        }
        self.newest_of(filter, matching(DbBackend::Postgres, query), MAX_HITS)
            .await
    }

    /// Looks at the newest [`PROBE`] documents.
    async fn probe(&self, query: &SearchQuery, filter: &TicketFilter) -> Result<Probe, StoreError> {
        let walk = Alias::new("walk");
        let within = Alias::new("within");
        let mut probe = Query::select()
            .column((walk.clone(), Alias::new("ticket_id")))
            .expr_as(Expr::cust("walk.hit AND within.id IS NOT NULL"), Alias::new("wanted"))
            .from_subquery(newest_documents_hit(query, PROBE, None), walk.clone())
            .order_by((walk.clone(), Alias::new("ticket_id")), sea_orm::Order::Desc)
            .to_owned();
        probe.join_subquery(
            JoinType::LeftJoin,
            filtered(filter).select_only().column(ticket::Column::Id).into_query(),
            within.clone(),
            Expr::col((within, Alias::new("id"))).equals((walk, Alias::new("ticket_id"))),
        );
        let rows: Vec<(Uuid, bool)> = self
            .db()
            .query_all(&probe)
            .await?
            .iter()
            .map(|row| Ok((row.try_get("", "ticket_id")?, row.try_get("", "wanted")?)))
            .collect::<Result<_, sea_orm::DbErr>>()?;
        Ok(Probe {
            walked: rows.len() as u64,
            last: rows.last().map(|(id, _)| *id),
            matches: rows
                .into_iter()
                .filter(|(_, wanted)| *wanted)
                .map(|(id, _)| id)
                .collect(),
        })
    }

    /// The ids of the `limit` newest tickets matching `filter` among
    /// `matches` (a statement selecting `ticket_id`), newest first.
    async fn newest_of(
        &self,
        filter: &TicketFilter,
        matches: SelectStatement,
        limit: usize,
    ) -> Result<Vec<Uuid>, StoreError> {
        let matched = Alias::new("matched");
        let mut newest = filtered(filter).select_only().column(ticket::Column::Id);
        QueryTrait::query(&mut newest).join_subquery(
            JoinType::InnerJoin,
            matches,
            matched.clone(),
            Expr::col((matched, Alias::new("ticket_id"))).equals((ticket::Entity, ticket::Column::Id)),
        );
        Ok(newest
            .order_by(ticket::Column::Id, sea_orm::Order::Desc)
            .limit(limit as u64)
            .into_tuple()
            .all(self.db())
            .await?)
    }

    /// A page of the tickets a search lists (see [`Self::search_window`]),
    /// most relevant first, skipping the first `offset`.
    pub(crate) async fn search_tickets(
        &self,
        query: &SearchQuery,
        filter: &TicketFilter,
        first: u64,
        offset: u64,
    ) -> Result<SearchPage, StoreError> {
        let backend = self.db().get_database_backend();
        let window = self.search_window(query, filter).await?;
        if window.is_empty() {
            return Ok(SearchPage {
                hits: Vec::new(),
                has_next_page: false,
            });
        }
        let rank = Expr::col((Alias::new("hit"), Alias::new("rank")));
        let mut rows: Vec<(Uuid, f64)> = found(backend, query, filter, &window)
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

    /// How many tickets a search lists: those matching `query` and
    /// `filter`, at most [`MAX_HITS`].
    pub(crate) async fn count_search(&self, query: &SearchQuery, filter: &TicketFilter) -> Result<u64, StoreError> {
        Ok(self.search_window(query, filter).await?.len() as u64)
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
                        (SELECT websearch_to_tsquery({POSTGRES_LANGUAGE}, $1)), $2) AS snippet
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
    /// A page of the tickets within reach a search lists (`filter`'s
    /// `access` is replaced by the caller's), most relevant first, skipping
    /// the first `offset`.
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

    /// How many tickets within reach a search lists: at most [`MAX_HITS`].
    pub async fn count_search(&self, query: &SearchQuery, filter: &TicketFilter) -> Result<u64, StoreError> {
        let filter = TicketFilter {
            access: self.access().clone(),
            ..filter.clone()
        };
        self.store().count_search(query, &filter).await
    }
}
