//! Macros: named sets of actions agents apply to a ticket in one step.
//! A shared macro is the desk's (admins keep them, every agent applies
//! them); a personal one is its owner's alone.

use super::actions::TicketActions;
use crate::DomainError;
use crate::agent::Role;
use crate::ids::AgentId;
use crate::ticket::text;

/// Whose a macro is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MacroScope {
    Shared,
    Personal(AgentId),
}

impl MacroScope {
    /// Who may see and apply it.
    pub fn usable_by(self, agent: AgentId) -> bool {
        match self {
            MacroScope::Shared => true,
            MacroScope::Personal(owner) => owner == agent,
        }
    }

    /// Who may change or delete it: admins the shared ones, owners their own.
    pub fn editable_by(self, agent: AgentId, role: Role) -> bool {
        match self {
            MacroScope::Shared => role.is_admin(),
            MacroScope::Personal(owner) => owner == agent,
        }
    }
}

/// A macro as saved: a name and a checked set of actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroDraft {
    pub name: String,
    pub actions: TicketActions,
}

impl MacroDraft {
    pub const NAME_MAX: usize = 100;

    pub fn new(name: &str, actions: TicketActions) -> Result<Self, DomainError> {
        let name = text::bounded(name, "name", Self::NAME_MAX)?;
        actions.validate()?;
        Ok(Self { name, actions })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::Priority;

    #[test]
    fn shared_macros_are_everyones_to_use_and_admins_to_edit() {
        let (ana, bo) = (AgentId::new(), AgentId::new());
        assert!(MacroScope::Shared.usable_by(bo));
        assert!(!MacroScope::Shared.editable_by(bo, Role::Agent));
        assert!(MacroScope::Shared.editable_by(bo, Role::Admin));
        let mine = MacroScope::Personal(ana);
        assert!(mine.usable_by(ana) && mine.editable_by(ana, Role::Agent));
        assert!(!mine.usable_by(bo) && !mine.editable_by(bo, Role::Admin));
    }

    #[test]
    fn a_draft_needs_a_name_and_valid_actions() {
        let actions = TicketActions {
            priority: Some(Priority::High),
            ..TicketActions::default()
        };
        assert!(MacroDraft::new("Escalate", actions.clone()).is_ok());
        assert_eq!(
            MacroDraft::new("  ", actions),
            Err(DomainError::Empty { field: "name" })
        );
    }
}
