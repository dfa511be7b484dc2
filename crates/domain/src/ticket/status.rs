//! Ticket statuses and which moves between them the workflow allows.

use crate::DomainError;
use crate::macros::named_enum;

named_enum! {
    /// Where a ticket stands.
    TicketStatus as "status" {
        /// Nobody has worked on it yet.
        New => "NEW",
        /// Waiting for the desk.
        Open => "OPEN",
        /// Waiting for the customer.
        Pending => "PENDING",
        /// Waiting for a third party.
        OnHold => "ON_HOLD",
        /// Answered; the customer may still reopen it by replying.
        Solved => "SOLVED",
        /// Final. A follow-up becomes a new ticket.
        Closed => "CLOSED",
    }
}

impl TicketStatus {
    /// Solved or closed: the desk's work on it is done.
    pub fn is_resolved(self) -> bool {
        matches!(self, TicketStatus::Solved | TicketStatus::Closed)
    }

    /// Checks a change an agent asks for.
    ///
    /// CLOSED is final, and nothing goes back to NEW: NEW means "never worked
    /// on", which stops being true the moment anyone touches the ticket.
    /// Asking for the status a ticket already has is not a change; the
    /// caller decides to record nothing.
    pub fn check_transition(self, to: TicketStatus) -> Result<(), DomainError> {
        let allowed = match (self, to) {
            (TicketStatus::Closed, _) => false,
            (from, to) if from == to => true,
            (_, TicketStatus::New) => false,
            _ => true,
        };
        if allowed {
            Ok(())
        } else {
            Err(DomainError::InvalidTransition { from: self, to })
        }
    }
}

/// A status change as the metrics see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusChange {
    pub from: TicketStatus,
    pub to: TicketStatus,
}

impl StatusChange {
    /// A solve is a change into SOLVED, or into CLOSED from anything but
    /// SOLVED (closing a solved ticket solves nothing new).
    pub fn is_solve(self) -> bool {
        self.from != self.to
            && match self.to {
                TicketStatus::Solved => true,
                TicketStatus::Closed => self.from != TicketStatus::Solved,
                _ => false,
            }
    }

    /// A reopen is a change out of SOLVED into any working status.
    pub fn is_reopen(self) -> bool {
        self.from == TicketStatus::Solved
            && matches!(
                self.to,
                TicketStatus::New | TicketStatus::Open | TicketStatus::Pending | TicketStatus::OnHold
            )
    }
}

#[cfg(test)]
mod tests {
    use super::TicketStatus::*;
    use super::*;

    #[test]
    fn closed_is_final() {
        for &to in TicketStatus::ALL {
            let err = Closed.check_transition(to).unwrap_err();
            assert_eq!(err, DomainError::InvalidTransition { from: Closed, to });
        }
    }

    #[test]
    fn nothing_returns_to_new() {
        for &from in &[Open, Pending, OnHold, Solved] {
            assert!(from.check_transition(New).is_err(), "{from} -> NEW");
        }
        assert!(New.check_transition(New).is_ok());
    }

    #[test]
    fn working_statuses_move_freely() {
        for &from in &[New, Open, Pending, OnHold, Solved] {
            for &to in &[Open, Pending, OnHold, Solved, Closed] {
                assert!(from.check_transition(to).is_ok(), "{from} -> {to}");
            }
        }
    }

    #[test]
    fn error_names_both_states() {
        let msg = Closed.check_transition(Open).unwrap_err().to_string();
        assert!(msg.contains("CLOSED") && msg.contains("OPEN"), "{msg}");
    }

    #[test]
    fn solves_and_reopens_follow_the_metric_definitions() {
        let change = |from, to| StatusChange { from, to };
        assert!(change(Open, Solved).is_solve());
        assert!(change(Pending, Closed).is_solve());
        assert!(!change(Solved, Closed).is_solve());
        assert!(!change(Solved, Solved).is_solve());
        assert!(change(Solved, Open).is_reopen());
        assert!(change(Solved, New).is_reopen());
        assert!(!change(Pending, Open).is_reopen());
        assert!(!change(Solved, Closed).is_reopen());
    }
}
