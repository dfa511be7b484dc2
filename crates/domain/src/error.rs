use crate::sla::SlaTarget;
use crate::ticket::TicketStatus;

/// Every rule the domain can refuse. Each variant says what was wrong in words an
/// API client can show to a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("a ticket cannot move from {from} to {to}")]
    InvalidTransition { from: TicketStatus, to: TicketStatus },
    #[error("an internal note cannot change the status")]
    NoteWithStatus,
    #[error("ticket is CLOSED; a follow-up must be a new ticket")]
    TicketClosed,
    #[error("ticket was merged into another ticket")]
    TicketMerged,
    #[error("a ticket cannot be merged into itself")]
    MergeIntoSelf,
    #[error(
        "the tickets belong to different customers: confirm with allowDifferentCustomers: true to merge them anyway"
    )]
    MergeAcrossCustomers,
    #[error("teamId: a ticket you open must belong to one of your teams")]
    TeamOutsideScope,
    #[error("invalid email address: {0:?}")]
    InvalidEmail(String),
    #[error("invalid tag {0:?}: use 1-64 letters, digits, '-', '_', '.' or ':'")]
    InvalidTag(String),
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("minutes must be between 1 and {max}")]
    TargetMinutes { max: u32 },
    #[error("target {0} is given twice")]
    TargetTwice(SlaTarget),
    #[error("warningPercent must be between 1 and 99")]
    WarningPercent,
    #[error("{field} of at least {min} characters is required")]
    WebhookSecret { field: &'static str, min: usize },
    #[error("this chat's address is verified already")]
    ContactVerified,
    #[error("no live verification code: request a new one")]
    NoVerificationCode,
    #[error("wrong verification code; {attempts_left} attempts left")]
    WrongVerificationCode { attempts_left: u32 },
    #[error("no more verification codes for this chat (at most {max} are sent)")]
    TooManyVerificationCodes { max: u32 },
    #[error("{survey} answers are {scale}; {score} is outside the scale")]
    ScoreOutOfScale {
        survey: crate::ticket::Survey,
        score: i64,
        scale: &'static str,
    },
    #[error("{field}: unknown placeholder {{{name}}}; use {known}")]
    UnknownPlaceholder {
        field: &'static str,
        name: String,
        known: &'static str,
    },
    #[error("{field}: no change can set a ticket to {status}")]
    StatusNeverSet { field: &'static str, status: TicketStatus },
    #[error("actions: tag {0} is both added and removed")]
    TagAddedAndRemoved(crate::tag::Tag),
    #[error("only admins change shared macros, and only its owner a personal one")]
    MacroNotEditable,
    #[error("conditions.domain: {0:?} is not a domain name (lower case, like example.com)")]
    InvalidDomain(String),
    #[error("{field}: no such {what}")]
    UnknownReference { field: &'static str, what: &'static str },
    #[error("{field}: {reason}")]
    TemplateSyntax { field: &'static str, reason: &'static str },
    #[error("{field} must be between {min} and {max}")]
    OutOfRange { field: &'static str, min: u32, max: u32 },
    #[error("this survey link has expired")]
    SurveyExpired,
    #[error("unknown {kind} {value:?}")]
    UnknownValue { kind: &'static str, value: String },
    #[error("a customer cannot be merged into themselves")]
    MergeCustomerIntoSelf,
    #[error("customer was merged into another customer")]
    CustomerMerged,
    #[error("attachments: at most {max} files on one message")]
    TooManyFiles { max: usize },
    #[error("attachments: {name} is {size} bytes; one file may have at most {max}")]
    FileTooLarge { name: String, size: u64, max: u64 },
    #[error("attachments: the files together may have at most {max} bytes")]
    FilesTooLarge { max: u64 },
    #[error("query: nothing to look for (a word or \"a phrase\" that is not excluded with -)")]
    NothingToSearch,
}
