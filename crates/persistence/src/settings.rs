//! Desk-wide settings kept in the store (e.g. the generated JWT secret).

use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};

use crate::entity::setting;
use crate::{Store, StoreError};

/// The domain of the Message-IDs the desk makes, as the servers were
/// configured (`HELPDESK_MAIL_FROM`'s): mail the store composes itself (a
/// rule's reply) needs one, in the transaction that queues it.
const MESSAGE_ID_DOMAIN: &str = "mail.message_id_domain";

/// Until a server has recorded its own: never a real domain.
const NO_MESSAGE_ID_DOMAIN: &str = "helpdesk.invalid";

pub(crate) async fn message_id_domain(db: &impl ConnectionTrait) -> Result<String, StoreError> {
    Ok(setting::Entity::find_by_id(MESSAGE_ID_DOMAIN.to_owned())
        .one(db)
        .await?
        .map_or_else(|| NO_MESSAGE_ID_DOMAIN.to_owned(), |s| s.value))
}

impl Store {
    /// Records the domain of the Message-IDs this desk makes (see
    /// [`MESSAGE_ID_DOMAIN`]); every server does at its start.
    pub async fn record_message_id_domain(&self, domain: &str) -> Result<(), StoreError> {
        self.set_setting(MESSAGE_ID_DOMAIN, domain).await
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(setting::Entity::find_by_id(key.to_owned())
            .one(self.db())
            .await?
            .map(|s| s.value))
    }

    /// Stores `value` under `key` unless a value is there already, and returns
    /// whichever value is stored: two servers starting at once agree on one.
    pub async fn setting_or_insert(&self, key: &str, value: &str) -> Result<String, StoreError> {
        let row = setting::ActiveModel {
            key: Set(key.to_owned()),
            value: Set(value.to_owned()),
        };
        setting::Entity::insert(row)
            .on_conflict_do_nothing()
            .exec(self.db())
            .await?;
        self.setting(key).await?.ok_or_else(|| StoreError::not_found("setting"))
    }

    /// Stores `value` under `key`, replacing what was there.
    pub async fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let row = setting::ActiveModel {
            key: Set(key.to_owned()),
            value: Set(value.to_owned()),
        };
        setting::Entity::insert(row)
            .on_conflict(
                OnConflict::column(setting::Column::Key)
                    .update_column(setting::Column::Value)
                    .to_owned(),
            )
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Whether agents scoped to their teams also see tickets with no team.
    /// Off unless an admin turns it on.
    pub async fn teamless_tickets_visible(&self) -> Result<bool, StoreError> {
        Ok(self.setting(TEAMLESS_VISIBLE).await?.as_deref() == Some("true"))
    }

    pub async fn set_teamless_tickets_visible(&self, visible: bool) -> Result<(), StoreError> {
        self.set_setting(TEAMLESS_VISIBLE, if visible { "true" } else { "false" })
            .await
    }
}

const TEAMLESS_VISIBLE: &str = "access.teamless_tickets_visible";
