//! Signed, expiring links to attachments (`Attachment.url`).
//!
//! A browser follows a link without an `Authorization` header, so the link
//! carries a token of its own: a JWT signed with the access tokens' keys
//! (rotating the secret works for both alike) but of its own audience,
//! naming the agent, their token version and one attachment. It opens that
//! attachment and nothing else, is refused as an access token, stops working
//! with the agent's sessions (deactivation, a new password) and after
//! [`LINK_LIFETIME`], and the agent's scope is checked again when it is
//! followed, as for any other read.

use chrono::{DateTime, TimeDelta, Utc};
use helpdesk_domain::ids::AttachmentId;
use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};

use super::jwt::{JwtKeys, TokenSubject};
use crate::ApiError;

/// How long a link works after the query that handed it out: long enough
/// to click, short enough that a link copied out of the desk soon dies.
pub(crate) const LINK_LIFETIME: TimeDelta = TimeDelta::minutes(15);

/// The audience only attachment links carry.
const AUDIENCE: &str = "helpdesk-attachment";

#[derive(Debug, Serialize, Deserialize)]
struct LinkClaims {
    sub: String,
    ver: i64,
    /// The one attachment the link opens.
    att: String,
    aud: String,
    exp: i64,
}

impl JwtKeys {
    /// A link token for `subject` to open `attachment`, from `now`.
    pub(crate) fn attachment_link(
        &self,
        subject: TokenSubject,
        attachment: AttachmentId,
        now: DateTime<Utc>,
    ) -> Result<String, ApiError> {
        self.sign(&LinkClaims {
            sub: subject.agent_id.to_string(),
            ver: subject.version,
            att: attachment.to_string(),
            aud: AUDIENCE.to_owned(),
            exp: (now + LINK_LIFETIME).timestamp(),
        })
    }

    /// Who a link token speaks for, if it is sound, unexpired at `now` and
    /// made for `attachment`.
    pub(crate) fn verify_attachment_link(
        &self,
        token: &str,
        attachment: AttachmentId,
        now: DateTime<Utc>,
    ) -> Option<TokenSubject> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "sub", "aud"]);
        let claims: LinkClaims = self.decode(token, &validation)?;
        if claims.att.parse::<AttachmentId>().ok()? != attachment {
            return None;
        }
        TokenSubject::of_claims(&claims.sub, claims.ver, claims.exp, now)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use helpdesk_domain::ids::AgentId;

    use super::*;

    fn keys(secret: &[u8]) -> JwtKeys {
        JwtKeys::new(secret, &[], Duration::from_secs(3600)).unwrap()
    }

    fn subject() -> TokenSubject {
        TokenSubject {
            agent_id: AgentId::new(),
            version: 3,
        }
    }

    #[test]
    fn a_link_opens_its_attachment_until_it_expires() {
        let keys = keys(b"a-secret-of-at-least-thirty-two-bytes!");
        let (who, file, now) = (subject(), AttachmentId::new(), Utc::now());
        let link = keys.attachment_link(who, file, now).unwrap();
        assert_eq!(keys.verify_attachment_link(&link, file, now), Some(who));
        let almost = now + LINK_LIFETIME;
        assert_eq!(keys.verify_attachment_link(&link, file, almost), Some(who));
        let later = now + LINK_LIFETIME + TimeDelta::minutes(1);
        assert_eq!(keys.verify_attachment_link(&link, file, later), None, "expired");
    }

    #[test]
    fn a_link_opens_nothing_else_and_is_no_access_token() {
        let keys = keys(b"a-secret-of-at-least-thirty-two-bytes!");
        let (who, file, now) = (subject(), AttachmentId::new(), Utc::now());
        let link = keys.attachment_link(who, file, now).unwrap();
        assert_eq!(keys.verify_attachment_link(&link, AttachmentId::new(), now), None);
        assert_eq!(keys.verify(&link, now), None, "a link is not an access token");
        let (access, _) = keys.issue(who, now).unwrap();
        assert_eq!(keys.verify_attachment_link(&access, file, now), None, "nor the reverse");
        let other = self::keys(b"another-secret-of-thirty-two-bytes-!!");
        assert_eq!(
            other.verify_attachment_link(&link, file, now),
            None,
            "another desk's key"
        );
        let mut forged = link.clone();
        forged.pop();
        assert_eq!(
            keys.verify_attachment_link(&forged, file, now),
            None,
            "a changed signature"
        );
    }
}
