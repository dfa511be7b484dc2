use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub position: i32,
    pub active: bool,
    /// Rule events, comma separated.
    #[sea_orm(column_type = "Text")]
    pub events: String,
    /// The domain's `Conditions` as JSON.
    #[sea_orm(column_type = "Text")]
    pub conditions: String,
    /// The domain's `TicketActions` as JSON.
    #[sea_orm(column_type = "Text")]
    pub actions: String,
    /// A time-based rule's status and delay (both or neither).
    pub timer_status: Option<String>,
    pub timer_minutes: Option<i32>,
    /// The domain's `RuleNotify` as JSON; null: nobody is told.
    #[sea_orm(column_type = "Text", nullable)]
    pub notify: Option<String>,
    /// The domain's `RuleWebhook` as JSON; null: no call.
    #[sea_orm(column_type = "Text", nullable)]
    pub webhook: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
