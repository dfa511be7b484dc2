//! Rules: an admin's "when this happens to a ticket like that, do this",
//! run in position order in the transaction of the change that starts
//! them. Conditions and actions are JSON documents the domain reads and
//! checks; the events are a comma-separated list.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Rules::Table)
                .col(pk_uuid(Rules::Id))
                .col(string(Rules::Name))
                .col(integer(Rules::Position))
                .col(boolean(Rules::Active))
                .col(text(Rules::Events))
                .col(text(Rules::Conditions))
                .col(text(Rules::Actions))
                .col(timestamp_with_time_zone(Rules::CreatedAt))
                .col(timestamp_with_time_zone(Rules::UpdatedAt))
                .to_owned(),
        )
        .await?;
        // Every live change reads the active rules in their order.
        m.create_index(
            Index::create()
                .name("ix_rules_active_position")
                .table(Rules::Table)
                .col(Rules::Active)
                .col(Rules::Position)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Rules::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Rules {
    Table,
    Id,
    Name,
    Position,
    Active,
    Events,
    Conditions,
    Actions,
    CreatedAt,
    UpdatedAt,
}
