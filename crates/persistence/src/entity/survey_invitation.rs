use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_invitations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub survey: String,
    pub ticket_id: Uuid,
    pub customer_id: Uuid,
    pub state: String,
    pub due_at: DateTimeUtc,
    pub token_hash: Option<String>,
    pub sent_by: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub expires_at: Option<DateTimeUtc>,
    pub answered_at: Option<DateTimeUtc>,
    pub score: Option<i16>,
    #[sea_orm(column_type = "Text", nullable)]
    pub comment: Option<String>,
    pub locked_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
