//! Batching: however many tickets a page shows, their customers, assignees,
//! teams, tags and messages each cost one query.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use helpdesk_domain::ids::{AgentId, CustomerId, TeamId, TicketId};
use helpdesk_domain::tag::Tag;
use helpdesk_persistence::agents::AgentRecord;
use helpdesk_persistence::teams::TeamRecord;
use helpdesk_persistence::tickets::{MessageRecord, TicketRecord};
use helpdesk_persistence::{CustomerRecord, Store};

use crate::ApiError;

pub struct StoreLoader {
    store: Store,
}

impl StoreLoader {
    pub(crate) fn new(store: Store) -> Self {
        Self { store }
    }
}

/// Keys for "the tags of this ticket" and "the messages of this ticket".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TagsOf(pub TicketId);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct MessagesOf(pub TicketId);

impl Loader<CustomerId> for StoreLoader {
    type Value = CustomerRecord;
    type Error = ApiError;

    async fn load(&self, keys: &[CustomerId]) -> Result<HashMap<CustomerId, CustomerRecord>, ApiError> {
        Ok(self
            .store
            .customers_by_ids(keys)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect())
    }
}

impl Loader<AgentId> for StoreLoader {
    type Value = AgentRecord;
    type Error = ApiError;

    async fn load(&self, keys: &[AgentId]) -> Result<HashMap<AgentId, AgentRecord>, ApiError> {
        Ok(self
            .store
            .agents_by_ids(keys)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect())
    }
}

impl Loader<TeamId> for StoreLoader {
    type Value = TeamRecord;
    type Error = ApiError;

    async fn load(&self, keys: &[TeamId]) -> Result<HashMap<TeamId, TeamRecord>, ApiError> {
        Ok(self
            .store
            .teams_by_ids(keys)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect())
    }
}

impl Loader<TicketId> for StoreLoader {
    type Value = TicketRecord;
    type Error = ApiError;

    async fn load(&self, keys: &[TicketId]) -> Result<HashMap<TicketId, TicketRecord>, ApiError> {
        Ok(self
            .store
            .tickets_by_ids(keys)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect())
    }
}

impl Loader<TagsOf> for StoreLoader {
    type Value = Arc<Vec<Tag>>;
    type Error = ApiError;

    async fn load(&self, keys: &[TagsOf]) -> Result<HashMap<TagsOf, Arc<Vec<Tag>>>, ApiError> {
        let ids: Vec<TicketId> = keys.iter().map(|k| k.0).collect();
        let mut grouped: HashMap<TagsOf, Vec<Tag>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for (ticket, tag) in self.store.tags_of(&ids).await? {
            grouped.entry(TagsOf(ticket)).or_default().push(tag);
        }
        Ok(grouped.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}

impl Loader<MessagesOf> for StoreLoader {
    type Value = Arc<Vec<MessageRecord>>;
    type Error = ApiError;

    async fn load(&self, keys: &[MessagesOf]) -> Result<HashMap<MessagesOf, Arc<Vec<MessageRecord>>>, ApiError> {
        let ids: Vec<TicketId> = keys.iter().map(|k| k.0).collect();
        let mut grouped: HashMap<MessagesOf, Vec<MessageRecord>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for message in self.store.messages_of(&ids).await? {
            grouped.entry(MessagesOf(message.ticket_id)).or_default().push(message);
        }
        Ok(grouped.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}
