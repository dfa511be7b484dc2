//! Filing one inbound mail: the single code path behind `POST /inbound/email`
//! and `helpdesk ingest-email`.

use chrono::{DateTime, Utc};
use helpdesk_domain::held_mail::HeldMailReason;
use helpdesk_domain::ids::{HeldMailId, MessageId, TicketId};
use helpdesk_domain::ticket::{Actor, Channel, Priority, TicketStatus, text};
use helpdesk_persistence::held_mail::NewHeldMail;
use helpdesk_persistence::tickets::{MailParts, MessageAuthor, NewAttachment, NewMessage, NewTicket, TicketRecord};
use helpdesk_persistence::{Store, StoreError};

use super::{EmailConfig, InboundEmail, InboundKind, ParseError, parse, sanitize_html, ticket_token};

/// What became of a mail: filed on a ticket, or held for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestOutcome {
    Filed {
        ticket_id: TicketId,
        message_id: MessageId,
        /// The Message-ID was stored already; nothing new was stored.
        duplicate: bool,
    },
    /// Accepted but kept out of the queue, in the held list admins review.
    Held {
        held_id: HeldMailId,
        reason: HeldMailReason,
        /// The Message-ID was held already; nothing new was stored.
        duplicate: bool,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("message is {size} bytes; the limit is {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error("unparseable message: {0}")]
    Unparseable(#[from] ParseError),
    /// Two deliveries raced for one Message-ID and the winner is not found.
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
            // A statement cut off by the timeout is as temporary as a
            // store that is down: the sender should retry, not bounce.
            StoreError::Unavailable(_) | StoreError::Timeout { .. } => IngestError::Unavailable(err),
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
/// new ticket that follows it up.
///
/// A person's mail is always filed, list and bulk mail included (its
/// headers only stop automatic answers). Bounces, `Auto-Submitted` mail and
/// mail from the desk's own address are filed as system messages (never
/// customer replies, never answered) on the open ticket they thread to;
/// when they thread to none, or to a closed one, they are held for review
/// ([`IngestOutcome::Held`]), never refused: a refusal makes the sending
/// server bounce the mail back, and loops.
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
    if let Some(existing) = stored(store, &mail).await? {
        return Ok(existing);
    }
    let filed = match file(store, &mail, automatic_reason(config, &mail), now).await {
        Ok(Filing::Done(outcome)) => Ok(outcome),
        Ok(Filing::Hold(reason)) => hold(store, &mail, raw, reason, now).await,
        Err(err) => Err(err),
    };
    match filed {
        // Another delivery of the same mail won the race for its Message-ID.
        Err(IngestError::Store(StoreError::Conflict(_))) => stored(store, &mail)
            .await?
            .ok_or_else(|| IngestError::Refused("conflicting message".into())),
        other => other,
    }
}

/// Files a held mail as a person's mail (threaded, or a new ticket) and
/// takes it off the held list. `None` when no such mail is held.
///
/// Safe to repeat: when the mail was filed already (a release that stopped
/// before taking it off the list), it is only taken off.
pub async fn release_held(store: &Store, id: HeldMailId, now: DateTime<Utc>) -> Result<Option<TicketId>, IngestError> {
    let Some((_, raw)) = store.held_mail(id).await? else {
        return Ok(None);
    };
    let mail = parse(&raw)?;
    let ticket = match store.message_by_rfc_id(&mail.message_id).await? {
        Some(existing) => existing.ticket_id,
        None => match file(store, &mail, None, now).await? {
            Filing::Done(IngestOutcome::Filed { ticket_id, .. }) => ticket_id,
            // Filing a person's mail never holds it.
            Filing::Done(IngestOutcome::Held { .. }) | Filing::Hold(_) => {
                return Err(IngestError::Refused("a released mail was held again".into()));
            }
        },
    };
    store.delete_held_mail(id).await?;
    Ok(Some(ticket))
}

/// Where a mail with this Message-ID already is: on a ticket, or held.
async fn stored(store: &Store, mail: &InboundEmail) -> Result<Option<IngestOutcome>, StoreError> {
    if let Some(existing) = store.message_by_rfc_id(&mail.message_id).await? {
        return Ok(Some(IngestOutcome::Filed {
            ticket_id: existing.ticket_id,
            message_id: existing.id,
            duplicate: true,
        }));
    }
    Ok(store
        .held_mail_by_rfc_id(&mail.message_id)
        .await?
        .map(|held| IngestOutcome::Held {
            held_id: held.id,
            reason: held.reason,
            duplicate: true,
        }))
}

/// Why a mail is not a person's, and may be held when it threads to no open
/// ticket; `None` for a person's mail, list and bulk mail included.
fn automatic_reason(config: &EmailConfig, mail: &InboundEmail) -> Option<HeldMailReason> {
    match mail.kind {
        InboundKind::Bounce => Some(HeldMailReason::Bounce),
        InboundKind::AutoReply => Some(HeldMailReason::AutoSubmitted),
        InboundKind::Regular | InboundKind::Bulk if mail.from.address == config.desk_address => {
            Some(HeldMailReason::OwnAddress)
        }
        InboundKind::Regular | InboundKind::Bulk => None,
    }
}

/// What filing decided.
enum Filing {
    Done(IngestOutcome),
    /// Automatic mail with no open ticket to go on.
    Hold(HeldMailReason),
}

async fn hold(
    store: &Store,
    mail: &InboundEmail,
    raw: &[u8],
    reason: HeldMailReason,
    now: DateTime<Utc>,
) -> Result<IngestOutcome, IngestError> {
    let held = store
        .hold_mail(
            NewHeldMail {
                rfc_message_id: mail.message_id.clone(),
                reason,
                sender: mail.from.address.to_string(),
                // PostgreSQL text cannot hold U+0000.
                subject: mail.subject.replace('\0', ""),
                raw: raw.to_vec(),
            },
            now,
        )
        .await?;
    tracing::info!(
        message_id = %mail.message_id,
        reason = %reason,
        duplicate = held.duplicate,
        "inbound mail held for review"
    );
    Ok(IngestOutcome::Held {
        held_id: held.record.id,
        reason: held.record.reason,
        duplicate: held.duplicate,
    })
}

/// Files `mail`; `automatic` says why it is not a person's mail, if it is not.
async fn file(
    store: &Store,
    mail: &InboundEmail,
    automatic: Option<HeldMailReason>,
    now: DateTime<Utc>,
) -> Result<Filing, IngestError> {
    let ticket = thread(store, mail).await?;
    let ticket = match (ticket, automatic) {
        (Some(t), Some(reason)) if t.status == TicketStatus::Closed => return Ok(Filing::Hold(reason)),
        (Some(t), None) if t.status == TicketStatus::Closed => {
            return open_ticket(store, mail, Some(t.id), now).await.map(Filing::Done);
        }
        (Some(t), _) => t,
        (None, Some(reason)) => return Ok(Filing::Hold(reason)),
        (None, None) => return open_ticket(store, mail, None, now).await.map(Filing::Done),
    };

    let author = if automatic.is_some() {
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
    Ok(Filing::Done(IngestOutcome::Filed {
        ticket_id: ticket.id,
        message_id: message.id,
        duplicate: false,
    }))
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
    Ok(IngestOutcome::Filed {
        ticket_id: ticket.id,
        message_id: message.id,
        duplicate: false,
    })
}

fn mail_parts(mail: &InboundEmail) -> MailParts {
    MailParts {
        // Stored sanitized; served sanitized again, whatever the row holds.
        html_body: mail.html.as_deref().map(sanitize_html),
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
