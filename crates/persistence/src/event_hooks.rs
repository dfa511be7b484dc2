//! Event webhooks: an admin's subscriptions of URLs to kinds of ticket
//! events, the deliveries each event queues for them in the transaction
//! that records it, and each subscription's delivery log.
//!
//! Deliveries join the queue of the SLA webhooks (`webhooks.rs`), so they
//! are signed, leased, retried and given up the same way. A delivery copies
//! its subscription's URL and secret when queued: changing a subscription
//! changes what is queued afterwards.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use helpdesk_domain::automation::RuleWebhook;
use helpdesk_domain::event_hook::{self, HookEvent, HookMessage, HookSubscription, HookTicket};
use helpdesk_domain::ids::{AgentId, CustomerId, MessageId, RuleId, TeamId, TicketId, WebhookSubscriptionId};
use helpdesk_domain::tag::Tag;
use helpdesk_domain::ticket::TicketEvent;
use helpdesk_domain::time::to_micros;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use crate::entity::{message, ticket, ticket_tag, webhook_delivery, webhook_subscription};
use crate::error::parse_column;
use crate::outbox::DeliveryStatus;
use crate::{Store, StoreError};

/// A subscription as an admin sees it: never its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRecord {
    pub id: WebhookSubscriptionId,
    pub name: String,
    pub url: String,
    pub events: Vec<HookEvent>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<webhook_subscription::Model> for SubscriptionRecord {
    fn from(m: webhook_subscription::Model) -> Self {
        Self {
            id: WebhookSubscriptionId::from_uuid(m.id),
            name: m.name,
            url: m.url,
            events: HookSubscription::parse_events(&m.events),
            active: m.active,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// Changes to a subscription; `None` keeps a field as it is.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionChanges {
    pub name: Option<String>,
    pub url: Option<String>,
    pub secret: Option<String>,
    pub events: Option<Vec<HookEvent>>,
    pub active: Option<bool>,
}

/// One delivery of a subscription's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub id: uuid::Uuid,
    /// The event kind, or `TEST`.
    pub event: String,
    pub ticket_id: Option<TicketId>,
    /// The JSON body, exactly as signed.
    pub payload: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl TryFrom<webhook_delivery::Model> for DeliveryRecord {
    type Error = StoreError;

    fn try_from(m: webhook_delivery::Model) -> Result<Self, StoreError> {
        Ok(Self {
            id: m.id,
            event: m.event.unwrap_or_default(),
            ticket_id: m.ticket_id.map(TicketId::from_uuid),
            payload: m.payload,
            status: parse_column("webhook_deliveries.status", &m.status)?,
            attempts: u32::try_from(m.attempts).unwrap_or(0),
            next_attempt_at: m.next_attempt_at,
            last_error: m.last_error,
            created_at: m.created_at,
            sent_at: m.sent_at,
        })
    }
}

/// Where a delivery goes and who asked for it: a subscription, or a rule
/// (no subscription, so no delivery log).
struct Target<'a> {
    url: &'a str,
    secret: &'a str,
    subscription: Option<uuid::Uuid>,
}

impl<'a> From<&'a webhook_subscription::Model> for Target<'a> {
    fn from(s: &'a webhook_subscription::Model) -> Self {
        Target {
            url: &s.url,
            secret: &s.secret,
            subscription: Some(s.id),
        }
    }
}

fn delivery_row(
    target: Target<'_>,
    event: &str,
    ticket: Option<TicketId>,
    id: uuid::Uuid,
    payload: String,
    at: DateTime<Utc>,
) -> webhook_delivery::ActiveModel {
    webhook_delivery::ActiveModel {
        id: Set(id),
        ticket_id: Set(ticket.map(|t| t.as_uuid())),
        url: Set(target.url.to_owned()),
        secret: Set(target.secret.to_owned()),
        payload: Set(payload),
        status: Set(DeliveryStatus::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(at),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(at),
        sent_at: Set(None),
        subscription_id: Set(target.subscription),
        event: Set(Some(event.to_owned())),
    }
}

impl Store {
    /// Saves a new subscription (its URL's target checked by the caller).
    pub async fn create_webhook_subscription(
        &self,
        subscription: HookSubscription,
        at: DateTime<Utc>,
    ) -> Result<SubscriptionRecord, StoreError> {
        let at = to_micros(at);
        let name = subscription.name.clone();
        let row = webhook_subscription::ActiveModel {
            id: Set(WebhookSubscriptionId::new().as_uuid()),
            name: Set(subscription.name),
            url: Set(subscription.url),
            secret: Set(subscription.secret),
            events: Set(HookSubscription::events_text(&subscription.events)),
            active: Set(subscription.active),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(self.db())
        .await
        .map_err(|e| StoreError::conflict_on_unique(e, format!("a webhook subscription named {name:?} exists")))?;
        Ok(row.into())
    }

    /// Applies `changes`, checked as a whole by the domain's rules.
    pub async fn update_webhook_subscription(
        &self,
        id: WebhookSubscriptionId,
        changes: SubscriptionChanges,
        at: DateTime<Utc>,
    ) -> Result<SubscriptionRecord, StoreError> {
        let txn = self.write().await?;
        let current = webhook_subscription::Entity::find_by_id(id.as_uuid())
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::not_found("webhook subscription"))?;
        let current_events = HookSubscription::parse_events(&current.events);
        let checked = HookSubscription::new(
            changes.name.as_deref().unwrap_or(&current.name),
            changes.url.as_deref().unwrap_or(&current.url),
            changes.secret.as_deref().unwrap_or(&current.secret),
            changes.events.as_deref().unwrap_or(&current_events),
            changes.active.unwrap_or(current.active),
        )?;
        let name = checked.name.clone();
        let mut row: webhook_subscription::ActiveModel = current.into();
        row.name = Set(checked.name);
        row.url = Set(checked.url);
        row.secret = Set(checked.secret);
        row.events = Set(HookSubscription::events_text(&checked.events));
        row.active = Set(checked.active);
        row.updated_at = Set(to_micros(at));
        let saved = row
            .update(&txn)
            .await
            .map_err(|e| StoreError::conflict_on_unique(e, format!("a webhook subscription named {name:?} exists")))?;
        txn.commit().await?;
        Ok(saved.into())
    }

    /// Deletes a subscription and its delivery log (pending deliveries are
    /// not sent); false when there was none.
    pub async fn delete_webhook_subscription(&self, id: WebhookSubscriptionId) -> Result<bool, StoreError> {
        let txn = self.write().await?;
        webhook_delivery::Entity::delete_many()
            .filter(webhook_delivery::Column::SubscriptionId.eq(id.as_uuid()))
            .exec(&txn)
            .await?;
        let deleted = webhook_subscription::Entity::delete_by_id(id.as_uuid())
            .exec(&txn)
            .await?
            .rows_affected;
        txn.commit().await?;
        Ok(deleted > 0)
    }

    /// Every subscription, by name.
    pub async fn webhook_subscriptions(&self) -> Result<Vec<SubscriptionRecord>, StoreError> {
        Ok(webhook_subscription::Entity::find()
            .order_by_asc(webhook_subscription::Column::Name)
            .all(self.db())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    pub async fn webhook_subscription(
        &self,
        id: WebhookSubscriptionId,
    ) -> Result<Option<SubscriptionRecord>, StoreError> {
        Ok(webhook_subscription::Entity::find_by_id(id.as_uuid())
            .one(self.db())
            .await?
            .map(Into::into))
    }

    /// A page of a subscription's deliveries, newest first: up to `first`
    /// older than `before` (a delivery id), and whether there are more.
    pub async fn webhook_deliveries_of(
        &self,
        subscription: WebhookSubscriptionId,
        first: u64,
        before: Option<uuid::Uuid>,
    ) -> Result<(Vec<DeliveryRecord>, bool), StoreError> {
        let mut query = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::SubscriptionId.eq(subscription.as_uuid()));
        if let Some(before) = before {
            query = query.filter(webhook_delivery::Column::Id.lt(before));
        }
        let mut rows = query
            .order_by_desc(webhook_delivery::Column::Id)
            .limit(first.saturating_add(1))
            .all(self.db())
            .await?;
        let more = rows.len() as u64 > first;
        rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
        let records = rows.into_iter().map(TryInto::try_into).collect::<Result<_, _>>()?;
        Ok((records, more))
    }

    /// Queues a `TEST` delivery to a subscription, active or not; `None`
    /// when there is no such subscription.
    pub async fn queue_test_webhook(
        &self,
        id: WebhookSubscriptionId,
        at: DateTime<Utc>,
    ) -> Result<Option<DeliveryRecord>, StoreError> {
        let at = to_micros(at);
        let txn = self.write().await?;
        let Some(subscription) = webhook_subscription::Entity::find_by_id(id.as_uuid()).one(&txn).await? else {
            return Ok(None);
        };
        let delivery = uuid::Uuid::now_v7();
        let payload = event_hook::test_payload(delivery, &subscription.name, at).to_string();
        let row = delivery_row(
            (&subscription).into(),
            event_hook::TEST_EVENT,
            None,
            delivery,
            payload,
            at,
        )
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(Some(row.try_into()?))
    }
}

/// Queues a delivery of each of `events` to every active subscription that
/// asked for its kind, in the transaction that appends them: an event is
/// announced exactly when it is recorded. With no subscription this costs
/// one read of a small table.
pub(crate) async fn after_events(
    txn: &DatabaseTransaction,
    ticket_id: TicketId,
    events: &[TicketEvent],
) -> Result<(), StoreError> {
    let announced: Vec<(HookEvent, &TicketEvent)> = events
        .iter()
        .filter_map(|e| HookEvent::of(&e.kind).map(|hook| (hook, e)))
        .collect();
    if announced.is_empty() {
        return Ok(());
    }
    let subscriptions = webhook_subscription::Entity::find()
        .filter(webhook_subscription::Column::Active.eq(true))
        .order_by_asc(webhook_subscription::Column::Id)
        .all(txn)
        .await?;
    let listeners: Vec<(HookEvent, &TicketEvent, Vec<&webhook_subscription::Model>)> = announced
        .into_iter()
        .map(|(hook, event)| {
            let to = subscriptions
                .iter()
                .filter(|s| HookSubscription::parse_events(&s.events).contains(&hook))
                .collect::<Vec<_>>();
            (hook, event, to)
        })
        .filter(|(_, _, to)| !to.is_empty())
        .collect();
    if listeners.is_empty() {
        return Ok(());
    }
    let ticket = hook_ticket(txn, ticket_id).await?;
    let messages = hook_messages(
        txn,
        listeners
            .iter()
            .filter_map(|(_, event, _)| HookEvent::message_of(&event.kind))
            .collect(),
    )
    .await?;
    let mut rows = Vec::new();
    for (hook, event, to) in listeners {
        let message = HookEvent::message_of(&event.kind).and_then(|id| messages.get(&id));
        for subscription in to {
            let delivery = uuid::Uuid::now_v7();
            let payload = event_hook::payload(delivery, hook, event, &ticket, message).to_string();
            rows.push(delivery_row(
                subscription.into(),
                hook.as_str(),
                Some(ticket_id),
                delivery,
                payload,
                event.at,
            ));
        }
    }
    webhook_delivery::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// Queues a rule's webhook call about `ticket_id`, in the transaction the
/// rule runs in: a delivery of no subscription, signed with the rule's
/// secret, retried like every other.
pub(crate) async fn queue_rule_call(
    txn: &DatabaseTransaction,
    ticket_id: TicketId,
    rule: RuleId,
    name: &str,
    webhook: &RuleWebhook,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let ticket = hook_ticket(txn, ticket_id).await?;
    let delivery = uuid::Uuid::now_v7();
    let payload = event_hook::rule_payload(delivery, rule, name, at, &ticket).to_string();
    let target = Target {
        url: &webhook.url,
        secret: &webhook.secret,
        subscription: None,
    };
    delivery_row(target, event_hook::RULE_EVENT, Some(ticket_id), delivery, payload, at)
        .insert(txn)
        .await?;
    Ok(())
}

/// The ticket as it is in this transaction, after the change.
async fn hook_ticket(txn: &DatabaseTransaction, id: TicketId) -> Result<HookTicket, StoreError> {
    let row = ticket::Entity::find_by_id(id.as_uuid())
        .one(txn)
        .await?
        .ok_or_else(|| StoreError::not_found("ticket"))?;
    let tags: Vec<String> = ticket_tag::Entity::find()
        .select_only()
        .column(ticket_tag::Column::Tag)
        .filter(ticket_tag::Column::TicketId.eq(id.as_uuid()))
        .order_by_asc(ticket_tag::Column::Tag)
        .into_tuple()
        .all(txn)
        .await?;
    Ok(HookTicket {
        id,
        number: row.number,
        subject: row.subject,
        status: parse_column("tickets.status", &row.status)?,
        priority: parse_column("tickets.priority", &row.priority)?,
        channel: parse_column("tickets.channel", &row.channel)?,
        customer: CustomerId::from_uuid(row.customer_id),
        assignee: row.assignee_id.map(AgentId::from_uuid),
        team: row.team_id.map(TeamId::from_uuid),
        tags: tags
            .iter()
            .map(|t| parse_column::<Tag>("ticket_tags.tag", t))
            .collect::<Result<_, _>>()?,
    })
}

async fn hook_messages(
    txn: &DatabaseTransaction,
    ids: Vec<MessageId>,
) -> Result<HashMap<MessageId, HookMessage>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = message::Entity::find()
        .filter(message::Column::Id.is_in(ids.iter().map(MessageId::as_uuid)))
        .all(txn)
        .await?;
    rows.into_iter()
        .map(|m| {
            let id = MessageId::from_uuid(m.id);
            Ok((
                id,
                HookMessage {
                    id,
                    author: parse_column("messages.author", &m.author)?,
                    internal: m.internal,
                    body: m.body,
                },
            ))
        })
        .collect()
}
