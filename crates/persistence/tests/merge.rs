//! Ana wrote twice about the same problem; an agent merges the second ticket
//! into the first so the conversation lives in one place.
#![allow(clippy::unwrap_used)] // in a test, a failed step is a failed test

mod common;

use common::{agent, from_customer, new_ticket, note, reply, sample, stored_facts, t};
use helpdesk_domain::DomainError;
use helpdesk_domain::ids::TicketId;
use helpdesk_domain::ticket::{Actor, Author, EventKind, TicketStatus};
use helpdesk_persistence::StoreError;
use helpdesk_persistence::testing::TestDb;
use helpdesk_persistence::tickets::TicketChanges;

async fn merging_moves_the_conversation_and_closes_the_source(db: TestDb) {
    let store = &db.store;
    let maria = agent(store, "Maria").await;
    let target = store
        .create_ticket(new_ticket("Card declined", "ana@example.com"), Actor::System, t(0))
        .await
        .unwrap();
    store
        .add_message(target.id, reply(maria.id, "Which card?"), t(10))
        .await
        .unwrap();
    let source = store
        .create_ticket(new_ticket("Payment fails", "ana@example.com"), Actor::System, t(20))
        .await
        .unwrap();
    let (follow_up, _) = store
        .add_message(source.id, from_customer("The Visa one"), t(30))
        .await
        .unwrap();
    let (source_note, _) = store
        .add_message(source.id, note(maria.id, "Same as the card ticket"), t(35))
        .await
        .unwrap();
    let moving: Vec<_> = store.messages_of(&[source.id]).await.unwrap();
    assert_eq!(moving.len(), 3);

    let (merged, into) = store
        .merge_tickets(source.id, target.id, Actor::Agent(maria.id), t(50))
        .await
        .unwrap();

    // The source is closed and points at the target.
    assert_eq!(merged.status, TicketStatus::Closed);
    assert_eq!(merged.merged_into, Some(target.id));
    assert_eq!(store.ticket(source.id).await.unwrap().unwrap(), merged);
    assert_eq!(into.status, TicketStatus::Open, "the target keeps its status");
    assert_eq!(into.updated_at, t(50));
    assert_eq!(into.merged_into, None);

    // Every message now belongs to the target, at its own time.
    assert!(store.messages_of(&[source.id]).await.unwrap().is_empty());
    let messages = store.messages_of(&[target.id]).await.unwrap();
    let times: Vec<_> = messages.iter().map(|m| m.created_at).collect();
    assert_eq!(times, [t(0), t(10), t(20), t(30), t(35)]);
    for moved in &moving {
        let now = messages
            .iter()
            .find(|m| m.id == moved.id)
            .expect("moved message is on the target");
        assert_eq!(now.ticket_id, target.id);
        assert_eq!(
            (now.body.as_str(), now.internal, now.created_at),
            (moved.body.as_str(), moved.internal, moved.created_at)
        );
    }

    // The target's history shows the moved messages, then the merge.
    let history = store.ticket_events(target.id).await.unwrap();
    let moved_in: Vec<_> = history
        .iter()
        .filter_map(|r| match r.event.kind {
            EventKind::Message {
                message_id,
                moved_from: Some(from),
                ..
            }
            | EventKind::Note {
                message_id,
                moved_from: Some(from),
            } => Some((message_id, from, r.event.at)),
            _ => None,
        })
        .collect();
    assert_eq!(
        moved_in,
        [
            (moving[0].id, source.id, t(20)),
            (follow_up.id, source.id, t(30)),
            (source_note.id, source.id, t(35))
        ]
    );
    assert!(
        history.iter().any(|r| r.event.kind
            == EventKind::Note {
                message_id: source_note.id,
                moved_from: Some(source.id)
            }),
        "the note moves as a note"
    );
    let last = history.last().unwrap();
    assert_eq!(last.event.kind, EventKind::MergedFrom { source: source.id });
    assert_eq!((last.event.actor, last.event.at), (Actor::Agent(maria.id), t(50)));

    // The source's history ends with the merge and its closing.
    let source_history: Vec<_> = store
        .ticket_events(source.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.event.kind)
        .collect();
    assert_eq!(
        source_history[source_history.len() - 2..],
        [
            EventKind::MergedInto { target: target.id },
            EventKind::StatusChanged {
                from: TicketStatus::New,
                to: TicketStatus::Closed,
                reopen: false
            },
        ]
    );

    // The target's facts count Ana's moved messages: she is waiting since 20 minutes.
    let (facts, samples) = stored_facts(store, target.id).await;
    assert_eq!(facts.customer_messages, 3);
    assert_eq!(facts.internal_notes, 1);
    assert_eq!(facts.awaiting_reply_since, Some(t(20)));
    assert_eq!(samples, [sample(t(0), t(10))]);
    let (source_facts, _) = stored_facts(store, source.id).await;
    assert_eq!(source_facts.status, TicketStatus::Closed);

    // Answering on the target answers the moved message.
    store
        .add_message(target.id, reply(maria.id, "Fixed for both"), t(60))
        .await
        .unwrap();
    let (facts, samples) = stored_facts(store, target.id).await;
    assert_eq!(facts.awaiting_reply_since, None);
    assert_eq!(samples, [sample(t(0), t(10)), sample(t(20), t(60))]);
}

async fn a_ticket_cannot_be_merged_into_itself(db: TestDb) {
    let store = &db.store;
    let maria = agent(store, "Maria").await;
    let ticket = store
        .create_ticket(new_ticket("Card declined", "ana@example.com"), Actor::System, t(0))
        .await
        .unwrap();

    let refused = store
        .merge_tickets(ticket.id, ticket.id, Actor::Agent(maria.id), t(5))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Rule(DomainError::MergeIntoSelf))),
        "{refused:?}"
    );
    assert_eq!(store.ticket(ticket.id).await.unwrap().unwrap(), ticket);
}

async fn closed_tickets_cannot_be_merged(db: TestDb) {
    let store = &db.store;
    let maria = agent(store, "Maria").await;
    let open = store
        .create_ticket(new_ticket("Card declined", "ana@example.com"), Actor::System, t(0))
        .await
        .unwrap();
    let closed = store
        .create_ticket(new_ticket("Old question", "ana@example.com"), Actor::System, t(1))
        .await
        .unwrap();
    let close = TicketChanges {
        status: Some(TicketStatus::Closed),
        ..TicketChanges::default()
    };
    store
        .update_ticket(closed.id, close, Actor::Agent(maria.id), t(2))
        .await
        .unwrap();
    let open_history = store.ticket_events(open.id).await.unwrap();

    for (source, target) in [(closed.id, open.id), (open.id, closed.id)] {
        let refused = store.merge_tickets(source, target, Actor::Agent(maria.id), t(5)).await;
        assert!(
            matches!(refused, Err(StoreError::Rule(DomainError::TicketClosed))),
            "{refused:?}"
        );
    }
    assert_eq!(
        store.messages_of(&[open.id]).await.unwrap().len(),
        1,
        "no message moved"
    );
    assert_eq!(
        store.messages_of(&[closed.id]).await.unwrap().len(),
        1,
        "no message moved"
    );
    assert_eq!(store.ticket_events(open.id).await.unwrap(), open_history);
    assert_eq!(store.ticket(open.id).await.unwrap().unwrap(), open);
}

async fn a_merged_ticket_cannot_be_merged_again(db: TestDb) {
    let store = &db.store;
    let maria = agent(store, "Maria").await;
    let first = store
        .create_ticket(new_ticket("One", "ana@example.com"), Actor::System, t(0))
        .await
        .unwrap();
    let second = store
        .create_ticket(new_ticket("Two", "ana@example.com"), Actor::System, t(1))
        .await
        .unwrap();
    let third = store
        .create_ticket(new_ticket("Three", "ana@example.com"), Actor::System, t(2))
        .await
        .unwrap();
    store
        .merge_tickets(second.id, first.id, Actor::Agent(maria.id), t(5))
        .await
        .unwrap();

    let refused = store
        .merge_tickets(second.id, third.id, Actor::Agent(maria.id), t(6))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Rule(DomainError::TicketMerged))),
        "{refused:?}"
    );
    let refused = store
        .merge_tickets(third.id, second.id, Actor::Agent(maria.id), t(6))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Rule(DomainError::TicketMerged))),
        "{refused:?}"
    );
    let refused = store
        .merge_tickets(third.id, TicketId::new(), Actor::Agent(maria.id), t(6))
        .await;
    assert!(
        matches!(refused, Err(StoreError::NotFound { what: "ticket" })),
        "{refused:?}"
    );

    let third_messages = store.messages_of(&[third.id]).await.unwrap();
    assert_eq!(third_messages.len(), 1);
    assert_eq!(third_messages[0].author, Author::Customer);
    assert_eq!(
        store.messages_of(&[first.id]).await.unwrap().len(),
        2,
        "the first merge stands alone"
    );
}

helpdesk_persistence::each_store!(
    merging_moves_the_conversation_and_closes_the_source,
    a_ticket_cannot_be_merged_into_itself,
    closed_tickets_cannot_be_merged,
    a_merged_ticket_cannot_be_merged_again,
);
