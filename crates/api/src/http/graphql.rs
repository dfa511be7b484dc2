use async_graphql::Data;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::extract::State;
use axum::extract::WebSocketUpgrade;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::response::Html;
use axum::response::Response;

use crate::AppState;
use crate::auth::viewer::Authentication;
use crate::graphql::{AppSchema, loader};

#[derive(Clone)]
pub(super) struct GraphqlState {
    pub app: AppState,
    pub schema: AppSchema,
}

/// Runs one GraphQL operation (batches are not accepted: complexity limits
/// apply per operation, and a batch would multiply them).
pub(super) async fn execute(
    State(state): State<GraphqlState>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse {
    let auth = authenticate(&state.app, &headers);
    let request = request.into_inner().data(auth).data(loader(&state.app));
    let mut response = state.schema.execute(request).await;
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        // Our resolvers always set a code; errors without one come from
        // parsing or validating the operation itself: the client's input.
        if extensions.get("code").is_none() {
            extensions.set("code", "BAD_USER_INPUT");
        }
    }
    response.into()
}

pub(super) fn authenticate(state: &AppState, headers: &HeaderMap) -> Authentication {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Authentication::Missing;
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
    match token
        .map(str::trim)
        .and_then(|t| state.jwt.verify(t, state.clock.now()))
    {
        Some(viewer) => Authentication::Valid(viewer),
        None => Authentication::Invalid,
    }
}

/// Subscriptions over `graphql-transport-ws` (and the older `graphql-ws`).
/// Agents authenticate in `connection_init` with `{"authorization": "Bearer <jwt>"}`
/// (or `{"token": "<jwt>"}`); chat visitors need no token there, their chat
/// token is the subscription's argument.
pub(super) async fn websocket(
    State(state): State<GraphqlState>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade.protocols(ALL_WEBSOCKET_PROTOCOLS).on_upgrade(move |socket| {
        let app = state.app.clone();
        GraphQLWebSocket::new(socket, state.schema.clone(), protocol)
            .on_connection_init(move |payload| async move {
                let token = payload
                    .get("authorization")
                    .or_else(|| payload.get("Authorization"))
                    .and_then(|v| v.as_str())
                    .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).to_owned())
                    .or_else(|| payload.get("token").and_then(|v| v.as_str()).map(str::to_owned));
                let auth = match token {
                    None => Authentication::Missing,
                    Some(t) => app
                        .jwt
                        .verify(t.trim(), app.clock.now())
                        .map_or(Authentication::Invalid, Authentication::Valid),
                };
                let mut data = Data::default();
                data.insert(auth);
                data.insert(loader(&app));
                Ok(data)
            })
            .serve()
    })
}

/// The interactive GraphQL IDE.
pub(super) async fn ide() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .title("helpdesk GraphQL")
            .finish(),
    )
}
