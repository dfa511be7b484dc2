//! Filing one inbound mail: the single code path behind `POST /inbound/email`
//! and `helpdesk ingest-email`.

use chrono::{DateTime, Utc};
use helpdesk_domain::ids::{MessageId, TicketId};
use helpdesk_domain::ticket::{Actor, Channel, Priority, TicketStatus, text};
use helpdesk_persistence::tickets::{MailParts, MessageAuthor, NewAttachment, NewMessage, NewTicket, TicketRecord};
use helpdesk_persistence::{Store, StoreError};

use super::{EmailConfig, InboundEmail, InboundKind, ParseError, parse, ticket_token};

/// Where a mail was filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngestOutcome {
    pub ticket_id: TicketId,
    pub message_id: MessageId,
    /// The Message-ID was stored already; nothing new was stored.
    pub duplicate: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("message is {size} bytes; the limit is {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error("unparseable message: {0}")]
    Unparseable(#[from] ParseError),
    /// A well-formed mail the desk does not file (e.g. an auto-reply that
    /// belongs to no ticket).
    #[error("{0}")]
    Refused(String),
    #[error("store unavailable: {0}")]
    Unavailable(StoreError),
    #[error("store error: {0}")]
    Store(StoreError),
}

impl From<StoreError> for IngestError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(_) => IngestError::Unavailable(err),
            other => IngestError::Store(other),
        }
    }
}

/// How far a chain of merges is followed before giving up on it.
const MAX_MERGE_HOPS: usize = 16;

/// Parses and files one raw RFC 5322 message, exactly once per Message-ID.
///
/// Threading, in order: a stored Message-ID named by `In-Reply-To` or
/// `References`; a `[#number]` token in the subject of a mail from that
/// ticket's customer; else a new ticket. A reply to a CLOSED ticket opens a
/// new ticket that follows it up. Auto-replies, bounces and mail from the
/// desk's own address are filed as system messages (never customer replies,
/// never answered), and refused when they thread to no ticket.
pub async fn ingest(
    store: &Store,
    config: &EmailConfig,
    raw: &[u8],
    now: DateTime<Utc>,
) -> Result<IngestOutcome, IngestError> {
    if raw.len() > config.max_message_bytes {
        return Err(IngestError::TooLarge {
            size: raw.len(),
            limit: config.max_message_bytes,
        });
    }
    let mail = parse(raw)?;
    if let Some(existing) = store.message_by_rfc_id(&mail.message_id).await? {
        return Ok(IngestOutcome {
            ticket_id: existing.ticket_id,
            message_id: existing.id,
            duplicate: true,
        });
    }
    match file(store, config, &mail, now).await {
        // Another delivery of the same mail won the race for its Message-ID.
        Err(IngestError::Store(StoreError::Conflict(_))) => match store.message_by_rfc_id(&mail.message_id).await? {
            Some(existing) => Ok(IngestOutcome {
                ticket_id: existing.ticket_id,
                message_id: existing.id,
                duplicate: true,
            }),
            None => Err(IngestError::Refused("conflicting message".into())),
        },
        other => other,
    }
}

async fn file(
    store: &Store,
    config: &EmailConfig,
    mail: &InboundEmail,
    now: DateTime<Utc>,
) -> Result<IngestOutcome, IngestError> {
    let from_desk = mail.from.address == config.desk_address;
    let automatic = from_desk || mail.kind != InboundKind::Regular;
    let ticket = thread(store, mail).await?;

    let ticket = match ticket {
        Some(t) if t.status == TicketStatus::Closed && !automatic => {
            return open_ticket(store, mail, Some(t.id), now).await;
        }
        Some(t) => t,
        None if automatic => {
            let what = if from_desk {
                "mail from the desk's own address"
            } else {
                "automatic mail"
            };
            return Err(IngestError::Refused(format!(
                "{what} that belongs to no ticket is not filed"
            )));
        }
        None => return open_ticket(store, mail, None, now).await,
    };
    if automatic && ticket.status == TicketStatus::Closed {
        return Err(IngestError::Refused(
            "automatic mail to a closed ticket is not filed".into(),
        ));
    }

    let author = if automatic {
        MessageAuthor::System
    } else if customer_email(store, &ticket).await?.as_ref() == Some(&mail.from.address) {
        MessageAuthor::Customer
    } else {
        MessageAuthor::OtherCustomer {
            email: mail.from.address.clone(),
            name: mail.from.name.clone(),
        }
    };
    let message = NewMessage {
        author,
        body: mail.text.clone(),
        internal: false,
        channel: Some(Channel::Email),
        status: None,
        rfc_message_id: Some(mail.message_id.clone()),
        mail: mail_parts(mail),
        outbox: None,
    };
    let (message, ticket) = store.add_message(ticket.id, message, now).await?;
    Ok(IngestOutcome {
        ticket_id: ticket.id,
        message_id: message.id,
        duplicate: false,
    })
}

/// The ticket a mail replies to, following merges to the surviving ticket.
async fn thread(store: &Store, mail: &InboundEmail) -> Result<Option<TicketRecord>, StoreError> {
    let mut named: Vec<String> = mail.in_reply_to.clone();
    named.extend(mail.references.iter().rev().cloned());
    let mut found = match store.ticket_of_rfc_ids(&named).await? {
        Some(id) => store.ticket(id).await?,
        None => None,
    };
    if found.is_none()
        && let Some(number) = ticket_token(&mail.subject)
        && let Some(candidate) = store.ticket_by_number(number).await?
        // A token alone is easy to guess: only the ticket's own customer may
        // thread by it.
        && customer_email(store, &candidate).await?.as_ref() == Some(&mail.from.address)
    {
        found = Some(candidate);
    }
    for _ in 0..MAX_MERGE_HOPS {
        match found.as_ref().and_then(|t| t.merged_into) {
            Some(target) => found = store.ticket(target).await?,
            None => break,
        }
    }
    Ok(found)
}

async fn customer_email(
    store: &Store,
    ticket: &TicketRecord,
) -> Result<Option<helpdesk_domain::email::EmailAddress>, StoreError> {
    Ok(store
        .customers_by_ids(&[ticket.customer_id])
        .await?
        .into_iter()
        .next()
        .and_then(|c| c.email))
}

async fn open_ticket(
    store: &Store,
    mail: &InboundEmail,
    follow_up_of: Option<TicketId>,
    now: DateTime<Utc>,
) -> Result<IngestOutcome, IngestError> {
    let subject: String = mail.subject.chars().take(text::SUBJECT_MAX).collect();
    let new = NewTicket {
        subject,
        body: mail.text.clone(),
        customer_email: mail.from.address.clone(),
        customer_name: mail.from.name.clone(),
        channel: Channel::Email,
        priority: Priority::Normal,
        tags: Default::default(),
        assignee: None,
        team: None,
        fcr_eligible: true,
        rfc_message_id: Some(mail.message_id.clone()),
        follow_up_of,
        mail: mail_parts(mail),
    };
    let ticket = store.create_ticket(new, Actor::System, now).await?;
    let message = store
        .message_by_rfc_id(&mail.message_id)
        .await?
        .ok_or(IngestError::Store(StoreError::NotFound { what: "message" }))?;
    Ok(IngestOutcome {
        ticket_id: ticket.id,
        message_id: message.id,
        duplicate: false,
    })
}

fn mail_parts(mail: &InboundEmail) -> MailParts {
    MailParts {
        html_body: mail.html.clone(),
        sender: Some(mail.from.address.to_string()),
        attachments: mail
            .attachments
            .iter()
            .map(|a| NewAttachment {
                filename: a.filename.clone(),
                content_type: a.content_type.clone(),
                content: a.content.clone(),
            })
            .collect(),
    }
}
