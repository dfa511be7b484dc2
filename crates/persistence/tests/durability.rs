//! The server stops and starts again: everything the desk wrote is still there.
#![allow(clippy::unwrap_used)] // in a test, a failed step is a failed test

mod common;

use common::{agent, from_customer, new_ticket, note, reply, t, tags};
use helpdesk_domain::ticket::{Actor, Priority, TicketStatus};
use helpdesk_persistence::Store;
use helpdesk_persistence::testing::TestDb;
use helpdesk_persistence::tickets::{NewTicket, TicketChanges, TicketFilter, TicketOrder};

async fn everything_survives_a_restart(mut db: TestDb) {
    let store = &db.store;
    let maria = agent(store, "Maria").await;
    let billing = store.create_team("Billing".into(), t(-60)).await.unwrap();
    store.add_team_member(billing.id, maria.id).await.unwrap();
    store.setting_or_insert("jwt_secret", "s3cret").await.unwrap();

    let new = NewTicket {
        tags: tags(&["billing"]),
        ..new_ticket("Charged twice", "ana@example.com")
    };
    let first = store.create_ticket(new, Actor::System, t(0)).await.unwrap();
    store
        .add_message(first.id, reply(maria.id, "Refund on its way"), t(10))
        .await
        .unwrap();
    store
        .add_message(first.id, note(maria.id, "Refund #991"), t(11))
        .await
        .unwrap();
    store
        .add_message(first.id, from_customer("Thanks!"), t(20))
        .await
        .unwrap();
    let changes = TicketChanges {
        status: Some(TicketStatus::Solved),
        priority: Some(Priority::High),
        assignee: Some(Some(maria.id)),
        team: Some(Some(billing.id)),
        ..TicketChanges::default()
    };
    store
        .update_ticket(first.id, changes, Actor::Agent(maria.id), t(25))
        .await
        .unwrap();
    let second = store
        .create_ticket(new_ticket("Another one", "bob@example.com"), Actor::System, t(30))
        .await
        .unwrap();
    store
        .merge_tickets(second.id, first.id, Actor::Agent(maria.id), t(40))
        .await
        .unwrap();

    let ids = [first.id, second.id];
    let tickets = store.tickets_by_ids(&ids).await.unwrap();
    let messages = store.messages_of(&ids).await.unwrap();
    let events = (
        store.ticket_events(first.id).await.unwrap(),
        store.ticket_events(second.id).await.unwrap(),
    );
    let facts = store.ticket_facts(first.id).await.unwrap();
    let tags_before = store.tags_of(&ids).await.unwrap();
    assert_eq!(messages.len(), 5);
    assert!(events.0.len() > 5 && events.1.len() > 2);

    // Stop: the test's store is swapped for one on an unrelated in-memory
    // database, so the last handle on the desk's database is dropped.
    let stand_in = Store::connect("sqlite::memory:").await.unwrap();
    drop(std::mem::replace(&mut db.store, stand_in));

    // Start again.
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();

    let mut again = store.tickets_by_ids(&ids).await.unwrap();
    let mut before = tickets.clone();
    again.sort_by_key(|t| t.number);
    before.sort_by_key(|t| t.number);
    assert_eq!(again, before);
    assert_eq!(store.messages_of(&ids).await.unwrap(), messages);
    assert_eq!(store.ticket_events(first.id).await.unwrap(), events.0);
    assert_eq!(store.ticket_events(second.id).await.unwrap(), events.1);
    assert_eq!(store.ticket_facts(first.id).await.unwrap(), facts);
    assert_eq!(store.tags_of(&ids).await.unwrap(), tags_before);
    assert_eq!(store.agent(maria.id).await.unwrap(), Some(maria.clone()));
    assert_eq!(
        store.team_members(&[billing.id]).await.unwrap(),
        [(billing.id, maria.id)]
    );
    assert_eq!(store.setting("jwt_secret").await.unwrap().as_deref(), Some("s3cret"));

    // ...and the desk carries on where it stopped.
    let third = store
        .create_ticket(new_ticket("After the restart", "ana@example.com"), Actor::System, t(50))
        .await
        .unwrap();
    assert_eq!(third.number, 3);
    assert_eq!(third.customer_id, first.customer_id, "Ana is still known");
    let page = store
        .list_tickets(&TicketFilter::default(), TicketOrder::default(), 10, None)
        .await
        .unwrap();
    assert_eq!(page.tickets.len(), 3);
}

helpdesk_persistence::each_store!(everything_survives_a_restart);
