//! Macros: named sets of actions agents apply to a ticket in one step.
//! A macro without an owner is shared; one with an owner is that agent's
//! alone and goes with them. The actions are one JSON document, read and
//! checked by the domain.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Macros::Table)
                .col(pk_uuid(Macros::Id))
                .col(string(Macros::Name))
                .col(uuid_null(Macros::OwnerId))
                .col(text(Macros::Actions))
                .col(timestamp_with_time_zone(Macros::CreatedAt))
                .col(timestamp_with_time_zone(Macros::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Macros::Table, Macros::OwnerId)
                        .to(Agents::Table, Agents::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // An agent's list: the shared macros and their own.
        m.create_index(
            Index::create()
                .name("ix_macros_owner")
                .table(Macros::Table)
                .col(Macros::OwnerId)
                .col(Macros::Name)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Macros::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Macros {
    Table,
    Id,
    Name,
    OwnerId,
    Actions,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Agents {
    Table,
    Id,
}
