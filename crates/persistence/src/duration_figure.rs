//! How `duration_samples.figure` stores each [`DurationFigure`]: codes
//! fixed by migration 6, never renumbered.

use helpdesk_domain::kpi::DurationFigure;

pub fn code(figure: DurationFigure) -> i16 {
    match figure {
        DurationFigure::FirstResponse => 0,
        DurationFigure::Response => 1,
        DurationFigure::Resolution => 2,
        DurationFigure::FullResolution => 3,
    }
}

pub fn from_code(code: i64) -> Option<DurationFigure> {
    DurationFigure::ALL
        .iter()
        .copied()
        .find(|f| i64::from(self::code(*f)) == code)
}
