//! Rules: when an event happens to a ticket that meets the conditions, the
//! desk applies the actions. See docs/api.md#rules.

use async_graphql::{Context, Enum, ID, InputObject, Object, OneofObject, SimpleObject};
use chrono::{DateTime, Utc};
use helpdesk_domain::automation::{Condition, Conditions};
use helpdesk_domain::tag::Tag;
use helpdesk_persistence::rules::RuleRecord;

use super::agent::Agent;
use super::enums::{Channel, Priority, TicketStatus};
use super::saved_macro::TicketActions;
use super::team::Team;
use super::{loader, parse_id};
use crate::error::ApiResult;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "RuleEvent", remote = "helpdesk_domain::automation::RuleEvent")]
pub(crate) enum RuleEvent {
    TicketCreated,
    /// A customer's message on an existing ticket.
    CustomerReplied,
    /// An agent's public reply.
    AgentReplied,
    StatusChanged,
    PriorityChanged,
    /// The ticket was given to an agent.
    Assigned,
    SlaWarning,
    SlaBreached,
    SurveyAnswered,
}

/// An admin's rule. Active rules started by an event run in `position`
/// order, in the transaction of the change, and what they change is
/// recorded as theirs.
pub(crate) struct Rule(pub RuleRecord);

#[Object]
impl Rule {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn name(&self) -> &str {
        &self.0.rule.name
    }

    /// Rules run in ascending position (then by name).
    async fn position(&self) -> i32 {
        self.0.rule.position
    }

    async fn active(&self) -> bool {
        self.0.rule.active
    }

    /// The events that start it; empty for a time-based rule.
    async fn events(&self) -> Vec<RuleEvent> {
        self.0.rule.events.iter().copied().map(Into::into).collect()
    }

    /// What starts a time-based rule; null for one started by events.
    async fn timer(&self) -> Option<RuleTimer> {
        self.0.rule.timer.map(|t| RuleTimer {
            status: t.status.into(),
            minutes: t.minutes,
        })
    }

    async fn conditions(&self) -> RuleConditions {
        RuleConditions(self.0.rule.conditions.clone())
    }

    async fn actions(&self) -> TicketActions {
        TicketActions(self.0.rule.actions.clone())
    }

    /// The URL it calls when it runs (its secret is never shown).
    async fn webhook_url(&self) -> Option<&str> {
        self.0.rule.webhook.as_ref().map(|w| w.url.as_str())
    }

    /// Whom it tells by mail when it runs, and what.
    async fn notify(&self) -> Option<RuleNotify> {
        self.0.rule.notify.clone().map(RuleNotify)
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A time-based rule runs on a ticket that has been in `status` for
/// `minutes` with nothing happening to it since (its last change).
#[derive(SimpleObject, InputObject)]
#[graphql(input_name = "RuleTimerInput")]
pub(crate) struct RuleTimer {
    /// Any status but CLOSED.
    pub status: TicketStatus,
    /// 1 to 525,600 (a year).
    pub minutes: u32,
}

/// A mail a rule sends agents about the ticket.
pub(crate) struct RuleNotify(helpdesk_domain::automation::rule::RuleNotify);

#[Object]
impl RuleNotify {
    async fn agents(&self, ctx: &Context<'_>) -> ApiResult<Vec<Agent>> {
        let ids: Vec<_> = self.0.agents.iter().copied().collect();
        let mut agents: Vec<Agent> = loader(ctx)?.load_many(ids).await?.into_values().map(Agent).collect();
        agents.sort_by(|a, b| a.0.email.cmp(&b.0.email));
        Ok(agents)
    }

    /// Every active member of these teams is told.
    async fn teams(&self, ctx: &Context<'_>) -> ApiResult<Vec<Team>> {
        let ids: Vec<_> = self.0.teams.iter().copied().collect();
        let mut teams: Vec<Team> = loader(ctx)?.load_many(ids).await?.into_values().map(Team).collect();
        teams.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        Ok(teams)
    }

    /// A template, like `body`.
    async fn subject(&self) -> &str {
        &self.0.subject
    }

    async fn body(&self) -> &str {
        &self.0.body
    }
}

/// Tells agents by mail when the rule runs: each agent named and each
/// active member of each team named, once. `subject` (one line, at most
/// 200 characters) and `body` are templates with the placeholders of a
/// macro's texts (`{agent_name}` is the rule's name).
#[derive(InputObject)]
pub(crate) struct RuleNotifyInput {
    agent_ids: Option<Vec<ID>>,
    team_ids: Option<Vec<ID>>,
    subject: String,
    body: String,
}

impl RuleNotifyInput {
    pub(crate) fn into_notify(self) -> ApiResult<helpdesk_domain::automation::rule::RuleNotify> {
        Ok(helpdesk_domain::automation::rule::RuleNotify {
            agents: self
                .agent_ids
                .unwrap_or_default()
                .iter()
                .map(|id| parse_id(id, "notify.agentIds"))
                .collect::<Result<_, _>>()?,
            teams: self
                .team_ids
                .unwrap_or_default()
                .iter()
                .map(|id| parse_id(id, "notify.teamIds"))
                .collect::<Result<_, _>>()?,
            subject: self.subject,
            body: self.body,
        })
    }
}

/// Every one of `all` must hold, and one of `any` when it has any.
pub(crate) struct RuleConditions(Conditions);

#[Object]
impl RuleConditions {
    async fn all(&self) -> Vec<RuleCondition> {
        self.0.all.iter().cloned().map(RuleCondition).collect()
    }

    async fn any(&self) -> Vec<RuleCondition> {
        self.0.any.iter().cloned().map(RuleCondition).collect()
    }
}

/// One test of a ticket: exactly one field is set, as in `RuleConditionInput`.
pub(crate) struct RuleCondition(Condition);

#[Object]
impl RuleCondition {
    async fn channel_in(&self) -> Option<Vec<Channel>> {
        match &self.0 {
            Condition::ChannelIn { channels } => Some(channels.iter().copied().map(Into::into).collect()),
            _ => None,
        }
    }

    async fn priority_in(&self) -> Option<Vec<Priority>> {
        match &self.0 {
            Condition::PriorityIn { priorities } => Some(priorities.iter().copied().map(Into::into).collect()),
            _ => None,
        }
    }

    async fn status_in(&self) -> Option<Vec<TicketStatus>> {
        match &self.0 {
            Condition::StatusIn { statuses } => Some(statuses.iter().copied().map(Into::into).collect()),
            _ => None,
        }
    }

    async fn has_tag(&self) -> Option<&str> {
        match &self.0 {
            Condition::HasTag { tag } => Some(tag.as_str()),
            _ => None,
        }
    }

    async fn lacks_tag(&self) -> Option<&str> {
        match &self.0 {
            Condition::LacksTag { tag } => Some(tag.as_str()),
            _ => None,
        }
    }

    /// On this team.
    async fn team(&self, ctx: &Context<'_>) -> ApiResult<Option<Team>> {
        let Condition::TeamIs { team: Some(id) } = &self.0 else {
            return Ok(None);
        };
        Ok(loader(ctx)?.load_one(*id).await?.map(Team))
    }

    /// True: on no team.
    async fn no_team(&self) -> Option<bool> {
        matches!(self.0, Condition::TeamIs { team: None }).then_some(true)
    }

    async fn assignee_set(&self) -> Option<bool> {
        match self.0 {
            Condition::AssigneeSet { set } => Some(set),
            _ => None,
        }
    }

    async fn subject_contains(&self) -> Option<&str> {
        match &self.0 {
            Condition::SubjectContains { text } => Some(text),
            _ => None,
        }
    }

    async fn body_contains(&self) -> Option<&str> {
        match &self.0 {
            Condition::BodyContains { text } => Some(text),
            _ => None,
        }
    }

    async fn customer_domain(&self) -> Option<&str> {
        match &self.0 {
            Condition::CustomerDomain { domain } => Some(domain),
            _ => None,
        }
    }

    async fn web_form_key(&self) -> Option<&str> {
        match &self.0 {
            Condition::WebForm { key } => Some(key),
            _ => None,
        }
    }

    async fn business_hours(&self) -> Option<bool> {
        match self.0 {
            Condition::BusinessHours { open } => Some(open),
            _ => None,
        }
    }
}

/// One test of a ticket; give exactly one field.
#[derive(OneofObject)]
pub(crate) enum RuleConditionInput {
    /// The ticket came by one of these channels.
    ChannelIn(Vec<Channel>),
    PriorityIn(Vec<Priority>),
    StatusIn(Vec<TicketStatus>),
    HasTag(String),
    LacksTag(String),
    /// On this team.
    TeamId(ID),
    /// True: on no team.
    NoTeam(bool),
    /// True: assigned to someone; false: unassigned.
    AssigneeSet(bool),
    /// The subject contains this text (case-insensitive).
    SubjectContains(String),
    /// The latest public message contains this text (case-insensitive).
    BodyContains(String),
    /// The customer's address is at this domain or a subdomain of it.
    CustomerDomain(String),
    /// True: the change happens while the business calendar is open;
    /// false: while it is closed.
    BusinessHours(bool),
    /// It came through the web form with this key.
    WebFormKey(String),
}

impl RuleConditionInput {
    fn into_condition(self) -> ApiResult<Condition> {
        let tag = |raw: &str| Tag::parse(raw);
        Ok(match self {
            RuleConditionInput::ChannelIn(v) => Condition::ChannelIn {
                channels: v.into_iter().map(Into::into).collect(),
            },
            RuleConditionInput::PriorityIn(v) => Condition::PriorityIn {
                priorities: v.into_iter().map(Into::into).collect(),
            },
            RuleConditionInput::StatusIn(v) => Condition::StatusIn {
                statuses: v.into_iter().map(Into::into).collect(),
            },
            RuleConditionInput::HasTag(t) => Condition::HasTag { tag: tag(&t)? },
            RuleConditionInput::LacksTag(t) => Condition::LacksTag { tag: tag(&t)? },
            RuleConditionInput::TeamId(id) => Condition::TeamIs {
                team: Some(parse_id(&id, "conditions.teamId")?),
            },
            RuleConditionInput::NoTeam(_) => Condition::TeamIs { team: None },
            RuleConditionInput::AssigneeSet(set) => Condition::AssigneeSet { set },
            RuleConditionInput::SubjectContains(text) => Condition::SubjectContains { text },
            RuleConditionInput::BodyContains(text) => Condition::BodyContains { text },
            RuleConditionInput::CustomerDomain(domain) => Condition::CustomerDomain { domain },
            RuleConditionInput::BusinessHours(open) => Condition::BusinessHours { open },
            RuleConditionInput::WebFormKey(key) => Condition::WebForm { key },
        })
    }
}

#[derive(InputObject, Default)]
pub(crate) struct RuleConditionsInput {
    /// Every one must hold.
    all: Option<Vec<RuleConditionInput>>,
    /// At least one must hold (when any are given).
    any: Option<Vec<RuleConditionInput>>,
}

impl RuleConditionsInput {
    pub(crate) fn into_conditions(self) -> ApiResult<Conditions> {
        let convert = |list: Option<Vec<RuleConditionInput>>| -> ApiResult<Vec<Condition>> {
            list.unwrap_or_default()
                .into_iter()
                .map(RuleConditionInput::into_condition)
                .collect()
        };
        Ok(Conditions {
            all: convert(self.all)?,
            any: convert(self.any)?,
        })
    }
}
