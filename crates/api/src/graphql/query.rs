use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, SubsecRound, Utc};
use helpdesk_channels::automation::preview_macro;
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::ids::{AgentId, CustomerId, MacroId, RuleId, TeamId, TicketId};
use helpdesk_metrics::{KpiQuery, kpi_report};
use helpdesk_persistence::CustomerFilter as StoreCustomerFilter;
use helpdesk_persistence::tickets::TicketFilter as StoreFilter;

use super::cost;
use super::types::agent::Agent;
use super::types::calendar::BusinessCalendar;
use super::types::connection::{TicketConnection, TicketOrder, ticket_connection};
use super::types::customer::{Customer, CustomerConnection};
use super::types::desk_access::DeskAccess;
use super::types::enums::{Channel, Clock, Period, Priority, TicketStatus};
use super::types::held_mail::HeldMailConnection;
use super::types::kpi::{KpiFilter, KpiReport};
use super::types::rule::Rule;
use super::types::saved_macro::{Macro, MacroPreview, TicketActions, macro_on_ticket};
use super::types::search::{SearchConnection, search_connection};
use super::types::sla::SlaPolicy;
use super::types::survey::{self, SurveyResponseConnection, SurveyResponseEdge, SurveyResponseFilter};
use super::types::survey_settings::SurveySettings;
use super::types::team::Team;
use super::types::ticket::Ticket;
use super::types::web_form::WebForm;
use super::types::webhook_subscription::WebhookSubscription;
use super::types::{enum_list, id_list, parse_id, state, tag_list};
use crate::ApiError;
use crate::auth::viewer;
use crate::error::ApiResult;

const MAX_PAGE: i32 = 100;
const DEFAULT_PAGE: i32 = 20;

#[derive(Default)]
pub struct Query;

/// Which tickets to list: each list matches any of its values; all given
/// conditions must hold.
#[derive(InputObject, Default)]
pub(crate) struct TicketFilter {
    statuses: Option<Vec<TicketStatus>>,
    channels: Option<Vec<Channel>>,
    priorities: Option<Vec<Priority>>,
    assignee_ids: Option<Vec<ID>>,
    team_ids: Option<Vec<ID>>,
    tags: Option<Vec<String>>,
    customer_email: Option<String>,
    /// Tickets of these customers.
    customer_ids: Option<Vec<ID>>,
    /// Created at or after this instant.
    created_from: Option<DateTime<Utc>>,
    /// Created before this instant.
    created_to: Option<DateTime<Utc>>,
    /// Only tickets with (true) or without (false) a breached SLA target still open.
    sla_breached: Option<bool>,
}

impl TicketFilter {
    fn into_store(self) -> ApiResult<StoreFilter> {
        Ok(StoreFilter {
            statuses: enum_list(self.statuses),
            channels: enum_list(self.channels),
            priorities: enum_list(self.priorities),
            assignee_ids: id_list::<AgentId>(self.assignee_ids, "assigneeIds")?,
            team_ids: id_list::<TeamId>(self.team_ids, "teamIds")?,
            tags: tag_list(self.tags)?,
            customer_email: self.customer_email.as_deref().map(EmailAddress::parse).transpose()?,
            customer_ids: id_list::<CustomerId>(self.customer_ids, "customerIds")?,
            // The caller's reach is added by their scoped store.
            access: Default::default(),
            created_from: self.created_from,
            created_to: self.created_to,
            sla_breached: self.sla_breached,
        })
    }
}

/// Which customers to list.
#[derive(InputObject, Default)]
pub(crate) struct CustomerFilter {
    /// A part of a name or of an address (email, chat, or one a chat
    /// visitor claimed), in any case.
    search: Option<String>,
}

#[Object(name = "Query")]
impl Query {
    /// The agent the access token belongs to.
    ///
    /// See docs/api.md#the-viewer-and-roles.
    async fn me(&self, ctx: &Context<'_>) -> ApiResult<Agent> {
        let viewer = viewer::agent(ctx)?;
        let agent = state(ctx)?.store.agent(viewer.agent_id).await?;
        agent
            .map(Agent)
            .ok_or(ApiError::Unauthenticated("the token's agent no longer exists"))
    }

    /// One ticket by id.
    ///
    /// See docs/api.md#reading-a-ticket.
    async fn ticket(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Ticket>> {
        let viewer = viewer::agent(ctx)?;
        let id: TicketId = parse_id(&id, "id")?;
        Ok(viewer.tickets(state(ctx)?).ticket(id).await?.map(Ticket))
    }

    /// Tickets matching `filter`, a page at a time (`first` at most 100).
    ///
    /// See docs/api.md#listing-tickets.
    #[graphql(complexity = "cost::page(first, DEFAULT_PAGE, MAX_PAGE, child_complexity)")]
    async fn tickets(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<TicketFilter>,
        order_by: Option<TicketOrder>,
    ) -> ApiResult<TicketConnection> {
        let viewer = viewer::agent(ctx)?;
        let filter = filter.unwrap_or_default().into_store()?;
        // Lists (and their counts) may read from the read store.
        let scope = viewer.ticket_lists(state(ctx)?);
        ticket_connection(ctx, scope, filter, order_by.unwrap_or_default(), first, after).await
    }

    /// Tickets whose subject, messages and notes, customer (name or
    /// address) or tags match `query`, most relevant first, each with a
    /// highlighted snippet; within the caller's reach and `filter`, a page
    /// at a time (`first` at most 100). At most 1,000 hits: when more
    /// tickets match, the 1,000 newest of them. `query` reads as a web
    /// search does: `refund "credit card" -paypal`, `invoice or bill`.
    /// See docs/api.md#search.
    #[graphql(complexity = "cost::page(first, DEFAULT_PAGE, MAX_PAGE, child_complexity)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        filter: Option<TicketFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<SearchConnection> {
        let viewer = viewer::agent(ctx)?;
        let filter = filter.unwrap_or_default().into_store()?;
        let scope = viewer.ticket_lists(state(ctx)?);
        search_connection(ctx, scope, &query, filter, first, after).await
    }

    /// The customer directory: customers within the caller's reach (for
    /// an agent of some teams, those with a ticket of those teams), newest
    /// first, a page at a time (`first` at most 100); merged customers left
    /// out. See docs/api.md#customers.
    #[graphql(complexity = "cost::page(first, DEFAULT_PAGE, MAX_PAGE, child_complexity)")]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<CustomerFilter>,
    ) -> ApiResult<CustomerConnection> {
        let viewer = viewer::agent(ctx)?;
        let first = first.unwrap_or(DEFAULT_PAGE);
        if !(0..=MAX_PAGE).contains(&first) {
            return Err(ApiError::BadUserInput(format!(
                "first must be between 0 and {MAX_PAGE}"
            )));
        }
        let after = after.map(|a| parse_id::<CustomerId>(&ID(a), "after")).transpose()?;
        let filter = StoreCustomerFilter {
            search: filter.and_then(|f| f.search),
        };
        let page = viewer
            .tickets(state(ctx)?)
            .customers(&filter, first.unsigned_abs().into(), after)
            .await?;
        Ok(CustomerConnection {
            customers: page.customers,
            has_next_page: page.has_next_page,
        })
    }

    /// A customer within the caller's reach (merged ones too, with
    /// `mergedInto`), or null. See docs/api.md#customers.
    async fn customer(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Customer>> {
        let viewer = viewer::agent(ctx)?;
        let id: CustomerId = parse_id(&id, "id")?;
        Ok(viewer.tickets(state(ctx)?).customer(id).await?.map(Customer))
    }

    /// Survey responses on tickets the caller may see, newest first, a page
    /// at a time (`first` at most 100). See docs/api.md#surveys.
    #[graphql(complexity = "cost::page(first, DEFAULT_PAGE, MAX_PAGE, child_complexity)")]
    async fn survey_responses(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<SurveyResponseFilter>,
    ) -> ApiResult<SurveyResponseConnection> {
        let viewer = viewer::agent(ctx)?;
        let first = first.unwrap_or(DEFAULT_PAGE);
        if !(0..=MAX_PAGE).contains(&first) {
            return Err(ApiError::BadUserInput(format!(
                "first must be between 0 and {MAX_PAGE}"
            )));
        }
        let after = after.as_deref().map(survey::decode_cursor).transpose()?;
        let filter = filter.unwrap_or_default().into_store()?;
        let page = viewer
            .tickets(state(ctx)?)
            .survey_responses(&filter, first.unsigned_abs().into(), after)
            .await?;
        Ok(SurveyResponseConnection {
            edges: page
                .responses
                .into_iter()
                .map(|r| SurveyResponseEdge {
                    cursor: survey::encode_cursor(r.cursor()),
                    node: r,
                })
                .collect(),
            has_next_page: page.has_next_page,
            total_count: page.total_count,
        })
    }

    /// How and when customers are asked for CSAT and NPS (admins only).
    async fn survey_settings(&self, ctx: &Context<'_>) -> ApiResult<SurveySettings> {
        viewer::admin(ctx)?;
        Ok(state(ctx)?.store.survey_settings().await?.into())
    }

    /// Customer-service KPIs over `[from, to)`, in total and per `groupBy` period.
    ///
    /// See docs/kpis.md#the-kpis-query.
    #[allow(clippy::too_many_arguments)] // one per GraphQL argument
    #[graphql(complexity = "cost::report(from, to, group_by, child_complexity)")]
    async fn kpis(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Start of the range (inclusive).")] from: DateTime<Utc>,
        #[graphql(desc = "End of the range (exclusive); instants after now count as now.")] to: DateTime<Utc>,
        #[graphql(
            desc = "IANA time zone whose local midnights start the buckets.",
            default_with = "Some(String::from(\"UTC\"))"
        )]
        timezone: Option<String>,
        #[graphql(desc = "Cut the range into these periods; without it, one bucket equal to the range.")]
        group_by: Option<Period>,
        #[graphql(
            desc = "Which seconds durations count: every one, or only business hours of the default calendar.",
            default_with = "Some(Clock::Calendar)"
        )]
        clock: Option<Clock>,
        #[graphql(desc = "Only tickets whose current values match.")] filter: Option<KpiFilter>,
    ) -> ApiResult<KpiReport> {
        let viewer = viewer::agent(ctx)?;
        let mut query = KpiQuery {
            from,
            to,
            timezone: KpiQuery::zone(timezone.as_deref().unwrap_or("UTC"))?,
            group_by: group_by.map(Into::into),
            clock: clock.unwrap_or(Clock::Calendar).into(),
            filter: filter.unwrap_or_default().into_domain()?,
        };
        // A scoped agent's figures cover only the tickets they may see.
        query.filter.access = viewer.access.clone();
        let state = state(ctx)?;
        let now = state.clock.now().trunc_subsecs(6);
        let report = kpi_report(&state.read_store, &query, now).await?;
        Ok(report.into())
    }

    /// All agents, by email.
    ///
    /// See docs/api.md#agents-and-teams.
    async fn agents(&self, ctx: &Context<'_>) -> ApiResult<Vec<Agent>> {
        viewer::agent(ctx)?;
        Ok(state(ctx)?.store.list_agents().await?.into_iter().map(Agent).collect())
    }

    /// The desk's access settings (admin only).
    ///
    /// See docs/api.md#who-sees-which-tickets.
    async fn desk_access(&self, ctx: &Context<'_>) -> ApiResult<DeskAccess> {
        viewer::admin(ctx)?;
        DeskAccess::read(&state(ctx)?.store).await
    }

    /// The desk's default business calendar, if one is set.
    ///
    /// See docs/api.md#sla-policies-and-business-hours.
    async fn business_calendar(&self, ctx: &Context<'_>) -> ApiResult<Option<BusinessCalendar>> {
        viewer::agent(ctx)?;
        Ok(state(ctx)?
            .store
            .business_calendar()
            .await?
            .as_ref()
            .map(BusinessCalendar::from))
    }

    /// SLA policies in matching order (admin only).
    ///
    /// See docs/api.md#sla-policies-and-business-hours.
    async fn sla_policies(&self, ctx: &Context<'_>) -> ApiResult<Vec<SlaPolicy>> {
        viewer::admin(ctx)?;
        Ok(state(ctx)?
            .store
            .sla_policies()
            .await?
            .into_iter()
            .map(SlaPolicy)
            .collect())
    }

    /// The macros the caller may apply: the shared ones and their own, by
    /// name. See docs/api.md#macros.
    async fn macros(&self, ctx: &Context<'_>) -> ApiResult<Vec<Macro>> {
        let viewer = viewer::agent(ctx)?;
        let macros = state(ctx)?.store.macros_for(viewer.agent_id).await?;
        Ok(macros.into_iter().map(Macro).collect())
    }

    /// One macro the caller may apply, or null.
    #[graphql(name = "macro")]
    async fn saved_macro(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Macro>> {
        let viewer = viewer::agent(ctx)?;
        let id: MacroId = parse_id(&id, "id")?;
        Ok(state(ctx)?.store.macro_for(viewer.agent_id, id).await?.map(Macro))
    }

    /// What a macro would do to a ticket within reach, its note and reply
    /// filled in from the ticket; changes nothing.
    async fn preview_macro(&self, ctx: &Context<'_>, ticket_id: ID, macro_id: ID) -> ApiResult<MacroPreview> {
        let viewer = viewer::agent(ctx)?;
        let (saved, ticket, _) = macro_on_ticket(ctx, viewer, &ticket_id, &macro_id).await?;
        let state = state(ctx)?;
        let preview = preview_macro(&state.store, &saved, &ticket, viewer.agent_id).await?;
        Ok(MacroPreview {
            actions: TicketActions(preview.actions),
            note: preview.note,
            reply: preview.reply,
        })
    }

    /// Every rule, in the order they run (admin only). See docs/api.md#rules.
    async fn rules(&self, ctx: &Context<'_>) -> ApiResult<Vec<Rule>> {
        viewer::admin(ctx)?;
        Ok(state(ctx)?.store.rules().await?.into_iter().map(Rule).collect())
    }

    /// One rule, or null (admin only).
    async fn rule(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Rule>> {
        viewer::admin(ctx)?;
        let id: RuleId = parse_id(&id, "id")?;
        Ok(state(ctx)?.store.rule(id).await?.map(Rule))
    }

    /// Every event webhook subscription, by name (admin only).
    ///
    /// See docs/webhooks.md.
    async fn webhook_subscriptions(&self, ctx: &Context<'_>) -> ApiResult<Vec<WebhookSubscription>> {
        viewer::admin(ctx)?;
        Ok(state(ctx)?
            .store
            .webhook_subscriptions()
            .await?
            .into_iter()
            .map(WebhookSubscription)
            .collect())
    }

    /// One event webhook subscription, or null (admin only).
    async fn webhook_subscription(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<WebhookSubscription>> {
        viewer::admin(ctx)?;
        let id = parse_id(&id, "id")?;
        Ok(state(ctx)?
            .store
            .webhook_subscription(id)
            .await?
            .map(WebhookSubscription))
    }

    /// All web forms, by key.
    ///
    /// See docs/api.md#web-forms.
    async fn web_forms(&self, ctx: &Context<'_>) -> ApiResult<Vec<WebForm>> {
        viewer::agent(ctx)?;
        Ok(state(ctx)?
            .store
            .list_web_forms()
            .await?
            .into_iter()
            .map(WebForm)
            .collect())
    }

    /// Inbound mail held for review instead of filed (bounces, automatic
    /// mail and mail from the desk's own address that belong to no open
    /// ticket), newest first (admin only).
    ///
    /// See docs/api.md#held-mail.
    #[graphql(complexity = "cost::page(first, DEFAULT_PAGE, MAX_PAGE, child_complexity)")]
    async fn held_mail(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<HeldMailConnection> {
        viewer::admin(ctx)?;
        let first = first.unwrap_or(DEFAULT_PAGE);
        if !(0..=MAX_PAGE).contains(&first) {
            return Err(ApiError::BadUserInput(format!(
                "first must be between 0 and {MAX_PAGE}"
            )));
        }
        let after = after
            .map(|a| {
                a.parse()
                    .map_err(|_| ApiError::BadUserInput(format!("invalid cursor {a:?}")))
            })
            .transpose()?;
        let store = &state(ctx)?.store;
        let want = u64::from(first.unsigned_abs());
        let mut edges = store.held_mail_page(want + 1, after).await?;
        let has_next_page = edges.len() as u64 > want;
        edges.truncate(usize::try_from(want).unwrap_or(usize::MAX));
        Ok(HeldMailConnection {
            edges,
            has_next_page,
            total_count: store.held_mail_count().await?,
        })
    }

    /// All teams, by name.
    ///
    /// See docs/api.md#agents-and-teams.
    async fn teams(&self, ctx: &Context<'_>) -> ApiResult<Vec<Team>> {
        viewer::agent(ctx)?;
        Ok(state(ctx)?.store.list_teams().await?.into_iter().map(Team).collect())
    }
}
