//! ticketsCreated, channels, resolutionRate's tallies, ticketsSolved, and
//! the solves per bucket that the backlog subtracts.

use super::snapshot::Snapshot;
use helpdesk_domain::ticket::Channel;

use super::Slots;
use super::rows::{count, int, slot};
use super::sql::Plan;
use crate::StoreError;

/// Returns every solve per slot (index 0 unused), which the backlog needs.
pub(crate) async fn volumes(db: &Snapshot, plan: &Plan, slots: &mut Slots) -> Result<Vec<u64>, StoreError> {
    let to = plan.range.to;
    let buckets = plan.slots(false);

    // Tickets created per bucket, and per channel.
    let rows = plan
        .per_slot(db, &buckets, |sql, s| {
            sql.push("COUNT(*)");
            for channel in Channel::ALL {
                sql.push(", SUM(CASE WHEN f.channel = ")
                    .bind(channel.as_str().to_owned())
                    .push(" THEN 1 ELSE 0 END)");
            }
            sql.push(" FROM ticket_facts f WHERE ").within("f.created_at", s.span);
            plan.counted(sql, "f");
        })
        .await?;
    for row in rows {
        let tallies = slot(slots, &row, 0)?;
        tallies.tickets_created += count(&row, 1)?;
        for (column, channel) in (2..).zip(Channel::ALL) {
            let n = count(&row, column)?;
            if n > 0 {
                *tallies.channels.entry(*channel).or_default() += n;
            }
        }
    }

    // Of those, the ones resolved at the end of the whole range: a solve
    // span covers `to` (a ticket's spans never overlap, so one at most).
    let rows = plan
        .per_slot(db, &buckets, |sql, s| {
            sql.push("COUNT(*) FROM ticket_solves s WHERE ")
                .within("s.ticket_created_at", s.span)
                .push(" AND s.solved_at < ")
                .bind(to)
                .push(" AND (s.reopened_at IS NULL OR s.reopened_at >= ")
                .bind(to)
                .push(")");
            plan.counted(sql, "s");
        })
        .await?;
    for row in rows {
        slot(slots, &row, 0)?.created_resolved_at_end += count(&row, 1)?;
    }

    // Solves per bucket, read once for three figures: all of them (the
    // backlog's), and the distinct tickets solved (each ticket's first solve
    // in the slot: the one whose previous solve, if any, came before it),
    // for the bucket and, added up over the buckets, for the whole range.
    // Distinct counts do not add up over buckets, but a ticket's first solve
    // in the range lies in exactly one bucket.
    let from = plan.range.from;
    let mut solved = vec![0_u64; slots.len()];
    let rows = plan
        .per_slot(db, &buckets, |sql, s| {
            sql.push("COUNT(*), SUM(CASE WHEN s.previous_solved_at IS NULL OR s.previous_solved_at < ")
                .bind(s.span.start)
                .push(" THEN 1 ELSE 0 END), SUM(CASE WHEN s.previous_solved_at IS NULL OR s.previous_solved_at < ")
                .bind(from)
                .push(" THEN 1 ELSE 0 END) FROM ticket_solves s WHERE ")
                .within("s.solved_at", s.span);
            plan.counted(sql, "s");
        })
        .await?;
    let mut solved_in_range = 0;
    for row in rows {
        slot(slots, &row, 0)?.tickets_solved = count(&row, 2)?;
        // `slot` checked the index; `solved` is as long as `slots`.
        if let Some(n) = usize::try_from(int(&row, 0)?).ok().and_then(|i| solved.get_mut(i)) {
            *n = count(&row, 1)?;
        }
        solved_in_range += count(&row, 3)?;
    }
    if let Some(total) = slots.first_mut() {
        total.tickets_solved = solved_in_range;
    }
    Ok(solved)
}
