//! Email: HTML bodies and senders on messages, attachments, and the
//! transactional outbox of mail to send.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one ALTER per statement.
        m.alter_table(
            Table::alter()
                .table(Messages::Table)
                .add_column(text_null(Messages::HtmlBody))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Messages::Table)
                .add_column(string_null(Messages::Sender))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Attachments::Table)
                .col(pk_uuid(Attachments::Id))
                .col(uuid(Attachments::MessageId))
                .col(string_null(Attachments::Filename))
                .col(string(Attachments::ContentType))
                .col(big_integer(Attachments::Size))
                .col(blob(Attachments::Content))
                .col(timestamp_with_time_zone(Attachments::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Attachments::Table, Attachments::MessageId)
                        .to(Messages::Table, Messages::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_attachments_message")
                .table(Attachments::Table)
                .col(Attachments::MessageId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Outbox::Table)
                .col(pk_uuid(Outbox::Id))
                .col(uuid(Outbox::TicketId))
                .col(uuid_null(Outbox::MessageId))
                .col(string(Outbox::Kind))
                .col(string(Outbox::ToAddress))
                .col(string(Outbox::Subject))
                .col(text(Outbox::Body))
                .col(string(Outbox::RfcMessageId))
                .col(text_null(Outbox::InReplyTo))
                .col(text_null(Outbox::References))
                .col(string(Outbox::Status))
                .col(integer(Outbox::Attempts))
                .col(timestamp_with_time_zone(Outbox::NextAttemptAt))
                .col(timestamp_with_time_zone_null(Outbox::LockedUntil))
                .col(text_null(Outbox::LastError))
                .col(timestamp_with_time_zone(Outbox::CreatedAt))
                .col(timestamp_with_time_zone_null(Outbox::SentAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Outbox::Table, Outbox::TicketId)
                        .to(Tickets::Table, Tickets::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Outbox::Table, Outbox::MessageId)
                        .to(Messages::Table, Messages::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        // The sender polls "pending and due", oldest first.
        m.create_index(
            Index::create()
                .name("ix_outbox_due")
                .table(Outbox::Table)
                .col(Outbox::Status)
                .col(Outbox::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_outbox_message")
                .table(Outbox::Table)
                .col(Outbox::MessageId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Outbox::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Attachments::Table).to_owned()).await?;
        m.alter_table(
            Table::alter()
                .table(Messages::Table)
                .drop_column(Messages::Sender)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Messages::Table)
                .drop_column(Messages::HtmlBody)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    HtmlBody,
    Sender,
}

#[derive(DeriveIden)]
enum Attachments {
    Table,
    Id,
    MessageId,
    Filename,
    ContentType,
    Size,
    Content,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    TicketId,
    MessageId,
    Kind,
    ToAddress,
    Subject,
    Body,
    RfcMessageId,
    InReplyTo,
    References,
    Status,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LastError,
    CreatedAt,
    SentAt,
}
