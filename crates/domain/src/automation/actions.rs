//! A set of actions on one ticket, checked as a whole when it is saved and
//! against the ticket's status when it is applied.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::placeholders::TICKET_PLACEHOLDERS;
use crate::DomainError;
use crate::ids::{AgentId, TeamId};
use crate::tag::Tag;
use crate::template;
use crate::ticket::text::BODY_MAX;
use crate::ticket::{Priority, TicketStatus};

/// A new value for an optional reference: someone, or no one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", content = "id", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Assign<T> {
    Set(T),
    Nobody,
}

impl<T: Copy> Assign<T> {
    /// As a change: `Some(None)` clears.
    pub fn target(self) -> Option<T> {
        match self {
            Assign::Set(t) => Some(t),
            Assign::Nobody => None,
        }
    }
}

/// What to do to a ticket. Every field is optional; a set does at least one
/// thing. Texts are templates over [`TICKET_PLACEHOLDERS`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketActions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TicketStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<Assign<TeamId>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<Assign<AgentId>>,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub add_tags: BTreeSet<Tag>,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub remove_tags: BTreeSet<Tag>,
    /// An internal note to add.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A public reply to the customer (mailed as an agent's reply is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<String>,
}

impl TicketActions {
    /// Checks the set as a whole, naming the offending field as
    /// `actions.<field>`: it does something, sets no status the workflow
    /// never allows (NEW), neither adds and removes one tag, and its texts
    /// are well-formed templates of known placeholders.
    pub fn validate(&self) -> Result<(), DomainError> {
        if *self == TicketActions::default() {
            return Err(DomainError::Empty { field: "actions" });
        }
        if self.status == Some(TicketStatus::New) {
            return Err(DomainError::StatusNeverSet {
                field: "actions.status",
                status: TicketStatus::New,
            });
        }
        if let Some(tag) = self.add_tags.intersection(&self.remove_tags).next() {
            return Err(DomainError::TagAddedAndRemoved(tag.clone()));
        }
        for (field, text) in [("actions.note", &self.note), ("actions.reply", &self.reply)] {
            if let Some(text) = text {
                template::check(field, text, TICKET_PLACEHOLDERS)?;
                if text.chars().count() > BODY_MAX {
                    return Err(DomainError::TooLong { field, max: BODY_MAX });
                }
            }
        }
        Ok(())
    }

    /// Whether applying the set to a ticket in `current` is allowed: the
    /// workflow's transition rule for its status, and no message or change
    /// on a CLOSED ticket.
    pub fn check_applicable(&self, current: TicketStatus) -> Result<(), DomainError> {
        if current == TicketStatus::Closed {
            return Err(DomainError::TicketClosed);
        }
        match self.status {
            Some(to) => current.check_transition(to),
            None => Ok(()),
        }
    }

    /// The ticket's tags after the set's additions and removals.
    pub fn tags_after(&self, current: &BTreeSet<Tag>) -> BTreeSet<Tag> {
        current
            .union(&self.add_tags)
            .filter(|t| !self.remove_tags.contains(*t))
            .cloned()
            .collect()
    }

    /// Whether the set changes the tags at all.
    pub fn touches_tags(&self) -> bool {
        !self.add_tags.is_empty() || !self.remove_tags.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::parse_tags;

    fn tags(raw: &[&str]) -> BTreeSet<Tag> {
        parse_tags(raw).unwrap()
    }

    #[test]
    fn an_empty_set_does_nothing_and_is_refused() {
        assert_eq!(
            TicketActions::default().validate(),
            Err(DomainError::Empty { field: "actions" })
        );
    }

    #[test]
    fn refuses_new_a_tag_both_ways_and_unknown_placeholders_by_field() {
        let new = TicketActions {
            status: Some(TicketStatus::New),
            ..TicketActions::default()
        };
        assert!(matches!(
            new.validate(),
            Err(DomainError::StatusNeverSet {
                field: "actions.status",
                ..
            })
        ));
        let both = TicketActions {
            add_tags: tags(&["vip"]),
            remove_tags: tags(&["vip", "spam"]),
            ..TicketActions::default()
        };
        assert!(matches!(both.validate(), Err(DomainError::TagAddedAndRemoved(_))));
        let reply = TicketActions {
            reply: Some("Dear {customer}".to_owned()),
            ..TicketActions::default()
        };
        assert!(matches!(
            reply.validate(),
            Err(DomainError::UnknownPlaceholder {
                field: "actions.reply",
                ..
            })
        ));
    }

    #[test]
    fn applying_follows_the_workflow_and_tags_merge() {
        let solve = TicketActions {
            status: Some(TicketStatus::Solved),
            add_tags: tags(&["done"]),
            remove_tags: tags(&["waiting"]),
            ..TicketActions::default()
        };
        solve.validate().unwrap();
        solve.check_applicable(TicketStatus::Open).unwrap();
        assert_eq!(
            solve.check_applicable(TicketStatus::Closed),
            Err(DomainError::TicketClosed)
        );
        assert_eq!(
            solve.tags_after(&tags(&["waiting", "billing"])),
            tags(&["billing", "done"])
        );
    }

    #[test]
    fn clearing_and_setting_survive_storage() {
        let set = TicketActions {
            team: Some(Assign::Nobody),
            assignee: Some(Assign::Set(AgentId::new())),
            ..TicketActions::default()
        };
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(serde_json::from_str::<TicketActions>(&json).unwrap(), set);
    }
}
