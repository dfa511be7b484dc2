//! A chat visitor's claimed address, and proving it.
//!
//! A chat opens its own unverified contact (see `customers`): nothing of the
//! address's real customer is reachable from it. The claim is proved by a
//! one-time code mailed to the address, or by an agent who confirms it; then
//! the contact's tickets move to the address's customer, each recording a
//! `CUSTOMER_VERIFIED` event. The code's rules are the domain's
//! (`chat_verification`); this file applies them in the transactions that
//! read and write the code, so concurrent guesses cannot outrun them.

use chrono::{DateTime, Utc};
use helpdesk_domain::DomainError;
use helpdesk_domain::access::TicketAccess;
use helpdesk_domain::chat_verification::{Guess, PendingCode};
use helpdesk_domain::email::EmailAddress;
use helpdesk_domain::ids::{CustomerId, TicketId};
use helpdesk_domain::ticket::{Actor, EventKind, TicketEvent};
use helpdesk_domain::time::to_micros;
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};

use crate::entity::{chat_session, chat_verification, customer, message, ticket};
use crate::error::parse_column;
use crate::outbox::{NewOutboxMail, outbox_row};
use crate::tickets::{TicketRecord, history, lock};
use crate::{Store, StoreError, customers};

impl Store {
    /// Records a fresh code (its hash) for the unverified `contact` and
    /// queues `mail` (which carries the code to the claimed address) in the
    /// same transaction: a code that was never mailed is never live.
    /// Refused when the contact is verified already or has had its codes.
    pub async fn issue_chat_code(
        &self,
        contact: CustomerId,
        ticket: TicketId,
        code_hash: String,
        mail: NewOutboxMail,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at = to_micros(at);
        let txn = self.write().await?;
        unverified_contact(&txn, contact).await?;
        let previous = pending_code(&txn, contact).await?;
        let code = PendingCode::issue(code_hash, at, previous.as_ref())?;
        let row = chat_verification::ActiveModel {
            customer_id: Set(contact.as_uuid()),
            code_hash: Set(code.code_hash),
            expires_at: Set(code.expires_at),
            attempts_left: Set(count(code.attempts_left)),
            codes_sent: Set(count(code.codes_sent)),
            created_at: Set(at),
        };
        if previous.is_some() {
            row.update(&txn).await?;
        } else {
            row.insert(&txn).await?;
        }
        crate::entity::outbox::Entity::insert(outbox_row(mail, ticket, None, at))
            .exec_without_returning(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Judges the visitor's guess (its hash) at the code of `contact`. A
    /// wrong guess costs an attempt (recorded before the refusal is
    /// returned); the right one proves the claim: the contact's tickets move
    /// to the address's customer. Returns that customer.
    pub async fn verify_chat_code(
        &self,
        contact: CustomerId,
        guess_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<CustomerId, StoreError> {
        let at = to_micros(at);
        let txn = self.write().await?;
        let row = unverified_contact(&txn, contact).await?;
        let code = pending_code(&txn, contact)
            .await?
            .ok_or(DomainError::NoVerificationCode)?;
        match code.guess(guess_hash, at)? {
            Guess::Wrong { attempts_left } => {
                chat_verification::Entity::update_many()
                    .col_expr(
                        chat_verification::Column::AttemptsLeft,
                        Expr::value(count(attempts_left)),
                    )
                    .filter(chat_verification::Column::CustomerId.eq(contact.as_uuid()))
                    .exec(&txn)
                    .await?;
                txn.commit().await?;
                Err(DomainError::WrongVerificationCode { attempts_left }.into())
            }
            Guess::Verified => {
                let (customer, moved) = move_to_address(&txn, row, Actor::Customer(contact), at).await?;
                txn.commit().await?;
                moved.into_iter().for_each(|t| self.announce(t));
                Ok(customer)
            }
        }
    }

    /// An agent vouches for the address of `ticket`'s unverified contact
    /// (the ticket must be within `access`): the contact's tickets move to
    /// the address's customer. Returns the ticket as it is now.
    pub(crate) async fn confirm_chat_identity_within(
        &self,
        ticket_id: TicketId,
        actor: Actor,
        at: DateTime<Utc>,
        access: &TicketAccess,
    ) -> Result<TicketRecord, StoreError> {
        let at = to_micros(at);
        let txn = self.write().await?;
        let ticket = lock::lock_ticket_within(&txn, ticket_id, access).await?;
        let row = unverified_contact(&txn, CustomerId::from_uuid(ticket.customer_id)).await?;
        let (_, moved) = move_to_address(&txn, row, actor, at).await?;
        let now = ticket::Entity::find_by_id(ticket_id.as_uuid())
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::not_found("ticket"))?;
        txn.commit().await?;
        moved.into_iter().for_each(|t| self.announce(t));
        now.try_into()
    }
}

/// The contact's row, if it is still unverified; a verified customer has
/// nothing to prove.
async fn unverified_contact(txn: &DatabaseTransaction, contact: CustomerId) -> Result<customer::Model, StoreError> {
    let row = customer::Entity::find_by_id(contact.as_uuid())
        .one(txn)
        .await?
        .ok_or_else(|| StoreError::not_found("customer"))?;
    if row.verified || row.claimed_email.is_none() {
        return Err(DomainError::ContactVerified.into());
    }
    Ok(row)
}

/// The contact's code, locked on PostgreSQL so concurrent guesses take
/// their turns (SQLite's IMMEDIATE transactions already do).
async fn pending_code(txn: &DatabaseTransaction, contact: CustomerId) -> Result<Option<PendingCode>, StoreError> {
    let mut select = chat_verification::Entity::find_by_id(contact.as_uuid());
    if txn.get_database_backend() == DbBackend::Postgres {
        select = select.lock_exclusive();
    }
    Ok(select.one(txn).await?.map(|row| PendingCode {
        code_hash: row.code_hash,
        expires_at: row.expires_at,
        attempts_left: u32::try_from(row.attempts_left).unwrap_or(0),
        codes_sent: u32::try_from(row.codes_sent).unwrap_or(0),
    }))
}

/// The claim is proved: every ticket of the unverified contact, its
/// messages and its chat sessions move to the customer who owns the claimed
/// address (created if none), each ticket's history saying so. Returns that
/// customer and the moved tickets.
async fn move_to_address(
    txn: &DatabaseTransaction,
    contact: customer::Model,
    actor: Actor,
    at: DateTime<Utc>,
) -> Result<(CustomerId, Vec<TicketId>), StoreError> {
    let from = CustomerId::from_uuid(contact.id);
    let claimed: EmailAddress = parse_column(
        "customers.claimed_email",
        contact.claimed_email.as_deref().unwrap_or(""),
    )?;
    let to = customers::find_or_create_by_email(txn, &claimed, contact.name.as_deref(), at).await?;
    let tickets = ticket::Entity::find()
        .filter(ticket::Column::CustomerId.eq(contact.id))
        .order_by_asc(ticket::Column::Id)
        .all(txn)
        .await?;
    let mut moved = Vec::with_capacity(tickets.len());
    for row in tickets {
        let id = TicketId::from_uuid(row.id);
        let locked = lock::lock_ticket(txn, id).await?;
        let created = locked.created_at;
        let mut change: ticket::ActiveModel = locked.into();
        change.customer_id = Set(to.as_uuid());
        change.updated_at = Set(at);
        change.update(txn).await?;
        let event = TicketEvent {
            at,
            actor,
            kind: EventKind::CustomerVerified { from, to },
        };
        history::append(txn, id, &[event]).await?;
        history::refresh_derived(txn, id, created, at).await?;
        moved.push(id);
    }
    message::Entity::update_many()
        .col_expr(message::Column::CustomerId, Expr::value(to.as_uuid()))
        .filter(message::Column::CustomerId.eq(contact.id))
        .exec(txn)
        .await?;
    chat_session::Entity::update_many()
        .col_expr(chat_session::Column::CustomerId, Expr::value(to.as_uuid()))
        .filter(chat_session::Column::CustomerId.eq(contact.id))
        .exec(txn)
        .await?;
    chat_verification::Entity::delete_by_id(contact.id).exec(txn).await?;
    Ok((to, moved))
}

fn count(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}
