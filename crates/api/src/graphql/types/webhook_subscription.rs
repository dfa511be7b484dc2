//! Event webhook subscriptions and their delivery logs (admin only).

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use helpdesk_persistence::event_hooks::{DeliveryRecord, SubscriptionRecord};

use super::connection::PageInfo;
use super::enums::WebhookEvent;
use super::message::DeliveryStatus;
use super::state;
use crate::ApiError;
use crate::error::ApiResult;

/// The most deliveries one page of a log holds.
const MAX_PAGE: i32 = 100;

/// A URL subscribed to kinds of ticket events: each such event is POSTed
/// to it as signed JSON, retried with backoff. Its secret is never shown.
pub(crate) struct WebhookSubscription(pub SubscriptionRecord);

#[Object]
impl WebhookSubscription {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn url(&self) -> &str {
        &self.0.url
    }

    async fn events(&self) -> Vec<WebhookEvent> {
        self.0.events.iter().copied().map(Into::into).collect()
    }

    /// An inactive subscription queues nothing (a test event excepted).
    async fn active(&self) -> bool {
        self.0.active
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// What was sent or is to be sent, newest first.
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
    ) -> ApiResult<WebhookDeliveryConnection> {
        if !(0..=MAX_PAGE).contains(&first) {
            return Err(ApiError::BadUserInput(format!(
                "first must be between 0 and {MAX_PAGE}"
            )));
        }
        let before = after
            .map(|a| {
                a.parse::<uuid::Uuid>()
                    .map_err(|_| ApiError::BadUserInput(format!("invalid cursor {a:?}")))
            })
            .transpose()?;
        let (deliveries, has_next_page) = state(ctx)?
            .store
            .webhook_deliveries_of(self.0.id, u64::from(first.unsigned_abs()), before)
            .await?;
        Ok(WebhookDeliveryConnection {
            deliveries,
            has_next_page,
        })
    }
}

/// One POST of an event to a subscription's URL, and how it went.
pub(crate) struct WebhookDelivery(pub DeliveryRecord);

#[Object]
impl WebhookDelivery {
    /// Also sent as the `X-Helpdesk-Delivery` header and the body's `id`:
    /// a receiver that sees it twice (after a lost answer) can skip it.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The event kind, or `TEST` for `sendTestWebhookEvent`.
    async fn event(&self) -> &str {
        &self.0.event
    }

    async fn ticket_id(&self) -> Option<ID> {
        self.0.ticket_id.map(|t| ID(t.to_string()))
    }

    /// The JSON body exactly as signed and sent.
    async fn payload(&self) -> &str {
        &self.0.payload
    }

    async fn status(&self) -> DeliveryStatus {
        self.0.status.into()
    }

    async fn attempts(&self) -> u32 {
        self.0.attempts
    }

    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }

    /// When the next attempt is due, while pending.
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.status == helpdesk_persistence::outbox::DeliveryStatus::Pending).then_some(self.0.next_attempt_at)
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.sent_at
    }
}

pub(crate) struct WebhookDeliveryEdge(DeliveryRecord);

#[Object]
impl WebhookDeliveryEdge {
    /// Opaque; pass it as `after` for the next (older) page.
    async fn cursor(&self) -> String {
        self.0.id.to_string()
    }

    async fn node(&self) -> WebhookDelivery {
        WebhookDelivery(self.0.clone())
    }
}

pub(crate) struct WebhookDeliveryConnection {
    deliveries: Vec<DeliveryRecord>,
    has_next_page: bool,
}

#[Object]
impl WebhookDeliveryConnection {
    async fn edges(&self) -> Vec<WebhookDeliveryEdge> {
        self.deliveries.iter().cloned().map(WebhookDeliveryEdge).collect()
    }

    async fn nodes(&self) -> Vec<WebhookDelivery> {
        self.deliveries.iter().cloned().map(WebhookDelivery).collect()
    }

    async fn page_info(&self) -> PageInfo {
        PageInfo::forward(
            self.has_next_page,
            self.deliveries.first().map(|d| d.id.to_string()),
            self.deliveries.last().map(|d| d.id.to_string()),
        )
    }
}
