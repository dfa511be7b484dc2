//! Building the KPI statements: text with `?` placeholders and the values
//! bound to them, in order.
//!
//! Most figures are one aggregate per bucket over one index range, written
//! as `UNION ALL`ed branches (see [`Plan::per_slot`]): neither store then
//! sorts or hashes the rows, which on SQLite is what a `GROUP BY` over a
//! join would cost.

use super::snapshot::Snapshot;
use crate::Backend;
use helpdesk_domain::access::TicketAccess;
use helpdesk_domain::kpi::{Bucket, KpiFilter, Range};
use helpdesk_domain::sla::Clock;
use sea_orm::{QueryResult, Value};

use crate::StoreError;

/// SQLite refuses compound selects of more than 500 parts.
const BRANCHES_PER_STATEMENT: usize = 250;

#[derive(Default)]
pub(crate) struct Sql {
    pub text: String,
    pub values: Vec<Value>,
}

impl From<&str> for Sql {
    fn from(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            values: Vec::new(),
        }
    }
}

impl Sql {
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.text.push('?');
        self.values.push(value.into());
        self
    }

    /// `(?, ?, ...)` for a non-empty list.
    pub fn bind_list<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Self {
        self.push("(");
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v);
        }
        self.push(")")
    }

    /// `{column} >= ? AND {column} < ?`: the instants of `bucket`.
    pub fn within(&mut self, column: &str, bucket: Bucket) -> &mut Self {
        self.push(&format!("{column} >= "))
            .bind(bucket.start)
            .push(&format!(" AND {column} < "))
            .bind(bucket.end)
    }

    pub async fn run(self, db: &Snapshot) -> Result<Vec<QueryResult>, StoreError> {
        db.rows(&self.text, self.values).await
    }
}

/// Runs one `SELECT` per item (`branch` writes it whole), `UNION ALL`ed
/// into as few statements as the stores allow, and returns their rows.
pub(crate) async fn union_all<T: Copy>(
    db: &Snapshot,
    items: &[T],
    mut branch: impl FnMut(&mut Sql, T),
) -> Result<Vec<QueryResult>, StoreError> {
    let mut rows = Vec::with_capacity(items.len());
    for chunk in items.chunks(BRANCHES_PER_STATEMENT) {
        let mut sql = Sql::default();
        for (n, item) in chunk.iter().enumerate() {
            if n > 0 {
                sql.push(" UNION ALL ");
            }
            branch(&mut sql, *item);
        }
        rows.extend(sql.run(db).await?);
    }
    Ok(rows)
}

/// A slot of the report: `idx` 0 is the whole range (the total), `idx`
/// i + 1 the report's bucket i.
#[derive(Clone, Copy)]
pub(crate) struct Slot {
    pub idx: i64,
    pub span: Bucket,
}

/// What every figure's statement shares: the buckets and the tickets the
/// report looks at.
pub(crate) struct Plan {
    pub backend: Backend,
    pub range: Range,
    pub buckets: Vec<Bucket>,
    pub filter: KpiFilter,
    pub clock: Clock,
}

impl Plan {
    /// The report's buckets, and with `with_total` (for figures that do not
    /// add up over buckets, such as medians and distinct counts) the whole
    /// range as slot 0 when there are several buckets (with one, the
    /// bucket is the whole range).
    pub fn slots(&self, with_total: bool) -> Vec<Slot> {
        let mut slots = Vec::with_capacity(self.buckets.len() + 1);
        if with_total && self.buckets.len() > 1 {
            slots.push(Slot {
                idx: 0,
                span: Bucket {
                    start: self.range.from,
                    end: self.range.to,
                },
            });
        }
        slots.extend((1..).zip(&self.buckets).map(|(idx, span)| Slot { idx, span: *span }));
        slots
    }

    /// Runs one branch per slot, each a single-row aggregate whose first
    /// column is the slot's `idx` (`branch` writes what follows it).
    pub async fn per_slot(
        &self,
        db: &Snapshot,
        slots: &[Slot],
        mut branch: impl FnMut(&mut Sql, Slot),
    ) -> Result<Vec<QueryResult>, StoreError> {
        union_all(db, slots, |sql, slot| {
            sql.push("SELECT ").bind(slot.idx).push(", ");
            branch(sql, slot);
        })
        .await
    }

    /// ` AND ...`: keeps the rows (of the table aliased `alias`, which
    /// carries its ticket's dimensions) of tickets that count: not merged
    /// away, matching the filter on their current values.
    pub fn counted(&self, sql: &mut Sql, alias: &str) {
        sql.push(&format!(" AND NOT {alias}.merged"));
        let f = &self.filter;
        if !f.channels.is_empty() {
            sql.push(&format!(" AND {alias}.channel IN "))
                .bind_list(f.channels.iter().map(|c| c.as_str().to_owned()));
        }
        if !f.priorities.is_empty() {
            sql.push(&format!(" AND {alias}.priority IN "))
                .bind_list(f.priorities.iter().map(|p| p.as_str().to_owned()));
        }
        if !f.team_ids.is_empty() {
            sql.push(&format!(" AND {alias}.team_id IN "))
                .bind_list(f.team_ids.iter().map(|t| t.as_uuid()));
        }
        if !f.agent_ids.is_empty() {
            sql.push(&format!(" AND {alias}.assignee_id IN "))
                .bind_list(f.agent_ids.iter().map(|a| a.as_uuid()));
        }
        if let TicketAccess::Teams { teams, teamless } = &f.access {
            sql.push(" AND (");
            if !teams.is_empty() {
                sql.push(&format!("{alias}.team_id IN "))
                    .bind_list(teams.iter().map(|t| t.as_uuid()));
                sql.push(" OR ");
            }
            sql.push(&format!("{alias}.team_id IS NULL AND "))
                .bind(*teamless)
                .push(")");
        }
        if !f.tags.is_empty() {
            sql.push(&format!(
                " AND EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = {alias}.ticket_id AND tt.tag IN "
            ))
            .bind_list(f.tags.iter().map(|t| t.to_string()))
            .push(")");
        }
    }

    /// The column suffix of durations on the report's clock.
    pub fn clock_column(&self) -> &'static str {
        match self.clock {
            Clock::Calendar => "calendar_us",
            Clock::Business => "business_us",
        }
    }
}
