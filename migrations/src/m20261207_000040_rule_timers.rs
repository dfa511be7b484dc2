//! Time-based rules: "N minutes after the ticket entered status S and
//! nothing happened". Such a rule has a timer (status and minutes) instead
//! of events. The tickets due are found along `ix_tickets_status_updated`.

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
                .table(Rules::Table)
                .add_column(string_null(Rules::TimerStatus))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Rules::Table)
                .add_column(integer_null(Rules::TimerMinutes))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [Rules::TimerMinutes, Rules::TimerStatus] {
            m.alter_table(Table::alter().table(Rules::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Rules {
    Table,
    TimerStatus,
    TimerMinutes,
}
