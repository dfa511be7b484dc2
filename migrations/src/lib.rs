//! Schema migrations for both stores (SQLite and PostgreSQL).
//!
//! One migration per schema change, never edited once released. The same
//! statements must run on both engines, so: one change per statement, foreign
//! keys declared inside `create_table`, enums stored as strings, instants as
//! `timestamp with time zone`. This crate must not depend on the domain: a
//! migration describes tables as they were when it was written.

use sea_orm_migration::prelude::*;

mod m20261129_000001_core;
mod m20261129_000002_email;
mod m20261129_000003_chat_and_forms;
mod m20261129_000004_sla;
mod m20261129_000005_kpis;
mod m20261129_000006_kpi_dimensions;
mod m20261202_000001_held_mail;
mod m20261202_000010_agent_access;
mod m20261202_000020_surveys;
mod m20261202_000030_chat_identity;
mod m20261203_000010_chat_presence;
mod m20261203_000030_ticket_queue_order;
mod m20261203_000040_ticket_counts;
mod m20261203_000050_ticket_number_sequence;
mod m20261203_000060_sla_pending_targets;
mod m20261203_000070_maintained_ticket_counts;
mod m20261203_000080_event_webhooks;
mod m20261203_000090_customer_merges;
mod m20261207_000010_ticket_search;
mod m20261207_000020_macros;
mod m20261207_000030_rules;
mod m20261207_000040_rule_timers;
mod m20261207_000050_routing;
mod m20261207_000060_rule_notices;
mod m20261207_000070_rule_webhooks;
mod m20261207_000080_ticket_web_form;

pub use sea_orm_migration::MigratorTrait;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_core::Migration),
            Box::new(m20261129_000002_email::Migration),
            Box::new(m20261129_000003_chat_and_forms::Migration),
            Box::new(m20261129_000004_sla::Migration),
            Box::new(m20261129_000005_kpis::Migration),
            Box::new(m20261129_000006_kpi_dimensions::Migration),
            Box::new(m20261202_000001_held_mail::Migration),
            Box::new(m20261202_000010_agent_access::Migration),
            Box::new(m20261202_000020_surveys::Migration),
            Box::new(m20261202_000030_chat_identity::Migration),
            Box::new(m20261203_000010_chat_presence::Migration),
            Box::new(m20261203_000030_ticket_queue_order::Migration),
            Box::new(m20261203_000040_ticket_counts::Migration),
            Box::new(m20261203_000050_ticket_number_sequence::Migration),
            Box::new(m20261203_000060_sla_pending_targets::Migration),
            Box::new(m20261203_000070_maintained_ticket_counts::Migration),
            Box::new(m20261203_000080_event_webhooks::Migration),
            Box::new(m20261203_000090_customer_merges::Migration),
            Box::new(m20261207_000010_ticket_search::Migration),
            Box::new(m20261207_000020_macros::Migration),
            Box::new(m20261207_000030_rules::Migration),
            Box::new(m20261207_000040_rule_timers::Migration),
            Box::new(m20261207_000050_routing::Migration),
            Box::new(m20261207_000060_rule_notices::Migration),
            Box::new(m20261207_000070_rule_webhooks::Migration),
            Box::new(m20261207_000080_ticket_web_form::Migration),
        ]
    }
}
