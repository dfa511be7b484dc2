use std::collections::BTreeSet;

use super::target::{SlaTarget, TargetSpec};
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

    pub fn matches(&self, priority: Priority, channel: Channel, tags: &BTreeSet<Tag>) -> bool {
        (self.priorities.is_empty() || self.priorities.contains(&priority))
            && (self.channels.is_empty() || self.channels.contains(&channel))
            && (self.tags.is_empty() || !self.tags.is_disjoint(tags))
    }

    pub fn spec(&self, target: SlaTarget) -> Option<TargetSpec> {
        self.targets.iter().copied().find(|t| t.target == target)
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
