//! Routing: a team that opts in hands its new and reopened tickets to its
//! available agents, round-robin or to whoever has the fewest open
//! tickets, never past an agent's capacity for the ticket's channel.
//! Tickets nobody has room for wait, oldest first.

use crate::DomainError;
use crate::ids::AgentId;
use crate::macros::named_enum;
use crate::ticket::TicketStatus;

named_enum! {
    /// How a team hands out its tickets.
    RoutingMode as "routing mode" {
        /// By hand (the default).
        Off => "OFF",
        /// In turn, after whoever got the last one.
        RoundRobin => "ROUND_ROBIN",
        /// To whoever has the fewest open tickets of the channel (in turn
        /// among equals).
        LeastOpen => "LEAST_OPEN",
    }
}

named_enum! {
    /// Whether an agent takes routed tickets now.
    Availability as "availability" {
        Available => "AVAILABLE",
        Away => "AWAY",
    }
}

/// The most open tickets of one channel an agent can be given.
pub const MAX_CAPACITY: u32 = 1_000;

/// Checks a capacity an admin sets.
pub fn check_capacity(max_open: u32) -> Result<(), DomainError> {
    if max_open > MAX_CAPACITY {
        return Err(DomainError::OutOfRange {
            field: "maxOpen",
            min: 0,
            max: MAX_CAPACITY,
        });
    }
    Ok(())
}

/// Whether a ticket in `status`, on a routing team and unassigned, is
/// handed out: one nobody has worked on or that needs the desk again.
pub fn routable(status: TicketStatus) -> bool {
    matches!(status, TicketStatus::New | TicketStatus::Open)
}

/// A team member as routing sees them, for one ticket's channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub agent: AgentId,
    /// Active and AVAILABLE.
    pub available: bool,
    /// Their open tickets (not SOLVED or CLOSED) of the ticket's channel.
    pub open: u32,
    /// Their capacity for that channel; `None`: no limit.
    pub capacity: Option<u32>,
}

impl Candidate {
    fn has_room(&self) -> bool {
        self.available && self.capacity.is_none_or(|c| self.open < c)
    }
}

/// Who gets the ticket, from `members` in the team's fixed order (their
/// ids), after `last` (who got the team's previous one); `None` when
/// nobody has room, and the ticket waits.
pub fn choose(mode: RoutingMode, members: &[Candidate], last: Option<AgentId>) -> Option<AgentId> {
    let start = last
        .and_then(|l| members.iter().position(|m| m.agent == l))
        .map_or(0, |i| i + 1);
    // Everyone once, starting after the last one given a ticket.
    let in_turn = || {
        members[start..]
            .iter()
            .chain(&members[..start])
            .filter(|m| m.has_room())
    };
    match mode {
        RoutingMode::Off => None,
        RoutingMode::RoundRobin => in_turn().next().map(|m| m.agent),
        RoutingMode::LeastOpen => {
            let fewest = in_turn().map(|m| m.open).min()?;
            in_turn().find(|m| m.open == fewest).map(|m| m.agent)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members() -> Vec<Candidate> {
        let mut ids: Vec<AgentId> = (0..3).map(|_| AgentId::new()).collect();
        ids.sort();
        ids.into_iter()
            .map(|agent| Candidate {
                agent,
                available: true,
                open: 0,
                capacity: None,
            })
            .collect()
    }

    #[test]
    fn round_robin_goes_in_turn_and_skips_the_away_and_the_full() {
        let mut m = members();
        let (a, b, c) = (m[0].agent, m[1].agent, m[2].agent);
        assert_eq!(choose(RoutingMode::RoundRobin, &m, None), Some(a));
        assert_eq!(choose(RoutingMode::RoundRobin, &m, Some(a)), Some(b));
        assert_eq!(choose(RoutingMode::RoundRobin, &m, Some(c)), Some(a));
        m[1].capacity = Some(2);
        m[1].open = 2;
        m[2].available = false;
        assert_eq!(choose(RoutingMode::RoundRobin, &m, Some(a)), Some(a));
        m[0].capacity = Some(0);
        assert_eq!(choose(RoutingMode::RoundRobin, &m, Some(a)), None);
        assert_eq!(choose(RoutingMode::Off, &members(), None), None);
    }

    #[test]
    fn least_open_takes_the_emptiest_in_turn_among_equals() {
        let mut m = members();
        let (a, b, c) = (m[0].agent, m[1].agent, m[2].agent);
        m[0].open = 4;
        m[1].open = 1;
        m[2].open = 1;
        assert_eq!(choose(RoutingMode::LeastOpen, &m, None), Some(b));
        assert_eq!(choose(RoutingMode::LeastOpen, &m, Some(b)), Some(c));
        m[1].available = false;
        m[2].capacity = Some(1);
        assert_eq!(choose(RoutingMode::LeastOpen, &m, Some(b)), Some(a));
    }

    #[test]
    fn only_new_and_open_tickets_are_routed() {
        assert!(routable(TicketStatus::New) && routable(TicketStatus::Open));
        assert!(!routable(TicketStatus::Pending) && !routable(TicketStatus::Solved));
        assert!(check_capacity(3).is_ok() && check_capacity(MAX_CAPACITY + 1).is_err());
    }
}
