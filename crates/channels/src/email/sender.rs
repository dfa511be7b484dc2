//! The outbox's courier: sends leased mail over SMTP, threaded by its
//! Message-ID, In-Reply-To and References, with the files of the message it
//! carries as MIME parts. Leasing, retries and giving up are the delivery
//! worker's (`worker::DeliveryJob`).

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use helpdesk_domain::attachment::{OCTET_STREAM, UNNAMED};
use helpdesk_persistence::outbox::OutboxRecord;
use helpdesk_persistence::{Store, StoreError};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, Message, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::EmailConfig;
use crate::worker::{Attempt, Courier};

/// Attempts before a mail is given up as FAILED.
pub const MAX_ATTEMPTS: u32 = 20;

#[derive(Debug, thiserror::Error)]
pub enum SenderError {
    #[error("invalid HELPDESK_SMTP_URL: {0}")]
    Url(#[source] lettre::transport::smtp::Error),
    #[error("invalid sender address: {0}")]
    From(#[source] lettre::address::AddressError),
}

pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The domain of the Message-IDs it makes for mails queued without one.
    message_id_domain: String,
    /// Where a mail's attachments are read from at the moment of sending
    /// (the lease carries none: a batch of replies could be large).
    store: Store,
}

impl SmtpSender {
    /// A sender to `url` (`smtp://host:port`, `smtps://user:pass@host`, ...).
    pub fn new(url: &str, config: &EmailConfig, store: Store) -> Result<Self, SenderError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(SenderError::Url)?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let from = config.desk_address.as_str().parse().map_err(SenderError::From)?;
        Ok(Self {
            transport,
            from,
            message_id_domain: config.message_id_domain.clone(),
            store,
        })
    }

    /// The Message-ID the mail goes out with: the one it was queued with,
    /// or for a notice queued without one (the store, which queues rules'
    /// notices, knows no mail domain), one made from the outbox row's id,
    /// the same at every attempt.
    fn message_id(&self, mail: &OutboxRecord) -> String {
        if mail.rfc_message_id.is_empty() {
            format!("{}@{}", mail.id.simple(), self.message_id_domain)
        } else {
            mail.rfc_message_id.clone()
        }
    }

    /// The mail's body: its text alone, or with its message's files,
    /// multipart/mixed.
    async fn body(&self, mail: &OutboxRecord) -> Result<Body, StoreError> {
        let files = match mail.message_id {
            Some(message) => self.store.files_of_message(message).await?,
            None => Vec::new(),
        };
        if files.is_empty() {
            return Ok(Body::Text(mail.body.clone()));
        }
        let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(mail.body.clone()));
        for (file, content) in files {
            // Stored types are well formed (checked when kept); a type lettre
            // still cannot parse goes out as bytes rather than not at all.
            let content_type = ContentType::parse(&file.content_type)
                .or_else(|_| ContentType::parse(OCTET_STREAM))
                .unwrap_or(ContentType::TEXT_PLAIN);
            let name = file.filename.unwrap_or_else(|| UNNAMED.to_owned());
            parts = parts.singlepart(Attachment::new(name).body(content, content_type));
        }
        Ok(Body::Parts(parts))
    }
}

enum Body {
    Text(String),
    Parts(MultiPart),
}

impl Courier for SmtpSender {
    type Item = OutboxRecord;

    const NAME: &'static str = "mail sender";
    const MAX_ATTEMPTS: u32 = MAX_ATTEMPTS;
    const BATCH: u64 = 10;
    /// Long enough for a slow SMTP exchange.
    const LEASE: TimeDelta = TimeDelta::minutes(2);

    async fn lease(
        store: &Store,
        now: DateTime<Utc>,
        limit: u64,
        lease: TimeDelta,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        store.lease_due_mail(now, limit, lease).await
    }

    fn id(mail: &OutboxRecord) -> uuid::Uuid {
        mail.id
    }

    fn attempts(mail: &OutboxRecord) -> u32 {
        mail.attempts
    }

    async fn mark_delivered(store: &Store, id: uuid::Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
        store.mark_mail_sent(id, at).await
    }

    async fn mark_failed(
        store: &Store,
        id: uuid::Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        store.mark_mail_attempt_failed(id, error, retry_at).await
    }

    async fn attempt(&self, mail: &OutboxRecord) -> Attempt {
        let to: Mailbox = match mail.to.parse() {
            Ok(to) => to,
            Err(err) => return Attempt::GiveUp(format!("invalid recipient {:?}: {err}", mail.to)),
        };
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(format!("<{}>", self.message_id(mail))));
        if let Some(parent) = &mail.in_reply_to {
            builder = builder.in_reply_to(format!("<{parent}>"));
        }
        if !mail.references.is_empty() {
            let refs: Vec<String> = mail.references.iter().map(|r| format!("<{r}>")).collect();
            builder = builder.references(refs.join(" "));
        }
        let body = match self.body(mail).await {
            Ok(body) => body,
            Err(err) => return Attempt::Retry(format!("cannot read the attachments: {err}")),
        };
        let message = match body {
            Body::Text(text) => builder.header(ContentType::TEXT_PLAIN).body(text),
            Body::Parts(parts) => builder.multipart(parts),
        };
        let message = match message {
            Ok(m) => m,
            Err(err) => return Attempt::GiveUp(format!("cannot build the message: {err}")),
        };
        match self.transport.send(message).await {
            Ok(_) => Attempt::Delivered,
            Err(err) if err.is_permanent() => Attempt::GiveUp(err.to_string()),
            Err(err) => Attempt::Retry(err.to_string()),
        }
    }
}
