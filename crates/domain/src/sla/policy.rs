use std::collections::BTreeSet;

use super::target::{SlaTarget, TargetSpec};
use crate::DomainError;
use crate::calendar::BusinessCalendar;
use crate::ids::SlaPolicyId;
use crate::tag::Tag;
use crate::ticket::{Channel, Priority};

/// A promise the desk makes for the tickets it matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaPolicy {
    pub id: SlaPolicyId,
    pub name: String,
    /// Lower matches first.
    pub position: i32,
    /// Each condition matches any of its values; an empty one matches all.
    pub priorities: Vec<Priority>,
    pub channels: Vec<Channel>,
    pub tags: BTreeSet<Tag>,
    pub targets: Vec<TargetSpec>,
    /// Percent of a target's time left at which it warns (default 20).
    pub warning_percent: u8,
    /// Where its warnings and breaches are posted, if anywhere.
    pub webhook: Option<Webhook>,
    /// Its own business calendar for BUSINESS targets; the desk's when `None`.
    pub calendar: Option<BusinessCalendar>,
}

/// A URL that receives SLA events as JSON, signed with HMAC-SHA256 of the
/// body under `secret`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub url: String,
    pub secret: String,
}

impl SlaPolicy {
    pub const DEFAULT_WARNING_PERCENT: u8 = 20;
    /// The longest target: a year. Longer is a typo, not a promise.
    pub const MAX_TARGET_MINUTES: u32 = 525_600;
    /// Shorter secrets make the webhook's signature guessable.
    pub const MIN_WEBHOOK_SECRET: usize = 16;

    /// What every stored policy satisfies; the store checks it on each write,
    /// whoever writes. The checks run in the order an admin's input is read:
    /// targets, warning percent, webhook.
    pub fn check(&self) -> Result<(), DomainError> {
        check_targets(&self.targets)?;
        check_warning_percent(self.warning_percent)?;
        if let Some(webhook) = &self.webhook {
            check_webhook_secret("webhookSecret", &webhook.secret)?;
        }
        Ok(())
    }

    pub fn matches(&self, priority: Priority, channel: Channel, tags: &BTreeSet<Tag>) -> bool {
        (self.priorities.is_empty() || self.priorities.contains(&priority))
            && (self.channels.is_empty() || self.channels.contains(&channel))
            && (self.tags.is_empty() || !self.tags.is_disjoint(tags))
    }

    pub fn spec(&self, target: SlaTarget) -> Option<TargetSpec> {
        self.targets.iter().copied().find(|t| t.target == target)
    }
}

/// Each target is a positive number of minutes up to a year, and names its
/// kind once: two FIRST_RESPONSE promises would leave the due time ambiguous.
pub fn check_targets(targets: &[TargetSpec]) -> Result<(), DomainError> {
    for (i, spec) in targets.iter().enumerate() {
        if !(1..=SlaPolicy::MAX_TARGET_MINUTES).contains(&spec.minutes) {
            return Err(DomainError::TargetMinutes {
                max: SlaPolicy::MAX_TARGET_MINUTES,
            });
        }
        if targets[..i].iter().any(|earlier| earlier.target == spec.target) {
            return Err(DomainError::TargetTwice(spec.target));
        }
    }
    Ok(())
}

/// A warning at 0% would come with the breach, and one at 100% at the start.
pub fn check_warning_percent(percent: u8) -> Result<(), DomainError> {
    if (1..=99).contains(&percent) {
        Ok(())
    } else {
        Err(DomainError::WarningPercent)
    }
}

/// A webhook's events are signed with its secret, so it must have one long
/// enough (in bytes) not to be guessed.
pub fn check_webhook_secret(field: &'static str, secret: &str) -> Result<(), DomainError> {
    if secret.len() >= SlaPolicy::MIN_WEBHOOK_SECRET {
        Ok(())
    } else {
        Err(DomainError::WebhookSecret {
            field,
            min: SlaPolicy::MIN_WEBHOOK_SECRET,
        })
    }
}

/// The first policy, by position (then name, for a stable order), that
/// matches the ticket.
pub fn select_policy<'a>(
    policies: &'a [SlaPolicy],
    priority: Priority,
    channel: Channel,
    tags: &BTreeSet<Tag>,
) -> Option<&'a SlaPolicy> {
    policies
        .iter()
        .filter(|p| p.matches(priority, channel, tags))
        .min_by(|a, b| (a.position, &a.name, a.id).cmp(&(b.position, &b.name, b.id)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::Clock;
    use crate::tag::parse_tags;

    fn policy(name: &str, position: i32, priorities: Vec<Priority>, tags: &[&str]) -> SlaPolicy {
        SlaPolicy {
            id: SlaPolicyId::new(),
            name: name.into(),
            position,
            priorities,
            channels: vec![],
            tags: parse_tags(tags).unwrap(),
            targets: vec![TargetSpec {
                target: SlaTarget::FirstResponse,
                minutes: 60,
                clock: Clock::Calendar,
            }],
            warning_percent: 20,
            webhook: None,
            calendar: None,
        }
    }

    #[test]
    fn a_policy_promises_each_target_once_within_a_year() {
        let mut p = policy("p", 0, vec![], &[]);
        assert_eq!(p.check(), Ok(()));
        p.targets[0].minutes = 0;
        assert_eq!(p.check(), Err(DomainError::TargetMinutes { max: 525_600 }));
        p.targets[0].minutes = SlaPolicy::MAX_TARGET_MINUTES + 1;
        assert_eq!(
            p.check().map_err(|e| e.to_string()),
            Err("minutes must be between 1 and 525600".into())
        );
        p.targets[0].minutes = SlaPolicy::MAX_TARGET_MINUTES;
        p.targets.push(p.targets[0]);
        assert_eq!(
            p.check().map_err(|e| e.to_string()),
            Err("target FIRST_RESPONSE is given twice".into())
        );
        // The first fault in input order is the one reported.
        p.targets[1].minutes = 0;
        assert_eq!(p.check(), Err(DomainError::TargetMinutes { max: 525_600 }));
    }

    #[test]
    fn warnings_come_between_start_and_breach() {
        let mut p = policy("p", 0, vec![], &[]);
        for bad in [0, 100, 255] {
            p.warning_percent = bad;
            assert_eq!(
                p.check().map_err(|e| e.to_string()),
                Err("warningPercent must be between 1 and 99".into()),
                "{bad}"
            );
        }
        p.warning_percent = 99;
        assert_eq!(p.check(), Ok(()));
    }

    #[test]
    fn a_webhook_needs_a_secret_of_sixteen_bytes() {
        let mut p = policy("p", 0, vec![], &[]);
        p.webhook = Some(Webhook {
            url: "https://hooks.example/sla".into(),
            secret: "0123456789abcde".into(),
        });
        assert_eq!(
            p.check().map_err(|e| e.to_string()),
            Err("webhookSecret of at least 16 characters is required".into())
        );
        p.webhook = Some(Webhook {
            url: "https://hooks.example/sla".into(),
            secret: "0123456789abcdef".into(),
        });
        assert_eq!(p.check(), Ok(()));
    }

    #[test]
    fn the_first_matching_policy_by_position_wins() {
        let policies = vec![
            policy("catch-all", 10, vec![], &[]),
            policy("urgent", 1, vec![Priority::Urgent], &[]),
            policy("vip", 2, vec![], &["vip"]),
        ];
        let none = BTreeSet::new();
        let vip = parse_tags(&["vip"]).unwrap();
        assert_eq!(
            select_policy(&policies, Priority::Urgent, Channel::Email, &vip)
                .unwrap()
                .name,
            "urgent"
        );
        assert_eq!(
            select_policy(&policies, Priority::Low, Channel::Email, &vip)
                .unwrap()
                .name,
            "vip"
        );
        assert_eq!(
            select_policy(&policies, Priority::Low, Channel::Chat, &none)
                .unwrap()
                .name,
            "catch-all"
        );
        assert!(select_policy(&policies[1..], Priority::Low, Channel::Chat, &none).is_none());
    }
}
