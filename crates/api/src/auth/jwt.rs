//! Access tokens: HS256 JWTs whose `sub` is the agent id and `role` their role.

use std::time::Duration;

use chrono::{DateTime, Utc};
use helpdesk_domain::agent::Role;
use helpdesk_domain::ids::AgentId;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::viewer::Viewer;
use crate::ApiError;

/// Clock skew tolerated between the servers of one desk.
const LEEWAY_SECONDS: i64 = 5;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: String,
    iat: i64,
    exp: i64,
}

pub(crate) struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl JwtKeys {
    pub(crate) fn new(secret: &[u8], ttl: Duration) -> Result<Self, ApiError> {
        let err = |e| ApiError::internal("invalid JWT secret", e);
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is judged against the app's clock in `verify`, not the
        // library's reading of the system time.
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Ok(Self {
            encoding: EncodingKey::from_secret(secret).map_err(err)?,
            decoding: DecodingKey::from_secret(secret).map_err(err)?,
            validation,
            ttl,
        })
    }

    /// Issues a token for `viewer`, valid from `now` for the configured time.
    pub(crate) fn issue(&self, viewer: Viewer, now: DateTime<Utc>) -> Result<(String, DateTime<Utc>), ApiError> {
        let ttl = chrono::TimeDelta::from_std(self.ttl).unwrap_or(chrono::TimeDelta::hours(12));
        let expires_at = now + ttl;
        let claims = Claims {
            sub: viewer.agent_id.to_string(),
            role: viewer.role.as_str().to_owned(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::internal("token signing failed", e))?;
        Ok((token, expires_at))
    }

    /// The viewer a token speaks for at `now`, if its signature, expiry and claims hold.
    pub(crate) fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<Viewer> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        if data.claims.exp.saturating_add(LEEWAY_SECONDS) < now.timestamp() {
            return None;
        }
        Some(Viewer {
            agent_id: data.claims.sub.parse::<AgentId>().ok()?,
            role: data.claims.role.parse::<Role>().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &[u8]) -> JwtKeys {
        JwtKeys::new(secret, Duration::from_secs(3600)).unwrap()
    }

    #[test]
    fn a_token_verifies_with_its_own_secret_only() {
        let viewer = Viewer {
            agent_id: AgentId::new(),
            role: Role::Admin,
        };
        let now = Utc::now();
        let (token, _) = keys(b"secret-one").issue(viewer, now).unwrap();
        assert_eq!(keys(b"secret-one").verify(&token, now), Some(viewer));
        assert_eq!(keys(b"secret-two").verify(&token, now), None);
        assert_eq!(keys(b"secret-one").verify("not.a.token", now), None);
    }

    #[test]
    fn an_expired_token_is_refused() {
        let viewer = Viewer {
            agent_id: AgentId::new(),
            role: Role::Agent,
        };
        let now = Utc::now();
        let long_ago = now - chrono::TimeDelta::days(2);
        let (token, _) = keys(b"s").issue(viewer, long_ago).unwrap();
        assert_eq!(keys(b"s").verify(&token, now), None);
        assert!(keys(b"s").verify(&token, long_ago).is_some(), "valid while it lasted");
    }
}
