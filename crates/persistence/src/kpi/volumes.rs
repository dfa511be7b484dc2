//! ticketsCreated, channels, resolutionRate's tallies, and ticketsSolved.

use super::snapshot::Snapshot;
use helpdesk_domain::ticket::Channel;

use super::Slots;
use super::rows::{count, slot};
use super::sql::Plan;
use crate::StoreError;

pub(crate) async fn volumes(db: &Snapshot, plan: &Plan, slots: &mut Slots) -> Result<(), StoreError> {
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

    // Distinct tickets with a solve in the slot: each ticket's first solve
    // there, the one whose previous solve (if any) came before the slot.
    // Distinct counts do not add up over buckets: the total has its own.
    let rows = plan
        .per_slot(db, &plan.slots(true), |sql, s| {
            sql.push("COUNT(*) FROM ticket_solves s WHERE ")
                .within("s.solved_at", s.span)
                .push(" AND (s.previous_solved_at IS NULL OR s.previous_solved_at < ")
                .bind(s.span.start)
                .push(")");
            plan.counted(sql, "s");
        })
        .await?;
    for row in rows {
        slot(slots, &row, 0)?.tickets_solved = count(&row, 1)?;
    }
    Ok(())
}
