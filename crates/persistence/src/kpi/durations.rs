//! firstResponseTime, responseTime, resolutionTime and fullResolutionTime:
//! count, exact sum, and nearest-rank median and p90, per bucket and for the
//! whole range (medians do not add up over buckets).
//!
//! A sample belongs to the bucket of the instant it completed. The
//! nearest-rank value of rank k among n samples is the k-th smallest, with
//! k = ceil(p * n): (n + 1) / 2 for the median, (9n + 9) / 10 for p90.
//!
//! PostgreSQL sorts each bucket's samples, and the whole range's, with
//! `percentile_disc` (whose definition is nearest-rank). SQLite
//! sorts slowly, so there each rank is read with `LIMIT 1 OFFSET`: either
//! walking an index kept in value order, or sorting only the bucket's
//! samples, whichever reads fewer rows.

use std::collections::HashMap;

use super::snapshot::Snapshot;
use crate::Backend;
use crate::duration_figure::{code, from_code};
use helpdesk_domain::kpi::{DurationFigure, DurationTally};
use sea_orm::QueryResult;

use super::Slots;
use super::rows::{count, int, opt_int, slot};
use super::sql::{Plan, Slot, Sql, union_all};
use crate::StoreError;

pub(crate) async fn durations(db: &Snapshot, plan: &Plan, slots: &mut Slots) -> Result<(), StoreError> {
    match plan.backend {
        Backend::Postgres => sorted_per_slot(db, plan, slots).await,
        Backend::Sqlite => ranked_reads(db, plan, slots).await,
    }
}

fn figure_of(code: i64) -> Result<DurationFigure, StoreError> {
    from_code(code).ok_or_else(|| StoreError::UnexpectedRow(format!("unknown duration figure {code}")))
}

/// ` AND ...` for the samples (aliased `d`) that count: of counted tickets,
/// and of full resolutions only the solves not reopened before `to`.
fn counted_samples(plan: &Plan, sql: &mut Sql) {
    plan.counted(sql, "d");
    sql.push(" AND (d.figure <> ")
        .bind(code(DurationFigure::FullResolution))
        .push(" OR d.superseded_at IS NULL OR d.superseded_at >= ")
        .bind(plan.range.to)
        .push(")");
}

/// Runs one branch per (figure, slot): the figure's code, the slot's idx,
/// then `aggregates` over the slot's counted samples of that figure.
async fn per_cell(
    db: &Snapshot,
    plan: &Plan,
    cells: &[(DurationFigure, Slot)],
    aggregates: &str,
) -> Result<Vec<QueryResult>, StoreError> {
    union_all(db, cells, |sql, (figure, s)| {
        sql.push("SELECT ")
            .bind(i64::from(code(figure)))
            .push(", ")
            .bind(s.idx)
            .push(&format!(", {aggregates} FROM duration_samples d WHERE d.figure = "))
            .bind(code(figure))
            .push(" AND ")
            .within("d.completed_at", s.span);
        counted_samples(plan, sql);
    })
    .await
}

/// PostgreSQL: a branch per figure and slot (every bucket, and with
/// several buckets the whole range), each sorting its own samples. Grouping
/// by figure and bucket instead sorted every sample by bucket first, which
/// at a million tickets spilled to disk; separate branches sort only what
/// each `percentile_disc` needs, and parallel workers take them side by
/// side.
async fn sorted_per_slot(db: &Snapshot, plan: &Plan, slots: &mut Slots) -> Result<(), StoreError> {
    let v = format!("d.{}", plan.clock_column());
    let cells: Vec<(DurationFigure, Slot)> = DurationFigure::ALL
        .iter()
        .flat_map(|f| plan.slots(true).into_iter().map(|s| (*f, s)))
        .collect();
    let aggregates = format!(
        "COUNT(*), CAST(SUM({v}) AS BIGINT), \
         percentile_disc(0.5) WITHIN GROUP (ORDER BY {v}), \
         percentile_disc(0.9) WITHIN GROUP (ORDER BY {v})"
    );
    let rows = per_cell(db, plan, &cells, &aggregates).await?;
    for row in rows {
        let figure = figure_of(int(&row, 0)?)?;
        *slot(slots, &row, 1)?.duration_mut(figure) = DurationTally {
            count: count(&row, 2)?,
            sum_micros: opt_int(&row, 3)?.unwrap_or(0),
            median_micros: opt_int(&row, 4)?,
            p90_micros: opt_int(&row, 5)?,
        };
    }
    Ok(())
}

/// SQLite: counts and sums per bucket (the total adds them up), then each
/// median and p90 read by its rank.
async fn ranked_reads(db: &Snapshot, plan: &Plan, slots: &mut Slots) -> Result<(), StoreError> {
    let v = format!("d.{}", plan.clock_column());
    let buckets = plan.slots(false);
    let cells: Vec<(DurationFigure, Slot)> = DurationFigure::ALL
        .iter()
        .flat_map(|f| buckets.iter().map(|s| (*f, *s)))
        .collect();
    let rows = per_cell(db, plan, &cells, &format!("COUNT(*), SUM({v})")).await?;
    for row in rows {
        let figure = figure_of(int(&row, 0)?)?;
        let t = slot(slots, &row, 1)?.duration_mut(figure);
        t.count = count(&row, 2)?;
        t.sum_micros = opt_int(&row, 3)?.unwrap_or(0);
    }
    let mut ranked = buckets.clone();
    if let Some(total) = plan.slots(true).first().filter(|s| s.idx == 0) {
        for &figure in DurationFigure::ALL {
            let (n, sum) = slots.iter().skip(1).fold((0, 0), |(n, sum), t| {
                let t = t.duration(figure);
                (n + t.count, sum + t.sum_micros)
            });
            let t = slots[0].duration_mut(figure);
            t.count = n;
            t.sum_micros = sum;
        }
        ranked.insert(0, *total);
    }

    // Every figure's samples in the store, kept or not: how far an index
    // walk may have to read.
    let mut stored: HashMap<DurationFigure, u64> = HashMap::new();
    for row in Sql::from("SELECT figure, COUNT(*) FROM duration_samples GROUP BY figure")
        .run(db)
        .await?
    {
        stored.insert(figure_of(int(&row, 0)?)?, count(&row, 1)?);
    }

    let mut reads = Vec::new();
    for &figure in DurationFigure::ALL {
        for s in &ranked {
            let n = usize::try_from(s.idx)
                .ok()
                .and_then(|i| slots.get(i))
                .map_or(0, |t| t.duration(figure).count);
            if n == 0 {
                continue;
            }
            let total = stored.get(&figure).copied().unwrap_or(n).max(n);
            for (which, rank) in [(Rank::Median, n.div_ceil(2)), (Rank::P90, (9 * n).div_ceil(10))] {
                reads.push(RankRead {
                    figure,
                    slot: *s,
                    which,
                    how: Read::cheapest(rank, n, total),
                });
            }
        }
    }
    let index = format!("ix_kpi_durations_{}", plan.clock.as_str().to_ascii_lowercase());
    let rows = union_all(db, &reads, |sql, r| {
        let (index, order, offset) = match r.how {
            Read::Walk { descending, offset } => (index.as_str(), if descending { "DESC" } else { "ASC" }, offset),
            Read::Sort { descending, offset } => (
                "ix_kpi_durations_completed",
                if descending { "DESC" } else { "ASC" },
                offset,
            ),
        };
        sql.push("SELECT ")
            .bind(i64::from(code(r.figure)))
            .push(", ")
            .bind(r.slot.idx)
            .push(", ")
            .bind(r.which as i64)
            .push(&format!(
                ", (SELECT {v} FROM duration_samples d INDEXED BY {index} WHERE d.figure = "
            ))
            .bind(code(r.figure))
            .push(" AND ")
            .within("d.completed_at", r.slot.span);
        counted_samples(plan, sql);
        sql.push(&format!(" ORDER BY {v} {order} LIMIT 1 OFFSET "))
            .bind(i64::try_from(offset).unwrap_or(i64::MAX))
            .push(")");
    })
    .await?;
    for row in rows {
        let figure = figure_of(int(&row, 0)?)?;
        let which = int(&row, 2)?;
        let value = opt_int(&row, 3)?;
        let t = slot(slots, &row, 1)?.duration_mut(figure);
        if which == Rank::Median as i64 {
            t.median_micros = value;
        } else {
            t.p90_micros = value;
        }
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Rank {
    Median = 0,
    P90 = 1,
}

#[derive(Clone, Copy)]
struct RankRead {
    figure: DurationFigure,
    slot: Slot,
    which: Rank,
    how: Read,
}

/// How to read the sample of one rank among a slot's `n`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Read {
    /// Walk the figure's samples in value order (every bucket's), skipping
    /// `offset` of the slot's.
    Walk { descending: bool, offset: u64 },
    /// Sort the slot's samples, skipping `offset`.
    Sort { descending: bool, offset: u64 },
}

/// Reading an index entry in order costs about a fifth of sorting a row
/// (measured on SQLite with the seeded benchmark store).
const SORT_COST: u64 = 5;

impl Read {
    /// The cheaper way to the `rank`-th smallest (1-based) of a slot's `n`
    /// samples, when the figure has `stored` samples in all: a walk reads
    /// about `stored / n` entries per sample of the slot it passes.
    fn cheapest(rank: u64, n: u64, stored: u64) -> Self {
        let from_top = n - rank;
        let (descending, offset) = if from_top < rank {
            (true, from_top)
        } else {
            (false, rank - 1)
        };
        let walk = (offset + 1).saturating_mul(stored) / n.max(1);
        if walk <= n.saturating_mul(SORT_COST) {
            Read::Walk { descending, offset }
        } else {
            Read::Sort { descending, offset }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Read;

    #[test]
    fn reads_from_the_nearer_end() {
        // p90 of 100 samples: the 90th smallest is the 11th largest.
        assert_eq!(
            Read::cheapest(90, 100, 100),
            Read::Walk {
                descending: true,
                offset: 10
            }
        );
        assert_eq!(
            Read::cheapest(50, 100, 100),
            Read::Walk {
                descending: false,
                offset: 49
            }
        );
    }

    #[test]
    fn sorts_a_small_slot_of_a_large_store() {
        // One day's 100 samples among a year's 36,500: a walk to the median
        // would read about half the year.
        assert_eq!(
            Read::cheapest(50, 100, 36_500),
            Read::Sort {
                descending: false,
                offset: 49
            }
        );
    }
}
