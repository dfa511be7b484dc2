//! The survey sender: the worker job that sends due invitations.
//!
//! Each round leases due invitations in the store, so several servers on one
//! database send each once; one due while every server was down is due
//! still, and goes out in the first round after a start. The token is made
//! here, at the moment of sending, and only its hash is stored.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use helpdesk_domain::survey::TemplateValues;
use helpdesk_domain::ticket::{Channel, Survey};
use helpdesk_persistence::outbox::{NewOutboxMail, OutboxKind};
use helpdesk_persistence::surveys::{InvitationDelivery, SentInvitation, SurveyInvitationRecord};
use helpdesk_persistence::{CustomerRecord, Store, StoreError};

use super::compose::invitation_text;
use crate::chat::ChatPresence;
use crate::chat::token::{generate, hash};
use crate::email::{EmailConfig, new_message_id, subject_with_token};
use crate::worker::Job;
use helpdesk_domain::mail_thread::bounded_references;

/// Invitations leased per round.
const BATCH: u64 = 20;
/// Long enough to compose and record one round; a crashed server's
/// invitations go to another after it.
const LEASE: TimeDelta = TimeDelta::minutes(2);
/// How often an idle sender looks for due invitations (a clock move wakes it).
const IDLE_POLL: Duration = Duration::from_millis(500);

pub struct SurveySender {
    store: Store,
    email: EmailConfig,
    /// Base of the links in invitations (`HELPDESK_PUBLIC_URL`).
    public_url: String,
    presence: ChatPresence,
}

impl SurveySender {
    pub fn new(store: Store, email: EmailConfig, public_url: String, presence: ChatPresence) -> Self {
        Self {
            store,
            email,
            public_url,
            presence,
        }
    }

    /// Sends one leased invitation; false when it was not sent (cancelled,
    /// sent by another server, or nobody to send it to).
    async fn send(&self, invitation: &SurveyInvitationRecord, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let settings = self.store.survey_settings().await?;
        let enabled = match invitation.survey {
            Survey::Csat => settings.csat_enabled,
            Survey::Nps => settings.nps_enabled,
        };
        let Some(ticket) = self.store.ticket(invitation.ticket_id).await? else {
            return Ok(false);
        };
        let customer = self
            .store
            .customers_by_ids(&[invitation.customer_id])
            .await?
            .into_iter()
            .next();
        // Like an agent's reply, an invitation reaches an unverified chat
        // contact at its claimed address: it carries only the desk's words
        // (SECURITY.md, "Chat identity").
        let address = customer.as_ref().and_then(|c| c.mail_address().cloned());
        let in_chat = invitation.survey == Survey::Csat
            && ticket.channel == Channel::Chat
            && self.presence.is_present(ticket.id, now).await;
        if !enabled || (!in_chat && address.is_none()) {
            // Turned off since it was queued, or no way to reach the customer.
            self.store.cancel_invitation(invitation.id).await?;
            return Ok(false);
        }
        let name = customer.as_ref().map(CustomerRecord::greeting_name).unwrap_or_default();
        let values = TemplateValues {
            customer_name: &name,
            ticket_number: ticket.number,
            subject: &ticket.subject,
        };
        let token = generate();
        let (subject, text) = invitation_text(&settings, invitation.survey, &values, &self.public_url, &token);
        let delivery = match address {
            Some(to) if !in_chat => {
                // CSAT mail threads with the ticket's other mail, so a reply
                // to it lands on the ticket; NPS is about the desk, not one ticket.
                let (subject, in_reply_to, references) = match invitation.survey {
                    Survey::Csat => {
                        let thread = self.store.thread_rfc_ids(ticket.id).await?;
                        (
                            subject_with_token(&subject, ticket.number),
                            thread.last().cloned(),
                            bounded_references(thread),
                        )
                    }
                    Survey::Nps => (subject, None, Vec::new()),
                };
                InvitationDelivery::Mail(NewOutboxMail {
                    kind: OutboxKind::SurveyInvitation,
                    to: to.to_string(),
                    subject,
                    body: text,
                    rfc_message_id: new_message_id(&self.email),
                    in_reply_to,
                    references,
                })
            }
            _ => InvitationDelivery::Chat { body: text },
        };
        let sent = SentInvitation {
            token_hash: hash(&token),
            expires_at: now + TimeDelta::days(i64::from(settings.expiry_days)),
            delivery,
        };
        self.store.record_invitation_sent(invitation.id, sent, now).await
    }
}

impl Job for SurveySender {
    const NAME: &'static str = "survey sender";

    fn idle_pause(&self) -> Duration {
        IDLE_POLL
    }

    async fn run_due(&mut self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let due = self.store.lease_due_invitations(now, BATCH, LEASE).await?;
        let mut sent = 0;
        for invitation in &due {
            if self.send(invitation, now).await? {
                tracing::info!(invitation = %invitation.id, survey = %invitation.survey, "survey invitation sent");
                sent += 1;
            }
        }
        tracing::debug!(leased = due.len(), sent, "survey round");
        // Leased but not sent (cancelled meanwhile) is work done too: look again at once.
        Ok(due.len())
    }
}
