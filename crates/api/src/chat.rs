//! Who is watching a chat right now, so a reply reaches a visitor who left
//! by mail instead.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use helpdesk_domain::ids::TicketId;

/// Live `chatMessages` subscriptions per ticket, in this process.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChatPresence {
    live: Arc<Mutex<HashMap<TicketId, usize>>>,
}

impl ChatPresence {
    /// Marks a visitor present until the returned guard is dropped.
    pub(crate) fn enter(&self, ticket: TicketId) -> PresenceGuard {
        if let Ok(mut live) = self.live.lock() {
            *live.entry(ticket).or_default() += 1;
        }
        PresenceGuard {
            live: Arc::clone(&self.live),
            ticket,
        }
    }

    pub(crate) fn is_present(&self, ticket: TicketId) -> bool {
        self.live
            .lock()
            .map(|live| live.get(&ticket).is_some_and(|n| *n > 0))
            .unwrap_or(false)
    }
}

pub(crate) struct PresenceGuard {
    live: Arc<Mutex<HashMap<TicketId, usize>>>,
    ticket: TicketId,
}

impl Drop for PresenceGuard {
    fn drop(&mut self) {
        if let Ok(mut live) = self.live.lock()
            && let Some(n) = live.get_mut(&self.ticket)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                live.remove(&self.ticket);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_lasts_as_long_as_a_guard() {
        let presence = ChatPresence::default();
        let ticket = TicketId::new();
        let first = presence.enter(ticket);
        let second = presence.enter(ticket);
        drop(first);
        assert!(presence.is_present(ticket));
        drop(second);
        assert!(!presence.is_present(ticket));
    }
}
