use std::sync::Arc;
use std::time::Duration;

use helpdesk_persistence::Store;

use crate::auth::jwt::JwtKeys;

/// How access tokens are signed and how long they live.
#[derive(Clone)]
pub struct AuthConfig {
    pub jwt_secret: Vec<u8>,
    pub token_ttl: Duration,
}

/// Everything a request handler needs, shared by all requests.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub(crate) jwt: Arc<JwtKeys>,
}

impl AppState {
    pub fn new(store: Store, auth: &AuthConfig) -> Result<Self, crate::ApiError> {
        let jwt = JwtKeys::new(&auth.jwt_secret, auth.token_ttl)?;
        Ok(Self {
            store,
            jwt: Arc::new(jwt),
        })
    }
}
