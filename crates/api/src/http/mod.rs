//! The HTTP surface: routes, and the layers every request passes.

mod graphql;
mod health;

use axum::Router;
use axum::routing::get;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::AppState;
use crate::graphql::build_schema;

/// Largest request body accepted on `/graphql` (a long reply fits easily).
const GRAPHQL_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// The application's routes, ready to serve.
pub fn router(state: AppState) -> Router {
    let schema = build_schema(state.clone());
    let graphql = Router::new()
        .route("/graphql", get(graphql::ide).post(graphql::execute))
        .layer(RequestBodyLimitLayer::new(GRAPHQL_BODY_LIMIT))
        .with_state(graphql::GraphqlState {
            app: state.clone(),
            schema,
        });
    Router::new()
        .route("/healthz", get(health::healthz))
        .with_state(state)
        .merge(graphql)
        .layer(TraceLayer::new_for_http())
}
