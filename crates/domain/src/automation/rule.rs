//! Rules: "when this happens to a ticket like that, do this", kept by
//! admins and run by the desk in the transaction of the change that
//! started them.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::actions::TicketActions;
use super::placeholders::TICKET_PLACEHOLDERS;
use crate::DomainError;
use crate::email::EmailAddress;
use crate::ids::{AgentId, TeamId};
use crate::macros::named_enum;
use crate::sla::check_webhook_secret;
use crate::tag::Tag;
use crate::template;
use crate::ticket::{Author, Channel, EventKind, Priority, TicketEvent, TicketStatus, text};

/// How many rounds of rules one change may start: the change's own, then
/// what the rules' changes start, and so on. A chain still going after
/// this many rounds stops with a `RULE_CHAIN_STOPPED` event.
pub const MAX_CHAIN: u32 = 5;

named_enum! {
    /// What happens to a ticket that can start a rule.
    RuleEvent as "rule event" {
        TicketCreated => "TICKET_CREATED",
        /// A customer's message on an existing ticket.
        CustomerReplied => "CUSTOMER_REPLIED",
        /// An agent's public reply.
        AgentReplied => "AGENT_REPLIED",
        StatusChanged => "STATUS_CHANGED",
        PriorityChanged => "PRIORITY_CHANGED",
        /// The ticket was given to an agent.
        Assigned => "ASSIGNED",
        SlaWarning => "SLA_WARNING",
        SlaBreached => "SLA_BREACHED",
        SurveyAnswered => "SURVEY_ANSWERED",
    }
}

impl RuleEvent {
    /// The rule events one change (its events, in order) is made of. A
    /// new ticket's first message is its creation, not a reply.
    pub fn of(events: &[TicketEvent]) -> BTreeSet<RuleEvent> {
        let created = events.iter().any(|e| matches!(e.kind, EventKind::Created { .. }));
        events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Created { .. } => Some(RuleEvent::TicketCreated),
                EventKind::Message {
                    author: Author::Customer,
                    moved_from: None,
                    ..
                } if !created => Some(RuleEvent::CustomerReplied),
                EventKind::Message {
                    author: Author::Agent,
                    moved_from: None,
                    ..
                } => Some(RuleEvent::AgentReplied),
                EventKind::StatusChanged { .. } => Some(RuleEvent::StatusChanged),
                EventKind::PriorityChanged { .. } => Some(RuleEvent::PriorityChanged),
                EventKind::AssigneeChanged { to: Some(_), .. } => Some(RuleEvent::Assigned),
                EventKind::SlaWarning { .. } => Some(RuleEvent::SlaWarning),
                EventKind::SlaBreached { .. } => Some(RuleEvent::SlaBreached),
                EventKind::SurveyAnswered { .. } => Some(RuleEvent::SurveyAnswered),
                _ => None,
            })
            .collect()
    }
}

/// One test of a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "test", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Condition {
    ChannelIn {
        channels: Vec<Channel>,
    },
    PriorityIn {
        priorities: Vec<Priority>,
    },
    StatusIn {
        statuses: Vec<TicketStatus>,
    },
    HasTag {
        tag: Tag,
    },
    LacksTag {
        tag: Tag,
    },
    /// On that team; `None`: on no team.
    TeamIs {
        team: Option<TeamId>,
    },
    AssigneeSet {
        set: bool,
    },
    /// Case-insensitive.
    SubjectContains {
        text: String,
    },
    /// The message the change is about (the latest public one),
    /// case-insensitive.
    BodyContains {
        text: String,
    },
    /// The customer's address is at this domain (or a subdomain of it).
    CustomerDomain {
        domain: String,
    },
    /// The change happens while the desk's business calendar is open
    /// (`open: true`) or closed.
    BusinessHours {
        open: bool,
    },
    /// It came through the web form with this key.
    WebForm {
        key: String,
    },
}

/// What a condition is tested against: the ticket as the change left it.
#[derive(Debug, Clone)]
pub struct RuleTicket<'a> {
    pub channel: Channel,
    pub priority: Priority,
    pub status: TicketStatus,
    pub tags: &'a BTreeSet<Tag>,
    pub team: Option<TeamId>,
    pub assignee: Option<AgentId>,
    pub subject: &'a str,
    pub latest_body: &'a str,
    pub customer_email: Option<&'a EmailAddress>,
    pub in_business_hours: bool,
    /// The key of the web form it came through.
    pub web_form: Option<&'a str>,
}

fn contains_folded(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

impl Condition {
    pub fn holds(&self, t: &RuleTicket<'_>) -> bool {
        match self {
            Condition::ChannelIn { channels } => channels.contains(&t.channel),
            Condition::PriorityIn { priorities } => priorities.contains(&t.priority),
            Condition::StatusIn { statuses } => statuses.contains(&t.status),
            Condition::HasTag { tag } => t.tags.contains(tag),
            Condition::LacksTag { tag } => !t.tags.contains(tag),
            Condition::TeamIs { team } => t.team == *team,
            Condition::AssigneeSet { set } => t.assignee.is_some() == *set,
            Condition::SubjectContains { text } => contains_folded(t.subject, text),
            Condition::BodyContains { text } => contains_folded(t.latest_body, text),
            Condition::CustomerDomain { domain } => t.customer_email.is_some_and(|email| {
                let host = email.as_str().rsplit_once('@').map_or("", |(_, h)| h).to_lowercase();
                host == *domain || host.ends_with(&format!(".{domain}"))
            }),
            Condition::BusinessHours { open } => t.in_business_hours == *open,
            Condition::WebForm { key } => t.web_form == Some(key.as_str()),
        }
    }

    fn validate(&self) -> Result<(), DomainError> {
        let empty = |field| Err(DomainError::Empty { field });
        match self {
            Condition::ChannelIn { channels } if channels.is_empty() => empty("conditions.channels"),
            Condition::PriorityIn { priorities } if priorities.is_empty() => empty("conditions.priorities"),
            Condition::StatusIn { statuses } if statuses.is_empty() => empty("conditions.statuses"),
            Condition::SubjectContains { text: t } | Condition::BodyContains { text: t } => {
                text::bounded(t, "conditions.text", 200).map(|_| ())
            }
            Condition::CustomerDomain { domain } => {
                let ok = !domain.is_empty()
                    && domain.len() <= 253
                    && *domain == domain.to_lowercase()
                    && domain
                        .split('.')
                        .all(|label| !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
                if ok {
                    Ok(())
                } else {
                    Err(DomainError::InvalidDomain(domain.clone()))
                }
            }
            _ => Ok(()),
        }
    }
}

/// A rule's conditions: every one of `all`, and at least one of `any`
/// when it has any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conditions {
    #[serde(default)]
    pub all: Vec<Condition>,
    #[serde(default)]
    pub any: Vec<Condition>,
}

impl Conditions {
    pub fn hold(&self, t: &RuleTicket<'_>) -> bool {
        self.all.iter().all(|c| c.holds(t)) && (self.any.is_empty() || self.any.iter().any(|c| c.holds(t)))
    }

    /// Whether a test needs the business calendar.
    pub fn ask_business_hours(&self) -> bool {
        self.all
            .iter()
            .chain(&self.any)
            .any(|c| matches!(c, Condition::BusinessHours { .. }))
    }
}

/// A time-based rule's start: the ticket has been in `status` for
/// `minutes` and nothing has happened to it since.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleTimer {
    pub status: TicketStatus,
    pub minutes: u32,
}

impl RuleTimer {
    /// A year.
    pub const MAX_MINUTES: u32 = 525_600;

    fn validate(self) -> Result<(), DomainError> {
        if !(1..=Self::MAX_MINUTES).contains(&self.minutes) {
            return Err(DomainError::OutOfRange {
                field: "timer.minutes",
                min: 1,
                max: Self::MAX_MINUTES,
            });
        }
        if self.status == TicketStatus::Closed {
            // Nothing changes a CLOSED ticket.
            return Err(DomainError::StatusNeverSet {
                field: "timer.status",
                status: TicketStatus::Closed,
            });
        }
        Ok(())
    }
}

/// A mail a rule sends agents about the ticket: to each agent named and
/// each active member of each team named, once. Subject and body are
/// templates over the ticket's placeholders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleNotify {
    #[serde(default)]
    pub agents: BTreeSet<AgentId>,
    #[serde(default)]
    pub teams: BTreeSet<TeamId>,
    pub subject: String,
    pub body: String,
}

impl RuleNotify {
    pub const SUBJECT_MAX: usize = 200;

    fn validate(&self) -> Result<(), DomainError> {
        if self.agents.is_empty() && self.teams.is_empty() {
            return Err(DomainError::Empty {
                field: "notify.agentIds",
            });
        }
        template::check("notify.subject", &self.subject, TICKET_PLACEHOLDERS)?;
        if self.subject.chars().count() > Self::SUBJECT_MAX {
            return Err(DomainError::TooLong {
                field: "notify.subject",
                max: Self::SUBJECT_MAX,
            });
        }
        if self.subject.contains(['\r', '\n']) {
            return Err(DomainError::TemplateSyntax {
                field: "notify.subject",
                reason: "a subject is one line",
            });
        }
        template::check("notify.body", &self.body, TICKET_PLACEHOLDERS)?;
        if self.body.chars().count() > text::BODY_MAX {
            return Err(DomainError::TooLong {
                field: "notify.body",
                max: text::BODY_MAX,
            });
        }
        Ok(())
    }
}

/// A signed POST a rule queues about the ticket, delivered, retried and
/// given up like the event webhooks'. The URL's target is the channels'
/// policy, checked by whoever saves it and again at every send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleWebhook {
    pub url: String,
    /// The HMAC-SHA256 key of its signature.
    pub secret: String,
}

impl RuleWebhook {
    fn validate(&self) -> Result<(), DomainError> {
        text::bounded(&self.url, "webhook.url", 2000)?;
        check_webhook_secret("webhook.secret", &self.secret)
    }
}

/// What a rule does when it runs: changes to the ticket, a mail to agents,
/// a webhook call; at least one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleEffects {
    pub actions: TicketActions,
    pub notify: Option<RuleNotify>,
    pub webhook: Option<RuleWebhook>,
}

/// What a rule is, as an admin saves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDraft {
    pub name: String,
    /// Rules run in ascending position (then by name).
    pub position: i32,
    pub active: bool,
    /// The events that start it; empty for a time-based rule.
    pub events: BTreeSet<RuleEvent>,
    /// What starts a time-based rule, instead of events.
    pub timer: Option<RuleTimer>,
    pub conditions: Conditions,
    pub actions: TicketActions,
    /// Agents to tell by mail when it runs.
    pub notify: Option<RuleNotify>,
    /// A URL to call when it runs.
    pub webhook: Option<RuleWebhook>,
}

impl RuleDraft {
    pub const NAME_MAX: usize = 100;

    /// Checks the rule as a whole.
    pub fn new(
        name: &str,
        position: i32,
        active: bool,
        start: RuleStart,
        conditions: Conditions,
        effects: RuleEffects,
    ) -> Result<Self, DomainError> {
        let RuleEffects {
            actions,
            notify,
            webhook,
        } = effects;
        let name = text::bounded(name, "name", Self::NAME_MAX)?;
        let (events, timer) = match start {
            RuleStart::Events(events) if events.is_empty() => return Err(DomainError::Empty { field: "events" }),
            RuleStart::Events(events) => (events, None),
            RuleStart::Timer(timer) => {
                timer.validate()?;
                if actions == TicketActions::default() {
                    // Only a change restarts a ticket's quiet time; a rule
                    // that changed nothing would run again at every look.
                    return Err(DomainError::Empty { field: "actions" });
                }
                (BTreeSet::new(), Some(timer))
            }
        };
        for condition in conditions.all.iter().chain(&conditions.any) {
            condition.validate()?;
        }
        if let Some(notify) = &notify {
            notify.validate()?;
        }
        if let Some(webhook) = &webhook {
            webhook.validate()?;
        }
        // Telling someone or calling a URL is enough for a rule to do.
        if actions != TicketActions::default() || (notify.is_none() && webhook.is_none()) {
            actions.validate()?;
        }
        Ok(Self {
            name,
            position,
            active,
            events,
            timer,
            conditions,
            actions,
            notify,
            webhook,
        })
    }

    /// Whether a change made of `events` starts this rule.
    pub fn started_by(&self, events: &BTreeSet<RuleEvent>) -> bool {
        self.active && !self.events.is_disjoint(events)
    }
}

/// What starts a rule: events, or time passing (exactly one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleStart {
    Events(BTreeSet<RuleEvent>),
    Timer(RuleTimer),
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::ids::MessageId;
    use crate::tag::parse_tags;
    use crate::ticket::Actor;

    fn ticket<'a>(tags: &'a BTreeSet<Tag>, email: &'a EmailAddress) -> RuleTicket<'a> {
        RuleTicket {
            channel: Channel::WebForm,
            priority: Priority::Normal,
            status: TicketStatus::New,
            tags,
            team: None,
            assignee: None,
            subject: "Invoice missing",
            latest_body: "Where is my INVOICE for March?",
            customer_email: Some(email),
            in_business_hours: true,
            web_form: Some("billing"),
        }
    }

    fn effects(actions: TicketActions) -> RuleEffects {
        RuleEffects {
            actions,
            ..RuleEffects::default()
        }
    }

    fn event(kind: EventKind) -> TicketEvent {
        TicketEvent {
            at: Utc::now(),
            actor: Actor::System,
            kind,
        }
    }

    #[test]
    fn a_new_tickets_first_message_is_its_creation_not_a_reply() {
        let message = EventKind::Message {
            message_id: MessageId::new(),
            author: Author::Customer,
            channel: Channel::Email,
            moved_from: None,
        };
        let created = [
            event(EventKind::Created {
                channel: Channel::Email,
                priority: Priority::Normal,
            }),
            event(message.clone()),
        ];
        assert_eq!(RuleEvent::of(&created), BTreeSet::from([RuleEvent::TicketCreated]));
        assert_eq!(
            RuleEvent::of(&[event(message)]),
            BTreeSet::from([RuleEvent::CustomerReplied])
        );
    }

    #[test]
    fn all_must_hold_and_one_of_any() {
        let tags = parse_tags(&["billing"]).unwrap();
        let email = EmailAddress::parse("ana@mail.acme.com").unwrap();
        let t = ticket(&tags, &email);
        let billing = Condition::HasTag {
            tag: Tag::parse("billing").unwrap(),
        };
        let conditions = Conditions {
            all: vec![
                billing.clone(),
                Condition::ChannelIn {
                    channels: vec![Channel::WebForm],
                },
                Condition::AssigneeSet { set: false },
            ],
            any: vec![
                Condition::SubjectContains { text: "refund".into() },
                Condition::BodyContains { text: "invoice".into() },
            ],
        };
        assert!(conditions.hold(&t));
        assert!(
            Condition::CustomerDomain {
                domain: "acme.com".into()
            }
            .holds(&t)
        );
        assert!(
            !Condition::CustomerDomain {
                domain: "me.com".into()
            }
            .holds(&t)
        );
        assert!(Condition::WebForm { key: "billing".into() }.holds(&t));
        assert!(!Condition::WebForm { key: "sales".into() }.holds(&t));
        let urgent_only = Conditions {
            all: vec![billing],
            any: vec![Condition::PriorityIn {
                priorities: vec![Priority::Urgent],
            }],
        };
        assert!(!urgent_only.hold(&t));
    }

    #[test]
    fn a_rule_needs_events_valid_tests_and_templates() {
        let actions = TicketActions {
            priority: Some(Priority::High),
            ..TicketActions::default()
        };
        let events = BTreeSet::from([RuleEvent::SlaWarning]);
        assert!(
            RuleDraft::new(
                "Escalate",
                1,
                true,
                RuleStart::Events(events.clone()),
                Conditions::default(),
                effects(actions.clone())
            )
            .is_ok()
        );
        assert_eq!(
            RuleDraft::new(
                "Escalate",
                1,
                true,
                RuleStart::Events(BTreeSet::new()),
                Conditions::default(),
                effects(actions.clone())
            ),
            Err(DomainError::Empty { field: "events" })
        );
        let bad_domain = Conditions {
            all: vec![Condition::CustomerDomain { domain: "@acme".into() }],
            any: vec![],
        };
        assert!(matches!(
            RuleDraft::new(
                "x",
                1,
                true,
                RuleStart::Events(events.clone()),
                bad_domain,
                effects(actions.clone())
            ),
            Err(DomainError::InvalidDomain(_))
        ));
        let reply = TicketActions {
            reply: Some("Hi {customer}".into()),
            ..TicketActions::default()
        };
        assert!(matches!(
            RuleDraft::new(
                "x",
                1,
                true,
                RuleStart::Events(events),
                Conditions::default(),
                effects(reply)
            ),
            Err(DomainError::UnknownPlaceholder {
                field: "actions.reply",
                ..
            })
        ));
        let timer = |status, minutes| RuleStart::Timer(RuleTimer { status, minutes });
        let close = RuleDraft::new(
            "Close",
            1,
            true,
            timer(TicketStatus::Solved, 5760),
            Conditions::default(),
            effects(actions.clone()),
        )
        .unwrap();
        assert!(close.events.is_empty() && close.timer.is_some());
        assert!(!close.started_by(&BTreeSet::from([RuleEvent::StatusChanged])));
        assert!(matches!(
            RuleDraft::new(
                "x",
                1,
                true,
                timer(TicketStatus::Solved, 0),
                Conditions::default(),
                effects(actions.clone())
            ),
            Err(DomainError::OutOfRange {
                field: "timer.minutes",
                ..
            })
        ));
        assert!(matches!(
            RuleDraft::new(
                "x",
                1,
                true,
                timer(TicketStatus::Closed, 60),
                Conditions::default(),
                effects(actions)
            ),
            Err(DomainError::StatusNeverSet {
                field: "timer.status",
                ..
            })
        ));
    }
}
