//! Full-text search results: a Relay connection of tickets, most relevant
//! first, each edge with the snippet that matched and its rank.

use async_graphql::{Context, Object};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use helpdesk_domain::search::{MAX_HITS, SearchQuery};
use helpdesk_persistence::tickets::{ScopedStore, SearchHit, SearchPage, TicketFilter};

use super::connection::{DEFAULT_TICKET_PAGE, MAX_TICKET_PAGE, PageInfo};
use super::ticket::{Ticket, prefetch};
use crate::ApiError;
use crate::error::ApiResult;

/// How deep a search pages: as many hits as it lists.
pub(crate) const MAX_SEARCH_DEPTH: u64 = MAX_HITS as u64;

/// Search cursors are opaque to clients: base64 of the position in the
/// result list (a ranked list has no stable key to resume from).
fn encode_cursor(position: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("search|{position}"))
}

fn decode_cursor(raw: &str) -> Result<u64, ApiError> {
    let invalid = || ApiError::BadUserInput(format!("invalid cursor {raw:?}"));
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    text.strip_prefix("search|")
        .and_then(|n| n.parse().ok())
        .ok_or_else(invalid)
}

pub(crate) struct SearchEdge {
    cursor: String,
    hit: SearchHit,
}

#[Object]
impl SearchEdge {
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    async fn node(&self) -> Ticket {
        Ticket(self.hit.ticket.clone())
    }

    /// The text around the hits (subject, messages and notes, customer or
    /// tags), HTML-escaped, each hit wrapped in `<mark>`: safe to insert
    /// as HTML.
    async fn snippet(&self) -> &str {
        &self.hit.snippet
    }

    /// Relevance, higher first; it orders this result list and means
    /// nothing across queries.
    async fn rank(&self) -> f64 {
        self.hit.rank
    }
}

pub(crate) struct SearchConnection {
    edges: Vec<SearchEdge>,
    has_next_page: bool,
    /// What `totalCount` counts, when asked.
    matching: (ScopedStore, SearchQuery, TicketFilter),
}

#[Object]
impl SearchConnection {
    async fn edges(&self) -> &[SearchEdge] {
        &self.edges
    }

    async fn page_info(&self) -> PageInfo {
        PageInfo::forward(
            self.has_next_page,
            self.edges.first().map(|e| e.cursor.clone()),
            self.edges.last().map(|e| e.cursor.clone()),
        )
    }

    /// Hits on all pages: the tickets matching, at most 1,000.
    async fn total_count(&self) -> ApiResult<u64> {
        let (scope, query, filter) = &self.matching;
        Ok(scope.count_search(query, filter).await?)
    }
}

/// A page of the tickets `scope` reaches that match `query` and `filter`.
pub(crate) async fn search_connection(
    ctx: &Context<'_>,
    scope: ScopedStore,
    query: &str,
    filter: TicketFilter,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<SearchConnection> {
    let query = SearchQuery::parse(query)?;
    let first = first.unwrap_or(DEFAULT_TICKET_PAGE);
    if !(0..=MAX_TICKET_PAGE).contains(&first) {
        return Err(ApiError::BadUserInput(format!(
            "first must be between 0 and {MAX_TICKET_PAGE}"
        )));
    }
    let offset = after.as_deref().map(decode_cursor).transpose()?.unwrap_or(0);
    let first = u64::from(first.unsigned_abs()).min(MAX_SEARCH_DEPTH.saturating_sub(offset));
    let selection = ctx.look_ahead();
    let page = if selection.field("edges").exists() || selection.field("pageInfo").exists() {
        scope.search_tickets(&query, &filter, first, offset).await?
    } else {
        SearchPage {
            hits: Vec::new(),
            has_next_page: false,
        }
    };
    let tickets: Vec<_> = page.hits.iter().map(|h| h.ticket.clone()).collect();
    prefetch(ctx, &tickets, selection.field("edges").field("node")).await?;
    let edges = page
        .hits
        .into_iter()
        .enumerate()
        .map(|(n, hit)| SearchEdge {
            cursor: encode_cursor(offset + n as u64 + 1),
            hit,
        })
        .collect::<Vec<_>>();
    let has_next_page = page.has_next_page && offset + (edges.len() as u64) < MAX_SEARCH_DEPTH;
    Ok(SearchConnection {
        edges,
        has_next_page,
        matching: (scope, query, filter),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_others_are_refused() {
        assert_eq!(decode_cursor(&encode_cursor(40)).unwrap(), 40);
        assert!(matches!(decode_cursor("nope"), Err(ApiError::BadUserInput(_))));
        let ticket_cursor = URL_SAFE_NO_PAD.encode("2026-01-01T00:00:00Z|x");
        assert!(matches!(decode_cursor(&ticket_cursor), Err(ApiError::BadUserInput(_))));
    }
}
