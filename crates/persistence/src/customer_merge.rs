//! One person, two customers (two addresses, or a chat contact and a mail
//! sender): merging moves everything of one into the other.
//!
//! The source's identities, tickets, messages, chat sessions and survey
//! invitations become the target's, in one transaction; each moved
//! ticket's history says so (`CUSTOMER_MERGED`). The source stays, marked
//! as merged into the target, so its id in older events and links still
//! names someone: it leaves the directory and owns nothing any more.

use chrono::{DateTime, Utc};
use helpdesk_domain::customer::check_customer_merge;
use helpdesk_domain::ids::{CustomerId, TicketId};
use helpdesk_domain::ticket::{Actor, EventKind, TicketEvent};
use helpdesk_domain::time::to_micros;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entity::{chat_session, chat_verification, customer, customer_identity, message, survey_invitation, ticket};
use crate::search_index::{self, Documents};
use crate::tickets::{history, lock};
use crate::{CustomerRecord, Store, StoreError};

impl Store {
    /// Merges `source` into `target` (see the module's doc) and returns the
    /// target as it is now and the tickets that moved.
    pub async fn merge_customers(
        &self,
        source: CustomerId,
        target: CustomerId,
        actor: Actor,
        at: DateTime<Utc>,
    ) -> Result<(CustomerRecord, Vec<TicketId>), StoreError> {
        let at = to_micros(at);
        let txn = self.write().await?;
        let find = |id: CustomerId| customer::Entity::find_by_id(id.as_uuid()).one(&txn);
        let from = find(source).await?.ok_or_else(|| StoreError::not_found("customer"))?;
        let to = find(target).await?.ok_or_else(|| StoreError::not_found("customer"))?;
        check_customer_merge(
            source,
            target,
            from.merged_into_id.is_some(),
            to.merged_into_id.is_some(),
        )?;

        customer_identity::Entity::update_many()
            .col_expr(customer_identity::Column::CustomerId, Expr::value(target.as_uuid()))
            .filter(customer_identity::Column::CustomerId.eq(source.as_uuid()))
            .exec(&txn)
            .await?;
        let tickets = ticket::Entity::find()
            .filter(ticket::Column::CustomerId.eq(source.as_uuid()))
            .order_by_asc(ticket::Column::Id)
            .all(&txn)
            .await?;
        let mut moved = Vec::with_capacity(tickets.len());
        for row in tickets {
            let id = TicketId::from_uuid(row.id);
            let locked = lock::lock_ticket(&txn, id).await?;
            let created = locked.created_at;
            let mut change: ticket::ActiveModel = locked.into();
            change.customer_id = Set(target.as_uuid());
            change.updated_at = Set(at);
            change.update(&txn).await?;
            let event = TicketEvent {
                at,
                actor,
                kind: EventKind::CustomerMerged {
                    from: source,
                    to: target,
                },
            };
            history::append(&txn, id, &[event]).await?;
            history::refresh_derived(&txn, id, created, at).await?;
            moved.push(id);
        }
        message::Entity::update_many()
            .col_expr(message::Column::CustomerId, Expr::value(target.as_uuid()))
            .filter(message::Column::CustomerId.eq(source.as_uuid()))
            .exec(&txn)
            .await?;
        chat_session::Entity::update_many()
            .col_expr(chat_session::Column::CustomerId, Expr::value(target.as_uuid()))
            .filter(chat_session::Column::CustomerId.eq(source.as_uuid()))
            .exec(&txn)
            .await?;
        survey_invitation::Entity::update_many()
            .col_expr(survey_invitation::Column::CustomerId, Expr::value(target.as_uuid()))
            .filter(survey_invitation::Column::CustomerId.eq(source.as_uuid()))
            .exec(&txn)
            .await?;
        // A code mailed to prove the source's claim proves nothing now.
        chat_verification::Entity::delete_by_id(source.as_uuid())
            .exec(&txn)
            .await?;

        let (from_name, from_verified) = (from.name.clone(), from.verified);
        let mut gone: customer::ActiveModel = from.into();
        gone.merged_into_id = Set(Some(target.as_uuid()));
        gone.merged_at = Set(Some(at));
        gone.update(&txn).await?;
        // The target keeps its name, or takes the source's if it had none;
        // it is verified if either was (it holds the proved identities).
        let mut kept: customer::ActiveModel = to.clone().into();
        kept.name = Set(to.name.or(from_name));
        kept.verified = Set(to.verified || from_verified);
        kept.update(&txn).await?;
        // Every ticket of the target now answers to both names and all the
        // addresses.
        search_index::rewrite(&txn, Documents::OfCustomers(&[target.as_uuid()])).await?;
        txn.commit().await?;
        for id in &moved {
            self.announce(*id);
        }
        let record = self
            .customers_by_ids(&[target])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::not_found("customer"))?;
        Ok((record, moved))
    }

    /// Renames a customer (`None` clears the name).
    pub async fn rename_customer(&self, id: CustomerId, name: Option<String>) -> Result<CustomerRecord, StoreError> {
        let txn = self.write().await?;
        let row = customer::Entity::find_by_id(id.as_uuid())
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::not_found("customer"))?;
        let mut change: customer::ActiveModel = row.into();
        change.name = Set(name);
        change.update(&txn).await?;
        search_index::rewrite(&txn, Documents::OfCustomers(&[id.as_uuid()])).await?;
        txn.commit().await?;
        self.customers_by_ids(&[id])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::not_found("customer"))
    }
}
