//! The ticket core: settings, customers, agents, teams, tickets, messages,
//! tags, the ticket event log and per-ticket metric facts.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Settings::Table)
                .col(string(Settings::Key).primary_key())
                .col(text(Settings::Value))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Counters::Table)
                .col(string(Counters::Name).primary_key())
                .col(big_integer(Counters::Value))
                .to_owned(),
        )
        .await?;
        // The ticket number counter starts at zero; taking a number increments
        // it inside the ticket's own transaction, so numbers have no gaps.
        m.exec_stmt(
            Query::insert()
                .into_table(Counters::Table)
                .columns([Counters::Name, Counters::Value])
                .values_panic(["ticket_number".into(), 0i64.into()])
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Customers::Table)
                .col(pk_uuid(Customers::Id))
                .col(string_null(Customers::Name))
                .col(timestamp_with_time_zone(Customers::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CustomerIdentities::Table)
                .col(pk_uuid(CustomerIdentities::Id))
                .col(uuid(CustomerIdentities::CustomerId))
                .col(string(CustomerIdentities::Kind))
                .col(string(CustomerIdentities::Value))
                .col(timestamp_with_time_zone(CustomerIdentities::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(CustomerIdentities::Table, CustomerIdentities::CustomerId)
                        .to(Customers::Table, Customers::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        unique_index(
            m,
            CustomerIdentities::Table,
            "ux_customer_identities_kind_value",
            [CustomerIdentities::Kind, CustomerIdentities::Value],
        )
        .await?;
        index(
            m,
            CustomerIdentities::Table,
            "ix_customer_identities_customer",
            [CustomerIdentities::CustomerId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Agents::Table)
                .col(pk_uuid(Agents::Id))
                .col(string_uniq(Agents::Email))
                .col(string(Agents::Name))
                .col(string(Agents::Role))
                .col(string_null(Agents::PasswordHash))
                .col(boolean(Agents::Active))
                .col(timestamp_with_time_zone(Agents::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Teams::Table)
                .col(pk_uuid(Teams::Id))
                .col(string_uniq(Teams::Name))
                .col(timestamp_with_time_zone(Teams::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(TeamMembers::Table)
                .col(uuid(TeamMembers::TeamId))
                .col(uuid(TeamMembers::AgentId))
                .primary_key(Index::create().col(TeamMembers::TeamId).col(TeamMembers::AgentId))
                .foreign_key(
                    ForeignKey::create()
                        .from(TeamMembers::Table, TeamMembers::TeamId)
                        .to(Teams::Table, Teams::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(TeamMembers::Table, TeamMembers::AgentId)
                        .to(Agents::Table, Agents::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        index(m, TeamMembers::Table, "ix_team_members_agent", [TeamMembers::AgentId]).await?;

        m.create_table(
            Table::create()
                .table(Tickets::Table)
                .col(pk_uuid(Tickets::Id))
                .col(big_integer_uniq(Tickets::Number))
                .col(string(Tickets::Subject))
                .col(string(Tickets::Status))
                .col(string(Tickets::Priority))
                .col(string(Tickets::Channel))
                .col(uuid(Tickets::CustomerId))
                .col(uuid_null(Tickets::AssigneeId))
                .col(uuid_null(Tickets::TeamId))
                .col(boolean(Tickets::FcrEligible))
                .col(uuid_null(Tickets::MergedIntoId))
                .col(uuid_null(Tickets::FollowUpOfId))
                .col(timestamp_with_time_zone(Tickets::CreatedAt))
                .col(timestamp_with_time_zone(Tickets::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Tickets::Table, Tickets::CustomerId)
                        .to(Customers::Table, Customers::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Tickets::Table, Tickets::AssigneeId)
                        .to(Agents::Table, Agents::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Tickets::Table, Tickets::TeamId)
                        .to(Teams::Table, Teams::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Tickets::Table, Tickets::MergedIntoId)
                        .to(Tickets::Table, Tickets::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Tickets::Table, Tickets::FollowUpOfId)
                        .to(Tickets::Table, Tickets::Id),
                )
                .to_owned(),
        )
        .await?;
        // Keyset pagination walks (created_at, id) and (updated_at, id).
        index(
            m,
            Tickets::Table,
            "ix_tickets_created",
            [Tickets::CreatedAt, Tickets::Id],
        )
        .await?;
        index(
            m,
            Tickets::Table,
            "ix_tickets_updated",
            [Tickets::UpdatedAt, Tickets::Id],
        )
        .await?;
        index(m, Tickets::Table, "ix_tickets_status", [Tickets::Status]).await?;
        index(m, Tickets::Table, "ix_tickets_assignee", [Tickets::AssigneeId]).await?;
        index(m, Tickets::Table, "ix_tickets_team", [Tickets::TeamId]).await?;
        index(m, Tickets::Table, "ix_tickets_customer", [Tickets::CustomerId]).await?;

        m.create_table(
            Table::create()
                .table(TicketTags::Table)
                .col(uuid(TicketTags::TicketId))
                .col(string(TicketTags::Tag))
                .primary_key(Index::create().col(TicketTags::TicketId).col(TicketTags::Tag))
                .foreign_key(
                    ForeignKey::create()
                        .from(TicketTags::Table, TicketTags::TicketId)
                        .to(Tickets::Table, Tickets::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            TicketTags::Table,
            "ix_ticket_tags_tag",
            [TicketTags::Tag, TicketTags::TicketId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Messages::Table)
                .col(pk_uuid(Messages::Id))
                .col(uuid(Messages::TicketId))
                .col(string(Messages::Author))
                .col(uuid_null(Messages::AgentId))
                .col(uuid_null(Messages::CustomerId))
                .col(string(Messages::Channel))
                .col(boolean(Messages::Internal))
                .col(text(Messages::Body))
                .col(string_null(Messages::RfcMessageId))
                .col(timestamp_with_time_zone(Messages::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Messages::Table, Messages::TicketId)
                        .to(Tickets::Table, Tickets::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Messages::Table, Messages::AgentId)
                        .to(Agents::Table, Agents::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Messages::Table, Messages::CustomerId)
                        .to(Customers::Table, Customers::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            Messages::Table,
            "ix_messages_ticket",
            [Messages::TicketId, Messages::CreatedAt],
        )
        .await?;
        // Exactly-once for mail: a Message-ID is stored at most once.
        unique_index(
            m,
            Messages::Table,
            "ux_messages_rfc_message_id",
            [Messages::RfcMessageId],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(TicketEvents::Table)
                .col(big_pk_auto(TicketEvents::Id))
                .col(uuid(TicketEvents::TicketId))
                .col(timestamp_with_time_zone(TicketEvents::At))
                .col(string(TicketEvents::Kind))
                .col(string(TicketEvents::ActorKind))
                .col(uuid_null(TicketEvents::ActorId))
                .col(json(TicketEvents::Payload))
                .foreign_key(
                    ForeignKey::create()
                        .from(TicketEvents::Table, TicketEvents::TicketId)
                        .to(Tickets::Table, Tickets::Id),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            TicketEvents::Table,
            "ix_ticket_events_ticket",
            [TicketEvents::TicketId, TicketEvents::At, TicketEvents::Id],
        )
        .await?;
        index(
            m,
            TicketEvents::Table,
            "ix_ticket_events_kind_at",
            [TicketEvents::Kind, TicketEvents::At],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(TicketFacts::Table)
                .col(pk_uuid(TicketFacts::TicketId))
                .col(timestamp_with_time_zone(TicketFacts::CreatedAt))
                .col(string(TicketFacts::Status))
                .col(boolean_null(TicketFacts::CustomerCreated))
                .col(timestamp_with_time_zone_null(TicketFacts::FirstPublicReplyAt))
                .col(timestamp_with_time_zone_null(TicketFacts::LastPublicReplyAt))
                .col(timestamp_with_time_zone_null(TicketFacts::LastCustomerMessageAt))
                .col(timestamp_with_time_zone_null(TicketFacts::AwaitingReplySince))
                .col(integer(TicketFacts::PublicReplies))
                .col(integer(TicketFacts::CustomerMessages))
                .col(integer(TicketFacts::InternalNotes))
                .col(integer(TicketFacts::RepliesBeforeFirstSolve))
                .col(integer(TicketFacts::AssigneeStationsBeforeFirstSolve))
                .col(uuid_null(TicketFacts::LastAssignedAgentId))
                .col(timestamp_with_time_zone_null(TicketFacts::FirstSolvedAt))
                .col(timestamp_with_time_zone_null(TicketFacts::LatestSolvedAt))
                .col(integer(TicketFacts::Solves))
                .col(integer(TicketFacts::Reopens))
                .col(timestamp_with_time_zone_null(TicketFacts::FirstReopenedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(TicketFacts::Table, TicketFacts::TicketId)
                        .to(Tickets::Table, Tickets::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            TicketFacts::Table,
            "ix_ticket_facts_created",
            [TicketFacts::CreatedAt],
        )
        .await?;
        index(
            m,
            TicketFacts::Table,
            "ix_ticket_facts_first_reply",
            [TicketFacts::FirstPublicReplyAt],
        )
        .await?;
        index(
            m,
            TicketFacts::Table,
            "ix_ticket_facts_first_solved",
            [TicketFacts::FirstSolvedAt],
        )
        .await?;
        index(
            m,
            TicketFacts::Table,
            "ix_ticket_facts_latest_solved",
            [TicketFacts::LatestSolvedAt],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ResponseSamples::Table)
                .col(big_pk_auto(ResponseSamples::Id))
                .col(uuid(ResponseSamples::TicketId))
                .col(timestamp_with_time_zone(ResponseSamples::WaitingSince))
                .col(timestamp_with_time_zone(ResponseSamples::AnsweredAt))
                .col(double(ResponseSamples::CalendarSeconds))
                .foreign_key(
                    ForeignKey::create()
                        .from(ResponseSamples::Table, ResponseSamples::TicketId)
                        .to(Tickets::Table, Tickets::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            ResponseSamples::Table,
            "ix_response_samples_answered",
            [ResponseSamples::AnsweredAt],
        )
        .await?;
        index(
            m,
            ResponseSamples::Table,
            "ix_response_samples_ticket",
            [ResponseSamples::TicketId],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let tables: [DynIden; 13] = [
            ResponseSamples::Table.into_iden(),
            TicketFacts::Table.into_iden(),
            TicketEvents::Table.into_iden(),
            Messages::Table.into_iden(),
            TicketTags::Table.into_iden(),
            Tickets::Table.into_iden(),
            TeamMembers::Table.into_iden(),
            Teams::Table.into_iden(),
            Agents::Table.into_iden(),
            CustomerIdentities::Table.into_iden(),
            Customers::Table.into_iden(),
            Counters::Table.into_iden(),
            Settings::Table.into_iden(),
        ];
        for table in tables {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

async fn index<T, C, const N: usize>(m: &SchemaManager<'_>, table: T, name: &str, cols: [C; N]) -> Result<(), DbErr>
where
    T: IntoIden + 'static,
    C: IntoIden + 'static,
{
    let mut stmt = Index::create().name(name).table(table).to_owned();
    for col in cols {
        stmt.col(col);
    }
    m.create_index(stmt).await
}

async fn unique_index<T, C, const N: usize>(
    m: &SchemaManager<'_>,
    table: T,
    name: &str,
    cols: [C; N],
) -> Result<(), DbErr>
where
    T: IntoIden + 'static,
    C: IntoIden + 'static,
{
    let mut stmt = Index::create().name(name).table(table).unique().to_owned();
    for col in cols {
        stmt.col(col);
    }
    m.create_index(stmt).await
}

#[derive(DeriveIden)]
enum Settings {
    Table,
    Key,
    Value,
}

#[derive(DeriveIden)]
enum Counters {
    Table,
    Name,
    Value,
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum CustomerIdentities {
    Table,
    Id,
    CustomerId,
    Kind,
    Value,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Agents {
    Table,
    Id,
    Email,
    Name,
    Role,
    PasswordHash,
    Active,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TeamMembers {
    Table,
    TeamId,
    AgentId,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
    Number,
    Subject,
    Status,
    Priority,
    Channel,
    CustomerId,
    AssigneeId,
    TeamId,
    FcrEligible,
    MergedIntoId,
    FollowUpOfId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum TicketTags {
    Table,
    TicketId,
    Tag,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    TicketId,
    Author,
    AgentId,
    CustomerId,
    Channel,
    Internal,
    Body,
    RfcMessageId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TicketEvents {
    Table,
    Id,
    TicketId,
    At,
    Kind,
    ActorKind,
    ActorId,
    Payload,
}

#[derive(DeriveIden)]
enum TicketFacts {
    Table,
    TicketId,
    CreatedAt,
    Status,
    CustomerCreated,
    FirstPublicReplyAt,
    LastPublicReplyAt,
    LastCustomerMessageAt,
    AwaitingReplySince,
    PublicReplies,
    CustomerMessages,
    InternalNotes,
    RepliesBeforeFirstSolve,
    AssigneeStationsBeforeFirstSolve,
    LastAssignedAgentId,
    FirstSolvedAt,
    LatestSolvedAt,
    Solves,
    Reopens,
    FirstReopenedAt,
}

#[derive(DeriveIden)]
enum ResponseSamples {
    Table,
    Id,
    TicketId,
    WaitingSince,
    AnsweredAt,
    CalendarSeconds,
}
