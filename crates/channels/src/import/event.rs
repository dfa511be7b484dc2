//! One event of an import line: `{"at", "type", ...}` with the fields its
//! type needs.

use helpdesk_domain::DomainError;
use helpdesk_domain::agent::parse_name;
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::import::{ImportedAuthor, ImportedEvent, ImportedKind};
use helpdesk_domain::ticket::{Survey, text};
use serde::{Deserialize, Deserializer};

use super::error::EventError;
use super::line::{check_no_nul, optional_text, parse_instant};

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(expecting = "an event object")]
pub struct LineEvent {
    pub at: Option<String>,
    /// message, note, status, priority, assign, csat or nps.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `customer` or `agent`, for a message.
    pub author: Option<String>,
    /// Absent leaves the assignee as it is; `null` (on `assign`) clears it.
    #[serde(default, deserialize_with = "present")]
    pub agent: Option<Option<String>>,
    /// Absent leaves the team as it is; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    pub team: Option<Option<String>>,
    pub body: Option<String>,
    pub status: Option<String>,
    pub priority: Option<String>,
    /// CSAT, 1-5.
    pub rating: Option<i64>,
    /// NPS, 0-10.
    pub score: Option<i64>,
    pub comment: Option<String>,
}

/// Tells a field given as `null` (`Some(None)`) from an absent one (`None`,
/// through `#[serde(default)]`).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

impl LineEvent {
    pub fn into_event(self) -> Result<ImportedEvent, EventError> {
        let at = self.at.as_deref().ok_or(EventError::MissingField("at"))?;
        let at = parse_instant(at).ok_or_else(|| EventError::BadInstant { value: at.to_owned() })?;
        let kind = self.kind.as_deref().ok_or(EventError::MissingField("type"))?;
        let kind = match kind.trim().to_ascii_lowercase().as_str() {
            "message" => self.message()?,
            "note" => ImportedKind::Note {
                agent: agent_email(self.agent.flatten())?,
                body: body(self.body)?,
            },
            "status" => ImportedKind::Status(named(self.status, "status")?),
            "priority" => ImportedKind::Priority(named(self.priority, "priority")?),
            "assign" => ImportedKind::Assign {
                agent: self
                    .agent
                    .map(|a| a.map(|raw| email("agent", raw)).transpose())
                    .transpose()?,
                team: self.team.map(|t| t.map(|raw| team(&raw)).transpose()).transpose()?,
            },
            "csat" => survey(Survey::Csat, self.rating, "rating", "1-5", self.comment)?,
            "nps" => survey(Survey::Nps, self.score, "score", "0-10", self.comment)?,
            _ => return Err(EventError::UnknownType),
        };
        Ok(ImportedEvent { at, kind })
    }

    fn message(self) -> Result<ImportedKind, EventError> {
        let author = self.author.ok_or(EventError::MissingField("author"))?;
        let author = match author.trim().to_ascii_lowercase().as_str() {
            "customer" => ImportedAuthor::Customer,
            "agent" => match self.agent.flatten() {
                Some(raw) => ImportedAuthor::Agent(email("agent", raw)?),
                None => return Err(EventError::AgentMessageWithoutAgent),
            },
            _ => {
                return Err(EventError::Unknown {
                    field: "author",
                    value: author,
                });
            }
        };
        Ok(ImportedKind::Message {
            author,
            body: body(self.body)?,
        })
    }
}

fn named<T: std::str::FromStr>(raw: Option<String>, field: &'static str) -> Result<T, EventError> {
    let raw = raw.ok_or(EventError::MissingField(field))?;
    raw.trim()
        .parse()
        .map_err(|_| EventError::Unknown { field, value: raw })
}

fn agent_email(raw: Option<String>) -> Result<EmailAddress, EventError> {
    email("agent", raw.ok_or(EventError::MissingField("agent"))?)
}

fn email(field: &'static str, raw: String) -> Result<EmailAddress, EventError> {
    EmailAddress::parse(&raw).map_err(|_| EventError::BadEmail { field, value: raw })
}

fn body(raw: Option<String>) -> Result<String, EventError> {
    let body = text::body(&raw.ok_or(EventError::MissingField("body"))?).map_err(text_error)?;
    no_nul(&body, "body")?;
    Ok(body)
}

fn team(raw: &str) -> Result<String, EventError> {
    let name = parse_name(raw, "team").map_err(text_error)?;
    no_nul(&name, "team")?;
    Ok(name)
}

fn no_nul(text: &str, field: &'static str) -> Result<(), EventError> {
    check_no_nul(text, field).map_err(|field| EventError::Nul { field })
}

fn survey(
    survey: Survey,
    score: Option<i64>,
    field: &'static str,
    range: &'static str,
    comment: Option<String>,
) -> Result<ImportedKind, EventError> {
    let score = score.ok_or(EventError::MissingField(field))?;
    let out_of_range = || EventError::ScoreOutOfRange {
        survey,
        field,
        score,
        range,
    };
    let score = u8::try_from(score).map_err(|_| out_of_range())?;
    if !survey.accepts(score) {
        return Err(out_of_range());
    }
    let comment = optional_text(comment, "comment", text::BODY_MAX).map_err(text_error)?;
    if let Some(comment) = &comment {
        no_nul(comment, "comment")?;
    }
    Ok(ImportedKind::Survey { survey, score, comment })
}

fn text_error(err: DomainError) -> EventError {
    EventError::BadText(err.to_string())
}
