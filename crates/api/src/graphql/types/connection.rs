//! Relay-style pagination of tickets.

use async_graphql::Context;
use async_graphql::{InputObject, Object, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use helpdesk_persistence::tickets::{
    ScopedStore, TicketCursor, TicketFilter, TicketOrder as StoreOrder, TicketPage, TicketRecord,
};

use super::enums::{OrderDirection, TicketOrderField};
use super::ticket::{Ticket, prefetch};
use crate::ApiError;
use crate::error::ApiResult;

/// How to order a ticket listing (default: newest first).
#[derive(InputObject, Clone, Copy, Default)]
pub(crate) struct TicketOrder {
    #[graphql(default)]
    pub field: TicketOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl From<TicketOrder> for StoreOrder {
    fn from(o: TicketOrder) -> Self {
        use helpdesk_persistence::tickets::{SortDirection, TicketSortField};
        StoreOrder {
            field: match o.field {
                TicketOrderField::CreatedAt => TicketSortField::CreatedAt,
                TicketOrderField::UpdatedAt => TicketSortField::UpdatedAt,
                TicketOrderField::SlaDueAt => TicketSortField::SlaDueAt,
            },
            direction: match o.direction {
                OrderDirection::Asc => SortDirection::Asc,
                OrderDirection::Desc => SortDirection::Desc,
            },
        }
    }
}

/// Cursors are opaque to clients: base64 of the sort instant and the id.
pub(crate) fn encode_cursor(c: TicketCursor) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{}", c.at.to_rfc3339(), c.id))
}

pub(crate) fn decode_cursor(raw: &str) -> Result<TicketCursor, ApiError> {
    let invalid = || ApiError::BadUserInput(format!("invalid cursor {raw:?}"));
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (at, id) = text.split_once('|').ok_or_else(invalid)?;
    Ok(TicketCursor {
        at: DateTime::parse_from_rfc3339(at)
            .map_err(|_| invalid())?
            .with_timezone(&Utc),
        id: id.parse().map_err(|_| invalid())?,
    })
}

#[derive(SimpleObject)]
pub(crate) struct PageInfo {
    pub has_next_page: bool,
    /// Always false: listings page forward only.
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

impl PageInfo {
    /// A forward-only page (listings page forward only) whose first and
    /// last edges have these cursors.
    pub(crate) fn forward(has_next_page: bool, start_cursor: Option<String>, end_cursor: Option<String>) -> Self {
        PageInfo {
            has_next_page,
            has_previous_page: false,
            start_cursor,
            end_cursor,
        }
    }
}

pub(crate) struct TicketEdge {
    pub cursor: String,
    pub node: TicketRecord,
}

#[Object]
impl TicketEdge {
    async fn cursor(&self) -> &str {
        &self.cursor
    }

    async fn node(&self) -> Ticket {
        Ticket(self.node.clone())
    }
}

pub(crate) struct TicketConnection {
    pub edges: Vec<TicketEdge>,
    pub has_next_page: bool,
    /// What `totalCount` counts, when asked: the caller's reach and filter.
    pub matching: (ScopedStore, TicketFilter),
}

#[Object]
impl TicketConnection {
    async fn edges(&self) -> &[TicketEdge] {
        &self.edges
    }

    async fn nodes(&self) -> Vec<Ticket> {
        self.edges.iter().map(|e| Ticket(e.node.clone())).collect()
    }

    async fn page_info(&self) -> PageInfo {
        PageInfo::forward(
            self.has_next_page,
            self.edges.first().map(|e| e.cursor.clone()),
            self.edges.last().map(|e| e.cursor.clone()),
        )
    }

    /// Tickets matching the filter, on all pages.
    async fn total_count(&self) -> ApiResult<u64> {
        // Counted only when selected: it reads every matching ticket, which
        // a queue page of 50 otherwise never does.
        let (scope, filter) = &self.matching;
        Ok(scope.count_tickets(filter).await?)
    }
}

/// The most tickets one page holds, and the page when `first` is not given.
pub(crate) const MAX_TICKET_PAGE: i32 = 100;
pub(crate) const DEFAULT_TICKET_PAGE: i32 = 20;

/// A page of the tickets `scope` reaches that match `filter`: the one
/// listing behind `tickets` and `Customer.tickets`. The page is read only
/// when asked for (`{ totalCount }` alone reads none), and the tickets'
/// customers, assignees and teams are loaded for the whole page at once.
pub(crate) async fn ticket_connection(
    ctx: &Context<'_>,
    scope: ScopedStore,
    filter: TicketFilter,
    order: TicketOrder,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<TicketConnection> {
    let first = first.unwrap_or(DEFAULT_TICKET_PAGE);
    if !(0..=MAX_TICKET_PAGE).contains(&first) {
        return Err(ApiError::BadUserInput(format!(
            "first must be between 0 and {MAX_TICKET_PAGE}"
        )));
    }
    let after = after.as_deref().map(decode_cursor).transpose()?;
    let order: StoreOrder = order.into();
    let selection = ctx.look_ahead();
    let wants_page = ["edges", "nodes", "pageInfo"]
        .iter()
        .any(|f| selection.field(f).exists());
    let page = if wants_page {
        scope
            .list_tickets(&filter, order, first.unsigned_abs().into(), after)
            .await?
    } else {
        TicketPage {
            tickets: Vec::new(),
            has_next_page: false,
        }
    };
    prefetch(ctx, &page.tickets, selection.field("edges").field("node")).await?;
    prefetch(ctx, &page.tickets, selection.field("nodes")).await?;
    let edges = page
        .tickets
        .into_iter()
        .map(|t| TicketEdge {
            cursor: encode_cursor(order.cursor_of(&t)),
            node: t,
        })
        .collect();
    Ok(TicketConnection {
        edges,
        has_next_page: page.has_next_page,
        matching: (scope, filter),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = TicketCursor {
            at: Utc::now(),
            id: helpdesk_domain::ids::TicketId::new(),
        };
        assert_eq!(decode_cursor(&encode_cursor(c)).unwrap(), c);
        assert!(matches!(decode_cursor("nope"), Err(ApiError::BadUserInput(_))));
    }
}
