//! `POST /inbound/email`: one raw RFC 5322 message from a mail server.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use helpdesk_channels::email::{IngestError, IngestOutcome, ingest};
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::AppState;

pub(super) async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(expected) = state.mail.inbound_token.as_deref() else {
        return error(
            StatusCode::NOT_FOUND,
            "inbound email is disabled: set HELPDESK_INBOUND_TOKEN",
        );
    };
    let presented = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !bool::from(presented.as_bytes().ct_eq(expected.as_bytes())) {
        return error(StatusCode::UNAUTHORIZED, "missing or wrong inbound token");
    }
    match ingest(&state.store, &state.mail.email, &body, state.clock.now()).await {
        Ok(IngestOutcome::Filed {
            ticket_id,
            message_id,
            duplicate,
        }) => Json(json!({
            "ticketId": ticket_id.to_string(),
            "messageId": message_id.to_string(),
            "duplicate": duplicate,
        }))
        .into_response(),
        // Accepted, not filed: kept for an admin to review (never refused,
        // or the sending server would bounce it back).
        Ok(IngestOutcome::Held {
            held_id,
            reason,
            duplicate,
        }) => (
            StatusCode::ACCEPTED,
            Json(json!({
                "heldMailId": held_id.to_string(),
                "reason": reason.as_str(),
                "duplicate": duplicate,
            })),
        )
            .into_response(),
        Err(err @ IngestError::TooLarge { .. }) => error(StatusCode::PAYLOAD_TOO_LARGE, &err.to_string()),
        Err(err @ (IngestError::Unparseable(_) | IngestError::Refused(_))) => {
            error(StatusCode::BAD_REQUEST, &err.to_string())
        }
        Err(IngestError::Unavailable(err)) => {
            tracing::warn!(%err, "inbound email: store unavailable");
            error(StatusCode::SERVICE_UNAVAILABLE, "store unavailable; retry later")
        }
        Err(IngestError::Store(err)) => {
            tracing::error!(%err, "inbound email: store error");
            error(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

fn error(status: StatusCode, reason: &str) -> Response {
    (status, Json(json!({ "error": reason }))).into_response()
}
