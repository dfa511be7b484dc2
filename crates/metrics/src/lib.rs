//! KPI figures: every figure of `docs/kpis.md`, for a range, a time zone, a
//! period and a filter, composed from the exact integer tallies the store's
//! typed KPI reads return ([`KpiReader`]).
//!
//! This crate plans the buckets (where time zones are known), asks the
//! store for each group of figures inside one snapshot, adds the buckets'
//! tallies up into the whole range's, and forms the figures with the
//! domain's definitions. It speaks no SQL: the statements live in
//! `helpdesk-persistence`, the only crate that does. It may depend on
//! `helpdesk-domain` and `helpdesk-persistence`, never on `helpdesk-api` or
//! any HTTP/GraphQL crate.
//!
//! [`KpiReader`]: helpdesk_persistence::kpi::KpiReader

mod error;
mod query;
mod report;

pub use error::MetricsError;
pub use query::KpiQuery;
pub use report::{kpi_report, kpi_tallies};
