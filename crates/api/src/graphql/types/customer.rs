use async_graphql::{ID, Object};
use chrono::{DateTime, Utc};
use helpdesk_persistence::CustomerRecord;

/// A person who writes to the desk, by any channel.
pub(crate) struct Customer(pub CustomerRecord);

#[Object]
impl Customer {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }

    async fn email(&self) -> Option<&str> {
        self.0.email.as_ref().map(|e| e.as_str())
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
