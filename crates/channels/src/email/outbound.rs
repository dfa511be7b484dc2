//! Composing the mail that carries an agent's reply to the customer.

use helpdesk_domain::ticket::Channel;
use helpdesk_persistence::outbox::{NewOutboxMail, OutboxKind};
use helpdesk_persistence::tickets::TicketRecord;
use helpdesk_persistence::{Store, StoreError};

use super::{EmailConfig, subject_with_token};

/// How many earlier Message-IDs a reply's `References` names at most (the
/// first and the latest ones, as RFC 5322 suggests for long threads).
const MAX_REFERENCES: usize = 20;

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
    let subject = if ticket.subject.to_ascii_lowercase().starts_with("re:") {
        ticket.subject.clone()
    } else {
        format!("Re: {}", ticket.subject)
    };
    Ok(Some(NewOutboxMail {
        kind: OutboxKind::AgentReply,
        to: to.to_string(),
        subject: subject_with_token(&subject, ticket.number),
        body: body.to_owned(),
        rfc_message_id: new_message_id(config),
        in_reply_to: thread.last().cloned(),
        references: bounded_references(thread),
    }))
}

pub(crate) fn bounded_references(mut thread: Vec<String>) -> Vec<String> {
    if thread.len() > MAX_REFERENCES {
        let tail = thread.split_off(thread.len() - (MAX_REFERENCES - 1));
        thread.truncate(1);
        thread.extend(tail);
    }
    thread
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_threads_keep_the_first_and_latest_references() {
        let thread: Vec<String> = (0..30).map(|i| format!("m{i}@x")).collect();
        let refs = bounded_references(thread);
        assert_eq!(refs.len(), MAX_REFERENCES);
        assert_eq!(refs[0], "m0@x");
        assert_eq!(refs[1], "m11@x");
        assert_eq!(refs.last().map(String::as_str), Some("m29@x"));
    }
}
