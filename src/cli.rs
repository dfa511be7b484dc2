//! Command-line flags and environment variables, parsed once at start.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};
use helpdesk_api::{AbuseLimits, HttpConfig, MailboxPolling, TrustedProxies};
use helpdesk_channels::imap::ImapMailbox;
use helpdesk_domain::attachment::AttachmentLimits;
use helpdesk_persistence::{DEFAULT_SQLITE_CACHE_BYTES, StoreOptions, default_report_connections};

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
    // Boxed: its flags outweigh every other command's.
    Serve(Box<ServeArgs>),
    /// Apply pending migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Read one raw RFC 5322 message on stdin and file it (for an MTA pipe).
    /// Exits 0 when filed, held for review (bounces and automatic mail that
    /// belong to no open ticket) or a duplicate; 65 when it is unparseable
    /// or too large; 75 when the store is unavailable (the MTA retries).
    IngestEmail(MailArgs),
    /// Import historical tickets from a JSON Lines file, idempotent by external_id.
    ///
    /// The format is docs/import-format.md: one ticket with its
    /// history per line. Imported history sends no mail and changes no
    /// status by itself; agents and teams it names are created on first
    /// sight (agents cannot log in until an admin sets a password). A line
    /// that fails validation is reported as `line N: reason` and skipped;
    /// importing the same file again imports nothing new. Shows a progress
    /// bar when stderr is a terminal.
    ///
    /// Exit status: 0 when the file was read to the end, even with rejected
    /// lines; 66 (EX_NOINPUT) when FILE cannot be opened; 74 (EX_IOERR) when
    /// reading it fails part-way; 75 (EX_TEMPFAIL) when the store is
    /// unavailable; 70 (EX_SOFTWARE) on any other store failure. Batches
    /// written before a failure stay written: run the import again to go on.
    Import(ImportArgs),
    /// Generate realistic tickets with a year of history, for demos and benchmarks.
    ///
    /// Ticket n of seed S is `seed-S-n` and the same every time for the same
    /// S and --until, so seeding again imports nothing new. Twelve agents
    /// (agent01@desk.example ...) in three teams, returning customers,
    /// office-hours arrivals, replies, notes, pending periods, solves,
    /// reopens, surveys and closes. When the store has no SLA policy, a
    /// policy named "Standard (seed)" is created first (first response 60
    /// and next reply 240 business minutes, resolution 1440 calendar
    /// minutes) so the seeded tickets have SLA figures. Tickets go through
    /// the same path as `helpdesk import`. Shows a progress bar when stderr
    /// is a terminal.
    ///
    /// Exit status: 0 on success; 64 (EX_USAGE) for an --until in the
    /// future; 75 (EX_TEMPFAIL) when the store is unavailable; 70
    /// (EX_SOFTWARE) on any other store failure.
    Seed(SeedArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The JSON Lines file to import; `-` reads stdin.
    pub file: PathBuf,

    /// Tickets written per transaction.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub batch_size: u64,
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// How many tickets to generate.
    #[arg(long)]
    pub tickets: u64,

    /// Generates the same tickets for the same seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// The history ends before this RFC 3339 instant [default: the start of today, UTC].
    #[arg(long, value_parser = parse_instant)]
    pub until: Option<DateTime<Utc>>,

    /// Tickets written per transaction.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub batch_size: u64,
}

fn parse_instant(raw: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(raw)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| format!("not an RFC 3339 instant (e.g. 2026-03-02T09:15:00Z): {e}"))
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

    /// A PostgreSQL replica of the database for the heavy reads (`kpis`,
    /// the CSV export, ticket lists); never written to. Unset: the primary.
    #[arg(long, env = "HELPDESK_READ_DATABASE_URL", hide_env_values = true)]
    pub read_database_url: Option<String>,

    /// Creates this admin at start if no admin exists.
    #[arg(long, env = "HELPDESK_ADMIN_EMAIL")]
    pub admin_email: Option<String>,

    /// Password for that admin; generated and printed once when unset.
    #[arg(long, env = "HELPDESK_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// HMAC secret for access tokens; generated once and kept in the store when unset.
    #[arg(long, env = "HELPDESK_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// Earlier token secrets, comma-separated: tokens they signed are still
    /// accepted until they expire, so rotating the secret logs no one out.
    #[arg(
        long,
        env = "HELPDESK_JWT_PREVIOUS_SECRETS",
        hide_env_values = true,
        value_delimiter = ','
    )]
    pub jwt_previous_secrets: Vec<String>,

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

    /// Hosts, addresses and CIDR blocks SLA webhooks may reach although they
    /// are not public (loopback, private, link-local, ...), comma-separated,
    /// e.g. `hooks.corp.example,10.20.0.0/16`, for on-premise receivers.
    #[arg(long, env = "HELPDESK_WEBHOOK_ALLOW", default_value = "", value_parser = parse_webhook_allow)]
    pub webhook_allow: helpdesk_channels::webhook::WebhookAllowList,

    /// `startChat` and `sendChatMessage` calls one client may make per minute (RATE_LIMITED beyond).
    #[arg(long, env = "HELPDESK_CHAT_RATE_PER_MINUTE", default_value_t = 30)]
    pub chat_rate_per_minute: u32,

    /// Survey page requests and `submitSurvey` calls one client may make per minute (429 / RATE_LIMITED beyond).
    #[arg(long, env = "HELPDESK_SURVEY_RATE_PER_MINUTE", default_value_t = 30)]
    pub survey_rate_per_minute: u32,

    /// Base of the links sent to customers (surveys), e.g. `https://help.example.com`;
    /// `http://<listen address>` when unset.
    #[arg(long, env = "HELPDESK_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// `login` calls one client may make per minute (RATE_LIMITED beyond).
    #[arg(long, env = "HELPDESK_LOGIN_RATE_PER_MINUTE", default_value_t = 30)]
    pub login_rate_per_minute: u32,

    /// Failed logins for one email address per window before logins for it are refused.
    #[arg(long, env = "HELPDESK_LOGIN_FAILURES_PER_EMAIL", default_value_t = 5)]
    pub login_failures_per_email: u32,

    /// Failed logins from one client per window before its logins are refused.
    #[arg(long, env = "HELPDESK_LOGIN_FAILURES_PER_CLIENT", default_value_t = 20)]
    pub login_failures_per_client: u32,

    /// The window failed logins are counted in, in minutes.
    #[arg(long, env = "HELPDESK_LOGIN_FAILURE_WINDOW_MINUTES", default_value_t = 15)]
    pub login_failure_window_minutes: u64,

    /// A chat token stops working this many hours after the visitor's last message.
    #[arg(long, env = "HELPDESK_CHAT_TOKEN_TTL_HOURS", default_value_t = 24)]
    pub chat_token_ttl_hours: u64,

    /// Reverse proxies whose X-Forwarded-For is believed: IPs and CIDRs, comma separated.
    #[arg(long, env = "HELPDESK_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: TrustedProxies,

    /// Seconds a client has to send a request's headers before its connection is closed.
    #[arg(long, env = "HELPDESK_HEADER_READ_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_read_timeout_secs: u64,

    /// Seconds a client has to send a request's whole body, counted from its headers.
    #[arg(long, env = "HELPDESK_BODY_READ_TIMEOUT_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub body_read_timeout_secs: u64,

    /// GraphiQL at GET /graphql and schema introspection (true|false) [default: on for SQLite, off for PostgreSQL].
    #[arg(long, env = "HELPDESK_GRAPHIQL")]
    pub graphiql: Option<bool>,

    /// Sends `Strict-Transport-Security: max-age=<this>` on every response; only for a desk served over HTTPS alone.
    #[arg(long, env = "HELPDESK_HSTS_MAX_AGE_SECS")]
    pub hsts_max_age_secs: Option<u64>,

    /// Connections in the store's pool [default: 8 on SQLite, 16 on PostgreSQL].
    #[arg(long, env = "HELPDESK_DB_POOL_SIZE", value_parser = clap::value_parser!(u32).range(2..))]
    pub db_pool_size: Option<u32>,

    /// Seconds a request waits for a store connection before failing with UNAVAILABLE.
    #[arg(long, env = "HELPDESK_DB_ACQUIRE_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub db_acquire_timeout_secs: u64,

    /// Seconds one statement, or one KPI report as a whole, may take before it is abandoned with TIMEOUT; 0 for no limit.
    #[arg(long, env = "HELPDESK_STATEMENT_TIMEOUT_SECS", default_value_t = 30)]
    pub statement_timeout_secs: u64,

    /// KPI reports (GraphQL and CSV) read at once; more wait their turn without holding a connection [default: half the cores, at least 1].
    #[arg(long, env = "HELPDESK_REPORT_CONNECTIONS", value_parser = clap::value_parser!(u64).range(1..))]
    pub report_connections: Option<u64>,

    /// SQLite's page cache in MiB for the whole pool, shared out among its connections.
    #[arg(long, env = "HELPDESK_SQLITE_CACHE_MB", default_value_t = DEFAULT_SQLITE_CACHE_BYTES >> 20)]
    pub sqlite_cache_mb: u64,

    /// SQLite's memory map in MiB for the whole pool, shared out among its connections; 0 maps nothing.
    #[arg(long, env = "HELPDESK_SQLITE_MMAP_MB", default_value_t = 0)]
    pub sqlite_mmap_mb: u64,

    /// Files an agent may attach to one reply or note.
    #[arg(long, env = "HELPDESK_ATTACHMENT_MAX_FILES", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=100))]
    pub attachment_max_files: u64,

    /// MiB one attached file may have.
    #[arg(long, env = "HELPDESK_ATTACHMENT_MAX_FILE_MB", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub attachment_max_file_mb: u64,

    /// MiB one reply's or note's files may have together.
    #[arg(long, env = "HELPDESK_ATTACHMENT_MAX_TOTAL_MB", default_value_t = 18, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub attachment_max_total_mb: u64,

    /// PostgreSQL's text search configuration for `search` (`english`,
    /// `german`, `simple`, ...: `\dF` in psql lists them); changing it
    /// re-indexes at the next start. SQLite's search stems English.
    #[arg(long, env = "HELPDESK_SEARCH_LANGUAGE", default_value = "english")]
    pub search_language: String,

    /// A mailbox to fetch mail from besides the HTTP hook and the pipe:
    /// `imaps://user:password@host/INBOX` (`imap://` for a server without
    /// TLS on the same host). Unset: no fetching.
    #[arg(long, env = "HELPDESK_IMAP_URL", hide_env_values = true, value_parser = parse_imap_url)]
    pub imap_url: Option<ImapMailbox>,

    /// Seconds between looks at the mailbox when its server offers no IMAP
    /// IDLE (with IDLE, new mail is fetched at once, and the mailbox is
    /// looked at again after this long at the latest).
    #[arg(long, env = "HELPDESK_IMAP_POLL_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub imap_poll_secs: u64,

    #[command(flatten)]
    pub mail: MailArgs,
}

fn parse_imap_url(raw: &str) -> Result<ImapMailbox, String> {
    raw.parse()
        .map_err(|e: helpdesk_channels::imap::ImapUrlError| e.to_string())
}

fn parse_webhook_allow(raw: &str) -> Result<helpdesk_channels::webhook::WebhookAllowList, String> {
    raw.parse()
        .map_err(|e: helpdesk_channels::webhook::AllowListError| e.to_string())
}

impl ServeArgs {
    pub fn store_options(&self) -> StoreOptions {
        StoreOptions {
            max_connections: self.db_pool_size,
            acquire_timeout: Duration::from_secs(self.db_acquire_timeout_secs),
            statement_timeout: (self.statement_timeout_secs > 0)
                .then(|| Duration::from_secs(self.statement_timeout_secs)),
            report_connections: self
                .report_connections
                .map_or_else(default_report_connections, |n| usize::try_from(n).unwrap_or(usize::MAX)),
            sqlite_cache_bytes: self.sqlite_cache_mb.saturating_mul(1 << 20),
            sqlite_mmap_bytes: self.sqlite_mmap_mb.saturating_mul(1 << 20),
        }
    }

    pub fn mailbox(&self) -> Option<MailboxPolling> {
        self.imap_url.clone().map(|mailbox| MailboxPolling {
            mailbox,
            poll: Duration::from_secs(self.imap_poll_secs),
        })
    }

    pub fn attachment_limits(&self) -> AttachmentLimits {
        AttachmentLimits {
            max_files: usize::try_from(self.attachment_max_files).unwrap_or(usize::MAX),
            max_file_bytes: self.attachment_max_file_mb.saturating_mul(1 << 20),
            max_total_bytes: self.attachment_max_total_mb.saturating_mul(1 << 20),
        }
    }

    pub fn http(&self) -> HttpConfig {
        HttpConfig {
            header_read_timeout: Duration::from_secs(self.header_read_timeout_secs),
            body_read_timeout: Duration::from_secs(self.body_read_timeout_secs),
            graphiql: self.graphiql,
            hsts_max_age_secs: self.hsts_max_age_secs,
        }
    }

    /// Where customers reach this server: `HELPDESK_PUBLIC_URL`, or the
    /// listen address when it is not set.
    pub fn public_url(&self) -> String {
        match self.public_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.listen),
        }
    }

    pub fn abuse_limits(&self) -> AbuseLimits {
        AbuseLimits {
            chat_requests_per_minute: self.chat_rate_per_minute,
            survey_requests_per_minute: self.survey_rate_per_minute,
            login_requests_per_minute: self.login_rate_per_minute,
            login_failures_per_email: self.login_failures_per_email,
            login_failures_per_client: self.login_failures_per_client,
            login_failure_window: Duration::from_secs(self.login_failure_window_minutes.saturating_mul(60)),
            chat_token_ttl: Duration::from_secs(self.chat_token_ttl_hours.saturating_mul(3600)),
            trusted_proxies: self.trusted_proxies.clone(),
        }
    }
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
