//! Mailbox polling: besides `POST /inbound/email` and the MTA pipe, the
//! desk can fetch its mail itself from an IMAP mailbox
//! (`HELPDESK_IMAP_URL`), through the same ingestion path.
//!
//! `mailbox.rs` parses the URL; `fetcher.rs` is the worker job that files
//! unseen mail, marks it seen once committed, and waits in IDLE between
//! rounds.

mod fetcher;
mod mailbox;

pub use fetcher::MailboxFetcher;
pub use mailbox::{ImapMailbox, ImapUrlError, Security};
