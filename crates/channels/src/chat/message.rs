//! The visitor's side of a running chat: who a token speaks for, what they
//! write, and which of the desk's messages they are shown.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use helpdesk_domain::ids::MessageId;
use helpdesk_domain::ticket::{Author, Channel, EventKind, text};
use helpdesk_persistence::Store;
use helpdesk_persistence::chat::ChatSession;
use helpdesk_persistence::tickets::{EventRecord, MailParts, MessageAuthor, MessageRecord, NewMessage};

use super::{ChatError, token};

/// The session a visitor's token opens, while it lives: a token stops
/// working `ttl` after the visitor's last message, so one found later (in a
/// browser's storage, a log) cannot write into or read the chat.
pub async fn session(store: &Store, token: &str, now: DateTime<Utc>, ttl: Duration) -> Result<ChatSession, ChatError> {
    let session = store
        .chat_session(&token::hash(token))
        .await?
        .ok_or(ChatError::UnknownToken)?;
    let messages = store.messages_of(&[session.ticket_id]).await?;
    let last_visitor_message = messages
        .iter()
        .filter(|m| m.author == Author::Customer && m.channel == Channel::Chat)
        .map(|m| m.created_at)
        .max();
    if expired(last_visitor_message, now, ttl) {
        return Err(ChatError::Expired);
    }
    Ok(session)
}

/// Whether a token whose visitor last wrote at `last` is dead at `now`. A
/// chat with no visitor line (merged away) has nothing to extend it.
fn expired(last: Option<DateTime<Utc>>, now: DateTime<Utc>, ttl: Duration) -> bool {
    let ttl = TimeDelta::from_std(ttl).unwrap_or(TimeDelta::MAX);
    last.is_none_or(|last| now.signed_duration_since(last) >= ttl)
}

/// The visitor writes again in their chat; the token alone identifies them,
/// and is checked before the message is.
pub async fn send(
    store: &Store,
    token: &str,
    body: &str,
    now: DateTime<Utc>,
    ttl: Duration,
) -> Result<MessageRecord, ChatError> {
    let session = session(store, token, now, ttl).await?;
    let new = NewMessage {
        author: MessageAuthor::Customer,
        body: text::body(body)?,
        internal: false,
        channel: Some(Channel::Chat),
        status: None,
        rfc_message_id: None,
        mail: MailParts::default(),
        outbox: None,
    };
    let (message, _) = store.add_message(session.ticket_id, new, now).await?;
    Ok(message)
}

/// The message `event` shows the visitor live, if any: a public reply by an
/// agent, or the desk's own words in the chat (a survey invitation).
/// Internal notes, the desk's messages on other channels and the visitor's
/// own lines (which they already have) are not sent.
pub async fn desk_reply(store: &Store, event: &EventRecord) -> Result<Option<MessageRecord>, ChatError> {
    let Some(message_id) = agent_message(&event.event.kind) else {
        return Ok(None);
    };
    let messages = store.messages_of(&[event.ticket_id]).await?;
    Ok(messages.into_iter().find(|m| m.id == message_id && !m.internal))
}

/// The message an agent's public message event (or the desk's own words
/// in the chat, such as a survey invitation) names. Copies a merge brought
/// over are history, not replies: a ticket merged into a chat must not
/// stream its past (another customer's, perhaps) to the visitor.
fn agent_message(kind: &EventKind) -> Option<MessageId> {
    match kind {
        EventKind::Message {
            message_id,
            author: Author::Agent,
            moved_from: None,
            ..
        }
        | EventKind::Message {
            message_id,
            author: Author::System,
            channel: Channel::Chat,
            moved_from: None,
        } => Some(*message_id),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(author: Author) -> (MessageId, EventKind) {
        let id = MessageId::new();
        let kind = EventKind::Message {
            message_id: id,
            author,
            channel: Channel::Chat,
            moved_from: None,
        };
        (id, kind)
    }

    #[test]
    fn a_token_lives_for_its_ttl_after_the_visitors_last_message() {
        let last = DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let day = Duration::from_secs(24 * 3600);
        assert!(!expired(Some(last), last + TimeDelta::hours(23), day));
        assert!(expired(Some(last), last + TimeDelta::hours(24), day));
        assert!(expired(None, last, day), "no visitor line, nothing to extend");
    }

    #[test]
    fn only_public_messages_of_the_desk_reach_the_visitor() {
        let (id, reply) = message(Author::Agent);
        assert_eq!(agent_message(&reply), Some(id));
        assert_eq!(agent_message(&message(Author::Customer).1), None);
        let (desk, in_chat) = message(Author::System);
        assert_eq!(agent_message(&in_chat), Some(desk), "the desk's words in the chat");
        let mailed = EventKind::Message {
            message_id: desk,
            author: Author::System,
            channel: Channel::Email,
            moved_from: None,
        };
        assert_eq!(agent_message(&mailed), None);
        let moved = EventKind::Message {
            message_id: id,
            author: Author::Agent,
            channel: Channel::Email,
            moved_from: Some(helpdesk_domain::ids::TicketId::new()),
        };
        assert_eq!(agent_message(&moved), None, "a merge's copies are not replies");
        let note = EventKind::Note {
            message_id: id,
            moved_from: None,
        };
        assert_eq!(agent_message(&note), None);
    }
}
