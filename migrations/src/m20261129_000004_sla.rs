//! SLA policies and each ticket's decided targets.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SlaPolicies::Table)
                .col(pk_uuid(SlaPolicies::Id))
                .col(string_uniq(SlaPolicies::Name))
                .col(integer(SlaPolicies::Position))
                // Space-separated enum names and tags; empty matches all.
                .col(text(SlaPolicies::Priorities))
                .col(text(SlaPolicies::Channels))
                .col(text(SlaPolicies::Tags))
                .col(json(SlaPolicies::Targets))
                .col(integer(SlaPolicies::WarningPercent))
                .col(string_null(SlaPolicies::WebhookUrl))
                .col(string_null(SlaPolicies::WebhookSecret))
                // The policy's own business calendar (JSON), if any.
                .col(text_null(SlaPolicies::Calendar))
                .col(timestamp_with_time_zone(SlaPolicies::CreatedAt))
                .col(timestamp_with_time_zone(SlaPolicies::UpdatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(SlaTargets::Table)
                .col(uuid(SlaTargets::TicketId))
                .col(string(SlaTargets::Target))
                .col(timestamp_with_time_zone(SlaTargets::StartedAt))
                .col(uuid(SlaTargets::PolicyId))
                .col(timestamp_with_time_zone_null(SlaTargets::DueAt))
                .col(timestamp_with_time_zone_null(SlaTargets::WarnAt))
                .col(string(SlaTargets::State))
                .col(timestamp_with_time_zone_null(SlaTargets::DecidedAt))
                .col(timestamp_with_time_zone_null(SlaTargets::MetAt))
                .col(boolean(SlaTargets::WarningRaised))
                .col(boolean(SlaTargets::BreachRaised))
                .primary_key(
                    Index::create()
                        .col(SlaTargets::TicketId)
                        .col(SlaTargets::Target)
                        .col(SlaTargets::StartedAt),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(SlaTargets::Table, SlaTargets::TicketId)
                        .to(Tickets::Table, Tickets::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // What burns first: each ticket's next SLA deadline and whether a
        // breached target is still open, kept on the ticket for queues.
        m.alter_table(
            Table::alter()
                .table(Tickets::Table)
                .add_column(timestamp_with_time_zone_null(Tickets::SlaNextDueAt))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Tickets::Table)
                .add_column(boolean(Tickets::SlaBreached).default(false))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_tickets_sla_due")
                .table(Tickets::Table)
                .col(Tickets::SlaNextDueAt)
                .to_owned(),
        )
        .await?;
        // SLA events posted to a policy's webhook, signed, retried like mail.
        m.create_table(
            Table::create()
                .table(WebhookDeliveries::Table)
                .col(pk_uuid(WebhookDeliveries::Id))
                .col(uuid(WebhookDeliveries::TicketId))
                .col(string(WebhookDeliveries::Url))
                .col(string(WebhookDeliveries::Secret))
                .col(text(WebhookDeliveries::Payload))
                .col(string(WebhookDeliveries::Status))
                .col(integer(WebhookDeliveries::Attempts))
                .col(timestamp_with_time_zone(WebhookDeliveries::NextAttemptAt))
                .col(timestamp_with_time_zone_null(WebhookDeliveries::LockedUntil))
                .col(text_null(WebhookDeliveries::LastError))
                .col(timestamp_with_time_zone(WebhookDeliveries::CreatedAt))
                .col(timestamp_with_time_zone_null(WebhookDeliveries::SentAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(WebhookDeliveries::Table, WebhookDeliveries::TicketId)
                        .to(Tickets::Table, Tickets::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_webhook_deliveries_due")
                .table(WebhookDeliveries::Table)
                .col(WebhookDeliveries::Status)
                .col(WebhookDeliveries::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        // The scheduler looks for the next warnings and deadlines.
        m.create_index(
            Index::create()
                .name("ix_sla_targets_due")
                .table(SlaTargets::Table)
                .col(SlaTargets::DueAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_sla_targets_warn")
                .table(SlaTargets::Table)
                .col(SlaTargets::WarnAt)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WebhookDeliveries::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(SlaTargets::Table).to_owned()).await?;
        m.drop_index(
            Index::drop()
                .name("ix_tickets_sla_due")
                .table(Tickets::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Tickets::Table)
                .drop_column(Tickets::SlaBreached)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Tickets::Table)
                .drop_column(Tickets::SlaNextDueAt)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(SlaPolicies::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
    SlaNextDueAt,
    SlaBreached,
}

#[derive(DeriveIden)]
enum SlaPolicies {
    Table,
    Id,
    Name,
    Position,
    Priorities,
    Channels,
    Tags,
    Targets,
    WarningPercent,
    WebhookUrl,
    WebhookSecret,
    Calendar,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SlaTargets {
    Table,
    TicketId,
    Target,
    StartedAt,
    PolicyId,
    DueAt,
    WarnAt,
    State,
    DecidedAt,
    MetAt,
    WarningRaised,
    BreachRaised,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    TicketId,
    Url,
    Secret,
    Payload,
    Status,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LastError,
    CreatedAt,
    SentAt,
}
