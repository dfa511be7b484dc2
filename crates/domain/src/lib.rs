//! The helpdesk's vocabulary and rules: identifiers, tickets and their workflow,
//! the event history a ticket accumulates, and the per-ticket metric facts
//! derived from that history.
//!
//! This crate owns *decisions* (may this status change happen? what does an
//! agent's reply do to a NEW ticket? what does an event do to the facts the KPI
//! queries aggregate?). It must not depend on a database, the network, an async
//! runtime or the clock: callers pass every instant in, so the same rules serve
//! live requests and imported history alike.

mod macros;

pub mod access;
pub mod agent;
pub mod attachment;
pub mod automation;
pub mod calendar;
pub mod chat_verification;
pub mod customer;
pub mod email;
pub mod error;
pub mod event_hook;
pub mod held_mail;
pub mod ids;
pub mod import;
pub mod kpi;
pub mod mail_thread;
pub mod routing;
pub mod search;
pub mod sla;
pub mod survey;
pub mod tag;
pub mod template;
pub mod ticket;
pub mod time;

pub use error::DomainError;
