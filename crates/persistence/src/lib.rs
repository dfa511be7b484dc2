//! The durable store: sea-orm entities and the repositories that read and
//! write them, on SQLite (embedded default) and PostgreSQL.
//!
//! This is the only crate that speaks SQL. Repositories take and return domain
//! types; each write that changes a ticket records its events, and refreshes
//! that ticket's metric facts, in the same transaction as the change.
//! It also carries the announcements of committed changes, to this
//! process's subscribers and, on PostgreSQL, to the other servers sharing
//! the database, and knows which chats have a visitor on any server.
//! It must not depend on the API, the channels or any HTTP/GraphQL crate.

mod action_references;
pub mod agents;
mod calendar;
mod change_feed;
pub mod chat;
mod chat_identity;
mod chat_presence;
mod customer_directory;
mod customer_merge;
mod customers;
mod delivery;
mod duration_figure;
mod entity;
mod error;
pub mod event_hooks;
mod facts_refresh;
mod gauges;
pub mod held_mail;
pub mod imports;
pub mod kpi;
mod migration_lock;
pub mod outbox;
pub mod routing;
pub mod rules;
pub mod saved_macros;
mod search_index;
pub mod settings;
pub mod sla;
mod store;
mod store_options;
pub mod surveys;
mod tcp_nodelay;
pub mod teams;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tickets;
pub mod web_forms;
pub mod webhooks;

pub use change_feed::TicketChange;
pub use customer_directory::{CustomerFigures, CustomerFilter, CustomerPage, IdentityRecord};
pub use customers::CustomerRecord;
pub use error::StoreError;
pub use search_index::SearchLanguageError;
pub use store::{Backend, Store};
pub use store_options::{DEFAULT_SQLITE_CACHE_BYTES, StoreOptions, default_report_connections};
