//! CSAT and NPS answers given in each bucket.

use super::snapshot::Snapshot;
use helpdesk_domain::ticket::Survey;

use super::Slots;
use super::rows::{count, slot};
use super::sql::Plan;
use crate::StoreError;

pub(crate) async fn surveys(db: &Snapshot, plan: &Plan, slots: &mut Slots) -> Result<(), StoreError> {
    let csat = Survey::Csat.as_str();
    let nps = Survey::Nps.as_str();
    // (survey, what to add up): one column each, in the order read below.
    let columns = [
        (csat, "1"),
        (csat, "v.score"),
        (csat, "CASE WHEN v.score >= 4 THEN 1 ELSE 0 END"),
        (nps, "CASE WHEN v.score >= 9 THEN 1 ELSE 0 END"),
        (nps, "CASE WHEN v.score BETWEEN 7 AND 8 THEN 1 ELSE 0 END"),
        (nps, "CASE WHEN v.score <= 6 THEN 1 ELSE 0 END"),
    ];
    let rows = plan
        .per_slot(db, &plan.slots(false), |sql, s| {
            for (n, (survey, value)) in columns.iter().enumerate() {
                if n > 0 {
                    sql.push(", ");
                }
                sql.push("SUM(CASE WHEN v.survey = ")
                    .bind((*survey).to_owned())
                    .push(&format!(" THEN {value} ELSE 0 END)"));
            }
            sql.push(" FROM survey_responses v WHERE ")
                .within("v.answered_at", s.span);
            plan.counted(sql, "v");
        })
        .await?;
    for row in rows {
        let t = slot(slots, &row, 0)?;
        t.csat_responses += count(&row, 1)?;
        t.csat_rating_sum += count(&row, 2)?;
        t.csat_satisfied += count(&row, 3)?;
        t.nps_promoters += count(&row, 4)?;
        t.nps_passives += count(&row, 5)?;
        t.nps_detractors += count(&row, 6)?;
    }
    Ok(())
}
