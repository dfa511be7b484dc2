//! backlog and overdueBacklog at each bucket's end (the total's: at `to`).
//!
//! A ticket is unresolved at T when it was created before T and no solve
//! span covers T (`solved_at < T <= reopened_at`). Spans of one ticket never
//! overlap, so the backlog at T is: tickets created before T, minus solves
//! before T, plus reopens before T. Those three counts are grouped by bucket
//! in the database (plus one count of what happened before the range) and
//! accumulated bucket by bucket here.

use helpdesk_persistence::snapshot::Snapshot;

use super::{Slots, count, int, slot, text};
use crate::MetricsError;
use crate::sql::{Plan, TOTAL};

pub(crate) async fn backlog(db: &Snapshot, plan: &Plan, slots: &mut Slots) -> Result<(), MetricsError> {
    let from = plan.range.from;
    let mut sql = plan.prelude();
    sql.push(
        "SELECT 'c', b.idx, COUNT(*) FROM b JOIN ft ON ft.created_at >= b.s AND ft.created_at < b.e \
         WHERE b.idx > 0 GROUP BY b.idx \
         UNION ALL SELECT 'c', -1, COUNT(*) FROM ft WHERE ft.created_at < ",
    )
    .bind(from)
    .push(
        " UNION ALL SELECT 's', b.idx, COUNT(*) FROM b JOIN ticket_solves s ON s.solved_at >= b.s AND s.solved_at < b.e \
         JOIN ft ON ft.id = s.ticket_id WHERE b.idx > 0 GROUP BY b.idx \
         UNION ALL SELECT 's', -1, COUNT(*) FROM ticket_solves s JOIN ft ON ft.id = s.ticket_id WHERE s.solved_at < ",
    )
    .bind(from)
    .push(
        " UNION ALL SELECT 'r', b.idx, COUNT(*) FROM b JOIN ticket_solves s ON s.reopened_at >= b.s AND s.reopened_at < b.e \
         JOIN ft ON ft.id = s.ticket_id WHERE b.idx > 0 GROUP BY b.idx \
         UNION ALL SELECT 'r', -1, COUNT(*) FROM ticket_solves s JOIN ft ON ft.id = s.ticket_id WHERE s.reopened_at < ",
    )
    .bind(from);
    // Net change of the backlog per bucket index; index -1 is "before the range".
    let mut base: i64 = 0;
    let mut delta = vec![0_i64; slots.len()];
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
    if let Some(total) = slots.get_mut(usize::try_from(TOTAL).unwrap_or(0)) {
        total.backlog = u64::try_from(running).unwrap_or(0);
    }

    // Breached targets still open at a bucket's end, of tickets unresolved then.
    let mut sql = plan.prelude();
    sql.push(
        "SELECT b.idx, COUNT(DISTINCT g.ticket_id) FROM b \
         JOIN sla_targets g ON g.state = 'BREACHED' AND g.decided_at < b.e \
         AND (g.met_at IS NULL OR g.met_at >= b.e) \
         JOIN ft ON ft.id = g.ticket_id AND ft.created_at < b.e \
         WHERE NOT EXISTS (SELECT 1 FROM ticket_solves s WHERE s.ticket_id = g.ticket_id \
         AND s.solved_at < b.e AND (s.reopened_at IS NULL OR s.reopened_at >= b.e)) \
         GROUP BY b.idx",
    );
    for row in db.rows(&sql.text, sql.values).await? {
        slot(slots, &row, 0)?.overdue_backlog = count(&row, 1)?;
    }
    Ok(())
}
