//! Routing: a team's opt-in mode (and who got its last ticket, for
//! round-robin), each agent's availability, and their capacity per
//! channel. Tables of their own, so a team or agent without a row routes
//! nothing, is available and has no limit.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(TeamRouting::Table)
                .col(pk_uuid(TeamRouting::TeamId))
                .col(string(TeamRouting::Mode))
                .col(uuid_null(TeamRouting::LastAgentId))
                .foreign_key(
                    ForeignKey::create()
                        .from(TeamRouting::Table, TeamRouting::TeamId)
                        .to(Teams::Table, Teams::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AgentAvailability::Table)
                .col(pk_uuid(AgentAvailability::AgentId))
                .col(string(AgentAvailability::Availability))
                .foreign_key(
                    ForeignKey::create()
                        .from(AgentAvailability::Table, AgentAvailability::AgentId)
                        .to(Agents::Table, Agents::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AgentCapacities::Table)
                .col(uuid(AgentCapacities::AgentId))
                .col(string(AgentCapacities::Channel))
                .col(integer(AgentCapacities::MaxOpen))
                .primary_key(
                    Index::create()
                        .col(AgentCapacities::AgentId)
                        .col(AgentCapacities::Channel),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(AgentCapacities::Table, AgentCapacities::AgentId)
                        .to(Agents::Table, Agents::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // A routing team's waiting tickets, oldest first; and each agent's
        // open tickets of a channel, counted for their capacity.
        m.create_index(
            Index::create()
                .name("ix_tickets_team_unassigned")
                .table(Tickets::Table)
                .col(Tickets::TeamId)
                .col(Tickets::AssigneeId)
                .col(Tickets::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_tickets_assignee_channel")
                .table(Tickets::Table)
                .col(Tickets::AssigneeId)
                .col(Tickets::Channel)
                .col(Tickets::Status)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for index in ["ix_tickets_assignee_channel", "ix_tickets_team_unassigned"] {
            m.drop_index(Index::drop().name(index).table(Tickets::Table).to_owned())
                .await?;
        }
        m.drop_table(Table::drop().table(AgentCapacities::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(AgentAvailability::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(TeamRouting::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum TeamRouting {
    Table,
    TeamId,
    Mode,
    LastAgentId,
}

#[derive(DeriveIden)]
enum AgentAvailability {
    Table,
    AgentId,
    Availability,
}

#[derive(DeriveIden)]
enum AgentCapacities {
    Table,
    AgentId,
    Channel,
    MaxOpen,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Agents {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    TeamId,
    AssigneeId,
    CreatedAt,
    Channel,
    Status,
}
