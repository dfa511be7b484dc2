use std::sync::Arc;
use std::time::Duration;

use helpdesk_channels::clock::Clock;
use helpdesk_channels::email::EmailConfig;
use helpdesk_persistence::Store;

use crate::auth::jwt::JwtKeys;
use crate::http::rate_limit::RateLimiter;

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
}

/// Everything a request handler needs, shared by all requests.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// The one source of "now" for every request.
    pub clock: Clock,
    pub(crate) jwt: Arc<JwtKeys>,
    pub(crate) mail: Arc<MailConfig>,
    pub(crate) chat_presence: helpdesk_channels::chat::ChatPresence,
    pub(crate) webform_limiter: Arc<RateLimiter>,
    pub(crate) telemetry: Arc<crate::http::telemetry::HttpTelemetry>,
    /// Where SLA webhooks may point besides public addresses.
    pub(crate) webhook_allow: Arc<helpdesk_channels::webhook::WebhookAllowList>,
}

impl AppState {
    pub fn new(store: Store, auth: &AuthConfig, mail: MailConfig, clock: Clock) -> Result<Self, crate::ApiError> {
        let jwt = JwtKeys::new(&auth.jwt_secret, &auth.previous_jwt_secrets, auth.token_ttl)?;
        let webform_limiter = Arc::new(RateLimiter::new(mail.webform_posts_per_minute, Duration::from_secs(60)));
        Ok(Self {
            store,
            clock,
            jwt: Arc::new(jwt),
            mail: Arc::new(mail),
            chat_presence: Default::default(),
            webform_limiter,
            telemetry: Default::default(),
            webhook_allow: Default::default(),
        })
    }

    /// The same state with SLA webhooks also allowed to reach `allow`.
    pub fn with_webhook_allow(mut self, allow: helpdesk_channels::webhook::WebhookAllowList) -> Self {
        self.webhook_allow = Arc::new(allow);
        self
    }
}
