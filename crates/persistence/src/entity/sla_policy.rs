use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sla_policies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub name: String,
    pub position: i32,
    #[sea_orm(column_type = "Text")]
    pub priorities: String,
    #[sea_orm(column_type = "Text")]
    pub channels: String,
    #[sea_orm(column_type = "Text")]
    pub tags: String,
    pub targets: Json,
    pub warning_percent: i32,
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub calendar: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
