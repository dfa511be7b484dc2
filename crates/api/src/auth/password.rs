//! Password hashing with argon2id (the crate's default), salted per hash.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

use crate::ApiError;

pub const MIN_LENGTH: usize = 8;

/// Hashes a password into a PHC string (algorithm, parameters and salt included).
pub fn hash(password: &str) -> Result<String, ApiError> {
    if password.chars().count() < MIN_LENGTH {
        return Err(ApiError::BadUserInput(format!(
            "password must have at least {MIN_LENGTH} characters"
        )));
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal("password hashing failed", e))
}

/// A hash of a random password, with the same parameters as real ones, for
/// a login to check when its email names no usable agent: the answer then
/// costs one argon2 verification either way and timing tells nothing.
pub fn dummy_hash() -> Result<String, ApiError> {
    use rand::distr::{Alphanumeric, SampleString};
    hash(&Alphanumeric.sample_string(&mut rand::rng(), 24))
}

/// True when `password` matches the stored PHC string.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_the_right_password() {
        let phc = hash("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify("correct horse", &phc));
        assert!(!verify("wrong horse", &phc));
        assert!(!verify("correct horse", "not a hash"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(matches!(hash("short"), Err(ApiError::BadUserInput(_))));
    }
}
