//! ticketsCreated, channels, resolutionRate's tallies, and ticketsSolved.

use helpdesk_persistence::snapshot::Snapshot;

use super::{Slots, count, parse, slot};
use crate::MetricsError;
use crate::sql::Plan;

pub(crate) async fn volumes(db: &Snapshot, plan: &Plan, slots: &mut Slots) -> Result<(), MetricsError> {
    // Per bucket and channel: tickets created, and of those how many are
    // resolved at the end of the whole range (a solve span covers `to`).
    let mut sql = plan.prelude(false);
    sql.push(
        "SELECT b.idx, t.channel, COUNT(*), SUM(CASE WHEN EXISTS (SELECT 1 FROM ticket_solves s \
         WHERE s.ticket_id = t.id AND s.solved_at < ",
    )
    .bind(plan.range.to)
    .push(" AND (s.reopened_at IS NULL OR s.reopened_at >= ")
    .bind(plan.range.to)
    .push(")) THEN 1 ELSE 0 END) FROM b");
    plan.tickets(&mut sql, "t.created_at >= b.s AND t.created_at < b.e");
    sql.push("GROUP BY b.idx, t.channel");
    for row in db.rows(&sql.text, sql.values).await? {
        let channel = parse(&row, 1)?;
        let tallies = slot(slots, &row, 0)?;
        let created = count(&row, 2)?;
        tallies.tickets_created += created;
        tallies.created_resolved_at_end += count(&row, 3)?;
        *tallies.channels.entry(channel).or_default() += created;
    }

    // Distinct tickets do not add up over buckets: the total has its own row.
    let mut sql = plan.prelude(true);
    sql.push("SELECT b.idx, COUNT(DISTINCT s.ticket_id) FROM b JOIN ticket_solves s ON s.solved_at >= b.s AND s.solved_at < b.e");
    plan.tickets(&mut sql, "t.id = s.ticket_id");
    sql.push("GROUP BY b.idx");
    for row in db.rows(&sql.text, sql.values).await? {
        slot(slots, &row, 0)?.tickets_solved = count(&row, 1)?;
    }
    Ok(())
}
