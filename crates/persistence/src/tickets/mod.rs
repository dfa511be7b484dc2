//! Tickets: the commands that change them and the queries that read them.
//!
//! Every command runs in one write transaction that (1) locks the ticket,
//! (2) asks the domain whether the change is allowed and what it implies,
//! (3) writes the change, (4) appends its events to the log and (5) refreshes
//! the ticket's metric facts from that log.

pub(crate) mod apply_actions;
mod create;
pub(crate) mod derived;
pub(crate) mod dimensions;
pub(crate) mod history;
pub(crate) mod lock;
mod mail;
mod maintained_count;
mod merge;
pub(crate) mod messages;
pub(crate) mod number;
mod query;
mod record;
mod scope;
mod search;
pub(crate) mod shared_count;
pub(crate) mod update;

pub use apply_actions::{AppliedActions, FilledActions};
pub use create::NewTicket;
pub(crate) use create::{CustomerOf, insert_ticket};
pub use mail::{AttachmentFile, AttachmentRecord, MailParts, NewAttachment};
pub use merge::Merge;
pub use messages::{MessageAuthor, NewMessage};
pub use query::{SortDirection, TicketCursor, TicketFilter, TicketOrder, TicketPage, TicketSortField};
pub(crate) use query::{dimensions_match, events_after, thread_rfc_ids};
pub use record::{EventRecord, MessageRecord, TicketRecord};
pub use scope::ScopedStore;
pub use search::{SearchHit, SearchPage};
pub use update::TicketChanges;
