use async_graphql::Data;
use async_graphql::futures_util::{StreamExt, TryStreamExt};
use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, MultipartOptions};
use async_graphql_axum::{GraphQLProtocol, GraphQLResponse, GraphQLWebSocket};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::{ConnectInfo, Request, State, WebSocketUpgrade};
use axum::http::header::{AUTHORIZATION, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::auth::viewer::{self, Authentication};
use crate::error::{RATE_LIMITED, UNAVAILABLE};
use crate::graphql::{AppSchema, loader};
use crate::http::client_address::{ClientAddress, client_address};
use crate::{ApiError, AppState};

/// Largest body of an operation without files (a long reply fits easily).
/// A multipart request may carry the desk's attachment limit on top.
const OPERATION_BODY_LIMIT: u64 = 4 * 1024 * 1024;

/// How far past its limit a request body is still read (and dropped) so
/// that its sender gets the 413.
const DISCARD_AT_MOST: u64 = 64 * 1024 * 1024;

#[derive(Clone)]
pub(super) struct GraphqlState {
    pub app: AppState,
    pub schema: AppSchema,
}

/// Runs one GraphQL operation (batches are not accepted: complexity limits
/// apply per operation, and a batch would multiply them). A rate-limited
/// operation answers HTTP 429 and one that found the store down 503, both
/// with `Retry-After`, as the other public endpoints do.
///
/// Files come as a multipart request (the GraphQL multipart request spec),
/// only from an agent: the caller is known before a byte of the body is
/// read, so nobody else can make the desk buffer files. A body over its
/// limit is refused with 413, by its `Content-Length` before it is read.
pub(super) async fn execute(
    State(state): State<GraphqlState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let headers = parts.headers;
    let auth = match authenticate(&state.app, &headers).await {
        Ok(auth) => auth,
        Err(err) => {
            let err = async_graphql::Error::from(err).into_server_error(async_graphql::Pos::default());
            return with_retry_status(async_graphql::Response::from_errors(vec![err]));
        }
    };
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let multipart = content_type
        .as_deref()
        .is_some_and(|t| t.trim_start().to_ascii_lowercase().starts_with("multipart/"));
    if multipart && !matches!(auth, Authentication::Valid(_)) {
        // Closing: the body is not read, and is not worth reading.
        let mut response = refused(
            StatusCode::UNAUTHORIZED,
            ApiError::Unauthenticated("files can only be sent with an agent's access token"),
        );
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    let limit = if multipart {
        OPERATION_BODY_LIMIT.saturating_add(state.app.mail.attachments.max_total_bytes)
    } else {
        OPERATION_BODY_LIMIT
    };
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if let Some(length) = declared.filter(|length| *length > limit) {
        // Read and drop what the client is still sending, as nginx's
        // lingering close does: a client that is cut off mid-upload sees a
        // broken connection instead of this answer. Beyond a bound it is
        // cheaper to cut it off.
        if length - limit <= DISCARD_AT_MOST {
            let mut rest = body.into_data_stream();
            while let Some(Ok(_)) = rest.next().await {}
        }
        return too_large(limit);
    }
    let request = match read_operation(body, content_type, limit).await {
        Ok(request) => request,
        Err(BodyError::TooLarge) => return too_large(limit),
        Err(BodyError::Malformed(message)) => {
            return refused(StatusCode::BAD_REQUEST, ApiError::BadUserInput(message));
        }
    };
    let client = ClientAddress(client_address(peer.ip(), &headers, &state.app.limits.trusted_proxies));
    let loader = loader(&state.app, &auth);
    let request = request.data(auth).data(client).data(loader);
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

enum BodyError {
    TooLarge,
    Malformed(String),
}

/// Reads one operation (JSON, or multipart with its files) from `body`,
/// stopping at `limit` bytes.
async fn read_operation(
    body: axum::body::Body,
    content_type: Option<String>,
    limit: u64,
) -> Result<async_graphql::Request, BodyError> {
    let exceeded = Arc::new(AtomicBool::new(false));
    let mut read = 0u64;
    let stream = {
        let exceeded = Arc::clone(&exceeded);
        body.into_data_stream().map(move |chunk| {
            let chunk = chunk.map_err(std::io::Error::other)?;
            read = read.saturating_add(chunk.len() as u64);
            if read > limit {
                // The parser sees only an I/O error (inside multipart's own);
                // the flag says which it was.
                exceeded.store(true, Ordering::Relaxed);
                return Err(std::io::Error::other("request body too large"));
            }
            Ok(chunk)
        })
    };
    let parsed = async_graphql::http::receive_body(
        content_type,
        stream.into_async_read(),
        // The whole body is bounded above; each file's size and the number
        // of files are checked by the mutation, which can name the file.
        MultipartOptions::default(),
    )
    .await;
    match parsed {
        Ok(request) => Ok(request),
        Err(_) if exceeded.load(Ordering::Relaxed) => Err(BodyError::TooLarge),
        Err(err) => Err(BodyError::Malformed(err.to_string())),
    }
}

/// 413, closing the connection: what is left of the body is not read.
fn too_large(limit: u64) -> Response {
    let mut response = refused(
        StatusCode::PAYLOAD_TOO_LARGE,
        ApiError::BadUserInput(format!("the request is larger than {limit} bytes")),
    );
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A GraphQL-shaped error with its HTTP status, answered without running
/// the operation.
fn refused(status: StatusCode, err: ApiError) -> Response {
    let err = async_graphql::Error::from(err).into_server_error(async_graphql::Pos::default());
    let mut http = GraphQLResponse::from(async_graphql::Response::from_errors(vec![err])).into_response();
    *http.status_mut() = status;
    http
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
