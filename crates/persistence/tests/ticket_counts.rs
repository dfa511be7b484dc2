//! A queue's count comes from the counts the database maintains (triggers
//! append deltas, a fold moves them into totals). Whatever changes a ticket,
//! by whichever path, and however the folds interleave, a count over the
//! queue dimensions equals the number of tickets the listing returns.
#![allow(clippy::unwrap_used)] // in a test, a failed step is a failed test

mod common;

use std::collections::BTreeSet;

use common::{agent, email, listed_and_counted, migrated_back, new_ticket, t, unmigrated_postgres};
use helpdesk_domain::access::TicketAccess;
use helpdesk_domain::ids::{AgentId, TeamId, TicketId};
use helpdesk_domain::import::{ImportedAuthor, ImportedEvent, ImportedKind, ImportedTicket};
use helpdesk_domain::ticket::{Actor, Channel, Priority, TicketStatus};
use helpdesk_persistence::Store;
use helpdesk_persistence::testing::TestDb;
use helpdesk_persistence::tickets::{NewTicket, TicketChanges, TicketFilter, TicketOrder};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Two teams and three agents, and the tickets opened so far.
struct Desk {
    billing: TeamId,
    tech: TeamId,
    agents: Vec<AgentId>,
    tickets: Vec<TicketId>,
}

impl Desk {
    async fn open(store: &Store) -> Self {
        let billing = store.create_team("Billing".into(), t(-60)).await.unwrap().id;
        let tech = store.create_team("Tech".into(), t(-60)).await.unwrap().id;
        let mut agents = Vec::new();
        for name in ["Maria", "Jonas", "Aiko"] {
            agents.push(agent(store, name).await.id);
        }
        Self {
            billing,
            tech,
            agents,
            tickets: Vec::new(),
        }
    }

    /// The queues checked: everything, each dimension alone, some together,
    /// and every kind of reach an agent can have.
    fn queues(&self) -> Vec<TicketFilter> {
        let all = TicketFilter::default;
        let open = vec![TicketStatus::New, TicketStatus::Open, TicketStatus::Pending];
        let mut queues = vec![
            all(),
            TicketFilter {
                statuses: open.clone(),
                ..all()
            },
            TicketFilter {
                statuses: vec![TicketStatus::Closed],
                ..all()
            },
            TicketFilter {
                channels: vec![Channel::Chat, Channel::WebForm],
                ..all()
            },
            TicketFilter {
                priorities: vec![Priority::Urgent],
                ..all()
            },
            TicketFilter {
                sla_breached: Some(false),
                ..all()
            },
            TicketFilter {
                team_ids: vec![self.billing],
                statuses: open.clone(),
                ..all()
            },
            TicketFilter {
                assignee_ids: vec![self.agents[0], self.agents[2]],
                ..all()
            },
        ];
        let reaches = [
            TicketAccess::Teams {
                teams: BTreeSet::from([self.tech]),
                teamless: false,
            },
            TicketAccess::Teams {
                teams: BTreeSet::from([self.billing]),
                teamless: true,
            },
            TicketAccess::Teams {
                teams: BTreeSet::new(),
                teamless: true,
            },
            TicketAccess::Teams {
                teams: BTreeSet::new(),
                teamless: false,
            },
        ];
        for access in reaches {
            queues.push(TicketFilter {
                access: access.clone(),
                ..all()
            });
            queues.push(TicketFilter {
                access,
                statuses: open.clone(),
                ..all()
            });
        }
        queues
    }

    fn team(&self, rng: &mut StdRng) -> Option<TeamId> {
        [None, Some(self.billing), Some(self.tech)][rng.random_range(0..3)]
    }

    fn assignee(&self, rng: &mut StdRng) -> Option<AgentId> {
        match rng.random_range(0..=self.agents.len()) {
            0 => None,
            i => Some(self.agents[i - 1]),
        }
    }

    fn some_ticket(&self, rng: &mut StdRng) -> TicketId {
        self.tickets[rng.random_range(0..self.tickets.len())]
    }
}

fn pick<T: Copy>(rng: &mut StdRng, values: &[T]) -> T {
    values[rng.random_range(0..values.len())]
}

/// Every queue's count equals the length of its listing.
async fn every_count_matches_the_listing(store: &Store, desk: &Desk, when: &str) {
    // Shown with a failure: which step the counts were checked after.
    eprintln!("checking every queue's count {when}");
    for filter in desk.queues() {
        listed_and_counted(store, &filter, TicketOrder::default()).await;
    }
}

fn imported(n: usize, rng: &mut StdRng) -> ImportedTicket {
    let mut events = vec![ImportedEvent {
        at: t(-500),
        kind: ImportedKind::Message {
            author: ImportedAuthor::Customer,
            body: "Hello".into(),
        },
    }];
    if rng.random_bool(0.5) {
        events.push(ImportedEvent {
            at: t(-400),
            kind: ImportedKind::Assign {
                agent: Some(Some(email("jonas@desk.example"))),
                team: Some(Some("Tech".into())),
            },
        });
    }
    events.push(ImportedEvent {
        at: t(-300),
        kind: ImportedKind::Status(pick(
            rng,
            &[TicketStatus::Open, TicketStatus::Solved, TicketStatus::Closed],
        )),
    });
    ImportedTicket {
        external_id: format!("OLD-{n}"),
        subject: format!("Old question {n}"),
        channel: pick(rng, Channel::ALL),
        priority: pick(rng, Priority::ALL),
        customer_email: email(&format!("old{n}@example.com")),
        customer_name: None,
        tags: BTreeSet::new(),
        created_at: t(-500),
        fcr_eligible: true,
        events,
    }
}

/// A seeded mix of every way tickets change (creations, status, priority,
/// team and assignee changes, merges, imports), with folds in between.
async fn counts_equal_the_listing_through_every_kind_of_change(db: TestDb) {
    let store = &db.store;
    let mut desk = Desk::open(store).await;
    let mut rng = StdRng::seed_from_u64(13);
    every_count_matches_the_listing(store, &desk, "on an empty desk").await;
    for step in 0..120i64 {
        let at = t(step);
        let choice = if desk.tickets.len() < 5 {
            0
        } else {
            rng.random_range(0..6)
        };
        match choice {
            0 => {
                let new = NewTicket {
                    channel: pick(&mut rng, Channel::ALL),
                    priority: pick(&mut rng, Priority::ALL),
                    team: desk.team(&mut rng),
                    assignee: desk.assignee(&mut rng),
                    ..new_ticket(&format!("Question {step}"), &format!("c{}@example.com", step % 7))
                };
                desk.tickets
                    .push(store.create_ticket(new, Actor::System, at).await.unwrap().id);
            }
            1 | 2 => {
                let changes = TicketChanges {
                    status: rng.random_bool(0.6).then(|| pick(&mut rng, TicketStatus::ALL)),
                    priority: rng.random_bool(0.4).then(|| pick(&mut rng, Priority::ALL)),
                    team: rng.random_bool(0.4).then(|| desk.team(&mut rng)),
                    assignee: rng.random_bool(0.4).then(|| desk.assignee(&mut rng)),
                    ..TicketChanges::default()
                };
                // The workflow refuses some changes (a CLOSED ticket takes
                // none): a refused change must leave the counts as they were.
                let _ = store
                    .update_ticket(desk.some_ticket(&mut rng), changes, Actor::System, at)
                    .await;
            }
            3 => {
                let (source, target) = (desk.some_ticket(&mut rng), desk.some_ticket(&mut rng));
                // Refused when both are one ticket or either is closed.
                let _ = store.merge_tickets(source, target, Actor::System, at).await;
            }
            4 => {
                let batch: Vec<_> = (0..3).map(|i| imported(step as usize * 10 + i, &mut rng)).collect();
                store.import_tickets(&batch, at).await.unwrap();
            }
            _ => {
                store.fold_ticket_counts().await.unwrap();
            }
        }
        if step % 10 == 9 {
            every_count_matches_the_listing(store, &desk, &format!("after step {step}")).await;
        }
    }
    store.fold_ticket_counts().await.unwrap();
    every_count_matches_the_listing(store, &desk, "after the last fold").await;
    assert_eq!(
        store.fold_ticket_counts().await.unwrap(),
        0,
        "the last fold left no delta behind"
    );
}

/// Writers and several folders (as on several servers) at once: no change
/// is lost or counted twice.
async fn counts_stay_exact_while_writers_and_folders_run_at_once(db: TestDb) {
    let mut desk = Desk::open(&db.store).await;
    let mut writers = Vec::new();
    for writer in 0..4u64 {
        let (store, team, agent) = (
            db.store.clone(),
            desk.team(&mut StdRng::seed_from_u64(writer)),
            desk.agents[0],
        );
        writers.push(tokio::spawn(async move {
            let mut opened = Vec::new();
            for i in 0..12 {
                let new = NewTicket {
                    team,
                    ..new_ticket(&format!("Writer {writer} #{i}"), "ana@example.com")
                };
                let ticket = store.create_ticket(new, Actor::System, t(i)).await.unwrap();
                let changes = TicketChanges {
                    status: Some(TicketStatus::Open),
                    assignee: Some(Some(agent)),
                    ..TicketChanges::default()
                };
                store
                    .update_ticket(ticket.id, changes, Actor::System, t(i))
                    .await
                    .unwrap();
                opened.push(ticket.id);
            }
            opened
        }));
    }
    let folders: Vec<_> = (0..3)
        .map(|_| {
            let store = db.store.clone();
            tokio::spawn(async move {
                loop {
                    store.fold_ticket_counts().await.unwrap();
                    tokio::task::yield_now().await;
                }
            })
        })
        .collect();
    for writer in writers {
        desk.tickets.extend(writer.await.unwrap());
    }
    for folder in folders {
        assert!(!folder.is_finished(), "a fold failed: {:?}", folder.await);
        folder.abort();
    }
    every_count_matches_the_listing(&db.store, &desk, "after the race").await;
    db.store.fold_ticket_counts().await.unwrap();
    every_count_matches_the_listing(&db.store, &desk, "after a last fold").await;
}

helpdesk_persistence::each_store!(
    counts_equal_the_listing_through_every_kind_of_change,
    counts_stay_exact_while_writers_and_folders_run_at_once,
);

/// A desk that had tickets before the counts existed: the upgrade counts
/// them, and the counts move on from there.
async fn an_upgraded_desk_counts_the_tickets_it_already_had(db: TestDb) {
    let store = &db.store;
    store.migrate().await.unwrap();
    let mut desk = Desk::open(store).await;
    let mut rng = StdRng::seed_from_u64(7);
    let before: Vec<_> = (0..15).map(|i| imported(i, &mut rng)).collect();
    store.import_tickets(&before, t(0)).await.unwrap();
    migrated_back(&db, "m20261203_000070_maintained_ticket_counts")
        .await
        .close()
        .await
        .unwrap();

    store.migrate().await.unwrap();
    every_count_matches_the_listing(store, &desk, "right after the upgrade").await;
    let after = store
        .create_ticket(new_ticket("After the upgrade", "bo@example.com"), Actor::System, t(20))
        .await
        .unwrap();
    desk.tickets.push(after.id);
    every_count_matches_the_listing(store, &desk, "after a new ticket").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_an_upgraded_desk_counts_the_tickets_it_already_had() {
    an_upgraded_desk_counts_the_tickets_it_already_had(TestDb::sqlite_unmigrated().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_an_upgraded_desk_counts_the_tickets_it_already_had() {
    if let Some(db) = unmigrated_postgres().await {
        an_upgraded_desk_counts_the_tickets_it_already_had(db).await;
    }
}
