//! What a message carries when it came by mail: its HTML, its sender as
//! written, and its attachments.

use chrono::{DateTime, Utc};
use helpdesk_domain::access::TicketAccess;
use helpdesk_domain::ids::{AttachmentId, MessageId, TeamId, TicketId};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

use crate::entity::{attachment, message, ticket};
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    pub filename: Option<String>,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// The parts of a message beyond its plain-text body: what a mail brought,
/// or the files an agent attached to a reply or note (then only
/// `attachments` is set).
#[derive(Debug, Clone, Default)]
pub struct MailParts {
    pub html_body: Option<String>,
    /// The From address as the mail gave it (the author may be resolved to
    /// a customer or be the desk itself, e.g. for auto-replies).
    pub sender: Option<String>,
    pub attachments: Vec<NewAttachment>,
}

/// An attachment without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRecord {
    pub id: AttachmentId,
    pub message_id: MessageId,
    pub filename: Option<String>,
    pub content_type: String,
    pub size: u64,
}

pub(super) async fn insert_attachments(
    txn: &DatabaseTransaction,
    message: MessageId,
    attachments: Vec<NewAttachment>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if attachments.is_empty() {
        return Ok(());
    }
    let rows = attachments.into_iter().map(|a| attachment::ActiveModel {
        id: Set(AttachmentId::new().as_uuid()),
        message_id: Set(message.as_uuid()),
        filename: Set(a.filename),
        content_type: Set(a.content_type),
        size: Set(i64::try_from(a.content.len()).unwrap_or(i64::MAX)),
        content: Set(a.content),
        created_at: Set(at),
    });
    attachment::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// An attachment with its content, and the ticket it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentFile {
    pub record: AttachmentRecord,
    pub ticket_id: TicketId,
    /// The ticket's team: whose agents may open the file.
    pub team_id: Option<TeamId>,
    pub content: Vec<u8>,
}

impl Store {
    /// An attachment with its content, if its ticket is within `access`;
    /// the content is read only then. Agents reach it through
    /// [`ScopedStore::attachment`](super::ScopedStore::attachment).
    pub(crate) async fn attachment_within(
        &self,
        id: AttachmentId,
        access: &TicketAccess,
    ) -> Result<Option<AttachmentFile>, StoreError> {
        let found: Option<(uuid::Uuid, Option<String>, String, i64)> = attachment::Entity::find_by_id(id.as_uuid())
            .select_only()
            .column(attachment::Column::MessageId)
            .column(attachment::Column::Filename)
            .column(attachment::Column::ContentType)
            .column(attachment::Column::Size)
            .into_tuple()
            .one(self.db())
            .await?;
        let Some((message_id, filename, content_type, size)) = found else {
            return Ok(None);
        };
        let ticket_id: Option<uuid::Uuid> = message::Entity::find_by_id(message_id)
            .select_only()
            .column(message::Column::TicketId)
            .into_tuple()
            .one(self.db())
            .await?;
        let Some(ticket_id) = ticket_id else {
            return Err(StoreError::UnexpectedRow(format!("attachment {id} of no message")));
        };
        let team_id: Option<Option<uuid::Uuid>> = ticket::Entity::find_by_id(ticket_id)
            .select_only()
            .column(ticket::Column::TeamId)
            .into_tuple()
            .one(self.db())
            .await?;
        let Some(team_id) = team_id.map(|team| team.map(TeamId::from_uuid)) else {
            return Err(StoreError::UnexpectedRow(format!("attachment {id} of no ticket")));
        };
        if !access.covers(team_id) {
            return Ok(None);
        }
        let content: Option<Vec<u8>> = attachment::Entity::find_by_id(id.as_uuid())
            .select_only()
            .column(attachment::Column::Content)
            .into_tuple()
            .one(self.db())
            .await?;
        // Deleted in between (with its ticket): as if it never was.
        let Some(content) = content else {
            return Ok(None);
        };
        Ok(Some(AttachmentFile {
            record: AttachmentRecord {
                id,
                message_id: MessageId::from_uuid(message_id),
                filename,
                content_type,
                size: u64::try_from(size).unwrap_or(0),
            },
            ticket_id: TicketId::from_uuid(ticket_id),
            team_id,
            content,
        }))
    }

    /// A message's attachments with their content, in the order stored, for
    /// the desk itself to send (the outbox attaches a reply's files).
    pub async fn files_of_message(&self, message: MessageId) -> Result<Vec<(AttachmentRecord, Vec<u8>)>, StoreError> {
        let rows = attachment::Entity::find()
            .filter(attachment::Column::MessageId.eq(message.as_uuid()))
            .order_by_asc(attachment::Column::Id)
            .all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let record = AttachmentRecord {
                    id: AttachmentId::from_uuid(row.id),
                    message_id: MessageId::from_uuid(row.message_id),
                    filename: row.filename,
                    content_type: row.content_type,
                    size: u64::try_from(row.size).unwrap_or(0),
                };
                (record, row.content)
            })
            .collect())
    }

    /// Attachments of the given messages (metadata only), in the order stored.
    pub async fn attachments_of(&self, messages: &[MessageId]) -> Result<Vec<AttachmentRecord>, StoreError> {
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<(uuid::Uuid, uuid::Uuid, Option<String>, String, i64)> = attachment::Entity::find()
            .select_only()
            .column(attachment::Column::Id)
            .column(attachment::Column::MessageId)
            .column(attachment::Column::Filename)
            .column(attachment::Column::ContentType)
            .column(attachment::Column::Size)
            .filter(attachment::Column::MessageId.is_in(messages.iter().map(MessageId::as_uuid)))
            .order_by_asc(attachment::Column::Id)
            .into_tuple()
            .all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, message_id, filename, content_type, size)| AttachmentRecord {
                id: AttachmentId::from_uuid(id),
                message_id: MessageId::from_uuid(message_id),
                filename,
                content_type,
                size: u64::try_from(size).unwrap_or(0),
            })
            .collect())
    }
}
