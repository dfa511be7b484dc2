//! The webhook queue's courier: posts queued SLA events to policies'
//! webhooks as JSON bodies signed with HMAC-SHA256. Leasing, retries with
//! backoff and giving up are the delivery worker's (`worker::DeliveryJob`).

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use helpdesk_persistence::webhooks::WebhookDelivery;
use helpdesk_persistence::{Store, StoreError};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::worker::{Attempt, Courier};

/// The header carrying `sha256=<hex HMAC-SHA256 of the body>`.
pub const SIGNATURE_HEADER: &str = "x-helpdesk-signature";

/// The signature header's value for `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
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
}

impl Courier for WebhookSender {
    type Item = WebhookDelivery;

    const NAME: &'static str = "webhook sender";
    const MAX_ATTEMPTS: u32 = 12;
    const BATCH: u64 = 20;
    const LEASE: TimeDelta = TimeDelta::minutes(1);

    async fn lease(
        store: &Store,
        now: DateTime<Utc>,
        limit: u64,
        lease: TimeDelta,
    ) -> Result<Vec<WebhookDelivery>, StoreError> {
        store.lease_due_webhooks(now, limit, lease).await
    }

    fn id(delivery: &WebhookDelivery) -> uuid::Uuid {
        delivery.id
    }

    fn attempts(delivery: &WebhookDelivery) -> u32 {
        delivery.attempts
    }

    async fn mark_delivered(store: &Store, id: uuid::Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
        store.mark_webhook_sent(id, at).await
    }

    async fn mark_failed(
        store: &Store,
        id: uuid::Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        store.mark_webhook_attempt_failed(id, error, retry_at).await
    }

    async fn attempt(&self, delivery: &WebhookDelivery) -> Attempt {
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
            Ok(r) if r.status().is_success() => Attempt::Delivered,
            // The receiver refuses this request for good (but may be busy or throttling).
            Ok(r) if r.status().is_client_error() && r.status() != 408 && r.status() != 429 => {
                Attempt::GiveUp(format!("receiver answered {}", r.status()))
            }
            Ok(r) => Attempt::Retry(format!("receiver answered {}", r.status())),
            Err(err) => Attempt::Retry(err.to_string()),
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
