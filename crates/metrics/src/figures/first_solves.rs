//! Figures over the tickets first-solved in a bucket: interactions and
//! assignee stations per ticket, reopen rate and FCR rate.

use helpdesk_persistence::snapshot::Snapshot;

use super::{Slots, count, slot};
use crate::MetricsError;
use crate::sql::Plan;

pub(crate) async fn first_solves(db: &Snapshot, plan: &Plan, slots: &mut Slots) -> Result<(), MetricsError> {
    let to = plan.range.to;
    let mut sql = plan.prelude(false);
    sql.push(
        "SELECT b.idx, COUNT(*), SUM(f.replies_before_first_solve), SUM(f.assignee_stations_before_first_solve), \
         SUM(CASE WHEN f.first_reopened_at < ",
    )
    .bind(to)
    .push(
        " THEN 1 ELSE 0 END), \
         SUM(CASE WHEN f.customer_created AND t.fcr_eligible THEN 1 ELSE 0 END), \
         SUM(CASE WHEN f.customer_created AND t.fcr_eligible AND f.replies_before_first_solve = 1 \
         AND (f.first_reopened_at IS NULL OR f.first_reopened_at >= ",
    )
    .bind(to)
    .push(
        ") THEN 1 ELSE 0 END) \
         FROM b JOIN ticket_facts f ON f.first_solved_at >= b.s AND f.first_solved_at < b.e",
    );
    plan.tickets(&mut sql, "t.id = f.ticket_id");
    sql.push("GROUP BY b.idx");
    for row in db.rows(&sql.text, sql.values).await? {
        let t = slot(slots, &row, 0)?;
        t.first_solved = count(&row, 1)?;
        t.interactions = count(&row, 2)?;
        t.assignee_stations = count(&row, 3)?;
        t.reopened = count(&row, 4)?;
        t.fcr_candidates = count(&row, 5)?;
        t.fcr_resolved = count(&row, 6)?;
    }
    Ok(())
}
