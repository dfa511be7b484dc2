//! Where an invitation stands.

use chrono::{DateTime, Utc};

use crate::macros::named_enum;

named_enum! {
    /// The life of one survey invitation. QUEUED and CANCELLED are the
    /// desk's own; a customer only ever has SENT, ANSWERED or EXPIRED ones.
    InvitationState as "invitation state" {
        /// Waiting for its due instant; no token exists yet.
        Queued => "QUEUED",
        /// Mailed or shown in the chat; its link works until it expires.
        Sent => "SENT",
        /// Answered at least once; a later answer before expiry replaces it.
        Answered => "ANSWERED",
        /// Sent, never answered, and its link has run out.
        Expired => "EXPIRED",
        /// Dropped before it was sent (the ticket was reopened or merged).
        Cancelled => "CANCELLED",
    }
}

impl InvitationState {
    /// The state as of `now`: a SENT invitation whose link ran out is EXPIRED.
    /// Stored rows are not rewritten when that happens; it is a question of time.
    pub fn at(self, now: DateTime<Utc>, expires_at: Option<DateTime<Utc>>) -> Self {
        match (self, expires_at) {
            (InvitationState::Sent, Some(expiry)) if expiry <= now => InvitationState::Expired,
            (state, _) => state,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    #[test]
    fn a_sent_invitation_expires_with_its_link_and_an_answered_one_stays_answered() {
        let now = Utc::now();
        let past = Some(now - TimeDelta::seconds(1));
        assert_eq!(InvitationState::Sent.at(now, past), InvitationState::Expired);
        assert_eq!(
            InvitationState::Sent.at(now, Some(now + TimeDelta::days(1))),
            InvitationState::Sent
        );
        assert_eq!(InvitationState::Answered.at(now, past), InvitationState::Answered);
    }
}
