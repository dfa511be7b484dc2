//! Tickets: their attributes, workflow, history and metric facts.

mod channel;
mod event;
mod facts;
mod priority;
mod status;
pub mod text;
mod workflow;

pub use channel::Channel;
pub use event::{Actor, Author, EventKind, Survey, TicketEvent};
pub use facts::{ResponseSample, SolveSpan, SurveyAnswer, TicketFacts};
pub use priority::Priority;
pub use status::{StatusChange, TicketStatus};
pub use workflow::{
    after_agent_reply, after_customer_message, check_internal_note, check_note_status, check_open_for_messages,
};
