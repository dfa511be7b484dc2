//! Two schedulers on one database raise each SLA alert once.
#![allow(clippy::unwrap_used)] // in a test, a failed step is a failed test

mod common;

use common::{new_ticket, t};
use helpdesk_domain::ids::SlaPolicyId;
use helpdesk_domain::sla::{Clock, SlaPolicy, SlaTarget, TargetSpec};
use helpdesk_domain::ticket::{Actor, EventKind};
use helpdesk_persistence::outbox::{NewOutboxMail, OutboxKind};
use helpdesk_persistence::sla::RaisedAlert;
use helpdesk_persistence::testing::TestDb;

fn notice(_: &RaisedAlert) -> NewOutboxMail {
    NewOutboxMail {
        kind: OutboxKind::SlaNotice,
        to: String::new(),
        subject: "SLA".into(),
        body: "SLA".into(),
        rfc_message_id: format!("{}@desk.example", uuid::Uuid::now_v7()),
        in_reply_to: None,
        references: vec![],
    }
}

async fn concurrent_schedulers_raise_each_alert_once(db: TestDb) {
    let policy = SlaPolicy {
        id: SlaPolicyId::new(),
        name: "Hot line".into(),
        position: 0,
        priorities: vec![],
        channels: vec![],
        tags: Default::default(),
        targets: vec![TargetSpec {
            target: SlaTarget::FirstResponse,
            minutes: 1,
            clock: Clock::Calendar,
        }],
        warning_percent: 20,
        webhook: None,
        calendar: None,
    };
    db.store.create_sla_policy(policy, t(-10)).await.unwrap();
    let ticket = db
        .store
        .create_ticket(new_ticket("Down", "ana@example.com"), Actor::System, t(0))
        .await
        .unwrap();

    let schedulers: Vec<_> = (0..4)
        .map(|_| {
            let store = db.store.clone();
            tokio::spawn(async move { store.raise_sla_alerts(ticket.id, t(10), &notice).await.unwrap() })
        })
        .collect();
    let mut raised = Vec::new();
    for s in schedulers {
        raised.extend(s.await.unwrap());
    }
    assert_eq!(raised.len(), 1, "one breach, raised once: {raised:?}");
    assert!(raised[0].breached);
    let breaches = db
        .store
        .ticket_events(ticket.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| matches!(e.event.kind, EventKind::SlaBreached { .. }))
        .count();
    assert_eq!(breaches, 1);
    assert!(
        db.store
            .tickets_with_due_sla_alerts(t(11), 10)
            .await
            .unwrap()
            .is_empty(),
        "nothing left to raise"
    );
}

helpdesk_persistence::each_store!(concurrent_schedulers_raise_each_alert_once);
