//! What the desk does to a ticket on someone's word rather than by hand:
//! sets of actions (`actions.rs`), the placeholders their texts may use
//! (`placeholders.rs`), macros, the sets agents save and apply in one
//! step (`saved_macro.rs`), and rules, which apply a set when an event
//! happens to a ticket that meets their conditions (`rule.rs`).

pub mod actions;
pub mod placeholders;
pub mod rule;
pub mod saved_macro;

pub use actions::{Assign, TicketActions};
pub use placeholders::{TICKET_PLACEHOLDERS, TicketValues};
pub use rule::{
    Condition, Conditions, MAX_CHAIN, RuleDraft, RuleEffects, RuleEvent, RuleNotify, RuleStart, RuleTicket, RuleTimer,
    RuleWebhook,
};
pub use saved_macro::{MacroDraft, MacroScope};
