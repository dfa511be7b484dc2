//! The upgrade that brought event webhooks rebuilds the webhook queue (a
//! delivery may now be about no ticket): SLA deliveries waiting in it come
//! through, and the way back keeps them too.

mod common;

use std::collections::BTreeSet;

use chrono::TimeDelta;
use common::{email, migrated_back, t, unmigrated_postgres};
use helpdesk_domain::event_hook::{HookEvent, HookSubscription};
use helpdesk_domain::import::{ImportedAuthor, ImportedEvent, ImportedKind, ImportedTicket};
use helpdesk_domain::ticket::{Channel, Priority};
use helpdesk_persistence::testing::TestDb;
use sea_orm::{ConnectionTrait, Statement};

const UPGRADE: &str = "m20261203_000080_event_webhooks";

fn old_question() -> ImportedTicket {
    ImportedTicket {
        external_id: "OLD-1".into(),
        subject: "Where is my parcel?".into(),
        channel: Channel::Email,
        priority: Priority::Normal,
        customer_email: email("ana@example.com"),
        customer_name: None,
        tags: BTreeSet::new(),
        created_at: t(-60),
        fcr_eligible: true,
        events: vec![ImportedEvent {
            at: t(-60),
            kind: ImportedKind::Message {
                author: ImportedAuthor::Customer,
                body: "Still not here.".into(),
            },
        }],
    }
}

async fn a_waiting_sla_delivery_survives_the_upgrade_and_the_way_back(db: TestDb) {
    let store = &db.store;
    store.migrate().await.expect("migrate");
    store.import_tickets(&[old_question()], t(0)).await.expect("import");
    let raw = migrated_back(&db, UPGRADE).await;
    let backend = raw.get_database_backend();
    let ticket: uuid::Uuid = raw
        .query_one_raw(Statement::from_string(backend, "SELECT id FROM tickets"))
        .await
        .expect("read")
        .expect("a ticket")
        .try_get("", "id")
        .expect("its id");
    let delivery = uuid::Uuid::now_v7();
    raw.execute_raw(Statement::from_sql_and_values(
        backend,
        match backend {
            sea_orm::DbBackend::Postgres => {
                "INSERT INTO webhook_deliveries (id, ticket_id, url, secret, payload, status, attempts, \
                 next_attempt_at, created_at) VALUES ($1, $2, 'https://hooks.example.com/sla', \
                 '0123456789abcdef', '{\"event\":\"SLA_BREACHED\"}', 'PENDING', 0, $3, $3)"
            }
            _ => {
                "INSERT INTO webhook_deliveries (id, ticket_id, url, secret, payload, status, attempts, \
                 next_attempt_at, created_at) VALUES (?, ?, 'https://hooks.example.com/sla', \
                 '0123456789abcdef', '{\"event\":\"SLA_BREACHED\"}', 'PENDING', 0, ?, ?)"
            }
        },
        match backend {
            sea_orm::DbBackend::Postgres => vec![delivery.into(), ticket.into(), t(0).into()],
            _ => vec![delivery.into(), ticket.into(), t(0).into(), t(0).into()],
        },
    ))
    .await
    .expect("queue an SLA delivery the old way");

    store.migrate().await.expect("upgrade");
    let leased = store
        .lease_due_webhooks(t(1), 10, TimeDelta::minutes(1))
        .await
        .expect("lease");
    assert_eq!(leased.len(), 1, "{leased:?}");
    assert_eq!(leased[0].id, delivery);
    assert_eq!(leased[0].url, "https://hooks.example.com/sla");
    assert_eq!(leased[0].payload, "{\"event\":\"SLA_BREACHED\"}");

    // The new shape works: a subscription, and a delivery about no ticket.
    let subscription = store
        .create_webhook_subscription(
            HookSubscription::new(
                "CRM",
                "https://crm.example.com/hook",
                "0123456789abcdef",
                &[HookEvent::TicketCreated],
                true,
            )
            .expect("a valid subscription"),
            t(2),
        )
        .await
        .expect("subscribe");
    let test = store
        .queue_test_webhook(subscription.id, t(3))
        .await
        .expect("queue a test")
        .expect("the subscription exists");
    assert_eq!(test.ticket_id, None);

    // And back: the SLA delivery stays, the test one (about no ticket) and
    // the subscriptions go.
    raw.close().await.expect("close");
    let raw = migrated_back(&db, UPGRADE).await;
    let kept = raw
        .query_all_raw(Statement::from_string(backend, "SELECT id FROM webhook_deliveries"))
        .await
        .expect("read");
    let ids: Vec<uuid::Uuid> = kept.iter().map(|r| r.try_get("", "id").expect("id")).collect();
    assert_eq!(ids, [delivery]);
    // And up again, as a server started on it would.
    store.migrate().await.expect("upgrade again");
    raw.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_waiting_sla_delivery_survives_the_upgrade_and_the_way_back() {
    a_waiting_sla_delivery_survives_the_upgrade_and_the_way_back(TestDb::sqlite_unmigrated().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_waiting_sla_delivery_survives_the_upgrade_and_the_way_back() {
    if let Some(db) = unmigrated_postgres().await {
        a_waiting_sla_delivery_survives_the_upgrade_and_the_way_back(db).await;
    }
}
