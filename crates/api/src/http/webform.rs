//! `POST /inbound/webform/{formKey}`: a public form opens a ticket.

use std::net::SocketAddr;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use helpdesk_channels::webform::{Submission, submit};
use serde_json::json;

use crate::AppState;
use crate::http::client_address::client_address;
use crate::http::rate_limit::retry_after_secs;

pub(super) async fn receive(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let client = client_address(client.ip(), &headers, &state.limits.trusted_proxies);
    if let Err(wait) = state.limiters.webform.check(&client, state.clock.now()) {
        let seconds = retry_after_secs(wait).to_string();
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(RETRY_AFTER, seconds)],
            Json(json!({ "error": "too many requests" })),
        )
            .into_response();
    }
    let form = match state.store.web_form(&key).await {
        Ok(Some(form)) => form,
        Ok(None) => return error(StatusCode::NOT_FOUND, "no such form"),
        Err(err) => {
            tracing::error!(%err, "web form lookup failed");
            return error(StatusCode::SERVICE_UNAVAILABLE, "store unavailable; retry later");
        }
    };
    let is_json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let post: Submission = if is_json {
        match serde_json::from_slice(&body) {
            Ok(post) => post,
            Err(err) => return error(StatusCode::BAD_REQUEST, &format!("invalid JSON: {err}")),
        }
    } else {
        match decode_form(&body) {
            Some(post) => post,
            None => return error(StatusCode::BAD_REQUEST, "invalid form encoding"),
        }
    };
    if post.is_bot() {
        // Looks like success, so the bot learns nothing; nothing is stored.
        tracing::info!(form = %key, "web form honeypot filled; post dropped");
        return (
            StatusCode::CREATED,
            Json(json!({ "ticketId": uuid::Uuid::now_v7().to_string() })),
        )
            .into_response();
    }
    let valid = match post.validate() {
        Ok(valid) => valid,
        Err(errors) => return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({ "errors": errors }))).into_response(),
    };
    match submit(&state.store, &state.mail.email, &form, valid, state.clock.now()).await {
        Ok(ticket) => (StatusCode::CREATED, Json(json!({ "ticketId": ticket.id.to_string() }))).into_response(),
        Err(err) => {
            tracing::error!(%err, "web form submission failed");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "could not file the request; retry later",
            )
        }
    }
}

/// Decodes `application/x-www-form-urlencoded` (the default for HTML forms).
fn decode_form(body: &[u8]) -> Option<Submission> {
    let mut post = Submission::default();
    for (key, value) in form_urlencoded::parse(body) {
        let value = Some(value.into_owned());
        match key.as_ref() {
            "name" => post.name = value,
            "email" => post.email = value,
            "subject" => post.subject = value,
            "message" => post.message = value,
            helpdesk_channels::webform::HONEYPOT_FIELD => post.honeypot = value,
            _ => {}
        }
    }
    std::str::from_utf8(body).ok().map(|_| post)
}

fn error(status: StatusCode, reason: &str) -> Response {
    (status, Json(json!({ "error": reason }))).into_response()
}
