use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sla_targets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub ticket_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub target: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub started_at: DateTimeUtc,
    pub policy_id: Uuid,
    pub due_at: Option<DateTimeUtc>,
    pub warn_at: Option<DateTimeUtc>,
    pub state: String,
    pub decided_at: Option<DateTimeUtc>,
    pub met_at: Option<DateTimeUtc>,
    pub warning_raised: bool,
    pub breach_raised: bool,
    pub merged: bool,
    pub channel: String,
    pub priority: String,
    pub team_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
