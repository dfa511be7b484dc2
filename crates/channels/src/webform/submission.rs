//! The fields of a form post and their checks.

use std::collections::BTreeMap;

use helpdesk_domain::email::EmailAddress;
use serde::Deserialize;

/// A form field that people never see (hidden by the page's CSS) and bots
/// fill in; a post with it filled is dropped without a word.
pub const HONEYPOT_FIELD: &str = "website";

const NAME_MAX: usize = 200;
const SUBJECT_MAX: usize = 200;
const MESSAGE_MAX: usize = 20_000;

/// A form post as it arrives, form-urlencoded or JSON.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Submission {
    pub name: Option<String>,
    pub email: Option<String>,
    pub subject: Option<String>,
    pub message: Option<String>,
    #[serde(rename = "website")]
    pub honeypot: Option<String>,
}

/// A post whose every field passed its check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSubmission {
    pub name: String,
    pub email: EmailAddress,
    /// `None` when the visitor left it empty.
    pub subject: Option<String>,
    pub message: String,
}

/// Field name to the reason it was refused, in words for the person
/// filling the form.
pub type FieldErrors = BTreeMap<&'static str, String>;

impl Submission {
    /// True when the honeypot was filled: a bot, to be dropped silently.
    pub fn is_bot(&self) -> bool {
        self.honeypot.as_deref().is_some_and(|v| !v.trim().is_empty())
    }

    pub fn validate(&self) -> Result<ValidSubmission, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = required(&mut errors, "name", self.name.as_deref(), NAME_MAX);
        let email = match self.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            None => {
                errors.insert("email", "is required".into());
                None
            }
            Some(raw) => match EmailAddress::parse(raw) {
                Ok(address) => Some(address),
                Err(_) => {
                    errors.insert("email", "is not a valid email address".into());
                    None
                }
            },
        };
        let subject = match self.subject.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) if s.chars().count() > SUBJECT_MAX => {
                errors.insert("subject", format!("must be at most {SUBJECT_MAX} characters"));
                None
            }
            other => other.map(str::to_owned),
        };
        let message = required(&mut errors, "message", self.message.as_deref(), MESSAGE_MAX);
        match (name, email, message) {
            (Some(name), Some(email), Some(message)) if errors.is_empty() => Ok(ValidSubmission {
                name,
                email,
                subject,
                message,
            }),
            _ => Err(errors),
        }
    }
}

fn required(errors: &mut FieldErrors, field: &'static str, value: Option<&str>, max: usize) -> Option<String> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            errors.insert(field, "is required".into());
            None
        }
        Some(v) if v.chars().count() > max => {
            errors.insert(field, format!("must be at most {max} characters"));
            None
        }
        Some(v) => Some(v.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(name: &str, email: &str, message: &str) -> Submission {
        Submission {
            name: Some(name.into()),
            email: Some(email.into()),
            subject: None,
            message: Some(message.into()),
            honeypot: None,
        }
    }

    #[test]
    fn a_complete_post_is_valid() {
        let valid = post(" Ana ", "Ana@Example.com", "Help").validate().unwrap();
        assert_eq!(valid.name, "Ana");
        assert_eq!(valid.email.as_str(), "ana@example.com");
        assert_eq!(valid.subject, None);
    }

    #[test]
    fn every_bad_field_is_named() {
        let errors = post("", "not-an-address", &"x".repeat(MESSAGE_MAX + 1))
            .validate()
            .unwrap_err();
        assert_eq!(errors.keys().copied().collect::<Vec<_>>(), ["email", "message", "name"]);
        assert_eq!(errors["email"], "is not a valid email address");
        assert_eq!(errors["name"], "is required");
    }

    #[test]
    fn the_honeypot_marks_bots() {
        let mut bot = post("Bot", "bot@example.com", "spam");
        assert!(!bot.is_bot());
        bot.honeypot = Some("http://spam.example".into());
        assert!(bot.is_bot());
    }
}
