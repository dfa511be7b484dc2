//! What a report is asked for.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use helpdesk_domain::kpi::{KpiFilter, Period};
use helpdesk_domain::sla::Clock;

use crate::MetricsError;

#[derive(Debug, Clone)]
pub struct KpiQuery {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub timezone: Tz,
    pub group_by: Option<Period>,
    pub clock: Clock,
    pub filter: KpiFilter,
}

impl KpiQuery {
    /// Reads an IANA zone name ("UTC", "Europe/Berlin").
    pub fn zone(name: &str) -> Result<Tz, MetricsError> {
        name.parse().map_err(|_| MetricsError::UnknownTimeZone(name.to_owned()))
    }
}
