//! Access tokens: HS256 JWTs naming an agent (`sub`) and the token version
//! (`ver`) they were issued at. Nothing else in a token is trusted: the
//! role, the scope and whether the agent is active come from the store on
//! every request (see `auth::viewer::authenticate`).
//!
//! Each signing secret has a key id (`kid`, derived from the secret, so it
//! says nothing about it). Tokens are signed with the current secret and
//! verified with the one their `kid` names, the current or a previous one:
//! rotating the secret keeps everyone logged in until their tokens expire.

use std::time::Duration;

use chrono::{DateTime, Utc};
use helpdesk_domain::ids::AgentId;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ApiError;

/// Clock skew tolerated between the servers of one desk.
const LEEWAY_SECONDS: i64 = 5;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    /// The agent's token version when it was issued.
    ver: i64,
    iat: i64,
    exp: i64,
    /// Access tokens have none; a token with one was made for something
    /// else (an attachment link) and is refused as an access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    aud: Option<serde_json::Value>,
}

/// Who a valid token speaks for, still to be checked against the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TokenSubject {
    pub agent_id: AgentId,
    pub version: i64,
}

impl TokenSubject {
    /// The subject of a verified token's `sub` and `ver` claims, unless it
    /// expired (`exp`) by `now`.
    pub(super) fn of_claims(sub: &str, ver: i64, exp: i64, now: DateTime<Utc>) -> Option<Self> {
        if exp.saturating_add(LEEWAY_SECONDS) < now.timestamp() {
            return None;
        }
        Some(Self {
            agent_id: sub.parse::<AgentId>().ok()?,
            version: ver,
        })
    }
}

struct VerifyingKey {
    kid: String,
    key: DecodingKey,
}

pub(crate) struct JwtKeys {
    kid: String,
    encoding: EncodingKey,
    /// The current key first, then the previous ones.
    verifying: Vec<VerifyingKey>,
    validation: Validation,
    ttl: Duration,
}

/// The key id of a secret: the first 8 bytes of a SHA-256 over it, in hex.
fn kid_of(secret: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(b"helpdesk-jwt-kid:")
        .chain_update(secret)
        .finalize();
    hex::encode(&digest[..8])
}

impl JwtKeys {
    /// Signs with `secret`; also accepts tokens signed with any of `previous`.
    pub(crate) fn new(secret: &[u8], previous: &[Vec<u8>], ttl: Duration) -> Result<Self, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is judged against the app's clock in `verify`, not the
        // library's reading of the system time.
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["exp", "sub"]);
        let err = |e| ApiError::internal("invalid JWT secret", e);
        let verifying = std::iter::once(secret)
            .chain(previous.iter().map(Vec::as_slice))
            .map(|s| {
                Ok(VerifyingKey {
                    kid: kid_of(s),
                    key: DecodingKey::from_secret(s).map_err(err)?,
                })
            })
            .collect::<Result<_, ApiError>>()?;
        Ok(Self {
            kid: kid_of(secret),
            encoding: EncodingKey::from_secret(secret).map_err(err)?,
            verifying,
            validation,
            ttl,
        })
    }

    /// Issues a token for `subject`, valid from `now` for the configured time.
    pub(crate) fn issue(&self, subject: TokenSubject, now: DateTime<Utc>) -> Result<(String, DateTime<Utc>), ApiError> {
        let ttl = chrono::TimeDelta::from_std(self.ttl).unwrap_or(chrono::TimeDelta::hours(12));
        let expires_at = now + ttl;
        let claims = Claims {
            sub: subject.agent_id.to_string(),
            ver: subject.version,
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
            aud: None,
        };
        Ok((self.sign(&claims)?, expires_at))
    }

    /// Signs `claims` with the current key, naming it in `kid`.
    pub(super) fn sign(&self, claims: &impl Serialize) -> Result<String, ApiError> {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).map_err(|e| ApiError::internal("token signing failed", e))
    }

    /// The claims of `token` if the key its `kid` names signed it and
    /// `validation` holds (expiry is the caller's to judge).
    pub(super) fn decode<C: DeserializeOwned>(&self, token: &str, validation: &Validation) -> Option<C> {
        let kid = jsonwebtoken::decode_header(token).ok()?.kid?;
        let key = self.verifying.iter().find(|k| k.kid == kid)?;
        Some(jsonwebtoken::decode::<C>(token, &key.key, validation).ok()?.claims)
    }

    /// Who a token speaks for at `now`, if its key, signature, expiry and
    /// claims hold. Tokens without a `kid` are refused.
    pub(crate) fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<TokenSubject> {
        let claims: Claims = self.decode(token, &self.validation)?;
        if claims.aud.is_some() {
            return None;
        }
        TokenSubject::of_claims(&claims.sub, claims.ver, claims.exp, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &[u8], previous: &[&[u8]]) -> JwtKeys {
        let previous: Vec<Vec<u8>> = previous.iter().map(|p| p.to_vec()).collect();
        JwtKeys::new(secret, &previous, Duration::from_secs(3600)).unwrap()
    }

    fn subject() -> TokenSubject {
        TokenSubject {
            agent_id: AgentId::new(),
            version: 3,
        }
    }

    #[test]
    fn a_token_verifies_with_its_own_secret_only() {
        let who = subject();
        let now = Utc::now();
        let (token, _) = keys(b"secret-one", &[]).issue(who, now).unwrap();
        assert_eq!(keys(b"secret-one", &[]).verify(&token, now), Some(who));
        assert_eq!(keys(b"secret-two", &[]).verify(&token, now), None);
        assert_eq!(keys(b"secret-one", &[]).verify("not.a.token", now), None);
    }

    #[test]
    fn a_rotated_secret_still_verifies_the_tokens_it_signed() {
        let who = subject();
        let now = Utc::now();
        let (old, _) = keys(b"secret-one", &[]).issue(who, now).unwrap();
        let rotated = keys(b"secret-two", &[b"secret-one"]);
        assert_eq!(rotated.verify(&old, now), Some(who), "previous key still accepted");
        let (new, _) = rotated.issue(who, now).unwrap();
        assert_eq!(
            keys(b"secret-one", &[]).verify(&new, now),
            None,
            "signed with the new key"
        );
        let header = jsonwebtoken::decode_header(&new).unwrap();
        assert_eq!(header.kid.as_deref(), Some(kid_of(b"secret-two").as_str()));
        assert!(!kid_of(b"secret-two").contains("secret"));
    }

    #[test]
    fn a_token_without_a_key_id_is_refused() {
        let claims = Claims {
            sub: AgentId::new().to_string(),
            ver: 0,
            iat: 0,
            exp: i64::MAX / 2,
            aud: None,
        };
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(b"secret-one").unwrap(),
        )
        .unwrap();
        assert_eq!(keys(b"secret-one", &[]).verify(&token, Utc::now()), None);
    }

    #[test]
    fn an_expired_token_is_refused() {
        let who = subject();
        let now = Utc::now();
        let long_ago = now - chrono::TimeDelta::days(2);
        let (token, _) = keys(b"s", &[]).issue(who, long_ago).unwrap();
        assert_eq!(keys(b"s", &[]).verify(&token, now), None);
        assert!(
            keys(b"s", &[]).verify(&token, long_ago).is_some(),
            "valid while it lasted"
        );
    }
}
