use async_graphql::{Context, ID, InputObject, Object};
use helpdesk_domain::ids::SlaPolicyId;
use helpdesk_domain::sla::{
    SlaPolicy as PolicyRecord, TargetSpec, Webhook, check_targets, check_warning_percent, check_webhook_secret,
};
use helpdesk_domain::tag::parse_tags;
use helpdesk_domain::ticket::text;

use super::calendar::BusinessCalendarInput;
use crate::ApiError;
use crate::auth::viewer;
use crate::error::ApiResult;
use crate::graphql::types::enums::{Channel, Clock, Priority, SlaTarget};
use crate::graphql::types::sla::SlaPolicy;
use crate::graphql::types::{enum_list, parse_id, state};

#[derive(Default)]
pub(crate) struct SlaMutation;

#[derive(InputObject)]
pub(crate) struct SlaTargetInput {
    target: SlaTarget,
    minutes: i32,
    /// Default CALENDAR.
    clock: Option<Clock>,
}

#[derive(InputObject)]
pub(crate) struct SlaPolicyInput {
    name: String,
    /// Lower matches first (default 0).
    position: Option<i32>,
    /// Conditions, each matching any of its values; omitted or empty matches all.
    priorities: Option<Vec<Priority>>,
    channels: Option<Vec<Channel>>,
    tags: Option<Vec<String>>,
    targets: Vec<SlaTargetInput>,
    /// Percent of a target's time left when it warns (default 20).
    warning_percent: Option<i32>,
    /// Where warnings and breaches are POSTed as JSON, signed with
    /// `x-helpdesk-signature: sha256=<HMAC-SHA256 of the body under webhookSecret>`.
    /// An http(s) URL whose host resolves to public addresses only (or is on
    /// the server's HELPDESK_WEBHOOK_ALLOW list); redirects are not followed.
    webhook_url: Option<String>,
    /// Required with `webhookUrl`; never shown again.
    webhook_secret: Option<String>,
    /// The policy's own business calendar for BUSINESS targets; the desk's
    /// default when omitted.
    calendar: Option<BusinessCalendarInput>,
}

impl SlaPolicyInput {
    /// Reads the input into a policy. The policy's own rules are the
    /// domain's (`SlaPolicy::check`, enforced by the store); they are asked
    /// here as each part is read, so the first fault in the input is the one
    /// reported.
    fn into_policy(self, id: SlaPolicyId) -> ApiResult<PolicyRecord> {
        let targets: Vec<TargetSpec> = self
            .targets
            .into_iter()
            .map(|t| TargetSpec {
                target: t.target.into(),
                // A negative count is out of range just like zero.
                minutes: u32::try_from(t.minutes).unwrap_or(0),
                clock: t.clock.map_or(helpdesk_domain::sla::Clock::Calendar, Into::into),
            })
            .collect();
        check_targets(&targets)?;
        // Whatever does not fit a percentage is out of range just like zero.
        let warning_percent = self
            .warning_percent
            .map_or(PolicyRecord::DEFAULT_WARNING_PERCENT, |p| u8::try_from(p).unwrap_or(0));
        check_warning_percent(warning_percent)?;
        Ok(PolicyRecord {
            id,
            name: text::bounded(&self.name, "name", 200)?,
            position: self.position.unwrap_or(0),
            priorities: enum_list(self.priorities),
            channels: enum_list(self.channels),
            tags: parse_tags(&self.tags.unwrap_or_default())?,
            targets,
            warning_percent,
            calendar: self.calendar.map(BusinessCalendarInput::into_calendar).transpose()?,
            webhook: match (self.webhook_url, self.webhook_secret) {
                (None, _) => None,
                (Some(url), secret) => {
                    // Required with a URL: a missing secret is as weak as an empty one.
                    let secret = secret.unwrap_or_default();
                    check_webhook_secret("webhookSecret", &secret)?;
                    let parsed = url
                        .parse::<reqwest::Url>()
                        .ok()
                        .filter(|u| matches!(u.scheme(), "http" | "https"));
                    if parsed.is_none() {
                        return Err(ApiError::BadUserInput(format!(
                            "webhookUrl {url:?} is not an http(s) URL"
                        )));
                    }
                    Some(Webhook { url, secret })
                }
            },
        })
    }
}

/// Refuses a webhook URL whose host is not public (loopback, private,
/// link-local, metadata, ...) unless `HELPDESK_WEBHOOK_ALLOW` lets it through.
/// The sender checks again at every send, after resolving the name anew.
async fn check_webhook_target(ctx: &Context<'_>, policy: &PolicyRecord) -> ApiResult<()> {
    if let Some(webhook) = &policy.webhook {
        state(ctx)?
            .webhook_allow
            .check_url(&webhook.url)
            .await
            .map_err(|err| ApiError::BadUserInput(format!("webhookUrl: {err}")))?;
    }
    Ok(())
}

#[Object]
impl SlaMutation {
    /// Defines an SLA policy (admin only). Tickets are matched against it at
    /// creation and whenever their priority, channel or tags change.
    ///
    /// See docs/api.md#sla-policies-and-business-hours.
    async fn create_sla_policy(&self, ctx: &Context<'_>, input: SlaPolicyInput) -> ApiResult<SlaPolicy> {
        viewer::admin(ctx)?;
        let policy = input.into_policy(SlaPolicyId::new())?;
        check_webhook_target(ctx, &policy).await?;
        Ok(SlaPolicy(
            state(ctx)?
                .store
                .create_sla_policy(policy, state(ctx)?.clock.now())
                .await?,
        ))
    }

    /// Replaces a policy (admin only); targets already decided stay decided.
    ///
    /// See docs/api.md#sla-policies-and-business-hours.
    async fn update_sla_policy(&self, ctx: &Context<'_>, id: ID, input: SlaPolicyInput) -> ApiResult<SlaPolicy> {
        viewer::admin(ctx)?;
        let policy = input.into_policy(parse_id(&id, "id")?)?;
        check_webhook_target(ctx, &policy).await?;
        Ok(SlaPolicy(
            state(ctx)?
                .store
                .update_sla_policy(policy, state(ctx)?.clock.now())
                .await?,
        ))
    }

    /// Deletes a policy (admin only); true when it existed.
    ///
    /// See docs/api.md#sla-policies-and-business-hours.
    async fn delete_sla_policy(&self, ctx: &Context<'_>, id: ID) -> ApiResult<bool> {
        viewer::admin(ctx)?;
        Ok(state(ctx)?.store.delete_sla_policy(parse_id(&id, "id")?).await?)
    }
}
