//! Live updates: agents follow ticket changes; chat visitors get replies.

use std::collections::{HashMap, VecDeque};

use async_graphql::{Context, ID, Subscription};
use futures_util::Stream;
use futures_util::stream;
use helpdesk_channels::chat;
use helpdesk_domain::ids::TicketId;
use helpdesk_persistence::Store;
use helpdesk_persistence::tickets::EventRecord;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;

use super::types::chat::ChatMessage;
use super::types::event::TicketEvent;
use super::types::{parse_id, state};
use crate::ApiError;
use crate::auth::viewer;
use crate::error::ApiResult;

#[derive(Default)]
pub struct Subscription;

/// Follows ticket changes announced by the store and reads each changed
/// ticket's new events from the log, so nothing is sent that is not stored.
struct EventFeed {
    store: Store,
    changes: Receiver<TicketId>,
    only: Option<TicketId>,
    /// Events up to here were written before the feed started.
    start: i64,
    /// Per ticket, the newest event already delivered. Per-ticket cursors are
    /// exact because each ticket's writes are serialised by its row lock.
    seen: HashMap<TicketId, i64>,
    ready: VecDeque<EventRecord>,
}

impl EventFeed {
    async fn start(store: Store, only: Option<TicketId>) -> ApiResult<Self> {
        // Subscribe before reading the high-water mark, so no change committed
        // after the mark can go unannounced.
        let changes = store.subscribe_changes();
        let start = store.latest_event_id().await?;
        Ok(Self {
            store,
            changes,
            only,
            start,
            seen: HashMap::new(),
            ready: VecDeque::new(),
        })
    }

    async fn next(&mut self) -> Option<EventRecord> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Some(event);
            }
            let ticket = match self.changes.recv().await {
                Ok(ticket) => ticket,
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "event subscriber fell behind; some changes skipped");
                    continue;
                }
                Err(RecvError::Closed) => return None,
            };
            if self.only.is_some_and(|only| only != ticket) {
                continue;
            }
            let after = *self.seen.get(&ticket).unwrap_or(&self.start);
            match self.store.ticket_events_after(ticket, after).await {
                Ok(events) => {
                    if let Some(last) = events.last() {
                        self.seen.insert(ticket, last.id);
                    }
                    self.ready.extend(events);
                }
                Err(err) => tracing::error!(%err, "event subscriber cannot read the log"),
            }
        }
    }
}

#[Subscription(name = "Subscription")]
impl Subscription {
    /// Every change to one ticket, or with no `ticketId` to all tickets, as
    /// the history entries it wrote. Agents only.
    ///
    /// See docs/api.md#following-ticket-changes.
    async fn ticket_events(
        &self,
        ctx: &Context<'_>,
        ticket_id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = TicketEvent> + use<>> {
        viewer::agent(ctx)?;
        let only = ticket_id
            .as_ref()
            .map(|id| parse_id::<TicketId>(id, "ticketId"))
            .transpose()?;
        let feed = EventFeed::start(state(ctx)?.store.clone(), only).await?;
        Ok(stream::unfold(feed, |mut feed| async move {
            feed.next().await.map(|e| (TicketEvent(e), feed))
        }))
    }

    /// The desk's public replies in a chat, live, for the visitor holding
    /// `token` (from `startChat`).
    ///
    /// See docs/api.md#live-chat-for-a-website-widget.
    async fn chat_messages(
        &self,
        ctx: &Context<'_>,
        token: String,
    ) -> async_graphql::Result<impl Stream<Item = ChatMessage> + use<>> {
        let state = state(ctx)?;
        // Through ApiError, so the refusal carries its code.
        let session = chat::session(&state.store, &token, state.clock.now(), state.limits.chat_token_ttl)
            .await
            .map_err(ApiError::from)?;
        let feed = EventFeed::start(state.store.clone(), Some(session.ticket_id)).await?;
        // While this stream lives the visitor counts as present, so replies
        // are not mailed to them as well.
        let presence = state.chat_presence.enter(session.ticket_id);
        let store = state.store.clone();
        Ok(stream::unfold(
            (feed, store, presence),
            |(mut feed, store, presence)| async move {
                loop {
                    let event = feed.next().await?;
                    if let Ok(Some(message)) = chat::desk_reply(&store, &event).await {
                        return Some((ChatMessage(message), (feed, store, presence)));
                    }
                }
            },
        ))
    }
}
