//! The web form a ticket came through (its key), for rules that act on
//! one form's tickets. Null for every other ticket, and for web-form
//! tickets filed before this migration.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Tickets::Table)
                .add_column(string_null(Tickets::WebFormKey))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Tickets::Table)
                .drop_column(Tickets::WebFormKey)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    WebFormKey,
}
