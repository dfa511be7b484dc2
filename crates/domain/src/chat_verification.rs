//! Proving a chat visitor's claimed address: a one-time code mailed to it.
//!
//! A chat visitor's email is a claim, not a proof. Until the claim is
//! proved (the visitor types the code mailed to the address, or an agent
//! confirms it) the chat stays with its own unverified contact. These are
//! the code's rules; the store applies them in the transaction that reads
//! and writes the code, so concurrent guesses cannot exceed the attempts.

use chrono::{DateTime, TimeDelta, Utc};

use crate::DomainError;

/// Digits in a code: one in a million per guess.
pub const CODE_DIGITS: usize = 6;
/// How long a code can be used after it was sent.
pub const CODE_TTL: TimeDelta = TimeDelta::minutes(15);
/// Wrong guesses a code survives; the last one kills it.
pub const MAX_ATTEMPTS: u32 = 5;
/// Codes one chat may have mailed: each is mail to an address the visitor
/// merely claims, so a visitor cannot use the desk to flood it.
pub const MAX_CODES: u32 = 3;

/// The live code of one unverified contact, as stored (its hash only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCode {
    pub code_hash: String,
    pub expires_at: DateTime<Utc>,
    pub attempts_left: u32,
    /// Codes mailed for this contact so far, this one included.
    pub codes_sent: u32,
}

/// What a guess does to a pending code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guess {
    /// The code matches: the claim is proved.
    Verified,
    /// A wrong guess: the code lives on with this many attempts.
    Wrong { attempts_left: u32 },
}

impl PendingCode {
    /// A fresh code sent at `now`, replacing `previous` if there is one.
    /// Refused once [`MAX_CODES`] have been sent for the contact.
    pub fn issue(code_hash: String, now: DateTime<Utc>, previous: Option<&PendingCode>) -> Result<Self, DomainError> {
        let codes_sent = previous.map_or(0, |p| p.codes_sent);
        if codes_sent >= MAX_CODES {
            return Err(DomainError::TooManyVerificationCodes { max: MAX_CODES });
        }
        Ok(Self {
            code_hash,
            expires_at: now + CODE_TTL,
            attempts_left: MAX_ATTEMPTS,
            codes_sent: codes_sent + 1,
        })
    }

    /// Whether the code can still be tried at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        now < self.expires_at && self.attempts_left > 0
    }

    /// Judges a guess (its hash) at `now`. A dead code (expired, or out of
    /// attempts) refuses every guess, the right one included.
    pub fn guess(&self, guess_hash: &str, now: DateTime<Utc>) -> Result<Guess, DomainError> {
        if !self.is_live(now) {
            return Err(DomainError::NoVerificationCode);
        }
        if equal_in_constant_time(guess_hash.as_bytes(), self.code_hash.as_bytes()) {
            Ok(Guess::Verified)
        } else {
            Ok(Guess::Wrong {
                attempts_left: self.attempts_left - 1,
            })
        }
    }
}

/// Compares without stopping at the first difference, so timing tells a
/// guesser nothing about how close a hash came.
fn equal_in_constant_time(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + TimeDelta::minutes(minutes)
    }

    #[test]
    fn a_code_lives_fifteen_minutes_and_five_wrong_guesses() {
        let code = PendingCode::issue("right".into(), at(0), None).unwrap();
        assert_eq!(code.guess("right", at(14)), Ok(Guess::Verified));
        assert_eq!(code.guess("right", at(15)), Err(DomainError::NoVerificationCode));
        assert_eq!(code.guess("wrong", at(1)), Ok(Guess::Wrong { attempts_left: 4 }));
        let spent = PendingCode {
            attempts_left: 0,
            ..code
        };
        assert_eq!(spent.guess("right", at(1)), Err(DomainError::NoVerificationCode));
    }

    #[test]
    fn a_chat_gets_a_bounded_number_of_codes() {
        let mut code = PendingCode::issue("a".into(), at(0), None).unwrap();
        for _ in 1..MAX_CODES {
            code = PendingCode::issue("b".into(), at(1), Some(&code)).unwrap();
        }
        assert_eq!(code.codes_sent, MAX_CODES);
        assert_eq!(code.attempts_left, MAX_ATTEMPTS, "a new code has all its attempts");
        assert_eq!(
            PendingCode::issue("c".into(), at(2), Some(&code)),
            Err(DomainError::TooManyVerificationCodes { max: MAX_CODES })
        );
    }
}
