use crate::macros::named_enum;

named_enum! {
    /// What a policy promises.
    SlaTarget as "SLA target" {
        /// Customer-created tickets: from creation to the first public agent message.
        FirstResponse => "FIRST_RESPONSE",
        /// From each customer message that follows an agent reply to the next public agent message.
        NextReply => "NEXT_REPLY",
        /// From creation to the first solve; time in PENDING does not count.
        Resolution => "RESOLUTION",
    }
}

named_enum! {
    /// Which seconds a target's minutes count.
    Clock as "clock" {
        /// Every second.
        Calendar => "CALENDAR",
        /// Only seconds inside the business calendar.
        Business => "BUSINESS",
    }
}

named_enum! {
    /// Where a target stands.
    TargetState as "SLA state" {
        Running => "RUNNING",
        /// RESOLUTION while the ticket is PENDING: no deadline.
        Paused => "PAUSED",
        /// Running, inside its warning window.
        Warning => "WARNING",
        Achieved => "ACHIEVED",
        Breached => "BREACHED",
    }
}

/// One promise of a policy: `target` within `minutes` of `clock` time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TargetSpec {
    pub target: SlaTarget,
    pub minutes: u32,
    pub clock: Clock,
}

impl TargetSpec {
    pub fn seconds(&self) -> i64 {
        i64::from(self.minutes) * 60
    }
}
