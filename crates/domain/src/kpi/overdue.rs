//! overdueBacklog as stretches of time: when a ticket counts in it.
//!
//! A ticket counts at T when it is unresolved at T (no solve span has
//! `solved_at < T <= reopened_at`) and one of its breached targets is still
//! open at T (`decided_at < T <= met_at`). Stored as spans, the overdue
//! backlog at T is a difference of two counts: spans begun before T minus
//! spans ended before T, which add up bucket by bucket like the backlog.

use chrono::{DateTime, Utc};

use crate::sla::{TargetOutcome, TargetState};
use crate::ticket::SolveSpan;

/// The ticket counts at every T with `after < T`, and `T <= until` (if
/// it ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverdueSpan {
    pub after: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
}

/// The ticket's overdue spans, in order, none touching another.
pub fn overdue_spans(targets: &[TargetOutcome], solves: &[SolveSpan]) -> Vec<OverdueSpan> {
    let breaches: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> = targets
        .iter()
        .filter(|t| t.state == TargetState::Breached)
        .filter_map(|t| t.decided_at.map(|decided| (decided, t.met_at)))
        .collect();
    if breaches.is_empty() {
        return Vec::new();
    }
    // Every interval is open on the left and closed on the right, so whether
    // the ticket counts is the same all through (p[i], p[i + 1]] for
    // consecutive boundaries p, and through (p[last], forever).
    let mut points: Vec<DateTime<Utc>> = breaches
        .iter()
        .flat_map(|(decided, met)| [Some(*decided), *met])
        .chain(solves.iter().flat_map(|s| [Some(s.solved_at), s.reopened_at]))
        .flatten()
        .collect();
    points.sort_unstable();
    points.dedup();

    let inside = |from: DateTime<Utc>, to: Option<DateTime<Utc>>, t: Option<DateTime<Utc>>| match t {
        Some(t) => from < t && to.is_none_or(|to| t <= to),
        None => to.is_none(),
    };
    // `t` is a piece's last instant; `None` stands for "forever".
    let counts_at = |t: Option<DateTime<Utc>>| {
        breaches.iter().any(|(decided, met)| inside(*decided, *met, t))
            && !solves.iter().any(|s| inside(s.solved_at, s.reopened_at, t))
    };

    let mut spans: Vec<OverdueSpan> = Vec::new();
    let ends = points.iter().skip(1).map(|p| Some(*p)).chain([None]);
    for (start, end) in points.iter().zip(ends) {
        if !counts_at(end) {
            continue;
        }
        match spans.last_mut() {
            Some(last) if last.until == Some(*start) => last.until = end,
            _ => spans.push(OverdueSpan {
                after: *start,
                until: end,
            }),
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::TimeZone;

    use super::*;
    use crate::ids::SlaPolicyId;
    use crate::sla::SlaTarget;

    fn h(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, hour, 0, 0).unwrap()
    }

    fn breach(decided: u32, met: Option<u32>) -> TargetOutcome {
        TargetOutcome {
            target: SlaTarget::FirstResponse,
            policy_id: SlaPolicyId::new(),
            started_at: h(0),
            due_at: Some(h(decided)),
            warn_at: None,
            state: TargetState::Breached,
            decided_at: Some(h(decided)),
            met_at: met.map(h),
        }
    }

    fn solve(solved: u32, reopened: Option<u32>) -> SolveSpan {
        SolveSpan {
            solved_at: h(solved),
            reopened_at: reopened.map(h),
        }
    }

    fn span(after: u32, until: Option<u32>) -> OverdueSpan {
        OverdueSpan {
            after: h(after),
            until: until.map(h),
        }
    }

    #[test]
    fn a_breach_counts_until_met() {
        assert_eq!(overdue_spans(&[breach(2, Some(5))], &[]), [span(2, Some(5))]);
        assert_eq!(overdue_spans(&[breach(2, None)], &[]), [span(2, None)]);
    }

    #[test]
    fn overlapping_breaches_make_one_span() {
        let targets = [breach(2, Some(5)), breach(4, Some(8)), breach(9, Some(10))];
        assert_eq!(overdue_spans(&targets, &[]), [span(2, Some(8)), span(9, Some(10))]);
    }

    #[test]
    fn a_solved_ticket_does_not_count_until_reopened() {
        // Breached at 2, never met; solved at 4, reopened at 6, solved at 9.
        let solves = [solve(4, Some(6)), solve(9, None)];
        assert_eq!(
            overdue_spans(&[breach(2, None)], &solves),
            [span(2, Some(4)), span(6, Some(9))]
        );
    }

    #[test]
    fn achieved_targets_never_count() {
        let mut achieved = breach(2, Some(3));
        achieved.state = TargetState::Achieved;
        assert_eq!(overdue_spans(&[achieved], &[]), []);
    }
}
