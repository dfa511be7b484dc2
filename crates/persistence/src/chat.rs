//! Live chat sessions: which ticket a visitor's token speaks for.

use chrono::{DateTime, Utc};
use helpdesk_domain::ids::{CustomerId, TicketId};
use helpdesk_domain::time::to_micros;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

use crate::entity::chat_session;
use crate::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatSession {
    pub ticket_id: TicketId,
    pub customer_id: CustomerId,
}

impl Store {
    /// Records a session; `token_hash` is a one-way hash of the visitor's token.
    pub async fn create_chat_session(
        &self,
        token_hash: &str,
        session: ChatSession,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        chat_session::ActiveModel {
            token_hash: Set(token_hash.to_owned()),
            ticket_id: Set(session.ticket_id.as_uuid()),
            customer_id: Set(session.customer_id.as_uuid()),
            created_at: Set(to_micros(at)),
        }
        .insert(self.db())
        .await?;
        Ok(())
    }

    pub async fn chat_session(&self, token_hash: &str) -> Result<Option<ChatSession>, StoreError> {
        Ok(chat_session::Entity::find_by_id(token_hash.to_owned())
            .one(self.db())
            .await?
            .map(|s| ChatSession {
                ticket_id: TicketId::from_uuid(s.ticket_id),
                customer_id: CustomerId::from_uuid(s.customer_id),
            }))
    }
}
