//! Inbound mail held for review: accepted, kept once per Message-ID, listed
//! for admins, and taken out when released into a ticket or deleted.

use chrono::{DateTime, Utc};
use helpdesk_domain::held_mail::HeldMailReason;
use helpdesk_domain::ids::HeldMailId;
use helpdesk_domain::time::to_micros;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entity::held_mail;
use crate::error::parse_column;
use crate::{Store, StoreError};

/// A mail to hold, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHeldMail {
    pub rfc_message_id: String,
    pub reason: HeldMailReason,
    /// The From address as the mail gave it.
    pub sender: String,
    pub subject: String,
    pub raw: Vec<u8>,
}

/// A held mail, without its raw message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldMailRecord {
    pub id: HeldMailId,
    pub rfc_message_id: String,
    pub reason: HeldMailReason,
    pub sender: String,
    pub subject: String,
    /// Size of the raw message in bytes.
    pub size: u64,
    pub received_at: DateTime<Utc>,
}

/// What holding a mail did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub record: HeldMailRecord,
    /// The Message-ID was held already; nothing new was stored.
    pub duplicate: bool,
}

/// The columns of a listing (everything but the raw message).
type Row = (uuid::Uuid, String, String, String, String, i64, DateTime<Utc>);

fn record((id, rfc_message_id, reason, sender, subject, size, received_at): Row) -> Result<HeldMailRecord, StoreError> {
    Ok(HeldMailRecord {
        id: HeldMailId::from_uuid(id),
        rfc_message_id,
        reason: parse_column("held_mail.reason", &reason)?,
        sender,
        subject,
        size: u64::try_from(size).unwrap_or(0),
        received_at,
    })
}

impl Store {
    /// Holds a mail once per Message-ID: a second delivery hands back the
    /// first one, marked `duplicate`.
    pub async fn hold_mail(&self, mail: NewHeldMail, at: DateTime<Utc>) -> Result<Held, StoreError> {
        if let Some(existing) = self.held_mail_by_rfc_id(&mail.rfc_message_id).await? {
            return Ok(Held {
                record: existing,
                duplicate: true,
            });
        }
        let rfc_message_id = mail.rfc_message_id.clone();
        let inserted = held_mail::ActiveModel {
            id: Set(HeldMailId::new().as_uuid()),
            rfc_message_id: Set(mail.rfc_message_id),
            reason: Set(mail.reason.as_str().to_owned()),
            sender: Set(mail.sender),
            subject: Set(mail.subject),
            size: Set(i64::try_from(mail.raw.len()).unwrap_or(i64::MAX)),
            raw: Set(mail.raw),
            received_at: Set(to_micros(at)),
        }
        .insert(self.db())
        .await;
        match inserted {
            Ok(m) => Ok(Held {
                record: HeldMailRecord {
                    id: HeldMailId::from_uuid(m.id),
                    rfc_message_id: m.rfc_message_id,
                    reason: parse_column("held_mail.reason", &m.reason)?,
                    sender: m.sender,
                    subject: m.subject,
                    size: u64::try_from(m.size).unwrap_or(0),
                    received_at: m.received_at,
                },
                duplicate: false,
            }),
            // Another delivery of the same mail won the race.
            Err(err) => match StoreError::conflict_on_unique(err, "held already") {
                StoreError::Conflict(_) => match self.held_mail_by_rfc_id(&rfc_message_id).await? {
                    Some(existing) => Ok(Held {
                        record: existing,
                        duplicate: true,
                    }),
                    None => Err(StoreError::Conflict("conflicting held mail".into())),
                },
                other => Err(other),
            },
        }
    }

    pub async fn held_mail_by_rfc_id(&self, rfc_message_id: &str) -> Result<Option<HeldMailRecord>, StoreError> {
        Self::held_rows()
            .filter(held_mail::Column::RfcMessageId.eq(rfc_message_id))
            .into_tuple::<Row>()
            .one(self.db())
            .await?
            .map(record)
            .transpose()
    }

    /// A page of held mail, newest first, after the mail `after` when given.
    pub async fn held_mail_page(
        &self,
        first: u64,
        after: Option<HeldMailId>,
    ) -> Result<Vec<HeldMailRecord>, StoreError> {
        let mut query = Self::held_rows().order_by_desc(held_mail::Column::Id).limit(first);
        if let Some(after) = after {
            query = query.filter(held_mail::Column::Id.lt(after.as_uuid()));
        }
        query
            .into_tuple::<Row>()
            .all(self.db())
            .await?
            .into_iter()
            .map(record)
            .collect()
    }

    /// How many mails are held.
    pub async fn held_mail_count(&self) -> Result<u64, StoreError> {
        Ok(held_mail::Entity::find().count(self.db()).await?)
    }

    /// One held mail with its raw message.
    pub async fn held_mail(&self, id: HeldMailId) -> Result<Option<(HeldMailRecord, Vec<u8>)>, StoreError> {
        let Some(m) = held_mail::Entity::find_by_id(id.as_uuid()).one(self.db()).await? else {
            return Ok(None);
        };
        let found = record((
            m.id,
            m.rfc_message_id,
            m.reason,
            m.sender,
            m.subject,
            m.size,
            m.received_at,
        ))?;
        Ok(Some((found, m.raw)))
    }

    /// Deletes a held mail; true when it existed.
    pub async fn delete_held_mail(&self, id: HeldMailId) -> Result<bool, StoreError> {
        let deleted = held_mail::Entity::delete_by_id(id.as_uuid()).exec(self.db()).await?;
        Ok(deleted.rows_affected > 0)
    }

    fn held_rows() -> sea_orm::Select<held_mail::Entity> {
        held_mail::Entity::find()
            .select_only()
            .column(held_mail::Column::Id)
            .column(held_mail::Column::RfcMessageId)
            .column(held_mail::Column::Reason)
            .column(held_mail::Column::Sender)
            .column(held_mail::Column::Subject)
            .column(held_mail::Column::Size)
            .column(held_mail::Column::ReceivedAt)
    }
}
