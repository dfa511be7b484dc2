//! Ticket numbers people can read out on the phone, one customer per email
//! address, and desk-wide settings that the first writer decides.
#![allow(clippy::unwrap_used)] // in a test, a failed step is a failed test

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use common::{agent, email, migrated_until, new_ticket, t, unmigrated_postgres};
use helpdesk_domain::import::{ImportedAuthor, ImportedEvent, ImportedKind, ImportedTicket};
use helpdesk_domain::ticket::{Actor, Channel, Priority};
use helpdesk_persistence::StoreError;
use helpdesk_persistence::testing::TestDb;
use helpdesk_persistence::tickets::{NewTicket, TicketFilter, TicketOrder};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement, TransactionTrait};
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

    // The same mail delivered twice is refused (its ticket takes its number
    // last, so the refusal comes first, but either way)...
    let again = store
        .create_ticket(with_mail_id("Same mail again"), Actor::System, t(1))
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");

    // ...and leaves no gap in the numbers.
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

/// On PostgreSQL, creations do not queue on the ticket counter while they
/// look a customer up: a ticket and an import batch that meet an address
/// another transaction is adding, uncommitted, wait for it and then take its
/// customer, leaving no second customer behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_creations_meeting_an_address_being_added_take_its_customer() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!(
            "{} unset: PostgreSQL run skipped",
            helpdesk_persistence::testing::POSTGRES_ENV
        );
        return;
    };
    let other = Database::connect(db.url.as_str()).await.unwrap();
    let adding = other.begin().await.unwrap();
    let theirs = uuid::Uuid::now_v7();
    adding
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO customers (id, name, created_at, verified) VALUES ($1, 'Rita', now(), true)",
            [theirs.into()],
        ))
        .await
        .unwrap();
    adding
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO customer_identities (id, customer_id, kind, value, created_at) \
             VALUES ($1, $2, 'EMAIL', 'rita@example.com', now())",
            [uuid::Uuid::now_v7().into(), theirs.into()],
        ))
        .await
        .unwrap();

    let store = db.store.clone();
    let live = tokio::spawn(async move {
        store
            .create_ticket(
                new_ticket("Where is my parcel?", "rita@example.com"),
                Actor::System,
                t(0),
            )
            .await
    });
    let store = db.store.clone();
    let import = tokio::spawn(async move {
        let imported = ImportedTicket {
            external_id: "OLD-1".into(),
            subject: "Old question".into(),
            channel: Channel::Email,
            priority: Priority::Normal,
            customer_email: email("rita@example.com"),
            customer_name: None,
            tags: BTreeSet::new(),
            created_at: t(-100),
            fcr_eligible: true,
            events: vec![ImportedEvent {
                at: t(-100),
                kind: ImportedKind::Message {
                    author: ImportedAuthor::Customer,
                    body: "Hello".into(),
                },
            }],
        };
        store.import_tickets(&[imported], t(0)).await
    });
    // Both wait on the uncommitted identity before it commits.
    let waiting = Statement::from_string(
        DbBackend::Postgres,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    let mut waiters = 0;
    for _ in 0..200 {
        let row = other.query_one_raw(waiting.clone()).await.unwrap().unwrap();
        waiters = row.try_get_by_index::<i64>(0).unwrap();
        if waiters == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(waiters, 2, "the ticket and the import wait on the address being added");
    adding.commit().await.unwrap();

    let ticket = live.await.unwrap().unwrap();
    assert_eq!(import.await.unwrap().unwrap().imported, 1);
    let tickets = db
        .store
        .list_tickets(&TicketFilter::default(), TicketOrder::default(), 10, None)
        .await
        .unwrap()
        .tickets;
    assert_eq!(tickets.len(), 2);
    assert!(
        tickets.iter().all(|t| t.customer_id.as_uuid() == theirs),
        "both tickets belong to the customer who was being added"
    );
    assert_eq!(ticket.number, 2, "the live ticket numbered after the import's, no gap");
    let customers = other
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT count(*) FROM customers",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    assert_eq!(customers, 1, "the customers the two created for the address are gone");
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

/// A desk that ran before PostgreSQL numbered tickets from a sequence keeps
/// counting where its counter stopped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_an_upgraded_desk_numbers_on_from_its_counter() {
    let Some(db) = unmigrated_postgres().await else {
        return;
    };
    let raw = migrated_until(&db, "m20261203_000050_ticket_number_sequence").await;
    raw.execute_unprepared("UPDATE counters SET value = 41 WHERE name = 'ticket_number'")
        .await
        .unwrap();
    raw.close().await.unwrap();

    db.store.migrate().await.unwrap();
    let ticket = db
        .store
        .create_ticket(new_ticket("After the upgrade", "ana@example.com"), Actor::System, t(0))
        .await
        .unwrap();
    assert_eq!(ticket.number, 42);
}
