use crate::ticket::TicketStatus;

/// Every rule the domain can refuse. Each variant says what was wrong in words an
/// API client can show to a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("a ticket cannot move from {from} to {to}")]
    InvalidTransition { from: TicketStatus, to: TicketStatus },
    #[error("ticket is CLOSED; a follow-up must be a new ticket")]
    TicketClosed,
    #[error("ticket was merged into another ticket")]
    TicketMerged,
    #[error("a ticket cannot be merged into itself")]
    MergeIntoSelf,
    #[error("invalid email address: {0:?}")]
    InvalidEmail(String),
    #[error("invalid tag {0:?}: use 1-64 letters, digits, '-', '_', '.' or ':'")]
    InvalidTag(String),
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("unknown {kind} {value:?}")]
    UnknownValue { kind: &'static str, value: String },
}
