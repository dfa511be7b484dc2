//! Opening a chat: the visitor's first message becomes a CHAT ticket and a
//! session the visitor's token stands for.

use chrono::{DateTime, Utc};
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::ticket::{Channel, Priority, text};
use helpdesk_persistence::Store;
use helpdesk_persistence::tickets::{MailParts, NewTicket, TicketRecord};

use super::{ChatError, token};

/// What a visitor types to open a chat, as it arrives.
#[derive(Debug, Clone)]
pub struct StartChat {
    pub name: String,
    /// Where replies go if the visitor leaves before the desk answers.
    pub email: String,
    /// The visitor's first message.
    pub message: String,
}

/// A chat just opened.
#[derive(Debug, Clone)]
pub struct StartedChat {
    /// The visitor's secret for their later requests; only its hash is
    /// stored, so this is the one time it is seen.
    pub token: String,
    pub ticket: TicketRecord,
}

/// Longest chat subject taken from the first message.
const SUBJECT_CHARS: usize = 80;
const NAME_MAX: usize = 200;

/// Opens a chat for `visitor`. The address the visitor gives is a claim:
/// the chat gets its own unverified contact holding it, and joins the
/// address's customer only once verified (see `verify`). The message is
/// checked first, then the address, then the name.
pub async fn start(store: &Store, visitor: StartChat, now: DateTime<Utc>) -> Result<StartedChat, ChatError> {
    let body = text::body(&visitor.message)?;
    let new = NewTicket {
        subject: subject_of(&body),
        body,
        customer_email: EmailAddress::parse(&visitor.email)?,
        customer_name: Some(text::bounded(&visitor.name, "name", NAME_MAX)?),
        channel: Channel::Chat,
        priority: Priority::Normal,
        tags: Default::default(),
        assignee: None,
        team: None,
        fcr_eligible: true,
        rfc_message_id: None,
        follow_up_of: None,
        mail: MailParts::default(),
    };
    let token = token::generate();
    let ticket = store.open_chat(new, &token::hash(&token), now).await?;
    Ok(StartedChat { token, ticket })
}

/// A chat has no subject of its own: it is named after the first line of
/// the first message, cut to [`SUBJECT_CHARS`] characters with an ellipsis
/// showing that it was cut.
fn subject_of(body: &str) -> String {
    let first_line = body.lines().next().unwrap_or_default();
    let short: String = first_line.chars().take(SUBJECT_CHARS).collect();
    if short.len() < first_line.len() {
        format!("{short}…")
    } else {
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subject_is_the_first_line() {
        assert_eq!(
            subject_of("Where is my parcel?\nOrdered last week."),
            "Where is my parcel?"
        );
    }

    #[test]
    fn a_long_first_line_is_cut_with_an_ellipsis() {
        let long = "é".repeat(SUBJECT_CHARS + 5);
        let subject = subject_of(&long);
        assert_eq!(subject.chars().count(), SUBJECT_CHARS + 1);
        assert!(subject.ends_with("é…"));
        let exact = "x".repeat(SUBJECT_CHARS);
        assert_eq!(subject_of(&exact), exact);
    }
}
