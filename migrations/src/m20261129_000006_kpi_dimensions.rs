//! KPI reports without joins: every row a report aggregates carries the
//! filter dimensions of its ticket (merged away or not, channel, priority,
//! team, assignee), so a report reads one narrow index per figure instead of
//! looking up each row's ticket. All four duration figures move into one
//! table, `duration_samples`, with an index ordered by each clock's value:
//! medians and p90s are read by walking it instead of sorting every sample.
//!
//! `overdue_spans` holds when each ticket counts in overdueBacklog, so that
//! figure, like the backlog, is two counts per bucket.
//!
//! Existing rows are filled in from `tickets` and the old tables, so reports
//! are right as soon as the migration has run, except overdueBacklog: its
//! spans are derived in Rust, by the server's background refresh (the facts
//! version changed with this migration).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `duration_samples.figure` codes, as the persistence crate writes them.
const FIRST_RESPONSE: i32 = 0;
const RESPONSE: i32 = 1;
const RESOLUTION: i32 = 2;
const FULL_RESOLUTION: i32 = 3;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Dimensioned::TicketFacts,
            Dimensioned::TicketSolves,
            Dimensioned::SurveyResponses,
            Dimensioned::SlaTargets,
        ] {
            add_dimensions(m, table).await?;
        }
        add_column(
            m,
            Dimensioned::TicketFacts,
            boolean(Dim::FcrEligible).default(true).to_owned(),
        )
        .await?;
        add_column(
            m,
            Dimensioned::TicketSolves,
            timestamp_with_time_zone_null(Dim::TicketCreatedAt),
        )
        .await?;
        // The ticket's previous solve: a solve counts its ticket in
        // ticketsSolved of a bucket unless that one was in the bucket too.
        add_column(
            m,
            Dimensioned::TicketSolves,
            timestamp_with_time_zone_null(Dim::PreviousSolvedAt),
        )
        .await?;
        let db = m.get_connection();
        for table in ["ticket_facts", "ticket_solves", "survey_responses", "sla_targets"] {
            db.execute_unprepared(&format!(
                "UPDATE {table} SET \
                 merged = (SELECT t.merged_into_id IS NOT NULL FROM tickets t WHERE t.id = {table}.ticket_id), \
                 channel = (SELECT t.channel FROM tickets t WHERE t.id = {table}.ticket_id), \
                 priority = (SELECT t.priority FROM tickets t WHERE t.id = {table}.ticket_id), \
                 team_id = (SELECT t.team_id FROM tickets t WHERE t.id = {table}.ticket_id), \
                 assignee_id = (SELECT t.assignee_id FROM tickets t WHERE t.id = {table}.ticket_id)"
            ))
            .await?;
        }
        db.execute_unprepared(
            "UPDATE ticket_facts SET fcr_eligible = \
             (SELECT t.fcr_eligible FROM tickets t WHERE t.id = ticket_facts.ticket_id)",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE ticket_solves SET ticket_created_at = \
             (SELECT t.created_at FROM tickets t WHERE t.id = ticket_solves.ticket_id), \
             previous_solved_at = (SELECT p.solved_at FROM ticket_solves p \
             WHERE p.ticket_id = ticket_solves.ticket_id AND p.seq = ticket_solves.seq - 1)",
        )
        .await?;

        m.create_table(
            Table::create()
                .table(DurationSamples::Table)
                .col(uuid(DurationSamples::TicketId))
                .col(small_integer(DurationSamples::Figure))
                .col(integer(DurationSamples::Seq))
                // What the sample measures: from its start to its completion,
                // which decides the bucket it belongs to.
                .col(timestamp_with_time_zone(DurationSamples::StartedAt))
                .col(timestamp_with_time_zone(DurationSamples::CompletedAt))
                // Full resolution only: the reopen that ended the solve.
                .col(timestamp_with_time_zone_null(DurationSamples::SupersededAt))
                .col(big_integer(DurationSamples::CalendarUs))
                .col(big_integer(DurationSamples::BusinessUs))
                .col(boolean(Dim::Merged))
                .col(string(Dim::Channel))
                .col(string(Dim::Priority))
                .col(uuid_null(Dim::TeamId))
                .col(uuid_null(Dim::AssigneeId))
                .primary_key(
                    Index::create()
                        .col(DurationSamples::TicketId)
                        .col(DurationSamples::Figure)
                        .col(DurationSamples::Seq),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(DurationSamples::Table, DurationSamples::TicketId)
                        .to(Tickets::Table, Tickets::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // The four figures' samples, as the old tables held them.
        let none = "CAST(NULL AS TIMESTAMPTZ)";
        for (figure, select) in [
            (
                FIRST_RESPONSE,
                format!(
                    "SELECT ticket_id, 0 AS seq, created_at AS started, first_response_at AS at, {none} AS until, \
                     first_response_calendar_us AS cal, first_response_business_us AS bus \
                     FROM ticket_facts WHERE first_response_at IS NOT NULL"
                ),
            ),
            (
                RESPONSE,
                format!(
                    "SELECT ticket_id, seq, waiting_since AS started, answered_at AS at, {none} AS until, calendar_us AS cal, \
                     business_us AS bus FROM response_samples"
                ),
            ),
            (
                RESOLUTION,
                format!(
                    "SELECT ticket_id, 0 AS seq, created_at AS started, first_solved_at AS at, {none} AS until, \
                     resolution_calendar_us AS cal, resolution_business_us AS bus \
                     FROM ticket_facts WHERE first_solved_at IS NOT NULL"
                ),
            ),
            (
                FULL_RESOLUTION,
                format!(
                    "SELECT ticket_id, seq, {none} AS started, solved_at AS at, reopened_at AS until, calendar_us AS cal, \
                 business_us AS bus FROM ticket_solves"
                ),
            ),
        ] {
            db.execute_unprepared(&format!(
                "INSERT INTO duration_samples (ticket_id, figure, seq, started_at, completed_at, superseded_at, \
                 calendar_us, business_us, merged, channel, priority, team_id, assignee_id) \
                 SELECT x.ticket_id, {figure}, x.seq, COALESCE(x.started, t.created_at), x.at, x.until, x.cal, x.bus, \
                 t.merged_into_id IS NOT NULL, t.channel, t.priority, t.team_id, t.assignee_id \
                 FROM ({select}) x JOIN tickets t ON t.id = x.ticket_id"
            ))
            .await?;
        }
        m.create_table(
            Table::create()
                .table(OverdueSpans::Table)
                .col(uuid(OverdueSpans::TicketId))
                .col(integer(OverdueSpans::Seq))
                // The ticket counts at every T with counts_after < T <= counts_until.
                .col(timestamp_with_time_zone(OverdueSpans::CountsAfter))
                .col(timestamp_with_time_zone_null(OverdueSpans::CountsUntil))
                .col(boolean(Dim::Merged))
                .col(string(Dim::Channel))
                .col(string(Dim::Priority))
                .col(uuid_null(Dim::TeamId))
                .col(uuid_null(Dim::AssigneeId))
                .primary_key(Index::create().col(OverdueSpans::TicketId).col(OverdueSpans::Seq))
                .foreign_key(
                    ForeignKey::create()
                        .from(OverdueSpans::Table, OverdueSpans::TicketId)
                        .to(Tickets::Table, Tickets::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(ResponseSamples::Table).to_owned())
            .await?;
        m.drop_index(
            Index::drop()
                .name("ix_kpi_facts_first_response")
                .table(Dimensioned::TicketFacts)
                .to_owned(),
        )
        .await?;
        for column in [
            OldFacts::FirstResponseCalendarUs,
            OldFacts::FirstResponseBusinessUs,
            OldFacts::ResolutionCalendarUs,
            OldFacts::ResolutionBusinessUs,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Dimensioned::TicketFacts)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }

        indexes(m).await
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        // The old shape's durations lived in tables this migration folds
        // together; going back means rebuilding the derived rows, which
        // the server does from the event log, not a migration.
        Err(DbErr::Migration(
            "m20261129_000006_kpi_dimensions cannot be reverted; restore a backup instead".to_owned(),
        ))
    }
}

/// The filter dimensions every aggregated row carries.
const DIMS: [&str; 5] = ["merged", "channel", "priority", "team_id", "assignee_id"];

/// Indexes that answer each figure's question from the index alone:
/// (table, name, leading columns, columns after the dimensions). They lead
/// with what a report ranges over (an instant, or for medians the value),
/// then the dimensions, then what is counted or summed.
const INDEXES: [(&str, &str, &[&str], &[&str]); 12] = [
    (
        "duration_samples",
        "ix_kpi_durations_completed",
        &["figure", "completed_at"],
        &["superseded_at", "calendar_us", "business_us"],
    ),
    (
        "duration_samples",
        "ix_kpi_durations_calendar",
        &["figure", "calendar_us"],
        &["completed_at", "superseded_at"],
    ),
    (
        "duration_samples",
        "ix_kpi_durations_business",
        &["figure", "business_us"],
        &["completed_at", "superseded_at"],
    ),
    (
        "ticket_facts",
        "ix_kpi_facts_created_dims",
        &["created_at"],
        &["ticket_id"],
    ),
    (
        "ticket_facts",
        "ix_kpi_facts_solved_dims",
        &["first_solved_at"],
        &[
            "fcr_eligible",
            "customer_created",
            "first_reopened_at",
            "replies_before_first_solve",
            "assignee_stations_before_first_solve",
        ],
    ),
    (
        "ticket_solves",
        "ix_kpi_solves_solved_dims",
        &["solved_at"],
        &["previous_solved_at", "ticket_id"],
    ),
    (
        "ticket_solves",
        "ix_kpi_solves_reopened_dims",
        &["reopened_at"],
        &["ticket_id"],
    ),
    (
        "ticket_solves",
        "ix_kpi_solves_created_dims",
        &["ticket_created_at"],
        &["solved_at", "reopened_at"],
    ),
    (
        "survey_responses",
        "ix_kpi_surveys_answered_dims",
        &["answered_at"],
        &["survey", "score"],
    ),
    ("overdue_spans", "ix_kpi_overdue_after", &["counts_after"], &[]),
    ("overdue_spans", "ix_kpi_overdue_until", &["counts_until"], &[]),
    (
        "sla_targets",
        "ix_kpi_sla_decided_dims",
        &["state", "decided_at"],
        &["target", "met_at", "ticket_id"],
    ),
];

async fn indexes(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    for (table, name, head, tail) in INDEXES {
        let mut stmt = Index::create().name(name).table(Alias::new(table)).to_owned();
        for col in head.iter().chain(DIMS.iter()).chain(tail.iter()) {
            stmt.col(Alias::new(*col));
        }
        m.create_index(stmt).await?;
    }
    Ok(())
}

async fn add_dimensions(m: &SchemaManager<'_>, table: Dimensioned) -> Result<(), DbErr> {
    // Defaults only for the rows already there; they are filled in below,
    // and every later write sets them.
    add_column(m, table, boolean(Dim::Merged).default(false).to_owned()).await?;
    add_column(m, table, string(Dim::Channel).default("").to_owned()).await?;
    add_column(m, table, string(Dim::Priority).default("").to_owned()).await?;
    add_column(m, table, uuid_null(Dim::TeamId)).await?;
    add_column(m, table, uuid_null(Dim::AssigneeId)).await
}

async fn add_column(m: &SchemaManager<'_>, table: Dimensioned, column: ColumnDef) -> Result<(), DbErr> {
    // SQLite alters one column per statement.
    let mut column = column;
    m.alter_table(Table::alter().table(table).add_column(&mut column).to_owned())
        .await
}

/// The tables whose rows now carry their ticket's dimensions.
#[derive(DeriveIden, Clone, Copy)]
enum Dimensioned {
    TicketFacts,
    TicketSolves,
    SurveyResponses,
    SlaTargets,
}

#[derive(DeriveIden, Clone, Copy)]
enum Dim {
    Merged,
    Channel,
    Priority,
    TeamId,
    AssigneeId,
    FcrEligible,
    TicketCreatedAt,
    PreviousSolvedAt,
}

#[derive(DeriveIden)]
#[allow(clippy::enum_variant_names)] // the dropped columns, named as they were
enum OldFacts {
    FirstResponseCalendarUs,
    FirstResponseBusinessUs,
    ResolutionCalendarUs,
    ResolutionBusinessUs,
}

#[derive(DeriveIden, Clone, Copy)]
enum DurationSamples {
    Table,
    TicketId,
    Figure,
    Seq,
    StartedAt,
    CompletedAt,
    SupersededAt,
    CalendarUs,
    BusinessUs,
}

#[derive(DeriveIden)]
enum OverdueSpans {
    Table,
    TicketId,
    Seq,
    CountsAfter,
    CountsUntil,
}

#[derive(DeriveIden)]
enum ResponseSamples {
    Table,
}

#[derive(DeriveIden)]
enum Tickets {
    Table,
    Id,
}
