//! Figures over the tickets first-solved in a bucket: interactions and
//! assignee stations per ticket, reopen rate and FCR rate.

use super::snapshot::Snapshot;

use super::Slots;
use super::rows::{count, slot};
use super::sql::Plan;
use crate::StoreError;

pub(crate) async fn first_solves(db: &Snapshot, plan: &Plan, slots: &mut Slots) -> Result<(), StoreError> {
    let to = plan.range.to;
    let rows = plan
        .per_slot(db, &plan.slots(false), |sql, s| {
            sql.push(
                "COUNT(*), SUM(f.replies_before_first_solve), SUM(f.assignee_stations_before_first_solve), \
                 SUM(CASE WHEN f.first_reopened_at < ",
            )
            .bind(to)
            .push(
                " THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN f.customer_created AND f.fcr_eligible THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN f.customer_created AND f.fcr_eligible AND f.replies_before_first_solve = 1 \
                 AND (f.first_reopened_at IS NULL OR f.first_reopened_at >= ",
            )
            .bind(to)
            .push(") THEN 1 ELSE 0 END) FROM ticket_facts f WHERE ")
            .within("f.first_solved_at", s.span);
            plan.counted(sql, "f");
        })
        .await?;
    for row in rows {
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
