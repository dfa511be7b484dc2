//! The outbox hands each mail to exactly one sender, retries what failed and
//! gives up on what failed for good.
#![allow(clippy::unwrap_used)] // in a test, a failed step is a failed test

mod common;

use std::collections::HashSet;

use chrono::TimeDelta;
use common::{agent, new_ticket, reply, t};
use helpdesk_domain::ticket::Actor;
use helpdesk_persistence::outbox::{DeliveryStatus, NewOutboxMail, OutboxKind};
use helpdesk_persistence::testing::TestDb;

fn mail(n: usize) -> NewOutboxMail {
    NewOutboxMail {
        kind: OutboxKind::AgentReply,
        to: "ana@example.com".into(),
        subject: format!("Re: [#1] reply {n}"),
        body: format!("reply {n}"),
        rfc_message_id: format!("reply-{n}@desk.example"),
        in_reply_to: None,
        references: vec![],
    }
}

async fn queue(db: &TestDb, count: usize) {
    let store = &db.store;
    let maria = agent(store, "Maria").await;
    let ticket = store
        .create_ticket(new_ticket("Refund", "ana@example.com"), Actor::System, t(0))
        .await
        .unwrap();
    for n in 0..count {
        let mut message = reply(maria.id, &format!("reply {n}"));
        message.rfc_message_id = Some(mail(n).rfc_message_id);
        message.outbox = Some(mail(n));
        store.add_message(ticket.id, message, t(1 + n as i64)).await.unwrap();
    }
}

async fn concurrent_senders_never_lease_the_same_mail(db: TestDb) {
    queue(&db, 40).await;
    let lease = TimeDelta::minutes(2);
    let senders: Vec<_> = (0..4)
        .map(|_| {
            let store = db.store.clone();
            tokio::spawn(async move { store.lease_due_mail(t(100), 15, lease).await.unwrap() })
        })
        .collect();
    let mut leased = Vec::new();
    for sender in senders {
        leased.extend(sender.await.unwrap().into_iter().map(|m| m.id));
    }
    let distinct: HashSet<_> = leased.iter().collect();
    assert_eq!(distinct.len(), leased.len(), "a mail was leased twice");
    assert_eq!(leased.len(), 40, "all due mail was handed out");
    assert!(
        db.store.lease_due_mail(t(101), 100, lease).await.unwrap().is_empty(),
        "leased mail is invisible"
    );
    // A lease that ran out (a crashed sender) makes the mail due again.
    assert_eq!(
        db.store
            .lease_due_mail(t(100) + lease + TimeDelta::seconds(1), 100, lease)
            .await
            .unwrap()
            .len(),
        40
    );
}

async fn failures_are_retried_then_given_up(db: TestDb) {
    queue(&db, 1).await;
    let lease = TimeDelta::minutes(2);
    let first = db.store.lease_due_mail(t(100), 10, lease).await.unwrap().remove(0);
    db.store
        .mark_mail_attempt_failed(first.id, "connection refused", Some(t(110)))
        .await
        .unwrap();
    assert!(
        db.store.lease_due_mail(t(105), 10, lease).await.unwrap().is_empty(),
        "not due before its retry time"
    );
    let again = db.store.lease_due_mail(t(110), 10, lease).await.unwrap().remove(0);
    assert_eq!(again.attempts, 1);
    assert_eq!(again.last_error.as_deref(), Some("connection refused"));
    db.store
        .mark_mail_attempt_failed(again.id, "550 no such user", None)
        .await
        .unwrap();
    let record = db
        .store
        .mail_of_messages(&[again.message_id.unwrap()])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(record.status, DeliveryStatus::Failed);
    assert_eq!(record.attempts, 2);
    assert!(
        db.store.lease_due_mail(t(1000), 10, lease).await.unwrap().is_empty(),
        "failed mail is not retried"
    );
    assert_eq!(db.store.pending_mail_count().await.unwrap(), 0);
}

helpdesk_persistence::each_store!(
    concurrent_senders_never_lease_the_same_mail,
    failures_are_retried_then_given_up
);
