//! Imported history: recorded as the same events, facts and SLA targets the
//! same history gets when it happens live, idempotent by external id, and
//! silent (no mail, no accounts that can log in).
#![allow(clippy::unwrap_used)] // in a test, a failed step is a failed test

mod common;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use common::{email, event_kinds, from_customer, new_ticket, note, reply, reply_and_set, stored_facts, t, tags};
use helpdesk_domain::ids::{SlaPolicyId, TicketId};
use helpdesk_domain::import::{ImportedAuthor, ImportedEvent, ImportedKind, ImportedTicket};
use helpdesk_domain::sla::{Clock, SlaPolicy, SlaTarget, TargetSpec};
use helpdesk_domain::ticket::{Actor, Channel, EventKind, Priority, Survey, SurveyAnswer, TicketStatus};
use helpdesk_persistence::Store;
use helpdesk_persistence::imports::ImportBatchOutcome;
use helpdesk_persistence::testing::TestDb;
use helpdesk_persistence::tickets::{TicketChanges, TicketFilter, TicketOrder, TicketRecord};
use serde_json::Value;

const BO: &str = "bo@desk.example";
const CUSTOMER: &str = "ana@example.com";

fn policy() -> SlaPolicy {
    let target = |target, minutes| TargetSpec {
        target,
        minutes,
        clock: Clock::Calendar,
    };
    SlaPolicy {
        id: SlaPolicyId::new(),
        name: "Standard".into(),
        position: 1,
        priorities: vec![],
        channels: vec![],
        tags: BTreeSet::new(),
        targets: vec![
            target(SlaTarget::FirstResponse, 60),
            target(SlaTarget::NextReply, 240),
            target(SlaTarget::Resolution, 1440),
        ],
        warning_percent: 20,
        webhook: None,
        calendar: None,
    }
}

fn at(minutes: i64, kind: ImportedKind) -> ImportedEvent {
    ImportedEvent { at: t(minutes), kind }
}

fn customer_says(minutes: i64, body: &str) -> ImportedEvent {
    at(
        minutes,
        ImportedKind::Message {
            author: ImportedAuthor::Customer,
            body: body.into(),
        },
    )
}

fn bo_says(minutes: i64, body: &str) -> ImportedEvent {
    at(
        minutes,
        ImportedKind::Message {
            author: ImportedAuthor::Agent(email(BO)),
            body: body.into(),
        },
    )
}

fn status(minutes: i64, to: TicketStatus) -> ImportedEvent {
    at(minutes, ImportedKind::Status(to))
}

/// The history [`play_live`] makes happen through the store's own API,
/// with the status changes the live workflow makes by itself written out.
fn imported(external_id: &str) -> ImportedTicket {
    ImportedTicket {
        external_id: external_id.into(),
        subject: "Card declined".into(),
        channel: Channel::Email,
        priority: Priority::Normal,
        customer_email: email(CUSTOMER),
        customer_name: None,
        tags: tags(&["billing"]),
        created_at: t(0),
        fcr_eligible: true,
        events: vec![
            customer_says(0, "Hello, Card declined"),
            customer_says(5, "It happened twice"),
            at(
                20,
                ImportedKind::Assign {
                    agent: Some(Some(email(BO))),
                    team: Some(Some("Billing".into())),
                },
            ),
            at(
                25,
                ImportedKind::Note {
                    agent: email(BO),
                    body: "Known gateway issue".into(),
                },
            ),
            bo_says(90, "Which card?"),
            status(90, TicketStatus::Pending),
            customer_says(200, "The Visa one"),
            status(200, TicketStatus::Open),
            at(210, ImportedKind::Priority(Priority::High)),
            bo_says(260, "Fixed"),
            status(260, TicketStatus::Solved),
            customer_says(400, "Declined again"),
            status(400, TicketStatus::Open),
            bo_says(420, "Retried it for you"),
            status(430, TicketStatus::Solved),
            status(2000, TicketStatus::Closed),
        ],
    }
}

/// The same history as [`imported`], live, by the agent and team the
/// import created.
async fn play_live(store: &Store) -> TicketId {
    let bo = store
        .list_agents()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.email.as_str() == BO)
        .unwrap()
        .id;
    let billing = store.list_teams().await.unwrap()[0].id;
    let by_bo = Actor::Agent(bo);
    let ticket = store
        .create_ticket(
            helpdesk_persistence::tickets::NewTicket {
                tags: tags(&["billing"]),
                ..new_ticket("Card declined", CUSTOMER)
            },
            Actor::System,
            t(0),
        )
        .await
        .unwrap();
    let id = ticket.id;
    let update = |changes: TicketChanges, minutes| store.update_ticket(id, changes, by_bo, t(minutes));
    store
        .add_message(id, from_customer("It happened twice"), t(5))
        .await
        .unwrap();
    update(
        TicketChanges {
            assignee: Some(Some(bo)),
            team: Some(Some(billing)),
            ..TicketChanges::default()
        },
        20,
    )
    .await
    .unwrap();
    store
        .add_message(id, note(bo, "Known gateway issue"), t(25))
        .await
        .unwrap();
    store
        .add_message(id, reply_and_set(bo, "Which card?", TicketStatus::Pending), t(90))
        .await
        .unwrap();
    store
        .add_message(id, from_customer("The Visa one"), t(200))
        .await
        .unwrap();
    update(
        TicketChanges {
            priority: Some(Priority::High),
            ..TicketChanges::default()
        },
        210,
    )
    .await
    .unwrap();
    store
        .add_message(id, reply_and_set(bo, "Fixed", TicketStatus::Solved), t(260))
        .await
        .unwrap();
    store
        .add_message(id, from_customer("Declined again"), t(400))
        .await
        .unwrap();
    store
        .add_message(id, reply(bo, "Retried it for you"), t(420))
        .await
        .unwrap();
    let set = |to| TicketChanges {
        status: Some(to),
        ..TicketChanges::default()
    };
    update(set(TicketStatus::Solved), 430).await.unwrap();
    update(set(TicketStatus::Closed), 2000).await.unwrap();
    id
}

async fn id_of(store: &Store) -> TicketId {
    all_tickets(store).await[0].id
}

async fn all_tickets(store: &Store) -> Vec<TicketRecord> {
    store
        .list_tickets(&TicketFilter::default(), TicketOrder::default(), 100, None)
        .await
        .unwrap()
        .tickets
}

/// Each event's instant and kind, without message ids (which differ), in
/// a stable order within one instant (creation records tags before or
/// after the first message; nothing reads that order).
/// The log without SLA alerts: live, the scheduler raises those when it
/// notices (stamped then); an import records them at their moments.
async fn comparable_events(store: &Store, ticket: TicketId) -> Vec<(DateTime<Utc>, String)> {
    let mut events: Vec<_> = store
        .ticket_events(ticket)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| {
            !matches!(
                r.event.kind,
                EventKind::SlaWarning { .. } | EventKind::SlaBreached { .. }
            )
        })
        .map(|r| {
            let mut kind = serde_json::to_value(&r.event.kind).unwrap();
            if let Value::Object(fields) = &mut kind {
                fields.remove("message_id");
            }
            (r.event.at, kind.to_string())
        })
        .collect();
    events.sort();
    events
}

async fn imported_history_is_recorded_as_if_it_happened_live(db: TestDb) {
    let store = &db.store;
    store.create_sla_policy(policy(), t(-100)).await.unwrap();
    let outcome = store.import_tickets(&[imported("T-1")], t(2000)).await.unwrap();
    assert_eq!(
        outcome,
        ImportBatchOutcome {
            imported: 1,
            already_imported: 0
        }
    );
    let imported_id = id_of(store).await;
    let live_id = play_live(store).await;
    assert_ne!(imported_id, live_id);

    assert_eq!(
        comparable_events(store, imported_id).await,
        comparable_events(store, live_id).await
    );
    assert_eq!(
        stored_facts(store, imported_id).await,
        stored_facts(store, live_id).await
    );

    let targets = |id| async move {
        let mut targets = store.sla_targets_of(&[id]).await.unwrap();
        for target in &mut targets {
            target.ticket_id = TicketId::from_uuid(uuid::Uuid::nil());
        }
        targets
    };
    let imported_targets = targets(imported_id).await;
    assert_eq!(
        imported_targets.len(),
        4,
        "first response, resolution, two next replies"
    );
    assert_eq!(imported_targets, targets(live_id).await);

    let (a, b) = (
        store.ticket(imported_id).await.unwrap().unwrap(),
        store.ticket(live_id).await.unwrap().unwrap(),
    );
    let state = |r: &TicketRecord| {
        (
            r.status,
            r.priority,
            r.channel,
            r.customer_id,
            r.assignee_id,
            r.team_id,
            r.fcr_eligible,
            r.created_at,
            r.updated_at,
            r.sla_next_due_at,
            r.sla_breached,
        )
    };
    assert_eq!(state(&a), state(&b));
    assert_eq!(a.status, TicketStatus::Closed);

    let messages = |id| async move {
        store
            .messages_of(&[id])
            .await
            .unwrap()
            .into_iter()
            .map(|m| {
                (
                    m.created_at,
                    m.author,
                    m.agent_id,
                    m.customer_id,
                    m.internal,
                    m.channel,
                    m.body,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(messages(imported_id).await, messages(live_id).await);
}

async fn a_running_target_past_its_warning_is_recorded_as_warned(db: TestDb) {
    let store = &db.store;
    store.create_sla_policy(policy(), t(-100)).await.unwrap();
    let mut ticket = imported("T-1");
    ticket.events.truncate(1);
    // Imported 50 minutes in: the first response (60) is inside its warning
    // window (from 48) and not due yet.
    store.import_tickets(&[ticket], t(50)).await.unwrap();
    let id = id_of(store).await;
    let warnings: Vec<_> = store
        .ticket_events(id)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| {
            matches!(
                r.event.kind,
                EventKind::SlaWarning { .. } | EventKind::SlaBreached { .. }
            )
        })
        .map(|r| r.event.at)
        .collect();
    assert_eq!(warnings, [t(48)]);
    assert!(store.tickets_with_due_sla_alerts(t(55), 10).await.unwrap().is_empty());
    // The breach is still the scheduler's to raise when it comes.
    assert_eq!(store.tickets_with_due_sla_alerts(t(61), 10).await.unwrap(), [id]);
}

async fn importing_creates_people_who_cannot_log_in_and_sends_nothing(db: TestDb) {
    let store = &db.store;
    store.create_sla_policy(policy(), t(-100)).await.unwrap();
    let mut ticket = imported("T-1");
    // Still running and long overdue at import time.
    ticket.events.truncate(2);
    ticket.events.push(at(
        20,
        ImportedKind::Assign {
            agent: Some(Some(email(BO))),
            team: Some(Some("Billing".into())),
        },
    ));
    store.import_tickets(&[ticket], t(10_000)).await.unwrap();

    let agents = store.list_agents().await.unwrap();
    assert_eq!(agents.len(), 1);
    assert_eq!(agents[0].email.as_str(), BO);
    assert!(
        !agents[0].can_log_in,
        "an imported agent needs a password from an admin"
    );
    assert!(agents[0].active);
    let teams = store.list_teams().await.unwrap();
    assert_eq!(teams.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["Billing"]);
    assert_eq!(
        store.pending_mail_count().await.unwrap(),
        0,
        "imported history sends no mail"
    );

    // Known again on the next import: found, not created twice.
    store.import_tickets(&[imported("T-2")], t(10_000)).await.unwrap();
    assert_eq!(store.list_agents().await.unwrap().len(), 1);
    assert_eq!(store.list_teams().await.unwrap().len(), 1);
    assert_eq!(store.pending_mail_count().await.unwrap(), 0);
}

async fn importing_again_changes_nothing(db: TestDb) {
    let store = &db.store;
    let batch = [imported("T-1"), imported("T-2"), imported("T-1")];
    let first = store.import_tickets(&batch, t(2000)).await.unwrap();
    assert_eq!(
        first,
        ImportBatchOutcome {
            imported: 2,
            already_imported: 1
        },
        "a repeat inside the batch counts as already imported"
    );
    let before = all_tickets(store).await;
    let mut events_before = Vec::new();
    for ticket in &before {
        events_before.push(event_kinds(store, ticket.id).await);
    }

    let again = store.import_tickets(&batch, t(3000)).await.unwrap();
    assert_eq!(
        again,
        ImportBatchOutcome {
            imported: 0,
            already_imported: 3
        }
    );
    let after = all_tickets(store).await;
    assert_eq!(after, before);
    for (ticket, kinds) in after.iter().zip(events_before) {
        assert_eq!(event_kinds(store, ticket.id).await, kinds);
    }
    let numbers: Vec<_> = after
        .iter()
        .map(|t| t.number)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(numbers, [1, 2]);
}

async fn imported_surveys_count_as_answers(db: TestDb) {
    let store = &db.store;
    let mut ticket = imported("T-1");
    ticket.events.pop(); // not closed
    ticket.events.push(at(
        500,
        ImportedKind::Survey {
            survey: Survey::Csat,
            score: 4,
            comment: Some("ok".into()),
        },
    ));
    ticket.events.push(at(
        900,
        ImportedKind::Survey {
            survey: Survey::Nps,
            score: 9,
            comment: None,
        },
    ));
    ticket.check().unwrap();
    store.import_tickets(&[ticket], t(1000)).await.unwrap();
    let (facts, _) = stored_facts(store, id_of(store).await).await;
    assert_eq!(
        facts.surveys,
        [
            SurveyAnswer {
                at: t(500),
                survey: Survey::Csat,
                score: 4,
                comment: Some("ok".into()),
                invitation: None,
            },
            SurveyAnswer {
                at: t(900),
                survey: Survey::Nps,
                score: 9,
                comment: None,
                invitation: None,
            },
        ]
    );
    assert_eq!(facts.status, TicketStatus::Solved);
}

/// Warnings and breaches the past would have raised are recorded at their
/// moments, so the scheduler finds nothing to raise (and mails nobody).
async fn past_alerts_are_recorded_not_raised(db: TestDb) {
    let store = &db.store;
    store.create_sla_policy(policy(), t(-100)).await.unwrap();
    store.import_tickets(&[imported("T-1")], t(2000)).await.unwrap();
    let id = id_of(store).await;
    let alerts: Vec<_> = store
        .ticket_events(id)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|r| match r.event.kind {
            EventKind::SlaWarning { target, .. } => Some((r.event.at, "warning", target)),
            EventKind::SlaBreached { target, .. } => Some((r.event.at, "breach", target)),
            _ => None,
        })
        .collect();
    // First response due at 60, answered at 90: breached at 60. The next
    // replies (from 200 and 400) and the resolution were met in time.
    assert_eq!(alerts, [(t(60), "breach", SlaTarget::FirstResponse)]);
    assert!(store.tickets_with_due_sla_alerts(t(3000), 10).await.unwrap().is_empty());
}

/// A customer is one person however many of their tickets a batch holds,
/// and a nameless one takes the first name a later import gives.
async fn a_customer_is_found_by_address_and_named_once(db: TestDb) {
    let store = &db.store;
    let from = |id: &str, name: Option<&str>| ImportedTicket {
        customer_name: name.map(str::to_owned),
        ..imported(id)
    };
    store
        .import_tickets(&[from("T-1", None), from("T-2", Some("Ana"))], t(2000))
        .await
        .unwrap();
    let tickets = all_tickets(store).await;
    assert_eq!(tickets.len(), 2);
    let customer = tickets[0].customer_id;
    assert!(
        tickets.iter().all(|t| t.customer_id == customer),
        "one customer for both"
    );
    let name = async || store.customers_by_ids(&[customer]).await.unwrap()[0].name.clone();
    assert_eq!(
        name().await,
        None,
        "the first mention created the customer, without a name"
    );

    store
        .import_tickets(&[from("T-3", Some("Ana Lima"))], t(2000))
        .await
        .unwrap();
    assert_eq!(name().await.as_deref(), Some("Ana Lima"));
    store
        .import_tickets(&[from("T-4", Some("Someone Else"))], t(2000))
        .await
        .unwrap();
    assert_eq!(name().await.as_deref(), Some("Ana Lima"), "a name once given stays");
    let tickets = all_tickets(store).await;
    assert_eq!(tickets.len(), 4);
    assert!(tickets.iter().all(|t| t.customer_id == customer));
}

helpdesk_persistence::each_store!(
    a_customer_is_found_by_address_and_named_once,
    imported_history_is_recorded_as_if_it_happened_live,
    past_alerts_are_recorded_not_raised,
    a_running_target_past_its_warning_is_recorded_as_warned,
    importing_creates_people_who_cannot_log_in_and_sends_nothing,
    importing_again_changes_nothing,
    imported_surveys_count_as_answers,
);
