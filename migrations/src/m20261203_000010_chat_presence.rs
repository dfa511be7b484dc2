//! Which chats have a live visitor, shared by every server on the database:
//! a visitor's websocket is held by one server, while a reply may be written
//! on another, which must know not to mail it. Each server keeps one row per
//! chat it holds a visitor of and pushes its expiry forward on a heartbeat;
//! the rows of a server that died run out on their own.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ChatPresence::Table)
                .col(uuid(ChatPresence::ServerId))
                .col(uuid(ChatPresence::TicketId))
                .col(timestamp_with_time_zone(ChatPresence::ExpiresAt))
                .primary_key(Index::create().col(ChatPresence::ServerId).col(ChatPresence::TicketId))
                .foreign_key(
                    ForeignKey::create()
                        .from(ChatPresence::Table, ChatPresence::TicketId)
                        .to(Tickets::Table, Tickets::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // "Is anyone watching this chat?" is asked per ticket.
        m.create_index(
            Index::create()
                .name("chat_presence_by_ticket")
                .table(ChatPresence::Table)
                .col(ChatPresence::TicketId)
                .col(ChatPresence::ExpiresAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ChatPresence::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ChatPresence {
    Table,
    ServerId,
    TicketId,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
}
