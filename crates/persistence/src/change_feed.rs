//! Who hears that a ticket or an agent changed: the subscribers of this
//! process at once, and on PostgreSQL every other server on the database
//! through `LISTEN/NOTIFY`.
//!
//! After each commit the store announces the change to its local broadcast
//! channels and queues a notification; one task sends queued ones with
//! `pg_notify` (batched into one payload while they pile up). A server
//! that follows other servers ([`crate::Store::follow_other_servers`]) runs one
//! `PgListener` on a connection of its own and re-broadcasts what others
//! announced into the same local channels, so subscribers cannot tell where
//! a change was made.
//!
//! Each payload starts with its sender's [`ServerId`] and a server ignores
//! its own: it announced those locally at commit, without the round trip
//! and without depending on the listening connection being up. (Relying on
//! the echo instead would make every local subscriber wait on, and fail
//! with, that one connection.)
//!
//! Notifications sent while a listener was disconnected are lost; after
//! every (re)connection it announces [`TicketChange::Missed`], and
//! subscribers read the log for what they may have missed.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use helpdesk_domain::ids::{AgentId, ServerId, TicketId};
use sea_orm::sqlx::postgres::{PgListener, PgPool};
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinHandle;

/// The one PostgreSQL channel every server notifies and listens on.
const CHANNEL: &str = "helpdesk_changes";
/// Announcements in one notification: 150 of ~39 bytes stay well under
/// PostgreSQL's 8000-byte payload limit.
const BATCH: usize = 150;
/// The first and the longest pause before connecting the listener again.
const RECONNECT_MIN: Duration = Duration::from_millis(250);
const RECONNECT_MAX: Duration = Duration::from_secs(30);

/// What a ticket subscriber hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketChange {
    /// This ticket changed; its new events are in the log.
    Ticket(TicketId),
    /// Announcements may have been lost (the listener reconnected): read
    /// the log for changes since the last look.
    Missed,
}

/// A store's announcements; cheap to clone.
#[derive(Debug, Clone)]
pub(crate) struct ChangeFeed {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    server: ServerId,
    tickets: broadcast::Sender<TicketChange>,
    agents: broadcast::Sender<AgentId>,
    /// On PostgreSQL: where announcements go to other servers.
    notify: Option<mpsc::UnboundedSender<String>>,
    /// The listener task, when following other servers; ends with the store.
    listener: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Ok(mut listener) = self.listener.lock()
            && let Some(task) = listener.take()
        {
            task.abort();
        }
    }
}

impl ChangeFeed {
    /// A feed for a store on `pool` (PostgreSQL) or only in-process (`None`).
    pub(crate) fn new(pool: Option<PgPool>) -> Self {
        let server = ServerId::new();
        // Subscribers that fall this far behind skip ahead (they re-read
        // what they missed from the event log).
        let (tickets, _) = broadcast::channel(1024);
        let (agents, _) = broadcast::channel(64);
        let notify = pool.map(|pool| {
            let (queue, queued) = mpsc::unbounded_channel();
            tokio::spawn(send_notifications(pool, server, queued));
            queue
        });
        Self {
            inner: Arc::new(Inner {
                server,
                tickets,
                agents,
                notify,
                listener: Mutex::new(None),
            }),
        }
    }

    pub(crate) fn server(&self) -> ServerId {
        self.inner.server
    }

    pub(crate) fn subscribe_tickets(&self) -> broadcast::Receiver<TicketChange> {
        self.inner.tickets.subscribe()
    }

    pub(crate) fn subscribe_agents(&self) -> broadcast::Receiver<AgentId> {
        self.inner.agents.subscribe()
    }

    pub(crate) fn announce_ticket(&self, ticket: TicketId) {
        // No subscriber is not an error.
        let _ = self.inner.tickets.send(TicketChange::Ticket(ticket));
        self.tell_others(format!("t:{ticket}"));
    }

    pub(crate) fn announce_agent(&self, agent: AgentId) {
        let _ = self.inner.agents.send(agent);
        self.tell_others(format!("a:{agent}"));
    }

    fn tell_others(&self, item: String) {
        if let Some(notify) = &self.inner.notify {
            // Closed only while the store is being dropped.
            let _ = notify.send(item);
        }
    }

    /// Starts re-broadcasting other servers' announcements from `url`
    /// (once; later calls do nothing).
    pub(crate) fn follow(&self, url: &str) {
        let Ok(mut listener) = self.inner.listener.lock() else {
            return;
        };
        if listener.is_none() {
            *listener = Some(tokio::spawn(listen(
                url.to_owned(),
                self.inner.server,
                self.inner.tickets.clone(),
                self.inner.agents.clone(),
            )));
        }
    }
}

/// Sends queued announcements until the store is dropped. Through the sqlx
/// pool, not sea-orm's, so they stay out of the store's statement count.
async fn send_notifications(pool: PgPool, server: ServerId, mut queued: mpsc::UnboundedReceiver<String>) {
    while let Some(first) = queued.recv().await {
        let mut payload = format!("{server} {first}");
        for _ in 1..BATCH {
            let Ok(next) = queued.try_recv() else { break };
            payload.push(' ');
            payload.push_str(&next);
        }
        let sent = sea_orm::sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(&payload)
            .execute(&pool)
            .await;
        if let Err(err) = sent {
            // Other servers' subscribers catch up at their next change to
            // the same ticket; nothing here can do better.
            tracing::warn!(%err, "cannot notify other servers of a change");
        }
    }
}

/// Listens for other servers' announcements, reconnecting with backoff.
async fn listen(
    url: String,
    own: ServerId,
    tickets: broadcast::Sender<TicketChange>,
    agents: broadcast::Sender<AgentId>,
) {
    let mut pause = RECONNECT_MIN;
    loop {
        match connect(&url).await {
            Ok(mut listener) => {
                pause = RECONNECT_MIN;
                // Whatever was announced before this connection listened is
                // lost to us; subscribers look in the log.
                let _ = tickets.send(TicketChange::Missed);
                loop {
                    match listener.try_recv().await {
                        Ok(Some(notification)) => dispatch(notification.payload(), own, &tickets, &agents),
                        Ok(None) => {
                            tracing::warn!("change listener lost its connection; reconnecting");
                            break;
                        }
                        Err(err) => {
                            tracing::warn!(%err, "change listener failed; reconnecting");
                            break;
                        }
                    }
                }
            }
            Err(err) => tracing::warn!(%err, ?pause, "cannot listen for other servers' changes; retrying"),
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(RECONNECT_MAX);
    }
}

async fn connect(url: &str) -> Result<PgListener, sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    // A lost connection is reported at once, and this loop reconnects, so
    // it knows when to announce `Missed`.
    listener.eager_reconnect(false);
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Re-broadcasts one notification's announcements unless they are our own.
fn dispatch(
    payload: &str,
    own: ServerId,
    tickets: &broadcast::Sender<TicketChange>,
    agents: &broadcast::Sender<AgentId>,
) {
    let mut items = payload.split(' ');
    let origin = items.next().and_then(|s| s.parse::<ServerId>().ok());
    if origin.is_none_or(|origin| origin == own) {
        return;
    }
    for item in items {
        match item.split_once(':') {
            Some(("t", id)) => {
                if let Ok(id) = id.parse() {
                    let _ = tickets.send(TicketChange::Ticket(id));
                }
            }
            Some(("a", id)) => {
                if let Ok(id) = id.parse() {
                    let _ = agents.send(id);
                }
            }
            _ => tracing::warn!(item, "unknown change announcement"),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_notification_is_re_broadcast_unless_it_is_our_own() {
        let (tickets, mut heard_tickets) = broadcast::channel(8);
        let (agents, mut heard_agents) = broadcast::channel(8);
        let (own, other) = (ServerId::new(), ServerId::new());
        let (ticket, agent) = (TicketId::new(), AgentId::new());

        dispatch(&format!("{own} t:{ticket}"), own, &tickets, &agents);
        assert!(heard_tickets.try_recv().is_err(), "our own echo is skipped");

        dispatch(&format!("{other} t:{ticket} a:{agent} x:junk"), own, &tickets, &agents);
        assert_eq!(heard_tickets.try_recv().unwrap(), TicketChange::Ticket(ticket));
        assert_eq!(heard_agents.try_recv().unwrap(), agent);

        dispatch("not-a-server t:nonsense", own, &tickets, &agents);
        assert!(
            heard_tickets.try_recv().is_err(),
            "a payload without a sender is dropped"
        );
    }
}
