//! Two servers on one PostgreSQL database: what one commits, the other
//! hears, and when the other's listening connection is lost, it says so
//! (its subscribers then read the log) and hears again once reconnected.
#![allow(clippy::unwrap_used)] // in a test, a failed step is a failed test

mod common;

use std::time::Duration;

use common::{new_ticket, t};
use helpdesk_domain::ticket::Actor;
use helpdesk_persistence::testing::{POSTGRES_ENV, TestDb};
use helpdesk_persistence::{Store, TicketChange};
use sea_orm::{ConnectionTrait, Database};
use tokio::sync::broadcast::Receiver;

/// The next announcement; a liveness bound, not a timing.
async fn next(heard: &mut Receiver<TicketChange>) -> TicketChange {
    tokio::time::timeout(Duration::from_secs(20), heard.recv())
        .await
        .expect("an announcement in time")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_servers_changes_are_heard_and_a_lost_listener_says_so() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("{POSTGRES_ENV} unset: PostgreSQL run skipped (SQLite has one server)");
        return;
    };
    // `db.store` is server A; `b` is another server on the same database.
    let b = Store::connect(&db.url).await.unwrap();
    let mut heard = b.subscribe_changes();
    b.follow_other_servers();
    assert_eq!(
        next(&mut heard).await,
        TicketChange::Missed,
        "listening starts with a look at the log"
    );

    let first = db
        .store
        .create_ticket(new_ticket("Refund", "ana@example.com"), Actor::System, t(0))
        .await
        .unwrap();
    assert_eq!(next(&mut heard).await, TicketChange::Ticket(first.id));

    // PostgreSQL drops B's listening connection (a restart, a proxy's timeout).
    let admin = Database::connect(db.url.as_str()).await.unwrap();
    admin
        .execute_unprepared(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN%'",
        )
        .await
        .unwrap();
    assert_eq!(
        next(&mut heard).await,
        TicketChange::Missed,
        "after reconnecting, B's subscribers are told they may have missed changes"
    );

    let second = db
        .store
        .create_ticket(new_ticket("Invoice", "bo@example.com"), Actor::System, t(1))
        .await
        .unwrap();
    assert_eq!(
        next(&mut heard).await,
        TicketChange::Ticket(second.id),
        "and B hears again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_does_not_hear_its_own_changes_twice() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("{POSTGRES_ENV} unset: PostgreSQL run skipped");
        return;
    };
    let mut heard = db.store.subscribe_changes();
    db.store.follow_other_servers();
    assert_eq!(next(&mut heard).await, TicketChange::Missed);
    let mine = db
        .store
        .create_ticket(new_ticket("Refund", "ana@example.com"), Actor::System, t(0))
        .await
        .unwrap();
    assert_eq!(
        next(&mut heard).await,
        TicketChange::Ticket(mine.id),
        "announced at commit"
    );
    // Another server's change arrives through the same listener after our
    // own echo would have: only it is heard.
    let other = Store::connect(&db.url).await.unwrap();
    let theirs = other
        .create_ticket(new_ticket("Invoice", "bo@example.com"), Actor::System, t(1))
        .await
        .unwrap();
    assert_eq!(
        next(&mut heard).await,
        TicketChange::Ticket(theirs.id),
        "no echo of our own"
    );
}
