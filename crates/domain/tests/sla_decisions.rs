//! SLA targets decided from a ticket's history, as `docs/kpis.md#sla-targets` defines them.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use helpdesk_domain::ids::{MessageId, SlaPolicyId};
use helpdesk_domain::sla::{
    CalendarClock, Clock, Clocks, SlaPolicy, SlaTarget, TargetOutcome, TargetSpec, TargetState, evaluate,
};
use helpdesk_domain::ticket::{Actor, Author, Channel, EventKind, Priority, TicketEvent, TicketStatus};

fn t(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + TimeDelta::minutes(minute)
}

fn ev(minute: i64, kind: EventKind) -> TicketEvent {
    TicketEvent {
        at: t(minute),
        actor: Actor::System,
        kind,
    }
}

fn created(priority: Priority) -> TicketEvent {
    ev(
        0,
        EventKind::Created {
            channel: Channel::Email,
            priority,
        },
    )
}

fn msg(minute: i64, author: Author) -> TicketEvent {
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

fn status(minute: i64, from: TicketStatus, to: TicketStatus) -> TicketEvent {
    ev(minute, EventKind::status_changed(from, to))
}

fn spec(target: SlaTarget, minutes: u32) -> TargetSpec {
    TargetSpec {
        target,
        minutes,
        clock: Clock::Calendar,
    }
}

fn policy(name: &str, position: i32, priorities: Vec<Priority>, targets: Vec<TargetSpec>) -> SlaPolicy {
    SlaPolicy {
        id: SlaPolicyId::new(),
        name: name.into(),
        position,
        priorities,
        channels: vec![],
        tags: Default::default(),
        targets,
        warning_percent: 20,
        webhook: None,
        calendar: None,
    }
}

fn standard() -> SlaPolicy {
    policy(
        "standard",
        10,
        vec![],
        vec![
            spec(SlaTarget::FirstResponse, 60),
            spec(SlaTarget::NextReply, 30),
            spec(SlaTarget::Resolution, 240),
        ],
    )
}

const CLOCKS: Clocks<'static> = Clocks {
    business: &CalendarClock,
};

fn of(outcomes: &[TargetOutcome], target: SlaTarget) -> Vec<(TargetState, Option<DateTime<Utc>>)> {
    outcomes
        .iter()
        .filter(|o| o.target == target)
        .map(|o| (o.state, o.decided_at))
        .collect()
}

fn one(outcomes: &[TargetOutcome], target: SlaTarget) -> &TargetOutcome {
    outcomes.iter().find(|o| o.target == target).unwrap()
}

#[test]
fn first_response_and_next_reply_met_in_time() {
    let history = [
        created(Priority::Normal),
        msg(0, Author::Customer),
        msg(50, Author::Agent),
        msg(60, Author::Customer),
        msg(61, Author::Customer),
        msg(80, Author::Agent),
    ];
    let out = evaluate(&history, &[standard()], &CLOCKS, t(100));
    assert_eq!(
        of(&out, SlaTarget::FirstResponse),
        [(TargetState::Achieved, Some(t(50)))]
    );
    assert_eq!(of(&out, SlaTarget::NextReply), [(TargetState::Achieved, Some(t(80)))]);
    let next = one(&out, SlaTarget::NextReply);
    assert_eq!(
        (next.started_at, next.due_at),
        (t(60), Some(t(90))),
        "from the first unanswered message"
    );
    assert_eq!(of(&out, SlaTarget::Resolution), [(TargetState::Running, None)]);
}

#[test]
fn a_late_reply_was_breached_at_the_deadline() {
    let history = [
        created(Priority::Normal),
        msg(0, Author::Customer),
        msg(75, Author::Agent),
    ];
    let out = evaluate(&history, &[standard()], &CLOCKS, t(100));
    assert_eq!(
        of(&out, SlaTarget::FirstResponse),
        [(TargetState::Breached, Some(t(60)))]
    );
    assert_eq!(one(&out, SlaTarget::FirstResponse).met_at, Some(t(75)), "met late");
    let open = evaluate(&history[..2], &[standard()], &CLOCKS, t(100));
    assert_eq!(
        one(&open, SlaTarget::FirstResponse).met_at,
        None,
        "breached and still open"
    );
}

#[test]
fn running_warning_and_breached_as_time_passes() {
    let history = [created(Priority::Normal), msg(0, Author::Customer)];
    let at = |now| {
        of(
            &evaluate(&history, &[standard()], &CLOCKS, t(now)),
            SlaTarget::FirstResponse,
        )
    };
    assert_eq!(at(10), [(TargetState::Running, None)]);
    assert_eq!(at(48), [(TargetState::Warning, None)], "20 percent left");
    assert_eq!(at(60), [(TargetState::Warning, None)], "due at 60: not breached at 60");
    assert_eq!(at(61), [(TargetState::Breached, Some(t(60)))]);
    let out = evaluate(&history, &[standard()], &CLOCKS, t(10));
    assert_eq!(one(&out, SlaTarget::FirstResponse).warn_at, Some(t(48)));
}

#[test]
fn resolution_pauses_while_pending() {
    let history = [
        created(Priority::Normal),
        msg(0, Author::Customer),
        msg(10, Author::Agent),
        status(10, TicketStatus::New, TicketStatus::Pending),
        msg(100, Author::Customer),
        status(100, TicketStatus::Pending, TicketStatus::Open),
    ];
    let paused = evaluate(&history[..4], &[standard()], &CLOCKS, t(50));
    let resolution = one(&paused, SlaTarget::Resolution);
    assert_eq!((resolution.state, resolution.due_at), (TargetState::Paused, None));
    let resumed = evaluate(&history, &[standard()], &CLOCKS, t(120));
    assert_eq!(
        one(&resumed, SlaTarget::Resolution).due_at,
        Some(t(240 + 90)),
        "90 pending minutes do not count"
    );
    let pending_forever = evaluate(&history[..4], &[standard()], &CLOCKS, t(100_000));
    assert_eq!(
        one(&pending_forever, SlaTarget::Resolution).state,
        TargetState::Paused,
        "never breaches"
    );
}

#[test]
fn solving_before_a_reply_drops_it_unless_already_late() {
    let on_time = [
        created(Priority::Normal),
        msg(0, Author::Customer),
        status(30, TicketStatus::New, TicketStatus::Solved),
    ];
    let out = evaluate(&on_time, &[standard()], &CLOCKS, t(500));
    assert!(of(&out, SlaTarget::FirstResponse).is_empty());
    assert_eq!(of(&out, SlaTarget::Resolution), [(TargetState::Achieved, Some(t(30)))]);

    let late = [
        created(Priority::Normal),
        msg(0, Author::Customer),
        status(90, TicketStatus::New, TicketStatus::Solved),
    ];
    let out = evaluate(&late, &[standard()], &CLOCKS, t(500));
    assert_eq!(
        of(&out, SlaTarget::FirstResponse),
        [(TargetState::Breached, Some(t(60)))]
    );
}

#[test]
fn a_policy_change_keeps_the_start_and_can_breach_at_once() {
    let urgent = policy(
        "urgent",
        1,
        vec![Priority::Urgent],
        vec![spec(SlaTarget::FirstResponse, 30)],
    );
    let policies = [standard(), urgent.clone()];
    let to_urgent = |m| {
        ev(
            m,
            EventKind::PriorityChanged {
                from: Priority::Normal,
                to: Priority::Urgent,
            },
        )
    };
    let history = [created(Priority::Normal), msg(0, Author::Customer), to_urgent(45)];
    let out = evaluate(&history, &policies, &CLOCKS, t(50));
    let first = one(&out, SlaTarget::FirstResponse);
    assert_eq!(
        (first.state, first.decided_at, first.policy_id),
        (TargetState::Breached, Some(t(45)), urgent.id)
    );
    assert!(
        of(&out, SlaTarget::Resolution).is_empty(),
        "the urgent policy has no resolution target: dropped"
    );

    let early = [created(Priority::Normal), msg(0, Author::Customer), to_urgent(10)];
    let out = evaluate(&early, &policies, &CLOCKS, t(20));
    let first = one(&out, SlaTarget::FirstResponse);
    assert_eq!(
        (first.state, first.due_at),
        (TargetState::Running, Some(t(30))),
        "new minutes from the original start"
    );
}

#[test]
fn agent_created_tickets_have_no_first_response_target() {
    let history = [
        created(Priority::Normal),
        msg(0, Author::Agent),
        msg(20, Author::Customer),
    ];
    let out = evaluate(&history, &[standard()], &CLOCKS, t(30));
    assert!(of(&out, SlaTarget::FirstResponse).is_empty());
    assert_eq!(of(&out, SlaTarget::NextReply), [(TargetState::Running, None)]);
}

#[test]
fn no_policy_means_no_targets() {
    let history = [created(Priority::Low), msg(0, Author::Customer)];
    let only_urgent = [policy(
        "urgent",
        1,
        vec![Priority::Urgent],
        vec![spec(SlaTarget::FirstResponse, 30)],
    )];
    assert!(evaluate(&history, &only_urgent, &CLOCKS, t(100)).is_empty());
}
