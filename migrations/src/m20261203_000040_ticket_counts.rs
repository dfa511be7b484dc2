//! An index a ticket count reads alone. `totalCount` of a queue counts the
//! unmerged tickets of a few statuses, often of some teams or an assignee;
//! with only `status` indexed, both engines fetched every matching row from
//! the table to check `merged_into_id`, and at 1,000,000 tickets (100,000
//! open) that was most of a queue page's time. This index holds exactly the
//! unmerged tickets, keyed by what the counts filter on, so a count is an
//! index-only scan.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_tickets_live_status ON tickets (status, team_id, assignee_id) \
                 WHERE merged_into_id IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DROP INDEX ix_tickets_live_status")
            .await?;
        Ok(())
    }
}
