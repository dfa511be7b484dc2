//! Agents triaging a ticket: each changed field leaves one event signed by the
//! agent who changed it; unchanged fields leave nothing.
#![allow(clippy::unwrap_used)] // in a test, a failed step is a failed test

mod common;

use common::{agent, event_kinds, new_ticket, t, tags};
use helpdesk_domain::ids::{AgentId, TeamId};
use helpdesk_domain::ticket::{Actor, EventKind, Priority, TicketStatus};
use helpdesk_persistence::StoreError;
use helpdesk_persistence::testing::TestDb;
use helpdesk_persistence::tickets::{NewTicket, TicketChanges};

async fn each_changed_field_is_one_event_by_the_acting_agent(db: TestDb) {
    let store = &db.store;
    let lead = agent(store, "Lead").await;
    let maria = agent(store, "Maria").await;
    let billing = store.create_team("Billing".into(), t(-60)).await.unwrap();
    let new = NewTicket {
        tags: tags(&["invoice", "vip"]),
        ..new_ticket("Charged twice", "ana@example.com")
    };
    let ticket = store.create_ticket(new, Actor::System, t(0)).await.unwrap();
    let before = store.ticket_events(ticket.id).await.unwrap().len();

    let changes = TicketChanges {
        status: Some(TicketStatus::OnHold),
        priority: Some(Priority::High),
        assignee: Some(Some(maria.id)),
        team: Some(Some(billing.id)),
        tags: Some(tags(&["vip", "refund"])),
        fcr_eligible: Some(false),
    };
    let updated = store
        .update_ticket(ticket.id, changes, Actor::Agent(lead.id), t(15))
        .await
        .unwrap();

    assert_eq!(updated.status, TicketStatus::OnHold);
    assert_eq!(updated.priority, Priority::High);
    assert_eq!(updated.assignee_id, Some(maria.id));
    assert_eq!(updated.team_id, Some(billing.id));
    assert!(!updated.fcr_eligible);
    assert_eq!(updated.updated_at, t(15));
    assert_eq!(
        store.ticket(ticket.id).await.unwrap().unwrap(),
        updated,
        "stored as returned"
    );
    let stored_tags: Vec<_> = store
        .tags_of(&[ticket.id])
        .await
        .unwrap()
        .into_iter()
        .map(|(_, tag)| tag)
        .collect();
    assert_eq!(stored_tags, tags(&["refund", "vip"]).into_iter().collect::<Vec<_>>());

    let events = store.ticket_events(ticket.id).await.unwrap();
    let recorded = &events[before..];
    assert!(
        recorded
            .iter()
            .all(|r| r.event.actor == Actor::Agent(lead.id) && r.event.at == t(15)),
        "{recorded:#?}"
    );
    let recorded: Vec<_> = recorded.iter().map(|r| r.event.kind.clone()).collect();
    let expected = [
        EventKind::StatusChanged {
            from: TicketStatus::New,
            to: TicketStatus::OnHold,
            reopen: false,
        },
        EventKind::PriorityChanged {
            from: Priority::Normal,
            to: Priority::High,
        },
        EventKind::AssigneeChanged {
            from: None,
            to: Some(maria.id),
        },
        EventKind::TeamChanged {
            from: None,
            to: Some(billing.id),
        },
        EventKind::TagsChanged {
            added: tags(&["refund"]).into_iter().collect(),
            removed: tags(&["invoice"]).into_iter().collect(),
        },
        EventKind::FcrEligibilityChanged { eligible: false },
    ];
    assert_eq!(
        recorded.len(),
        expected.len(),
        "one event per changed field: {recorded:#?}"
    );
    for kind in &expected {
        assert!(recorded.contains(kind), "missing {kind:?} in {recorded:#?}");
    }
}

async fn unchanged_values_record_nothing(db: TestDb) {
    let store = &db.store;
    let lead = agent(store, "Lead").await;
    let maria = agent(store, "Maria").await;
    let billing = store.create_team("Billing".into(), t(-60)).await.unwrap();
    let new = NewTicket {
        tags: tags(&["vip"]),
        assignee: Some(maria.id),
        team: Some(billing.id),
        priority: Priority::High,
        ..new_ticket("Charged twice", "ana@example.com")
    };
    let ticket = store.create_ticket(new, Actor::Agent(lead.id), t(0)).await.unwrap();
    let history = store.ticket_events(ticket.id).await.unwrap();

    let same = TicketChanges {
        status: Some(TicketStatus::New),
        priority: Some(Priority::High),
        assignee: Some(Some(maria.id)),
        team: Some(Some(billing.id)),
        tags: Some(tags(&["VIP"])),
        fcr_eligible: Some(true),
    };
    let after = store
        .update_ticket(ticket.id, same, Actor::Agent(lead.id), t(30))
        .await
        .unwrap();
    assert_eq!(after, ticket, "nothing changed, not even updated_at");
    let after = store
        .update_ticket(ticket.id, TicketChanges::default(), Actor::Agent(lead.id), t(31))
        .await
        .unwrap();
    assert_eq!(after, ticket);

    assert_eq!(store.ticket(ticket.id).await.unwrap().unwrap(), ticket);
    assert_eq!(
        store.ticket_events(ticket.id).await.unwrap(),
        history,
        "no event for unchanged values"
    );

    // Only the one field that really changes is recorded.
    let mixed = TicketChanges {
        priority: Some(Priority::High),
        status: Some(TicketStatus::Pending),
        ..TicketChanges::default()
    };
    store
        .update_ticket(ticket.id, mixed, Actor::Agent(lead.id), t(40))
        .await
        .unwrap();
    let kinds = event_kinds(store, ticket.id).await;
    assert_eq!(kinds.len(), history.len() + 1);
    assert_eq!(
        kinds.last(),
        Some(&EventKind::StatusChanged {
            from: TicketStatus::New,
            to: TicketStatus::Pending,
            reopen: false
        })
    );
}

async fn assignee_and_team_can_be_cleared(db: TestDb) {
    let store = &db.store;
    let lead = agent(store, "Lead").await;
    let maria = agent(store, "Maria").await;
    let billing = store.create_team("Billing".into(), t(-60)).await.unwrap();
    let new = NewTicket {
        assignee: Some(maria.id),
        team: Some(billing.id),
        ..new_ticket("Charged twice", "ana@example.com")
    };
    let ticket = store.create_ticket(new, Actor::Agent(lead.id), t(0)).await.unwrap();

    let clear = TicketChanges {
        assignee: Some(None),
        team: Some(None),
        ..TicketChanges::default()
    };
    let updated = store
        .update_ticket(ticket.id, clear, Actor::Agent(lead.id), t(5))
        .await
        .unwrap();
    assert_eq!((updated.assignee_id, updated.team_id), (None, None));

    let kinds = event_kinds(store, ticket.id).await;
    let tail = &kinds[kinds.len() - 2..];
    assert!(
        tail.contains(&EventKind::AssigneeChanged {
            from: Some(maria.id),
            to: None
        }),
        "{tail:?}"
    );
    assert!(
        tail.contains(&EventKind::TeamChanged {
            from: Some(billing.id),
            to: None
        }),
        "{tail:?}"
    );
}

async fn an_unknown_assignee_or_team_is_not_found_and_changes_nothing(db: TestDb) {
    let store = &db.store;
    let lead = agent(store, "Lead").await;
    let ticket = store
        .create_ticket(new_ticket("Charged twice", "ana@example.com"), Actor::System, t(0))
        .await
        .unwrap();
    let history = store.ticket_events(ticket.id).await.unwrap();

    // The priority change comes with the unknown assignee: all or nothing.
    let ghost = TicketChanges {
        priority: Some(Priority::Urgent),
        assignee: Some(Some(AgentId::new())),
        ..TicketChanges::default()
    };
    let refused = store.update_ticket(ticket.id, ghost, Actor::Agent(lead.id), t(5)).await;
    assert!(
        matches!(refused, Err(StoreError::NotFound { what: "agent" })),
        "{refused:?}"
    );

    let ghost = TicketChanges {
        priority: Some(Priority::Urgent),
        team: Some(Some(TeamId::new())),
        ..TicketChanges::default()
    };
    let refused = store.update_ticket(ticket.id, ghost, Actor::Agent(lead.id), t(5)).await;
    assert!(
        matches!(refused, Err(StoreError::NotFound { what: "team" })),
        "{refused:?}"
    );

    assert_eq!(
        store.ticket(ticket.id).await.unwrap().unwrap(),
        ticket,
        "the priority did not change either"
    );
    assert_eq!(store.ticket_events(ticket.id).await.unwrap(), history);

    // Opening a ticket for an unknown agent is refused the same way, and takes no number.
    let ghost = NewTicket {
        assignee: Some(AgentId::new()),
        ..new_ticket("Another", "ana@example.com")
    };
    let refused = store.create_ticket(ghost, Actor::System, t(6)).await;
    assert!(
        matches!(refused, Err(StoreError::NotFound { what: "agent" })),
        "{refused:?}"
    );
    let next = store
        .create_ticket(new_ticket("Another", "ana@example.com"), Actor::System, t(7))
        .await
        .unwrap();
    assert_eq!(next.number, ticket.number + 1);
}

async fn a_ticket_opened_with_triage_records_it_in_its_history(db: TestDb) {
    let store = &db.store;
    let lead = agent(store, "Lead").await;
    let maria = agent(store, "Maria").await;
    let billing = store.create_team("Billing".into(), t(-60)).await.unwrap();
    let new = NewTicket {
        tags: tags(&["vip"]),
        assignee: Some(maria.id),
        team: Some(billing.id),
        fcr_eligible: false,
        priority: Priority::Urgent,
        ..new_ticket("Site down", "ana@example.com")
    };
    let ticket = store.create_ticket(new, Actor::Agent(lead.id), t(0)).await.unwrap();

    let events = store.ticket_events(ticket.id).await.unwrap();
    let kinds: Vec<_> = events.iter().map(|r| r.event.kind.clone()).collect();
    assert_eq!(
        kinds[0],
        EventKind::Created {
            channel: helpdesk_domain::ticket::Channel::Email,
            priority: Priority::Urgent
        }
    );
    assert_eq!(events[0].event.actor, Actor::Agent(lead.id));
    assert!(matches!(kinds[1], EventKind::Message { moved_from: None, .. }));
    assert_eq!(
        events[1].event.actor,
        Actor::Customer(ticket.customer_id),
        "the first message is the customer's"
    );
    for kind in [
        EventKind::TagsChanged {
            added: tags(&["vip"]).into_iter().collect(),
            removed: vec![],
        },
        EventKind::TeamChanged {
            from: None,
            to: Some(billing.id),
        },
        EventKind::AssigneeChanged {
            from: None,
            to: Some(maria.id),
        },
        EventKind::FcrEligibilityChanged { eligible: false },
    ] {
        assert!(kinds.contains(&kind), "missing {kind:?} in {kinds:#?}");
    }
    assert_eq!(kinds.len(), 6);
}

helpdesk_persistence::each_store!(
    each_changed_field_is_one_event_by_the_acting_agent,
    unchanged_values_record_nothing,
    assignee_and_team_can_be_cleared,
    an_unknown_assignee_or_team_is_not_found_and_changes_nothing,
    a_ticket_opened_with_triage_records_it_in_its_history,
);
