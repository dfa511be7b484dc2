//! Survey invitations: one row per CSAT or NPS invitation, queued when a
//! ticket is solved, leased by one sender when due (like the outbox), and
//! answered with a token whose SHA-256 alone is stored.
//!
//! `survey_responses` gains the comment and the invitation of each response,
//! so the answers can be listed from the derived rows; the rows already there
//! (imported answers) get theirs when the server re-derives them (the facts
//! version changed with this migration).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SurveyInvitations::Table)
                .col(uuid(SurveyInvitations::Id).primary_key())
                // CSAT or NPS.
                .col(string(SurveyInvitations::Survey))
                // The ticket asked about; for NPS, the solved ticket that
                // brought the invitation, which its answer is filed on.
                .col(uuid(SurveyInvitations::TicketId))
                .col(uuid(SurveyInvitations::CustomerId))
                // QUEUED, SENT, ANSWERED or CANCELLED (EXPIRED is a question of time).
                .col(string(SurveyInvitations::State))
                .col(timestamp_with_time_zone(SurveyInvitations::DueAt))
                // Set when it is sent: the raw token exists only then.
                .col(string_null(SurveyInvitations::TokenHash).unique_key())
                // MAIL or CHAT.
                .col(string_null(SurveyInvitations::SentBy))
                .col(timestamp_with_time_zone_null(SurveyInvitations::SentAt))
                .col(timestamp_with_time_zone_null(SurveyInvitations::ExpiresAt))
                .col(timestamp_with_time_zone_null(SurveyInvitations::AnsweredAt))
                .col(small_integer_null(SurveyInvitations::Score))
                .col(text_null(SurveyInvitations::Comment))
                .col(timestamp_with_time_zone_null(SurveyInvitations::LockedUntil))
                .col(timestamp_with_time_zone(SurveyInvitations::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(SurveyInvitations::Table, SurveyInvitations::TicketId)
                        .to(Tickets::Table, Tickets::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(SurveyInvitations::Table, SurveyInvitations::CustomerId)
                        .to(Customers::Table, Customers::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            // The sender's lease query: due queued rows.
            (
                "ix_survey_invitations_due",
                &[SurveyInvitations::State, SurveyInvitations::DueAt][..],
            ),
            // The quiet period and NPS schedule: a customer's invitations.
            (
                "ix_survey_invitations_customer",
                &[
                    SurveyInvitations::CustomerId,
                    SurveyInvitations::Survey,
                    SurveyInvitations::DueAt,
                ][..],
            ),
            ("ix_survey_invitations_ticket", &[SurveyInvitations::TicketId][..]),
        ] {
            let mut index = Index::create().name(name).table(SurveyInvitations::Table).to_owned();
            for col in cols {
                index.col(*col);
            }
            m.create_index(index).await?;
        }
        let mut comment = text_null(SurveyResponses::Comment);
        m.alter_table(
            Table::alter()
                .table(SurveyResponses::Table)
                .add_column(&mut comment)
                .to_owned(),
        )
        .await?;
        let mut invitation = uuid_null(SurveyResponses::InvitationId);
        m.alter_table(
            Table::alter()
                .table(SurveyResponses::Table)
                .add_column(&mut invitation)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [SurveyResponses::InvitationId, SurveyResponses::Comment] {
            m.alter_table(
                Table::alter()
                    .table(SurveyResponses::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        m.drop_table(Table::drop().table(SurveyInvitations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum SurveyInvitations {
    Table,
    Id,
    Survey,
    TicketId,
    CustomerId,
    State,
    DueAt,
    TokenHash,
    SentBy,
    SentAt,
    ExpiresAt,
    AnsweredAt,
    Score,
    Comment,
    LockedUntil,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SurveyResponses {
    Table,
    Comment,
    InvitationId,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
}
