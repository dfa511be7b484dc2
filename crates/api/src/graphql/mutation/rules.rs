//! Rules (admin only). See docs/api.md#rules.

use async_graphql::{Context, ID, InputObject, Object};
use helpdesk_domain::automation::{RuleDraft, RuleEffects, RuleStart, RuleTimer as DomainTimer, RuleWebhook};
use helpdesk_domain::ids::RuleId;

use crate::ApiError;
use crate::auth::viewer;
use crate::error::ApiResult;
use crate::graphql::mutation::webhooks::check_url;
use crate::graphql::types::actions_input::TicketActionsInput;
use crate::graphql::types::rule::{Rule, RuleConditionsInput, RuleEvent, RuleNotifyInput, RuleTimer};
use crate::graphql::types::{parse_id, state};

#[derive(Default)]
pub(crate) struct RuleMutation;

/// A rule, whole: `updateRule` replaces every part. Checked as a whole
/// (`BAD_USER_INPUT` naming the field): at least one event, well-formed
/// conditions, existing teams and agents, actions as for a macro.
#[derive(InputObject)]
pub(crate) struct RuleInput {
    /// At most 100 characters.
    name: String,
    /// Rules run in ascending position (then by name); default 0.
    position: Option<i32>,
    /// Default true.
    active: Option<bool>,
    /// The events that start it. A rule has events or a `timer`, not both.
    events: Option<Vec<RuleEvent>>,
    /// Makes it time-based: it runs on tickets that have been in a status
    /// for a while with nothing happening (checked about twice a minute).
    timer: Option<RuleTimer>,
    /// Default: none, so every ticket the events happen to.
    conditions: Option<RuleConditionsInput>,
    /// What it does to the ticket; may be empty when it only notifies
    /// (an event rule's only).
    actions: Option<TicketActionsInput>,
    /// Agents to tell by mail when it runs.
    notify: Option<RuleNotifyInput>,
    /// A URL to call (a signed POST) when it runs.
    webhook: Option<RuleWebhookInput>,
}

/// A rule's webhook call: a signed POST of `{"event": "RULE", "rule",
/// "ticket"}`, retried like the event webhooks'. The URL must pass the
/// webhook target rules (public addresses, or `HELPDESK_WEBHOOK_ALLOW`).
#[derive(InputObject)]
pub(crate) struct RuleWebhookInput {
    url: String,
    /// At least 16 characters; never shown again.
    secret: String,
}

impl RuleInput {
    fn into_draft(self) -> ApiResult<RuleDraft> {
        let start = match (self.events, self.timer) {
            (Some(_), Some(_)) => {
                return Err(ApiError::BadUserInput(
                    "events, timer: a rule starts on events or on a timer, not both".to_owned(),
                ));
            }
            (_, Some(timer)) => RuleStart::Timer(DomainTimer {
                status: timer.status.into(),
                minutes: timer.minutes,
            }),
            (events, None) => RuleStart::Events(events.unwrap_or_default().into_iter().map(Into::into).collect()),
        };
        Ok(RuleDraft::new(
            &self.name,
            self.position.unwrap_or(0),
            self.active.unwrap_or(true),
            start,
            self.conditions.unwrap_or_default().into_conditions()?,
            RuleEffects {
                actions: self
                    .actions
                    .map(TicketActionsInput::into_actions)
                    .transpose()?
                    .unwrap_or_default(),
                notify: self.notify.map(RuleNotifyInput::into_notify).transpose()?,
                webhook: self.webhook.map(|w| RuleWebhook {
                    url: w.url.trim().to_owned(),
                    secret: w.secret,
                }),
            },
        )?)
    }
}

/// A rule's URL must be one the webhook rules let the desk call.
async fn check_webhook(ctx: &Context<'_>, draft: &RuleDraft) -> ApiResult<()> {
    match &draft.webhook {
        Some(webhook) => check_url(ctx, "webhook.url", &webhook.url).await,
        None => Ok(()),
    }
}

#[Object]
impl RuleMutation {
    /// Saves a rule (admin only).
    async fn create_rule(&self, ctx: &Context<'_>, input: RuleInput) -> ApiResult<Rule> {
        viewer::admin(ctx)?;
        let draft = input.into_draft()?;
        check_webhook(ctx, &draft).await?;
        let state = state(ctx)?;
        Ok(Rule(state.store.create_rule(draft, state.clock.now()).await?))
    }

    /// Replaces a rule whole (admin only).
    async fn update_rule(&self, ctx: &Context<'_>, id: ID, input: RuleInput) -> ApiResult<Rule> {
        viewer::admin(ctx)?;
        let id: RuleId = parse_id(&id, "id")?;
        let draft = input.into_draft()?;
        check_webhook(ctx, &draft).await?;
        let state = state(ctx)?;
        Ok(Rule(state.store.update_rule(id, draft, state.clock.now()).await?))
    }

    /// Deletes a rule (admin only); true when done. What it did stays in
    /// the tickets' histories.
    async fn delete_rule(&self, ctx: &Context<'_>, id: ID) -> ApiResult<bool> {
        viewer::admin(ctx)?;
        let id: RuleId = parse_id(&id, "id")?;
        state(ctx)?.store.delete_rule(id).await?;
        Ok(true)
    }
}
