//! Business calendars as stored: the desk's default in the settings, and a
//! policy's own next to the policy, both as JSON.

use chrono::{NaiveDate, NaiveTime, Weekday};
use helpdesk_domain::calendar::{BusinessCalendar, OpenInterval};
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use serde::{Deserialize, Serialize};

use crate::entity::setting;
use crate::{Store, StoreError};

const KEY: &str = "business_calendar";

#[derive(Serialize, Deserialize)]
struct StoredCalendar {
    timezone: String,
    intervals: Vec<StoredInterval>,
    holidays: Vec<NaiveDate>,
}

#[derive(Serialize, Deserialize)]
struct StoredInterval {
    day: Weekday,
    open: NaiveTime,
    close: NaiveTime,
}

fn corrupt(value: impl ToString) -> StoreError {
    StoreError::Corrupt {
        column: "business calendar",
        value: value.to_string(),
    }
}

pub(crate) fn encode(calendar: &BusinessCalendar) -> Result<String, StoreError> {
    let stored = StoredCalendar {
        timezone: calendar.time_zone().name().to_owned(),
        intervals: calendar
            .intervals()
            .iter()
            .map(|i| StoredInterval {
                day: i.day,
                open: i.open,
                close: i.close,
            })
            .collect(),
        holidays: calendar.holidays().iter().copied().collect(),
    };
    serde_json::to_string(&stored).map_err(corrupt)
}

pub(crate) fn decode(text: &str) -> Result<BusinessCalendar, StoreError> {
    let stored: StoredCalendar = serde_json::from_str(text).map_err(corrupt)?;
    let tz = stored.timezone.parse().map_err(|_| corrupt(&stored.timezone))?;
    let intervals = stored
        .intervals
        .into_iter()
        .map(|i| OpenInterval::new(i.day, i.open, i.close));
    BusinessCalendar::new(tz, intervals, stored.holidays).map_err(corrupt)
}

/// The desk's calendar, if one was set.
pub(crate) async fn load<C: ConnectionTrait>(db: &C) -> Result<Option<BusinessCalendar>, StoreError> {
    let Some(row) = setting::Entity::find_by_id(KEY.to_owned()).one(db).await? else {
        return Ok(None);
    };
    decode(&row.value).map(Some)
}

impl Store {
    pub async fn business_calendar(&self) -> Result<Option<BusinessCalendar>, StoreError> {
        load(self.db()).await
    }

    /// Sets the desk's default calendar. Targets already running keep their
    /// stored deadlines until [`Store::refresh_open_sla_targets`] recomputes them.
    pub async fn set_business_calendar(&self, calendar: &BusinessCalendar) -> Result<(), StoreError> {
        let row = setting::ActiveModel {
            key: Set(KEY.to_owned()),
            value: Set(encode(calendar)?),
        };
        setting::Entity::insert(row)
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(setting::Column::Key)
                    .update_column(setting::Column::Value)
                    .to_owned(),
            )
            .exec_without_returning(self.db())
            .await?;
        Ok(())
    }
}
