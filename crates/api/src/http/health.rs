use axum::extract::State;
use axum::http::StatusCode;

use crate::AppState;

/// 200 when the store answers, 503 otherwise.
pub(super) async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n"),
        Err(err) => {
            tracing::warn!(%err, "health check: store unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, "store unavailable\n")
        }
    }
}
