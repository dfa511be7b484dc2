//! Customers as one agent may find them: the directory (search and pages),
//! one customer, their identities, and the figures of their own history,
//! all within the caller's reach.
//!
//! An agent who works some teams reaches a customer through the tickets:
//! a customer with no ticket of those teams is not in their directory and
//! is not found by id, so the desk's customer list does not leak across
//! teams. The figures count only tickets within reach, too.

use chrono::{DateTime, Utc};
use helpdesk_domain::access::TicketAccess;
use helpdesk_domain::customer::IdentityKind;
use helpdesk_domain::ids::CustomerId;
use helpdesk_domain::kpi::{CsatFigures, DurationTally};
use helpdesk_domain::ticket::{Survey, TicketStatus};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, LikeExpr, Query, SelectStatement};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::{customer, customer_identity, survey_response, ticket, ticket_fact};
use crate::error::parse_column;
use crate::tickets::{ScopedStore, TicketFilter, dimensions_match};
use crate::{CustomerRecord, StoreError};

/// Which customers to list.
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    /// Matches a part of the name, of an address (email, chat) or of the
    /// address an unverified contact claims, ignoring case.
    pub search: Option<String>,
}

/// One page of the directory, newest customer first.
#[derive(Debug, Clone)]
pub struct CustomerPage {
    pub customers: Vec<CustomerRecord>,
    pub has_next_page: bool,
}

/// One way a customer is known: an email address or a chat identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityRecord {
    pub kind: IdentityKind,
    pub value: String,
    pub created_at: DateTime<Utc>,
}

/// A customer's own history, over the tickets within the caller's reach
/// (tickets merged into another left out), by the definitions of the KPIs.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerFigures {
    pub tickets: u64,
    /// Not SOLVED or CLOSED.
    pub open_tickets: u64,
    /// From each customer-created ticket's creation to its first reply, on
    /// the calendar clock.
    pub first_response: DurationTally,
    pub csat: CsatFigures,
}

/// `customers.id` of the rows that have a ticket within `access` (always
/// true for the whole desk).
fn reach(access: &TicketAccess) -> Option<SelectStatement> {
    if *access == TicketAccess::Everything {
        return None;
    }
    let filter = TicketFilter {
        access: access.clone(),
        ..TicketFilter::default()
    };
    Some(
        Query::select()
            .expr(Expr::val(1))
            .from(ticket::Entity)
            .and_where(
                Expr::col((ticket::Entity, ticket::Column::CustomerId))
                    .equals((customer::Entity, customer::Column::Id)),
            )
            .cond_where(dimensions_match(&filter, Alias::new("tickets")))
            .to_owned(),
    )
}

/// `%part%` for LIKE, with the pattern's own characters escaped.
fn containing(part: &str) -> LikeExpr {
    let escaped = part
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

impl ScopedStore {
    /// A page of the customers within reach that match `filter`, newest
    /// first: up to `first` created before the customer `after`. Merged
    /// customers are left out (their identities are the target's now).
    pub async fn customers(
        &self,
        filter: &CustomerFilter,
        first: u64,
        after: Option<CustomerId>,
    ) -> Result<CustomerPage, StoreError> {
        let mut query = customer::Entity::find()
            .select_only()
            .column(customer::Column::Id)
            .filter(customer::Column::MergedIntoId.is_null());
        if let Some(before) = after {
            query = query.filter(customer::Column::Id.lt(before.as_uuid()));
        }
        if let Some(part) = filter.search.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            let identity = Query::select()
                .expr(Expr::val(1))
                .from(customer_identity::Entity)
                .and_where(
                    Expr::col((customer_identity::Entity, customer_identity::Column::CustomerId))
                        .equals((customer::Entity, customer::Column::Id)),
                )
                .and_where(
                    Func::lower(Expr::col((customer_identity::Entity, customer_identity::Column::Value)))
                        .like(containing(part)),
                )
                .to_owned();
            query = query.filter(
                sea_orm::Condition::any()
                    .add(Func::lower(Expr::col((customer::Entity, customer::Column::Name))).like(containing(part)))
                    .add(
                        Func::lower(Expr::col((customer::Entity, customer::Column::ClaimedEmail)))
                            .like(containing(part)),
                    )
                    .add(Expr::exists(identity)),
            );
        }
        if let Some(reach) = reach(self.access()) {
            query = query.filter(Expr::exists(reach));
        }
        let ids: Vec<uuid::Uuid> = query
            .order_by_desc(customer::Column::Id)
            .limit(first.saturating_add(1))
            .into_tuple()
            .all(self.store().db())
            .await?;
        let has_next_page = ids.len() as u64 > first;
        let ids: Vec<CustomerId> = ids
            .into_iter()
            .take(usize::try_from(first).unwrap_or(usize::MAX))
            .map(CustomerId::from_uuid)
            .collect();
        let mut customers = self.store().customers_by_ids(&ids).await?;
        customers.sort_by_key(|c| std::cmp::Reverse(c.id.as_uuid()));
        Ok(CustomerPage {
            customers,
            has_next_page,
        })
    }

    /// The customer, if within reach (merged ones too: old references
    /// still find them, pointing at the customer they became).
    pub async fn customer(&self, id: CustomerId) -> Result<Option<CustomerRecord>, StoreError> {
        let mut query = customer::Entity::find()
            .select_only()
            .column(customer::Column::Id)
            .filter(customer::Column::Id.eq(id.as_uuid()));
        if let Some(reach) = reach(self.access()) {
            query = query.filter(Expr::exists(reach));
        }
        let found: Option<uuid::Uuid> = query.into_tuple().one(self.store().db()).await?;
        if found.is_none() {
            return Ok(None);
        }
        Ok(self.store().customers_by_ids(&[id]).await?.into_iter().next())
    }

    /// The ways the customer is known, oldest first.
    pub async fn customer_identities(&self, id: CustomerId) -> Result<Vec<IdentityRecord>, StoreError> {
        if self.customer(id).await?.is_none() {
            return Ok(Vec::new());
        }
        customer_identity::Entity::find()
            .filter(customer_identity::Column::CustomerId.eq(id.as_uuid()))
            .order_by_asc(customer_identity::Column::CreatedAt)
            .order_by_asc(customer_identity::Column::Id)
            .all(self.store().db())
            .await?
            .into_iter()
            .map(|i| {
                Ok(IdentityRecord {
                    kind: parse_column("customer_identities.kind", &i.kind)?,
                    value: i.value,
                    created_at: i.created_at,
                })
            })
            .collect()
    }

    /// The figures of the customer's tickets within reach. One customer's
    /// tickets are few, so their samples are read and ranked here.
    pub async fn customer_figures(&self, id: CustomerId) -> Result<CustomerFigures, StoreError> {
        let filter = TicketFilter {
            access: self.access().clone(),
            ..TicketFilter::default()
        };
        let tickets: Vec<(uuid::Uuid, String)> = ticket::Entity::find()
            .select_only()
            .column(ticket::Column::Id)
            .column(ticket::Column::Status)
            .filter(ticket::Column::CustomerId.eq(id.as_uuid()))
            .filter(ticket::Column::MergedIntoId.is_null())
            .filter(dimensions_match(&filter, Alias::new("tickets")))
            .into_tuple()
            .all(self.store().db())
            .await?;
        let mut open_tickets = 0;
        for (_, status) in &tickets {
            let status: TicketStatus = parse_column("tickets.status", status)?;
            if !matches!(status, TicketStatus::Solved | TicketStatus::Closed) {
                open_tickets += 1;
            }
        }
        let ids: Vec<uuid::Uuid> = tickets.iter().map(|(id, _)| *id).collect();
        let firsts: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = if ids.is_empty() {
            Vec::new()
        } else {
            ticket_fact::Entity::find()
                .select_only()
                .column(ticket_fact::Column::CreatedAt)
                .column(ticket_fact::Column::FirstResponseAt)
                .filter(ticket_fact::Column::TicketId.is_in(ids.clone()))
                .filter(ticket_fact::Column::CustomerCreated.eq(true))
                .filter(ticket_fact::Column::FirstResponseAt.is_not_null())
                .into_tuple()
                .all(self.store().db())
                .await?
        };
        let samples = firsts
            .into_iter()
            .filter_map(|(created, first)| first.map(|f| (f - created).num_microseconds().unwrap_or(i64::MAX)))
            .collect();
        let ratings: Vec<i16> = if ids.is_empty() {
            Vec::new()
        } else {
            survey_response::Entity::find()
                .select_only()
                .column(survey_response::Column::Score)
                .filter(survey_response::Column::TicketId.is_in(ids))
                .filter(survey_response::Column::Survey.eq(Survey::Csat.as_str()))
                .filter(survey_response::Column::Merged.eq(false))
                .into_tuple()
                .all(self.store().db())
                .await?
        };
        let satisfied = ratings.iter().filter(|r| **r >= 4).count() as u64;
        let sum = ratings.iter().map(|r| u64::try_from(*r).unwrap_or(0)).sum();
        Ok(CustomerFigures {
            tickets: tickets.len() as u64,
            open_tickets,
            first_response: DurationTally::of(samples),
            csat: CsatFigures::of(ratings.len() as u64, satisfied, sum),
        })
    }
}
