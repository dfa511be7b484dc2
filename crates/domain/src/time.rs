//! Instants as the store keeps them.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

/// Truncates an instant to whole microseconds.
///
/// PostgreSQL keeps microseconds while SQLite would keep nanoseconds; truncating
/// before anything is stored makes both stores return exactly the instant that
/// was written, so ordering and equality agree between them.
pub fn to_micros(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_sub_microsecond_digits() {
        let at = DateTime::parse_from_rfc3339("2026-03-02T09:15:00.123456789Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(to_micros(at).to_rfc3339(), "2026-03-02T09:15:00.123456+00:00");
    }
}
