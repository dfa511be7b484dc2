//! Command-line flags and environment variables, parsed once at start.

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "helpdesk",
    version,
    about = "GraphQL backend for a multichannel customer-support desk"
)]
pub struct Cli {
    /// SQLite (embedded) or PostgreSQL URL.
    #[arg(
        long,
        global = true,
        env = "HELPDESK_DATABASE_URL",
        default_value = "sqlite://helpdesk.db?mode=rwc"
    )]
    pub database_url: String,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run migrations, then serve HTTP until SIGINT/SIGTERM.
    Serve(ServeArgs),
    /// Apply pending migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL).
    Schema,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to serve on.
    #[arg(long, env = "HELPDESK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Creates this admin at start if no admin exists.
    #[arg(long, env = "HELPDESK_ADMIN_EMAIL")]
    pub admin_email: Option<String>,

    /// Password for that admin; generated and printed once when unset.
    #[arg(long, env = "HELPDESK_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// HMAC secret for access tokens; generated once and kept in the store when unset.
    #[arg(long, env = "HELPDESK_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// How long an access token stays valid, in minutes.
    #[arg(long, env = "HELPDESK_TOKEN_TTL_MINUTES", default_value_t = 720)]
    pub token_ttl_minutes: u64,
}
