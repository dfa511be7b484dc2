//! Which tickets a caller may see and change.
//!
//! An agent's scope says whether they work on the whole desk or only on
//! their teams' tickets; [`TicketAccess`] is that scope resolved against
//! their memberships and the desk's setting for tickets with no team. The
//! store applies it to every ticket read and change an agent makes, so no
//! entry point can forget it.

use std::collections::BTreeSet;

use crate::ids::TeamId;
use crate::macros::named_enum;

named_enum! {
    /// How far an agent's work reaches. New agents get `Teams`, admins `All`.
    AgentScope as "agent scope" {
        /// Every ticket of the desk.
        All => "ALL",
        /// Only the tickets of the agent's teams (and, when the desk allows
        /// it, tickets with no team).
        Teams => "TEAMS",
    }
}

impl AgentScope {
    /// The scope an account gets when none is asked for.
    pub fn default_for(role: crate::agent::Role) -> Self {
        if role.is_admin() {
            AgentScope::All
        } else {
            AgentScope::Teams
        }
    }
}

/// The tickets one caller may see and change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TicketAccess {
    /// The whole desk: admins, agents scoped to ALL, and the desk itself
    /// (channels, workers, imports).
    #[default]
    Everything,
    /// Tickets of these teams, and tickets with no team when `teamless`.
    Teams { teams: BTreeSet<TeamId>, teamless: bool },
}

impl TicketAccess {
    /// What `scope` grants an agent in `teams`, when the desk lets scoped
    /// agents see tickets with no team (`teamless`) or not.
    pub fn of(scope: AgentScope, teams: impl IntoIterator<Item = TeamId>, teamless: bool) -> Self {
        match scope {
            AgentScope::All => TicketAccess::Everything,
            AgentScope::Teams => TicketAccess::Teams {
                teams: teams.into_iter().collect(),
                teamless,
            },
        }
    }

    /// Whether a ticket of `team` (or of none) is within reach.
    pub fn covers(&self, team: Option<TeamId>) -> bool {
        match (self, team) {
            (TicketAccess::Everything, _) => true,
            (TicketAccess::Teams { teams, .. }, Some(team)) => teams.contains(&team),
            (TicketAccess::Teams { teamless, .. }, None) => *teamless,
        }
    }

    pub fn is_everything(&self) -> bool {
        matches!(self, TicketAccess::Everything)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_scope_covers_its_teams_and_teamless_tickets_only_when_allowed() {
        let a = TeamId::new();
        let b = TeamId::new();
        let strict = TicketAccess::of(AgentScope::Teams, [a], false);
        assert!(strict.covers(Some(a)));
        assert!(!strict.covers(Some(b)));
        assert!(!strict.covers(None));
        let lenient = TicketAccess::of(AgentScope::Teams, [a], true);
        assert!(lenient.covers(None));
        assert!(!lenient.covers(Some(b)));
        let all = TicketAccess::of(AgentScope::All, [], false);
        assert!(all.covers(Some(b)) && all.covers(None));
    }
}
