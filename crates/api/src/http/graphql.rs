use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::response::Html;

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
    state.schema.execute(request).await.into()
}

fn authenticate(state: &AppState, headers: &HeaderMap) -> Authentication {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Authentication::Missing;
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
    match token.map(str::trim).and_then(|t| state.jwt.verify(t)) {
        Some(viewer) => Authentication::Valid(viewer),
        None => Authentication::Invalid,
    }
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
