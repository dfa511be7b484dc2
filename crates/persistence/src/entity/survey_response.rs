use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_responses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub ticket_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i32,
    pub survey: String,
    pub score: i16,
    pub answered_at: DateTimeUtc,
    pub merged: bool,
    pub channel: String,
    pub priority: String,
    pub team_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    #[sea_orm(column_type = "Text", nullable)]
    pub comment: Option<String>,
    pub invitation_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
