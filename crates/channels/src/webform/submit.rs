//! Filing a valid form post as a ticket.

use chrono::{DateTime, Utc};
use helpdesk_domain::ticket::Channel;
use helpdesk_persistence::outbox::{NewOutboxMail, OutboxKind};
use helpdesk_persistence::tickets::{MailParts, MessageAuthor, NewMessage, NewTicket, TicketRecord};
use helpdesk_persistence::web_forms::WebForm;
use helpdesk_persistence::{Store, StoreError};

use super::ValidSubmission;
use crate::email::{EmailConfig, new_message_id, subject_with_token};

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The acknowledgement's subject, before its `[#number]`.
pub const ACKNOWLEDGEMENT_SUBJECT: &str = "We received your request";

/// Opens a WEB_FORM ticket from `post` with the form's priority, team and
/// tags. When the form asks for it, the desk then acknowledges the request:
/// a system message on the ticket (never a reply in the metrics) whose mail
/// is queued with it, carrying the ticket's `[#number]` and its own
/// Message-ID, so the customer's answer threads back into the ticket.
///
/// Anyone can post a form with anyone's address, so the acknowledgement
/// carries nothing the poster wrote (no subject, name or message), only the
/// ticket number and the admin's form name: the desk cannot be made to mail
/// a stranger an attacker's text.
pub async fn submit(
    store: &Store,
    config: &EmailConfig,
    form: &WebForm,
    post: ValidSubmission,
    now: DateTime<Utc>,
) -> Result<TicketRecord, SubmitError> {
    let subject = post
        .subject
        .clone()
        .unwrap_or_else(|| format!("{} from {}", form.name, post.name));
    let to = post.email.to_string();
    let new = NewTicket {
        subject,
        body: post.message,
        customer_email: post.email,
        customer_name: Some(post.name),
        channel: Channel::WebForm,
        priority: form.priority,
        tags: form.tags.clone(),
        assignee: None,
        team: form.team,
        fcr_eligible: true,
        rfc_message_id: None,
        follow_up_of: None,
        mail: MailParts::default(),
    };
    let ticket = store.create_web_form_ticket(new, &form.key, now).await?;
    if !form.acknowledge {
        return Ok(ticket);
    }
    let body = format!(
        "Hello,\n\nWe received your request and filed it as number {}. We will answer as soon as we can. \
         Reply to this mail to add to it.\n\n{}",
        ticket.number, form.name
    );
    let mail = NewOutboxMail {
        kind: OutboxKind::Acknowledgement,
        to,
        subject: subject_with_token(ACKNOWLEDGEMENT_SUBJECT, ticket.number),
        body: body.clone(),
        rfc_message_id: new_message_id(config),
        in_reply_to: None,
        references: Vec::new(),
    };
    let ack = NewMessage {
        author: MessageAuthor::System,
        body,
        internal: false,
        channel: Some(Channel::Email),
        status: None,
        rfc_message_id: Some(mail.rfc_message_id.clone()),
        mail: MailParts::default(),
        outbox: Some(mail),
    };
    let (_, ticket) = store.add_message(ticket.id, ack, now).await?;
    Ok(ticket)
}
