//! Who is watching a chat right now, on any server, so a reply reaches a
//! visitor who left by mail instead.
//!
//! A visitor's live `chatMessages` subscription is held by one server, but
//! a reply may be written on another. Each server counts its own watchers
//! in memory (exact, at once) and records in the store which chats it holds
//! a visitor of, with an expiry its [`PresenceHeartbeat`] pushes forward;
//! a chat counts as watched when this server or any live row says so. The
//! rows of a server that died stop counting when they expire, so for up to
//! [`PRESENCE_LIFETIME`] after a crash a reply to its visitors is not mailed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use helpdesk_domain::ids::TicketId;
use helpdesk_domain::ticket::Channel;
use helpdesk_persistence::tickets::TicketRecord;
use helpdesk_persistence::{Store, StoreError};

use crate::worker::Job;

/// How often a server renews the presence rows of the visitors it holds.
pub const PRESENCE_HEARTBEAT: Duration = Duration::from_secs(10);
/// How long a presence row counts without renewal: three heartbeats, so a
/// late one or two do not make a visitor look gone.
pub const PRESENCE_LIFETIME: TimeDelta = TimeDelta::seconds(30);

/// Live `chatMessages` subscriptions per ticket: this process's, and
/// through the store every server's. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ChatPresence {
    store: Store,
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    /// Watchers per chat in this process.
    live: Mutex<HashMap<TicketId, usize>>,
    /// Store writes one at a time, each reading `live` when it runs, so a
    /// late "left" never deletes the row of a visitor who came back.
    writes: tokio::sync::Mutex<()>,
}

impl ChatPresence {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            shared: Arc::default(),
        }
    }

    /// Marks a visitor present, here and for every server, until the
    /// returned guard is dropped.
    pub async fn enter(&self, ticket: TicketId, now: DateTime<Utc>) -> PresenceGuard {
        let _write = self.shared.writes.lock().await;
        if let Ok(mut live) = self.shared.live.lock() {
            *live.entry(ticket).or_default() += 1;
        }
        let server = self.store.server_id();
        if let Err(err) = self
            .store
            .mark_chat_present(server, ticket, now + PRESENCE_LIFETIME)
            .await
        {
            // This server still knows; the others learn at the next heartbeat.
            tracing::warn!(%err, "cannot record a chat visitor's presence");
        }
        PresenceGuard {
            presence: self.clone(),
            ticket,
        }
    }

    /// Whether a visitor watches `ticket`'s chat at `now`, on any server.
    pub async fn is_present(&self, ticket: TicketId, now: DateTime<Utc>) -> bool {
        if self.watched_here(ticket) {
            return true;
        }
        match self.store.chat_visitor_present(ticket, now).await {
            Ok(present) => present,
            Err(err) => {
                // Mailing a visitor who watches is a duplicate; not mailing
                // one who left loses the reply.
                tracing::warn!(%err, "cannot ask whether a chat visitor is present; assuming gone");
                false
            }
        }
    }

    /// True for a chat ticket whose visitor is no longer watching: a public
    /// reply would go unseen in the chat, so it is mailed as well.
    pub async fn visitor_gone(&self, ticket: &TicketRecord, now: DateTime<Utc>) -> bool {
        ticket.channel == Channel::Chat && !self.is_present(ticket.id, now).await
    }

    fn watched_here(&self, ticket: TicketId) -> bool {
        self.shared
            .live
            .lock()
            .map(|live| live.get(&ticket).is_some_and(|n| *n > 0))
            .unwrap_or(false)
    }

    /// Renews this server's rows to exactly the chats it watches now, and
    /// sweeps rows that expired (left by servers that died).
    async fn renew(&self, now: DateTime<Utc>) -> Result<(), StoreError> {
        let _write = self.shared.writes.lock().await;
        let watched: Vec<TicketId> = self
            .shared
            .live
            .lock()
            .map(|live| live.keys().copied().collect())
            .unwrap_or_default();
        self.store
            .renew_chat_presence(self.store.server_id(), &watched, now + PRESENCE_LIFETIME, now)
            .await
    }

    /// The last watcher of `ticket` here left: drop this server's row, unless
    /// a watcher came back before the write's turn.
    async fn forget_if_unwatched(&self, ticket: TicketId) {
        let _write = self.shared.writes.lock().await;
        if self.watched_here(ticket) {
            return;
        }
        if let Err(err) = self.store.clear_chat_presence(self.store.server_id(), ticket).await {
            // The row runs out at its expiry, or goes at the next heartbeat.
            tracing::warn!(%err, "cannot record that a chat visitor left");
        }
    }
}

/// A visitor's presence in one chat; dropping it is leaving.
pub struct PresenceGuard {
    presence: ChatPresence,
    ticket: TicketId,
}

impl Drop for PresenceGuard {
    fn drop(&mut self) {
        let last = match self.presence.shared.live.lock() {
            Ok(mut live) => match live.get_mut(&self.ticket) {
                Some(n) => {
                    *n = n.saturating_sub(1);
                    let last = *n == 0;
                    if last {
                        live.remove(&self.ticket);
                    }
                    last
                }
                None => false,
            },
            Err(_) => false,
        };
        // Drop cannot wait for the store: the row goes in a task of its own
        // (without a runtime, at the next heartbeat).
        if last && let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (presence, ticket) = (self.presence.clone(), self.ticket);
            runtime.spawn(async move { presence.forget_if_unwatched(ticket).await });
        }
    }
}

/// The worker job that keeps this server's presence rows alive and sweeps
/// the expired rows of servers that died.
pub struct PresenceHeartbeat {
    presence: ChatPresence,
}

impl PresenceHeartbeat {
    pub fn new(presence: ChatPresence) -> Self {
        Self { presence }
    }
}

impl Job for PresenceHeartbeat {
    const NAME: &'static str = "chat presence";

    fn idle_pause(&self) -> Duration {
        PRESENCE_HEARTBEAT
    }

    async fn run_due(&mut self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        self.presence.renew(now).await?;
        // Nothing queued is ever left: wait a whole heartbeat.
        Ok(0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::BTreeSet;

    use helpdesk_domain::email::EmailAddress;
    use helpdesk_domain::ticket::{Actor, Priority};
    use helpdesk_persistence::each_store;
    use helpdesk_persistence::testing::TestDb;
    use helpdesk_persistence::tickets::{MailParts, NewTicket};

    use super::*;

    fn at() -> DateTime<Utc> {
        "2026-03-02T09:00:00Z".parse().unwrap()
    }

    async fn ticket(store: &Store, channel: Channel) -> TicketRecord {
        let new = NewTicket {
            subject: "Where is my parcel?".into(),
            body: "It has been a week.".into(),
            customer_email: EmailAddress::parse("ana@example.com").unwrap(),
            customer_name: None,
            channel,
            priority: Priority::Normal,
            tags: BTreeSet::new(),
            assignee: None,
            team: None,
            fcr_eligible: true,
            rfc_message_id: None,
            follow_up_of: None,
            mail: MailParts::default(),
        };
        store.create_ticket(new, Actor::System, at()).await.unwrap()
    }

    /// Leaving is written by a task of its own; a liveness bound, not a timing.
    async fn until_gone(presence: &ChatPresence, chat: &TicketRecord, now: DateTime<Utc>) {
        tokio::time::timeout(Duration::from_secs(10), async {
            while !presence.visitor_gone(chat, now).await {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .expect("the visitor's leaving reached the store");
    }

    async fn presence_lasts_as_long_as_a_guard(db: TestDb) {
        let presence = ChatPresence::new(db.store.clone());
        let chat = ticket(&db.store, Channel::Chat).await;
        assert!(presence.visitor_gone(&chat, at()).await, "nobody watches yet");
        let first = presence.enter(chat.id, at()).await;
        let second = presence.enter(chat.id, at()).await;
        drop(first);
        assert!(presence.is_present(chat.id, at()).await, "one tab is still open");
        drop(second);
        until_gone(&presence, &chat, at()).await;
    }

    async fn a_visitor_watching_on_another_server_is_present_here(db: TestDb) {
        // Two servers: two stores on one database, each with its presence.
        let here = ChatPresence::new(db.store.clone());
        let there = ChatPresence::new(Store::connect(&db.url).await.unwrap());
        let chat = ticket(&db.store, Channel::Chat).await;
        let watching = there.enter(chat.id, at()).await;
        assert!(
            !here.visitor_gone(&chat, at()).await,
            "the other server's visitor counts here"
        );

        // Had that server died, its word would run out...
        let later = at() + PRESENCE_LIFETIME + TimeDelta::seconds(1);
        assert!(here.visitor_gone(&chat, later).await);
        // ...but alive, its heartbeat keeps the visitor present.
        PresenceHeartbeat::new(there.clone()).run_due(later).await.unwrap();
        assert!(!here.visitor_gone(&chat, later).await);

        drop(watching);
        until_gone(&here, &chat, later).await;
    }

    async fn only_a_chat_without_its_visitor_counts_as_left(db: TestDb) {
        let presence = ChatPresence::new(db.store.clone());
        let mail = ticket(&db.store, Channel::Email).await;
        assert!(
            !presence.visitor_gone(&mail, at()).await,
            "a mail ticket has no visitor to leave"
        );
    }

    each_store!(
        presence_lasts_as_long_as_a_guard,
        a_visitor_watching_on_another_server_is_present_here,
        only_a_chat_without_its_visitor_counts_as_left,
    );
}
