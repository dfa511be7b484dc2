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
    /// `idx = 0` is the whole range (the report's total) where asked for.
    pub buckets: Vec<Bucket>,
    pub filter: KpiFilter,
    pub clock: Clock,
}

impl Plan {
    /// Whether the whole range needs its own row in the bucket list: only
    /// when there are several buckets (with one, it is that bucket).
    fn total_row(&self, with_total: bool) -> bool {
        with_total && self.buckets.len() > 1
    }

    /// `WITH b(idx, s, e) AS (VALUES ...)`: the buckets, and with
    /// `with_total` (for figures that do not add up over buckets, such as
    /// medians and distinct counts) the whole range as `idx` 0.
    pub fn prelude(&self, with_total: bool) -> Sql {
        let mut sql = Sql::default();
        sql.push("WITH b(idx, s, e) AS (VALUES ");
        let mut rows: Vec<(usize, Bucket)> = Vec::with_capacity(self.buckets.len() + 1);
        if self.total_row(with_total) {
            rows.push((
                0,
                Bucket {
                    start: self.range.from,
                    end: self.range.to,
                },
            ));
        }
        rows.extend(self.buckets.iter().enumerate().map(|(i, b)| (i + 1, *b)));
        if rows.is_empty() {
            // An empty range grouped by a period has no bucket; an empty
            // span keeps the statement valid and matches nothing.
            rows.push((
                0,
                Bucket {
                    start: self.range.from,
                    end: self.range.from,
                },
            ));
        }
        for (n, (idx, bucket)) in rows.into_iter().enumerate() {
            if n > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .bind(i64::try_from(idx).unwrap_or(i64::MAX))
                .push(", ")
                .bind(bucket.start)
                .push(", ")
                .bind(bucket.end)
                .push(")");
        }
        sql.push(") ");
        sql
    }

    /// ` JOIN tickets t ON <on> AND ...`: keeps the rows of tickets that
    /// count (not merged away, matching the filter on their current values).
    pub fn tickets(&self, sql: &mut Sql, on: &str) {
        sql.push(" JOIN tickets t ON ")
            .push(on)
            .push(" AND t.merged_into_id IS NULL");
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
        sql.push(" ");
    }

    /// The column suffix of durations on the report's clock.
    pub fn clock_column(&self) -> &'static str {
        match self.clock {
            Clock::Calendar => "calendar_us",
            Clock::Business => "business_us",
        }
    }
}
