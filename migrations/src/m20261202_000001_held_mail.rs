//! Inbound mail held for review instead of filed: bounces and automatic
//! mail that belongs to no open ticket. Accepted, never refused, so the
//! sending server does not bounce it back; an admin releases or deletes it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(HeldMail::Table)
                .col(pk_uuid(HeldMail::Id))
                .col(string(HeldMail::RfcMessageId))
                .col(string(HeldMail::Reason))
                .col(string(HeldMail::Sender))
                .col(text(HeldMail::Subject))
                // The message as received, so a release files exactly it.
                .col(big_integer(HeldMail::Size))
                .col(blob(HeldMail::Raw))
                .col(timestamp_with_time_zone(HeldMail::ReceivedAt))
                .to_owned(),
        )
        .await?;
        // Held once per Message-ID, however often it is delivered.
        m.create_index(
            Index::create()
                .name("ux_held_mail_rfc_message_id")
                .table(HeldMail::Table)
                .col(HeldMail::RfcMessageId)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(HeldMail::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum HeldMail {
    Table,
    Id,
    RfcMessageId,
    Reason,
    Sender,
    Subject,
    Size,
    Raw,
    ReceivedAt,
}
