//! The GraphQL schema: roots, object types, inputs and data loaders.

mod cost;
mod introspection;
mod loaders;
mod mutation;
mod query;
mod subscription;
mod types;

use async_graphql::dataloader::{DataLoader, HashMapCache};
use async_graphql::{Schema, SchemaBuilder};
use helpdesk_domain::access::TicketAccess;

pub use loaders::StoreLoader;

use crate::AppState;
use crate::auth::viewer::Authentication;

pub type AppSchema = Schema<query::Query, mutation::Mutation, subscription::Subscription>;

fn builder() -> SchemaBuilder<query::Query, mutation::Mutation, subscription::Subscription> {
    Schema::build(query::Query, mutation::Mutation::default(), subscription::Subscription)
        // Bounds the work one request can ask for: pages and reports cost
        // what they make the store do (see `cost`).
        .limit_depth(12)
        .limit_complexity(cost::LIMIT)
}

/// The schema served for `state`.
pub fn build_schema(state: AppState) -> AppSchema {
    // Without the IDE, introspection is off too: a production desk does not
    // hand its whole API map to anyone who asks.
    let builder = if state.graphiql {
        builder()
    } else {
        builder()
            .disable_introspection()
            .extension(introspection::RefuseIntrospection)
    };
    builder.data(state).finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    let mut text = builder()
        .finish()
        .sdl_with_options(async_graphql::SDLExportOptions::new().sorted_fields());
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// The per-request loader that batches store lookups and remembers what it
/// loaded for the rest of the request.
pub(crate) fn loader(state: &AppState, auth: &Authentication) -> DataLoader<StoreLoader, HashMapCache> {
    // Callers who are not agents (chat visitors, the unauthenticated) reach
    // no ticket through the loader.
    let access = match auth {
        Authentication::Valid(viewer) => viewer.access.clone(),
        _ => TicketAccess::Teams {
            teams: Default::default(),
            teamless: false,
        },
    };
    DataLoader::with_cache(
        StoreLoader::new(state.store.clone(), state.store.scoped(access)),
        tokio::spawn,
        HashMapCache::default(),
    )
    .delay(std::time::Duration::from_millis(2))
}
