use std::sync::Arc;
use std::time::Duration;

use helpdesk_channels::clock::Clock;
use helpdesk_channels::email::EmailConfig;
use helpdesk_domain::attachment::AttachmentLimits;
use helpdesk_persistence::Store;

use crate::auth::jwt::JwtKeys;
use crate::auth::password;
use crate::http::client_address::TrustedProxies;
use crate::http::rate_limit::Limiters;

/// How access tokens are signed and how long they live.
#[derive(Clone)]
pub struct AuthConfig {
    pub jwt_secret: Vec<u8>,
    /// Earlier secrets whose tokens are still accepted (not used to sign):
    /// rotating the secret logs no one out.
    pub previous_jwt_secrets: Vec<Vec<u8>>,
    pub token_ttl: Duration,
}

/// The mail channel's settings.
#[derive(Clone)]
pub struct MailConfig {
    pub email: EmailConfig,
    /// Bearer token `POST /inbound/email` requires; the endpoint is disabled
    /// without one.
    pub inbound_token: Option<String>,
    /// Web form posts one client address may make per minute.
    pub webform_posts_per_minute: u32,
    /// What an agent may attach to one reply or note.
    pub attachments: AttachmentLimits,
}

/// How much the public endpoints take from one client, how long a chat
/// token lives, and whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone)]
pub struct AbuseLimits {
    /// `startChat` and `sendChatMessage` calls one client may make per minute.
    pub chat_requests_per_minute: u32,
    /// Survey page requests and `submitSurvey` calls one client may make per minute.
    pub survey_requests_per_minute: u32,
    /// `login` calls one client may make per minute, right or wrong.
    pub login_requests_per_minute: u32,
    /// Failed logins for one email address per window before it is refused.
    pub login_failures_per_email: u32,
    /// Failed logins from one client per window before it is refused.
    pub login_failures_per_client: u32,
    pub login_failure_window: Duration,
    /// A chat token stops working this long after the visitor's last message.
    pub chat_token_ttl: Duration,
    pub trusted_proxies: TrustedProxies,
}

impl Default for AbuseLimits {
    fn default() -> Self {
        Self {
            chat_requests_per_minute: 30,
            survey_requests_per_minute: 30,
            login_requests_per_minute: 30,
            login_failures_per_email: 5,
            login_failures_per_client: 20,
            login_failure_window: Duration::from_secs(15 * 60),
            chat_token_ttl: Duration::from_secs(24 * 3600),
            trusted_proxies: TrustedProxies::none(),
        }
    }
}

/// How the HTTP side treats clients: read timeouts, the IDE, HSTS.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// A request's headers must arrive within this (slow clients are cut off).
    pub header_read_timeout: Duration,
    /// A request's whole body must arrive within this, counted from its headers.
    pub body_read_timeout: Duration,
    /// GraphiQL at `GET /graphql` and schema introspection; `None` turns
    /// them on for a SQLite store (development) and off for PostgreSQL.
    pub graphiql: Option<bool>,
    /// `Strict-Transport-Security: max-age=<this>` on every response; none
    /// when unset (only a desk reached over HTTPS alone should send it).
    pub hsts_max_age_secs: Option<u64>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(60),
            graphiql: None,
            hsts_max_age_secs: None,
        }
    }
}

impl HttpConfig {
    /// Whether the IDE and introspection are on for a desk on `backend`.
    pub fn graphiql_on(&self, backend: helpdesk_persistence::Backend) -> bool {
        self.graphiql
            .unwrap_or(backend == helpdesk_persistence::Backend::Sqlite)
    }
}

/// Everything a request handler needs, shared by all requests.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// Where the heavy reads go (`kpis`, the CSV export, ticket lists): a
    /// PostgreSQL replica when `HELPDESK_READ_DATABASE_URL` names one, else
    /// `store` itself. Never written to.
    pub read_store: Store,
    /// The one source of "now" for every request.
    pub clock: Clock,
    pub(crate) jwt: Arc<JwtKeys>,
    pub(crate) mail: Arc<MailConfig>,
    pub(crate) chat_presence: helpdesk_channels::chat::ChatPresence,
    pub(crate) limits: Arc<AbuseLimits>,
    pub(crate) http: Arc<HttpConfig>,
    /// Whether GraphiQL and introspection are on (decided at build).
    pub(crate) graphiql: bool,
    pub(crate) limiters: Arc<Limiters>,
    /// Checked when a login names no usable agent, so that answer takes as
    /// long as a wrong password (made once at start, same parameters).
    pub(crate) dummy_password_hash: Arc<str>,
    pub(crate) telemetry: Arc<crate::http::telemetry::HttpTelemetry>,
    /// Where SLA webhooks may point besides public addresses.
    pub(crate) webhook_allow: Arc<helpdesk_channels::webhook::WebhookAllowList>,
    /// Where browsers reach the desk (`HELPDESK_PUBLIC_URL`, no trailing
    /// slash): the base of attachment links. Empty: links are relative.
    pub(crate) public_url: Arc<str>,
}

impl AppState {
    pub fn new(
        store: Store,
        auth: &AuthConfig,
        mail: MailConfig,
        limits: AbuseLimits,
        http: HttpConfig,
        clock: Clock,
    ) -> Result<Self, crate::ApiError> {
        let graphiql = http.graphiql_on(store.backend());
        let jwt = JwtKeys::new(&auth.jwt_secret, &auth.previous_jwt_secrets, auth.token_ttl)?;
        let limiters = Arc::new(Limiters::new(&limits, mail.webform_posts_per_minute));
        let dummy_password_hash = password::dummy_hash()?.into();
        Ok(Self {
            chat_presence: helpdesk_channels::chat::ChatPresence::new(store.clone()),
            read_store: store.clone(),
            store,
            clock,
            jwt: Arc::new(jwt),
            mail: Arc::new(mail),
            limits: Arc::new(limits),
            http: Arc::new(http),
            graphiql,
            limiters,
            dummy_password_hash,
            telemetry: Default::default(),
            webhook_allow: Default::default(),
            public_url: "".into(),
        })
    }

    /// The same state with the heavy reads going to `read_store`.
    pub fn with_read_store(mut self, read_store: Store) -> Self {
        self.read_store = read_store;
        self
    }

    /// The same state with links made under `public_url`.
    pub fn with_public_url(mut self, public_url: &str) -> Self {
        self.public_url = public_url.trim_end_matches('/').into();
        self
    }

    /// The same state with SLA webhooks also allowed to reach `allow`.
    pub fn with_webhook_allow(mut self, allow: helpdesk_channels::webhook::WebhookAllowList) -> Self {
        self.webhook_allow = Arc::new(allow);
        self
    }
}
