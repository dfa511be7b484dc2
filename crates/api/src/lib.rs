//! The HTTP and GraphQL edge: the axum router, the async-graphql schema,
//! authentication (argon2 passwords, HS256 JWTs) and the mapping of every
//! error to a stable `extensions.code`.
//!
//! Resolvers and HTTP handlers translate between GraphQL or HTTP and the
//! crates below; they hold no workflow rules (those live in `helpdesk-domain`
//! and the store's write path), no channel rules (mail, web forms and chat
//! live in `helpdesk-channels`; this crate only holds the process's
//! `ChatPresence` and passes it in) and write no SQL (that lives in
//! `helpdesk-persistence`). A resolver may ask a domain rule early, before
//! any lookup, so that a request breaking it is refused the same way
//! whatever else is wrong with it. Nothing inside the workspace depends on
//! this crate except the `helpdesk` binary.

mod app;
mod auth;
mod bootstrap;
mod error;
mod graphql;
mod http;
mod state;

pub use app::{App, AppConfig, AppError, MailboxPolling, Served, WorkerSet, Workers};
pub use auth::password;
pub use bootstrap::{AdminBootstrap, BootstrapError, MIN_JWT_SECRET_BYTES, ensure_admin, jwt_secret};
pub use error::ApiError;
pub use graphql::{AppSchema, build_schema, sdl};
pub use http::client_address::TrustedProxies;
pub use http::router;
pub use state::{AbuseLimits, AppState, AuthConfig, HttpConfig, MailConfig};
