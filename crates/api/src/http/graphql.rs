use async_graphql::Data;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::header::{AUTHORIZATION, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::auth::viewer::{self, Authentication};
use crate::error::{RATE_LIMITED, UNAVAILABLE};
use crate::graphql::{AppSchema, loader};
use crate::http::client_address::{ClientAddress, client_address};
use crate::{ApiError, AppState};

#[derive(Clone)]
pub(super) struct GraphqlState {
    pub app: AppState,
    pub schema: AppSchema,
}

/// Runs one GraphQL operation (batches are not accepted: complexity limits
/// apply per operation, and a batch would multiply them). A rate-limited
/// operation answers HTTP 429 and one that found the store down 503, both
/// with `Retry-After`, as the other public endpoints do.
pub(super) async fn execute(
    State(state): State<GraphqlState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> Response {
    let auth = match authenticate(&state.app, &headers).await {
        Ok(auth) => auth,
        Err(err) => {
            let err = async_graphql::Error::from(err).into_server_error(async_graphql::Pos::default());
            return with_retry_status(async_graphql::Response::from_errors(vec![err]));
        }
    };
    let client = ClientAddress(client_address(peer.ip(), &headers, &state.app.limits.trusted_proxies));
    let loader = loader(&state.app, &auth);
    let request = request.into_inner().data(auth).data(client).data(loader);
    let mut response = state.schema.execute(request).await;
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        // Our resolvers always set a code; errors without one come from
        // parsing or validating the operation itself: the client's input.
        if extensions.get("code").is_none() {
            extensions.set("code", "BAD_USER_INPUT");
        }
    }
    with_retry_status(response)
}

/// The HTTP answer to `response`: 429 when it was rate limited and 503 when
/// the store was unavailable, each with `Retry-After`, so proxies and
/// clients can back off without reading the body; 200 otherwise.
fn with_retry_status(response: async_graphql::Response) -> Response {
    let retry = response.errors.iter().find_map(|error| {
        let extensions = error.extensions.as_ref()?;
        let status = match extensions.get("code") {
            Some(async_graphql::Value::String(c)) if c == RATE_LIMITED => StatusCode::TOO_MANY_REQUESTS,
            Some(async_graphql::Value::String(c)) if c == UNAVAILABLE => StatusCode::SERVICE_UNAVAILABLE,
            _ => return None,
        };
        match extensions.get("retryAfter") {
            Some(async_graphql::Value::Number(n)) => n.as_u64().map(|seconds| (status, seconds)),
            _ => None,
        }
    });
    let mut http = GraphQLResponse::from(response).into_response();
    if let Some((status, seconds)) = retry {
        *http.status_mut() = status;
        http.headers_mut().insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    http
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
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    // Operations sent over the socket (a mutation may be) are limited as the
    // same client.
    let client = ClientAddress(client_address(peer.ip(), &headers, &state.app.limits.trusted_proxies));
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
                data.insert(client);
                Ok(data)
            })
            .serve()
    })
}
