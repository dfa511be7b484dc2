//! Building the KPI statements: text with `?` placeholders and the values
//! bound to them, in order.

use helpdesk_domain::kpi::{Bucket, KpiFilter, Range};
use helpdesk_domain::sla::Clock;
use sea_orm::Value;

#[derive(Default)]
pub(crate) struct Sql {
    pub text: String,
    pub values: Vec<Value>,
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
    fn bind_list<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Self {
        self.push("(");
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v);
        }
        self.push(")")
    }
}

/// What every figure's statement shares: the buckets and the tickets the
/// report looks at.
pub(crate) struct Plan {
    pub range: Range,
    /// The report's buckets; in SQL, bucket `i` has `idx = i + 1`, and
    /// `idx = 0` is the whole range (the report's total).
    pub buckets: Vec<Bucket>,
    pub filter: KpiFilter,
    pub clock: Clock,
}

/// The `idx` of the whole range in the bucket list.
pub(crate) const TOTAL: i64 = 0;

impl Plan {
    /// `WITH b(idx, s, e) AS (VALUES ...), ft(id, created_at, fcr_eligible) AS (...)`:
    /// the buckets (and the total as `idx` 0), and the tickets that count
    /// (not merged away, matching the filter on their current values).
    pub fn prelude(&self) -> Sql {
        let mut sql = Sql::default();
        sql.push("WITH b(idx, s, e) AS (VALUES ");
        let total = Bucket {
            start: self.range.from,
            end: self.range.to,
        };
        for (i, bucket) in std::iter::once(&total).chain(&self.buckets).enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .bind(i64::try_from(i).unwrap_or(i64::MAX))
                .push(", ")
                .bind(bucket.start)
                .push(", ")
                .bind(bucket.end)
                .push(")");
        }
        sql.push("), ft AS (SELECT t.id, t.created_at, t.fcr_eligible FROM tickets t WHERE t.merged_into_id IS NULL");
        let f = &self.filter;
        if !f.channels.is_empty() {
            sql.push(" AND t.channel IN ")
                .bind_list(f.channels.iter().map(|c| c.as_str().to_owned()));
        }
        if !f.priorities.is_empty() {
            sql.push(" AND t.priority IN ")
                .bind_list(f.priorities.iter().map(|p| p.as_str().to_owned()));
        }
        if !f.team_ids.is_empty() {
            sql.push(" AND t.team_id IN ")
                .bind_list(f.team_ids.iter().map(|t| t.as_uuid()));
        }
        if !f.agent_ids.is_empty() {
            sql.push(" AND t.assignee_id IN ")
                .bind_list(f.agent_ids.iter().map(|a| a.as_uuid()));
        }
        if !f.tags.is_empty() {
            sql.push(" AND EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id AND tt.tag IN ")
                .bind_list(f.tags.iter().map(|t| t.to_string()))
                .push(")");
        }
        sql.push(") ");
        sql
    }

    /// The column suffix of durations on the report's clock.
    pub fn clock_column(&self) -> &'static str {
        match self.clock {
            Clock::Calendar => "calendar_us",
            Clock::Business => "business_us",
        }
    }
}
