//! Limits on the free text a ticket carries.

use crate::DomainError;

pub const SUBJECT_MAX: usize = 998;
pub const BODY_MAX: usize = 1_000_000;

/// Trims `raw` and checks it is non-empty and at most `max` characters.
pub fn bounded(raw: &str, field: &'static str, max: usize) -> Result<String, DomainError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(DomainError::Empty { field });
    }
    if text.chars().count() > max {
        return Err(DomainError::TooLong { field, max });
    }
    Ok(text.to_owned())
}

pub fn subject(raw: &str) -> Result<String, DomainError> {
    bounded(raw, "subject", SUBJECT_MAX)
}

pub fn body(raw: &str) -> Result<String, DomainError> {
    bounded(raw, "body", BODY_MAX)
}
