use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ticket_facts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub ticket_id: Uuid,
    pub created_at: DateTimeUtc,
    pub status: String,
    pub customer_created: Option<bool>,
    pub first_public_reply_at: Option<DateTimeUtc>,
    pub last_public_reply_at: Option<DateTimeUtc>,
    pub last_customer_message_at: Option<DateTimeUtc>,
    pub awaiting_reply_since: Option<DateTimeUtc>,
    pub public_replies: i32,
    pub customer_messages: i32,
    pub internal_notes: i32,
    pub replies_before_first_solve: i32,
    pub assignee_stations_before_first_solve: i32,
    pub last_assigned_agent_id: Option<Uuid>,
    pub first_solved_at: Option<DateTimeUtc>,
    pub latest_solved_at: Option<DateTimeUtc>,
    pub solves: i32,
    pub reopens: i32,
    pub first_reopened_at: Option<DateTimeUtc>,
    pub first_response_at: Option<DateTimeUtc>,
    pub business_stamp: String,
    pub merged: bool,
    pub channel: String,
    pub priority: String,
    pub team_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    pub fcr_eligible: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
