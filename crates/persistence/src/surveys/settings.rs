//! The desk's survey settings, one JSON value in the settings table.

use helpdesk_domain::survey::SurveySettings;
use sea_orm::{ConnectionTrait, EntityTrait};

use crate::entity::setting;
use crate::{Store, StoreError};

const KEY: &str = "surveys.settings";

/// The settings as stored, or the defaults when an admin never saved any.
pub(crate) async fn load<C: ConnectionTrait>(db: &C) -> Result<SurveySettings, StoreError> {
    let Some(row) = setting::Entity::find_by_id(KEY.to_owned()).one(db).await? else {
        return Ok(SurveySettings::default());
    };
    serde_json::from_str(&row.value).map_err(|_| StoreError::Corrupt {
        column: "settings.value (surveys.settings)",
        value: row.value,
    })
}

impl Store {
    pub async fn survey_settings(&self) -> Result<SurveySettings, StoreError> {
        load(self.db()).await
    }

    /// Saves `settings` after the domain checked them; they apply to
    /// invitations queued and sent from now on.
    pub async fn set_survey_settings(&self, settings: &SurveySettings) -> Result<(), StoreError> {
        settings.validate()?;
        let value = serde_json::to_string(settings).map_err(|e| StoreError::Corrupt {
            column: "settings.value (surveys.settings)",
            value: e.to_string(),
        })?;
        self.set_setting(KEY, &value).await
    }
}
