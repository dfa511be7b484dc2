//! Customers merged into another (`mergeCustomers`): the source row stays,
//! so its id in older events still names someone, and says whom it became
//! and when. The directory lists only customers not merged.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One change per statement: SQLite's ALTER TABLE takes one.
        m.alter_table(
            Table::alter()
                .table(Customers::Table)
                .add_column(uuid_null(Customers::MergedIntoId))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Customers::Table)
                .add_column(timestamp_with_time_zone_null(Customers::MergedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [Customers::MergedAt, Customers::MergedIntoId] {
            m.alter_table(Table::alter().table(Customers::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    MergedIntoId,
    MergedAt,
}
