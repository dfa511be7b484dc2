//! Posts queued SLA events to policies' webhooks: JSON bodies signed with
//! HMAC-SHA256, retried with backoff until the receiver answers 2xx.

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use helpdesk_persistence::webhooks::WebhookDelivery;
use helpdesk_persistence::{Store, StoreError};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::watch;

use crate::email::backoff;

/// The header carrying `sha256=<hex HMAC-SHA256 of the body>`.
pub const SIGNATURE_HEADER: &str = "x-helpdesk-signature";
const MAX_ATTEMPTS: u32 = 12;
const BATCH: u64 = 20;
const LEASE: TimeDelta = TimeDelta::minutes(1);
const IDLE_POLL: Duration = Duration::from_millis(500);

/// The signature header's value for `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

enum Outcome {
    Delivered,
    Retry(String),
    GiveUp(String),
}

pub struct WebhookSender {
    client: reqwest::Client,
}

impl Default for WebhookSender {
    fn default() -> Self {
        Self::new()
    }
}

impl WebhookSender {
    pub fn new() -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Self { client }
    }

    /// Delivers due webhooks until `shutdown` turns true.
    pub async fn run(self, store: Store, mut shutdown: watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                break;
            }
            let busy = match self.deliver_due(&store).await {
                Ok(n) => n > 0,
                Err(err) => {
                    tracing::warn!(%err, "webhook sender: cannot lease deliveries");
                    false
                }
            };
            if !busy {
                tokio::select! {
                    _ = tokio::time::sleep(IDLE_POLL) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
    }

    pub async fn deliver_due(&self, store: &Store) -> Result<usize, StoreError> {
        let due = store.lease_due_webhooks(Utc::now(), BATCH, LEASE).await?;
        for delivery in &due {
            let recorded = match self.post(delivery).await {
                Outcome::Delivered => store.mark_webhook_sent(delivery.id, Utc::now()).await,
                Outcome::Retry(error) if delivery.attempts + 1 < MAX_ATTEMPTS => {
                    let at = Utc::now() + backoff(delivery.attempts + 1);
                    store.mark_webhook_attempt_failed(delivery.id, &error, Some(at)).await
                }
                Outcome::Retry(error) | Outcome::GiveUp(error) => {
                    tracing::error!(delivery = %delivery.id, %error, "webhook given up");
                    store.mark_webhook_attempt_failed(delivery.id, &error, None).await
                }
            };
            if let Err(err) = recorded {
                tracing::error!(delivery = %delivery.id, %err, "cannot record webhook outcome");
            }
        }
        Ok(due.len())
    }

    async fn post(&self, delivery: &WebhookDelivery) -> Outcome {
        let response = self
            .client
            .post(&delivery.url)
            .header("content-type", "application/json")
            .header(
                SIGNATURE_HEADER,
                signature(&delivery.secret, delivery.payload.as_bytes()),
            )
            .header("x-helpdesk-delivery", delivery.id.to_string())
            .body(delivery.payload.clone())
            .send()
            .await;
        match response {
            Ok(r) if r.status().is_success() => Outcome::Delivered,
            // The receiver refuses this request for good (but may be busy or throttling).
            Ok(r) if r.status().is_client_error() && r.status() != 408 && r.status() != 429 => {
                Outcome::GiveUp(format!("receiver answered {}", r.status()))
            }
            Ok(r) => Outcome::Retry(format!("receiver answered {}", r.status())),
            Err(err) => Outcome::Retry(err.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_a_known_hmac() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
