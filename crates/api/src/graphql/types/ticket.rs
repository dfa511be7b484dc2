use async_graphql::{Context, ID, Lookahead, Object};
use chrono::{DateTime, Utc};
use helpdesk_persistence::tickets::TicketRecord;

use super::agent::Agent;
use super::customer::Customer;
use super::enums::{Channel, Priority, TicketStatus};
use super::event::TicketEvent;
use super::message::Message;
use super::sla::TicketSlaTarget;
use super::team::Team;
use super::{loader, state};
use crate::ApiError;
use crate::error::ApiResult;
use crate::graphql::loaders::{ChannelsOf, MessagesOf, SlaTargetsOf, TagsOf};

/// Loads, in one query each, what the selected fields of a page of tickets
/// will ask for, so the per-ticket resolvers find it in the request's cache.
///
/// Batching alone depends on timing (the loader waits a moment to collect
/// keys); looking ahead makes a page's cost independent of its size.
pub(crate) async fn prefetch(ctx: &Context<'_>, tickets: &[TicketRecord], node: Lookahead<'_>) -> ApiResult<()> {
    let loader = loader(ctx)?;
    let customer = node.field("customer");
    // Each load waits out the loader's batching delay before it asks the
    // store; asked together, a page waits once and its queries run side by
    // side instead of one after another.
    // The first failure cancels the other loads: the page fails as a whole.
    futures_util::try_join!(
        async {
            if customer.exists() {
                loader.load_many(tickets.iter().map(|t| t.customer_id)).await?;
            }
            Ok::<_, ApiError>(())
        },
        async {
            if customer.field("preferredChannel").exists() || customer.field("channels").exists() {
                loader
                    .load_many(tickets.iter().map(|t| ChannelsOf(t.customer_id)))
                    .await?;
            }
            Ok::<_, ApiError>(())
        },
        async {
            if node.field("assignee").exists() {
                loader.load_many(tickets.iter().filter_map(|t| t.assignee_id)).await?;
            }
            Ok::<_, ApiError>(())
        },
        async {
            if node.field("team").exists() {
                loader.load_many(tickets.iter().filter_map(|t| t.team_id)).await?;
            }
            Ok::<_, ApiError>(())
        },
        async {
            if node.field("tags").exists() {
                loader.load_many(tickets.iter().map(|t| TagsOf(t.id))).await?;
            }
            Ok::<_, ApiError>(())
        },
        async {
            if node.field("messages").exists() {
                loader.load_many(tickets.iter().map(|t| MessagesOf(t.id))).await?;
            }
            Ok::<_, ApiError>(())
        },
    )?;
    Ok(())
}

/// A customer's request and everything the desk did about it.
pub(crate) struct Ticket(pub TicketRecord);

#[Object]
impl Ticket {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Human-friendly number (shown as `#1234`), in the order tickets were
    /// numbered. A refused ticket takes none, so numbers run without gaps,
    /// except on PostgreSQL where a creation's commit failed after it was
    /// numbered (a lost connection).
    async fn number(&self) -> i64 {
        self.0.number
    }

    async fn subject(&self) -> &str {
        &self.0.subject
    }

    async fn status(&self) -> TicketStatus {
        self.0.status.into()
    }

    async fn priority(&self) -> Priority {
        self.0.priority.into()
    }

    /// How the ticket reached the desk; never changes.
    async fn channel(&self) -> Channel {
        self.0.channel.into()
    }

    async fn customer(&self, ctx: &Context<'_>) -> ApiResult<Customer> {
        loader(ctx)?
            .load_one(self.0.customer_id)
            .await?
            .map(Customer)
            .ok_or(ApiError::NotFound("customer"))
    }

    async fn assignee(&self, ctx: &Context<'_>) -> ApiResult<Option<Agent>> {
        let Some(id) = self.0.assignee_id else { return Ok(None) };
        Ok(loader(ctx)?.load_one(id).await?.map(Agent))
    }

    async fn team(&self, ctx: &Context<'_>) -> ApiResult<Option<Team>> {
        let Some(id) = self.0.team_id else { return Ok(None) };
        Ok(loader(ctx)?.load_one(id).await?.map(Team))
    }

    /// Sorted, lower-case.
    async fn tags(&self, ctx: &Context<'_>) -> ApiResult<Vec<String>> {
        let tags = loader(ctx)?.load_one(TagsOf(self.0.id)).await?.unwrap_or_default();
        Ok(tags.iter().map(ToString::to_string).collect())
    }

    /// The key of the web form it came through (null for other tickets).
    async fn web_form_key(&self) -> Option<&str> {
        self.0.web_form_key.as_deref()
    }

    /// Whether the ticket counts towards first-contact resolution.
    async fn fcr_eligible(&self) -> bool {
        self.0.fcr_eligible
    }

    /// The ticket this one was merged into, if any.
    async fn merged_into(&self, ctx: &Context<'_>) -> ApiResult<Option<Ticket>> {
        let Some(id) = self.0.merged_into else { return Ok(None) };
        Ok(loader(ctx)?.load_one(id).await?.map(Ticket))
    }

    /// The closed ticket this one follows up, if any.
    async fn follow_up_of(&self, ctx: &Context<'_>) -> ApiResult<Option<Ticket>> {
        let Some(id) = self.0.follow_up_of else { return Ok(None) };
        Ok(loader(ctx)?.load_one(id).await?.map(Ticket))
    }

    /// The survey invitations about this ticket, oldest first, with their answers.
    /// See docs/api.md#surveys.
    async fn surveys(&self, ctx: &Context<'_>) -> ApiResult<Vec<super::survey::SurveyInvitation>> {
        let viewer = crate::auth::viewer::agent(ctx)?;
        let invitations = viewer
            .tickets(state(ctx)?)
            .survey_invitations_of_tickets(&[self.0.id])
            .await?;
        Ok(invitations.into_iter().map(super::survey::SurveyInvitation).collect())
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Public messages and internal notes, oldest first.
    async fn messages(&self, ctx: &Context<'_>) -> ApiResult<Vec<Message>> {
        let messages = loader(ctx)?.load_one(MessagesOf(self.0.id)).await?.unwrap_or_default();
        Ok(messages.iter().cloned().map(Message).collect())
    }

    /// The earliest deadline among its running SLA targets.
    async fn sla_next_due_at(&self) -> Option<DateTime<Utc>> {
        self.0.sla_next_due_at
    }

    /// A target was breached and its event has not come yet.
    async fn sla_breached(&self) -> bool {
        self.0.sla_breached
    }

    /// The ticket's SLA targets, oldest first.
    async fn sla_targets(&self, ctx: &Context<'_>) -> ApiResult<Vec<TicketSlaTarget>> {
        let targets = loader(ctx)?
            .load_one(SlaTargetsOf(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(targets.iter().cloned().map(TicketSlaTarget).collect())
    }

    /// Every change to the ticket, oldest first.
    async fn events(&self, ctx: &Context<'_>) -> ApiResult<Vec<TicketEvent>> {
        let events = state(ctx)?.store.ticket_events(self.0.id).await?;
        Ok(events.into_iter().map(TicketEvent).collect())
    }
}
