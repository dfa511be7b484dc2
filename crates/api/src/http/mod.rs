//! The HTTP surface: routes, and the layers every request passes.

mod csv;
mod graphql;
mod health;
mod inbound_email;
mod kpi_export;
pub(crate) mod rate_limit;
pub(crate) mod telemetry;
mod webform;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::AppState;
use crate::graphql::build_schema;

/// Largest form post accepted (the longest valid message is 20,000 characters).
const WEBFORM_BODY_LIMIT: usize = 256 * 1024;

/// Largest request body accepted on `/graphql` (a long reply fits easily).
const GRAPHQL_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// The application's routes, ready to serve.
pub fn router(state: AppState) -> Router {
    let schema = build_schema(state.clone());
    let state_for_telemetry = state.clone();
    let graphql = Router::new()
        .route("/graphql", get(graphql::ide).post(graphql::execute))
        .route("/graphql/ws", get(graphql::websocket))
        .layer(RequestBodyLimitLayer::new(GRAPHQL_BODY_LIMIT))
        .with_state(graphql::GraphqlState {
            app: state.clone(),
            schema,
        });
    // One byte over the channel's own limit still reaches the handler, which
    // answers 413 with a reason; far larger bodies are cut off by axum.
    let inbound_limit = state.mail.email.max_message_bytes.saturating_add(1);
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(telemetry::render))
        .route("/exports/kpis.csv", get(kpi_export::export))
        .route(
            "/inbound/email",
            post(inbound_email::receive).layer(DefaultBodyLimit::max(inbound_limit)),
        )
        .route(
            "/inbound/webform/{form_key}",
            post(webform::receive).layer(DefaultBodyLimit::max(WEBFORM_BODY_LIMIT)),
        )
        .with_state(state)
        .merge(graphql)
        // A route layer runs after routing, so it sees the route template.
        .route_layer(axum::middleware::from_fn_with_state(
            state_for_telemetry,
            telemetry::track,
        ))
        .layer(TraceLayer::new_for_http())
}
