//! Email, in and out.
//!
//! The pure half reads mail: one raw RFC 5322 message in, one typed
//! [`InboundEmail`] out, plus the ticket token (`[#1234]`) that ties a subject
//! line to a ticket. It touches no store, network or clock, and says only what
//! a message *is*; [`ingest`] (behind `POST /inbound/email` and
//! `helpdesk ingest-email`) decides what it *does*.
//!
//! - [`parse`] decodes headers (RFC 2047 words, RFC 2231 file names), picks the
//!   body (text/plain preferred, HTML rendered to text otherwise), converts every
//!   charset to UTF-8, and collects attachments;
//! - [`InboundKind`] tells a person's mail from an auto-reply or a bounce, so that
//!   the desk neither opens tickets for out-of-office notices nor answers them;
//! - [`ticket_token`] and [`subject_with_token`] read and write the subject token;
//! - [`sanitize_html`] is the one policy for HTML from outside, applied before
//!   a mail's HTML is stored and again when it is served.
//!
//! MIME decoding is mail-parser's; the choices about identity (From, never
//! Reply-To), ids, body selection and classification are made here. The
//! fixtures in `tests/fixtures/email/` show what each kind of mail becomes.

mod classify;
mod parse;
mod sanitize;
mod text;

pub use helpdesk_domain::mail_thread::{subject_with_token, ticket_token};
pub use parse::{Attachment, GENERATED_ID_DOMAIN, InboundEmail, InboundKind, NO_SUBJECT, ParseError, Sender, parse};
pub use sanitize::{LINK_REL, sanitize_html};

// The half that acts: filing inbound mail in the store, composing replies,
// and sending the outbox over SMTP.
mod config;
mod ingest;
pub(crate) mod outbound;
mod sender;

pub use config::EmailConfig;
pub use ingest::{IngestError, IngestOutcome, ingest, release_held};
pub use outbound::{new_message_id, reply_mail};
pub use sender::{SenderError, SmtpSender};
