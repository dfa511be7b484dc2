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
}
