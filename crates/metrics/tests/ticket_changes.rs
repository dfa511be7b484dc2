//! Reports filter by a ticket's current channel, priority, team and
//! assignee, and leave merged tickets out. Those values are copied onto
//! every row a report reads, so a change to the ticket must reach them all.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use chrono::{DateTime, TimeZone, Utc};
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::import::{ImportedAuthor, ImportedEvent, ImportedKind, ImportedTicket};
use helpdesk_domain::kpi::{KpiFilter, Tallies};
use helpdesk_domain::sla::Clock;
use helpdesk_domain::ticket::{Actor, Channel, Priority, TicketStatus};
use helpdesk_metrics::{KpiQuery, kpi_tallies};
use helpdesk_persistence::each_store;
use helpdesk_persistence::testing::TestDb;
use helpdesk_persistence::tickets::TicketChanges;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A customer asks on the 2nd, an agent answers an hour later and solves it.
fn answered_and_solved(external_id: &str) -> ImportedTicket {
    let agent = ImportedAuthor::Agent(EmailAddress::parse("bo@desk.example").unwrap());
    let event = |t: &str, kind| ImportedEvent { at: at(t), kind };
    ImportedTicket {
        external_id: external_id.into(),
        subject: "Where is my parcel?".into(),
        channel: Channel::Email,
        priority: Priority::Normal,
        customer_email: EmailAddress::parse("ana@example.com").unwrap(),
        customer_name: None,
        tags: BTreeSet::new(),
        created_at: at("2026-03-02T09:00:00Z"),
        fcr_eligible: true,
        events: vec![
            event(
                "2026-03-02T09:00:00Z",
                ImportedKind::Message {
                    author: ImportedAuthor::Customer,
                    body: "Where is it?".into(),
                },
            ),
            event(
                "2026-03-02T10:00:00Z",
                ImportedKind::Message {
                    author: agent,
                    body: "On its way.".into(),
                },
            ),
            event("2026-03-02T10:05:00Z", ImportedKind::Status(TicketStatus::Solved)),
        ],
    }
}

async fn march(db: &TestDb, filter: KpiFilter) -> Tallies {
    let query = KpiQuery {
        from: at("2026-03-01T00:00:00Z"),
        to: at("2026-04-01T00:00:00Z"),
        timezone: "UTC".parse().unwrap(),
        group_by: None,
        clock: Clock::Calendar,
        filter,
    };
    let now = Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap();
    kpi_tallies(&db.store, &query, now).await.unwrap().total
}

fn urgent() -> KpiFilter {
    KpiFilter {
        priorities: vec![Priority::Urgent],
        ..KpiFilter::default()
    }
}

async fn a_changed_priority_moves_every_figure_of_the_ticket(db: TestDb) {
    let now = Utc::now();
    db.store
        .import_tickets(&[answered_and_solved("a"), answered_and_solved("b")], now)
        .await
        .unwrap();
    let first = db.store.ticket_by_number(1).await.unwrap().unwrap();
    let second = db.store.ticket_by_number(2).await.unwrap().unwrap();
    let all = march(&db, KpiFilter::default()).await;
    assert_eq!(
        (all.tickets_created, all.first_response.count, all.first_solved),
        (2, 2, 2)
    );
    assert_eq!(march(&db, urgent()).await.tickets_created, 0);

    let changes = TicketChanges {
        priority: Some(Priority::Urgent),
        ..TicketChanges::default()
    };
    db.store
        .update_ticket(first.id, changes, Actor::System, now)
        .await
        .unwrap();
    let urgent_only = march(&db, urgent()).await;
    assert_eq!(urgent_only.tickets_created, 1);
    assert_eq!(urgent_only.first_response.count, 1);
    assert_eq!(urgent_only.response.count, 1);
    assert_eq!(urgent_only.resolution.count, 1);
    assert_eq!(urgent_only.full_resolution.count, 1);
    assert_eq!(urgent_only.first_solved, 1);
    assert_eq!(urgent_only.tickets_solved, 1);

    // Merged away, the second ticket leaves every figure.
    db.store
        .merge_tickets(second.id, first.id, Actor::System, now)
        .await
        .unwrap();
    let after_merge = march(&db, KpiFilter::default()).await;
    assert_eq!(after_merge.tickets_created, 1);
    assert_eq!(after_merge.first_response.count, 1);
    assert_eq!(after_merge.tickets_solved, 1);
}

each_store!(a_changed_priority_moves_every_figure_of_the_ticket);
