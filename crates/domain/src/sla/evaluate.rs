//! Deciding a ticket's SLA targets from its history.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use super::clock::{CalendarClock, Pause, WorkingClock};
use super::policy::{SlaPolicy, select_policy};
use super::target::{Clock, SlaTarget, TargetSpec, TargetState};
use crate::ids::SlaPolicyId;
use crate::tag::Tag;
use crate::ticket::{Author, Channel, EventKind, Priority, StatusChange, TicketEvent, TicketStatus};

/// One target of one ticket, as of the evaluation instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetOutcome {
    pub target: SlaTarget,
    pub policy_id: SlaPolicyId,
    pub started_at: DateTime<Utc>,
    /// `None` while paused.
    pub due_at: Option<DateTime<Utc>>,
    /// When the warning window opens; `None` while paused.
    pub warn_at: Option<DateTime<Utc>>,
    pub state: TargetState,
    /// When it was achieved or breached.
    pub decided_at: Option<DateTime<Utc>>,
    /// When its measured event came; for a breached target, `None` means it
    /// is still open (overdue).
    pub met_at: Option<DateTime<Utc>>,
}

struct Instance {
    target: SlaTarget,
    started_at: DateTime<Utc>,
    pauses: Vec<Pause>,
    decided: Option<Decision>,
}

#[derive(Clone, Copy)]
struct Decision {
    state: TargetState,
    at: DateTime<Utc>,
    policy: SlaPolicyId,
    due_at: Option<DateTime<Utc>>,
    met_at: Option<DateTime<Utc>>,
}

/// The clocks targets run on.
pub struct Clocks<'a> {
    /// The business calendar BUSINESS targets count in.
    pub business: &'a dyn WorkingClock,
}

impl Clocks<'_> {
    /// The clock `policy`'s targets on `clock` run on: its own calendar for
    /// BUSINESS when it names one, else the desk's.
    fn of<'s>(&'s self, policy: &'s SlaPolicy, clock: Clock) -> &'s dyn WorkingClock {
        match (clock, &policy.calendar) {
            (Clock::Calendar, _) => &CalendarClock,
            (Clock::Business, Some(own)) => own,
            (Clock::Business, None) => self.business,
        }
    }
}

struct Replay<'p, 'c> {
    policies: &'p [SlaPolicy],
    clocks: &'c Clocks<'c>,
    priority: Priority,
    channel: Channel,
    tags: BTreeSet<Tag>,
    policy: Option<&'p SlaPolicy>,
    created_at: DateTime<Utc>,
    customer_created: Option<bool>,
    agent_replied: bool,
    instances: Vec<Instance>,
}

impl<'p, 'c> Replay<'p, 'c> {
    fn due(&self, i: &Instance) -> Option<(SlaPolicyId, TargetSpec, Option<DateTime<Utc>>)> {
        let policy = self.policy?;
        let spec = policy.spec(i.target)?;
        let due = self
            .clocks
            .of(policy, spec.clock)
            .deadline(i.started_at, spec.seconds(), &i.pauses);
        Some((policy.id, spec, due))
    }

    /// Targets whose deadline passed before `at` were breached at their deadline.
    fn breach_overdue(&mut self, at: DateTime<Utc>) {
        for idx in 0..self.instances.len() {
            if self.instances[idx].decided.is_some() {
                continue;
            }
            if let Some((policy, _, Some(due))) = self.due(&self.instances[idx])
                && due < at
            {
                let decision = Decision {
                    state: TargetState::Breached,
                    at: due,
                    policy,
                    due_at: Some(due),
                    met_at: None,
                };
                self.instances[idx].decided = Some(decision);
            }
        }
    }

    /// The measured event of `target` happened at `at`.
    fn meet(&mut self, target: SlaTarget, at: DateTime<Utc>) {
        for idx in 0..self.instances.len() {
            if self.instances[idx].target != target {
                continue;
            }
            if let Some(decision) = self.instances[idx].decided.as_mut() {
                // A breached target stays open until its event comes.
                if decision.met_at.is_none() {
                    decision.met_at = Some(at);
                }
                continue;
            }
            if let Some((policy, _, due)) = self.due(&self.instances[idx]) {
                let decision = Decision {
                    state: TargetState::Achieved,
                    at,
                    policy,
                    due_at: due,
                    met_at: Some(at),
                };
                self.instances[idx].decided = Some(decision);
            }
        }
        // Met without a policy promising it: nothing was at stake.
        self.instances.retain(|i| i.target != target || i.decided.is_some());
    }

    fn reselect(&mut self, at: DateTime<Utc>) {
        let next = select_policy(self.policies, self.priority, self.channel, &self.tags);
        if next.map(|p| p.id) == self.policy.map(|p| p.id) {
            return;
        }
        self.policy = next;
        // Undecided targets take the new policy's minutes from their start;
        // one the new policy makes overdue at once is breached now.
        for idx in 0..self.instances.len() {
            if self.instances[idx].decided.is_some() {
                continue;
            }
            if let Some((policy, _, Some(due))) = self.due(&self.instances[idx])
                && due < at
            {
                let decision = Decision {
                    state: TargetState::Breached,
                    at,
                    policy,
                    due_at: Some(due),
                    met_at: None,
                };
                self.instances[idx].decided = Some(decision);
            }
        }
    }

    fn open(&mut self, target: SlaTarget, at: DateTime<Utc>) {
        // One instance per target and start: a wait that starts at the very
        // instant another of the same target started and ended (customer,
        // agent and customer again, all at one instant) is that same wait.
        let already = self
            .instances
            .iter()
            .any(|i| i.target == target && (i.decided.is_none() || i.started_at == at));
        if !already {
            self.instances.push(Instance {
                target,
                started_at: at,
                pauses: Vec::new(),
                decided: None,
            });
        }
    }

    fn apply(&mut self, event: &TicketEvent) {
        let at = event.at;
        self.breach_overdue(at);
        match &event.kind {
            EventKind::Created { channel, priority } => {
                self.channel = *channel;
                self.priority = *priority;
                self.created_at = at;
                self.reselect(at);
                self.open(SlaTarget::Resolution, at);
            }
            EventKind::Message {
                author: Author::Customer,
                ..
            } => {
                if self.customer_created.is_none() {
                    self.customer_created = Some(true);
                    let created = self.created_at;
                    self.open(SlaTarget::FirstResponse, created);
                } else if self.agent_replied {
                    self.open(SlaTarget::NextReply, at);
                }
            }
            EventKind::Message {
                author: Author::Agent, ..
            } => {
                self.customer_created.get_or_insert(false);
                self.agent_replied = true;
                self.meet(SlaTarget::FirstResponse, at);
                self.meet(SlaTarget::NextReply, at);
            }
            EventKind::StatusChanged { from, to, .. } => {
                let change = StatusChange { from: *from, to: *to };
                if change.is_solve() {
                    self.meet(SlaTarget::Resolution, at);
                    // A reply never needed is neither kept nor broken; one
                    // already breached stops being open.
                    self.instances
                        .retain(|i| i.decided.is_some() || i.target == SlaTarget::Resolution);
                    for decision in self.instances.iter_mut().filter_map(|i| i.decided.as_mut()) {
                        decision.met_at.get_or_insert(at);
                    }
                }
                for i in self
                    .instances
                    .iter_mut()
                    .filter(|i| i.target == SlaTarget::Resolution && i.decided.is_none())
                {
                    if *to == TicketStatus::Pending && *from != TicketStatus::Pending {
                        i.pauses.push((at, None));
                    } else if *from == TicketStatus::Pending
                        && let Some(last) = i.pauses.last_mut()
                        && last.1.is_none()
                    {
                        last.1 = Some(at);
                    }
                }
            }
            EventKind::PriorityChanged { to, .. } => {
                self.priority = *to;
                self.reselect(at);
            }
            EventKind::TagsChanged { added, removed } => {
                self.tags.extend(added.iter().cloned());
                for tag in removed {
                    self.tags.remove(tag);
                }
                self.reselect(at);
            }
            _ => {}
        }
    }

    fn outcomes(mut self, now: DateTime<Utc>) -> Vec<TargetOutcome> {
        self.breach_overdue(now);
        let mut out = Vec::new();
        for i in &self.instances {
            if let Some(d) = i.decided {
                out.push(TargetOutcome {
                    target: i.target,
                    policy_id: d.policy,
                    started_at: i.started_at,
                    due_at: d.due_at,
                    warn_at: None,
                    state: d.state,
                    decided_at: Some(d.at),
                    met_at: d.met_at,
                });
                continue;
            }
            let Some(policy) = self.policy else { continue };
            let Some(spec) = policy.spec(i.target) else { continue };
            let clock = self.clocks.of(policy, spec.clock);
            let due = clock.deadline(i.started_at, spec.seconds(), &i.pauses);
            let warn_seconds = spec.seconds() * i64::from(100 - policy.warning_percent.min(100)) / 100;
            let warn_at = clock.deadline(i.started_at, warn_seconds, &i.pauses);
            let state = match (due, warn_at) {
                (None, _) => TargetState::Paused,
                (Some(_), Some(w)) if w <= now => TargetState::Warning,
                _ => TargetState::Running,
            };
            out.push(TargetOutcome {
                target: i.target,
                policy_id: policy.id,
                started_at: i.started_at,
                due_at: due,
                warn_at: due.and(warn_at),
                state,
                decided_at: None,
                met_at: None,
            });
        }
        out
    }
}

/// Every SLA target of a ticket as of `now`, decided from its `history`
/// (time-ordered, starting with its CREATED event) under `policies`.
///
/// The policy is chosen at creation and again whenever priority, channel or
/// tags change; decided targets stay decided; an undecided target takes the
/// new policy's minutes from its original start, is breached at once if that
/// makes it overdue, and is dropped if the new policy lacks it. Targets no
/// policy promises are not reported.
pub fn evaluate(
    history: &[TicketEvent],
    policies: &[SlaPolicy],
    clocks: &Clocks<'_>,
    now: DateTime<Utc>,
) -> Vec<TargetOutcome> {
    let Some(first) = history.first() else {
        return Vec::new();
    };
    let mut replay = Replay {
        policies,
        clocks,
        priority: Priority::Normal,
        channel: Channel::Api,
        tags: BTreeSet::new(),
        policy: None,
        created_at: first.at,
        customer_created: None,
        agent_replied: false,
        instances: Vec::new(),
    };
    for event in history.iter().filter(|e| e.at <= now) {
        replay.apply(event);
    }
    replay.outcomes(now)
}
