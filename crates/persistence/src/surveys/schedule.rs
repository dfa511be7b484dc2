//! Queuing and cancelling invitations as a ticket changes, inside the
//! change's own transaction: every live entry point (GraphQL, mail, chat,
//! the SLA jobs) appends its events through `tickets::history::append`,
//! which calls [`after_events`]; imports append through another path and
//! so never invite anyone.

use chrono::{DateTime, TimeDelta, Utc};
use helpdesk_domain::ids::TicketId;
use helpdesk_domain::survey::{InvitationState, SurveySettings};
use helpdesk_domain::ticket::{EventKind, Survey, TicketEvent, TicketStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::StoreError;
use crate::entity::{survey_invitation, ticket};

/// What `events`, just appended to `ticket`'s log, mean for its surveys: a
/// solve queues a CSAT invitation (and maybe the customer's NPS one); a
/// reopen cancels a CSAT invitation not yet sent; a merge cancels every
/// invitation of the merged ticket not yet sent.
pub(crate) async fn after_events(
    txn: &DatabaseTransaction,
    ticket: TicketId,
    events: &[TicketEvent],
) -> Result<(), StoreError> {
    for event in events {
        match &event.kind {
            EventKind::StatusChanged {
                to: TicketStatus::Solved,
                ..
            } => queue_for_solve(txn, ticket, event.at).await?,
            EventKind::StatusChanged { reopen: true, .. } => cancel_queued(txn, ticket, Some(Survey::Csat)).await?,
            EventKind::MergedInto { .. } => cancel_queued(txn, ticket, None).await?,
            _ => {}
        }
    }
    Ok(())
}

async fn cancel_queued(txn: &DatabaseTransaction, ticket: TicketId, survey: Option<Survey>) -> Result<(), StoreError> {
    let mut update = survey_invitation::Entity::update_many()
        .col_expr(
            survey_invitation::Column::State,
            Expr::value(InvitationState::Cancelled.as_str()),
        )
        .filter(survey_invitation::Column::TicketId.eq(ticket.as_uuid()))
        .filter(survey_invitation::Column::State.eq(InvitationState::Queued.as_str()));
    if let Some(survey) = survey {
        update = update.filter(survey_invitation::Column::Survey.eq(survey.as_str()));
    }
    update.exec(txn).await?;
    Ok(())
}

fn days(n: u32) -> TimeDelta {
    TimeDelta::days(i64::from(n))
}

async fn queue_for_solve(txn: &DatabaseTransaction, ticket_id: TicketId, at: DateTime<Utc>) -> Result<(), StoreError> {
    let Some(row) = ticket::Entity::find_by_id(ticket_id.as_uuid()).one(txn).await? else {
        return Err(StoreError::not_found("ticket"));
    };
    if row.merged_into_id.is_some() {
        return Ok(());
    }
    let settings = super::settings::load(txn).await?;
    if settings.csat_enabled && !invited_within_quiet_period(txn, row.customer_id, &settings, at).await? {
        let due = at + TimeDelta::minutes(i64::from(settings.csat_delay_minutes));
        insert(txn, Survey::Csat, &row, due, at).await?;
    }
    if settings.nps_enabled {
        queue_nps(txn, &row, &settings, at).await?;
    }
    Ok(())
}

/// Whether the customer got (or is about to get) a CSAT invitation within
/// the quiet period before `at`.
async fn invited_within_quiet_period(
    txn: &DatabaseTransaction,
    customer: uuid::Uuid,
    settings: &SurveySettings,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if settings.quiet_period_days == 0 {
        return Ok(false);
    }
    let recent = survey_invitation::Entity::find()
        .filter(survey_invitation::Column::CustomerId.eq(customer))
        .filter(survey_invitation::Column::Survey.eq(Survey::Csat.as_str()))
        .filter(survey_invitation::Column::State.ne(InvitationState::Cancelled.as_str()))
        .filter(survey_invitation::Column::DueAt.gt(at - days(settings.quiet_period_days)))
        .one(txn)
        .await?;
    Ok(recent.is_some())
}

/// The customer's next NPS invitation, unless one is queued: N days after
/// their first solved ticket, then N days after the previous one (or at
/// this solve, for a customer who came back after a longer silence).
async fn queue_nps(
    txn: &DatabaseTransaction,
    row: &ticket::Model,
    settings: &SurveySettings,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let latest = survey_invitation::Entity::find()
        .filter(survey_invitation::Column::CustomerId.eq(row.customer_id))
        .filter(survey_invitation::Column::Survey.eq(Survey::Nps.as_str()))
        .filter(survey_invitation::Column::State.ne(InvitationState::Cancelled.as_str()))
        .order_by_desc(survey_invitation::Column::DueAt)
        .one(txn)
        .await?;
    let interval = days(settings.nps_interval_days);
    let due = match latest {
        Some(l) if l.state == InvitationState::Queued.as_str() => return Ok(()),
        Some(l) => (l.due_at + interval).max(at),
        None => at + interval,
    };
    insert(txn, Survey::Nps, row, due, at).await
}

async fn insert(
    txn: &DatabaseTransaction,
    survey: Survey,
    row: &ticket::Model,
    due: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    survey_invitation::Entity::insert(survey_invitation::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        survey: Set(survey.as_str().to_owned()),
        ticket_id: Set(row.id),
        customer_id: Set(row.customer_id),
        state: Set(InvitationState::Queued.as_str().to_owned()),
        due_at: Set(due),
        token_hash: Set(None),
        sent_by: Set(None),
        sent_at: Set(None),
        expires_at: Set(None),
        answered_at: Set(None),
        score: Set(None),
        comment: Set(None),
        locked_until: Set(None),
        created_at: Set(at),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}
