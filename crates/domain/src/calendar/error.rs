//! What a business calendar can refuse at construction.

use chrono::NaiveTime;

use super::weekly::OpenInterval;

/// A weekly pattern that cannot be a calendar. Each variant names the
/// offending interval so an admin can find it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// `open == close`: it is neither a span within the day nor a shift past
    /// midnight, so it would be read as either nothing or a whole day.
    #[error("opening hours {0} are empty: an interval must close after it opens (or on the next day)")]
    ZeroLength(OpenInterval),
    /// Two intervals share some local time, possibly through a shift that runs
    /// past midnight into the next day's hours (Sunday's into Monday's too).
    #[error("opening hours {first} and {second} overlap")]
    Overlap { first: OpenInterval, second: OpenInterval },
    /// chrono can spell a leap second as `hh:mm:60`; local wall clocks in
    /// IANA zones never show it, so it cannot be an opening or closing time.
    #[error("opening hours {interval} use the leap second {time}")]
    LeapSecond { interval: OpenInterval, time: NaiveTime },
}
