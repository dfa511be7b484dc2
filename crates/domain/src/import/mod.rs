//! Tickets brought over from another desk: their history as it happened,
//! checked against the ticket rules and turned into the same events a live
//! ticket records.
//!
//! The history is recorded as given: nothing here changes a status by
//! itself, answers a customer or sends a survey.

mod history;
mod ticket;

pub use history::{ImportedHistory, ImportedMessage, Resolver};
pub use ticket::{ImportError, ImportedAuthor, ImportedEvent, ImportedKind, ImportedTicket};
