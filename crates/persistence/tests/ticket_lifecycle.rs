//! A ticket's life as agents and the customer write to it: what each message
//! does to its status, and what the workflow refuses.
#![allow(clippy::unwrap_used)] // in a test, a failed step is a failed test

mod common;

use common::{agent, event_kinds, from_customer, new_ticket, note, reply, reply_and_set, t};
use helpdesk_domain::DomainError;
use helpdesk_domain::ticket::{Actor, Author, Channel, EventKind, TicketStatus};
use helpdesk_persistence::StoreError;
use helpdesk_persistence::testing::TestDb;
use helpdesk_persistence::tickets::{MessageAuthor, NewMessage, TicketChanges};

fn set_status(status: TicketStatus) -> TicketChanges {
    TicketChanges {
        status: Some(status),
        ..TicketChanges::default()
    }
}

async fn an_agents_first_public_reply_opens_a_new_ticket(db: TestDb) {
    let store = &db.store;
    let maria = agent(store, "Maria").await;
    let ticket = store
        .create_ticket(new_ticket("VPN drops", "ana@example.com"), Actor::System, t(0))
        .await
        .unwrap();
    assert_eq!(ticket.status, TicketStatus::New);

    let (message, after) = store
        .add_message(ticket.id, reply(maria.id, "Which client version?"), t(10))
        .await
        .unwrap();
    assert_eq!(after.status, TicketStatus::Open);
    assert_eq!(after.updated_at, t(10));
    assert_eq!(
        store.ticket(ticket.id).await.unwrap().unwrap().status,
        TicketStatus::Open,
        "stored, not only returned"
    );

    assert_eq!(message.author, Author::Agent);
    assert_eq!(message.agent_id, Some(maria.id));
    assert_eq!(message.customer_id, None);
    assert!(!message.internal);
    assert_eq!(
        message.channel,
        Channel::Email,
        "a reply goes by the ticket's channel unless told otherwise"
    );

    let messages = store.messages_of(&[ticket.id]).await.unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(
        (messages[0].author, messages[0].customer_id),
        (Author::Customer, Some(ticket.customer_id))
    );
    assert_eq!(messages[0].body, "Hello, VPN drops");
    assert_eq!(messages[1], message);

    let events = store.ticket_events(ticket.id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(
        last.event.kind,
        EventKind::StatusChanged {
            from: TicketStatus::New,
            to: TicketStatus::Open,
            reopen: false
        }
    );
    assert_eq!(last.event.actor, Actor::Agent(maria.id));
    assert_eq!(last.event.at, t(10));
}

async fn a_reply_can_set_the_status_it_leaves_the_ticket_in(db: TestDb) {
    let store = &db.store;
    let maria = agent(store, "Maria").await;
    let ticket = store
        .create_ticket(new_ticket("Refund", "ana@example.com"), Actor::System, t(0))
        .await
        .unwrap();

    let (_, after) = store
        .add_message(
            ticket.id,
            reply_and_set(maria.id, "Send me the invoice number, please", TicketStatus::Pending),
            t(5),
        )
        .await
        .unwrap();
    assert_eq!(after.status, TicketStatus::Pending);

    // The customer answering brings a PENDING ticket back to the desk.
    let (_, after) = store
        .add_message(ticket.id, from_customer("It is INV-42"), t(30))
        .await
        .unwrap();
    assert_eq!(after.status, TicketStatus::Open);

    let statuses: Vec<_> = event_kinds(store, ticket.id)
        .await
        .into_iter()
        .filter(|k| matches!(k, EventKind::StatusChanged { .. }))
        .collect();
    assert_eq!(
        statuses,
        [
            EventKind::StatusChanged {
                from: TicketStatus::New,
                to: TicketStatus::Pending,
                reopen: false
            },
            EventKind::StatusChanged {
                from: TicketStatus::Pending,
                to: TicketStatus::Open,
                reopen: false
            },
        ]
    );
}

async fn an_internal_note_changes_no_status_and_stays_internal(db: TestDb) {
    let store = &db.store;
    let maria = agent(store, "Maria").await;
    let ticket = store
        .create_ticket(new_ticket("Odd charge", "ana@example.com"), Actor::System, t(0))
        .await
        .unwrap();

    let (message, after) = store
        .add_message(ticket.id, note(maria.id, "Probably a double charge"), t(3))
        .await
        .unwrap();
    assert!(message.internal);
    assert_eq!(message.agent_id, Some(maria.id));
    assert_eq!(after.status, TicketStatus::New, "a note is not a reply");

    let kinds = event_kinds(store, ticket.id).await;
    assert_eq!(
        kinds.last(),
        Some(&EventKind::Note {
            message_id: message.id,
            moved_from: None
        })
    );
    assert!(
        !kinds.iter().any(|k| matches!(k, EventKind::StatusChanged { .. })),
        "{kinds:?}"
    );

    let stored = store.messages_of(&[ticket.id]).await.unwrap();
    assert_eq!(stored.iter().filter(|m| m.internal).count(), 1);
    assert!(
        stored.iter().find(|m| m.id == message.id).unwrap().internal,
        "stored as internal"
    );

    // A note on a PENDING ticket leaves it PENDING too.
    store
        .add_message(
            ticket.id,
            reply_and_set(maria.id, "Which card?", TicketStatus::Pending),
            t(20),
        )
        .await
        .unwrap();
    let (_, after) = store
        .add_message(ticket.id, note(maria.id, "Waiting on Ana"), t(21))
        .await
        .unwrap();
    assert_eq!(after.status, TicketStatus::Pending);

    // Whoever writes it, a note carrying a status is refused, and nothing is stored.
    let before = store.messages_of(&[ticket.id]).await.unwrap().len();
    let with_status = NewMessage {
        status: Some(TicketStatus::Solved),
        ..note(maria.id, "Done, I think")
    };
    assert!(matches!(
        store.add_message(ticket.id, with_status, t(22)).await,
        Err(StoreError::Rule(DomainError::NoteWithStatus))
    ));
    assert_eq!(store.messages_of(&[ticket.id]).await.unwrap().len(), before);
    assert_eq!(
        store.ticket(ticket.id).await.unwrap().unwrap().status,
        TicketStatus::Pending
    );
}

async fn a_customer_writing_to_a_solved_ticket_reopens_it(db: TestDb) {
    let store = &db.store;
    let maria = agent(store, "Maria").await;
    let ticket = store
        .create_ticket(new_ticket("Cannot log in", "ana@example.com"), Actor::System, t(0))
        .await
        .unwrap();
    store
        .add_message(
            ticket.id,
            reply_and_set(maria.id, "Reset it for you", TicketStatus::Solved),
            t(10),
        )
        .await
        .unwrap();

    let (message, after) = store
        .add_message(ticket.id, from_customer("Still cannot log in"), t(60))
        .await
        .unwrap();
    assert_eq!(after.status, TicketStatus::Open);
    assert_eq!(message.customer_id, Some(ticket.customer_id));

    let events = store.ticket_events(ticket.id).await.unwrap();
    let reopen = events.last().unwrap();
    assert_eq!(
        reopen.event.kind,
        EventKind::StatusChanged {
            from: TicketStatus::Solved,
            to: TicketStatus::Open,
            reopen: true
        }
    );
    assert_eq!(
        reopen.event.actor,
        Actor::Customer(ticket.customer_id),
        "the customer reopened it"
    );
    assert_eq!(reopen.event.at, t(60));
}

async fn a_closed_ticket_refuses_replies_and_changes(db: TestDb) {
    let store = &db.store;
    let maria = agent(store, "Maria").await;
    let ticket = store
        .create_ticket(new_ticket("Old issue", "ana@example.com"), Actor::System, t(0))
        .await
        .unwrap();
    let closed = store
        .update_ticket(
            ticket.id,
            set_status(TicketStatus::Closed),
            Actor::Agent(maria.id),
            t(10),
        )
        .await
        .unwrap();
    assert_eq!(closed.status, TicketStatus::Closed);
    let events_before = store.ticket_events(ticket.id).await.unwrap();
    let messages_before = store.messages_of(&[ticket.id]).await.unwrap();

    let system = NewMessage {
        author: MessageAuthor::System,
        ..from_customer("We received your message")
    };
    for message in [
        reply(maria.id, "One more thing"),
        note(maria.id, "fyi"),
        from_customer("Hello again?"),
        system,
    ] {
        let refused = store.add_message(ticket.id, message.clone(), t(20)).await;
        assert!(
            matches!(refused, Err(StoreError::Rule(DomainError::TicketClosed))),
            "{message:?}: {refused:?}"
        );
    }

    for to in [TicketStatus::Open, TicketStatus::Solved, TicketStatus::Closed] {
        let refused = store
            .update_ticket(ticket.id, set_status(to), Actor::Agent(maria.id), t(20))
            .await;
        assert!(
            matches!(refused, Err(StoreError::Rule(DomainError::InvalidTransition { from: TicketStatus::Closed, to: asked })) if asked == to),
            "CLOSED -> {to}: {refused:?}"
        );
    }
    let priority = TicketChanges {
        priority: Some(helpdesk_domain::ticket::Priority::Urgent),
        ..TicketChanges::default()
    };
    let refused = store
        .update_ticket(ticket.id, priority, Actor::Agent(maria.id), t(20))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Rule(DomainError::TicketClosed))),
        "{refused:?}"
    );

    assert_eq!(
        store.ticket(ticket.id).await.unwrap().unwrap(),
        closed,
        "the ticket is as it was closed"
    );
    assert_eq!(
        store.ticket_events(ticket.id).await.unwrap(),
        events_before,
        "nothing was recorded"
    );
    assert_eq!(
        store.messages_of(&[ticket.id]).await.unwrap(),
        messages_before,
        "nothing was stored"
    );
}

async fn nothing_goes_back_to_new(db: TestDb) {
    let store = &db.store;
    let maria = agent(store, "Maria").await;
    let ticket = store
        .create_ticket(new_ticket("Slow site", "ana@example.com"), Actor::System, t(0))
        .await
        .unwrap();

    // Asking for the status it already has is no change at all.
    let same = store
        .update_ticket(ticket.id, set_status(TicketStatus::New), Actor::Agent(maria.id), t(1))
        .await
        .unwrap();
    assert_eq!(same, ticket);

    store
        .add_message(ticket.id, reply(maria.id, "Looking into it"), t(5))
        .await
        .unwrap();
    let refused = store
        .update_ticket(ticket.id, set_status(TicketStatus::New), Actor::Agent(maria.id), t(6))
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Rule(DomainError::InvalidTransition {
                from: TicketStatus::Open,
                to: TicketStatus::New
            }))
        ),
        "{refused:?}"
    );
    let refused = store
        .add_message(
            ticket.id,
            reply_and_set(maria.id, "Back to new", TicketStatus::New),
            t(7),
        )
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Rule(DomainError::InvalidTransition {
                from: TicketStatus::Open,
                to: TicketStatus::New
            }))
        ),
        "{refused:?}"
    );
    assert_eq!(
        store.ticket(ticket.id).await.unwrap().unwrap().status,
        TicketStatus::Open
    );
    assert_eq!(
        store.messages_of(&[ticket.id]).await.unwrap().len(),
        2,
        "the refused reply was not stored"
    );
}

async fn an_unknown_ticket_is_not_found(db: TestDb) {
    let store = &db.store;
    let maria = agent(store, "Maria").await;
    let nowhere = helpdesk_domain::ids::TicketId::new();
    let refused = store.add_message(nowhere, reply(maria.id, "Hello?"), t(0)).await;
    assert!(
        matches!(refused, Err(StoreError::NotFound { what: "ticket" })),
        "{refused:?}"
    );
    let refused = store
        .update_ticket(nowhere, set_status(TicketStatus::Open), Actor::Agent(maria.id), t(0))
        .await;
    assert!(
        matches!(refused, Err(StoreError::NotFound { what: "ticket" })),
        "{refused:?}"
    );
    assert_eq!(store.ticket(nowhere).await.unwrap(), None);
}

helpdesk_persistence::each_store!(
    an_agents_first_public_reply_opens_a_new_ticket,
    a_reply_can_set_the_status_it_leaves_the_ticket_in,
    an_internal_note_changes_no_status_and_stays_internal,
    a_customer_writing_to_a_solved_ticket_reopens_it,
    a_closed_ticket_refuses_replies_and_changes,
    nothing_goes_back_to_new,
    an_unknown_ticket_is_not_found,
);
