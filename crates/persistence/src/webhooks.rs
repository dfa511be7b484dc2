//! SLA events posted to policies' webhooks: queued with the event, leased
//! to one sender at a time, retried like mail.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entity::webhook_delivery;
use crate::outbox::DeliveryStatus;
use crate::{Store, StoreError};

/// One POST to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDelivery {
    pub id: uuid::Uuid,
    pub url: String,
    /// HMAC-SHA256 key for the body's signature.
    pub secret: String,
    /// The JSON body, exactly as signed.
    pub payload: String,
    pub attempts: u32,
}

pub(crate) fn delivery_row(
    ticket: uuid::Uuid,
    url: &str,
    secret: &str,
    payload: String,
    at: DateTime<Utc>,
) -> webhook_delivery::ActiveModel {
    webhook_delivery::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        ticket_id: Set(Some(ticket)),
        url: Set(url.to_owned()),
        secret: Set(secret.to_owned()),
        payload: Set(payload),
        status: Set(DeliveryStatus::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(at),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(at),
        sent_at: Set(None),
        subscription_id: Set(None),
        event: Set(None),
    }
}

const COLUMNS: crate::delivery::DeliveryColumns<webhook_delivery::Column> = crate::delivery::DeliveryColumns {
    id: webhook_delivery::Column::Id,
    status: webhook_delivery::Column::Status,
    attempts: webhook_delivery::Column::Attempts,
    next_attempt_at: webhook_delivery::Column::NextAttemptAt,
    locked_until: webhook_delivery::Column::LockedUntil,
    last_error: webhook_delivery::Column::LastError,
    sent_at: webhook_delivery::Column::SentAt,
};

impl Store {
    /// Leases up to `limit` due deliveries for `lease` (see `delivery::lease`).
    pub async fn lease_due_webhooks(
        &self,
        now: DateTime<Utc>,
        limit: u64,
        lease: TimeDelta,
    ) -> Result<Vec<WebhookDelivery>, StoreError> {
        let txn = self.write().await?;
        let ids = crate::delivery::lease::<webhook_delivery::Entity>(&txn, &COLUMNS, now, limit, lease).await?;
        let rows = if ids.is_empty() {
            Vec::new()
        } else {
            webhook_delivery::Entity::find()
                .filter(webhook_delivery::Column::Id.is_in(ids))
                .order_by_asc(webhook_delivery::Column::NextAttemptAt)
                .all(&txn)
                .await?
        };
        txn.commit().await?;
        Ok(rows
            .into_iter()
            .map(|r| WebhookDelivery {
                id: r.id,
                url: r.url,
                secret: r.secret,
                payload: r.payload,
                attempts: u32::try_from(r.attempts).unwrap_or(0),
            })
            .collect())
    }

    pub async fn mark_webhook_sent(&self, id: uuid::Uuid, at: DateTime<Utc>) -> Result<(), StoreError> {
        crate::delivery::mark_sent::<webhook_delivery::Entity, _>(self.db(), &COLUMNS, id, at).await
    }

    /// Records a failed attempt: retried at `retry_at`, or given up when `None`.
    pub async fn mark_webhook_attempt_failed(
        &self,
        id: uuid::Uuid,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        crate::delivery::mark_attempt_failed::<webhook_delivery::Entity, _>(self.db(), &COLUMNS, id, error, retry_at)
            .await
    }
}
