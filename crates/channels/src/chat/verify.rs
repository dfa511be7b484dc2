//! Proving a chat visitor's claimed address with a one-time code mailed to
//! it. The code's rules (length, lifetime, attempts, how many are sent) are
//! the domain's (`chat_verification`); the store applies them.

use chrono::{DateTime, Utc};
use helpdesk_domain::DomainError;
use helpdesk_domain::chat_verification::{CODE_DIGITS, CODE_TTL};
use helpdesk_domain::ids::CustomerId;
use helpdesk_persistence::chat::ChatSession;
use helpdesk_persistence::outbox::{NewOutboxMail, OutboxKind};
use helpdesk_persistence::{CustomerRecord, Store};
use rand::Rng;
use sha2::{Digest, Sha256};

use super::ChatError;
use crate::email::{EmailConfig, new_message_id};

/// Mails a fresh one-time code to the address the chat's visitor claimed,
/// through the outbox (replacing any earlier code). The mail carries the
/// code and the desk's own words only: nothing the visitor typed.
pub async fn request_code(
    store: &Store,
    config: &EmailConfig,
    session: ChatSession,
    now: DateTime<Utc>,
) -> Result<(), ChatError> {
    let contact = unverified(store, session.customer_id).await?;
    let to = contact.claimed_email.ok_or(DomainError::ContactVerified)?;
    let code = generate();
    let mail = NewOutboxMail {
        kind: OutboxKind::ChatVerification,
        to: to.to_string(),
        subject: "Your chat verification code".to_owned(),
        body: format!(
            "Your verification code is {code}.\n\n\
             Type it into the chat within {minutes} minutes to link the chat to this address.\n\
             If you did not start a chat with us, ignore this mail: nothing is linked without the code.\n",
            minutes = CODE_TTL.num_minutes(),
        ),
        rfc_message_id: new_message_id(config),
        in_reply_to: None,
        references: Vec::new(),
    };
    store
        .issue_chat_code(contact.id, session.ticket_id, hash(contact.id, &code), mail, now)
        .await?;
    Ok(())
}

/// The visitor types the code: right, and the chat's ticket joins the
/// address's customer (returned); wrong, and an attempt is spent.
pub async fn verify(
    store: &Store,
    session: ChatSession,
    code: &str,
    now: DateTime<Utc>,
) -> Result<CustomerId, ChatError> {
    let contact = unverified(store, session.customer_id).await?;
    Ok(store
        .verify_chat_code(contact.id, &hash(contact.id, code.trim()), now)
        .await?)
}

/// The session's contact, while it is unverified.
async fn unverified(store: &Store, id: CustomerId) -> Result<CustomerRecord, ChatError> {
    let contact = store.customers_by_ids(&[id]).await?.into_iter().next();
    match contact {
        Some(c) if !c.verified => Ok(c),
        _ => Err(DomainError::ContactVerified.into()),
    }
}

/// A uniformly random code of [`CODE_DIGITS`] digits, leading zeros kept.
fn generate() -> String {
    let mut rng = rand::rng();
    (0..CODE_DIGITS)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

/// The stored form of a code: a SHA-256 salted with the contact, so equal
/// codes of two chats do not look alike and no table of all codes fits
/// every contact. (A six-digit code is short-lived, not a secret a hash can
/// keep from someone holding the database.)
fn hash(contact: CustomerId, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{contact}:{code}").as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_random_digits() {
        let codes: Vec<String> = (0..50).map(|_| generate()).collect();
        assert!(
            codes
                .iter()
                .all(|c| c.len() == CODE_DIGITS && c.bytes().all(|b| b.is_ascii_digit()))
        );
        assert!(codes.iter().any(|c| c != &codes[0]), "not one fixed code");
    }

    #[test]
    fn the_hash_depends_on_the_contact() {
        let (a, b) = (CustomerId::new(), CustomerId::new());
        assert_eq!(hash(a, "123456"), hash(a, "123456"));
        assert_ne!(hash(a, "123456"), hash(b, "123456"));
        assert_ne!(hash(a, "123456"), hash(a, "123457"));
    }
}
