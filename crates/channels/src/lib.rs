//! Channel adapters: email (parsed with mail-parser, sent with lettre through
//! a transactional outbox), web forms and live chat. Each turns outside input
//! into store commands and a desk reply back into the channel's own format.
//!
//! - [`email`]: parsing raw mail (pure, no I/O), threading it by Message-ID or
//!   the `[#1234]` subject token, and sending replies through the outbox;
//! - [`webform`]: a public form post becomes a WEB_FORM ticket;
//! - [`chat`]: a visitor's chat becomes a CHAT ticket; token, session and
//!   presence, and the rule that a visitor who left gets replies by mail.
//!
//! - [`automation`]: a macro filled in for one ticket, previewed or applied,
//!   its reply mailed as an agent's is.
//!
//! Each channel owns its rules and its input checks; the API crate only
//! translates HTTP or GraphQL to these functions and their errors to codes.
//! What files input (`email::ingest`, `webform::submit`, the `chat`
//! functions) takes the current instant as a parameter, so callers decide
//! what "now" is.
//!
//! It also owns the desk's dealings with time: the [`clock::Clock`] every
//! instant comes from, and the background jobs, all run by the one loop in
//! [`worker`]: the outbox and webhook couriers, [`sla_alerts`], the
//! [`facts_refresher`], the [`ticket_count_folder`], the [`rule_timers`]
//! and the [`ticket_router`]; and the [`imap`]
//! mailbox fetcher, which files mail through the same path as the others.
//!
//! The crate may depend on `helpdesk-domain` and `helpdesk-persistence`,
//! never on `helpdesk-api` or any GraphQL crate, and it never reads the
//! system time but through a `Clock`.

pub mod automation;
pub mod chat;
pub mod clock;
pub mod email;
pub mod facts_refresher;
pub mod imap;
pub mod import;
pub mod rule_timers;
pub mod sla_alerts;
pub mod survey;
pub mod ticket_count_folder;
pub mod ticket_router;
pub mod webform;
pub mod webhook;
pub mod worker;
