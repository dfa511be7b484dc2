use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "customers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: Option<String>,
    pub created_at: DateTimeUtc,
    /// False for a chat visitor's contact until the claimed address is verified.
    pub verified: bool,
    /// The address an unverified contact claims; not an identity.
    pub claimed_email: Option<String>,
    /// The customer this one was merged into (then it owns nothing).
    pub merged_into_id: Option<Uuid>,
    pub merged_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
