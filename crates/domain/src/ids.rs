//! Typed identifiers, so a ticket id can never be passed where an agent id is
//! expected. All are UUIDv7: unique without coordination between servers, and
//! time-ordered, which keeps primary-key indexes append-mostly.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// A new id ordered as if made at `instant`: for what is
            /// recorded now but happened then (imported history), so that
            /// ids keep the order of events.
            pub fn made_at(instant: chrono::DateTime<chrono::Utc>) -> Self {
                let seconds = u64::try_from(instant.timestamp()).unwrap_or(0);
                let timestamp = uuid::Timestamp::from_unix(uuid::NoContext, seconds, instant.timestamp_subsec_nanos());
                Self(Uuid::new_v7(timestamp))
            }

            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }
    };
}

id_type!(
    /// A ticket.
    TicketId
);
id_type!(
    /// A message (public reply or internal note) on a ticket.
    MessageId
);
id_type!(
    /// A customer, whatever channels they write by.
    CustomerId
);
id_type!(
    /// An agent or admin account.
    AgentId
);
id_type!(
    /// A team of agents.
    TeamId
);
id_type!(
    /// An SLA policy.
    SlaPolicyId
);
id_type!(
    /// An inbound mail held out of the queue for review.
    HeldMailId
);
id_type!(
    /// A file that came with a message.
    AttachmentId
);
id_type!(
    /// One survey invitation sent (or due) to a customer.
    SurveyInvitationId
);
id_type!(
    /// An admin's subscription of a URL to kinds of ticket events.
    WebhookSubscriptionId
);
id_type!(
    /// A macro: a saved set of actions an agent applies to a ticket.
    MacroId
);
id_type!(
    /// An admin's rule: when an event happens to a ticket like that, do this.
    RuleId
);
id_type!(
    /// One running server process (a `helpdesk serve`), named afresh at each
    /// start: whose change announcements and chat visitors are whose when
    /// several servers share a database.
    ServerId
);
