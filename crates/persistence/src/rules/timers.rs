//! Time-based rules: "N minutes after the ticket entered status S and
//! nothing happened, do this". A worker asks every minute or so; each
//! ticket whose time has come is changed in a transaction of its own,
//! under its lock, after checking again that it is still due, so two
//! servers asking at once change it once. What the rule changes starts
//! the event rules, as any change does.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use helpdesk_domain::ids::{RuleId, TicketId};
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::run::{apply_if_it_holds, calendar_for, run_chain};
use super::{RuleRecord, ordered};
use crate::entity::ticket;
use crate::tickets::lock;
use crate::{Store, StoreError};

/// Tickets looked at per rule and round.
const BATCH: u64 = 200;

/// Where a time-based rule's last look stopped, per rule: tickets its
/// conditions pass over stay due, so the next look starts after them
/// rather than at the oldest again, and comes round to them later.
#[derive(Debug, Default)]
pub struct TimerCursors(HashMap<RuleId, (DateTime<Utc>, Uuid)>);

impl Store {
    /// Runs every active time-based rule on the tickets whose time has
    /// come at `now`, and returns how many tickets a rule changed.
    pub async fn run_rule_timers(&self, now: DateTime<Utc>, cursors: &mut TimerCursors) -> Result<usize, StoreError> {
        let rules = ordered(self.db(), true).await?;
        let mut changed = 0;
        for rule in rules.iter().filter(|r| r.rule.timer.is_some()) {
            changed += self.run_timer(rule, &rules, now, cursors).await?;
        }
        Ok(changed)
    }

    async fn run_timer(
        &self,
        rule: &RuleRecord,
        rules: &[RuleRecord],
        now: DateTime<Utc>,
        cursors: &mut TimerCursors,
    ) -> Result<usize, StoreError> {
        let Some(timer) = rule.rule.timer else {
            return Ok(0);
        };
        let cutoff = now - TimeDelta::minutes(i64::from(timer.minutes));
        let status = timer.status.as_str();
        let mut due = ticket::Entity::find()
            .select_only()
            .column(ticket::Column::Id)
            .column(ticket::Column::UpdatedAt)
            .filter(ticket::Column::Status.eq(status))
            .filter(ticket::Column::UpdatedAt.lte(cutoff))
            .filter(ticket::Column::MergedIntoId.is_null());
        if let Some((at, id)) = cursors.0.get(&rule.id) {
            due = due.filter(
                Condition::any().add(ticket::Column::UpdatedAt.gt(*at)).add(
                    Condition::all()
                        .add(ticket::Column::UpdatedAt.eq(*at))
                        .add(ticket::Column::Id.gt(*id)),
                ),
            );
        }
        let due: Vec<(Uuid, DateTime<Utc>)> = due
            .order_by_asc(ticket::Column::UpdatedAt)
            .order_by_asc(ticket::Column::Id)
            .limit(BATCH)
            .into_tuple()
            .all(self.db())
            .await?;
        match due.last() {
            Some((id, at)) if due.len() as u64 == BATCH => {
                cursors.0.insert(rule.id, (*at, *id));
            }
            // The end of what is due: the next look starts over.
            _ => {
                cursors.0.remove(&rule.id);
            }
        }
        let mut changed = 0;
        for (id, _) in due {
            if self
                .run_timer_on(rule, rules, TicketId::from_uuid(id), status, cutoff, now)
                .await?
            {
                changed += 1;
            }
        }
        Ok(changed)
    }

    /// One due ticket: checked again under its lock, then the rule and the
    /// rules its change starts, in one transaction.
    async fn run_timer_on(
        &self,
        rule: &RuleRecord,
        rules: &[RuleRecord],
        ticket_id: TicketId,
        status: &str,
        cutoff: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let txn = self.write().await?;
        let row = lock::lock_ticket(&txn, ticket_id).await?;
        if row.status != status || row.updated_at > cutoff || row.merged_into_id.is_some() {
            // Changed since it was found (here or on another server).
            txn.rollback().await?;
            return Ok(false);
        }
        let calendar = calendar_for(&txn, rules).await?;
        let made = apply_if_it_holds(&txn, ticket_id, rule, calendar.as_ref(), now).await?;
        let changed = lock::lock_ticket(&txn, ticket_id).await?.updated_at != row.updated_at;
        let Some(made) = made.filter(|_| changed) else {
            // Its conditions pass it over, or it has nothing left to change:
            // not counted, so a worker does not look again at once.
            txn.rollback().await?;
            return Ok(false);
        };
        run_chain(
            &txn,
            ticket_id,
            rules,
            calendar.as_ref(),
            vec![(Some(rule.id), made)],
            now,
        )
        .await?;
        txn.commit().await?;
        self.announce(ticket_id);
        Ok(true)
    }
}
