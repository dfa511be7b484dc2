//! The HTTP and GraphQL edge: the axum router, the async-graphql schema,
//! authentication (argon2 passwords, HS256 JWTs) and the mapping of every
//! error to a stable `extensions.code`.
//!
//! Resolvers translate between GraphQL and the store; they hold no workflow
//! rules (those live in `helpdesk-domain`) and write no SQL (that lives in
//! `helpdesk-persistence`). Nothing inside the workspace depends on this crate
//! except the `helpdesk` binary.

mod app;
mod auth;
mod bootstrap;
mod chat;
mod error;
mod graphql;
mod http;
mod state;

pub use app::{App, AppConfig, AppError, WorkerSet, Workers};
pub use auth::password;
pub use bootstrap::{AdminBootstrap, BootstrapError, ensure_admin, jwt_secret};
pub use error::ApiError;
pub use graphql::{AppSchema, build_schema, sdl};
pub use http::router;
pub use state::{AppState, AuthConfig, MailConfig};
