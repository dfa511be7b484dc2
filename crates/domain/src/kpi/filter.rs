//! Which tickets a report looks at.

use crate::access::TicketAccess;
use crate::ids::{AgentId, TeamId};
use crate::tag::Tag;
use crate::ticket::{Channel, Priority};

/// Narrows every figure to tickets whose *current* values match. Each list is
/// "any of"; an empty list does not narrow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KpiFilter {
    pub channels: Vec<Channel>,
    pub priorities: Vec<Priority>,
    pub team_ids: Vec<TeamId>,
    /// Matched against the current assignee.
    pub agent_ids: Vec<AgentId>,
    pub tags: Vec<Tag>,
    /// The tickets the caller may see at all: a scoped agent's figures
    /// cover only their teams' tickets.
    pub access: TicketAccess,
}

/// A ticket's current values, as the filter sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketAttributes {
    pub channel: Channel,
    pub priority: Priority,
    pub team: Option<TeamId>,
    pub assignee: Option<AgentId>,
    pub tags: Vec<Tag>,
}

impl KpiFilter {
    pub fn matches(&self, ticket: &TicketAttributes) -> bool {
        fn any_of<T: PartialEq>(wanted: &[T], value: Option<&T>) -> bool {
            wanted.is_empty() || value.is_some_and(|v| wanted.contains(v))
        }
        any_of(&self.channels, Some(&ticket.channel))
            && any_of(&self.priorities, Some(&ticket.priority))
            && any_of(&self.team_ids, ticket.team.as_ref())
            && any_of(&self.agent_ids, ticket.assignee.as_ref())
            && self.access.covers(ticket.team)
            && (self.tags.is_empty() || ticket.tags.iter().any(|t| self.tags.contains(t)))
    }
}
