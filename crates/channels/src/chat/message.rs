//! The visitor's side of a running chat: who a token speaks for, what they
//! write, and which of the desk's messages they are shown.

use chrono::{DateTime, Utc};
use helpdesk_domain::ids::MessageId;
use helpdesk_domain::ticket::{Author, Channel, EventKind, text};
use helpdesk_persistence::Store;
use helpdesk_persistence::chat::ChatSession;
use helpdesk_persistence::tickets::{EventRecord, MailParts, MessageAuthor, MessageRecord, NewMessage};

use super::{ChatError, token};

/// The session a visitor's token opens.
pub async fn session(store: &Store, token: &str) -> Result<ChatSession, ChatError> {
    store
        .chat_session(&token::hash(token))
        .await?
        .ok_or(ChatError::UnknownToken)
}

/// The visitor writes again in their chat; the token alone identifies them,
/// and is checked before the message is.
pub async fn send(store: &Store, token: &str, body: &str, now: DateTime<Utc>) -> Result<MessageRecord, ChatError> {
    let session = session(store, token).await?;
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
/// agent. Internal notes, the desk's system messages and the visitor's own
/// lines (which they already have) are not sent.
pub async fn desk_reply(store: &Store, event: &EventRecord) -> Result<Option<MessageRecord>, ChatError> {
    let Some(message_id) = agent_message(&event.event.kind) else {
        return Ok(None);
    };
    let messages = store.messages_of(&[event.ticket_id]).await?;
    Ok(messages.into_iter().find(|m| m.id == message_id && !m.internal))
}

/// The message an agent's public message event names.
fn agent_message(kind: &EventKind) -> Option<MessageId> {
    match kind {
        EventKind::Message {
            message_id,
            author: Author::Agent,
            ..
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
    fn only_agents_public_messages_reach_the_visitor() {
        let (id, reply) = message(Author::Agent);
        assert_eq!(agent_message(&reply), Some(id));
        assert_eq!(agent_message(&message(Author::Customer).1), None);
        assert_eq!(agent_message(&message(Author::System).1), None);
        let note = EventKind::Note {
            message_id: id,
            moved_from: None,
        };
        assert_eq!(agent_message(&note), None);
    }
}
