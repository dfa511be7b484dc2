//! KPI queries: every figure of `shared/spec/metrics.md`, computed in SQL over
//! the per-ticket metric facts, solve spans, response samples, survey answers
//! and SLA targets that `helpdesk-persistence` keeps in step with each
//! ticket's event log.
//!
//! Bucketing happens in the database: the buckets (planned in Rust, where
//! time zones are known) are bound as a `VALUES` list, samples join to the
//! bucket that contains their instant, and every figure comes back as a few
//! grouped rows of exact integer tallies ([`Tallies`]). The domain's
//! reference computes the same tallies from histories; a property test holds
//! the two together.
//!
//! The SQL here only reads, inside one snapshot ([`Store::snapshot`]); the
//! schema and every write belong to `helpdesk-persistence`. This crate may
//! depend on `helpdesk-domain` and `helpdesk-persistence`, never on
//! `helpdesk-api` or any HTTP/GraphQL crate.
//!
//! [`Tallies`]: helpdesk_domain::kpi::Tallies
//! [`Store::snapshot`]: helpdesk_persistence::Store::snapshot

mod error;
mod figures;
mod query;
mod report;
mod sql;

pub use error::MetricsError;
pub use query::KpiQuery;
pub use report::{kpi_report, kpi_tallies};
