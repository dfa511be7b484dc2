//! Live chat sessions: which ticket a visitor's token speaks for.

use chrono::{DateTime, Utc};
use helpdesk_domain::ids::{CustomerId, TicketId};
use helpdesk_domain::ticket::Actor;
use helpdesk_domain::time::to_micros;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};

use crate::entity::chat_session;
use crate::tickets::{CustomerOf, NewTicket, TicketRecord, insert_ticket};
use crate::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatSession {
    pub ticket_id: TicketId,
    pub customer_id: CustomerId,
}

impl Store {
    /// Opens a chat: its CHAT ticket, for a new unverified contact that
    /// claims `new.customer_email` (never the address's existing customer,
    /// see `chat_identity`), and the session `token_hash` stands for, in one
    /// transaction.
    pub async fn open_chat(
        &self,
        new: NewTicket,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<TicketRecord, StoreError> {
        let txn = self.write().await?;
        let model = insert_ticket(&txn, new, CustomerOf::Claim, None, Actor::System, at).await?;
        chat_session::ActiveModel {
            token_hash: Set(token_hash.to_owned()),
            ticket_id: Set(model.id),
            customer_id: Set(model.customer_id),
            created_at: Set(to_micros(at)),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        let ticket: TicketRecord = model.try_into()?;
        self.announce(ticket.id);
        Ok(ticket)
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
