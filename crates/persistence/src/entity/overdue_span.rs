use sea_orm::entity::prelude::*;

/// The ticket counts in overdueBacklog at every T with
/// `counts_after < T <= counts_until`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "overdue_spans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub ticket_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i32,
    pub counts_after: DateTimeUtc,
    pub counts_until: Option<DateTimeUtc>,
    pub merged: bool,
    pub channel: String,
    pub priority: String,
    pub team_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
