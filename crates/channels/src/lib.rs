//! Channel adapters: email (parsed with mail-parser, sent with lettre through
//! a transactional outbox), web forms and live chat. Each turns outside input
//! into store commands and a desk reply back into the channel's own format.
//!
//! [`email`] is the first channel: parsing raw mail (pure, no I/O) and
//! threading it by Message-ID or the `[#1234]` subject token. Forms and chat
//! come with their issues.
//!
//! It also owns the desk's dealings with time: the [`clock::Clock`] every
//! instant comes from, and the background jobs, all run by the one loop in
//! [`worker`]: the outbox and webhook couriers, [`sla_alerts`] and the
//! [`facts_refresher`].
//!
//! The crate may depend on `helpdesk-domain` and `helpdesk-persistence`,
//! never on `helpdesk-api` or any GraphQL crate, and it never reads the
//! system time but through a `Clock`.

pub mod clock;
pub mod email;
pub mod facts_refresher;
pub mod import;
pub mod sla_alerts;
pub mod webform;
pub mod webhook;
pub mod worker;
