//! What the desk does to a ticket on someone's word rather than by hand:
//! sets of actions (`actions.rs`), the placeholders their texts may use
//! (`placeholders.rs`), and macros, the sets agents save and apply in one
//! step (`saved_macro.rs`).

pub mod actions;
pub mod placeholders;
pub mod saved_macro;

pub use actions::{Assign, TicketActions};
pub use placeholders::{TICKET_PLACEHOLDERS, TicketValues};
pub use saved_macro::{MacroDraft, MacroScope};
