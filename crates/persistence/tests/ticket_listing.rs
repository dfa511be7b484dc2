//! An agent's ticket list: filters narrow it, and paging through it with the
//! cursor of the last ticket seen shows every ticket exactly once.
#![allow(clippy::unwrap_used)] // in a test, a failed step is a failed test

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::{agent, email, listed_and_counted, new_ticket, reply, reply_and_set, t, tags};
use helpdesk_domain::ids::{AgentId, TeamId};
use helpdesk_domain::ticket::{Actor, Channel, Priority, TicketStatus};
use helpdesk_persistence::Store;
use helpdesk_persistence::testing::TestDb;
use helpdesk_persistence::tickets::{
    NewTicket, SortDirection, TicketChanges, TicketFilter, TicketOrder, TicketRecord, TicketSortField,
};

/// When ticket `i` was opened: a minute apart, with whole seconds,
/// milliseconds and microseconds mixed, so ordering cannot depend on how many
/// fractional digits a store writes.
fn opened(i: usize) -> DateTime<Utc> {
    let fraction = [0, 500_000, 250, 999_999][i % 4];
    t(i as i64) + TimeDelta::microseconds(fraction)
}

struct Desk {
    maria: AgentId,
    omar: AgentId,
    billing: TeamId,
    tech: TeamId,
    /// Ticket number `n` is `tickets[n - 1]`.
    tickets: Vec<TicketRecord>,
}

/// Twelve tickets (numbers 1..=12):
///
/// | #  | customer | channel  | priority | tags            | assignee | team    | status  |
/// |----|----------|----------|----------|-----------------|----------|---------|---------|
/// | 1  | ana      | EMAIL    | NORMAL   | billing         | Maria    | Billing | NEW     |
/// | 2  | bob      | CHAT     | HIGH     | vip             | Omar     | Tech    | OPEN    |
/// | 3  | ana      | WEB_FORM | URGENT   | billing, vip    |          | Billing | PENDING |
/// | 4  | carl     | PHONE    | LOW      |                 | Maria    |         | SOLVED  |
/// | 5  | bob      | EMAIL    | NORMAL   | refund          |          |         | OPEN    |
/// | 6  | dana     | API      | HIGH     | vip             | Omar     | Billing | NEW     |
/// | 7  | ana      | EMAIL    | LOW      |                 | Maria    | Tech    | CLOSED  |
/// | 8  | eve      | SOCIAL   | NORMAL   | billing, refund |          | Tech    | NEW     |
/// | 9-12 | guestN | EMAIL    | NORMAL   |                 |          |         | NEW     |
async fn open_desk(store: &Store) -> Desk {
    let maria = agent(store, "Maria").await.id;
    let omar = agent(store, "Omar").await.id;
    let billing = store.create_team("Billing".into(), t(-60)).await.unwrap().id;
    let tech = store.create_team("Tech".into(), t(-60)).await.unwrap().id;

    let spec = |from: &str, channel, priority, tag_names: &[&str], assignee, team| NewTicket {
        channel,
        priority,
        tags: tags(tag_names),
        assignee,
        team,
        ..new_ticket("Help", from)
    };
    let mut specs = vec![
        spec(
            "ana@example.com",
            Channel::Email,
            Priority::Normal,
            &["billing"],
            Some(maria),
            Some(billing),
        ),
        spec(
            "bob@example.com",
            Channel::Chat,
            Priority::High,
            &["vip"],
            Some(omar),
            Some(tech),
        ),
        spec(
            "ana@example.com",
            Channel::WebForm,
            Priority::Urgent,
            &["billing", "vip"],
            None,
            Some(billing),
        ),
        spec(
            "carl@example.com",
            Channel::Phone,
            Priority::Low,
            &[],
            Some(maria),
            None,
        ),
        spec(
            "bob@example.com",
            Channel::Email,
            Priority::Normal,
            &["refund"],
            None,
            None,
        ),
        spec(
            "dana@example.com",
            Channel::Api,
            Priority::High,
            &["vip"],
            Some(omar),
            Some(billing),
        ),
        spec(
            "ana@example.com",
            Channel::Email,
            Priority::Low,
            &[],
            Some(maria),
            Some(tech),
        ),
        spec(
            "eve@example.com",
            Channel::Social,
            Priority::Normal,
            &["billing", "refund"],
            None,
            Some(tech),
        ),
    ];
    for n in 9..=12 {
        specs.push(new_ticket("Help", &format!("guest{n}@example.com")));
    }
    let mut tickets = Vec::new();
    for (i, new) in specs.into_iter().enumerate() {
        let ticket = store.create_ticket(new, Actor::System, opened(i)).await.unwrap();
        assert_eq!(ticket.number, i as i64 + 1);
        tickets.push(ticket);
    }

    let later = t(30);
    store
        .add_message(tickets[1].id, reply(omar, "On it"), later)
        .await
        .unwrap();
    store
        .add_message(
            tickets[2].id,
            reply_and_set(maria, "Which card?", TicketStatus::Pending),
            later,
        )
        .await
        .unwrap();
    store
        .add_message(tickets[3].id, reply_and_set(maria, "Done", TicketStatus::Solved), later)
        .await
        .unwrap();
    store
        .add_message(tickets[4].id, reply(maria, "Refund sent"), later)
        .await
        .unwrap();
    let close = TicketChanges {
        status: Some(TicketStatus::Closed),
        ..TicketChanges::default()
    };
    store
        .update_ticket(tickets[6].id, close, Actor::Agent(maria), later)
        .await
        .unwrap();

    let tickets = store
        .list_tickets(&TicketFilter::default(), asc(TicketSortField::CreatedAt), 100, None)
        .await
        .unwrap()
        .tickets;
    Desk {
        maria,
        omar,
        billing,
        tech,
        tickets,
    }
}

fn asc(field: TicketSortField) -> TicketOrder {
    TicketOrder {
        field,
        direction: SortDirection::Asc,
    }
}

/// The numbers of the tickets `filter` lists (all on one page), in ascending order.
async fn listed(store: &Store, filter: TicketFilter) -> Vec<i64> {
    listed_and_counted(store, &filter, asc(TicketSortField::CreatedAt))
        .await
        .iter()
        .map(|t| t.number)
        .collect()
}

async fn each_filter_narrows_the_list(db: TestDb) {
    let store = &db.store;
    let desk = open_desk(store).await;
    let all = TicketFilter::default;

    assert_eq!(listed(store, all()).await, (1..=12).collect::<Vec<_>>());

    assert_eq!(
        listed(
            store,
            TicketFilter {
                statuses: vec![TicketStatus::New],
                ..all()
            }
        )
        .await,
        [1, 6, 8, 9, 10, 11, 12]
    );
    let working = vec![TicketStatus::Open, TicketStatus::Pending];
    assert_eq!(
        listed(
            store,
            TicketFilter {
                statuses: working,
                ..all()
            }
        )
        .await,
        [2, 3, 5]
    );
    let done = vec![TicketStatus::Solved, TicketStatus::Closed];
    assert_eq!(
        listed(
            store,
            TicketFilter {
                statuses: done,
                ..all()
            }
        )
        .await,
        [4, 7]
    );

    assert_eq!(
        listed(
            store,
            TicketFilter {
                channels: vec![Channel::Chat],
                ..all()
            }
        )
        .await,
        [2]
    );
    let channels = vec![Channel::Phone, Channel::Api, Channel::Social];
    assert_eq!(listed(store, TicketFilter { channels, ..all() }).await, [4, 6, 8]);

    let urgent = vec![Priority::High, Priority::Urgent];
    assert_eq!(
        listed(
            store,
            TicketFilter {
                priorities: urgent,
                ..all()
            }
        )
        .await,
        [2, 3, 6]
    );

    assert_eq!(
        listed(
            store,
            TicketFilter {
                assignee_ids: vec![desk.maria],
                ..all()
            }
        )
        .await,
        [1, 4, 7]
    );
    let both = vec![desk.maria, desk.omar];
    assert_eq!(
        listed(
            store,
            TicketFilter {
                assignee_ids: both,
                ..all()
            }
        )
        .await,
        [1, 2, 4, 6, 7]
    );

    assert_eq!(
        listed(
            store,
            TicketFilter {
                team_ids: vec![desk.tech],
                ..all()
            }
        )
        .await,
        [2, 7, 8]
    );
    assert_eq!(
        listed(
            store,
            TicketFilter {
                team_ids: vec![desk.billing],
                ..all()
            }
        )
        .await,
        [1, 3, 6]
    );

    let vip = tags(&["vip"]).into_iter().collect();
    assert_eq!(listed(store, TicketFilter { tags: vip, ..all() }).await, [2, 3, 6]);
    let money = tags(&["billing", "refund"]).into_iter().collect();
    assert_eq!(
        listed(store, TicketFilter { tags: money, ..all() }).await,
        [1, 3, 5, 8],
        "any of the tags, each ticket once"
    );

    let ana = Some(email("ANA@example.com"));
    assert_eq!(
        listed(
            store,
            TicketFilter {
                customer_email: ana.clone(),
                ..all()
            }
        )
        .await,
        [1, 3, 7]
    );
    let stranger = Some(email("nobody@example.com"));
    assert_eq!(
        listed(
            store,
            TicketFilter {
                customer_email: stranger,
                ..all()
            }
        )
        .await,
        Vec::<i64>::new()
    );

    // From ticket 3's instant (inclusive) to ticket 6's (exclusive).
    let range = TicketFilter {
        created_from: Some(opened(2)),
        created_to: Some(opened(5)),
        ..all()
    };
    assert_eq!(listed(store, range).await, [3, 4, 5]);
    assert_eq!(
        listed(
            store,
            TicketFilter {
                created_from: Some(opened(10)),
                ..all()
            }
        )
        .await,
        [11, 12]
    );
    assert_eq!(
        listed(
            store,
            TicketFilter {
                created_to: Some(opened(1)),
                ..all()
            }
        )
        .await,
        [1]
    );

    // Filters combine: all of them must match.
    let combined = TicketFilter {
        customer_email: ana,
        tags: tags(&["billing"]).into_iter().collect(),
        team_ids: vec![desk.billing],
        statuses: vec![TicketStatus::Pending],
        ..all()
    };
    assert_eq!(listed(store, combined).await, [3]);
}

/// Pages through `filter` in `order`, `size` tickets at a time, checking each page.
async fn walk(store: &Store, filter: &TicketFilter, order: TicketOrder, size: u64, total: u64) -> Vec<TicketRecord> {
    assert_eq!(store.count_tickets(filter).await.unwrap(), total, "the filtered count");
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store.list_tickets(filter, order, size, after).await.unwrap();
        seen.extend(page.tickets.iter().cloned());
        assert!(
            seen.len() as u64 <= total,
            "walked past the end: {order:?}, pages of {size}"
        );
        if !page.has_next_page {
            assert_eq!(
                seen.len() as u64,
                total,
                "the last page ends the list: {order:?}, pages of {size}"
            );
            // Past the last ticket there is nothing more.
            if let Some(last) = seen.last() {
                let beyond = store
                    .list_tickets(filter, order, size, Some(order.cursor_of(last)))
                    .await
                    .unwrap();
                assert!(beyond.tickets.is_empty() && !beyond.has_next_page);
            }
            return seen;
        }
        assert_eq!(page.tickets.len() as u64, size, "a page with more after it is full");
        after = Some(order.cursor_of(page.tickets.last().expect("a page with more after it is not empty")));
    }
}

/// The tickets in the order `order` defines: by its instant, then by id.
fn sorted(tickets: &[TicketRecord], order: TicketOrder) -> Vec<TicketRecord> {
    let mut out = tickets.to_vec();
    out.sort_by_key(|t| (order.cursor_of(t).at, t.id));
    if order.direction == SortDirection::Desc {
        out.reverse();
    }
    out
}

async fn paging_shows_every_ticket_exactly_once_in_every_order(db: TestDb) {
    let store = &db.store;
    let desk = open_desk(store).await;
    // Some tickets change at the very same instant: the id breaks the tie.
    let bump = |p| TicketChanges {
        priority: Some(p),
        ..TicketChanges::default()
    };
    for n in [9, 10, 11, 12] {
        store
            .update_ticket(
                desk.tickets[n - 1].id,
                bump(Priority::Urgent),
                Actor::Agent(desk.maria),
                t(45),
            )
            .await
            .unwrap();
    }
    store
        .update_ticket(desk.tickets[0].id, bump(Priority::Low), Actor::Agent(desk.maria), t(50))
        .await
        .unwrap();
    let tickets = store
        .list_tickets(&TicketFilter::default(), TicketOrder::default(), 100, None)
        .await
        .unwrap()
        .tickets;
    assert_eq!(tickets.len(), 12);
    let tied = tickets.iter().filter(|ticket| ticket.updated_at == t(45)).count();
    assert_eq!(tied, 4);

    for field in [TicketSortField::CreatedAt, TicketSortField::UpdatedAt] {
        for direction in [SortDirection::Asc, SortDirection::Desc] {
            let order = TicketOrder { field, direction };
            let expected: Vec<_> = sorted(&tickets, order).into_iter().map(|t| t.number).collect();
            for size in [1, 4, 5, 11, 12, 50] {
                let walked: Vec<_> = walk(store, &TicketFilter::default(), order, size, 12)
                    .await
                    .iter()
                    .map(|t| t.number)
                    .collect();
                assert_eq!(walked, expected, "{order:?}, pages of {size}");
            }
        }
    }

    // The newest first is the default, and `created_at` ascending is the order they were opened in.
    let newest: Vec<_> = walk(store, &TicketFilter::default(), TicketOrder::default(), 5, 12)
        .await
        .iter()
        .map(|t| t.number)
        .collect();
    assert_eq!(newest, (1..=12).rev().collect::<Vec<_>>());
}

/// A queue asks for several statuses at once; the store reads each status's
/// range in order and merges them, and the pages must still be the one
/// ordered list, every ticket once, in every order and page size.
async fn paging_several_statuses_merges_them_into_one_order(db: TestDb) {
    let store = &db.store;
    let desk = open_desk(store).await;
    let queue = TicketFilter {
        statuses: vec![TicketStatus::New, TicketStatus::Pending, TicketStatus::Solved],
        ..TicketFilter::default()
    };
    let matching: Vec<_> = desk
        .tickets
        .iter()
        .filter(|t| queue.statuses.contains(&t.status))
        .cloned()
        .collect();
    let statuses: std::collections::BTreeSet<_> = matching.iter().map(|t| t.status.as_str()).collect();
    assert!(
        statuses.len() >= 2,
        "the desk has tickets in several of the statuses: {statuses:?}"
    );
    let total = matching.len() as u64;
    for field in [
        TicketSortField::CreatedAt,
        TicketSortField::UpdatedAt,
        TicketSortField::SlaDueAt,
    ] {
        for direction in [SortDirection::Asc, SortDirection::Desc] {
            let order = TicketOrder { field, direction };
            let expected: Vec<_> = sorted(&matching, order).into_iter().map(|t| t.number).collect();
            for size in [1, 2, 3, total - 1, total, 50] {
                let walked: Vec<_> = walk(store, &queue, order, size, total)
                    .await
                    .iter()
                    .map(|t| t.number)
                    .collect();
                assert_eq!(walked, expected, "{order:?}, pages of {size}");
            }
        }
    }
}

async fn paging_a_filtered_list_counts_only_what_matches(db: TestDb) {
    let store = &db.store;
    store_is_empty(store).await;
    open_desk(store).await;
    let new_ones = TicketFilter {
        statuses: vec![TicketStatus::New],
        ..TicketFilter::default()
    };
    for direction in [SortDirection::Asc, SortDirection::Desc] {
        let order = TicketOrder {
            field: TicketSortField::UpdatedAt,
            direction,
        };
        let mut walked: Vec<_> = walk(store, &new_ones, order, 2, 7)
            .await
            .iter()
            .map(|t| t.number)
            .collect();
        walked.sort_unstable();
        assert_eq!(walked, [1, 6, 8, 9, 10, 11, 12]);
    }
    let first_page = store
        .list_tickets(&new_ones, asc(TicketSortField::CreatedAt), 3, None)
        .await
        .unwrap();
    assert_eq!(
        first_page.tickets.iter().map(|t| t.number).collect::<Vec<_>>(),
        [1, 6, 8]
    );
    assert!(first_page.has_next_page);
    assert_eq!(store.count_tickets(&new_ones).await.unwrap(), 7);
}

async fn store_is_empty(store: &Store) {
    let page = store
        .list_tickets(&TicketFilter::default(), TicketOrder::default(), 10, None)
        .await
        .unwrap();
    assert!(page.tickets.is_empty() && !page.has_next_page);
    assert_eq!(store.count_tickets(&TicketFilter::default()).await.unwrap(), 0);
}

/// Counts asked at the same moment share one count (see `shared_count.rs`),
/// yet a count asked after a ticket was created always includes it, however
/// many other counts of the same queue are running.
async fn a_count_asked_after_a_creation_includes_it_while_others_count(db: TestDb) {
    let store = db.store.clone();
    let open = TicketFilter {
        statuses: vec![TicketStatus::New],
        ..TicketFilter::default()
    };
    let watchers: Vec<_> = (0..8)
        .map(|_| {
            let (store, open) = (store.clone(), open.clone());
            tokio::spawn(async move {
                let mut last = 0;
                loop {
                    let now = store.count_tickets(&open).await.unwrap();
                    assert!(now >= last, "a later count never goes back: {last} then {now}");
                    last = now;
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    for created in 1..=25u64 {
        store
            .create_ticket(
                new_ticket(&format!("Question {created}"), "ana@example.com"),
                Actor::System,
                t(created as i64),
            )
            .await
            .unwrap();
        assert_eq!(store.count_tickets(&open).await.unwrap(), created);
    }
    for watcher in watchers {
        assert!(!watcher.is_finished(), "a watcher failed: {:?}", watcher.await);
        watcher.abort();
    }
}

helpdesk_persistence::each_store!(
    a_count_asked_after_a_creation_includes_it_while_others_count,
    paging_several_statuses_merges_them_into_one_order,
    each_filter_narrows_the_list,
    paging_shows_every_ticket_exactly_once_in_every_order,
    paging_a_filtered_list_counts_only_what_matches,
);
