//! GraphQL object, enum and input types, one concept per file.

pub(crate) mod actions_input;
pub(crate) mod agent;
pub(crate) mod calendar;
pub(crate) mod chat;
pub(crate) mod connection;
pub(crate) mod customer;
pub(crate) mod desk_access;
pub(crate) mod enums;
pub(crate) mod event;
pub(crate) mod held_mail;
pub(crate) mod kpi;
pub(crate) mod message;
pub(crate) mod rule;
pub(crate) mod saved_macro;
pub(crate) mod search;
pub(crate) mod sla;
pub(crate) mod survey;
pub(crate) mod survey_settings;
pub(crate) mod team;
pub(crate) mod ticket;
pub(crate) mod upload;
pub(crate) mod web_form;
pub(crate) mod webhook_subscription;

use async_graphql::dataloader::{DataLoader, HashMapCache};
use async_graphql::{Context, ID};

use crate::graphql::StoreLoader;
use crate::{ApiError, AppState};

pub(crate) fn state<'a>(ctx: &Context<'a>) -> Result<&'a AppState, ApiError> {
    ctx.data::<AppState>()
        .map_err(|e| ApiError::internal("schema built without state", e.message))
}

/// The requesting client's address, as the HTTP layer decided it.
pub(crate) fn client_address(ctx: &Context<'_>) -> Result<std::net::IpAddr, ApiError> {
    ctx.data::<crate::http::client_address::ClientAddress>()
        .map(|c| c.0)
        .map_err(|e| ApiError::internal("request without a client address", e.message))
}

pub(crate) type Loader = DataLoader<StoreLoader, HashMapCache>;

pub(crate) fn loader<'a>(ctx: &Context<'a>) -> Result<&'a Loader, ApiError> {
    ctx.data::<Loader>()
        .map_err(|e| ApiError::internal("request without loader", e.message))
}

/// Parses a GraphQL `ID` into a typed id; `what` names it in the error.
/// An optional list argument of GraphQL enums as domain values (absent: empty).
pub(crate) fn enum_list<T, U: From<T>>(values: Option<Vec<T>>) -> Vec<U> {
    values.unwrap_or_default().into_iter().map(Into::into).collect()
}

/// An optional list argument of ids (absent: empty); `what` names the
/// argument in the error.
pub(crate) fn id_list<T: std::str::FromStr>(ids: Option<Vec<ID>>, what: &str) -> Result<Vec<T>, ApiError> {
    ids.unwrap_or_default().iter().map(|id| parse_id(id, what)).collect()
}

/// An optional list argument of tags (absent: empty).
pub(crate) fn tag_list(tags: Option<Vec<String>>) -> Result<Vec<helpdesk_domain::tag::Tag>, ApiError> {
    Ok(tags
        .unwrap_or_default()
        .iter()
        .map(|t| helpdesk_domain::tag::Tag::parse(t))
        .collect::<Result<_, _>>()?)
}

pub(crate) fn parse_id<T: std::str::FromStr>(id: &ID, what: &str) -> Result<T, ApiError> {
    id.parse()
        .map_err(|_| ApiError::BadUserInput(format!("{what} is not a valid id: {:?}", id.as_str())))
}
