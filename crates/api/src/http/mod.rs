//! The HTTP surface: routes, and the layers every request passes.

mod attachment;
mod body_deadline;
pub(crate) mod client_address;
mod csv;
mod graphiql;
mod graphql;
mod health;
mod inbound_email;
mod kpi_export;
mod plain;
pub(crate) mod rate_limit;
mod retry_after;
mod security_headers;
pub(crate) mod server;
mod survey_page;
mod survey_view;
pub(crate) mod telemetry;
mod webform;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post};
use tower_http::trace::TraceLayer;

use crate::AppState;
use crate::graphql::build_schema;

/// Largest form post accepted (the longest valid message is 20,000 characters).
const WEBFORM_BODY_LIMIT: usize = 256 * 1024;

/// Largest survey answer accepted: a 5,000-character comment, percent-encoded.
const SURVEY_BODY_LIMIT: usize = 64 * 1024;

/// The application's routes, ready to serve.
pub fn router(state: AppState) -> Router {
    let schema = build_schema(state.clone());
    let state_for_telemetry = state.clone();
    // Without the IDE, `GET /graphql` is not found, as if never there.
    let graphql_route = if state.graphiql {
        get(graphiql::page).post(graphql::execute)
    } else {
        get(|| async { StatusCode::NOT_FOUND }).post(graphql::execute)
    };
    let mut graphql = Router::new()
        .route("/graphql", graphql_route)
        .route("/graphql/ws", get(graphql::websocket))
        // `graphql::execute` limits its body itself: by content type and
        // only once it knows the caller.
        .with_state(graphql::GraphqlState {
            app: state.clone(),
            schema,
        });
    if state.graphiql {
        graphql = graphql.merge(graphiql::routes());
    }
    let body_deadline = body_deadline::BodyDeadline(state.http.body_read_timeout);
    let hsts = security_headers::Hsts::max_age(state.http.hsts_max_age_secs);
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(telemetry::render))
        .route("/exports/kpis.csv", get(kpi_export::export))
        .route("/attachments/{id}", get(attachment::download))
        // Reads its body itself, after checking the token, up to this limit.
        .route("/inbound/email", post(inbound_email::receive))
        .route(
            "/inbound/webform/{form_key}",
            post(webform::receive).layer(DefaultBodyLimit::max(WEBFORM_BODY_LIMIT)),
        )
        .route(
            "/survey/{token}",
            get(survey_page::show)
                .post(survey_page::submit)
                .layer(DefaultBodyLimit::max(SURVEY_BODY_LIMIT)),
        )
        .route(
            "/survey",
            get(survey_page::missing_token).post(survey_page::missing_token),
        )
        .route(
            "/survey/",
            get(survey_page::missing_token).post(survey_page::missing_token),
        )
        .with_state(state)
        .merge(graphql)
        // A route layer runs after routing, so it sees the route template.
        .route_layer(axum::middleware::from_fn_with_state(
            state_for_telemetry,
            telemetry::track,
        ))
        .layer(axum::middleware::from_fn_with_state(
            body_deadline,
            body_deadline::limit,
        ))
        .layer(axum::middleware::from_fn(retry_after::add))
        .layer(axum::middleware::from_fn_with_state(hsts, security_headers::add))
        .layer(TraceLayer::new_for_http())
}
