//! Channel adapters: email (parsed with mail-parser, sent with lettre through
//! a transactional outbox), web forms and live chat. Each turns outside input
//! into store commands and a desk reply back into the channel's own format.
//!
//! [`email`] is the first channel: parsing raw mail (pure, no I/O) and
//! threading it by Message-ID or the `[#1234]` subject token. Forms and chat
//! come with their issues. The crate may depend on `helpdesk-domain` and
//! `helpdesk-persistence`, never on `helpdesk-api` or any GraphQL crate.

pub mod email;
pub mod import;
pub mod webform;
pub mod webhook;
