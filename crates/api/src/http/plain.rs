//! The short plain-text answers of the HTTP routes that are not GraphQL:
//! a status and one line saying why.

use axum::http::header::WWW_AUTHENTICATE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// `status` with `reason` as the body.
pub(super) fn plain(status: StatusCode, reason: &str) -> Response {
    (status, format!("{reason}\n")).into_response()
}

/// `401` asking for a bearer token, with `reason`.
pub(super) fn unauthorized(reason: &str) -> Response {
    let mut response = plain(StatusCode::UNAUTHORIZED, reason);
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}
