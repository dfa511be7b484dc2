//! Service-level agreements: which policy applies to a ticket, which targets
//! it promises, when each is due, and whether it was kept.
//!
//! [`evaluate`] decides every target of one ticket from its history and the
//! policies, as a pure function: the live path (after each change) and the
//! import path (over past events) call the same code, so both decide alike.

mod clock;
mod evaluate;
mod policy;
mod target;

pub use clock::{CalendarClock, Pause, WorkingClock};
pub use evaluate::{Clocks, TargetOutcome, evaluate};
pub use policy::{SlaPolicy, Webhook, check_targets, check_warning_percent, check_webhook_secret, select_policy};
pub use target::{Clock, SlaTarget, TargetSpec, TargetState};
