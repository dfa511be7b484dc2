//! The reference: every figure computed straight from ticket histories, by
//! the definitions in `metrics.md`. Slow and obvious on purpose; the SQL in
//! `crates/metrics` must agree with it.
