//! Business-clock durations are measured when facts are written, so a new
//! business calendar leaves them stale until the background refresh has
//! measured every ticket again on it.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveTime, TimeZone, Utc, Weekday};
use helpdesk_domain::calendar::{BusinessCalendar, OpenInterval};
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::import::{ImportedAuthor, ImportedEvent, ImportedKind, ImportedTicket};
use helpdesk_domain::kpi::KpiFilter;
use helpdesk_domain::sla::Clock;
use helpdesk_domain::ticket::{Channel, Priority};
use helpdesk_metrics::{KpiQuery, kpi_report};
use helpdesk_persistence::each_store;
use helpdesk_persistence::testing::TestDb;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Friday 16:00 UTC a customer writes; Monday 10:00 UTC an agent answers.
fn friday_to_monday() -> ImportedTicket {
    ImportedTicket {
        external_id: "weekend".into(),
        subject: "Over the weekend".into(),
        channel: Channel::Email,
        priority: Priority::Normal,
        customer_email: EmailAddress::parse("ana@example.com").unwrap(),
        customer_name: None,
        tags: BTreeSet::new(),
        created_at: at("2026-03-06T16:00:00Z"),
        fcr_eligible: true,
        events: vec![
            ImportedEvent {
                at: at("2026-03-06T16:00:00Z"),
                kind: ImportedKind::Message {
                    author: ImportedAuthor::Customer,
                    body: "Hello?".into(),
                },
            },
            ImportedEvent {
                at: at("2026-03-09T10:00:00Z"),
                kind: ImportedKind::Message {
                    author: ImportedAuthor::Agent(EmailAddress::parse("bo@desk.example").unwrap()),
                    body: "Hi!".into(),
                },
            },
        ],
    }
}

fn weekdays_nine_to_five_utc() -> BusinessCalendar {
    let (nine, five) = (
        NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
    );
    let days = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
    BusinessCalendar::new(
        "UTC".parse().unwrap(),
        days.map(|d| OpenInterval::new(d, nine, five)),
        [],
    )
    .unwrap()
}

async fn business_first_response_seconds(db: &TestDb) -> Option<f64> {
    let query = KpiQuery {
        from: at("2026-03-01T00:00:00Z"),
        to: at("2026-04-01T00:00:00Z"),
        timezone: "UTC".parse().unwrap(),
        group_by: None,
        clock: Clock::Business,
        filter: KpiFilter::default(),
    };
    let now = Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap();
    kpi_report(&db.store, &query, now)
        .await
        .unwrap()
        .total
        .first_response_time
        .average
}

async fn a_new_calendar_remeasures_business_durations(db: TestDb) {
    let now = Utc::now();
    db.store.import_tickets(&[friday_to_monday()], now).await.unwrap();
    // No calendar: BUSINESS counts every second, 66 hours.
    assert_eq!(business_first_response_seconds(&db).await, Some(66.0 * 3600.0));
    assert_eq!(
        db.store.refresh_stale_facts(100, true, now).await.unwrap(),
        0,
        "all current"
    );

    db.store
        .set_business_calendar(&weekdays_nine_to_five_utc())
        .await
        .unwrap();
    assert_eq!(
        business_first_response_seconds(&db).await,
        Some(66.0 * 3600.0),
        "stale until refreshed"
    );
    assert_eq!(db.store.refresh_stale_facts(100, false, now).await.unwrap(), 1);
    assert_eq!(db.store.refresh_stale_facts(100, false, now).await.unwrap(), 0);
    // Friday 16:00-17:00 and Monday 09:00-10:00.
    assert_eq!(business_first_response_seconds(&db).await, Some(2.0 * 3600.0));
}

each_store!(a_new_calendar_remeasures_business_durations);
