//! firstResponseTime, responseTime, resolutionTime and fullResolutionTime:
//! count, exact sum, and nearest-rank median and p90, per bucket and for the
//! whole range (medians do not add up over buckets).

use helpdesk_domain::kpi::DurationTally;
use helpdesk_persistence::snapshot::Snapshot;

use super::{Slots, count, int, opt_int, slot};
use crate::MetricsError;
use crate::sql::Plan;

const FIRST_RESPONSE: i64 = 0;
const RESPONSE: i64 = 1;
const RESOLUTION: i64 = 2;
const FULL_RESOLUTION: i64 = 3;

pub(crate) async fn durations(db: &Snapshot, plan: &Plan, slots: &mut Slots) -> Result<(), MetricsError> {
    let clock = plan.clock_column();
    let mut sql = plan.prelude(true);
    // Each sample tagged with its figure (m) and bucket; a sample belongs to
    // the bucket of the instant it completed.
    sql.push(&format!(
        ", samples(m, idx, v) AS (SELECT CAST({FIRST_RESPONSE} AS BIGINT), b.idx, f.first_response_{clock} FROM b \
         JOIN ticket_facts f ON f.first_response_at >= b.s AND f.first_response_at < b.e"
    ));
    plan.tickets(&mut sql, "t.id = f.ticket_id");
    sql.push(&format!(
        "UNION ALL SELECT CAST({RESPONSE} AS BIGINT), b.idx, r.{clock} FROM b \
         JOIN response_samples r ON r.answered_at >= b.s AND r.answered_at < b.e"
    ));
    plan.tickets(&mut sql, "t.id = r.ticket_id");
    sql.push(&format!(
        "UNION ALL SELECT CAST({RESOLUTION} AS BIGINT), b.idx, f.resolution_{clock} FROM b \
         JOIN ticket_facts f ON f.first_solved_at >= b.s AND f.first_solved_at < b.e"
    ));
    plan.tickets(&mut sql, "t.id = f.ticket_id");
    // The latest solve before the end, of tickets still solved then.
    sql.push(&format!(
        "UNION ALL SELECT CAST({FULL_RESOLUTION} AS BIGINT), b.idx, s.{clock} FROM b \
         JOIN ticket_solves s ON s.solved_at >= b.s AND s.solved_at < b.e AND (s.reopened_at IS NULL OR s.reopened_at >= "
    ))
    .bind(plan.range.to)
    .push(")");
    plan.tickets(&mut sql, "t.id = s.ticket_id");
    sql.push(
        "), ranked AS (SELECT m, idx, v, \
         ROW_NUMBER() OVER (PARTITION BY m, idx ORDER BY v) AS rn, \
         COUNT(*) OVER (PARTITION BY m, idx) AS n FROM samples) \
         SELECT m, idx, MAX(n), CAST(SUM(v) AS BIGINT), \
         MAX(CASE WHEN rn = (n + 1) / 2 THEN v END), \
         MAX(CASE WHEN rn = (9 * n + 9) / 10 THEN v END) \
         FROM ranked GROUP BY m, idx",
    );
    for row in db.rows(&sql.text, sql.values).await? {
        let figure = int(&row, 0)?;
        let tally = DurationTally {
            count: count(&row, 2)?,
            sum_micros: opt_int(&row, 3)?.unwrap_or(0),
            median_micros: opt_int(&row, 4)?,
            p90_micros: opt_int(&row, 5)?,
        };
        let tallies = slot(slots, &row, 1)?;
        let target = match figure {
            FIRST_RESPONSE => &mut tallies.first_response,
            RESPONSE => &mut tallies.response,
            RESOLUTION => &mut tallies.resolution,
            FULL_RESOLUTION => &mut tallies.full_resolution,
            other => return Err(MetricsError::Row(format!("unknown duration figure {other}"))),
        };
        *target = tally;
    }
    Ok(())
}
