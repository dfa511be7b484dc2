//! Live chat: a website visitor opens a conversation that becomes a CHAT
//! ticket, writes again with a secret token, and follows the desk's public
//! replies live while present; a reply to a visitor who has left goes by mail.
//!
//! - [`start`] checks the visitor's input, names the ticket after the first
//!   message, files it and opens the session the token stands for;
//! - [`session`] and [`send`] are the visitor's later requests, identified by
//!   the token alone (the store keeps only its hash, see `token`);
//! - [`desk_reply`] says which changes of a ticket a visitor is shown;
//! - [`request_code`] and [`verify`] prove the address the visitor gave:
//!   until then the chat is its own unverified contact, not that address's
//!   customer;
//! - [`ChatPresence`] knows who is watching, on any server sharing the store.
//!
//! No clock here: every function that stores something takes the instant.

mod error;
mod message;
mod presence;
mod start;
pub(crate) mod token;
mod verify;

pub use error::ChatError;
pub use message::{desk_reply, send, session};
pub use presence::{ChatPresence, PRESENCE_HEARTBEAT, PRESENCE_LIFETIME, PresenceGuard, PresenceHeartbeat};
pub use start::{StartChat, StartedChat, start};
pub use verify::{request_code, verify};
