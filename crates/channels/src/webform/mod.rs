//! Web forms: a public form post becomes a WEB_FORM ticket, after checks a
//! person filling the form can act on (per-field errors) and a honeypot that
//! bots fill and people never see.

mod submission;
mod submit;

pub use submission::{FieldErrors, HONEYPOT_FIELD, Submission, ValidSubmission};
pub use submit::{SubmitError, submit};
