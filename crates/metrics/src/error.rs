use helpdesk_domain::kpi::PlanError;
use helpdesk_persistence::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    /// The range or grouping asked for cannot make a report.
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("unknown time zone {0:?}: use an IANA name such as Europe/Berlin")]
    UnknownTimeZone(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A figure's row did not have the shape its query promises.
    #[error("KPI query returned an unexpected row: {0}")]
    Row(String),
}

impl From<sea_orm::DbErr> for MetricsError {
    fn from(e: sea_orm::DbErr) -> Self {
        MetricsError::Row(e.to_string())
    }
}
