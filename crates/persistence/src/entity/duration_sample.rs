use sea_orm::entity::prelude::*;

/// One duration a KPI report aggregates; `figure` is a
/// [`crate::duration_figure`] code.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "duration_samples")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub ticket_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub figure: i16,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i32,
    pub started_at: DateTimeUtc,
    pub completed_at: DateTimeUtc,
    pub superseded_at: Option<DateTimeUtc>,
    pub calendar_us: i64,
    pub business_us: i64,
    pub merged: bool,
    pub channel: String,
    pub priority: String,
    pub team_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
