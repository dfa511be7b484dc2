//! Ticket numbers people can read out on the phone, one customer per email
//! address, and desk-wide settings that the first writer decides.
#![allow(clippy::unwrap_used)] // in a test, a failed step is a failed test

mod common;

use std::sync::Arc;

use common::{agent, email, new_ticket, t};
use helpdesk_domain::ticket::Actor;
use helpdesk_persistence::StoreError;
use helpdesk_persistence::testing::TestDb;
use helpdesk_persistence::tickets::{NewTicket, TicketFilter, TicketOrder};
use tokio::sync::Barrier;
use tokio::task::JoinSet;

async fn tickets_are_numbered_one_two_three_in_order(db: TestDb) {
    let store = &db.store;
    let mut numbers = Vec::new();
    for (i, subject) in ["Printer on fire", "Invoice missing", "Password reset"]
        .into_iter()
        .enumerate()
    {
        let ticket = store
            .create_ticket(new_ticket(subject, "ana@example.com"), Actor::System, t(i as i64))
            .await
            .unwrap();
        numbers.push(ticket.number);
        let stored = store.ticket(ticket.id).await.unwrap().expect("the ticket is stored");
        assert_eq!(stored, ticket, "the stored ticket is the one create_ticket returned");
    }
    assert_eq!(numbers, [1, 2, 3]);
}

async fn twenty_tickets_created_at_once_take_numbers_one_to_twenty(db: TestDb) {
    const TICKETS: usize = 20;
    let maria = agent(&db.store, "Maria").await;
    let support = db.store.create_team("Support".into(), t(-60)).await.unwrap();
    // All tasks wait at the barrier, then race to create their ticket. Each
    // ticket is assigned, so each creation reads (does Maria exist?) before it
    // writes: on SQLite that only works out because writes begin IMMEDIATE.
    let start = Arc::new(Barrier::new(TICKETS));
    let mut tasks = JoinSet::new();
    for i in 0..TICKETS {
        let (store, start) = (db.store.clone(), Arc::clone(&start));
        tasks.spawn(async move {
            let new = NewTicket {
                assignee: Some(maria.id),
                team: Some(support.id),
                ..new_ticket(&format!("Rush #{i}"), &format!("customer{i}@example.com"))
            };
            start.wait().await;
            store.create_ticket(new, Actor::System, t(0)).await
        });
    }
    let mut numbers = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        numbers.push(
            joined
                .expect("task ran to the end")
                .expect("every concurrent creation succeeds")
                .number,
        );
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=20).collect::<Vec<i64>>(), "no gap and no duplicate");

    let listed = db
        .store
        .list_tickets(&TicketFilter::default(), TicketOrder::default(), 100, None)
        .await
        .unwrap();
    assert_eq!(listed.tickets.len(), 20);
    assert_eq!(db.store.count_tickets(&TicketFilter::default()).await.unwrap(), 20);
    let next = db
        .store
        .create_ticket(new_ticket("One more", "late@example.com"), Actor::System, t(1))
        .await
        .unwrap();
    assert_eq!(next.number, 21, "the counter continues after the burst");
}

async fn a_new_customer_writing_several_times_at_once_is_one_customer(db: TestDb) {
    const TICKETS: usize = 10;
    let start = Arc::new(Barrier::new(TICKETS));
    let mut tasks = JoinSet::new();
    for i in 0..TICKETS {
        let (store, start) = (db.store.clone(), Arc::clone(&start));
        tasks.spawn(async move {
            let from = if i % 2 == 0 {
                "rush@example.com"
            } else {
                "RUSH@Example.com"
            };
            let new = new_ticket(&format!("Urgent, try {i}"), from);
            start.wait().await;
            store.create_ticket(new, Actor::System, t(0)).await
        });
    }
    let mut customers = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        customers.push(
            joined
                .expect("task ran to the end")
                .expect("every concurrent creation succeeds")
                .customer_id,
        );
    }
    customers.dedup();
    assert_eq!(
        customers.len(),
        1,
        "one customer for one address, however fast they write"
    );
    let filter = TicketFilter {
        customer_email: Some(email("rush@example.com")),
        ..TicketFilter::default()
    };
    let listed = db
        .store
        .list_tickets(&filter, TicketOrder::default(), 100, None)
        .await
        .unwrap();
    assert_eq!(db.store.count_tickets(&filter).await.unwrap(), TICKETS as u64);
    assert_eq!(listed.tickets.len(), TICKETS);
}

async fn a_refused_ticket_gives_its_number_back(db: TestDb) {
    let store = &db.store;
    let with_mail_id = |subject: &str| NewTicket {
        rfc_message_id: Some("<abc@mail.example>".into()),
        ..new_ticket(subject, "ana@example.com")
    };
    let first = store
        .create_ticket(with_mail_id("First mail"), Actor::System, t(0))
        .await
        .unwrap();
    assert_eq!(first.number, 1);

    // The same mail delivered twice is refused after its number was taken...
    let again = store
        .create_ticket(with_mail_id("Same mail again"), Actor::System, t(1))
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");

    // ...and the rollback gives that number back.
    let second = store
        .create_ticket(new_ticket("Another mail", "ana@example.com"), Actor::System, t(2))
        .await
        .unwrap();
    assert_eq!(second.number, 2);
    let listed = store
        .list_tickets(&TicketFilter::default(), TicketOrder::default(), 10, None)
        .await
        .unwrap();
    assert_eq!(listed.tickets.len(), 2, "the refused ticket left nothing behind");
}

async fn one_email_in_any_case_is_one_customer(db: TestDb) {
    let store = &db.store;
    let first = store
        .create_ticket(
            new_ticket("Where is my order?", "Ana.Lopez@Example.com"),
            Actor::System,
            t(0),
        )
        .await
        .unwrap();
    let named = NewTicket {
        customer_name: Some("Ana López".into()),
        ..new_ticket("Still waiting", "ana.lopez@EXAMPLE.COM")
    };
    let second = store.create_ticket(named, Actor::System, t(5)).await.unwrap();
    let other = store
        .create_ticket(new_ticket("Hello", "bob@example.com"), Actor::System, t(6))
        .await
        .unwrap();

    assert_eq!(
        first.customer_id, second.customer_id,
        "same address, different case: one customer"
    );
    assert_ne!(
        first.customer_id, other.customer_id,
        "another address is another customer"
    );

    let customers = store.customers_by_ids(&[first.customer_id]).await.unwrap();
    assert_eq!(customers.len(), 1);
    let ana = &customers[0];
    assert_eq!(ana.email, Some(email("ana.lopez@example.com")), "stored lower-case");
    assert_eq!(
        ana.name.as_deref(),
        Some("Ana López"),
        "a nameless customer gets the name given later"
    );
    assert_eq!(ana.created_at, t(0), "the customer dates from the first ticket");

    let filter = TicketFilter {
        customer_email: Some(email("ANA.LOPEZ@example.com")),
        ..TicketFilter::default()
    };
    let page = store
        .list_tickets(&filter, TicketOrder::default(), 10, None)
        .await
        .unwrap();
    let mut ids: Vec<_> = page.tickets.iter().map(|t| t.id).collect();
    ids.sort();
    let mut expected = vec![first.id, second.id];
    expected.sort();
    assert_eq!(ids, expected);
}

async fn the_first_stored_setting_wins(db: TestDb) {
    let store = &db.store;
    assert_eq!(store.setting("jwt_secret").await.unwrap(), None);

    assert_eq!(store.setting_or_insert("jwt_secret", "first").await.unwrap(), "first");
    assert_eq!(
        store.setting_or_insert("jwt_secret", "second").await.unwrap(),
        "first",
        "a later value does not replace it"
    );
    assert_eq!(store.setting("jwt_secret").await.unwrap().as_deref(), Some("first"));

    assert_eq!(
        store.setting_or_insert("desk_name", "Acme").await.unwrap(),
        "Acme",
        "keys are independent"
    );
    assert_eq!(store.setting("jwt_secret").await.unwrap().as_deref(), Some("first"));
}

async fn servers_starting_at_once_agree_on_one_setting(db: TestDb) {
    let mut tasks = JoinSet::new();
    for i in 0..8 {
        let store = db.store.clone();
        tasks.spawn(async move { store.setting_or_insert("jwt_secret", &format!("secret-{i}")).await });
    }
    let mut seen = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        seen.push(
            joined
                .expect("task ran to the end")
                .expect("setting_or_insert succeeds"),
        );
    }
    seen.dedup();
    assert_eq!(seen.len(), 1, "every server got the same secret: {seen:?}");
    assert_eq!(db.store.setting("jwt_secret").await.unwrap(), Some(seen[0].clone()));
}

helpdesk_persistence::each_store!(
    tickets_are_numbered_one_two_three_in_order,
    twenty_tickets_created_at_once_take_numbers_one_to_twenty,
    a_new_customer_writing_several_times_at_once_is_one_customer,
    a_refused_ticket_gives_its_number_back,
    one_email_in_any_case_is_one_customer,
    the_first_stored_setting_wins,
    servers_starting_at_once_agree_on_one_setting,
);
