//! backlog and overdueBacklog at each bucket's end (the total's: at `to`).
//!
//! A ticket is unresolved at T when it was created before T and no solve
//! span covers T (`solved_at < T <= reopened_at`). Spans of one ticket never
//! overlap, so the backlog at T is: tickets created before T, minus solves
//! before T, plus reopens before T. Solves and reopens are counted per
//! bucket in the database (creations came with the volumes), plus one count
//! of each before the range, and accumulated bucket by bucket here.

use helpdesk_persistence::snapshot::Snapshot;

use super::{Slots, count, int, slot, text};
use crate::MetricsError;
use crate::sql::Plan;

/// Needs `tickets_created` per bucket in `slots` (see `volumes`).
pub(crate) async fn backlog(db: &Snapshot, plan: &Plan, slots: &mut Slots) -> Result<(), MetricsError> {
    let from = plan.range.from;
    let mut sql = plan.prelude(false);
    sql.push("SELECT 'c', -1, COUNT(*) FROM (SELECT ")
        .bind(from)
        .push(" AS cut) z");
    plan.tickets(&mut sql, "t.created_at < z.cut");
    for (kind, instant) in [("s", "solved_at"), ("r", "reopened_at")] {
        sql.push(&format!(
            " UNION ALL SELECT '{kind}', b.idx, COUNT(*) FROM b JOIN ticket_solves s ON s.{instant} >= b.s AND s.{instant} < b.e"
        ));
        plan.tickets(&mut sql, "t.id = s.ticket_id");
        sql.push(&format!(
            "GROUP BY b.idx UNION ALL SELECT '{kind}', -1, COUNT(*) FROM ticket_solves s"
        ));
        plan.tickets(&mut sql, "t.id = s.ticket_id");
        sql.push(&format!("WHERE s.{instant} < ")).bind(from);
    }
    // Net change of the backlog per bucket index; -1 is "before the range".
    let mut base: i64 = 0;
    let mut delta = vec![0_i64; slots.len()];
    for (i, tallies) in slots.iter().enumerate().skip(1) {
        delta[i] = i64::try_from(tallies.tickets_created).unwrap_or(i64::MAX);
    }
    for row in db.rows(&sql.text, sql.values).await? {
        let n = int(&row, 2)?;
        let signed = if text(&row, 0)? == "s" { -n } else { n };
        match int(&row, 1)? {
            -1 => base += signed,
            idx => {
                let i = usize::try_from(idx).ok().filter(|i| *i < delta.len());
                let i = i.ok_or_else(|| MetricsError::Row(format!("bucket index {idx} out of range")))?;
                delta[i] += signed;
            }
        }
    }
    let mut running = base;
    for (tallies, change) in slots.iter_mut().zip(&delta).skip(1) {
        running += change;
        tallies.backlog = u64::try_from(running).unwrap_or(0);
    }
    // The buckets cover the range exactly, so the last end is `to`.
    if let Some(total) = slots.first_mut() {
        total.backlog = u64::try_from(running).unwrap_or(0);
    }

    // Breached targets still open at a bucket's end, of tickets unresolved then.
    let mut sql = plan.prelude(false);
    sql.push(
        "SELECT b.idx, COUNT(DISTINCT g.ticket_id) FROM b \
         JOIN sla_targets g ON g.state = 'BREACHED' AND g.decided_at < b.e \
         AND (g.met_at IS NULL OR g.met_at >= b.e)",
    );
    plan.tickets(&mut sql, "t.id = g.ticket_id AND t.created_at < b.e");
    sql.push(
        "WHERE NOT EXISTS (SELECT 1 FROM ticket_solves s WHERE s.ticket_id = g.ticket_id \
         AND s.solved_at < b.e AND (s.reopened_at IS NULL OR s.reopened_at >= b.e)) \
         GROUP BY b.idx",
    );
    for row in db.rows(&sql.text, sql.values).await? {
        slot(slots, &row, 0)?.overdue_backlog = count(&row, 1)?;
    }
    Ok(())
}
