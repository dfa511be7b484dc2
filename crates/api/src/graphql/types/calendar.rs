//! The business calendar as GraphQL sees it.

use async_graphql::{Enum, InputValueError, InputValueResult, Scalar, ScalarType, SimpleObject, Value};
use chrono::{NaiveDate, NaiveTime};
use helpdesk_domain::calendar::BusinessCalendar as CalendarRecord;

/// A calendar date, `YYYY-MM-DD` (a local date in the calendar's zone).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Date(pub NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom(format!("{s:?} is not a YYYY-MM-DD date"))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "Weekday", remote = "chrono::Weekday")]
pub(crate) enum Weekday {
    #[graphql(name = "MONDAY")]
    Mon,
    #[graphql(name = "TUESDAY")]
    Tue,
    #[graphql(name = "WEDNESDAY")]
    Wed,
    #[graphql(name = "THURSDAY")]
    Thu,
    #[graphql(name = "FRIDAY")]
    Fri,
    #[graphql(name = "SATURDAY")]
    Sat,
    #[graphql(name = "SUNDAY")]
    Sun,
}

/// Open hours on one weekday, local `HH:MM`; `close` before `open` is a
/// shift across midnight, belonging to the day it opens.
#[derive(SimpleObject)]
pub(crate) struct OpenHours {
    pub day: Weekday,
    pub open: String,
    pub close: String,
}

/// The desk's business calendar.
#[derive(SimpleObject)]
pub(crate) struct BusinessCalendar {
    /// IANA time zone.
    pub timezone: String,
    pub weekly_hours: Vec<OpenHours>,
    pub holidays: Vec<Date>,
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

impl From<&CalendarRecord> for BusinessCalendar {
    fn from(c: &CalendarRecord) -> Self {
        Self {
            timezone: c.time_zone().name().to_owned(),
            weekly_hours: c
                .intervals()
                .iter()
                .map(|i| OpenHours {
                    day: i.day.into(),
                    open: hhmm(i.open),
                    close: hhmm(i.close),
                })
                .collect(),
            holidays: c.holidays().iter().copied().map(Date).collect(),
        }
    }
}
