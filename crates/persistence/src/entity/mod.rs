//! sea-orm entities, one per table, mirroring `migrations`. Columns hold
//! store types (strings for enums, UUIDs for ids); repositories convert to
//! domain types at the edge of this crate.

pub mod agent;
pub mod agent_availability;
pub mod agent_capacity;
pub mod attachment;
pub mod chat_presence;
pub mod chat_session;
pub mod chat_verification;
pub mod counter;
pub mod customer;
pub mod customer_identity;
pub mod duration_sample;
pub mod held_mail;
pub mod message;
pub mod outbox;
pub mod overdue_span;
pub mod rule;
pub mod saved_macro;
pub mod setting;
pub mod sla_policy;
pub mod sla_target;
pub mod survey_invitation;
pub mod survey_response;
pub mod team;
pub mod team_member;
pub mod team_routing;
pub mod ticket;
pub mod ticket_event;
pub mod ticket_fact;
pub mod ticket_solve;
pub mod ticket_tag;
pub mod web_form;
pub mod webhook_delivery;
pub mod webhook_subscription;
