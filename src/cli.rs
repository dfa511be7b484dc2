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
    /// Read one raw RFC 5322 message on stdin and file it (for an MTA pipe).
    /// Exits 0 when stored or a duplicate, 65 when refused, 75 when the
    /// store is unavailable (the MTA retries).
    IngestEmail(MailArgs),
}

/// The desk's mail identity, shared by `serve` and `ingest-email`.
#[derive(Debug, Args)]
pub struct MailArgs {
    /// The desk's address: replies go out from it; mail from it is never a customer's.
    #[arg(long, env = "HELPDESK_MAIL_FROM", default_value = "support@localhost")]
    pub mail_from: String,

    /// Largest inbound message accepted, in bytes.
    #[arg(long, env = "HELPDESK_MAX_EMAIL_BYTES", default_value_t = 25 * 1024 * 1024)]
    pub max_email_bytes: usize,
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

    /// Bearer token `POST /inbound/email` requires; the endpoint is disabled without it.
    #[arg(long, env = "HELPDESK_INBOUND_TOKEN", hide_env_values = true)]
    pub inbound_token: Option<String>,

    /// Where outgoing mail is sent, e.g. `smtp://127.0.0.1:2525`; without it mail is queued, not sent.
    #[arg(long, env = "HELPDESK_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// Web form posts one client address may make per minute (429 beyond).
    #[arg(long, env = "HELPDESK_WEBFORM_RATE_PER_MINUTE", default_value_t = 10)]
    pub webform_rate_per_minute: u32,

    #[command(flatten)]
    pub mail: MailArgs,
}

impl MailArgs {
    pub fn email_config(&self) -> anyhow::Result<helpdesk_channels::email::EmailConfig> {
        let address = helpdesk_domain::email::EmailAddress::parse(&self.mail_from)
            .map_err(|e| anyhow::anyhow!("HELPDESK_MAIL_FROM: {e}"))?;
        Ok(helpdesk_channels::email::EmailConfig::new(
            address,
            self.max_email_bytes,
        ))
    }
}
