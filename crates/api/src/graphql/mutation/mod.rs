//! Mutations, grouped by what they change.

mod admin;
mod auth;
mod calendar;
mod chat;
mod customers;
mod forms;
mod held_mail;
mod macros;
mod routing;
mod rules;
mod sla;
mod surveys;
mod tickets;
pub(crate) mod webhooks;

use async_graphql::MergedObject;

#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct Mutation(
    auth::AuthMutation,
    tickets::TicketMutation,
    admin::AdminMutation,
    chat::ChatMutation,
    customers::CustomerMutation,
    forms::FormMutation,
    sla::SlaMutation,
    calendar::CalendarMutation,
    held_mail::HeldMailMutation,
    surveys::SurveyMutation,
    webhooks::WebhookMutation,
    macros::MacroMutation,
    rules::RuleMutation,
    routing::RoutingMutation,
);
