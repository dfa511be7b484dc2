//! KPI queries: every figure of `shared/spec/metrics.md`, computed in SQL over
//! the per-ticket metric facts and the event log that `helpdesk-persistence`
//! keeps current, grouped into buckets by the database (never by loading
//! every row into Rust).
//!
//! Empty until the KPI issue lands; the crate exists so the dependency
//! direction is fixed from the start. It may depend on `helpdesk-domain` and
//! `helpdesk-persistence`, never on `helpdesk-api` or any GraphQL crate.
