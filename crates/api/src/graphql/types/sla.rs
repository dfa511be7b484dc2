use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use helpdesk_domain::sla::SlaPolicy as PolicyRecord;
use helpdesk_persistence::sla::SlaTargetRecord;

use super::calendar::BusinessCalendar;
use super::enums::{Channel, Clock, Priority, SlaState, SlaTarget};
use super::state;
use crate::auth::viewer;
use crate::error::ApiResult;

/// One promise of a policy.
#[derive(SimpleObject)]
pub(crate) struct SlaTargetSpec {
    target: SlaTarget,
    minutes: u32,
    clock: Clock,
}

/// A promise the desk makes for the tickets it matches.
pub(crate) struct SlaPolicy(pub PolicyRecord);

#[Object]
impl SlaPolicy {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Lower matches first.
    async fn position(&self) -> i32 {
        self.0.position
    }

    async fn priorities(&self) -> Vec<Priority> {
        self.0.priorities.iter().map(|p| (*p).into()).collect()
    }

    async fn channels(&self) -> Vec<Channel> {
        self.0.channels.iter().map(|c| (*c).into()).collect()
    }

    async fn tags(&self) -> Vec<String> {
        self.0.tags.iter().map(ToString::to_string).collect()
    }

    async fn targets(&self) -> Vec<SlaTargetSpec> {
        self.0
            .targets
            .iter()
            .map(|t| SlaTargetSpec {
                target: t.target.into(),
                minutes: t.minutes,
                clock: t.clock.into(),
            })
            .collect()
    }

    /// Its own business calendar, if it does not use the desk's.
    async fn calendar(&self) -> Option<BusinessCalendar> {
        self.0.calendar.as_ref().map(BusinessCalendar::from)
    }

    /// Where its warnings and breaches are posted: shown to admins only,
    /// null for everyone else (URLs often carry credentials). The signing
    /// secret is never shown.
    async fn webhook_url(&self, ctx: &Context<'_>) -> Option<&str> {
        let is_admin = viewer::agent(ctx).is_ok_and(|v| v.role.is_admin());
        self.0.webhook.as_ref().filter(|_| is_admin).map(|w| w.url.as_str())
    }

    /// Percent of a target's time left when it warns.
    async fn warning_percent(&self) -> u8 {
        self.0.warning_percent
    }
}

/// One SLA target of a ticket.
pub(crate) struct TicketSlaTarget(pub SlaTargetRecord);

#[Object]
impl TicketSlaTarget {
    async fn target(&self) -> SlaTarget {
        self.0.target.into()
    }

    async fn policy(&self, ctx: &Context<'_>) -> ApiResult<Option<SlaPolicy>> {
        let policies = state(ctx)?.store.sla_policies().await?;
        Ok(policies.into_iter().find(|p| p.id == self.0.policy_id).map(SlaPolicy))
    }

    async fn state(&self) -> SlaState {
        self.0.state.into()
    }

    async fn started_at(&self) -> DateTime<Utc> {
        self.0.started_at
    }

    /// Null while paused.
    async fn due_at(&self) -> Option<DateTime<Utc>> {
        self.0.due_at
    }

    /// When it was achieved or breached.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
}
