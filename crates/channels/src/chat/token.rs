//! The visitor's secret: what it is made of and how it is kept.

use rand::distr::{Alphanumeric, SampleString};
use sha2::{Digest, Sha256};

/// Long enough (about 238 bits) that guessing a live token is hopeless.
const TOKEN_CHARS: usize = 40;

/// A fresh token for a new chat, handed to the visitor once.
pub(crate) fn generate() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), TOKEN_CHARS)
}

/// The stored form of a visitor's token: a SHA-256, so a leaked database
/// does not hand out live chat sessions.
pub(crate) fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_alphanumeric() {
        let (a, b) = (generate(), generate());
        assert_eq!(a.len(), TOKEN_CHARS);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    #[test]
    fn the_hash_is_sha256_in_hex() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
