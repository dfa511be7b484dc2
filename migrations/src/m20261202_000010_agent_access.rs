//! Who may see what: each agent gets a scope (ALL, or TEAMS: only their
//! teams' tickets) and a token version, bumped to revoke every access token
//! issued before (password change, deactivation).
//!
//! Existing admins keep the whole desk; existing agents become TEAMS, the
//! safe default the product now gives every new agent. An upgrade therefore
//! narrows what non-admin agents see until an admin widens a scope or puts
//! them in teams: the release notes say so.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        m.alter_table(
            Table::alter()
                .table(Agents::Table)
                .add_column(string(Agents::Scope).default("TEAMS"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Agents::Table)
                .add_column(big_integer(Agents::TokenVersion).default(0))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared("UPDATE agents SET scope = 'ALL' WHERE role = 'ADMIN'")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [Agents::Scope, Agents::TokenVersion] {
            m.alter_table(Table::alter().table(Agents::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Agents {
    Table,
    Scope,
    TokenVersion,
}
