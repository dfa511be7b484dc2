//! Event webhook subscriptions (admin only). See docs/webhooks.md.

use async_graphql::{Context, ID, InputObject, Object};
use helpdesk_domain::event_hook::HookSubscription;
use helpdesk_domain::ids::WebhookSubscriptionId;
use helpdesk_persistence::event_hooks::SubscriptionChanges;

use crate::ApiError;
use crate::auth::viewer;
use crate::error::ApiResult;
use crate::graphql::types::enums::WebhookEvent;
use crate::graphql::types::webhook_subscription::{WebhookDelivery, WebhookSubscription};
use crate::graphql::types::{parse_id, state};

#[derive(Default)]
pub(crate) struct WebhookMutation;

#[derive(InputObject)]
pub(crate) struct CreateWebhookSubscriptionInput {
    /// Unique; at most 100 characters.
    name: String,
    /// An http(s) URL whose host resolves to public addresses only (or one
    /// `HELPDESK_WEBHOOK_ALLOW` names).
    url: String,
    /// At least 16 characters: the key of every delivery's
    /// `X-Helpdesk-Signature`. Never shown again.
    secret: String,
    /// At least one.
    events: Vec<WebhookEvent>,
    /// Default true.
    active: Option<bool>,
}

/// Changes to a subscription; omitted fields stay as they are.
#[derive(InputObject)]
pub(crate) struct UpdateWebhookSubscriptionInput {
    id: ID,
    name: Option<String>,
    url: Option<String>,
    secret: Option<String>,
    events: Option<Vec<WebhookEvent>>,
    active: Option<bool>,
}

/// Refuses a URL that is not http(s) or whose host is not public (unless
/// `HELPDESK_WEBHOOK_ALLOW` lets it through). The sender checks again at
/// every send, after resolving the name anew.
pub(crate) async fn check_url(ctx: &Context<'_>, field: &str, url: &str) -> ApiResult<()> {
    state(ctx)?
        .webhook_allow
        .check_url(url)
        .await
        .map(|_| ())
        .map_err(|err| ApiError::BadUserInput(format!("{field}: {err}")))
}

#[Object]
impl WebhookMutation {
    /// Subscribes a URL to kinds of ticket events (admin only).
    ///
    /// See docs/webhooks.md.
    async fn create_webhook_subscription(
        &self,
        ctx: &Context<'_>,
        input: CreateWebhookSubscriptionInput,
    ) -> ApiResult<WebhookSubscription> {
        viewer::admin(ctx)?;
        let events: Vec<_> = input.events.into_iter().map(Into::into).collect();
        let subscription = HookSubscription::new(
            &input.name,
            &input.url,
            &input.secret,
            &events,
            input.active.unwrap_or(true),
        )?;
        check_url(ctx, "url", &subscription.url).await?;
        let state = state(ctx)?;
        Ok(WebhookSubscription(
            state
                .store
                .create_webhook_subscription(subscription, state.clock.now())
                .await?,
        ))
    }

    /// Changes a subscription (admin only); deliveries already queued keep
    /// the URL and secret they were queued with.
    async fn update_webhook_subscription(
        &self,
        ctx: &Context<'_>,
        input: UpdateWebhookSubscriptionInput,
    ) -> ApiResult<WebhookSubscription> {
        viewer::admin(ctx)?;
        let id: WebhookSubscriptionId = parse_id(&input.id, "id")?;
        if let Some(url) = &input.url {
            check_url(ctx, "url", url.trim()).await?;
        }
        let changes = SubscriptionChanges {
            name: input.name,
            url: input.url,
            secret: input.secret,
            events: input.events.map(|events| events.into_iter().map(Into::into).collect()),
            active: input.active,
        };
        let state = state(ctx)?;
        Ok(WebhookSubscription(
            state
                .store
                .update_webhook_subscription(id, changes, state.clock.now())
                .await?,
        ))
    }

    /// Deletes a subscription and its delivery log; deliveries not yet
    /// made are dropped (admin only). False when there was none.
    async fn delete_webhook_subscription(&self, ctx: &Context<'_>, id: ID) -> ApiResult<bool> {
        viewer::admin(ctx)?;
        let id: WebhookSubscriptionId = parse_id(&id, "id")?;
        Ok(state(ctx)?.store.delete_webhook_subscription(id).await?)
    }

    /// Queues a `TEST` event to the subscription's URL, signed like every
    /// other, whether the subscription is active or not (admin only).
    async fn send_test_webhook_event(&self, ctx: &Context<'_>, subscription_id: ID) -> ApiResult<WebhookDelivery> {
        viewer::admin(ctx)?;
        let id: WebhookSubscriptionId = parse_id(&subscription_id, "subscriptionId")?;
        let state = state(ctx)?;
        state
            .store
            .queue_test_webhook(id, state.clock.now())
            .await?
            .map(WebhookDelivery)
            .ok_or(ApiError::NotFound("webhook subscription"))
    }
}
