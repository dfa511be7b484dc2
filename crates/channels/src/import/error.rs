//! Why an import line was rejected, in words an operator can act on.

use helpdesk_domain::import::ImportError;
use helpdesk_domain::ticket::Survey;

/// Why one line of an import file is not imported. The line is skipped;
/// the rest of the file goes on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("not UTF-8")]
    NotUtf8,
    #[error("longer than {max} bytes")]
    TooLong { max: usize },
    /// The line does not parse as JSON at all.
    #[error("invalid JSON at column {column}: {reason}")]
    InvalidJson { column: usize, reason: String },
    /// Valid JSON, but a value has the wrong type (a number for a string...).
    #[error("unexpected JSON at column {column}: {reason}")]
    WrongType { column: usize, reason: String },
    #[error("missing field `{0}`")]
    MissingField(&'static str),
    #[error("unknown {field} {value:?}")]
    Unknown { field: &'static str, value: String },
    #[error("{field}: invalid email address {value:?}")]
    BadEmail { field: &'static str, value: String },
    #[error("invalid tag {0:?}: use 1-64 letters, digits, '-', '_', '.' or ':'")]
    BadTag(String),
    #[error("{field}: {value:?} is not an RFC 3339 instant")]
    BadInstant { field: &'static str, value: String },
    /// A text field is empty or too long.
    #[error("{0}")]
    BadText(String),
    /// PostgreSQL cannot store U+0000 in text; left in, the line would fail
    /// its whole batch instead of just itself.
    #[error("{field} contains a NUL character (\\u0000)")]
    Nul { field: &'static str },
    /// `index` counts from 0, as the domain's own reasons do.
    #[error("event {index} ({kind}): {error}")]
    Event {
        index: usize,
        kind: String,
        error: EventError,
    },
    /// The history breaks a ticket rule (order, leaving CLOSED, ...).
    #[error(transparent)]
    Rule(#[from] ImportError),
}

/// Why one event of a line is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("missing field `{0}`")]
    MissingField(&'static str),
    #[error("unknown event type; expected message, note, status, priority, assign, csat or nps")]
    UnknownType,
    #[error("unknown {field} {value:?}")]
    Unknown { field: &'static str, value: String },
    #[error("{value:?} is not an RFC 3339 instant")]
    BadInstant { value: String },
    #[error("{field}: invalid email address {value:?}")]
    BadEmail { field: &'static str, value: String },
    #[error("an agent message needs `agent`")]
    AgentMessageWithoutAgent,
    #[error("{survey} {field} {score} is out of range ({range})")]
    ScoreOutOfRange {
        survey: Survey,
        field: &'static str,
        score: i64,
        range: &'static str,
    },
    #[error("{0}")]
    BadText(String),
    #[error("{field} contains a NUL character (\\u0000)")]
    Nul { field: &'static str },
}
