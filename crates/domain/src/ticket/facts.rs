//! Per-ticket metric facts: the figures `docs/kpis.md` needs from one ticket,
//! folded from its history so the KPI queries can aggregate them in SQL
//! instead of replaying every history.
//!
//! Facts are only ever produced by [`TicketFacts::replay`] or
//! [`TicketFacts::apply`] over the event log, so a ticket handled live, one
//! imported from another desk, and the target of a merge all get the same
//! numbers from the same history.

use chrono::{DateTime, Utc};

use super::{Author, EventKind, StatusChange, Survey, TicketEvent, TicketStatus};
use crate::ids::{AgentId, SurveyInvitationId};

/// One `responseTime` sample: the earliest customer message not yet answered,
/// and the public agent message that answered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseSample {
    pub waiting_since: DateTime<Utc>,
    pub answered_at: DateTime<Utc>,
}

/// One stretch during which the ticket counted as resolved: from a solve
/// until the reopen that ended it (`None`: still resolved).
///
/// A ticket is resolved at instant T exactly when one of its spans has
/// `solved_at < T <= reopened_at`; the KPI queries read backlogs and "status
/// at the end of the range" from these spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SolveSpan {
    pub solved_at: DateTime<Utc>,
    pub reopened_at: Option<DateTime<Utc>>,
}

/// One response to a survey, attributed to the instant it was first given.
///
/// A live response names its invitation, and a customer may change it while
/// the invitation's link works: the latest answer's score and comment
/// replace the earlier ones, but the response keeps the instant of the first
/// answer, so it counts once, in the period it first counted in, and figures
/// already reported for past periods do not move to a later one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyAnswer {
    pub at: DateTime<Utc>,
    pub survey: Survey,
    pub score: u8,
    pub comment: Option<String>,
    /// `None` for imported answers, each of which is a response of its own.
    pub invitation: Option<SurveyInvitationId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketFacts {
    pub created_at: DateTime<Utc>,
    pub status: TicketStatus,
    /// Decided by the first public message: the customer's (true) or an
    /// agent's (false). `None` while the ticket has no public message.
    pub customer_created: Option<bool>,
    pub first_public_reply_at: Option<DateTime<Utc>>,
    pub last_public_reply_at: Option<DateTime<Utc>>,
    pub last_customer_message_at: Option<DateTime<Utc>>,
    /// The earliest customer message no public agent message has answered yet.
    pub awaiting_reply_since: Option<DateTime<Utc>>,
    pub public_replies: u32,
    pub customer_messages: u32,
    pub internal_notes: u32,
    pub replies_before_first_solve: u32,
    pub assignee_stations_before_first_solve: u32,
    /// The last agent the ticket was assigned to, kept through unassignment:
    /// handing a ticket back to the same agent is not a new station.
    pub last_assigned_agent: Option<AgentId>,
    pub first_solved_at: Option<DateTime<Utc>>,
    pub latest_solved_at: Option<DateTime<Utc>>,
    pub solves: u32,
    pub reopens: u32,
    pub first_reopened_at: Option<DateTime<Utc>>,
    /// Every solve, in order, with the reopen that ended it.
    pub solve_spans: Vec<SolveSpan>,
    pub surveys: Vec<SurveyAnswer>,
}

impl TicketFacts {
    /// When firstResponseTime's sample completes: the first public agent
    /// reply of a customer-created ticket (agent-created tickets have none).
    pub fn first_response_at(&self) -> Option<DateTime<Utc>> {
        self.first_public_reply_at
            .filter(|_| self.customer_created == Some(true))
    }

    pub fn new(created_at: DateTime<Utc>) -> Self {
        Self {
            created_at,
            status: TicketStatus::New,
            customer_created: None,
            first_public_reply_at: None,
            last_public_reply_at: None,
            last_customer_message_at: None,
            awaiting_reply_since: None,
            public_replies: 0,
            customer_messages: 0,
            internal_notes: 0,
            replies_before_first_solve: 0,
            assignee_stations_before_first_solve: 0,
            last_assigned_agent: None,
            first_solved_at: None,
            latest_solved_at: None,
            solves: 0,
            reopens: 0,
            first_reopened_at: None,
            solve_spans: Vec::new(),
            surveys: Vec::new(),
        }
    }

    /// Folds a whole history (in order) into facts and response samples.
    pub fn replay<'a>(
        created_at: DateTime<Utc>,
        events: impl IntoIterator<Item = &'a TicketEvent>,
    ) -> (Self, Vec<ResponseSample>) {
        let mut facts = Self::new(created_at);
        let samples = events.into_iter().filter_map(|e| facts.apply(e)).collect();
        (facts, samples)
    }

    /// Applies one event; returns the response sample it completes, if any.
    pub fn apply(&mut self, event: &TicketEvent) -> Option<ResponseSample> {
        let at = event.at;
        match &event.kind {
            EventKind::Message {
                author: Author::Customer,
                ..
            } => {
                self.customer_created.get_or_insert(true);
                self.customer_messages += 1;
                self.last_customer_message_at = Some(at);
                self.awaiting_reply_since.get_or_insert(at);
                None
            }
            EventKind::Message {
                author: Author::Agent, ..
            } => {
                self.customer_created.get_or_insert(false);
                self.public_replies += 1;
                self.first_public_reply_at.get_or_insert(at);
                self.last_public_reply_at = Some(at);
                if self.first_solved_at.is_none() {
                    self.replies_before_first_solve += 1;
                }
                self.awaiting_reply_since.take().map(|waiting_since| ResponseSample {
                    waiting_since,
                    answered_at: at,
                })
            }
            // Messages the desk sends by itself are never replies.
            EventKind::Message {
                author: Author::System, ..
            } => None,
            EventKind::Note { .. } => {
                self.internal_notes += 1;
                None
            }
            EventKind::StatusChanged { from, to, .. } => {
                let change = StatusChange { from: *from, to: *to };
                if change.is_solve() {
                    self.solves += 1;
                    self.first_solved_at.get_or_insert(at);
                    self.latest_solved_at = Some(at);
                    self.solve_spans.push(SolveSpan {
                        solved_at: at,
                        reopened_at: None,
                    });
                }
                if change.is_reopen() {
                    self.reopens += 1;
                    self.first_reopened_at.get_or_insert(at);
                    if let Some(span) = self.solve_spans.last_mut() {
                        span.reopened_at.get_or_insert(at);
                    }
                }
                self.status = *to;
                None
            }
            EventKind::AssigneeChanged { to: Some(agent), .. } => {
                if self.last_assigned_agent != Some(*agent) && self.first_solved_at.is_none() {
                    self.assignee_stations_before_first_solve += 1;
                }
                self.last_assigned_agent = Some(*agent);
                None
            }
            EventKind::SurveyAnswered {
                survey,
                score,
                comment,
                invitation,
            } => {
                let earlier = invitation.and_then(|id| self.surveys.iter_mut().find(|s| s.invitation == Some(id)));
                match earlier {
                    Some(response) => {
                        response.score = *score;
                        response.comment = comment.clone();
                    }
                    None => self.surveys.push(SurveyAnswer {
                        at,
                        survey: *survey,
                        score: *score,
                        comment: comment.clone(),
                        invitation: *invitation,
                    }),
                }
                None
            }
            EventKind::Created { .. }
            | EventKind::AssigneeChanged { to: None, .. }
            | EventKind::PriorityChanged { .. }
            | EventKind::TeamChanged { .. }
            | EventKind::TagsChanged { .. }
            | EventKind::FcrEligibilityChanged { .. }
            | EventKind::MergedInto { .. }
            | EventKind::MergedFrom { .. }
            | EventKind::CustomerVerified { .. }
            | EventKind::CustomerMerged { .. }
            | EventKind::RuleChainStopped { .. }
            | EventKind::SlaWarning { .. }
            | EventKind::SlaBreached { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::ids::MessageId;
    use crate::ticket::{Actor, Channel, Priority};

    fn t(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + chrono::TimeDelta::minutes(minute.into())
    }

    fn ev(minute: u32, kind: EventKind) -> TicketEvent {
        TicketEvent {
            at: t(minute),
            actor: Actor::System,
            kind,
        }
    }

    fn msg(minute: u32, author: Author) -> TicketEvent {
        ev(
            minute,
            EventKind::Message {
                message_id: MessageId::new(),
                author,
                channel: Channel::Email,
                moved_from: None,
            },
        )
    }

    fn status(minute: u32, from: TicketStatus, to: TicketStatus) -> TicketEvent {
        ev(minute, EventKind::status_changed(from, to))
    }

    fn created() -> TicketEvent {
        ev(
            0,
            EventKind::Created {
                channel: Channel::Email,
                priority: Priority::Normal,
            },
        )
    }

    #[test]
    fn customer_created_ticket_answered_once_and_solved() {
        use TicketStatus::*;
        let history = [
            created(),
            msg(0, Author::Customer),
            msg(25, Author::Agent),
            ev(
                26,
                EventKind::Note {
                    message_id: MessageId::new(),
                    moved_from: None,
                },
            ),
            status(27, New, Solved),
        ];
        let (facts, samples) = TicketFacts::replay(t(0), &history);
        assert_eq!(facts.customer_created, Some(true));
        assert_eq!(facts.first_public_reply_at, Some(t(25)));
        assert_eq!(facts.replies_before_first_solve, 1);
        assert_eq!(facts.internal_notes, 1);
        assert_eq!(facts.first_solved_at, Some(t(27)));
        assert_eq!(
            samples,
            [ResponseSample {
                waiting_since: t(0),
                answered_at: t(25)
            }]
        );
    }

    #[test]
    fn consecutive_messages_give_one_sample_from_the_earliest() {
        let history = [
            msg(0, Author::Customer),
            msg(5, Author::Customer),
            msg(10, Author::Agent),
            msg(12, Author::Agent),
            msg(20, Author::Customer),
            msg(50, Author::Agent),
        ];
        let (facts, samples) = TicketFacts::replay(t(0), &history);
        assert_eq!(
            samples,
            [
                ResponseSample {
                    waiting_since: t(0),
                    answered_at: t(10)
                },
                ResponseSample {
                    waiting_since: t(20),
                    answered_at: t(50)
                },
            ]
        );
        assert_eq!(facts.public_replies, 3);
        assert_eq!(facts.customer_messages, 3);
    }

    #[test]
    fn agent_created_ticket_is_not_customer_created() {
        let history = [msg(0, Author::Agent), msg(30, Author::Customer), msg(40, Author::Agent)];
        let (facts, samples) = TicketFacts::replay(t(0), &history);
        assert_eq!(facts.customer_created, Some(false));
        assert_eq!(
            samples,
            [ResponseSample {
                waiting_since: t(30),
                answered_at: t(40)
            }]
        );
    }

    #[test]
    fn system_messages_are_never_replies() {
        let history = [msg(0, Author::Customer), msg(1, Author::System)];
        let (facts, samples) = TicketFacts::replay(t(0), &history);
        assert_eq!(facts.public_replies, 0);
        assert_eq!(facts.first_public_reply_at, None);
        assert!(samples.is_empty());
        assert_eq!(facts.awaiting_reply_since, Some(t(0)));
    }

    #[test]
    fn reopen_then_solve_keeps_first_and_latest_solve() {
        use TicketStatus::*;
        let history = [
            msg(0, Author::Customer),
            msg(10, Author::Agent),
            status(11, Open, Solved),
            msg(20, Author::Customer),
            status(20, Solved, Open),
            msg(30, Author::Agent),
            status(31, Open, Solved),
            status(40, Solved, Closed),
        ];
        let (facts, _) = TicketFacts::replay(t(0), &history);
        assert_eq!(facts.first_solved_at, Some(t(11)));
        assert_eq!(facts.latest_solved_at, Some(t(31)));
        assert_eq!(facts.solves, 2, "closing a solved ticket is not a solve");
        assert_eq!(facts.reopens, 1);
        assert_eq!(facts.first_reopened_at, Some(t(20)));
        assert_eq!(facts.replies_before_first_solve, 1);
        assert_eq!(facts.status, Closed);
    }

    #[test]
    fn closed_without_solve_counts_as_a_solve() {
        let history = [
            msg(0, Author::Customer),
            status(5, TicketStatus::Open, TicketStatus::Closed),
        ];
        let (facts, _) = TicketFacts::replay(t(0), &history);
        assert_eq!(facts.first_solved_at, Some(t(5)));
    }

    #[test]
    fn stations_count_changes_of_agent_before_first_solve() {
        let (a, b) = (AgentId::new(), AgentId::new());
        let assign = |m, to| ev(m, EventKind::AssigneeChanged { from: None, to });
        let history = [
            assign(1, Some(a)),
            assign(2, None),
            assign(3, Some(a)),
            assign(4, Some(b)),
            status(5, TicketStatus::Open, TicketStatus::Solved),
            assign(6, Some(a)),
        ];
        let (facts, _) = TicketFacts::replay(t(0), &history);
        assert_eq!(facts.assignee_stations_before_first_solve, 2);
    }

    fn answer(minute: u32, score: u8, invitation: Option<SurveyInvitationId>) -> TicketEvent {
        ev(
            minute,
            EventKind::SurveyAnswered {
                survey: Survey::Csat,
                score,
                comment: Some(format!("said {score}")),
                invitation,
            },
        )
    }

    #[test]
    fn a_second_answer_to_one_invitation_replaces_the_first_at_the_first_instant() {
        let (a, b) = (SurveyInvitationId::new(), SurveyInvitationId::new());
        let history = [
            answer(10, 4, Some(a)),
            answer(20, 2, Some(b)),
            answer(30, 5, Some(a)),
            answer(40, 3, None),
            answer(50, 1, None),
        ];
        let (facts, _) = TicketFacts::replay(t(0), &history);
        let seen: Vec<_> = facts
            .surveys
            .iter()
            .map(|s| (s.at, s.score, s.comment.clone().unwrap_or_default()))
            .collect();
        assert_eq!(
            seen,
            vec![
                (t(10), 5, "said 5".to_owned()),
                (t(20), 2, "said 2".to_owned()),
                (t(40), 3, "said 3".to_owned()),
                (t(50), 1, "said 1".to_owned()),
            ],
            "one response per invitation; imported answers each count"
        );
    }
}
