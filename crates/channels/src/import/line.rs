//! One line of an import file: a ticket with its past, as
//! `docs/import-format.md` describes it.
//!
//! Fields arrive as plain strings and options and are checked here rather
//! than by serde, so a rejected line says which field is wrong in the
//! file's own terms ("unknown channel \"fax\"", "missing field `subject`")
//! instead of serde's. Fields the format does not name are ignored: other
//! desks export more than we read.

use chrono::{DateTime, Utc};
use helpdesk_domain::DomainError;
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::import::ImportedTicket;
use helpdesk_domain::tag::parse_tags;
use helpdesk_domain::ticket::text;
use helpdesk_domain::time::to_micros;
use serde::Deserialize;
use serde_json::error::Category;

use super::error::LineError;
use super::event::LineEvent;

/// The longest `external_id` accepted: it is a unique index key, and an
/// oversized one would fail the whole batch's transaction instead of just
/// its line.
pub const EXTERNAL_ID_MAX: usize = 255;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(expecting = "a ticket object")]
pub struct Line {
    pub external_id: Option<String>,
    pub channel: Option<String>,
    pub subject: Option<String>,
    /// The priority at creation.
    pub priority: Option<String>,
    pub customer: Option<LineCustomer>,
    pub tags: Option<Vec<String>>,
    pub created_at: Option<String>,
    /// `true` when absent.
    pub fcr_eligible: Option<bool>,
    pub events: Option<Vec<LineEvent>>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(expecting = "a customer object")]
pub struct LineCustomer {
    pub email: Option<String>,
    pub name: Option<String>,
}

/// Parses one line (without its line break) into a checked ticket.
pub fn parse_line(text: &str) -> Result<ImportedTicket, LineError> {
    let line: Line = serde_json::from_str(text).map_err(json_error)?;
    line.into_ticket()
}

impl Line {
    /// The ticket this line describes, checked against the import rules
    /// ([`ImportedTicket::check`]).
    pub fn into_ticket(self) -> Result<ImportedTicket, LineError> {
        let external_id = self.external_id.ok_or(LineError::MissingField("external_id"))?;
        check_no_nul(&external_id, "external_id").map_err(|field| LineError::Nul { field })?;
        if external_id.chars().count() > EXTERNAL_ID_MAX {
            return Err(text_error(DomainError::TooLong {
                field: "external_id",
                max: EXTERNAL_ID_MAX,
            }));
        }
        let channel = self.channel.ok_or(LineError::MissingField("channel"))?;
        let channel = channel.parse().map_err(|_| LineError::Unknown {
            field: "channel",
            value: channel,
        })?;
        let subject = text::subject(&self.subject.ok_or(LineError::MissingField("subject"))?).map_err(text_error)?;
        check_no_nul(&subject, "subject").map_err(|field| LineError::Nul { field })?;
        let priority = self.priority.ok_or(LineError::MissingField("priority"))?;
        let priority = priority.parse().map_err(|_| LineError::Unknown {
            field: "priority",
            value: priority,
        })?;
        let customer = self.customer.ok_or(LineError::MissingField("customer"))?;
        let email = customer.email.ok_or(LineError::MissingField("customer.email"))?;
        let customer_email = EmailAddress::parse(&email).map_err(|_| LineError::BadEmail {
            field: "customer.email",
            value: email,
        })?;
        let customer_name = optional_text(customer.name, "customer.name", 200).map_err(text_error)?;
        if let Some(name) = &customer_name {
            check_no_nul(name, "customer.name").map_err(|field| LineError::Nul { field })?;
        }
        let tags = parse_tags(&self.tags.unwrap_or_default()).map_err(|e| match e {
            DomainError::InvalidTag(raw) => LineError::BadTag(raw),
            other => text_error(other),
        })?;
        let created_at = self.created_at.ok_or(LineError::MissingField("created_at"))?;
        let created_at = parse_instant(&created_at).ok_or(LineError::BadInstant {
            field: "created_at",
            value: created_at,
        })?;
        let events = self
            .events
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(index, event)| {
                let kind = event.kind.clone().unwrap_or_else(|| "?".to_owned());
                event
                    .into_event()
                    .map_err(|error| LineError::Event { index, kind, error })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let ticket = ImportedTicket {
            external_id,
            subject,
            channel,
            priority,
            customer_email,
            customer_name,
            tags,
            created_at,
            fcr_eligible: self.fcr_eligible.unwrap_or(true),
            events,
        };
        ticket.check()?;
        Ok(ticket)
    }
}

/// An RFC 3339 instant, truncated to what both stores keep.
pub(super) fn parse_instant(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw.trim())
        .ok()
        .map(|at| to_micros(at.with_timezone(&Utc)))
}

/// Trimmed text where blank means absent.
pub(super) fn optional_text(
    raw: Option<String>,
    field: &'static str,
    max: usize,
) -> Result<Option<String>, DomainError> {
    match raw {
        Some(raw) if !raw.trim().is_empty() => text::bounded(&raw, field, max).map(Some),
        _ => Ok(None),
    }
}

/// `Err(field)` when `text` holds U+0000, which PostgreSQL text cannot keep.
pub(super) fn check_no_nul(text: &str, field: &'static str) -> Result<(), &'static str> {
    if text.contains('\0') { Err(field) } else { Ok(()) }
}

fn text_error(err: DomainError) -> LineError {
    LineError::BadText(err.to_string())
}

fn json_error(err: serde_json::Error) -> LineError {
    let column = err.column();
    // serde_json appends the position to its message; the column is reported
    // on its own, and the line number is the file's, not the JSON's.
    let message = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), column);
    let reason = message.strip_suffix(&suffix).unwrap_or(&message).to_owned();
    match err.classify() {
        Category::Data => LineError::WrongType { column, reason },
        Category::Io | Category::Syntax | Category::Eof => LineError::InvalidJson { column, reason },
    }
}
