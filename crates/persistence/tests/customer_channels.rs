//! Which channels a customer writes on: one grouped query for many customers,
//! counting their tickets per channel (merged ones left out) with the time of
//! the latest, so the API can tell each customer's preferred channel.
#![allow(clippy::unwrap_used)] // in a test, a failed step is a failed test

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::{new_ticket, t};
use helpdesk_domain::ids::CustomerId;
use helpdesk_domain::ticket::{Actor, Channel};
use helpdesk_persistence::Store;
use helpdesk_persistence::testing::TestDb;
use helpdesk_persistence::tickets::{NewTicket, TicketRecord};

async fn open(store: &Store, customer: &str, channel: Channel, at: DateTime<Utc>) -> TicketRecord {
    let new = NewTicket {
        channel,
        ..new_ticket("Help", customer)
    };
    store.create_ticket(new, Actor::System, at).await.unwrap()
}

async fn counts_tickets_per_customer_and_channel(db: TestDb) {
    let store = &db.store;
    // A fraction of a second, so the latest instant must come back exactly.
    let late = t(3) + TimeDelta::microseconds(123_456);

    let a1 = open(store, "ana@example.com", Channel::Email, t(0)).await;
    open(store, "ana@example.com", Channel::Chat, t(1)).await;
    open(store, "ana@example.com", Channel::Email, t(2)).await;
    open(store, "ana@example.com", Channel::Chat, late).await;
    // Ana's phone call turns out to be the same problem: merged, not counted.
    let a5 = open(store, "ana@example.com", Channel::Phone, t(4)).await;
    store.merge_tickets(a5.id, a1.id, Actor::System, t(5)).await.unwrap();
    let bob = open(store, "bob@example.com", Channel::WebForm, t(10))
        .await
        .customer_id;
    // Dana wrote twice through the API; the second was merged into the first.
    let d1 = open(store, "dana@example.com", Channel::Api, t(20)).await;
    let d2 = open(store, "dana@example.com", Channel::Api, t(21)).await;
    store.merge_tickets(d2.id, d1.id, Actor::System, t(22)).await.unwrap();
    let eve = open(store, "eve@example.com", Channel::Social, t(30)).await.customer_id;
    let ana = a1.customer_id;
    let dana = d1.customer_id;
    let stranger = CustomerId::new();

    let mut rows = store.channel_counts_of(&[ana, bob, dana, stranger]).await.unwrap();
    rows.sort_by_key(|&(customer, channel, ..)| (customer, channel));
    let mut expected = vec![
        (ana, Channel::Email, 2, t(2)),
        (ana, Channel::Chat, 2, late),
        (bob, Channel::WebForm, 1, t(10)),
        (dana, Channel::Api, 1, t(20)),
    ];
    expected.sort_by_key(|&(customer, channel, ..)| (customer, channel));
    assert_eq!(rows, expected, "eve was not asked about; the stranger has no tickets");

    let only_eve = store.channel_counts_of(&[eve]).await.unwrap();
    assert_eq!(only_eve, vec![(eve, Channel::Social, 1, t(30))]);
    assert!(store.channel_counts_of(&[]).await.unwrap().is_empty());
    assert!(store.channel_counts_of(&[stranger]).await.unwrap().is_empty());
}

async fn costs_one_statement_for_many_customers(db: TestDb) {
    let store = &db.store;
    let mut customers = Vec::new();
    for i in 0..30 {
        let channel = Channel::ALL[i % Channel::ALL.len()];
        let customer = open(store, &format!("c{i}@example.com"), channel, t(i as i64))
            .await
            .customer_id;
        customers.push(customer);
    }
    let before = store.statements_run();
    let rows = store.channel_counts_of(&customers).await.unwrap();
    assert_eq!(store.statements_run() - before, 1);
    assert_eq!(rows.len(), 30);
    assert!(rows.iter().all(|&(_, _, tickets, _)| tickets == 1));
}

helpdesk_persistence::each_store!(
    counts_tickets_per_customer_and_channel,
    costs_one_statement_for_many_customers
);
