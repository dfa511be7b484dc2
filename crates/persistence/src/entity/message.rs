use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub author: String,
    pub agent_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub channel: String,
    pub internal: bool,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub rfc_message_id: Option<String>,
    pub created_at: DateTimeUtc,
    #[sea_orm(column_type = "Text", nullable)]
    pub html_body: Option<String>,
    pub sender: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
