use async_graphql::{Context, Enum, ID, Json, Object};
use chrono::{DateTime, Utc};
use helpdesk_domain::ticket::Actor;
use helpdesk_persistence::tickets::EventRecord;

use super::agent::Agent;
use super::customer::Customer;
use super::loader;
use super::ticket::Ticket;
use crate::ApiError;
use crate::error::ApiResult;

/// One entry of a ticket's history.
pub(crate) struct TicketEvent(pub EventRecord);

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub(crate) enum ActorKind {
    Agent,
    Customer,
    System,
    /// An admin's rule (`actorRuleId`).
    Rule,
}

#[Object]
impl TicketEvent {
    /// Position in the desk's event log; orders events of the same instant.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn ticket_id(&self) -> ID {
        ID(self.0.ticket_id.to_string())
    }

    async fn ticket(&self, ctx: &Context<'_>) -> ApiResult<Option<Ticket>> {
        Ok(loader(ctx)?.load_one(self.0.ticket_id).await?.map(Ticket))
    }

    async fn at(&self) -> DateTime<Utc> {
        self.0.event.at
    }

    /// CREATED, MESSAGE, NOTE, STATUS_CHANGED, PRIORITY_CHANGED,
    /// ASSIGNEE_CHANGED, TEAM_CHANGED, TAGS_CHANGED, FCR_ELIGIBILITY_CHANGED,
    /// MERGED_INTO, MERGED_FROM, SLA_WARNING, SLA_BREACHED, SURVEY_ANSWERED,
    /// CUSTOMER_VERIFIED, CUSTOMER_MERGED or RULE_CHAIN_STOPPED.
    async fn kind(&self) -> &'static str {
        self.0.event.kind.name()
    }

    async fn actor_kind(&self) -> ActorKind {
        match self.0.event.actor {
            Actor::Agent(_) => ActorKind::Agent,
            Actor::Customer(_) => ActorKind::Customer,
            Actor::System => ActorKind::System,
            Actor::Rule(_) => ActorKind::Rule,
        }
    }

    /// The rule that made this change (it may have been deleted since).
    async fn actor_rule_id(&self) -> Option<ID> {
        match self.0.event.actor {
            Actor::Rule(id) => Some(ID(id.to_string())),
            _ => None,
        }
    }

    async fn actor_agent(&self, ctx: &Context<'_>) -> ApiResult<Option<Agent>> {
        let Actor::Agent(id) = self.0.event.actor else {
            return Ok(None);
        };
        Ok(loader(ctx)?.load_one(id).await?.map(Agent))
    }

    async fn actor_customer(&self, ctx: &Context<'_>) -> ApiResult<Option<Customer>> {
        let Actor::Customer(id) = self.0.event.actor else {
            return Ok(None);
        };
        Ok(loader(ctx)?.load_one(id).await?.map(Customer))
    }

    /// What changed, e.g. `{"type":"STATUS_CHANGED","from":"SOLVED","to":"OPEN","reopen":true}`.
    async fn details(&self) -> ApiResult<Json<serde_json::Value>> {
        serde_json::to_value(&self.0.event.kind)
            .map(Json)
            .map_err(|e| ApiError::internal("event payload", e))
    }
}
