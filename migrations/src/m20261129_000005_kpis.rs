//! What the KPI queries aggregate: metric facts with durations on both
//! clocks (in whole microseconds, so sums are exact), every solve with the
//! reopen that ended it, survey answers, and the import's external ids.
//!
//! `ticket_facts` and `response_samples` are derived from the event log, so
//! they are rebuilt in their new shape rather than altered: a fact whose
//! `business_stamp` does not match the desk's calendar (here: none at all)
//! is recomputed from the log by the server's background job.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ResponseSamples::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(TicketFacts::Table).to_owned()).await?;

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
                // The first public agent message of a customer-created ticket:
                // when its firstResponseTime sample completes.
                .col(timestamp_with_time_zone_null(TicketFacts::FirstResponseAt))
                .col(big_integer_null(TicketFacts::FirstResponseCalendarUs))
                .col(big_integer_null(TicketFacts::FirstResponseBusinessUs))
                .col(big_integer_null(TicketFacts::ResolutionCalendarUs))
                .col(big_integer_null(TicketFacts::ResolutionBusinessUs))
                // Which business calendar the *BusinessUs columns were measured on.
                .col(string(TicketFacts::BusinessStamp))
                .foreign_key(
                    ForeignKey::create()
                        .from(TicketFacts::Table, TicketFacts::TicketId)
                        .to(Tickets::Table, Tickets::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        index(m, TicketFacts::Table, "ix_kpi_facts_created", [TicketFacts::CreatedAt]).await?;
        index(
            m,
            TicketFacts::Table,
            "ix_kpi_facts_first_response",
            [TicketFacts::FirstResponseAt],
        )
        .await?;
        index(
            m,
            TicketFacts::Table,
            "ix_kpi_facts_first_solved",
            [TicketFacts::FirstSolvedAt],
        )
        .await?;
        index(
            m,
            TicketFacts::Table,
            "ix_kpi_facts_stamp",
            [TicketFacts::BusinessStamp],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ResponseSamples::Table)
                .col(uuid(ResponseSamples::TicketId))
                .col(integer(ResponseSamples::Seq))
                .col(timestamp_with_time_zone(ResponseSamples::WaitingSince))
                .col(timestamp_with_time_zone(ResponseSamples::AnsweredAt))
                .col(big_integer(ResponseSamples::CalendarUs))
                .col(big_integer(ResponseSamples::BusinessUs))
                .primary_key(Index::create().col(ResponseSamples::TicketId).col(ResponseSamples::Seq))
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
            "ix_kpi_samples_answered",
            [ResponseSamples::AnsweredAt],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(TicketSolves::Table)
                .col(uuid(TicketSolves::TicketId))
                .col(integer(TicketSolves::Seq))
                .col(timestamp_with_time_zone(TicketSolves::SolvedAt))
                .col(timestamp_with_time_zone_null(TicketSolves::ReopenedAt))
                .col(big_integer(TicketSolves::CalendarUs))
                .col(big_integer(TicketSolves::BusinessUs))
                .primary_key(Index::create().col(TicketSolves::TicketId).col(TicketSolves::Seq))
                .foreign_key(
                    ForeignKey::create()
                        .from(TicketSolves::Table, TicketSolves::TicketId)
                        .to(Tickets::Table, Tickets::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            TicketSolves::Table,
            "ix_ticket_solves_solved",
            [TicketSolves::SolvedAt],
        )
        .await?;
        index(
            m,
            TicketSolves::Table,
            "ix_ticket_solves_reopened",
            [TicketSolves::ReopenedAt],
        )
        .await?;

        m.create_table(
            Table::create()
                .table(SurveyResponses::Table)
                .col(uuid(SurveyResponses::TicketId))
                .col(integer(SurveyResponses::Seq))
                .col(string(SurveyResponses::Survey))
                .col(small_integer(SurveyResponses::Score))
                .col(timestamp_with_time_zone(SurveyResponses::AnsweredAt))
                .primary_key(Index::create().col(SurveyResponses::TicketId).col(SurveyResponses::Seq))
                .foreign_key(
                    ForeignKey::create()
                        .from(SurveyResponses::Table, SurveyResponses::TicketId)
                        .to(Tickets::Table, Tickets::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            SurveyResponses::Table,
            "ix_survey_responses_answered",
            [SurveyResponses::AnsweredAt],
        )
        .await?;

        // Imported tickets keep the id they had in the desk they came from.
        m.alter_table(
            Table::alter()
                .table(Tickets::Table)
                .add_column(string_null(Tickets::ExternalId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_tickets_external_id")
                .table(Tickets::Table)
                .col(Tickets::ExternalId)
                .unique()
                .to_owned(),
        )
        .await?;
        index(
            m,
            SlaTargets::Table,
            "ix_sla_targets_decided",
            [SlaTargets::State, SlaTargets::DecidedAt],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_sla_targets_decided")
                .table(SlaTargets::Table)
                .to_owned(),
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name("ux_tickets_external_id")
                .table(Tickets::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Tickets::Table)
                .drop_column(Tickets::ExternalId)
                .to_owned(),
        )
        .await?;
        for table in [
            SurveyResponses::Table.into_iden(),
            TicketSolves::Table.into_iden(),
            ResponseSamples::Table.into_iden(),
            TicketFacts::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        // The facts of migration 1 are derived data; the server rebuilds them.
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

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
    ExternalId,
}

#[derive(DeriveIden)]
enum SlaTargets {
    Table,
    State,
    DecidedAt,
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
    FirstResponseAt,
    FirstResponseCalendarUs,
    FirstResponseBusinessUs,
    ResolutionCalendarUs,
    ResolutionBusinessUs,
    BusinessStamp,
}

#[derive(DeriveIden)]
enum ResponseSamples {
    Table,
    TicketId,
    Seq,
    WaitingSince,
    AnsweredAt,
    CalendarUs,
    BusinessUs,
}

#[derive(DeriveIden)]
enum TicketSolves {
    Table,
    TicketId,
    Seq,
    SolvedAt,
    ReopenedAt,
    CalendarUs,
    BusinessUs,
}

#[derive(DeriveIden)]
enum SurveyResponses {
    Table,
    TicketId,
    Seq,
    Survey,
    Score,
    AnsweredAt,
}
