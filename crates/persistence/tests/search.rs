//! The search documents follow every write that changes what a ticket
//! says or who it is from, an import fills them, an upgraded desk finds
//! what it had before, and on PostgreSQL the configured language decides
//! how words are stemmed.
#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use std::collections::BTreeSet;

use common::{agent, email, from_customer, migrated_back, new_ticket, note, reply, t, tags, unmigrated_postgres};
use helpdesk_domain::access::TicketAccess;
use helpdesk_domain::import::{ImportedAuthor, ImportedEvent, ImportedKind, ImportedTicket};
use helpdesk_domain::search::{MAX_HITS, SearchQuery};
use helpdesk_domain::ticket::{Actor, Channel, Priority};
use helpdesk_persistence::testing::TestDb;
use helpdesk_persistence::tickets::{TicketChanges, TicketFilter};
use helpdesk_persistence::{Backend, Store, each_store};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

/// The subjects of the tickets `query` finds, most relevant first.
async fn found(store: &Store, query: &str) -> Vec<String> {
    let query = SearchQuery::parse(query).expect("a query");
    let page = store
        .scoped(TicketAccess::Everything)
        .search_tickets(&query, &TicketFilter::default(), 50, 0)
        .await
        .expect("search");
    page.hits.into_iter().map(|h| h.ticket.subject).collect()
}

/// SQLite's FTS5 index agrees with the table it indexes.
async fn index_is_consistent(db: &DatabaseConnection) {
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        db.execute_unprepared("INSERT INTO ticket_search_fts (ticket_search_fts) VALUES ('integrity-check')")
            .await
            .expect("the FTS5 index matches its table");
    }
}

fn old_ticket(id: &str, subject: &str, name: &str, address: &str, tag: &str, body: &str) -> ImportedTicket {
    ImportedTicket {
        external_id: id.into(),
        subject: subject.into(),
        channel: Channel::Email,
        priority: Priority::Normal,
        customer_email: email(address),
        customer_name: Some(name.into()),
        tags: tags(&[tag]),
        created_at: t(-600),
        fcr_eligible: true,
        events: vec![ImportedEvent {
            at: t(-600),
            kind: ImportedKind::Message {
                author: ImportedAuthor::Customer,
                body: body.into(),
            },
        }],
    }
}

async fn every_write_keeps_the_documents_current(db: TestDb) {
    let store = &db.store;
    let maria = agent(store, "Maria").await;
    let lamp = store
        .create_ticket(new_ticket("Broken lamp", "ana@home.example"), Actor::System, t(0))
        .await
        .unwrap();
    let parcel = store
        .create_ticket(new_ticket("Parcel missing", "ben@example.org"), Actor::System, t(1))
        .await
        .unwrap();
    assert_eq!(found(store, "lamp").await, ["Broken lamp"]);
    // The customer's address, whole or in parts.
    assert_eq!(found(store, "ben@example.org").await, ["Parcel missing"]);
    assert_eq!(found(store, "example.org").await, ["Parcel missing"]);

    // Messages, replies and internal notes.
    store
        .add_message(lamp.id, from_customer("The bulb flickers before it dies."), t(2))
        .await
        .unwrap();
    store
        .add_message(parcel.id, reply(maria.id, "The courier lost it; we resend."), t(3))
        .await
        .unwrap();
    store
        .add_message(parcel.id, note(maria.id, "Claim filed with the insurer."), t(4))
        .await
        .unwrap();
    assert_eq!(found(store, "flickers").await, ["Broken lamp"]);
    assert_eq!(found(store, "courier").await, ["Parcel missing"]);
    assert_eq!(found(store, "insurer").await, ["Parcel missing"]);

    // Tags, added and taken away.
    let tagged = TicketChanges {
        tags: Some(tags(&["warranty"])),
        ..TicketChanges::default()
    };
    store.update_ticket(lamp.id, tagged, Actor::System, t(5)).await.unwrap();
    assert_eq!(found(store, "warranty").await, ["Broken lamp"]);
    let untagged = TicketChanges {
        tags: Some(BTreeSet::new()),
        ..TicketChanges::default()
    };
    store
        .update_ticket(lamp.id, untagged, Actor::System, t(6))
        .await
        .unwrap();
    assert!(found(store, "warranty").await.is_empty());

    // A new name, and a merge of one person's two customers: each ticket
    // answers to the merged customer's names and addresses.
    store
        .rename_customer(lamp.customer_id, Some("Ana Lima".into()))
        .await
        .unwrap();
    assert_eq!(found(store, "lima").await, ["Broken lamp"]);
    let work = store
        .create_ticket(new_ticket("Invoice address", "ana@work.example"), Actor::System, t(7))
        .await
        .unwrap();
    store
        .merge_customers(lamp.customer_id, work.customer_id, Actor::System, t(8))
        .await
        .unwrap();
    let mut hers = found(store, "lima").await;
    hers.sort();
    assert_eq!(hers, ["Broken lamp", "Invoice address"]);
    let mut by_old_address = found(store, "home.example").await;
    by_old_address.sort();
    assert_eq!(by_old_address, ["Broken lamp", "Invoice address"]);

    // Words must all appear; phrases as written; `or`; exclusions.
    assert_eq!(found(store, "courier resend").await, ["Parcel missing"]);
    assert!(found(store, "courier flickers").await.is_empty());
    assert_eq!(found(store, "\"courier lost\"").await, ["Parcel missing"]);
    assert!(found(store, "\"lost courier\"").await.is_empty());
    let mut either = found(store, "courier or bulb").await;
    either.sort();
    assert_eq!(either, ["Broken lamp", "Parcel missing"]);
    // `or` binds the words beside it: bulb, or (courier and not insurer).
    assert_eq!(found(store, "bulb or courier -insurer").await, ["Broken lamp"]);

    let raw = sea_orm::Database::connect(db.url.as_str()).await.unwrap();
    index_is_consistent(&raw).await;
    raw.close().await.unwrap();
}

async fn the_subject_outranks_the_messages(db: TestDb) {
    let store = &db.store;
    store
        .create_ticket(new_ticket("Question", "cara@example.net"), Actor::System, t(0))
        .await
        .unwrap();
    let question = found(store, "question").await;
    assert_eq!(question, ["Question"]);
    let mut ticket = new_ticket("Delivery", "dan@example.net");
    ticket.body = "A question about the refund, and the refund only.".into();
    store.create_ticket(ticket, Actor::System, t(1)).await.unwrap();
    store
        .create_ticket(new_ticket("Refund", "eve@example.net"), Actor::System, t(2))
        .await
        .unwrap();
    assert_eq!(found(store, "refund").await, ["Refund", "Delivery"]);
}

async fn an_import_fills_the_documents(db: TestDb) {
    let store = &db.store;
    store
        .import_tickets(
            &[old_ticket(
                "Z-1",
                "Printer jam",
                "Olga Petrova",
                "olga@example.com",
                "hardware",
                "Paper stuck in tray two.",
            )],
            t(0),
        )
        .await
        .unwrap();
    for query in ["printer", "petrova", "hardware", "tray", "olga@example.com"] {
        assert_eq!(found(store, query).await, ["Printer jam"], "{query}");
    }
}

/// A word in more tickets than a search lists: the newest of them are
/// listed, whatever order they were imported in; a filter narrows the
/// tickets before the newest are taken; a rarer word lists all its
/// tickets, however old; a word common among the newest, absent from the
/// tickets before them and common again among the oldest lists the
/// newest of each. (Three times as many tickets as a search lists, so
/// that PostgreSQL takes each of its ways to the window: for the kettle,
/// a walk that falls short and one that goes on from where it stopped.)
async fn a_common_word_lists_its_newest_matches(db: TestDb) {
    let store = &db.store;
    let total = 3 * MAX_HITS + 60;
    // Nine in twenty of the newest 2,000, none of the 778 before them,
    // every one of the oldest.
    let kettle = |n: usize| match total - 1 - n {
        newest if newest < 2_000 => n % 20 < 9,
        older if older < 2_778 => false,
        _ => true,
    };
    // The oldest 60 mention the word most (their subject), are archived,
    // and come last in the file; one in ten mentions an umbrella, one in
    // three a lamp (a third of the newest, more than a search lists).
    let batch: Vec<ImportedTicket> = (0..total)
        .rev()
        .map(|n| {
            let (subject, tag) = if n < 60 {
                (format!("Parcel lost {n}"), "archive")
            } else {
                (format!("Question {n}"), "current")
            };
            let mut body = match (n % 10 == 0, n % 3 == 0) {
                (true, true) => "Where is my parcel? And my umbrella? And my lamp?",
                (true, false) => "Where is my parcel? And my umbrella?",
                (false, true) => "Where is my parcel? And my lamp?",
                (false, false) => "Where is my parcel?",
            }
            .to_owned();
            if kettle(n) {
                body.push_str(" And my kettle?");
            }
            let mut ticket = old_ticket(
                &format!("P-{n}"),
                &subject,
                "Pat Doe",
                &format!("pat{n}@example.com"),
                tag,
                &body,
            );
            ticket.created_at = t(n as i64 - 10_000);
            ticket.events[0].at = ticket.created_at;
            ticket
        })
        .collect();
    for chunk in batch.chunks(500) {
        store.import_tickets(chunk, t(0)).await.unwrap();
    }
    let mut zeppelin = old_ticket("Z-0", "Zeppelin", "Zed", "zed@example.com", "archive", "Oldest of all.");
    zeppelin.created_at = t(-20_000);
    zeppelin.events[0].at = zeppelin.created_at;
    store.import_tickets(&[zeppelin], t(0)).await.unwrap();

    let scope = store.scoped(TicketAccess::Everything);
    let listed = |query: &'static str, filter: TicketFilter| {
        let scope = scope.clone();
        async move {
            let query = SearchQuery::parse(query).unwrap();
            let mut subjects = BTreeSet::new();
            for page in 0..=(MAX_HITS / 100) {
                let hits = scope
                    .search_tickets(&query, &filter, 100, (page * 100) as u64)
                    .await
                    .unwrap();
                subjects.extend(hits.hits.into_iter().map(|h| h.ticket.subject));
            }
            let count = scope.count_search(&query, &filter).await.unwrap();
            assert_eq!(count, subjects.len() as u64, "{query:?}: totalCount counts the hits");
            subjects
        }
    };
    let newest: BTreeSet<String> = (total - MAX_HITS..total).map(|n| format!("Question {n}")).collect();
    assert_eq!(
        listed("parcel", TicketFilter::default()).await,
        newest,
        "the newest matches only"
    );
    let current = TicketFilter {
        tags: tags(&["current"]).into_iter().collect(),
        ..TicketFilter::default()
    };
    assert_eq!(listed("parcel", current).await, newest);
    let archived = TicketFilter {
        tags: tags(&["archive"]).into_iter().collect(),
        ..TicketFilter::default()
    };
    let lost = |n: usize| format!("Parcel lost {n}");
    assert_eq!(
        listed("parcel", archived).await,
        (0..60).map(lost).collect::<BTreeSet<_>>(),
        "the filter applies before the newest are taken"
    );
    let umbrellas: BTreeSet<String> = (0..total)
        .step_by(10)
        .map(|n| if n < 60 { lost(n) } else { format!("Question {n}") })
        .collect();
    assert_eq!(listed("umbrella", TicketFilter::default()).await, umbrellas);
    let lamps: BTreeSet<String> = (0..total)
        .rev()
        .filter(|n| n % 3 == 0)
        .take(MAX_HITS)
        .map(|n| format!("Question {n}"))
        .collect();
    assert_eq!(listed("lamp", TicketFilter::default()).await, lamps);
    let kettles: BTreeSet<String> = (0..total)
        .rev()
        .filter(|n| kettle(*n))
        .take(MAX_HITS)
        .map(|n| if n < 60 { lost(n) } else { format!("Question {n}") })
        .collect();
    assert_eq!(kettles.len(), MAX_HITS);
    assert_eq!(listed("kettle", TicketFilter::default()).await, kettles);
    assert_eq!(found(store, "zeppelin").await, ["Zeppelin"]);
}

each_store!(
    every_write_keeps_the_documents_current,
    the_subject_outranks_the_messages,
    an_import_fills_the_documents,
    a_common_word_lists_its_newest_matches,
);

/// A desk that had tickets before search existed finds them after the
/// upgrade, and the way back down and up again works.
async fn an_upgraded_desk_finds_what_it_already_had(db: TestDb) {
    let store = &db.store;
    store.migrate().await.unwrap();
    store
        .import_tickets(
            &[old_ticket(
                "OLD-1",
                "Router reboots",
                "Kofi Mensah",
                "kofi@example.com",
                "network",
                "Every night at three the router restarts.",
            )],
            t(0),
        )
        .await
        .unwrap();
    let raw = migrated_back(&db, "m20261207_000010_ticket_search").await;
    store.migrate().await.unwrap();
    for query in ["router", "mensah", "network", "night", "kofi@example.com"] {
        assert_eq!(found(store, query).await, ["Router reboots"], "{query}");
    }
    index_is_consistent(&raw).await;
    raw.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_an_upgraded_desk_finds_what_it_already_had() {
    an_upgraded_desk_finds_what_it_already_had(TestDb::sqlite_unmigrated().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_an_upgraded_desk_finds_what_it_already_had() {
    if let Some(db) = unmigrated_postgres().await {
        an_upgraded_desk_finds_what_it_already_had(db).await;
    }
}

/// PostgreSQL stems in the configured language: English finds "rebooting"
/// for "reboots"; `simple` (no stemming) does not, once re-indexed; a
/// configuration PostgreSQL lacks is refused by name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_the_configured_language_decides_the_stemming() {
    let Some(db) = TestDb::postgres().await else {
        return eprintln!("PostgreSQL run skipped");
    };
    let store = &db.store;
    assert_eq!(store.backend(), Backend::Postgres);
    store
        .create_ticket(
            new_ticket("Router reboots nightly", "kofi@example.com"),
            Actor::System,
            t(0),
        )
        .await
        .unwrap();
    store.use_search_language("english").await.unwrap();
    assert_eq!(found(store, "rebooting").await, ["Router reboots nightly"]);
    store.use_search_language("simple").await.unwrap();
    assert!(found(store, "rebooting").await.is_empty());
    assert_eq!(found(store, "reboots").await, ["Router reboots nightly"]);
    let refused = store.use_search_language("klingon").await.unwrap_err();
    assert!(refused.to_string().contains("\"klingon\""), "{refused}");
    // And back: the documents follow again.
    store.use_search_language("english").await.unwrap();
    assert_eq!(found(store, "rebooting").await, ["Router reboots nightly"]);
    let raw: &DatabaseConnection = &sea_orm::Database::connect(db.url.as_str()).await.unwrap();
    let other = raw
        .query_one_raw(Statement::from_string(
            raw.get_database_backend(),
            "SELECT count(*) AS n FROM ticket_search WHERE language <> 'english'::regconfig",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(other, 0);

    // A start in "simple" cut off after it changed the setting, before it
    // re-indexed: the next start in "simple" finishes the re-index.
    for sql in [
        "UPDATE settings SET value = 'simple' WHERE key = 'search_language'",
        "UPDATE settings SET value = '' WHERE key = 'search_language_indexed'",
    ] {
        raw.execute_unprepared(sql).await.unwrap();
    }
    store.use_search_language("simple").await.unwrap();
    assert!(found(store, "rebooting").await.is_empty());
    assert_eq!(found(store, "reboots").await, ["Router reboots nightly"]);
}
