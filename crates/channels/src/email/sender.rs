//! The outbox sender: leases due mail, sends it over SMTP, and records the
//! outcome, retrying transient failures with exponential backoff.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use helpdesk_persistence::Store;
use helpdesk_persistence::outbox::OutboxRecord;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tokio::sync::watch;

use super::EmailConfig;

/// Attempts before a mail is given up as FAILED.
pub const MAX_ATTEMPTS: u32 = 20;
const BATCH: u64 = 10;
/// Long enough for a slow SMTP exchange; a crashed sender's lease runs out
/// and another sender takes the mail.
const LEASE: TimeDelta = TimeDelta::minutes(2);
const IDLE_POLL: Duration = Duration::from_millis(500);

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
}

enum Outcome {
    Sent,
    Retry(String),
    GiveUp(String),
}

impl SmtpSender {
    /// A sender to `url` (`smtp://host:port`, `smtps://user:pass@host`, ...).
    pub fn new(url: &str, config: &EmailConfig) -> Result<Self, SenderError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(SenderError::Url)?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let from = config.desk_address.as_str().parse().map_err(SenderError::From)?;
        Ok(Self { transport, from })
    }

    /// Sends due mail until `shutdown` turns true.
    pub async fn run(self, store: Store, mut shutdown: watch::Receiver<bool>) {
        tracing::info!("mail sender started");
        loop {
            if *shutdown.borrow() {
                break;
            }
            let sent_any = match self.send_due(&store).await {
                Ok(n) => n > 0,
                Err(err) => {
                    tracing::warn!(%err, "mail sender: cannot lease mail");
                    false
                }
            };
            if !sent_any {
                tokio::select! {
                    _ = tokio::time::sleep(IDLE_POLL) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
        tracing::info!("mail sender stopped");
    }

    /// Sends one batch of due mail; returns how many were handled.
    pub async fn send_due(&self, store: &Store) -> Result<usize, helpdesk_persistence::StoreError> {
        let due = store.lease_due_mail(Utc::now(), BATCH, LEASE).await?;
        for mail in &due {
            let outcome = self.send(mail).await;
            let recorded = match outcome {
                Outcome::Sent => store.mark_mail_sent(mail.id, Utc::now()).await,
                Outcome::Retry(error) if mail.attempts + 1 < MAX_ATTEMPTS => {
                    let at = Utc::now() + backoff(mail.attempts + 1);
                    tracing::warn!(mail = %mail.id, %error, retry_at = %at, "mail not sent; will retry");
                    store.mark_mail_attempt_failed(mail.id, &error, Some(at)).await
                }
                Outcome::Retry(error) | Outcome::GiveUp(error) => {
                    tracing::error!(mail = %mail.id, %error, "mail given up");
                    store.mark_mail_attempt_failed(mail.id, &error, None).await
                }
            };
            if let Err(err) = recorded {
                // The lease runs out and the mail is tried again; sending twice
                // is the lesser harm than never sending.
                tracing::error!(mail = %mail.id, %err, "cannot record mail outcome");
            }
        }
        Ok(due.len())
    }

    async fn send(&self, mail: &OutboxRecord) -> Outcome {
        let to: Mailbox = match mail.to.parse() {
            Ok(to) => to,
            Err(err) => return Outcome::GiveUp(format!("invalid recipient {:?}: {err}", mail.to)),
        };
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(format!("<{}>", mail.rfc_message_id)))
            .header(ContentType::TEXT_PLAIN);
        if let Some(parent) = &mail.in_reply_to {
            builder = builder.in_reply_to(format!("<{parent}>"));
        }
        if !mail.references.is_empty() {
            let refs: Vec<String> = mail.references.iter().map(|r| format!("<{r}>")).collect();
            builder = builder.references(refs.join(" "));
        }
        let message = match builder.body(mail.body.clone()) {
            Ok(m) => m,
            Err(err) => return Outcome::GiveUp(format!("cannot build the message: {err}")),
        };
        match self.transport.send(message).await {
            Ok(_) => Outcome::Sent,
            Err(err) if err.is_permanent() => Outcome::GiveUp(err.to_string()),
            Err(err) => Outcome::Retry(err.to_string()),
        }
    }
}

/// 2^attempt seconds, capped at one hour: quick retries for a server that
/// blinked, patience for one that is down.
pub fn backoff(attempt: u32) -> TimeDelta {
    TimeDelta::seconds(1i64 << attempt.min(12)).min(TimeDelta::hours(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_then_caps_at_an_hour() {
        assert_eq!(backoff(1), TimeDelta::seconds(2));
        assert_eq!(backoff(5), TimeDelta::seconds(32));
        assert_eq!(backoff(40), TimeDelta::hours(1));
    }
}
