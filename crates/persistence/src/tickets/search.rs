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
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query, QueryStatementBuilder, SelectStatement};
use sea_orm::{ConnectionTrait, DbBackend, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement, Value};
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

/// The documents of `window` (tickets matching `query`) ranked for
/// `query`, as rows `(ticket_id, rank)`.
fn ranked(backend: DbBackend, query: &SearchQuery, window: &[Uuid]) -> SelectStatement {
    let mut select = match backend {
        DbBackend::Postgres => Query::select()
            .column((Alias::new("ticket_search"), Alias::new("ticket_id")))
            .expr_as(
                Expr::cust_with_values(postgres_rank("document"), [query.websearch()]),
                Alias::new("rank"),
            )
            // The window holds matches only: no need to match again.
            .from(Alias::new("ticket_search"))
            .to_owned(),
        _ => fts5_matches(query)
            // BM25 is smaller for better matches; columns weigh 10, 5, 5, 1.
            .expr_as(
                Expr::cust("-bm25(ticket_search_fts, 10.0, 5.0, 5.0, 1.0)"),
                Alias::new("rank"),
            )
            .to_owned(),
    };
    select.and_where(id_among(backend, "ticket_search.ticket_id", window));
    select
}

/// `column` (a uuid column, named as SQL) is one of `ids`. On PostgreSQL
/// the ids are one array value: a list of a thousand parameters costs
/// more to plan than the statement costs to run.
fn id_among(backend: DbBackend, column: &str, ids: &[Uuid]) -> Expr {
    match backend {
        DbBackend::Postgres => {
            let array = format!("{{{}}}", ids.iter().map(Uuid::to_string).collect::<Vec<_>>().join(","));
            Expr::cust_with_values(format!("{column} = ANY(CAST($1 AS uuid[]))"), [array])
        }
        _ => Expr::cust(column.to_owned()).is_in(ids.iter().copied()),
    }
}

/// PostgreSQL's rank of `document` (a tsvector, named as SQL) for the
/// query bound as `$1`.
fn postgres_rank(document: &str) -> String {
    format!("ts_rank({document}, {}, 1)::float8", tsquery())
}

/// PostgreSQL's parse of a query bound as its one value (`$1`), in the desk's
/// language. A scalar subquery, so that it is parsed once per statement
/// (an init plan): as a function in FROM, a plan that loops over
/// documents first parses it again for each of them, 0.2 to 0.6 ms a
/// time.
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
/// given), each with whether it is wanted: matching `query`, its ticket
/// within `filter` (`ticket_id`, `wanted`, `document`). The `LIMIT` inside
/// makes the walk the plan. The filter is a lookup of the ticket, made for
/// matching documents only: a scalar subquery (true or null), which the
/// planner runs per row as written. As a join, or as `EXISTS` (which it
/// may hash), on a store with stale statistics it read every ticket to
/// meet 2,000 documents (150 to 300 ms at 250,000 tickets).
fn walk(query: &SearchQuery, filter: &TicketFilter, n: u64, before: Option<Uuid>) -> SelectStatement {
    let id = (Alias::new("ticket_search"), Alias::new("ticket_id"));
    let within = filtered(filter)
        .select_only()
        .expr(Expr::val(true))
        .filter(Expr::col((ticket::Entity, ticket::Column::Id)).equals(id.clone()))
        .into_query();
    let within = Expr::SubQuery(None, Box::new(within.into_sub_query_statement()));
    let mut walk = Query::select()
        .column(id.clone())
        .expr_as(postgres_match(query).and(within), Alias::new("wanted"))
        .column((Alias::new("ticket_search"), Alias::new("document")))
        .from(Alias::new("ticket_search"))
        .order_by(id.clone(), sea_orm::Order::Desc)
        .limit(n)
        .to_owned();
    if let Some(before) = before {
        walk.and_where(Expr::col(id).lt(before));
    }
    walk
}

/// What a [`walk`] finds (`ticket_id`, and `rank` where it is wanted,
/// else null), newest first. Ranked there: the walk holds each document,
/// and ranking it later would read it a second time.
fn walked(query: &SearchQuery, walk: SelectStatement) -> SelectStatement {
    Query::select()
        .column((Alias::new("walk"), Alias::new("ticket_id")))
        .expr_as(
            Expr::cust_with_values(
                format!("CASE WHEN walk.wanted THEN {} END", postgres_rank("walk.document")),
                [query.websearch()],
            ),
            Alias::new("rank"),
        )
        .from_subquery(walk, Alias::new("walk"))
        .order_by((Alias::new("walk"), Alias::new("ticket_id")), sea_orm::Order::Desc)
        .to_owned()
}

/// The wanted rows of a [`walked`], with their rank.
fn wanted(rows: Vec<(Uuid, Option<f64>)>) -> Vec<(Uuid, f64)> {
    rows.into_iter().filter_map(|(id, rank)| Some((id, rank?))).collect()
}

/// The tickets a search lists, newest first.
enum Window {
    /// Ranked on the way (PostgreSQL's walk over the newest documents).
    Ranked(Vec<(Uuid, f64)>),
    /// Yet to be ranked.
    Found(Vec<Uuid>),
}

impl Window {
    fn len(&self) -> usize {
        match self {
            Window::Ranked(hits) => hits.len(),
            Window::Found(ids) => ids.len(),
        }
    }
}

/// What the newest [`PROBE`] documents tell about a query.
struct Probe {
    /// How many there were: fewer only in a small store.
    looked_at: u64,
    /// The tickets among them matching the query and the filter, newest
    /// first, with their rank.
    matches: Vec<(Uuid, f64)>,
    /// The oldest document looked at.
    last: Option<Uuid>,
}

impl Store {
    /// The tickets a search lists: every ticket matching `query` and
    /// `filter` when there are at most [`MAX_HITS`], else the `MAX_HITS`
    /// newest of them (ids are time-ordered, so newest is highest).
    async fn search_window(&self, query: &SearchQuery, filter: &TicketFilter) -> Result<Window, StoreError> {
        match self.db().get_database_backend() {
            DbBackend::Postgres => self.postgres_search_window(query, filter).await,
            // FTS5 lists a word's documents from its own index at a cost
            // proportional to them; the join and sort that follow are the
            // whole of the work.
            backend => Ok(Window::Found(
                self.newest_of(filter, matching(backend, query), MAX_HITS).await?,
            )),
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
    /// ([`MAX_WALK`] at most, in as many walks as it takes); otherwise
    /// it takes the text index's matches, up to [`MAX_INDEXED`]. Only a
    /// common word under a narrow filter is left to the planner.
    async fn postgres_search_window(&self, query: &SearchQuery, filter: &TicketFilter) -> Result<Window, StoreError> {
        let db = self.db();
        let Probe {
            mut looked_at,
            mut matches,
            last,
        } = self.probe(query, filter).await?;
        if looked_at < PROBE || matches.len() >= MAX_HITS {
            // The whole store was looked at, or the window is already found.
            matches.truncate(MAX_HITS);
            return Ok(Window::Ranked(matches));
        }
        let mut before = last;
        // Each walk goes as far as the matches met so far say a window
        // needs, with a margin; one that falls short (the words were
        // rarer in it) is followed by another, from where it stopped.
        while let (Some(from), matched @ 1..) = (before, matches.len() as u64) {
            let needed = (MAX_HITS as u64 * looked_at).div_ceil(matched) * 5 / 4;
            if needed > MAX_WALK {
                break;
            }
            let n = Ord::max(needed.saturating_sub(looked_at), 1);
            let mut rest = walked(query, walk(query, filter, n, Some(from)));
            rest.and_where(Expr::col((Alias::new("walk"), Alias::new("wanted"))))
                .limit((MAX_HITS - matches.len()) as u64);
            matches.extend(wanted(self.ranks(&rest).await?));
            if matches.len() == MAX_HITS {
                return Ok(Window::Ranked(matches));
            }
            looked_at += n;
            before = self.document_before(from, n).await?;
            if before.is_none() {
                // The walk reached the oldest document: every match is in.
                return Ok(Window::Ranked(matches));
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
            return Ok(Window::Found(
                filtered(filter)
                    .select_only()
                    .column(ticket::Column::Id)
                    .filter(id_among(DbBackend::Postgres, "tickets.id", &indexed))
                    .order_by(ticket::Column::Id, sea_orm::Order::Desc)
                    .limit(MAX_HITS as u64)
                    .into_tuple()
                    .all(db)
                    .await?,
            ));
        }
        Ok(Window::Found(
            self.newest_of(filter, matching(DbBackend::Postgres, query), MAX_HITS)
                .await?,
        ))
    }

    /// The rows `(ticket_id, rank)` of `statement`.
    async fn ranks<R: sea_orm::TryGetable>(&self, statement: &SelectStatement) -> Result<Vec<(Uuid, R)>, StoreError> {
        Ok(self
            .db()
            .query_all(statement)
            .await?
            .iter()
            .map(|row| Ok((row.try_get("", "ticket_id")?, row.try_get("", "rank")?)))
            .collect::<Result<_, sea_orm::DbErr>>()?)
    }

    /// The ticket of the `n`th document older than the ticket `from`'s,
    /// if there are that many: where a walk of `n` from `from` stopped.
    async fn document_before(&self, from: Uuid, n: u64) -> Result<Option<Uuid>, StoreError> {
        let id = (Alias::new("ticket_search"), Alias::new("ticket_id"));
        let boundary = Query::select()
            .column(id.clone())
            .from(Alias::new("ticket_search"))
            .and_where(Expr::col(id.clone()).lt(from))
            .order_by(id, sea_orm::Order::Desc)
            .offset(n - 1)
            .limit(1)
            .to_owned();
        Ok(self
            .db()
            .query_one(&boundary)
            .await?
            .map(|row| row.try_get("", "ticket_id"))
            .transpose()?)
    }

    /// Looks at the newest [`PROBE`] documents.
    async fn probe(&self, query: &SearchQuery, filter: &TicketFilter) -> Result<Probe, StoreError> {
        let rows: Vec<(Uuid, Option<f64>)> = self.ranks(&walked(query, walk(query, filter, PROBE, None))).await?;
        Ok(Probe {
            looked_at: rows.len() as u64,
            last: rows.last().map(|(id, _)| *id),
            matches: wanted(rows),
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
        let rows_asked = first.saturating_add(1);
        let mut rows: Vec<(Uuid, f64)> = match self.search_window(query, filter).await? {
            Window::Ranked(mut hits) => {
                // The order the statement below gives.
                hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                hits.into_iter()
                    .skip(usize::try_from(offset).unwrap_or(usize::MAX))
                    .take(usize::try_from(rows_asked).unwrap_or(usize::MAX))
                    .collect()
            }
            Window::Found(ids) if ids.is_empty() => Vec::new(),
            Window::Found(ids) => {
                let hit = Alias::new("hit");
                let page = Query::select()
                    .column((hit.clone(), Alias::new("ticket_id")))
                    .column((hit.clone(), Alias::new("rank")))
                    .from_subquery(ranked(backend, query, &ids), hit.clone())
                    .order_by((hit.clone(), Alias::new("rank")), sea_orm::Order::Desc)
                    .order_by((hit, Alias::new("ticket_id")), sea_orm::Order::Asc)
                    .limit(rows_asked)
                    .offset(offset)
                    .to_owned();
                self.ranks(&page).await?
            }
        };
        if rows.is_empty() {
            return Ok(SearchPage {
                hits: Vec::new(),
                has_next_page: false,
            });
        }
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
