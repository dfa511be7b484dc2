//! SLA targets decided in each bucket, per target: achieved (decided when
//! met) and breached (decided at the deadline).

use super::snapshot::Snapshot;
use helpdesk_domain::sla::{SlaTarget, TargetState};

use super::Slots;
use super::rows::{count, slot};
use super::sql::Plan;
use crate::StoreError;

pub(crate) async fn sla(db: &Snapshot, plan: &Plan, slots: &mut Slots) -> Result<(), StoreError> {
    let states = [TargetState::Achieved, TargetState::Breached];
    let pairs: Vec<(SlaTarget, TargetState)> = SlaTarget::ALL.iter().flat_map(|t| states.map(|s| (*t, s))).collect();
    let rows = plan
        .per_slot(db, &plan.slots(false), |sql, s| {
            for (n, (target, state)) in pairs.iter().enumerate() {
                if n > 0 {
                    sql.push(", ");
                }
                sql.push("SUM(CASE WHEN g.target = ")
                    .bind(target.as_str().to_owned())
                    .push(" AND g.state = ")
                    .bind(state.as_str().to_owned())
                    .push(" THEN 1 ELSE 0 END)");
            }
            sql.push(" FROM sla_targets g WHERE g.state IN (")
                .bind(TargetState::Achieved.as_str().to_owned())
                .push(", ")
                .bind(TargetState::Breached.as_str().to_owned())
                .push(") AND ")
                .within("g.decided_at", s.span);
            plan.counted(sql, "g");
        })
        .await?;
    for row in rows {
        let tallies = slot(slots, &row, 0)?;
        for (column, (target, state)) in (1..).zip(&pairs) {
            let n = count(&row, column)?;
            if n == 0 {
                continue;
            }
            let tally = tallies.sla.entry(*target).or_default();
            match state {
                TargetState::Achieved => tally.achieved += n,
                _ => tally.breached += n,
            }
        }
    }
    Ok(())
}
