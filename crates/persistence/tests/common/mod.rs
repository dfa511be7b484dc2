//! Shared vocabulary for the store's stories: instants, people and messages.
#![allow(dead_code)] // each story file uses its own share of these helpers

use std::collections::BTreeSet;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use helpdesk_domain::agent::Role;
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::ids::{AgentId, TicketId};
use helpdesk_domain::tag::Tag;
use helpdesk_domain::ticket::{Channel, EventKind, Priority, ResponseSample, TicketFacts, TicketStatus};
use helpdesk_persistence::Store;
use helpdesk_persistence::agents::{AgentRecord, NewAgent};
use helpdesk_persistence::testing::{POSTGRES_ENV, TestDb};
use helpdesk_persistence::tickets::{MailParts, MessageAuthor, NewMessage, NewTicket};
use helpdesk_persistence::tickets::{TicketFilter, TicketOrder, TicketRecord};
use sea_orm::{Database, DatabaseConnection};

/// `minutes` after Monday 2 March 2026, 09:00 UTC.
pub fn t(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("a valid instant")
        + TimeDelta::minutes(minutes)
}

pub fn email(raw: &str) -> EmailAddress {
    EmailAddress::parse(raw).expect("a valid email address")
}

pub fn tags(raw: &[&str]) -> BTreeSet<Tag> {
    raw.iter().map(|t| Tag::parse(t).expect("a valid tag")).collect()
}

/// A customer's email asking for help: normal priority, no tags, unassigned.
pub fn new_ticket(subject: &str, customer_email: &str) -> NewTicket {
    NewTicket {
        subject: subject.to_owned(),
        body: format!("Hello, {subject}"),
        customer_email: email(customer_email),
        customer_name: None,
        channel: Channel::Email,
        priority: Priority::Normal,
        tags: BTreeSet::new(),
        assignee: None,
        team: None,
        fcr_eligible: true,
        rfc_message_id: None,
        follow_up_of: None,
        mail: MailParts::default(),
    }
}

/// An agent account named `name` (`name@desk.example`).
pub async fn agent(store: &Store, name: &str) -> AgentRecord {
    let new = NewAgent {
        email: email(&format!("{}@desk.example", name.to_lowercase())),
        name: name.to_owned(),
        role: Role::Agent,
        scope: helpdesk_domain::access::AgentScope::All,
        password_hash: None,
    };
    store.create_agent(new, t(-60)).await.expect("create agent")
}

fn message(author: MessageAuthor, body: &str) -> NewMessage {
    NewMessage {
        author,
        body: body.to_owned(),
        internal: false,
        channel: None,
        status: None,
        rfc_message_id: None,
        mail: MailParts::default(),
        outbox: None,
    }
}

/// An agent's public reply.
pub fn reply(agent: AgentId, body: &str) -> NewMessage {
    message(MessageAuthor::Agent(agent), body)
}

/// An agent's public reply that also sets the ticket's status.
pub fn reply_and_set(agent: AgentId, body: &str, status: TicketStatus) -> NewMessage {
    NewMessage {
        status: Some(status),
        ..reply(agent, body)
    }
}

/// An agent's internal note.
pub fn note(agent: AgentId, body: &str) -> NewMessage {
    NewMessage {
        internal: true,
        ..reply(agent, body)
    }
}

/// A message from the ticket's customer.
pub fn from_customer(body: &str) -> NewMessage {
    message(MessageAuthor::Customer, body)
}

/// The kinds of a ticket's stored events, oldest first.
pub async fn event_kinds(store: &Store, ticket: TicketId) -> Vec<EventKind> {
    store
        .ticket_events(ticket)
        .await
        .expect("load events")
        .into_iter()
        .map(|r| r.event.kind)
        .collect()
}

/// The ticket's stored facts and response samples, after checking that they
/// are exactly what replaying its stored history gives.
pub async fn stored_facts(store: &Store, ticket: TicketId) -> (TicketFacts, Vec<ResponseSample>) {
    let record = store.ticket(ticket).await.expect("load ticket").expect("ticket exists");
    let events = store.ticket_events(ticket).await.expect("load events");
    let stored = store
        .ticket_facts(ticket)
        .await
        .expect("load facts")
        .expect("facts are stored with the ticket");
    let replayed = TicketFacts::replay(record.created_at, events.iter().map(|r| &r.event));
    assert_eq!(
        stored, replayed,
        "stored facts of ticket #{} differ from a replay of its history",
        record.number
    );
    stored
}

pub fn sample(waiting_since: DateTime<Utc>, answered_at: DateTime<Utc>) -> ResponseSample {
    ResponseSample {
        waiting_since,
        answered_at,
    }
}

/// Every ticket `filter` lists (on one page), checking that `count_tickets`
/// says as many.
pub async fn listed_and_counted(store: &Store, filter: &TicketFilter, order: TicketOrder) -> Vec<TicketRecord> {
    let page = store.list_tickets(filter, order, 10_000, None).await.expect("list");
    assert!(!page.has_next_page);
    assert_eq!(
        store.count_tickets(filter).await.expect("count"),
        page.tickets.len() as u64,
        "count_tickets is the filtered count of {filter:?}"
    );
    page.tickets
}

/// A scratch PostgreSQL database without migrations, for an upgrade story;
/// `None` (with a note) when `HELPDESK_TEST_POSTGRES_URL` is unset.
pub async fn unmigrated_postgres() -> Option<TestDb> {
    let db = TestDb::postgres_unmigrated().await;
    if db.is_none() {
        eprintln!("{POSTGRES_ENV} unset: PostgreSQL run skipped");
    }
    db
}

/// Migrates `db` up to, not including, the migration named `before`, as an
/// older version left it; the connection stays open for the story to set
/// the scene.
pub async fn migrated_until(db: &TestDb, before: &str) -> DatabaseConnection {
    use helpdesk_migrations::{Migrator, MigratorTrait};

    let steps = Migrator::migrations()
        .iter()
        .position(|m| m.name() == before)
        .expect("a migration of that name");
    let raw = Database::connect(db.url.as_str()).await.expect("connect");
    Migrator::up(&raw, Some(u32::try_from(steps).expect("a few migrations")))
        .await
        .expect("migrate part of the way");
    raw
}

/// A desk as an older version left it, from one written by today's store:
/// migrates it back down to, not including, the migration named `before`,
/// whose way down keeps the data and drops what came later. (Today's store
/// writes tables later migrations made, so it cannot write into an old
/// desk itself.) The connection stays open for the story to set the rest
/// of the scene.
pub async fn migrated_back(db: &TestDb, before: &str) -> DatabaseConnection {
    use helpdesk_migrations::{Migrator, MigratorTrait};

    let all = Migrator::migrations();
    let position = all
        .iter()
        .position(|m| m.name() == before)
        .expect("a migration of that name");
    let raw = Database::connect(db.url.as_str()).await.expect("connect");
    Migrator::down(
        &raw,
        Some(u32::try_from(all.len() - position).expect("a few migrations")),
    )
    .await
    .expect("migrate back down");
    raw
}
