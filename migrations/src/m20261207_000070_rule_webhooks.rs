//! Rules that call a URL: the URL and the signing secret, as one JSON
//! document the domain reads and checks (null: the rule calls nothing).
//! Its deliveries join the webhook queue, about their ticket, with no
//! subscription.

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
                .add_column(text_null(Rules::Webhook))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Rules::Table)
                .drop_column(Rules::Webhook)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Rules {
    Table,
    Webhook,
}
