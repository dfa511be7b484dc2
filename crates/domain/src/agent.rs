//! Agents: the people who answer tickets, and what they may do.

use crate::macros::named_enum;

named_enum! {
    /// What an agent account may do. Admins manage agents, teams and settings.
    Role as "role" {
        Admin => "ADMIN",
        Agent => "AGENT",
    }
}

impl Role {
    pub fn is_admin(self) -> bool {
        self == Role::Admin
    }
}

/// A display name: trimmed, non-empty, at most 200 characters.
pub fn parse_name(raw: &str, field: &'static str) -> Result<String, crate::DomainError> {
    crate::ticket::text::bounded(raw, field, 200)
}
