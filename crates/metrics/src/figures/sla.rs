//! SLA targets decided in each bucket, per target: achieved (decided when
//! met) and breached (decided at the deadline).

use helpdesk_domain::sla::{SlaTarget, TargetState};
use helpdesk_persistence::snapshot::Snapshot;

use super::{Slots, count, parse, slot};
use crate::MetricsError;
use crate::sql::Plan;

pub(crate) async fn sla(db: &Snapshot, plan: &Plan, slots: &mut Slots) -> Result<(), MetricsError> {
    let mut sql = plan.prelude(false);
    sql.push("SELECT b.idx, g.target, g.state, COUNT(*) FROM b JOIN sla_targets g ON g.state IN (")
        .bind(TargetState::Achieved.as_str().to_owned())
        .push(", ")
        .bind(TargetState::Breached.as_str().to_owned())
        .push(") AND g.decided_at >= b.s AND g.decided_at < b.e");
    plan.tickets(&mut sql, "t.id = g.ticket_id");
    sql.push("GROUP BY b.idx, g.target, g.state");
    for row in db.rows(&sql.text, sql.values).await? {
        let target: SlaTarget = parse(&row, 1)?;
        let state: TargetState = parse(&row, 2)?;
        let n = count(&row, 3)?;
        let tally = slot(slots, &row, 0)?.sla.entry(target).or_default();
        match state {
            TargetState::Achieved => tally.achieved += n,
            _ => tally.breached += n,
        }
    }
    Ok(())
}
