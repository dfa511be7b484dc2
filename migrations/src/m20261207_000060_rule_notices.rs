//! Rules that tell agents by mail: whom and what, as one JSON document
//! the domain reads and checks (null: the rule tells no one).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Rules::Table)
                .add_column(text_null(Rules::Notify))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Rules::Table).drop_column(Rules::Notify).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Rules {
    Table,
    Notify,
}
