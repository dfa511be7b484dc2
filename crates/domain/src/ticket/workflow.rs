//! What messages do to a ticket's status.

use super::TicketStatus;
use crate::DomainError;

/// Messages can be added to any ticket that is not CLOSED.
pub fn check_open_for_messages(status: TicketStatus) -> Result<(), DomainError> {
    if status == TicketStatus::Closed {
        Err(DomainError::TicketClosed)
    } else {
        Ok(())
    }
}

/// An internal note may not carry a status change: it is for the desk only
/// and changes nothing on the ticket, so a status set "with" a note would be a
/// change nobody asked for by name. A status is set with a public reply or on
/// its own.
pub fn check_note_status(requested: Option<TicketStatus>) -> Result<(), DomainError> {
    match requested {
        Some(_) => Err(DomainError::NoteWithStatus),
        None => Ok(()),
    }
}

/// Whether an agent's internal note may be added: it never changes the
/// status, and like any message needs a ticket that is not CLOSED.
pub fn check_internal_note(current: TicketStatus, requested: Option<TicketStatus>) -> Result<(), DomainError> {
    check_note_status(requested)?;
    check_open_for_messages(current)
}

/// The status a ticket has after an agent's public reply.
///
/// The agent may set a status with the reply (e.g. reply and mark PENDING);
/// otherwise the first reply takes a NEW ticket to OPEN, and any other status
/// stays as it is. Returns `None` when the status does not change.
pub fn after_agent_reply(
    current: TicketStatus,
    requested: Option<TicketStatus>,
) -> Result<Option<TicketStatus>, DomainError> {
    check_open_for_messages(current)?;
    let next = match requested {
        Some(to) => {
            current.check_transition(to)?;
            to
        }
        None if current == TicketStatus::New => TicketStatus::Open,
        None => current,
    };
    Ok((next != current).then_some(next))
}

/// The status a ticket has after a customer writes to it: a ticket waiting
/// for the customer (PENDING) or considered done (SOLVED) needs the desk
/// again. Returns `None` when the status does not change.
pub fn after_customer_message(current: TicketStatus) -> Result<Option<TicketStatus>, DomainError> {
    check_open_for_messages(current)?;
    Ok(match current {
        TicketStatus::Pending | TicketStatus::Solved => Some(TicketStatus::Open),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::TicketStatus::*;
    use super::*;

    #[test]
    fn first_agent_reply_opens_a_new_ticket() {
        assert_eq!(after_agent_reply(New, None).unwrap(), Some(Open));
    }

    #[test]
    fn agent_reply_with_a_status_sets_that_status() {
        assert_eq!(after_agent_reply(New, Some(Pending)).unwrap(), Some(Pending));
        assert_eq!(after_agent_reply(Open, Some(Solved)).unwrap(), Some(Solved));
    }

    #[test]
    fn agent_reply_keeps_other_statuses() {
        for s in [Open, Pending, OnHold, Solved] {
            assert_eq!(after_agent_reply(s, None).unwrap(), None, "{s}");
        }
    }

    #[test]
    fn agent_reply_with_an_invalid_status_is_refused() {
        assert!(matches!(
            after_agent_reply(Open, Some(New)),
            Err(DomainError::InvalidTransition { from: Open, to: New })
        ));
    }

    #[test]
    fn nobody_writes_to_a_closed_ticket() {
        assert_eq!(after_agent_reply(Closed, None), Err(DomainError::TicketClosed));
        assert_eq!(after_customer_message(Closed), Err(DomainError::TicketClosed));
    }

    #[test]
    fn a_note_never_sets_a_status() {
        assert_eq!(check_internal_note(Open, None), Ok(()));
        for to in [Open, Pending, OnHold, Solved, Closed] {
            assert_eq!(
                check_internal_note(New, Some(to)),
                Err(DomainError::NoteWithStatus),
                "{to}"
            );
        }
        assert_eq!(check_internal_note(Closed, None), Err(DomainError::TicketClosed));
        assert_eq!(
            DomainError::NoteWithStatus.to_string(),
            "an internal note cannot change the status"
        );
    }

    #[test]
    fn customer_message_brings_pending_and_solved_back() {
        assert_eq!(after_customer_message(Pending).unwrap(), Some(Open));
        assert_eq!(after_customer_message(Solved).unwrap(), Some(Open));
        for s in [New, Open, OnHold] {
            assert_eq!(after_customer_message(s).unwrap(), None, "{s}");
        }
    }
}
