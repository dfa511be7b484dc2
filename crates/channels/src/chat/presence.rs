//! Who is watching a chat right now, so a reply reaches a visitor who left
//! by mail instead.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use helpdesk_domain::ids::TicketId;
use helpdesk_domain::ticket::Channel;
use helpdesk_persistence::tickets::TicketRecord;

/// Live `chatMessages` subscriptions per ticket, in this process.
#[derive(Debug, Clone, Default)]
pub struct ChatPresence {
    live: Arc<Mutex<HashMap<TicketId, usize>>>,
}

impl ChatPresence {
    /// Marks a visitor present until the returned guard is dropped.
    pub fn enter(&self, ticket: TicketId) -> PresenceGuard {
        if let Ok(mut live) = self.live.lock() {
            *live.entry(ticket).or_default() += 1;
        }
        PresenceGuard {
            live: Arc::clone(&self.live),
            ticket,
        }
    }

    pub fn is_present(&self, ticket: TicketId) -> bool {
        self.live
            .lock()
            .map(|live| live.get(&ticket).is_some_and(|n| *n > 0))
            .unwrap_or(false)
    }

    /// True for a chat ticket whose visitor is no longer watching: a public
    /// reply would go unseen in the chat, so it is mailed as well.
    pub fn visitor_gone(&self, ticket: &TicketRecord) -> bool {
        ticket.channel == Channel::Chat && !self.is_present(ticket.id)
    }
}

/// A visitor's presence in one chat; dropping it is leaving.
pub struct PresenceGuard {
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

    fn ticket(channel: Channel) -> TicketRecord {
        let at = chrono::DateTime::UNIX_EPOCH;
        TicketRecord {
            id: TicketId::new(),
            number: 1,
            subject: "Hi".into(),
            status: helpdesk_domain::ticket::TicketStatus::New,
            priority: helpdesk_domain::ticket::Priority::Normal,
            channel,
            customer_id: helpdesk_domain::ids::CustomerId::new(),
            assignee_id: None,
            team_id: None,
            fcr_eligible: true,
            merged_into: None,
            follow_up_of: None,
            created_at: at,
            updated_at: at,
            sla_next_due_at: None,
            sla_breached: false,
        }
    }

    #[test]
    fn only_a_chat_without_its_visitor_counts_as_left() {
        let presence = ChatPresence::default();
        let chat = ticket(Channel::Chat);
        assert!(presence.visitor_gone(&chat));
        let watching = presence.enter(chat.id);
        assert!(!presence.visitor_gone(&chat));
        drop(watching);
        assert!(presence.visitor_gone(&chat));
        assert!(!presence.visitor_gone(&ticket(Channel::Email)));
    }
}
