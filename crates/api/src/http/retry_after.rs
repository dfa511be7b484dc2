//! A 503 says when to come back: every "service unavailable" the desk
//! answers (its store is gone or overloaded, on any route) carries
//! `Retry-After`, so mail servers, form posts and API clients retry later
//! instead of giving up or hammering.

use axum::extract::Request;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::UNAVAILABLE_RETRY_SECS;

/// Adds `Retry-After` to a 503 that does not carry one already (GraphQL's
/// `UNAVAILABLE` sets its own, the same wait).
pub(crate) async fn add(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if response.status() == StatusCode::SERVICE_UNAVAILABLE && !response.headers().contains_key(RETRY_AFTER) {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(UNAVAILABLE_RETRY_SECS));
    }
    response
}
