//! Batching: however many tickets a page shows, their customers (and those
//! customers' channel counts), assignees, teams, tags and messages each cost
//! one query.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use helpdesk_domain::ids::{AgentId, CustomerId, MessageId, TeamId, TicketId};
use helpdesk_domain::tag::Tag;
use helpdesk_domain::ticket::Channel;
use helpdesk_persistence::agents::AgentRecord;
use helpdesk_persistence::outbox::OutboxRecord;
use helpdesk_persistence::sla::SlaTargetRecord;
use helpdesk_persistence::teams::TeamRecord;
use helpdesk_persistence::tickets::{AttachmentRecord, MessageRecord, ScopedStore, TicketRecord};
use helpdesk_persistence::{CustomerRecord, Store};

use crate::ApiError;

pub struct StoreLoader {
    store: Store,
    /// Tickets by id (merge targets, follow-ups) within the caller's reach.
    tickets: ScopedStore,
}

impl StoreLoader {
    pub(crate) fn new(store: Store, tickets: ScopedStore) -> Self {
        Self { store, tickets }
    }
}

/// Keys for "the tags of this ticket" and "the messages of this ticket".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TagsOf(pub TicketId);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct MessagesOf(pub TicketId);
/// Key for "the mail that carries this message".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct DeliveryOf(pub MessageId);
/// Key for "the SLA targets of this ticket".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct SlaTargetsOf(pub TicketId);

impl Loader<SlaTargetsOf> for StoreLoader {
    type Value = Arc<Vec<SlaTargetRecord>>;
    type Error = ApiError;

    async fn load(&self, keys: &[SlaTargetsOf]) -> Result<HashMap<SlaTargetsOf, Arc<Vec<SlaTargetRecord>>>, ApiError> {
        let ids: Vec<TicketId> = keys.iter().map(|k| k.0).collect();
        let mut grouped: HashMap<SlaTargetsOf, Vec<SlaTargetRecord>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for t in self.store.sla_targets_of(&ids).await? {
            grouped.entry(SlaTargetsOf(t.ticket_id)).or_default().push(t);
        }
        Ok(grouped.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}

/// Key for "this customer's tickets per channel".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ChannelsOf(pub CustomerId);

/// One channel a customer wrote on: how many tickets (merged ones left out)
/// and when the latest was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CustomerChannel {
    pub channel: Channel,
    pub tickets: u64,
    pub latest: DateTime<Utc>,
}

impl Loader<ChannelsOf> for StoreLoader {
    type Value = Arc<Vec<CustomerChannel>>;
    type Error = ApiError;

    async fn load(&self, keys: &[ChannelsOf]) -> Result<HashMap<ChannelsOf, Arc<Vec<CustomerChannel>>>, ApiError> {
        let ids: Vec<CustomerId> = keys.iter().map(|k| k.0).collect();
        let mut grouped: HashMap<ChannelsOf, Vec<CustomerChannel>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for (customer, channel, tickets, latest) in self.store.channel_counts_of(&ids).await? {
            grouped.entry(ChannelsOf(customer)).or_default().push(CustomerChannel {
                channel,
                tickets,
                latest,
            });
        }
        Ok(grouped.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}

/// Key for "the attachments of this message".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct AttachmentsOf(pub MessageId);

impl Loader<DeliveryOf> for StoreLoader {
    type Value = OutboxRecord;
    type Error = ApiError;

    async fn load(&self, keys: &[DeliveryOf]) -> Result<HashMap<DeliveryOf, OutboxRecord>, ApiError> {
        let ids: Vec<MessageId> = keys.iter().map(|k| k.0).collect();
        let rows = self.store.mail_of_messages(&ids).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| Some((DeliveryOf(r.message_id?), r)))
            .collect())
    }
}

impl Loader<AttachmentsOf> for StoreLoader {
    type Value = Arc<Vec<AttachmentRecord>>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[AttachmentsOf],
    ) -> Result<HashMap<AttachmentsOf, Arc<Vec<AttachmentRecord>>>, ApiError> {
        let ids: Vec<MessageId> = keys.iter().map(|k| k.0).collect();
        let mut grouped: HashMap<AttachmentsOf, Vec<AttachmentRecord>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for a in self.store.attachments_of(&ids).await? {
            grouped.entry(AttachmentsOf(a.message_id)).or_default().push(a);
        }
        Ok(grouped.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}

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
            .tickets
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
