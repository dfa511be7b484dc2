//! Live updates: agents follow ticket changes; chat visitors get replies.

use std::collections::{HashMap, VecDeque};

use async_graphql::{Context, ID, Subscription};
use futures_util::Stream;
use futures_util::stream;
use helpdesk_channels::chat;
use helpdesk_domain::ids::{AgentId, TicketId};
use helpdesk_persistence::tickets::EventRecord;
use helpdesk_persistence::{Store, TicketChange};
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;

use super::types::chat::ChatMessage;
use super::types::event::TicketEvent;
use super::types::{parse_id, state};
use crate::auth::viewer::{self, Authentication, Viewer, viewer_of};
use crate::error::ApiResult;
use crate::{ApiError, AppState};

#[derive(Default)]
pub struct Subscription;

/// Follows ticket changes announced by the store (made on this server or,
/// on PostgreSQL, on any other) and reads each changed ticket's new events
/// from the log, so nothing is sent that is not stored.
struct EventFeed {
    store: Store,
    changes: Receiver<TicketChange>,
    only: Option<TicketId>,
    /// For an agent's feed: whose it is, re-checked when their access changes.
    guard: Option<Guard>,
    /// Events up to here were written before the feed started.
    start: i64,
    /// Per ticket, the newest event already delivered. Per-ticket cursors are
    /// exact because each ticket's writes are serialised by its row lock.
    seen: HashMap<TicketId, i64>,
    /// When announcements may have been lost, tickets with events after
    /// this are read again; it moves up to the log's newest event each time
    /// (changes committed later are announced again).
    floor: i64,
    /// Tickets to read again after a loss of announcements.
    recheck: VecDeque<TicketId>,
    ready: VecDeque<EventRecord>,
}

/// An agent's feed sends only tickets within their reach, and ends the
/// moment their token stops being valid (deactivated, password changed).
struct Guard {
    state: AppState,
    viewer: Viewer,
    agent_changes: Receiver<AgentId>,
}

impl Guard {
    /// Reads the agent again; `false` when their token no longer holds.
    async fn still_valid(&mut self) -> bool {
        match viewer_of(&self.state, self.viewer.subject()).await {
            Ok(Authentication::Valid(now)) => {
                self.viewer = now;
                true
            }
            Ok(_) => false,
            // A store hiccup is not a revocation; the next check decides.
            Err(err) => {
                tracing::warn!(error = %err.message(), "cannot re-check a subscriber");
                true
            }
        }
    }

    async fn may_see(&self, ticket: TicketId) -> bool {
        if self.viewer.access.is_everything() {
            return true;
        }
        matches!(self.viewer.tickets(&self.state).ticket(ticket).await, Ok(Some(_)))
    }
}

enum Next {
    Event(EventRecord),
    /// The agent's token stopped being valid.
    Revoked,
}

impl EventFeed {
    async fn start(store: Store, only: Option<TicketId>, guard: Option<Guard>) -> ApiResult<Self> {
        // Subscribe before reading the high-water mark, so no change committed
        // after the mark can go unannounced.
        let changes = store.subscribe_changes();
        let start = store.latest_event_id().await?;
        Ok(Self {
            store,
            changes,
            only,
            guard,
            start,
            seen: HashMap::new(),
            floor: start,
            recheck: VecDeque::new(),
            ready: VecDeque::new(),
        })
    }

    /// Queues every ticket with events after the floor to be read again.
    async fn catch_up(&mut self) {
        let result = async {
            let newest = self.store.latest_event_id().await?;
            let tickets = self.store.tickets_with_events_after(self.floor).await?;
            Ok::<_, helpdesk_persistence::StoreError>((newest, tickets))
        }
        .await;
        match result {
            Ok((newest, tickets)) => {
                self.floor = newest;
                let wanted = tickets.into_iter().filter(|t| self.only.is_none_or(|only| only == *t));
                self.recheck.extend(wanted);
            }
            Err(err) => tracing::error!(%err, "event subscriber cannot catch up from the log"),
        }
    }

    /// Reads `ticket`'s events the feed has not delivered, if it may.
    async fn read(&mut self, ticket: TicketId) {
        if self.only.is_some_and(|only| only != ticket) {
            return;
        }
        if let Some(guard) = &self.guard
            && !guard.may_see(ticket).await
        {
            return;
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

    async fn next(&mut self) -> Option<Next> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Some(Next::Event(event));
            }
            if let Some(ticket) = self.recheck.pop_front() {
                self.read(ticket).await;
                continue;
            }
            let changed = match &mut self.guard {
                None => self.changes.recv().await,
                Some(guard) => tokio::select! {
                    agent = guard.agent_changes.recv() => {
                        let concerns_us = match agent {
                            Ok(agent) => agent == guard.viewer.agent_id,
                            Err(RecvError::Lagged(_)) => true,
                            Err(RecvError::Closed) => false,
                        };
                        if concerns_us && !guard.still_valid().await {
                            return Some(Next::Revoked);
                        }
                        continue;
                    }
                    changed = self.changes.recv() => changed,
                },
            };
            match changed {
                Ok(TicketChange::Ticket(ticket)) => self.read(ticket).await,
                Ok(TicketChange::Missed) | Err(RecvError::Lagged(_)) => {
                    // Announcements were lost (another server's, while the
                    // listener reconnected, or ours, while this feed fell
                    // behind): the agent's own may be among them.
                    if let Some(guard) = &mut self.guard
                        && !guard.still_valid().await
                    {
                        return Some(Next::Revoked);
                    }
                    self.catch_up().await;
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }
}

#[Subscription(name = "Subscription")]
impl Subscription {
    /// Every change to one ticket, or with no `ticketId` to all tickets the
    /// caller may see, as the history entries it wrote. Agents only. The
    /// stream ends with an UNAUTHENTICATED error the moment the caller's
    /// token stops being valid (deactivated, password changed).
    ///
    /// See docs/api.md#following-ticket-changes.
    async fn ticket_events(
        &self,
        ctx: &Context<'_>,
        ticket_id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<TicketEvent>> + use<>> {
        let viewer = viewer::agent(ctx)?.clone();
        let state = state(ctx)?;
        let only = ticket_id
            .as_ref()
            .map(|id| parse_id::<TicketId>(id, "ticketId"))
            .transpose()?;
        if let Some(ticket) = only
            && viewer.tickets(state).ticket(ticket).await?.is_none()
        {
            return Err(ApiError::NotFound("ticket").into());
        }
        let guard = Guard {
            agent_changes: state.store.subscribe_agent_changes(),
            state: state.clone(),
            viewer,
        };
        let feed = EventFeed::start(state.store.clone(), only, Some(guard)).await?;
        Ok(stream::unfold(Some(feed), |feed| async move {
            let mut feed = feed?;
            match feed.next().await? {
                Next::Event(e) => Some((Ok(TicketEvent(e)), Some(feed))),
                Next::Revoked => {
                    let err = ApiError::Unauthenticated("the access token was revoked");
                    Some((Err(err.into()), None))
                }
            }
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
        let feed = EventFeed::start(state.store.clone(), Some(session.ticket_id), None).await?;
        // While this stream lives the visitor counts as present, so replies
        // are not mailed to them as well.
        let presence = state.chat_presence.enter(session.ticket_id, state.clock.now()).await;
        let store = state.store.clone();
        Ok(stream::unfold(
            (feed, store, presence),
            |(mut feed, store, presence)| async move {
                loop {
                    let Next::Event(event) = feed.next().await? else {
                        return None;
                    };
                    if let Ok(Some(message)) = chat::desk_reply(&store, &event).await {
                        return Some((ChatMessage(message), (feed, store, presence)));
                    }
                }
            },
        ))
    }
}
