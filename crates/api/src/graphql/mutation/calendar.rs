use async_graphql::{Context, InputObject, Object};
use chrono::NaiveTime;
use chrono_tz::Tz;
use helpdesk_domain::calendar::{BusinessCalendar as CalendarRecord, OpenInterval};

use crate::ApiError;
use crate::auth::viewer;
use crate::error::ApiResult;
use crate::graphql::types::calendar::{BusinessCalendar, Date, Weekday};
use crate::graphql::types::state;

#[derive(Default)]
pub(crate) struct CalendarMutation;

#[derive(InputObject)]
pub(crate) struct OpenHoursInput {
    day: Weekday,
    /// Local time, `HH:MM`.
    open: String,
    /// Local time, `HH:MM`; before `open` for a shift across midnight.
    close: String,
}

#[derive(InputObject)]
#[graphql(name = "BusinessCalendarInput")]
pub(crate) struct BusinessCalendarInput {
    /// IANA time zone, e.g. `Europe/Berlin`.
    timezone: String,
    /// Several intervals a day are allowed.
    weekly_hours: Vec<OpenHoursInput>,
    /// Local dates on which the desk is closed.
    holidays: Option<Vec<Date>>,
}

impl BusinessCalendarInput {
    pub(crate) fn into_calendar(self) -> ApiResult<CalendarRecord> {
        let tz: Tz = self
            .timezone
            .parse()
            .map_err(|_| ApiError::BadUserInput(format!("unknown time zone {:?}", self.timezone)))?;
        let intervals = self
            .weekly_hours
            .iter()
            .map(|h| Ok(OpenInterval::new(h.day.into(), time(&h.open)?, time(&h.close)?)))
            .collect::<ApiResult<Vec<_>>>()?;
        let holidays = self.holidays.unwrap_or_default().into_iter().map(|d| d.0);
        CalendarRecord::new(tz, intervals, holidays).map_err(|e| ApiError::BadUserInput(e.to_string()))
    }
}

fn time(raw: &str) -> ApiResult<NaiveTime> {
    NaiveTime::parse_from_str(raw, "%H:%M").map_err(|_| ApiError::BadUserInput(format!("{raw:?} is not an HH:MM time")))
}

#[Object]
impl CalendarMutation {
    /// Sets the desk's default business calendar (admin only). Running SLA
    /// targets on the BUSINESS clock are recomputed in the background.
    ///
    /// See docs/api.md#sla-policies-and-business-hours.
    async fn set_business_calendar(
        &self,
        ctx: &Context<'_>,
        input: BusinessCalendarInput,
    ) -> ApiResult<BusinessCalendar> {
        viewer::admin(ctx)?;
        let calendar = input.into_calendar()?;
        let state = state(ctx)?;
        let store = state.store.clone();
        store.set_business_calendar(&calendar).await?;
        let background = store.clone();
        let now = state.clock.now();
        tokio::spawn(async move {
            match background.refresh_open_sla_targets(now).await {
                Ok(n) => tracing::info!(tickets = n, "SLA targets recomputed for the new calendar"),
                Err(err) => tracing::error!(%err, "cannot recompute SLA targets"),
            }
        });
        Ok(BusinessCalendar::from(&calendar))
    }
}
