//! What a chat request can fail on.

use helpdesk_domain::DomainError;
use helpdesk_persistence::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// The visitor's input breaks a rule (empty message, bad address, ...).
    #[error(transparent)]
    Invalid(#[from] DomainError),
    /// The token opens no session: mistyped, forged, or from another desk.
    #[error("unknown chat token")]
    UnknownToken,
    /// The token was real, but the visitor has not written for longer than
    /// a token lives.
    #[error("chat token expired")]
    Expired,
    #[error(transparent)]
    Store(#[from] StoreError),
}
