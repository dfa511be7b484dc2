//! Ticket tags: short, case-insensitive labels.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A tag, normalised to lower case so `Billing` and `billing` are one tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Tag(String);

impl Tag {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let tag = raw.trim().to_lowercase();
        let allowed = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':');
        if tag.is_empty() || tag.chars().count() > Self::MAX_LEN || !tag.chars().all(allowed) {
            return Err(DomainError::InvalidTag(raw.to_owned()));
        }
        Ok(Self(tag))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Tag {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Tag {
    type Error = DomainError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Tag> for String {
    fn from(value: Tag) -> Self {
        value.0
    }
}

/// Parses a list of raw tags into a de-duplicated, sorted set.
pub fn parse_tags<S: AsRef<str>>(raw: &[S]) -> Result<BTreeSet<Tag>, DomainError> {
    raw.iter().map(|t| Tag::parse(t.as_ref())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_case_insensitive_and_deduplicated() {
        let tags = parse_tags(&["Billing", "billing", " vip "]).unwrap();
        let names: Vec<_> = tags.iter().map(Tag::as_str).collect();
        assert_eq!(names, ["billing", "vip"]);
    }

    #[test]
    fn rejects_spaces_and_empty_tags() {
        assert!(Tag::parse("two words").is_err());
        assert!(Tag::parse("  ").is_err());
        assert!(Tag::parse(&"x".repeat(65)).is_err());
    }
}
