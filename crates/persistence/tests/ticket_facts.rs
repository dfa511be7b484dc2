//! The metric facts stored beside each ticket: always what replaying its
//! stored history gives, with the figures the KPIs need.
#![allow(clippy::unwrap_used)] // in a test, a failed step is a failed test

mod common;

use common::{agent, from_customer, new_ticket, note, reply, reply_and_set, sample, stored_facts, t};
use helpdesk_domain::ticket::{Actor, TicketStatus};
use helpdesk_persistence::testing::TestDb;
use helpdesk_persistence::tickets::TicketChanges;
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};

async fn a_new_ticket_has_facts_from_the_start(db: TestDb) {
    let store = &db.store;
    let ticket = store
        .create_ticket(new_ticket("Help", "ana@example.com"), Actor::System, t(0))
        .await
        .unwrap();

    let (facts, samples) = stored_facts(store, ticket.id).await;
    assert_eq!(facts.created_at, t(0));
    assert_eq!(facts.status, TicketStatus::New);
    assert_eq!(facts.customer_created, Some(true));
    assert_eq!(facts.customer_messages, 1);
    assert_eq!(facts.last_customer_message_at, Some(t(0)));
    assert_eq!(facts.awaiting_reply_since, Some(t(0)));
    assert_eq!(facts.first_public_reply_at, None);
    assert!(samples.is_empty());
}

async fn facts_follow_a_ticket_through_solve_reopen_and_close(db: TestDb) {
    let store = &db.store;
    let (maria, omar) = (agent(store, "Maria").await, agent(store, "Omar").await);
    let ticket = store
        .create_ticket(new_ticket("Sync fails", "ana@example.com"), Actor::System, t(0))
        .await
        .unwrap();
    let id = ticket.id;
    let by = |who: &helpdesk_persistence::agents::AgentRecord| Actor::Agent(who.id);
    let assign = |to| TicketChanges {
        assignee: Some(to),
        ..TicketChanges::default()
    };
    let status = |to| TicketChanges {
        status: Some(to),
        ..TicketChanges::default()
    };

    store
        .update_ticket(id, assign(Some(maria.id)), by(&maria), t(2))
        .await
        .unwrap();
    store.update_ticket(id, assign(None), by(&maria), t(3)).await.unwrap();
    store
        .update_ticket(id, assign(Some(maria.id)), by(&maria), t(4))
        .await
        .unwrap(); // same agent again: no new station
    store
        .add_message(id, note(maria.id, "Known bug?"), t(10))
        .await
        .unwrap();
    store
        .add_message(id, reply(maria.id, "Which version?"), t(25))
        .await
        .unwrap();
    store
        .add_message(id, reply_and_set(maria.id, "Try 2.1", TicketStatus::Pending), t(40))
        .await
        .unwrap();
    store
        .update_ticket(id, assign(Some(omar.id)), by(&maria), t(45))
        .await
        .unwrap();
    store
        .add_message(id, from_customer("2.1 crashes"), t(60))
        .await
        .unwrap();
    store
        .add_message(id, from_customer("Log attached"), t(70))
        .await
        .unwrap();

    let (facts, samples) = stored_facts(store, id).await;
    assert_eq!(facts.status, TicketStatus::Open);
    assert_eq!(
        facts.awaiting_reply_since,
        Some(t(60)),
        "the earliest unanswered customer message"
    );
    assert_eq!(samples, [sample(t(0), t(25))]);

    store
        .add_message(id, reply_and_set(omar.id, "Fixed in 2.2", TicketStatus::Solved), t(90))
        .await
        .unwrap();
    store
        .add_message(id, from_customer("Broken again"), t(120))
        .await
        .unwrap(); // reopens
    store
        .add_message(id, reply(omar.id, "Rolled back"), t(130))
        .await
        .unwrap();
    store
        .update_ticket(id, status(TicketStatus::Solved), by(&omar), t(140))
        .await
        .unwrap();
    store
        .update_ticket(id, status(TicketStatus::Closed), by(&omar), t(200))
        .await
        .unwrap();

    let (facts, samples) = stored_facts(store, id).await;
    assert_eq!(facts.status, TicketStatus::Closed);
    assert_eq!(facts.customer_created, Some(true));
    assert_eq!(facts.first_public_reply_at, Some(t(25)));
    assert_eq!(facts.last_public_reply_at, Some(t(130)));
    assert_eq!(facts.public_replies, 4);
    assert_eq!(facts.customer_messages, 4);
    assert_eq!(facts.last_customer_message_at, Some(t(120)));
    assert_eq!(facts.internal_notes, 1);
    assert_eq!(facts.awaiting_reply_since, None, "everything was answered");
    assert_eq!(facts.replies_before_first_solve, 3);
    assert_eq!(facts.assignee_stations_before_first_solve, 2, "Maria, then Omar");
    assert_eq!(facts.last_assigned_agent, Some(omar.id));
    assert_eq!(facts.first_solved_at, Some(t(90)));
    assert_eq!(facts.latest_solved_at, Some(t(140)));
    assert_eq!(facts.solves, 2, "closing a solved ticket is not another solve");
    assert_eq!(facts.reopens, 1);
    assert_eq!(facts.first_reopened_at, Some(t(120)));
    assert_eq!(
        samples,
        [sample(t(0), t(25)), sample(t(60), t(90)), sample(t(120), t(130))]
    );
}

async fn notes_and_desk_messages_are_not_replies(db: TestDb) {
    let store = &db.store;
    let maria = agent(store, "Maria").await;
    let ticket = store
        .create_ticket(new_ticket("Help", "ana@example.com"), Actor::System, t(0))
        .await
        .unwrap();
    let ack = helpdesk_persistence::tickets::NewMessage {
        author: helpdesk_persistence::tickets::MessageAuthor::System,
        ..from_customer("We got your message")
    };
    let (message, after) = store.add_message(ticket.id, ack, t(1)).await.unwrap();
    assert_eq!(message.author, helpdesk_domain::ticket::Author::System);
    assert_eq!(
        after.status,
        TicketStatus::New,
        "the desk acknowledging a ticket does not open it"
    );
    store
        .add_message(ticket.id, note(maria.id, "Looks like billing"), t(2))
        .await
        .unwrap();

    let (facts, samples) = stored_facts(store, ticket.id).await;
    assert_eq!(facts.public_replies, 0);
    assert_eq!(facts.first_public_reply_at, None);
    assert_eq!(facts.internal_notes, 1);
    assert_eq!(facts.awaiting_reply_since, Some(t(0)), "still waiting for a person");
    assert!(samples.is_empty());
}

/// A store from before the facts' current shape has tickets without facts;
/// the refresher's first search finds them, and only them.
async fn a_ticket_without_facts_gets_them_back(db: TestDb) {
    let store = &db.store;
    let mut tickets = Vec::new();
    for (i, from) in ["ana@example.com", "bo@example.com", "cy@example.com"]
        .into_iter()
        .enumerate()
    {
        let ticket = store
            .create_ticket(new_ticket("Help", from), Actor::System, t(i as i64))
            .await
            .unwrap();
        tickets.push(ticket.id);
    }
    let raw = Database::connect(db.url.as_str()).await.unwrap();
    let backend = raw.get_database_backend();
    let placeholder = if backend == DbBackend::Postgres { "$1" } else { "?" };
    raw.execute_raw(Statement::from_sql_and_values(
        backend,
        format!("DELETE FROM ticket_facts WHERE ticket_id = {placeholder}"),
        [tickets[1].as_uuid().into()],
    ))
    .await
    .unwrap();
    assert_eq!(store.ticket_facts(tickets[1]).await.unwrap(), None);

    assert_eq!(
        store.refresh_stale_facts(100, true, t(10)).await.unwrap(),
        1,
        "only the one without facts"
    );
    stored_facts(store, tickets[1]).await;
    assert_eq!(
        store.refresh_stale_facts(100, true, t(10)).await.unwrap(),
        0,
        "none left"
    );
}

helpdesk_persistence::each_store!(
    a_new_ticket_has_facts_from_the_start,
    facts_follow_a_ticket_through_solve_reopen_and_close,
    notes_and_desk_messages_are_not_replies,
    a_ticket_without_facts_gets_them_back,
);
