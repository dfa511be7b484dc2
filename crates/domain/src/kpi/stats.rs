//! Duration statistics with nearest-rank percentiles, kept in whole
//! microseconds so sums and picks are exact on every store.

/// The 1-based rank of the `p`-th percentile (`p` in percent) among `n`
/// sorted samples: `ceil(p * n / 100)`, at least 1. Integer arithmetic, so
/// 90 percent of 10 samples is sample 9, never 10 by a rounding error.
pub fn nearest_rank(percent: u64, n: u64) -> u64 {
    (percent * n).div_ceil(100).max(1)
}

/// What a duration figure is formed from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DurationTally {
    pub count: u64,
    pub sum_micros: i64,
    /// The sample at rank `nearest_rank(50, count)`; `None` when empty.
    pub median_micros: Option<i64>,
    /// The sample at rank `nearest_rank(90, count)`; `None` when empty.
    pub p90_micros: Option<i64>,
}

impl DurationTally {
    /// Tallies unsorted samples (the reference path).
    pub fn of(mut samples: Vec<i64>) -> Self {
        samples.sort_unstable();
        let n = samples.len() as u64;
        let pick = |percent| {
            let rank = usize::try_from(nearest_rank(percent, n)).ok()?;
            samples.get(rank - 1).copied()
        };
        Self {
            count: n,
            sum_micros: samples.iter().sum(),
            median_micros: pick(50),
            p90_micros: pick(90),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_are_nearest_rank() {
        assert_eq!(nearest_rank(50, 1), 1);
        assert_eq!(nearest_rank(50, 4), 2);
        assert_eq!(nearest_rank(50, 5), 3);
        assert_eq!(nearest_rank(90, 10), 9);
        assert_eq!(nearest_rank(90, 11), 10);
        assert_eq!(nearest_rank(90, 1), 1);
    }

    #[test]
    fn tally_picks_samples() {
        let t = DurationTally::of(vec![40, 10, 30, 20]);
        assert_eq!(t.count, 4);
        assert_eq!(t.sum_micros, 100);
        assert_eq!(t.median_micros, Some(20));
        assert_eq!(t.p90_micros, Some(40));
        assert_eq!(DurationTally::of(vec![]), DurationTally::default());
    }
}
