//! Reading tickets: one, a filtered page, and what hangs off them.

use chrono::TimeZone;
use chrono::{DateTime, Utc};
use helpdesk_domain::access::TicketAccess;
use helpdesk_domain::customer::IdentityKind;
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::ids::{AgentId, CustomerId, TeamId, TicketId};
use helpdesk_domain::tag::Tag;
use helpdesk_domain::ticket::{Channel, Priority, ResponseSample, SolveSpan, SurveyAnswer, TicketFacts, TicketStatus};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, IntoIden, Query, UnionType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select,
};

use super::history;
use super::maintained_count;
use super::record::{EventRecord, MessageRecord, TicketRecord};
use crate::entity::{
    customer_identity, duration_sample, message, survey_response, ticket, ticket_fact, ticket_solve, ticket_tag,
};
use crate::error::parse_column;
use crate::{Store, StoreError};

/// Which tickets to list. Each list matches any of its values; empty lists
/// and `None` match everything.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub statuses: Vec<TicketStatus>,
    pub channels: Vec<Channel>,
    pub priorities: Vec<Priority>,
    pub assignee_ids: Vec<AgentId>,
    pub team_ids: Vec<TeamId>,
    pub tags: Vec<Tag>,
    pub customer_email: Option<EmailAddress>,
    /// Tickets of these customers.
    pub customer_ids: Vec<CustomerId>,
    /// Inclusive lower bound on `created_at`.
    pub created_from: Option<DateTime<Utc>>,
    /// Exclusive upper bound on `created_at`.
    pub created_to: Option<DateTime<Utc>>,
    /// Only tickets with (`true`) or without (`false`) a breached SLA target still open.
    pub sla_breached: Option<bool>,
    /// The tickets the caller may see; [`ScopedStore`](super::ScopedStore)
    /// sets it to its caller's, whatever was asked.
    pub access: TicketAccess,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[allow(clippy::enum_variant_names)] // each names an instant
pub enum TicketSortField {
    #[default]
    CreatedAt,
    UpdatedAt,
    /// The next SLA deadline, soonest first with `Asc`.
    SlaDueAt,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortDirection {
    Asc,
    #[default]
    Desc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TicketOrder {
    pub field: TicketSortField,
    pub direction: SortDirection,
}

/// A position in a listing: the sort key and id of the last ticket seen.
/// Keyset pagination stays correct while tickets are added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketCursor {
    pub at: DateTime<Utc>,
    pub id: TicketId,
}

/// One page of a listing. How many tickets match in all is a separate
/// question ([`Store::count_tickets`]): counting reads every matching row,
/// so it is asked only when a caller wants the figure.
#[derive(Debug, Clone)]
pub struct TicketPage {
    pub tickets: Vec<TicketRecord>,
    pub has_next_page: bool,
}

impl TicketOrder {
    pub fn cursor_of(&self, t: &TicketRecord) -> TicketCursor {
        let at = match self.field {
            TicketSortField::CreatedAt => t.created_at,
            TicketSortField::UpdatedAt => t.updated_at,
            TicketSortField::SlaDueAt => t.sla_next_due_at.unwrap_or_else(no_deadline),
        };
        TicketCursor { at, id: t.id }
    }
}

/// Stands for "no deadline" when sorting by the next SLA deadline; the
/// generated column `tickets.sla_due_key` holds the same instant.
fn no_deadline() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
        .single()
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

pub(super) fn filtered(filter: &TicketFilter) -> Select<ticket::Entity> {
    let mut select = ticket::Entity::find().filter(dimensions_match(filter, ticket::Entity));
    if !filter.tags.is_empty() {
        select = select.filter(
            ticket::Column::Id.in_subquery(
                Query::select()
                    .column(ticket_tag::Column::TicketId)
                    .from(ticket_tag::Entity)
                    .and_where(ticket_tag::Column::Tag.is_in(filter.tags.iter().map(Tag::to_string)))
                    .to_owned(),
            ),
        );
    }
    if let Some(email) = &filter.customer_email {
        select = select.filter(
            ticket::Column::CustomerId.in_subquery(
                Query::select()
                    .column(customer_identity::Column::CustomerId)
                    .from(customer_identity::Entity)
                    .and_where(customer_identity::Column::Kind.eq(IdentityKind::Email.as_str()))
                    .and_where(customer_identity::Column::Value.eq(email.as_str()))
                    .to_owned(),
            ),
        );
    }
    if !filter.customer_ids.is_empty() {
        select = select.filter(ticket::Column::CustomerId.is_in(filter.customer_ids.iter().map(CustomerId::as_uuid)));
    }
    if let Some(from) = filter.created_from {
        select = select.filter(ticket::Column::CreatedAt.gte(from));
    }
    if let Some(to) = filter.created_to {
        select = select.filter(ticket::Column::CreatedAt.lt(to));
    }
    select
}

/// The part of `filter` on a ticket's own dimensions (status, channel,
/// priority, assignee, team, SLA breached) and the caller's reach, as a
/// condition on the columns of those names in `table`: `tickets`, or the
/// maintained counts, which have the same columns (see `maintained_count.rs`).
pub(crate) fn dimensions_match(filter: &TicketFilter, table: impl IntoIden) -> Condition {
    let table = table.into_iden();
    let col = |name: &'static str| Expr::col((table.clone(), Alias::new(name)));
    let names = |values: Vec<&'static str>| values.into_iter().map(str::to_owned).collect::<Vec<_>>();
    let mut matches = Condition::all();
    if !filter.statuses.is_empty() {
        matches = matches.add(col("status").is_in(names(filter.statuses.iter().map(|s| s.as_str()).collect())));
    }
    if !filter.channels.is_empty() {
        matches = matches.add(col("channel").is_in(names(filter.channels.iter().map(|s| s.as_str()).collect())));
    }
    if !filter.priorities.is_empty() {
        matches = matches.add(col("priority").is_in(names(filter.priorities.iter().map(|s| s.as_str()).collect())));
    }
    if !filter.assignee_ids.is_empty() {
        matches = matches.add(col("assignee_id").is_in(filter.assignee_ids.iter().map(AgentId::as_uuid)));
    }
    if !filter.team_ids.is_empty() {
        matches = matches.add(col("team_id").is_in(filter.team_ids.iter().map(TeamId::as_uuid)));
    }
    if let Some(breached) = filter.sla_breached {
        matches = matches.add(col("sla_breached").eq(breached));
    }
    if let TicketAccess::Teams { teams, teamless } = &filter.access {
        let mut reach = Condition::any();
        if !teams.is_empty() {
            reach = reach.add(col("team_id").is_in(teams.iter().map(TeamId::as_uuid)));
        }
        if *teamless {
            reach = reach.add(col("team_id").is_null());
        }
        if teams.is_empty() && !*teamless {
            // Nothing within reach.
            reach = reach.add(Expr::val(1).eq(0));
        }
        matches = matches.add(reach);
    }
    matches
}

/// The column a listing is ordered by. `sla_due_key` is the deadline, or
/// `no_deadline()` for a ticket without a running target (so it sorts after
/// every deadline): a column the database derives and indexes (migration
/// m20261203_000030), so the queue walks an index instead of sorting.
fn sort_column(field: TicketSortField) -> &'static str {
    match field {
        TicketSortField::CreatedAt => "created_at",
        TicketSortField::UpdatedAt => "updated_at",
        TicketSortField::SlaDueAt => "sla_due_key",
    }
}

fn sort_of(direction: SortDirection) -> sea_orm::Order {
    match direction {
        SortDirection::Asc => sea_orm::Order::Asc,
        SortDirection::Desc => sea_orm::Order::Desc,
    }
}

/// The tickets matching `filter` after `after`, in `order`, with the sort
/// key among the columns (a merge of several of these orders by it).
fn in_order(filter: &TicketFilter, order: TicketOrder, after: Option<TicketCursor>) -> Select<ticket::Entity> {
    let key = Expr::col((ticket::Entity, Alias::new(sort_column(order.field))));
    let mut select = filtered(filter);
    if order.field == TicketSortField::SlaDueAt {
        select = select.column_as(key.clone(), sort_column(order.field));
    }
    if let Some(c) = after {
        // `key >= at` on its own gives the index walk where to start; the
        // rest skips the tickets at `at` already seen.
        let (from, past_key, past_id) = match order.direction {
            SortDirection::Asc => (
                key.clone().gte(c.at),
                key.clone().gt(c.at),
                ticket::Column::Id.gt(c.id.as_uuid()),
            ),
            SortDirection::Desc => (
                key.clone().lte(c.at),
                key.clone().lt(c.at),
                ticket::Column::Id.lt(c.id.as_uuid()),
            ),
        };
        select = select.filter(from).filter(Condition::any().add(past_key).add(past_id));
    }
    let sort = sort_of(order.direction);
    select.order_by(key, sort.clone()).order_by(ticket::Column::Id, sort)
}

impl Store {
    pub async fn ticket(&self, id: TicketId) -> Result<Option<TicketRecord>, StoreError> {
        ticket::Entity::find_by_id(id.as_uuid())
            .one(self.db())
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    pub async fn tickets_by_ids(&self, ids: &[TicketId]) -> Result<Vec<TicketRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        ticket::Entity::find()
            .filter(ticket::Column::Id.is_in(ids.iter().map(TicketId::as_uuid)))
            .all(self.db())
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect()
    }

    /// One page of tickets matching `filter`, after `after` in `order`.
    pub async fn list_tickets(
        &self,
        filter: &TicketFilter,
        order: TicketOrder,
        first: u64,
        after: Option<TicketCursor>,
    ) -> Result<TicketPage, StoreError> {
        let limit = first + 1;
        let mut rows = if filter.statuses.len() > 1 {
            // One index range per status, each walked in order and cut at
            // the page, then merged: neither engine walks one composite
            // index in order across several values, and sorting every open
            // ticket for a page of fifty is what made a queue page slow.
            let branches = filter.statuses.iter().enumerate().map(|(n, status)| {
                let one = TicketFilter {
                    statuses: vec![*status],
                    ..filter.clone()
                };
                Query::select()
                    .column(Asterisk)
                    .from_subquery(
                        in_order(&one, order, after).limit(limit).into_query(),
                        Alias::new(format!("s{n}")),
                    )
                    .to_owned()
            });
            let union = branches
                .reduce(|mut all, branch| {
                    all.union(UnionType::All, branch);
                    all
                })
                .unwrap_or_else(|| in_order(filter, order, after).into_query());
            let sort = sort_of(order.direction);
            let merged = Query::select()
                .column(Asterisk)
                .from_subquery(union, Alias::new("page"))
                .order_by(Alias::new(sort_column(order.field)), sort.clone())
                .order_by(Alias::new("id"), sort)
                .limit(limit)
                .to_owned();
            ticket::Entity::find()
                .from_raw_sql(self.db().get_database_backend().build(&merged))
                .all(self.db())
                .await?
        } else {
            in_order(filter, order, after).limit(limit).all(self.db()).await?
        };
        let has_next_page = rows.len() as u64 > first;
        rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
        let tickets = rows.into_iter().map(TryInto::try_into).collect::<Result<_, _>>()?;
        Ok(TicketPage { tickets, has_next_page })
    }

    /// How many tickets match `filter`, on all pages: from a count that
    /// started after this call, shared with the calls for the same count
    /// arriving meanwhile (see `shared_count.rs`). A filter on the ticket's
    /// own dimensions alone (a queue's) is answered by the counts the
    /// database maintains (see `maintained_count.rs`), any other by counting
    /// the matching tickets.
    pub async fn count_tickets(&self, filter: &TicketFilter) -> Result<u64, StoreError> {
        let db = self.db().clone();
        if maintained_count::answers(filter) {
            let statement = maintained_count::count_statement(self, filter);
            let key = statement.to_string();
            return self
                .shared_counts()
                .count(key, move || {
                    let (statement, db) = (statement.clone(), db.clone());
                    async move { maintained_count::count(&db, statement).await }
                })
                .await;
        }
        let select = filtered(filter);
        let key = select.clone().build(self.db().get_database_backend()).to_string();
        self.shared_counts()
            .count(key, move || {
                let (select, db) = (select.clone(), db.clone());
                async move { Ok(select.count(&db).await?) }
            })
            .await
    }

    /// Tags of each of the given tickets, as (ticket, tag) pairs sorted by tag.
    pub async fn tags_of(&self, tickets: &[TicketId]) -> Result<Vec<(TicketId, Tag)>, StoreError> {
        if tickets.is_empty() {
            return Ok(Vec::new());
        }
        ticket_tag::Entity::find()
            .filter(ticket_tag::Column::TicketId.is_in(tickets.iter().map(TicketId::as_uuid)))
            .order_by_asc(ticket_tag::Column::Tag)
            .all(self.db())
            .await?
            .into_iter()
            .map(|r| {
                Ok((
                    TicketId::from_uuid(r.ticket_id),
                    parse_column("ticket_tags.tag", &r.tag)?,
                ))
            })
            .collect()
    }

    /// Messages of each of the given tickets, oldest first.
    pub async fn messages_of(&self, tickets: &[TicketId]) -> Result<Vec<MessageRecord>, StoreError> {
        if tickets.is_empty() {
            return Ok(Vec::new());
        }
        message::Entity::find()
            .filter(message::Column::TicketId.is_in(tickets.iter().map(TicketId::as_uuid)))
            .order_by_asc(message::Column::CreatedAt)
            .order_by_asc(message::Column::Id)
            .all(self.db())
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect()
    }

    /// A ticket's history, oldest first.
    pub async fn ticket_events(&self, ticket: TicketId) -> Result<Vec<EventRecord>, StoreError> {
        history::load(self.db(), ticket).await
    }
}

impl Store {
    /// The stored metric facts of a ticket and its response samples.
    pub async fn ticket_facts(
        &self,
        ticket: TicketId,
    ) -> Result<Option<(TicketFacts, Vec<ResponseSample>)>, StoreError> {
        let Some(row) = ticket_fact::Entity::find_by_id(ticket.as_uuid()).one(self.db()).await? else {
            return Ok(None);
        };
        let count = |n: i32| u32::try_from(n).unwrap_or(0);
        let facts = TicketFacts {
            created_at: row.created_at,
            status: parse_column("ticket_facts.status", &row.status)?,
            customer_created: row.customer_created,
            first_public_reply_at: row.first_public_reply_at,
            last_public_reply_at: row.last_public_reply_at,
            last_customer_message_at: row.last_customer_message_at,
            awaiting_reply_since: row.awaiting_reply_since,
            public_replies: count(row.public_replies),
            customer_messages: count(row.customer_messages),
            internal_notes: count(row.internal_notes),
            replies_before_first_solve: count(row.replies_before_first_solve),
            assignee_stations_before_first_solve: count(row.assignee_stations_before_first_solve),
            last_assigned_agent: row.last_assigned_agent_id.map(AgentId::from_uuid),
            first_solved_at: row.first_solved_at,
            latest_solved_at: row.latest_solved_at,
            solves: count(row.solves),
            reopens: count(row.reopens),
            first_reopened_at: row.first_reopened_at,
            solve_spans: ticket_solve::Entity::find()
                .filter(ticket_solve::Column::TicketId.eq(ticket.as_uuid()))
                .order_by_asc(ticket_solve::Column::Seq)
                .all(self.db())
                .await?
                .into_iter()
                .map(|s| SolveSpan {
                    solved_at: s.solved_at,
                    reopened_at: s.reopened_at,
                })
                .collect(),
            surveys: survey_response::Entity::find()
                .filter(survey_response::Column::TicketId.eq(ticket.as_uuid()))
                .order_by_asc(survey_response::Column::Seq)
                .all(self.db())
                .await?
                .into_iter()
                .map(|s| {
                    Ok(SurveyAnswer {
                        at: s.answered_at,
                        survey: parse_column("survey_responses.survey", &s.survey)?,
                        score: u8::try_from(s.score).map_err(|_| StoreError::Corrupt {
                            column: "survey_responses.score",
                            value: s.score.to_string(),
                        })?,
                        comment: s.comment,
                        invitation: s.invitation_id.map(helpdesk_domain::ids::SurveyInvitationId::from_uuid),
                    })
                })
                .collect::<Result<_, StoreError>>()?,
        };
        let samples = duration_sample::Entity::find()
            .filter(duration_sample::Column::TicketId.eq(ticket.as_uuid()))
            .filter(duration_sample::Column::Figure.eq(crate::duration_figure::code(
                helpdesk_domain::kpi::DurationFigure::Response,
            )))
            .order_by_asc(duration_sample::Column::Seq)
            .all(self.db())
            .await?
            .into_iter()
            .map(|s| ResponseSample {
                waiting_since: s.started_at,
                answered_at: s.completed_at,
            })
            .collect();
        Ok(Some((facts, samples)))
    }
}

impl Store {
    pub async fn ticket_by_number(&self, number: i64) -> Result<Option<TicketRecord>, StoreError> {
        ticket::Entity::find()
            .filter(ticket::Column::Number.eq(number))
            .one(self.db())
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    /// The message stored with this RFC 5322 Message-ID, if any.
    pub async fn message_by_rfc_id(&self, rfc_message_id: &str) -> Result<Option<MessageRecord>, StoreError> {
        message::Entity::find()
            .filter(message::Column::RfcMessageId.eq(rfc_message_id))
            .one(self.db())
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    /// The ticket holding the latest of these Message-IDs (a reply's
    /// `In-Reply-To` and `References`), inbound or outbound.
    pub async fn ticket_of_rfc_ids(&self, rfc_message_ids: &[String]) -> Result<Option<TicketId>, StoreError> {
        if rfc_message_ids.is_empty() {
            return Ok(None);
        }
        let found = message::Entity::find()
            .filter(message::Column::RfcMessageId.is_in(rfc_message_ids.iter().cloned()))
            .order_by_desc(message::Column::CreatedAt)
            .one(self.db())
            .await?;
        Ok(found.map(|m| TicketId::from_uuid(m.ticket_id)))
    }

    /// The Message-IDs of a ticket's messages, oldest first: the thread a
    /// reply's `References` names.
    pub async fn thread_rfc_ids(&self, ticket: TicketId) -> Result<Vec<String>, StoreError> {
        thread_rfc_ids(self.db(), ticket).await
    }
}

impl Store {
    /// A ticket's events written after the event with id `after`, in log order.
    pub async fn ticket_events_after(&self, ticket: TicketId, after: i64) -> Result<Vec<EventRecord>, StoreError> {
        events_after(self.db(), ticket, after).await
    }

    /// The tickets with events newer than `after` in the log: what a
    /// subscriber reads again when announcements may have been lost.
    pub async fn tickets_with_events_after(&self, after: i64) -> Result<Vec<TicketId>, StoreError> {
        let ids: Vec<uuid::Uuid> = crate::entity::ticket_event::Entity::find()
            .select_only()
            .column(crate::entity::ticket_event::Column::TicketId)
            .filter(crate::entity::ticket_event::Column::Id.gt(after))
            .distinct()
            .into_tuple()
            .all(self.db())
            .await?;
        Ok(ids.into_iter().map(TicketId::from_uuid).collect())
    }

    /// The id of the newest event in the whole log (0 when empty).
    pub async fn latest_event_id(&self) -> Result<i64, StoreError> {
        let newest: Option<i64> = crate::entity::ticket_event::Entity::find()
            .select_only()
            .column(crate::entity::ticket_event::Column::Id)
            .order_by_desc(crate::entity::ticket_event::Column::Id)
            .into_tuple()
            .one(self.db())
            .await?;
        Ok(newest.unwrap_or(0))
    }
}

/// The Message-IDs of a ticket's mails, oldest first: the thread a mail
/// the desk sends about it joins. Read on `db` (a transaction's view, too).
pub(crate) async fn thread_rfc_ids(db: &impl ConnectionTrait, ticket: TicketId) -> Result<Vec<String>, StoreError> {
    let ids: Vec<Option<String>> = message::Entity::find()
        .select_only()
        .column(message::Column::RfcMessageId)
        .filter(message::Column::TicketId.eq(ticket.as_uuid()))
        .filter(message::Column::RfcMessageId.is_not_null())
        .order_by_asc(message::Column::CreatedAt)
        .order_by_asc(message::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().flatten().collect())
}

/// A ticket's events written after the event with id `after`, in log
/// order, read on `db`.
pub(crate) async fn events_after(
    db: &impl ConnectionTrait,
    ticket: TicketId,
    after: i64,
) -> Result<Vec<EventRecord>, StoreError> {
    crate::entity::ticket_event::Entity::find()
        .filter(crate::entity::ticket_event::Column::TicketId.eq(ticket.as_uuid()))
        .filter(crate::entity::ticket_event::Column::Id.gt(after))
        .order_by_asc(crate::entity::ticket_event::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}
