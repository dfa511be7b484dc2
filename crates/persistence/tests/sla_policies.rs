//! The store keeps only policies that obey the policy rules, whoever writes.
#![allow(clippy::unwrap_used)] // in a test, a failed step is a failed test

mod common;

use common::t;
use helpdesk_domain::DomainError;
use helpdesk_domain::ids::SlaPolicyId;
use helpdesk_domain::sla::{Clock, SlaPolicy, SlaTarget, TargetSpec, Webhook};
use helpdesk_persistence::StoreError;
use helpdesk_persistence::testing::TestDb;

fn policy() -> SlaPolicy {
    SlaPolicy {
        id: SlaPolicyId::new(),
        name: "Standard".into(),
        position: 0,
        priorities: vec![],
        channels: vec![],
        tags: Default::default(),
        targets: vec![TargetSpec {
            target: SlaTarget::FirstResponse,
            minutes: 60,
            clock: Clock::Calendar,
        }],
        warning_percent: SlaPolicy::DEFAULT_WARNING_PERCENT,
        webhook: None,
        calendar: None,
    }
}

async fn a_policy_breaking_the_rules_is_not_stored(db: TestDb) {
    let store = &db.store;
    let mut twice = policy();
    twice.targets.push(twice.targets[0]);
    assert!(matches!(
        store.create_sla_policy(twice, t(0)).await,
        Err(StoreError::Rule(DomainError::TargetTwice(SlaTarget::FirstResponse)))
    ));
    let weak = SlaPolicy {
        webhook: Some(Webhook {
            url: "http://127.0.0.1:9/hook".into(),
            secret: "short".into(),
        }),
        ..policy()
    };
    assert!(matches!(
        store.create_sla_policy(weak, t(0)).await,
        Err(StoreError::Rule(DomainError::WebhookSecret { .. }))
    ));
    assert!(store.sla_policies().await.unwrap().is_empty());

    // An update is checked before the policy is looked up.
    let missing = SlaPolicy {
        warning_percent: 0,
        ..policy()
    };
    assert!(matches!(
        store.update_sla_policy(missing, t(1)).await,
        Err(StoreError::Rule(DomainError::WarningPercent))
    ));
    let stored = store.create_sla_policy(policy(), t(2)).await.unwrap();
    let zero = SlaPolicy {
        targets: vec![TargetSpec {
            minutes: 0,
            ..stored.targets[0]
        }],
        ..stored.clone()
    };
    assert!(matches!(
        store.update_sla_policy(zero, t(3)).await,
        Err(StoreError::Rule(DomainError::TargetMinutes { .. }))
    ));
    assert_eq!(store.sla_policies().await.unwrap(), vec![stored]);
}

helpdesk_persistence::each_store!(a_policy_breaking_the_rules_is_not_stored);
