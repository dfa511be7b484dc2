//! Composing the mail that carries an agent's reply to the customer.

use helpdesk_domain::mail_thread::{bounded_references, reply_subject};
use helpdesk_domain::ticket::Channel;
use helpdesk_persistence::outbox::{NewOutboxMail, OutboxKind};
use helpdesk_persistence::tickets::TicketRecord;
use helpdesk_persistence::{Store, StoreError};

use super::EmailConfig;

/// A fresh Message-ID (without angle brackets) in the desk's domain.
pub fn new_message_id(config: &EmailConfig) -> String {
    format!("{}@{}", uuid::Uuid::now_v7().simple(), config.message_id_domain)
}

/// The mail for an agent's public reply on `ticket`, or `None` when the
/// reply does not go by mail: the ticket is not an email ticket (a chat
/// ticket is mailed only when `chat_visitor_gone`), or its customer has no
/// address.
pub async fn reply_mail(
    store: &Store,
    config: &EmailConfig,
    ticket: &TicketRecord,
    body: &str,
    chat_visitor_gone: bool,
) -> Result<Option<NewOutboxMail>, StoreError> {
    let by_mail = match ticket.channel {
        Channel::Email => true,
        Channel::Chat => chat_visitor_gone,
        _ => false,
    };
    if !by_mail {
        return Ok(None);
    }
    let customer = store.customers_by_ids(&[ticket.customer_id]).await?.into_iter().next();
    // An unverified chat contact's claimed address gets the reply too: the
    // visitor asked at that address, and the mail carries only the agent's
    // words on this ticket (SECURITY.md, "Chat identity").
    let Some(to) = customer.and_then(|c| c.mail_address().cloned()) else {
        return Ok(None);
    };
    let thread = store.thread_rfc_ids(ticket.id).await?;
    Ok(Some(NewOutboxMail {
        kind: OutboxKind::AgentReply,
        to: to.to_string(),
        subject: reply_subject(&ticket.subject, ticket.number),
        body: body.to_owned(),
        rfc_message_id: new_message_id(config),
        in_reply_to: thread.last().cloned(),
        references: bounded_references(thread),
    }))
}
