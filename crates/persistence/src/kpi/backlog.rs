//! backlog and overdueBacklog at each bucket's end (the total's: at `to`).
//!
//! A ticket is unresolved at T when it was created before T and no solve
//! span covers T (`solved_at < T <= reopened_at`). Spans of one ticket never
//! overlap, so the backlog at T is: tickets created before T, minus solves
//! before T, plus reopens before T. Solves and reopens are counted per
//! bucket in the database (creations came with the volumes), plus one count
//! of each before the range, and accumulated bucket by bucket here.
//!
//! overdueBacklog likewise: the tickets' overdue spans begun before T minus
//! those ended before T (see `helpdesk_domain::kpi::overdue_spans`).

use super::snapshot::Snapshot;
use helpdesk_domain::kpi::Bucket;

use super::Slots;
use super::rows::int;
use super::sql::{Plan, Sql};
use crate::StoreError;

/// Needs `tickets_created` per bucket in `slots`, and every solve per bucket
/// in `solved` (both from `volumes`).
pub(crate) async fn backlog(db: &Snapshot, plan: &Plan, slots: &mut Slots, solved: &[u64]) -> Result<(), StoreError> {
    // `(SELECT COUNT(*) ...)` of the rows of `table` whose `instant` is in
    // `span`, or with no span, before the range.
    let counted = |sql: &mut Sql, table: &str, instant: &str, span: Option<Bucket>| {
        sql.push(&format!("(SELECT COUNT(*) FROM {table} x WHERE "));
        match span {
            Some(span) => sql.within(&format!("x.{instant}"), span),
            None => sql.push(&format!("x.{instant} < ")).bind(plan.range.from),
        };
        plan.counted(sql, "x");
        sql.push(")");
    };

    // Net change of both backlogs before the range, then per bucket.
    let mut base = [0_i64; 2];
    let mut delta = vec![[0_i64; 2]; slots.len()];
    let signed = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    for (i, tallies) in slots.iter().enumerate().skip(1) {
        let solved = solved.get(i).copied().unwrap_or(0);
        delta[i][0] = signed(tallies.tickets_created) - signed(solved);
    }
    let mut sql = Sql::from("SELECT ");
    counted(&mut sql, "ticket_facts", "created_at", None);
    sql.push(" - ");
    counted(&mut sql, "ticket_solves", "solved_at", None);
    sql.push(" + ");
    counted(&mut sql, "ticket_solves", "reopened_at", None);
    sql.push(", ");
    counted(&mut sql, "overdue_spans", "counts_after", None);
    sql.push(" - ");
    counted(&mut sql, "overdue_spans", "counts_until", None);
    for row in sql.run(db).await? {
        base = [int(&row, 0)?, int(&row, 1)?];
    }
    let rows = plan
        .per_slot(db, &plan.slots(false), |sql, s| {
            let span = Some(s.span);
            counted(sql, "ticket_solves", "reopened_at", span);
            sql.push(", ");
            counted(sql, "overdue_spans", "counts_after", span);
            sql.push(" - ");
            counted(sql, "overdue_spans", "counts_until", span);
        })
        .await?;
    for row in rows {
        let idx = int(&row, 0)?;
        let i = usize::try_from(idx).ok().filter(|i| *i < delta.len());
        let i = i.ok_or_else(|| StoreError::UnexpectedRow(format!("bucket index {idx} out of range")))?;
        delta[i][0] += int(&row, 1)?;
        delta[i][1] += int(&row, 2)?;
    }
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    let mut running = base;
    for (tallies, change) in slots.iter_mut().zip(&delta).skip(1) {
        running = [running[0] + change[0], running[1] + change[1]];
        tallies.backlog = count(running[0]);
        tallies.overdue_backlog = count(running[1]);
    }
    // The buckets cover the range exactly, so the last end is `to`.
    if let Some(total) = slots.first_mut() {
        total.backlog = count(running[0]);
        total.overdue_backlog = count(running[1]);
    }
    Ok(())
}
