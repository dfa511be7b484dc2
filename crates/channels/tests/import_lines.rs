//! Import lines as `docs/import-format.md` writes them, every way a line can be
//! refused, streaming a file, and seeded history.
#![allow(clippy::unwrap_used)] // in a test, a failed step is a failed test

use std::collections::{BTreeSet, HashSet};
use std::io::Cursor;

use chrono::{DateTime, TimeZone, Utc};
use helpdesk_channels::import::{EventError, LineError, Lines, parse_line, seed};
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::import::{ImportError, ImportedAuthor, ImportedEvent, ImportedKind, ImportedTicket};
use helpdesk_domain::tag::Tag;
use helpdesk_domain::ticket::{Channel, Priority, Survey, TicketStatus};

/// The format's example, on one line.
const EXAMPLE: &str = r#"{"external_id": "T-1", "channel": "email", "subject": "Card declined", "priority": "normal", "customer": {"email": "ana@example.com", "name": "Ana"}, "tags": ["billing"], "created_at": "2026-03-02T09:15:00Z", "fcr_eligible": true, "events": [ {"at": "2026-03-02T09:15:00Z", "type": "message", "author": "customer", "body": "..."}, {"at": "2026-03-02T09:40:00Z", "type": "assign", "agent": "bo@desk.example", "team": "Billing"}, {"at": "2026-03-02T10:05:00Z", "type": "message", "author": "agent", "agent": "bo@desk.example", "body": "..."}, {"at": "2026-03-02T10:06:00Z", "type": "note", "agent": "bo@desk.example", "body": "..."}, {"at": "2026-03-02T10:07:00Z", "type": "status", "status": "pending"}, {"at": "2026-03-03T08:00:00Z", "type": "status", "status": "solved"}, {"at": "2026-03-03T12:00:00Z", "type": "csat", "rating": 5, "comment": "quick!"}, {"at": "2026-03-04T12:00:00Z", "type": "nps", "score": 9} ]}"#;

fn at(raw: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(raw).unwrap().with_timezone(&Utc)
}

fn email(raw: &str) -> EmailAddress {
    EmailAddress::parse(raw).unwrap()
}

fn event(when: &str, kind: ImportedKind) -> ImportedEvent {
    ImportedEvent { at: at(when), kind }
}

/// A small valid line with `events` (JSON array items) after the customer's
/// first message.
fn line_with(events: &str) -> String {
    let first = r#"{"at": "2026-03-02T09:15:00Z", "type": "message", "author": "customer", "body": "Help"}"#;
    let events = if events.is_empty() {
        first.to_owned()
    } else {
        format!("{first}, {events}")
    };
    format!(
        r#"{{"external_id": "T-9", "channel": "chat", "subject": "Hi", "priority": "low", "customer": {{"email": "ana@example.com"}}, "created_at": "2026-03-02T09:15:00Z", "events": [{events}]}}"#
    )
}

fn refusal(line: &str) -> LineError {
    parse_line(line).unwrap_err()
}

fn event_refusal(line: &str) -> (usize, EventError) {
    match refusal(line) {
        LineError::Event { index, error, .. } => (index, error),
        other => panic!("expected an event error, got {other:?}"),
    }
}

#[test]
fn the_contract_example_parses_exactly() {
    let bo = email("bo@desk.example");
    let expected = ImportedTicket {
        external_id: "T-1".into(),
        subject: "Card declined".into(),
        channel: Channel::Email,
        priority: Priority::Normal,
        customer_email: email("ana@example.com"),
        customer_name: Some("Ana".into()),
        tags: BTreeSet::from([Tag::parse("billing").unwrap()]),
        created_at: at("2026-03-02T09:15:00Z"),
        fcr_eligible: true,
        events: vec![
            event(
                "2026-03-02T09:15:00Z",
                ImportedKind::Message {
                    author: ImportedAuthor::Customer,
                    body: "...".into(),
                },
            ),
            event(
                "2026-03-02T09:40:00Z",
                ImportedKind::Assign {
                    agent: Some(Some(bo.clone())),
                    team: Some(Some("Billing".into())),
                },
            ),
            event(
                "2026-03-02T10:05:00Z",
                ImportedKind::Message {
                    author: ImportedAuthor::Agent(bo.clone()),
                    body: "...".into(),
                },
            ),
            event(
                "2026-03-02T10:06:00Z",
                ImportedKind::Note {
                    agent: bo,
                    body: "...".into(),
                },
            ),
            event("2026-03-02T10:07:00Z", ImportedKind::Status(TicketStatus::Pending)),
            event("2026-03-03T08:00:00Z", ImportedKind::Status(TicketStatus::Solved)),
            event(
                "2026-03-03T12:00:00Z",
                ImportedKind::Survey {
                    survey: Survey::Csat,
                    score: 5,
                    comment: Some("quick!".into()),
                },
            ),
            event(
                "2026-03-04T12:00:00Z",
                ImportedKind::Survey {
                    survey: Survey::Nps,
                    score: 9,
                    comment: None,
                },
            ),
        ],
    };
    assert_eq!(parse_line(EXAMPLE).unwrap(), expected);
}

#[test]
fn unknown_fields_are_ignored_everywhere() {
    let line = EXAMPLE
        .replacen(
            r#""external_id""#,
            r#""desk": "zendesk", "via": {"x": [1, 2]}, "external_id""#,
            1,
        )
        .replacen(r#""name": "Ana""#, r#""name": "Ana", "phone": "+1 555""#, 1)
        .replacen(r#""rating": 5"#, r#""rating": 5, "channel_ref": 77"#, 1);
    assert_eq!(parse_line(&line).unwrap(), parse_line(EXAMPLE).unwrap());
}

#[test]
fn optional_fields_have_their_defaults() {
    let ticket = parse_line(&line_with("")).unwrap();
    assert!(ticket.fcr_eligible, "fcr_eligible defaults to true");
    assert!(ticket.tags.is_empty());
    assert_eq!(ticket.customer_name, None);

    let no_events = r#"{"external_id": "T-0", "channel": "api", "subject": "S", "priority": "urgent", "customer": {"email": "x@example.com"}, "created_at": "2026-03-02T09:15:00Z", "fcr_eligible": false}"#;
    let ticket = parse_line(no_events).unwrap();
    assert!(ticket.events.is_empty());
    assert!(!ticket.fcr_eligible);
}

#[test]
fn enums_are_lower_snake_case_and_instants_are_truncated_to_microseconds() {
    let line = line_with(r#"{"at": "2026-03-02T10:15:00.123456789+01:00", "type": "status", "status": "on_hold"}"#)
        .replace(r#""chat""#, r#""web_form""#);
    let ticket = parse_line(&line).unwrap();
    assert_eq!(ticket.channel, Channel::WebForm);
    let last = ticket.events.last().unwrap();
    assert_eq!(last.kind, ImportedKind::Status(TicketStatus::OnHold));
    assert_eq!(last.at.to_rfc3339(), "2026-03-02T09:15:00.123456+00:00");
}

#[test]
fn assign_tells_null_from_absent() {
    let line = line_with(
        r#"{"at": "2026-03-02T09:20:00Z", "type": "assign", "agent": "bo@desk.example", "team": "Billing"},
           {"at": "2026-03-02T09:30:00Z", "type": "assign", "agent": null},
           {"at": "2026-03-02T09:40:00Z", "type": "assign", "team": null}"#,
    );
    let kinds: Vec<_> = parse_line(&line).unwrap().events.into_iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds[2],
        ImportedKind::Assign {
            agent: Some(None),
            team: None
        }
    );
    assert_eq!(
        kinds[3],
        ImportedKind::Assign {
            agent: None,
            team: Some(None)
        }
    );
}

#[test]
fn broken_json_names_its_column() {
    let err = refusal(r#"{"external_id": "T-1", "channel": }"#);
    assert!(matches!(err, LineError::InvalidJson { column: 35, .. }), "{err:?}");
    assert!(err.to_string().starts_with("invalid JSON at column 35: "), "{err}");

    let err = refusal(r#"{"external_id": "T-1""#);
    assert!(matches!(err, LineError::InvalidJson { .. }), "{err:?}");

    let err = refusal("42");
    assert!(err.to_string().contains("expected a ticket object"), "{err}");

    let err = refusal(&line_with("").replace(r#""subject": "Hi""#, r#""subject": 42"#));
    assert!(matches!(err, LineError::WrongType { .. }), "{err:?}");
    assert!(err.to_string().contains("invalid type: integer `42`"), "{err}");
}

#[test]
fn missing_fields_are_named() {
    for field in ["external_id", "channel", "subject", "priority", "created_at"] {
        let line = line_with("").replacen(&format!(r#""{field}""#), r#""ignored""#, 1);
        assert_eq!(refusal(&line), LineError::MissingField(field), "{field}");
    }
    let line = line_with("").replace(r#""customer": {"email": "ana@example.com"}"#, r#""customer": {}"#);
    assert_eq!(refusal(&line), LineError::MissingField("customer.email"));
    assert_eq!(refusal(&line).to_string(), "missing field `customer.email`");
}

#[test]
fn bad_values_are_named() {
    let err = refusal(&line_with("").replace(r#""chat""#, r#""fax""#));
    assert_eq!(
        err,
        LineError::Unknown {
            field: "channel",
            value: "fax".into()
        }
    );
    assert_eq!(err.to_string(), r#"unknown channel "fax""#);

    let err = refusal(&line_with("").replace(r#""low""#, r#""meh""#));
    assert_eq!(err.to_string(), r#"unknown priority "meh""#);

    let err = refusal(&line_with("").replace("ana@example.com", "ana-at-example"));
    assert_eq!(
        err,
        LineError::BadEmail {
            field: "customer.email",
            value: "ana-at-example".into()
        }
    );

    let err = refusal(&line_with("").replace(r#""priority""#, r#""tags": ["two words"], "priority""#));
    assert_eq!(err, LineError::BadTag("two words".into()));

    let err = refusal(&line_with("").replacen("2026-03-02T09:15:00Z", "yesterday", 1));
    assert_eq!(
        err,
        LineError::BadInstant {
            field: "created_at",
            value: "yesterday".into()
        }
    );

    let err = refusal(&line_with("").replace(r#""subject": "Hi""#, r#""subject": "   ""#));
    assert_eq!(err.to_string(), "subject must not be empty");

    let err = refusal(&line_with("").replace(r#""subject": "Hi""#, r#""subject": "H\u0000i""#));
    assert_eq!(err, LineError::Nul { field: "subject" });
    assert_eq!(err.to_string(), r"subject contains a NUL character (\u0000)");

    let long_id = "x".repeat(256);
    let err = refusal(&line_with("").replace("T-9", &long_id));
    assert_eq!(err.to_string(), "external_id is longer than 255 characters");
}

#[test]
fn bad_events_are_named_with_their_index() {
    let ok = r#"{"at": "2026-03-02T09:20:00Z", "type": "status", "status": "open"}"#;
    let with = |bad: &str| line_with(&format!("{ok}, {bad}"));

    let line = with(r#"{"at": "2026-03-02T10:00:00Z", "type": "message", "author": "agent", "body": "Hi"}"#);
    assert_eq!(event_refusal(&line), (2, EventError::AgentMessageWithoutAgent));
    assert_eq!(
        refusal(&line).to_string(),
        "event 2 (message): an agent message needs `agent`"
    );

    let line = with(r#"{"at": "2026-03-02T10:00:00Z", "type": "csat", "rating": 7}"#);
    assert_eq!(
        event_refusal(&line),
        (
            2,
            EventError::ScoreOutOfRange {
                survey: Survey::Csat,
                field: "rating",
                score: 7,
                range: "1-5"
            }
        )
    );
    assert_eq!(
        refusal(&line).to_string(),
        "event 2 (csat): CSAT rating 7 is out of range (1-5)"
    );

    let line = with(r#"{"at": "2026-03-02T10:00:00Z", "type": "nps", "score": -1}"#);
    assert!(matches!(
        event_refusal(&line).1,
        EventError::ScoreOutOfRange { score: -1, .. }
    ));

    let line = with(r#"{"at": "2026-03-02T10:00:00Z", "type": "csat"}"#);
    assert_eq!(event_refusal(&line).1, EventError::MissingField("rating"));

    let line = with(r#"{"at": "2026-03-02T10:00:00Z", "type": "escalate"}"#);
    assert_eq!(event_refusal(&line).1, EventError::UnknownType);
    assert!(
        refusal(&line)
            .to_string()
            .starts_with("event 2 (escalate): unknown event type")
    );

    let line = with(r#"{"at": "2026-03-02T10:00:00Z", "type": "status", "status": "done"}"#);
    assert_eq!(
        event_refusal(&line).1,
        EventError::Unknown {
            field: "status",
            value: "done".into()
        }
    );

    let line = with(r#"{"at": "2026-03-02T10:00:00Z", "type": "note", "body": "x"}"#);
    assert_eq!(event_refusal(&line).1, EventError::MissingField("agent"));

    let line = with(r#"{"at": "2026-03-02T10:00:00Z", "type": "message", "author": "bot", "body": "x"}"#);
    assert!(matches!(
        event_refusal(&line).1,
        EventError::Unknown { field: "author", .. }
    ));

    let line = with(r#"{"type": "status", "status": "open"}"#);
    assert_eq!(event_refusal(&line).1, EventError::MissingField("at"));

    let line = with(r#"{"at": "2026-03-02T10:00:00Z", "type": "message", "author": "customer", "body": " "}"#);
    assert_eq!(
        event_refusal(&line).1,
        EventError::BadText("body must not be empty".into())
    );

    let line = with(r#"{"at": "2026-03-02T10:00:00Z", "type": "note", "agent": "bo@desk.example", "body": "a\u0000"}"#);
    assert_eq!(event_refusal(&line).1, EventError::Nul { field: "body" });

    let line = with(r#"{"at": "2026-03-02T10:00:00Z", "type": "assign", "agent": "nobody"}"#);
    assert!(matches!(
        event_refusal(&line).1,
        EventError::BadEmail { field: "agent", .. }
    ));
}

#[test]
fn histories_that_break_the_rules_are_refused() {
    let line = line_with(r#"{"at": "2026-03-02T09:00:00Z", "type": "status", "status": "open"}"#);
    assert!(matches!(
        refusal(&line),
        LineError::Rule(ImportError::OutOfOrder { index: 1, .. })
    ));

    let line = line_with(
        r#"{"at": "2026-03-02T10:00:00Z", "type": "status", "status": "closed"},
           {"at": "2026-03-02T11:00:00Z", "type": "status", "status": "open"}"#,
    );
    let err = refusal(&line);
    assert!(
        matches!(err, LineError::Rule(ImportError::LeavesClosed { index: 2, .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("CLOSED"), "{err}");

    let line = line_with("").replacen("2026-03-02T09:15:00Z", "2026-03-01T09:15:00Z", 1);
    assert!(matches!(
        refusal(&line),
        LineError::Rule(ImportError::FirstEventNotAtCreation { .. })
    ));

    let line = line_with(r#"{"at": "2026-03-02T10:00:00Z", "type": "assign"}"#);
    assert_eq!(refusal(&line), LineError::Rule(ImportError::EmptyAssign { index: 1 }));

    let line = line_with("").replace("T-9", "  ");
    assert_eq!(refusal(&line), LineError::Rule(ImportError::NoExternalId));
}

#[test]
fn a_file_streams_line_by_line() {
    let mut file = Vec::new();
    file.extend_from_slice(b"\xEF\xBB\xBF");
    file.extend_from_slice(line_with("").as_bytes());
    file.extend_from_slice(b"\r\n\n   \n");
    file.extend_from_slice(b"{not json}\n");
    file.extend_from_slice(b"\xFF\xFE\n");
    file.extend_from_slice(format!("{}{}\n", line_with(""), " ".repeat(300)).as_bytes());
    file.extend_from_slice(line_with("").replace("T-9", "T-10").as_bytes()); // no final newline
    let total = file.len() as u64;

    let max = line_with("").len() + 100;
    let mut lines = Lines::with_max_line(Cursor::new(file), max);
    let mut seen = Vec::new();
    for next in lines.by_ref() {
        let (number, parsed) = next.unwrap();
        seen.push((number, parsed.map(|t| t.external_id)));
    }
    assert_eq!(
        seen,
        vec![
            (1, Ok("T-9".to_owned())),
            (
                4,
                Err(LineError::InvalidJson {
                    column: 2,
                    reason: "key must be a string".into()
                })
            ),
            (5, Err(LineError::NotUtf8)),
            (6, Err(LineError::TooLong { max })),
            (7, Ok("T-10".to_owned())),
        ]
    );
    assert_eq!(lines.bytes_read(), total);
}

fn until() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap()
}

#[test]
fn seeding_is_deterministic_per_seed() {
    let a: Vec<_> = seed(200, 7, until()).collect();
    let b: Vec<_> = seed(200, 7, until()).collect();
    assert_eq!(a.len(), 200);
    assert_eq!(a, b, "same seed, same tickets");

    let c: Vec<_> = seed(200, 8, until()).collect();
    assert_ne!(a, c, "another seed, other tickets");
    assert_eq!(a[0].external_id, "seed-7-1");
    assert_eq!(c[199].external_id, "seed-8-200");

    let fewer: Vec<_> = seed(50, 7, until()).collect();
    assert_eq!(fewer[..], a[..50], "ticket n does not depend on how many are asked for");
}

#[test]
fn seeded_tickets_are_valid_and_look_like_a_desk() {
    let tickets: Vec<_> = seed(3000, 1, until()).collect();
    let ids: HashSet<_> = tickets.iter().map(|t| t.external_id.as_str()).collect();
    assert_eq!(ids.len(), tickets.len(), "external ids are unique");
    for t in &tickets {
        t.check()
            .unwrap_or_else(|e| panic!("{} fails check(): {e}", t.external_id));
        assert!(t.created_at < until() && t.created_at > until() - chrono::TimeDelta::days(366));
        assert!(
            t.events.iter().all(|e| e.at < until()),
            "{} reaches past until",
            t.external_id
        );
    }

    let share = |pred: &dyn Fn(&ImportedTicket) -> bool| {
        tickets.iter().filter(|t| pred(t)).count() as f64 / tickets.len() as f64
    };
    let between = |x: f64, lo: f64, hi: f64, what: &str| assert!(lo <= x && x <= hi, "{what}: {x}");
    between(share(&|t| t.channel == Channel::Email), 0.45, 0.55, "email share");
    between(
        share(&|t| t.priority == Priority::Normal),
        0.55,
        0.65,
        "normal priority share",
    );
    let customers: HashSet<_> = tickets.iter().map(|t| &t.customer_email).collect();
    between(
        customers.len() as f64 / tickets.len() as f64,
        0.25,
        0.42,
        "distinct customers per ticket",
    );
    between(share(&|t| !t.fcr_eligible), 0.02, 0.08, "not FCR eligible");

    let status = |t: &ImportedTicket| {
        t.events.iter().fold(TicketStatus::New, |s, e| match e.kind {
            ImportedKind::Status(to) => to,
            _ => s,
        })
    };
    between(share(&|t| !status(t).is_resolved()), 0.05, 0.20, "left unresolved");
    between(share(&|t| status(t) == TicketStatus::Closed), 0.2, 0.45, "closed");
    let has = |t: &ImportedTicket, f: &dyn Fn(&ImportedKind) -> bool| t.events.iter().any(|e| f(&e.kind));
    let csat = |k: &ImportedKind| {
        matches!(
            k,
            ImportedKind::Survey {
                survey: Survey::Csat,
                ..
            }
        )
    };
    let nps = |k: &ImportedKind| {
        matches!(
            k,
            ImportedKind::Survey {
                survey: Survey::Nps,
                ..
            }
        )
    };
    let reopen_count = tickets
        .iter()
        .filter(|t| {
            t.events.windows(2).any(|w| {
                w[0].kind == ImportedKind::Status(TicketStatus::Solved)
                    && matches!(w[1].kind, ImportedKind::Message { .. })
            })
        })
        .count();
    between(reopen_count as f64 / tickets.len() as f64, 0.03, 0.12, "reopened");
    between(share(&|t| has(t, &csat)), 0.2, 0.35, "CSAT answered");
    between(share(&|t| has(t, &nps)), 0.05, 0.13, "NPS answered");
    let agent_first = |t: &ImportedTicket| {
        matches!(
            t.events.first().map(|e| &e.kind),
            Some(ImportedKind::Message {
                author: ImportedAuthor::Agent(_),
                ..
            })
        )
    };
    between(share(&agent_first), 0.03, 0.1, "agent-created");
    let weekday_office = tickets
        .iter()
        .filter(|t| {
            use chrono::{Datelike, Timelike};
            t.created_at.weekday().number_from_monday() <= 5 && (8..18).contains(&t.created_at.hour())
        })
        .count();
    between(
        weekday_office as f64 / tickets.len() as f64,
        0.6,
        0.9,
        "arrivals in office hours",
    );
    let agents: HashSet<_> = tickets.iter().flat_map(|t| t.agents()).collect();
    assert_eq!(agents.len(), 12, "twelve agents");
    let teams: HashSet<_> = tickets.iter().flat_map(|t| t.teams()).collect();
    assert_eq!(teams.len(), 3, "three teams");
}
