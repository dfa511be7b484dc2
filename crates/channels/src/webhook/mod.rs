//! The webhook queue's courier: posts queued SLA events to policies'
//! webhooks as JSON bodies signed with HMAC-SHA256. Leasing, retries with
//! backoff and giving up are the delivery worker's (`worker::DeliveryJob`).
//!
//! Where a webhook may go is [`target`]'s policy, checked again at every
//! send: the client resolves names only through [`target::CheckedResolver`],
//! uses no proxy, and follows no redirect (a 3xx is a failed attempt).

mod target;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use helpdesk_persistence::webhooks::WebhookDelivery;
use helpdesk_persistence::{Store, StoreError};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::worker::{Attempt, Courier};

pub use target::{AllowListError, TargetError, WebhookAllowList, forbidden_kind};

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
    allow: Arc<WebhookAllowList>,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot build the webhook HTTP client: {0}")]
pub struct WebhookClientError(#[from] reqwest::Error);

impl WebhookSender {
    /// A sender that reaches only public addresses and those `allow` names.
    pub fn new(allow: WebhookAllowList) -> Result<Self, WebhookClientError> {
        let allow = Arc::new(allow);
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            // A proxy would connect on our behalf, to an address we did not check.
            .no_proxy()
            // A redirect would lead to an address we did not check.
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(target::CheckedResolver(allow.clone())))
            .build()?;
        Ok(Self { client, allow })
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
        // Checked before connecting, so a refused target costs no connection
        // and is not retried; the client's resolver checks names again, and
        // connects only to what passed.
        if let Err(err) = self.allow.check_url(&delivery.url).await {
            return match err {
                TargetError::Unresolvable { .. } => Attempt::Retry(err.to_string()),
                refused => Attempt::GiveUp(format!("webhook target refused: {refused}")),
            };
        }
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
            // Not followed: the new location was never checked.
            Ok(r) if r.status().is_redirection() => {
                Attempt::Retry(format!("receiver answered {} (redirects are not followed)", r.status()))
            }
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
