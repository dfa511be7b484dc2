//! SLA policies, and each ticket's targets kept in step with its history.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use helpdesk_domain::ids::{SlaPolicyId, TicketId};
use helpdesk_domain::sla::{CalendarClock, Clocks, SlaPolicy, SlaTarget, TargetSpec, TargetState, Webhook, evaluate};
use helpdesk_domain::tag::Tag;
use helpdesk_domain::ticket::{EventKind, TicketEvent};
use helpdesk_domain::time::to_micros;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use crate::entity::{sla_policy, sla_target};
use crate::error::parse_column;
use crate::{Store, StoreError};

/// A ticket's target as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaTargetRecord {
    pub ticket_id: TicketId,
    pub target: SlaTarget,
    pub policy_id: SlaPolicyId,
    pub started_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub warn_at: Option<DateTime<Utc>>,
    pub state: TargetState,
    pub decided_at: Option<DateTime<Utc>>,
}

fn words<T: ToString>(items: impl IntoIterator<Item = T>) -> String {
    items.into_iter().map(|i| i.to_string()).collect::<Vec<_>>().join(" ")
}

fn parse_words<T: std::str::FromStr>(column: &'static str, text: &str) -> Result<Vec<T>, StoreError> {
    text.split_whitespace().map(|w| parse_column(column, w)).collect()
}

impl TryFrom<sla_policy::Model> for SlaPolicy {
    type Error = StoreError;

    fn try_from(m: sla_policy::Model) -> Result<Self, StoreError> {
        let targets: Vec<TargetSpec> = serde_json::from_value(m.targets.clone()).map_err(|_| StoreError::Corrupt {
            column: "sla_policies.targets",
            value: m.targets.to_string(),
        })?;
        Ok(SlaPolicy {
            id: SlaPolicyId::from_uuid(m.id),
            name: m.name,
            position: m.position,
            priorities: parse_words("sla_policies.priorities", &m.priorities)?,
            channels: parse_words("sla_policies.channels", &m.channels)?,
            tags: parse_words::<Tag>("sla_policies.tags", &m.tags)?
                .into_iter()
                .collect::<BTreeSet<_>>(),
            targets,
            warning_percent: u8::try_from(m.warning_percent).unwrap_or(SlaPolicy::DEFAULT_WARNING_PERCENT),
            calendar: m.calendar.as_deref().map(crate::calendar::decode).transpose()?,
            webhook: match (m.webhook_url, m.webhook_secret) {
                (Some(url), Some(secret)) => Some(Webhook { url, secret }),
                _ => None,
            },
        })
    }
}

fn policy_row(p: &SlaPolicy, at: DateTime<Utc>) -> Result<sla_policy::ActiveModel, StoreError> {
    Ok(sla_policy::ActiveModel {
        id: Set(p.id.as_uuid()),
        name: Set(p.name.clone()),
        position: Set(p.position),
        priorities: Set(words(&p.priorities)),
        channels: Set(words(&p.channels)),
        tags: Set(words(&p.tags)),
        targets: Set(serde_json::to_value(&p.targets).map_err(|e| StoreError::Corrupt {
            column: "sla_policies.targets",
            value: e.to_string(),
        })?),
        warning_percent: Set(i32::from(p.warning_percent)),
        webhook_url: Set(p.webhook.as_ref().map(|w| w.url.clone())),
        webhook_secret: Set(p.webhook.as_ref().map(|w| w.secret.clone())),
        calendar: Set(p.calendar.as_ref().map(crate::calendar::encode).transpose()?),
        created_at: Set(at),
        updated_at: Set(at),
    })
}

pub(crate) async fn policies<C: ConnectionTrait>(db: &C) -> Result<Vec<SlaPolicy>, StoreError> {
    sla_policy::Entity::find()
        .order_by_asc(sla_policy::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// The ticket's targets as decided from `history` at `now`, under the
/// context's policies and clocks.
pub(crate) fn outcomes_of(
    ctx: &crate::tickets::derived::DeriveContext,
    history: &[TicketEvent],
    now: DateTime<Utc>,
) -> Vec<helpdesk_domain::sla::TargetOutcome> {
    if ctx.policies.is_empty() {
        return Vec::new();
    }
    // BUSINESS targets count the desk's calendar; with none set, every
    // second (docs/kpis.md#clocks-calendar-and-business: BUSINESS equals CALENDAR without a calendar).
    let clocks = if ctx.calendar_set {
        Clocks {
            business: &ctx.calendar,
        }
    } else {
        Clocks {
            business: &CalendarClock,
        }
    };
    evaluate(history, &ctx.policies, &clocks, now)
}

/// The alerts a ticket with this past would have raised live before `now`,
/// each at its moment: every breach, and the warning of a target still
/// running. Recorded in an imported ticket's log (no mail, no webhook) so
/// the scheduler never raises them afterwards.
pub(crate) fn past_alerts(outcomes: &[helpdesk_domain::sla::TargetOutcome], now: DateTime<Utc>) -> Vec<TicketEvent> {
    let mut alerts = Vec::new();
    for o in outcomes {
        if let Some(warn_at) = o.warn_at
            && warn_at <= now
            && o.decided_at.is_none_or(|decided| warn_at < decided)
        {
            alerts.push(TicketEvent {
                at: warn_at,
                actor: helpdesk_domain::ticket::Actor::System,
                kind: EventKind::SlaWarning {
                    target: o.target,
                    started_at: o.started_at,
                    due_at: o.due_at,
                },
            });
        }
        if o.state == TargetState::Breached
            && let Some(decided) = o.decided_at
        {
            alerts.push(TicketEvent {
                at: decided,
                actor: helpdesk_domain::ticket::Actor::System,
                kind: EventKind::SlaBreached {
                    target: o.target,
                    started_at: o.started_at,
                    due_at: o.due_at,
                },
            });
        }
    }
    alerts
}

/// What a ticket's decided targets (see [`outcomes_of`]) come to in the
/// store: the ticket's next SLA deadline and breached flag, and its
/// `sla_targets` rows, marked with the warnings and breaches its log
/// already raised. Pure, so an import batch gathers the rows of many
/// tickets into a few multi-row inserts.
pub(crate) struct StoredTargets {
    pub next_due: Option<DateTime<Utc>>,
    pub breached: bool,
    pub rows: Vec<sla_target::ActiveModel>,
}

impl StoredTargets {
    pub(crate) fn of(
        ticket: TicketId,
        dims: &crate::tickets::dimensions::Dimensions,
        outcomes: &[helpdesk_domain::sla::TargetOutcome],
        history: &[TicketEvent],
    ) -> Self {
        let raised = |want_breach: bool, target: SlaTarget, started: DateTime<Utc>| {
            history.iter().any(|e| match &e.kind {
                EventKind::SlaWarning {
                    target: t, started_at, ..
                } => !want_breach && *t == target && *started_at == started,
                EventKind::SlaBreached {
                    target: t, started_at, ..
                } => want_breach && *t == target && *started_at == started,
                _ => false,
            })
        };
        let next_due = outcomes
            .iter()
            .filter(|o| o.decided_at.is_none())
            .filter_map(|o| o.due_at)
            .min();
        let breached = outcomes
            .iter()
            .any(|o| o.state == TargetState::Breached && o.met_at.is_none());
        let rows = outcomes
            .iter()
            .map(|o| {
                dims.stamp(sla_target::ActiveModel {
                    ticket_id: Set(ticket.as_uuid()),
                    target: Set(o.target.as_str().to_owned()),
                    started_at: Set(o.started_at),
                    policy_id: Set(o.policy_id.as_uuid()),
                    due_at: Set(o.due_at),
                    warn_at: Set(o.warn_at),
                    state: Set(o.state.as_str().to_owned()),
                    decided_at: Set(o.decided_at),
                    met_at: Set(o.met_at),
                    warning_raised: Set(raised(false, o.target, o.started_at)),
                    breach_raised: Set(raised(true, o.target, o.started_at)),
                    ..Default::default()
                })
            })
            .collect();
        Self {
            next_due,
            breached,
            rows,
        }
    }
}

/// Stores a ticket's targets as decided (see [`outcomes_of`]), replacing
/// those stored before.
pub(crate) async fn refresh_targets(
    txn: &DatabaseTransaction,
    ticket: TicketId,
    dims: &crate::tickets::dimensions::Dimensions,
    outcomes: &[helpdesk_domain::sla::TargetOutcome],
    history: &[TicketEvent],
    derived: crate::tickets::derived::Derived,
) -> Result<(), StoreError> {
    let stored = StoredTargets::of(ticket, dims, outcomes, history);
    crate::entity::ticket::Entity::update_many()
        .col_expr(
            crate::entity::ticket::Column::SlaNextDueAt,
            Expr::value(stored.next_due),
        )
        .col_expr(crate::entity::ticket::Column::SlaBreached, Expr::value(stored.breached))
        .filter(crate::entity::ticket::Column::Id.eq(ticket.as_uuid()))
        .exec(txn)
        .await?;
    if derived == crate::tickets::derived::Derived::Before {
        sla_target::Entity::delete_many()
            .filter(sla_target::Column::TicketId.eq(ticket.as_uuid()))
            .exec(txn)
            .await?;
    }
    if stored.rows.is_empty() {
        return Ok(());
    }
    sla_target::Entity::insert_many(stored.rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

impl TryFrom<sla_target::Model> for SlaTargetRecord {
    type Error = StoreError;

    fn try_from(m: sla_target::Model) -> Result<Self, StoreError> {
        Ok(Self {
            ticket_id: TicketId::from_uuid(m.ticket_id),
            target: parse_column("sla_targets.target", &m.target)?,
            policy_id: SlaPolicyId::from_uuid(m.policy_id),
            started_at: m.started_at,
            due_at: m.due_at,
            warn_at: m.warn_at,
            state: parse_column("sla_targets.state", &m.state)?,
            decided_at: m.decided_at,
        })
    }
}

impl Store {
    /// Stores a new policy that keeps the policy rules (`SlaPolicy::check`).
    pub async fn create_sla_policy(&self, policy: SlaPolicy, at: DateTime<Utc>) -> Result<SlaPolicy, StoreError> {
        policy.check()?;
        let name = policy.name.clone();
        policy_row(&policy, to_micros(at))?
            .insert(self.db())
            .await
            .map_err(|e| StoreError::conflict_on_unique(e, format!("an SLA policy named {name:?} exists")))?
            .try_into()
    }

    /// Replaces a policy. Tickets take it into account at their next change;
    /// targets already decided stay decided.
    pub async fn update_sla_policy(&self, policy: SlaPolicy, at: DateTime<Utc>) -> Result<SlaPolicy, StoreError> {
        // Before the lookup: a policy breaking the rules is refused whether or not it exists.
        policy.check()?;
        let existing = sla_policy::Entity::find_by_id(policy.id.as_uuid())
            .one(self.db())
            .await?
            .ok_or_else(|| StoreError::not_found("SLA policy"))?;
        let mut row = policy_row(&policy, to_micros(at))?;
        row.created_at = Set(existing.created_at);
        let name = policy.name.clone();
        row.update(self.db())
            .await
            .map_err(|e| StoreError::conflict_on_unique(e, format!("an SLA policy named {name:?} exists")))?
            .try_into()
    }

    pub async fn delete_sla_policy(&self, id: SlaPolicyId) -> Result<bool, StoreError> {
        Ok(sla_policy::Entity::delete_by_id(id.as_uuid())
            .exec(self.db())
            .await?
            .rows_affected
            > 0)
    }

    pub async fn sla_policies(&self) -> Result<Vec<SlaPolicy>, StoreError> {
        policies(self.db()).await
    }

    pub async fn sla_targets_of(&self, tickets: &[TicketId]) -> Result<Vec<SlaTargetRecord>, StoreError> {
        if tickets.is_empty() {
            return Ok(Vec::new());
        }
        sla_target::Entity::find()
            .filter(sla_target::Column::TicketId.is_in(tickets.iter().map(TicketId::as_uuid)))
            .order_by_asc(sla_target::Column::StartedAt)
            .all(self.db())
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect()
    }

    /// Tickets with a warning or a breach due at `now` and not yet raised,
    /// the longest overdue first. Two searches, one per partial index of
    /// `m20261203_000060`, whose predicates they repeat word for word; an
    /// OR of them read every target.
    pub async fn tickets_with_due_sla_alerts(
        &self,
        now: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<TicketId>, StoreError> {
        let searches = [
            (
                warning_pending().add(sla_target::Column::WarnAt.lte(now)),
                sla_target::Column::WarnAt,
            ),
            (
                breach_pending().add(sla_target::Column::DueAt.lte(now)),
                sla_target::Column::DueAt,
            ),
        ];
        let mut ids: Vec<uuid::Uuid> = Vec::new();
        for (search, by) in searches {
            // In the index's order, and without DISTINCT (which had
            // PostgreSQL walk the primary key for ticket ids in order): a
            // ticket with two due targets comes twice.
            let found = sla_target::Entity::find()
                .select_only()
                .column(sla_target::Column::TicketId)
                .filter(search)
                .order_by_asc(by)
                .limit(limit)
                .into_tuple::<uuid::Uuid>()
                .all(self.db())
                .await?;
            for id in found {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        ids.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(ids.into_iter().map(TicketId::from_uuid).collect())
    }

    /// The earliest pending warning or deadline after `now`, for the
    /// scheduler to sleep until.
    pub async fn next_sla_moment(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, StoreError> {
        // (A breached target's deadline is past, so the breach search finds
        // only running ones here.)
        let next = |pending: Condition, column: sla_target::Column| {
            sla_target::Entity::find()
                .select_only()
                .column(column)
                .filter(pending.add(column.gt(now)))
                .order_by_asc(column)
                .into_tuple::<Option<DateTime<Utc>>>()
        };
        let warn = next(warning_pending(), sla_target::Column::WarnAt)
            .one(self.db())
            .await?
            .flatten();
        let due = next(breach_pending(), sla_target::Column::DueAt)
            .one(self.db())
            .await?
            .flatten();
        Ok(match (warn, due) {
            (Some(a), Some(b)) => Some(Ord::min(a, b)),
            (a, b) => a.or(b),
        })
    }
}

/// The predicate of `ix_sla_targets_pending_warning`: a running target whose
/// warning was not raised. Written with literals, never bound parameters,
/// so that both engines see the partial index serves it.
fn warning_pending() -> Condition {
    Condition::all()
        .add(sla_target::Column::DecidedAt.is_null())
        .add(Expr::col((sla_target::Entity, sla_target::Column::WarningRaised)).not())
}

/// The predicate of `ix_sla_targets_pending_breach`: a running or breached
/// target whose breach was not raised.
fn breach_pending() -> Condition {
    Condition::all()
        .add(Expr::col((sla_target::Entity, sla_target::Column::BreachRaised)).not())
        .add(
            Condition::any().add(sla_target::Column::DecidedAt.is_null()).add(
                Expr::col((sla_target::Entity, sla_target::Column::State))
                    .eq(Expr::cust(format!("'{}'", TargetState::Breached.as_str()))),
            ),
        )
}

/// A warning or breach raised by [`Store::raise_sla_alerts`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaisedAlert {
    pub ticket_id: TicketId,
    pub policy_id: SlaPolicyId,
    pub ticket_number: i64,
    pub breached: bool,
    pub target: SlaTarget,
    pub due_at: Option<DateTime<Utc>>,
    /// Who was told by mail (the assignee, else the ticket's team).
    pub notified: Vec<String>,
}

impl Store {
    /// Raises the ticket's SLA warnings and breaches due at `now` that the
    /// log does not hold yet: one event each, a mail to the assignee (or the
    /// team) through the outbox, all in one transaction under the ticket's
    /// lock, so two schedulers raise each alert once.
    pub async fn raise_sla_alerts(
        &self,
        ticket_id: TicketId,
        now: DateTime<Utc>,
        notice: &(dyn Fn(&RaisedAlert) -> crate::outbox::NewOutboxMail + Sync),
    ) -> Result<Vec<RaisedAlert>, StoreError> {
        use crate::tickets::history;
        let now = to_micros(now);
        let txn = self.write().await?;
        let ticket = crate::tickets::lock::lock_ticket(&txn, ticket_id).await?;
        history::refresh_derived(&txn, ticket_id, ticket.created_at, now).await?;
        let targets = sla_target::Entity::find()
            .filter(sla_target::Column::TicketId.eq(ticket_id.as_uuid()))
            .all(&txn)
            .await?;
        let mut raised = Vec::new();
        let mut events = Vec::new();
        for row in targets {
            let record: SlaTargetRecord = row.clone().try_into()?;
            let kind = if record.state == TargetState::Breached && !row.breach_raised {
                EventKind::SlaBreached {
                    target: record.target,
                    started_at: record.started_at,
                    due_at: record.due_at,
                }
            } else if record.state == TargetState::Warning && !row.warning_raised {
                EventKind::SlaWarning {
                    target: record.target,
                    started_at: record.started_at,
                    due_at: record.due_at,
                }
            } else {
                continue;
            };
            let breached = matches!(kind, EventKind::SlaBreached { .. });
            events.push(TicketEvent {
                at: now,
                actor: helpdesk_domain::ticket::Actor::System,
                kind,
            });
            raised.push(RaisedAlert {
                ticket_id,
                policy_id: record.policy_id,
                ticket_number: ticket.number,
                breached,
                target: record.target,
                due_at: record.due_at,
                notified: Vec::new(),
            });
        }
        if raised.is_empty() {
            txn.commit().await?;
            return Ok(raised);
        }
        let recipients = alert_recipients(&txn, &ticket).await?;
        for alert in &mut raised {
            alert.notified = recipients.clone();
            for to in &recipients {
                let mut mail = notice(alert);
                mail.to = to.clone();
                crate::entity::outbox::Entity::insert(crate::outbox::outbox_row(mail, ticket_id, None, now))
                    .exec_without_returning(&txn)
                    .await?;
            }
        }
        let policies = policies(&txn).await?;
        for alert in &raised {
            let Some(hook) = policies
                .iter()
                .find(|p| p.id == alert.policy_id)
                .and_then(|p| p.webhook.as_ref())
            else {
                continue;
            };
            let payload = serde_json::json!({
                "event": if alert.breached { "SLA_BREACHED" } else { "SLA_WARNING" },
                "ticketId": ticket_id.to_string(),
                "ticketNumber": alert.ticket_number,
                "target": alert.target.as_str(),
                "policyId": alert.policy_id.to_string(),
                "dueAt": alert.due_at.map(|d| d.to_rfc3339()),
                "raisedAt": now.to_rfc3339(),
            });
            let row =
                crate::webhooks::delivery_row(ticket_id.as_uuid(), &hook.url, &hook.secret, payload.to_string(), now);
            crate::entity::webhook_delivery::Entity::insert(row)
                .exec_without_returning(&txn)
                .await?;
        }
        history::append(&txn, ticket_id, &events).await?;
        history::refresh_derived(&txn, ticket_id, ticket.created_at, now).await?;
        txn.commit().await?;
        self.announce(ticket_id);
        Ok(raised)
    }
}

/// The assignee's address, else the addresses of the ticket's team.
async fn alert_recipients(
    txn: &DatabaseTransaction,
    ticket: &crate::entity::ticket::Model,
) -> Result<Vec<String>, StoreError> {
    use crate::entity::{agent, team_member};
    if let Some(assignee) = ticket.assignee_id {
        return Ok(agent::Entity::find_by_id(assignee)
            .one(txn)
            .await?
            .map(|a| a.email)
            .into_iter()
            .collect());
    }
    let Some(team) = ticket.team_id else {
        return Ok(Vec::new());
    };
    let members: Vec<uuid::Uuid> = team_member::Entity::find()
        .select_only()
        .column(team_member::Column::AgentId)
        .filter(team_member::Column::TeamId.eq(team))
        .into_tuple()
        .all(txn)
        .await?;
    Ok(agent::Entity::find()
        .filter(agent::Column::Id.is_in(members))
        .filter(agent::Column::Active.eq(true))
        .order_by_asc(agent::Column::Email)
        .all(txn)
        .await?
        .into_iter()
        .map(|a| a.email)
        .collect())
}

impl Store {
    /// Re-decides the targets of every ticket with one still running, e.g.
    /// after the business calendar changed. Returns how many were refreshed.
    pub async fn refresh_open_sla_targets(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let tickets: Vec<uuid::Uuid> = sla_target::Entity::find()
            .select_only()
            .column(sla_target::Column::TicketId)
            .distinct()
            .filter(sla_target::Column::DecidedAt.is_null())
            .into_tuple()
            .all(self.db())
            .await?;
        for id in &tickets {
            let ticket_id = TicketId::from_uuid(*id);
            let txn = self.write().await?;
            let ticket = crate::tickets::lock::lock_ticket(&txn, ticket_id).await?;
            crate::tickets::history::refresh_derived(&txn, ticket_id, ticket.created_at, now).await?;
            txn.commit().await?;
        }
        Ok(tickets.len())
    }
}
