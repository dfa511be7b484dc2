//! Event webhooks: an admin subscribes a URL to kinds of ticket events, and
//! each event becomes a delivery in the queue the SLA webhooks already use
//! (same signing, retries and backoff), logged per subscription.
//!
//! A delivery may now be about no ticket (a subscription's test event), so
//! `webhook_deliveries.ticket_id` becomes nullable. SQLite cannot drop a
//! NOT NULL, so the table is rebuilt, the same way on both engines: create
//! the new shape, copy, drop the old one, rename. Nothing references
//! `webhook_deliveries`, and its one index is made again.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

/// The columns the rebuilt table keeps, in order.
const KEPT: &str = "id, ticket_id, url, secret, payload, status, attempts, next_attempt_at, locked_until, \
                    last_error, created_at, sent_at";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on SQLite too: a half-rebuilt queue would lose
    /// deliveries.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WebhookSubscriptions::Table)
                .col(pk_uuid(WebhookSubscriptions::Id))
                .col(string(WebhookSubscriptions::Name))
                .col(string(WebhookSubscriptions::Url))
                .col(string(WebhookSubscriptions::Secret))
                // Event kinds, comma separated.
                .col(text(WebhookSubscriptions::Events))
                .col(boolean(WebhookSubscriptions::Active))
                .col(timestamp_with_time_zone(WebhookSubscriptions::CreatedAt))
                .col(timestamp_with_time_zone(WebhookSubscriptions::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_webhook_subscriptions_name")
                .table(WebhookSubscriptions::Table)
                .col(WebhookSubscriptions::Name)
                .unique()
                .to_owned(),
        )
        .await?;

        rebuild_deliveries(m, Shape::ForEvents).await?;
        // A subscription's delivery log, newest first.
        m.create_index(
            Index::create()
                .name("ix_webhook_deliveries_subscription")
                .table(WebhookDeliveries::Table)
                .col(WebhookDeliveries::SubscriptionId)
                .col(WebhookDeliveries::Id)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Deliveries about no ticket cannot go back into the old shape.
        m.get_connection()
            .execute_unprepared("DELETE FROM webhook_deliveries WHERE ticket_id IS NULL")
            .await?;
        rebuild_deliveries(m, Shape::SlaOnly).await?;
        m.drop_table(Table::drop().table(WebhookSubscriptions::Table).to_owned())
            .await
    }
}

#[derive(PartialEq, Eq)]
enum Shape {
    /// Before: every delivery about a ticket, no subscriptions.
    SlaOnly,
    ForEvents,
}

/// Rebuilds `webhook_deliveries` in `shape`, keeping its rows and its
/// queue index.
async fn rebuild_deliveries(m: &SchemaManager<'_>, shape: Shape) -> Result<(), DbErr> {
    let mut table = Table::create();
    table
        .table(WebhookDeliveries::Rebuilt)
        .col(pk_uuid(WebhookDeliveries::Id))
        .col(if shape == Shape::ForEvents {
            uuid_null(WebhookDeliveries::TicketId)
        } else {
            uuid(WebhookDeliveries::TicketId)
        })
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
                .from(WebhookDeliveries::Rebuilt, WebhookDeliveries::TicketId)
                .to(Tickets::Table, Tickets::Id)
                .on_delete(ForeignKeyAction::Cascade),
        );
    if shape == Shape::ForEvents {
        table
            .col(uuid_null(WebhookDeliveries::SubscriptionId))
            // The event kind (or TEST); null for SLA policy webhooks.
            .col(string_null(WebhookDeliveries::Event))
            .foreign_key(
                ForeignKey::create()
                    .from(WebhookDeliveries::Rebuilt, WebhookDeliveries::SubscriptionId)
                    .to(WebhookSubscriptions::Table, WebhookSubscriptions::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
    }
    m.create_table(table.to_owned()).await?;
    let db = m.get_connection();
    db.execute_unprepared(&format!(
        "INSERT INTO webhook_deliveries_rebuilt ({KEPT}) SELECT {KEPT} FROM webhook_deliveries"
    ))
    .await?;
    db.execute_unprepared("DROP TABLE webhook_deliveries").await?;
    db.execute_unprepared("ALTER TABLE webhook_deliveries_rebuilt RENAME TO webhook_deliveries")
        .await?;
    if db.get_database_backend() == DbBackend::Postgres {
        // The primary key's index keeps the name it was made under; give it
        // the table's, so the next rebuild can make its own.
        db.execute_unprepared("ALTER INDEX webhook_deliveries_rebuilt_pkey RENAME TO webhook_deliveries_pkey")
            .await?;
    }
    m.create_index(
        Index::create()
            .name("ix_webhook_deliveries_due")
            .table(WebhookDeliveries::Table)
            .col(WebhookDeliveries::Status)
            .col(WebhookDeliveries::NextAttemptAt)
            .to_owned(),
    )
    .await
}

#[derive(DeriveIden)]
enum WebhookSubscriptions {
    Table,
    Id,
    Name,
    Url,
    Secret,
    Events,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    #[sea_orm(iden = "webhook_deliveries_rebuilt")]
    Rebuilt,
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
    SubscriptionId,
    Event,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
}
