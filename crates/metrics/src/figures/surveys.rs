//! CSAT and NPS answers given in each bucket.

use helpdesk_domain::ticket::Survey;
use helpdesk_persistence::snapshot::Snapshot;

use super::{Slots, count, int, parse, slot};
use crate::MetricsError;
use crate::sql::Plan;

pub(crate) async fn surveys(db: &Snapshot, plan: &Plan, slots: &mut Slots) -> Result<(), MetricsError> {
    let mut sql = plan.prelude(false);
    sql.push(
        "SELECT b.idx, v.survey, CAST(v.score AS BIGINT), COUNT(*) FROM b \
         JOIN survey_responses v ON v.answered_at >= b.s AND v.answered_at < b.e",
    );
    plan.tickets(&mut sql, "t.id = v.ticket_id");
    sql.push("GROUP BY b.idx, v.survey, v.score");
    for row in db.rows(&sql.text, sql.values).await? {
        let survey: Survey = parse(&row, 1)?;
        let score = int(&row, 2)?;
        let n = count(&row, 3)?;
        let t = slot(slots, &row, 0)?;
        match survey {
            Survey::Csat => {
                t.csat_responses += n;
                t.csat_rating_sum += n * u64::try_from(score).unwrap_or(0);
                if score >= 4 {
                    t.csat_satisfied += n;
                }
            }
            Survey::Nps => match score {
                9..=10 => t.nps_promoters += n,
                7..=8 => t.nps_passives += n,
                _ => t.nps_detractors += n,
            },
        }
    }
    Ok(())
}
