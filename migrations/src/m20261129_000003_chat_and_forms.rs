//! Live chat sessions and admin-defined web forms.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ChatSessions::Table)
                // Only a hash of the visitor's token is kept.
                .col(string(ChatSessions::TokenHash).primary_key())
                .col(uuid(ChatSessions::TicketId))
                .col(uuid(ChatSessions::CustomerId))
                .col(timestamp_with_time_zone(ChatSessions::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ChatSessions::Table, ChatSessions::TicketId)
                        .to(Tickets::Table, Tickets::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_chat_sessions_ticket")
                .table(ChatSessions::Table)
                .col(ChatSessions::TicketId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(WebForms::Table)
                .col(string(WebForms::Key).primary_key())
                .col(string(WebForms::Name))
                .col(string(WebForms::Priority))
                .col(uuid_null(WebForms::TeamId))
                .col(text(WebForms::Tags))
                .col(boolean(WebForms::Acknowledge))
                .col(timestamp_with_time_zone(WebForms::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(WebForms::Table, WebForms::TeamId)
                        .to(Teams::Table, Teams::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WebForms::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(ChatSessions::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ChatSessions {
    Table,
    TokenHash,
    TicketId,
    CustomerId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebForms {
    Table,
    Key,
    Name,
    Priority,
    TeamId,
    Tags,
    Acknowledge,
    CreatedAt,
}
