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

use crate::ApiError;
use crate::AppState;
use crate::auth::viewer::{self, Authentication};
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
    let auth = match authenticate(&state.app, &headers).await {
        Ok(auth) => auth,
        Err(err) => {
            let err = async_graphql::Error::from(err).into_server_error(async_graphql::Pos::default());
            return async_graphql::Response::from_errors(vec![err]).into();
        }
    };
    let loader = loader(&state.app, &auth);
    let request = request.into_inner().data(auth).data(loader);
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

/// Who the request's `Authorization` header names, checked against the
/// store. A malformed header is an invalid token, not a missing one.
pub(super) async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Authentication, ApiError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(Authentication::Missing);
    };
    match value.to_str().ok().and_then(viewer::bearer) {
        Some(token) => viewer::authenticate(state, Some(token)).await,
        None => Ok(Authentication::Invalid),
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
                    .map(|v| viewer::bearer(v).unwrap_or(v).to_owned())
                    .or_else(|| payload.get("token").and_then(|v| v.as_str()).map(str::to_owned));
                let auth = viewer::authenticate(&app, token.as_deref())
                    .await
                    .map_err(|err| async_graphql::Error::new(err.message()))?;
                let mut data = Data::default();
                data.insert(loader(&app, &auth));
                data.insert(auth);
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
