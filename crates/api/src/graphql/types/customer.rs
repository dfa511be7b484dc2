use std::cmp::Reverse;

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use helpdesk_domain::kpi::DurationStats as DurationFigures;
use helpdesk_persistence::tickets::TicketFilter;
use helpdesk_persistence::{CustomerRecord, IdentityRecord};

use super::connection::{
    DEFAULT_TICKET_PAGE, MAX_TICKET_PAGE, PageInfo, TicketConnection, TicketOrder, ticket_connection,
};
use super::enums::{Channel, IdentityKind};
use super::kpi::{CsatFigures, DurationStats};
use super::{loader, state};
use crate::auth::viewer;
use crate::error::ApiResult;
use crate::graphql::cost;
use crate::graphql::loaders::ChannelsOf;

/// A person who writes to the desk, by any channel.
pub(crate) struct Customer(pub CustomerRecord);

/// How many of a customer's tickets came in on one channel.
#[derive(SimpleObject)]
pub(crate) struct ChannelCount {
    /// The channel.
    channel: Channel,
    /// The customer's tickets that came in on it (tickets merged into another left out).
    tickets: u64,
}

/// One way a customer is known.
#[derive(SimpleObject)]
pub(crate) struct CustomerIdentity {
    kind: IdentityKind,
    /// The address or handle, as the channel gave it.
    value: String,
    created_at: DateTime<Utc>,
}

impl From<IdentityRecord> for CustomerIdentity {
    fn from(i: IdentityRecord) -> Self {
        Self {
            kind: i.kind.into(),
            value: i.value,
            created_at: i.created_at,
        }
    }
}

/// The figures of a customer's own history, over their tickets within the
/// caller's reach (tickets merged into another left out), by the
/// definitions of docs/kpis.md.
#[derive(SimpleObject)]
pub(crate) struct CustomerFigures {
    tickets: u64,
    /// Tickets not SOLVED or CLOSED.
    open_tickets: u64,
    /// From each customer-created ticket's creation to its first reply, on
    /// the calendar clock.
    first_response_time: DurationStats,
    csat: CsatFigures,
}

#[Object]
impl Customer {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    /// The customer's address, proved by their mail (or a verified chat);
    /// null for an unverified chat contact, whose address is only claimed.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_ref().map(|e| e.as_str())
    }

    /// False for a chat visitor whose address is not proved yet: the
    /// contact is not that address's customer, whatever it claims.
    ///
    /// See docs/api.md#chat-identity.
    async fn verified(&self) -> bool {
        self.0.verified
    }

    /// The address an unverified chat visitor gave; null once verified
    /// (then it is `email`) and for customers found by their mail.
    async fn claimed_email(&self) -> Option<&str> {
        if self.0.verified {
            return None;
        }
        self.0.claimed_email.as_ref().map(|e| e.as_str())
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The ways the customer is known (email addresses, chat identities),
    /// oldest first.
    async fn identities(&self, ctx: &Context<'_>) -> ApiResult<Vec<CustomerIdentity>> {
        let viewer = viewer::agent(ctx)?;
        let identities = viewer.tickets(state(ctx)?).customer_identities(self.0.id).await?;
        Ok(identities.into_iter().map(Into::into).collect())
    }

    /// The customer's tickets within the caller's reach, a page at a time
    /// (`first` at most 100), newest first unless `orderBy` says otherwise.
    #[graphql(complexity = "cost::page(first, DEFAULT_TICKET_PAGE, MAX_TICKET_PAGE, child_complexity)")]
    async fn tickets(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        order_by: Option<TicketOrder>,
    ) -> ApiResult<TicketConnection> {
        let viewer = viewer::agent(ctx)?;
        let filter = TicketFilter {
            customer_ids: vec![self.0.id],
            ..TicketFilter::default()
        };
        let scope = viewer.ticket_lists(state(ctx)?);
        ticket_connection(ctx, scope, filter, order_by.unwrap_or_default(), first, after).await
    }

    /// The figures of the customer's own history.
    async fn figures(&self, ctx: &Context<'_>) -> ApiResult<CustomerFigures> {
        let viewer = viewer::agent(ctx)?;
        let figures = viewer.tickets(state(ctx)?).customer_figures(self.0.id).await?;
        Ok(CustomerFigures {
            tickets: figures.tickets,
            open_tickets: figures.open_tickets,
            first_response_time: DurationFigures::from(&figures.first_response).into(),
            csat: figures.csat.into(),
        })
    }

    /// The customer this one was merged into (see `mergeCustomers`); null
    /// unless merged. A merged customer owns nothing any more.
    async fn merged_into(&self, ctx: &Context<'_>) -> ApiResult<Option<Customer>> {
        let Some(target) = self.0.merged_into else {
            return Ok(None);
        };
        let viewer = viewer::agent(ctx)?;
        Ok(viewer.tickets(state(ctx)?).customer(target).await?.map(Customer))
    }

    /// The survey invitations sent (or due) to the customer about tickets the
    /// caller may see, oldest first, with their answers. See docs/api.md#surveys.
    async fn surveys(&self, ctx: &Context<'_>) -> ApiResult<Vec<super::survey::SurveyInvitation>> {
        let viewer = crate::auth::viewer::agent(ctx)?;
        let invitations = viewer
            .tickets(super::state(ctx)?)
            .survey_invitations_of_customers(&[self.0.id])
            .await?;
        Ok(invitations.into_iter().map(super::survey::SurveyInvitation).collect())
    }

    /// The channel most of the customer's tickets came in on (ties go to the one of the most recent ticket); null without tickets.
    async fn preferred_channel(&self, ctx: &Context<'_>) -> ApiResult<Option<Channel>> {
        let counts = loader(ctx)?.load_one(ChannelsOf(self.0.id)).await?.unwrap_or_default();
        Ok(counts
            .iter()
            .max_by_key(|c| (c.tickets, c.latest, Reverse(c.channel)))
            .map(|c| c.channel.into()))
    }

    /// The customer's tickets per channel, for each channel with any, in the enum's order (merged tickets left out).
    async fn channels(&self, ctx: &Context<'_>) -> ApiResult<Vec<ChannelCount>> {
        let mut counts: Vec<_> = loader(ctx)?
            .load_one(ChannelsOf(self.0.id))
            .await?
            .unwrap_or_default()
            .iter()
            .copied()
            .collect();
        counts.sort_by_key(|c| c.channel);
        Ok(counts
            .into_iter()
            .map(|c| ChannelCount {
                channel: c.channel.into(),
                tickets: c.tickets,
            })
            .collect())
    }
}

pub(crate) struct CustomerEdge(pub CustomerRecord);

#[Object]
impl CustomerEdge {
    /// Opaque; pass it as `after` for the next page.
    async fn cursor(&self) -> String {
        self.0.id.to_string()
    }

    async fn node(&self) -> Customer {
        Customer(self.0.clone())
    }
}

/// A page of the customer directory, newest customer first.
pub(crate) struct CustomerConnection {
    pub customers: Vec<CustomerRecord>,
    pub has_next_page: bool,
}

#[Object]
impl CustomerConnection {
    async fn edges(&self) -> Vec<CustomerEdge> {
        self.customers.iter().cloned().map(CustomerEdge).collect()
    }

    async fn nodes(&self) -> Vec<Customer> {
        self.customers.iter().cloned().map(Customer).collect()
    }

    async fn page_info(&self) -> PageInfo {
        PageInfo::forward(
            self.has_next_page,
            self.customers.first().map(|c| c.id.to_string()),
            self.customers.last().map(|c| c.id.to_string()),
        )
    }
}
