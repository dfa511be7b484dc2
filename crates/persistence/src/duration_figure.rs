//! The four duration figures of `metrics.md`, as `duration_samples.figure`
//! stores them.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DurationFigure {
    /// Ticket creation to the first public agent reply (customer-created tickets).
    FirstResponse,
    /// A customer's wait to the agent reply that ended it.
    Response,
    /// Creation to the first solve.
    Resolution,
    /// Creation to a solve that was not reopened before the report's end.
    FullResolution,
}

impl DurationFigure {
    pub const ALL: [Self; 4] = [
        Self::FirstResponse,
        Self::Response,
        Self::Resolution,
        Self::FullResolution,
    ];

    /// The stored code; fixed by migration 6, never renumber.
    pub fn code(self) -> i16 {
        match self {
            Self::FirstResponse => 0,
            Self::Response => 1,
            Self::Resolution => 2,
            Self::FullResolution => 3,
        }
    }

    pub fn from_code(code: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|f| i64::from(f.code()) == code)
    }
}
