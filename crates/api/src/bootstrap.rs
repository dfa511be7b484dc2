//! What the server makes sure of before it serves: a JWT secret and an admin.

use helpdesk_channels::clock::Clock;
use helpdesk_domain::agent::Role;
use helpdesk_domain::email::EmailAddress;
use helpdesk_persistence::agents::NewAgent;
use helpdesk_persistence::{Store, StoreError};
use rand::distr::{Alphanumeric, SampleString};

use crate::{ApiError, password};

const JWT_SECRET_KEY: &str = "jwt_secret";
const DEFAULT_ADMIN_EMAIL: &str = "admin@localhost";

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("HELPDESK_ADMIN_EMAIL: {0}")]
    AdminEmail(helpdesk_domain::DomainError),
    #[error("HELPDESK_ADMIN_PASSWORD: {}", .0.message())]
    AdminPassword(ApiError),
    #[error(
        "HELPDESK_JWT_SECRET is {0} bytes long; it must have at least {MIN_JWT_SECRET_BYTES} \
         (e.g. `openssl rand -base64 48`), or be left unset to have one generated"
    )]
    ShortJwtSecret(usize),
}

/// Shortest configured signing secret accepted: HS256 wants a key at least
/// as long as its 256-bit hash, and a short one can be guessed offline from
/// any token.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// Refuses a configured secret too short to sign with.
pub fn check_jwt_secret(configured: Option<&str>) -> Result<(), BootstrapError> {
    match configured.filter(|s| !s.is_empty()) {
        Some(secret) if secret.len() < MIN_JWT_SECRET_BYTES => Err(BootstrapError::ShortJwtSecret(secret.len())),
        _ => Ok(()),
    }
}

/// The secret that signs access tokens: the configured one, else one
/// generated on first start and kept in the store, so tokens survive a restart
/// and every server on one database shares it.
pub async fn jwt_secret(store: &Store, configured: Option<&str>) -> Result<Vec<u8>, StoreError> {
    if let Some(secret) = configured.filter(|s| !s.is_empty()) {
        return Ok(secret.as_bytes().to_vec());
    }
    let fresh = Alphanumeric.sample_string(&mut rand::rng(), 64);
    Ok(store.setting_or_insert(JWT_SECRET_KEY, &fresh).await?.into_bytes())
}

/// What `ensure_admin` did.
#[derive(Debug, PartialEq, Eq)]
pub enum AdminBootstrap {
    /// An admin exists already; nothing was changed.
    Existing,
    /// The configured admin was created.
    Created { email: String },
    /// No password was configured: one was generated, to be shown once.
    Generated { email: String, password: String },
}

/// Creates the first admin when the store has none.
pub async fn ensure_admin(
    store: &Store,
    email: Option<&str>,
    password: Option<&str>,
    clock: &Clock,
) -> Result<AdminBootstrap, BootstrapError> {
    if store.admin_exists().await? {
        return Ok(AdminBootstrap::Existing);
    }
    let email = EmailAddress::parse(email.unwrap_or(DEFAULT_ADMIN_EMAIL)).map_err(BootstrapError::AdminEmail)?;
    let (secret, generated) = match password.filter(|p| !p.is_empty()) {
        Some(p) => (p.to_owned(), false),
        None => (Alphanumeric.sample_string(&mut rand::rng(), 20), true),
    };
    let hash = password::hash(&secret).map_err(BootstrapError::AdminPassword)?;
    let new = NewAgent {
        email: email.clone(),
        name: "Administrator".into(),
        role: Role::Admin,
        scope: helpdesk_domain::access::AgentScope::All,
        password_hash: Some(hash),
    };
    match store.create_agent(new, clock.now()).await {
        Ok(_) => {}
        // Another server created the admin at the same moment.
        Err(StoreError::Conflict(_)) if store.admin_exists().await? => return Ok(AdminBootstrap::Existing),
        Err(e) => return Err(e.into()),
    }
    let email = email.to_string();
    Ok(if generated {
        AdminBootstrap::Generated {
            email,
            password: secret,
        }
    } else {
        AdminBootstrap::Created { email }
    })
}
