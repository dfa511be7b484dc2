//! Channel adapters: email (parsed with mail-parser, sent with lettre through
//! a transactional outbox), web forms and live chat. Each turns outside input
//! into store commands and a desk reply back into the channel's own format.
//!
//! Empty until the channels issue lands; the crate exists so the dependency
//! direction is fixed from the start. It may depend on `helpdesk-domain` and
//! `helpdesk-persistence`, never on `helpdesk-api` or any GraphQL crate.
