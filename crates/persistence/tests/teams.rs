//! Teams are made whole or not at all.
#![allow(clippy::unwrap_used)] // in a test, a failed step is a failed test

mod common;

use common::{agent, t};
use helpdesk_domain::ids::AgentId;
use helpdesk_persistence::StoreError;
use helpdesk_persistence::testing::TestDb;

async fn a_team_starts_with_its_members(db: TestDb) {
    let store = &db.store;
    let (maria, bo) = (agent(store, "Maria").await, agent(store, "Bo").await);
    let team = store
        .create_team_with_members("Billing".into(), &[maria.id, bo.id], t(0))
        .await
        .unwrap();
    let mut members: Vec<AgentId> = store
        .team_members(&[team.id])
        .await
        .unwrap()
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    members.sort();
    let mut expected = vec![maria.id, bo.id];
    expected.sort();
    assert_eq!(members, expected);
}

async fn an_unknown_member_leaves_no_team_behind(db: TestDb) {
    let store = &db.store;
    let maria = agent(store, "Maria").await;
    let refused = store
        .create_team_with_members("Billing".into(), &[maria.id, AgentId::new()], t(0))
        .await;
    assert!(
        matches!(refused, Err(StoreError::NotFound { what: "agent" })),
        "{refused:?}"
    );
    assert!(store.list_teams().await.unwrap().is_empty());

    // The name is still free, and a taken name is a conflict.
    store.create_team("Billing".into(), t(1)).await.unwrap();
    let taken = store
        .create_team_with_members("Billing".into(), &[maria.id], t(2))
        .await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
}

helpdesk_persistence::each_store!(a_team_starts_with_its_members, an_unknown_member_leaves_no_team_behind);
