use std::sync::Arc;
use std::time::Duration;

use helpdesk_channels::email::EmailConfig;
use helpdesk_persistence::Store;

use crate::auth::jwt::JwtKeys;

/// How access tokens are signed and how long they live.
#[derive(Clone)]
pub struct AuthConfig {
    pub jwt_secret: Vec<u8>,
    pub token_ttl: Duration,
}

/// The mail channel's settings.
#[derive(Clone)]
pub struct MailConfig {
    pub email: EmailConfig,
    /// Bearer token `POST /inbound/email` requires; the endpoint is disabled
    /// without one.
    pub inbound_token: Option<String>,
}

/// Everything a request handler needs, shared by all requests.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub(crate) jwt: Arc<JwtKeys>,
    pub(crate) mail: Arc<MailConfig>,
    pub(crate) chat_presence: crate::chat::ChatPresence,
}

impl AppState {
    pub fn new(store: Store, auth: &AuthConfig, mail: MailConfig) -> Result<Self, crate::ApiError> {
        let jwt = JwtKeys::new(&auth.jwt_secret, auth.token_ttl)?;
        Ok(Self {
            store,
            jwt: Arc::new(jwt),
            mail: Arc::new(mail),
            chat_presence: Default::default(),
        })
    }
}
