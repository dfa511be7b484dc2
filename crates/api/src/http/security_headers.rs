//! The headers every response carries, so a browser neither sniffs types,
//! frames the desk, leaks its URLs in referrers nor runs anything a page did
//! not ask for.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;

/// The policy of every response but the IDE page (which sets its own): the
/// API answers JSON, CSV and text, none of which should load or run anything.
const DEFAULT_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// `Strict-Transport-Security`, when the desk is only reached over HTTPS
/// (`HELPDESK_HSTS_MAX_AGE_SECS`); `None` sends none.
#[derive(Debug, Clone)]
pub(crate) struct Hsts(pub Option<HeaderValue>);

impl Hsts {
    pub(crate) fn max_age(seconds: Option<u64>) -> Self {
        Self(seconds.map(|s| {
            HeaderValue::from_str(&format!("max-age={s}; includeSubDomains"))
                .unwrap_or(HeaderValue::from_static("max-age=31536000"))
        }))
    }
}

pub(crate) async fn add(State(hsts): State<Hsts>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if !headers.contains_key(CONTENT_SECURITY_POLICY) {
        headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(DEFAULT_POLICY));
    }
    if let Some(value) = &hsts.0 {
        headers.insert(STRICT_TRANSPORT_SECURITY, value.clone());
    }
    response
}
