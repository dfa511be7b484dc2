//! Inbound mail held for review, and its pages.

use async_graphql::{ID, Object};
use chrono::{DateTime, Utc};
use helpdesk_persistence::held_mail::HeldMailRecord;

use super::connection::PageInfo;
use super::enums::HeldMailReason;

/// A mail the desk accepted but did not file: a bounce, an automatic mail or
/// mail from its own address that belongs to no open ticket. An admin
/// releases it into a ticket or deletes it.
pub(crate) struct HeldMail(pub HeldMailRecord);

#[Object]
impl HeldMail {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn reason(&self) -> HeldMailReason {
        self.0.reason.into()
    }

    /// The From address as the mail gave it.
    async fn from(&self) -> &str {
        &self.0.sender
    }

    async fn subject(&self) -> &str {
        &self.0.subject
    }

    /// The RFC 5322 Message-ID (or the one the desk derived for a mail without).
    async fn email_message_id(&self) -> &str {
        &self.0.rfc_message_id
    }

    /// Size of the raw message, in bytes.
    async fn size(&self) -> u64 {
        self.0.size
    }

    async fn received_at(&self) -> DateTime<Utc> {
        self.0.received_at
    }
}

pub(crate) struct HeldMailEdge(pub HeldMailRecord);

#[Object]
impl HeldMailEdge {
    /// Opaque; pass it as `after` for the next page.
    async fn cursor(&self) -> String {
        self.0.id.to_string()
    }

    async fn node(&self) -> HeldMail {
        HeldMail(self.0.clone())
    }
}

pub(crate) struct HeldMailConnection {
    pub edges: Vec<HeldMailRecord>,
    pub has_next_page: bool,
    pub total_count: u64,
}

#[Object]
impl HeldMailConnection {
    async fn edges(&self) -> Vec<HeldMailEdge> {
        self.edges.iter().cloned().map(HeldMailEdge).collect()
    }

    async fn nodes(&self) -> Vec<HeldMail> {
        self.edges.iter().cloned().map(HeldMail).collect()
    }

    async fn page_info(&self) -> PageInfo {
        PageInfo::forward(
            self.has_next_page,
            self.edges.first().map(|e| e.id.to_string()),
            self.edges.last().map(|e| e.id.to_string()),
        )
    }

    /// Held mails on all pages.
    async fn total_count(&self) -> u64 {
        self.total_count
    }
}
