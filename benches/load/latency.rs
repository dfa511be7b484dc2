//! Throughput and latency of one load: every request's time kept, read off
//! by nearest rank.

use std::time::Duration;

#[derive(Debug, Default, Clone)]
pub struct Latencies {
    micros: Vec<u64>,
    pub errors: u64,
    pub first_error: Option<String>,
}

impl Latencies {
    pub fn record(&mut self, took: Duration) {
        self.micros.push(u64::try_from(took.as_micros()).unwrap_or(u64::MAX));
    }

    pub fn error(&mut self, what: String) {
        self.errors += 1;
        self.first_error.get_or_insert(what);
    }

    pub fn merge(&mut self, other: Latencies) {
        self.micros.extend(other.micros);
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    pub fn report(mut self, elapsed: Duration) -> Report {
        self.micros.sort_unstable();
        let rank = |p: f64| -> Duration {
            if self.micros.is_empty() {
                return Duration::ZERO;
            }
            // Nearest rank: the smallest value with at least p of all at or below it.
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss
            )]
            let index = ((p * self.micros.len() as f64).ceil() as usize).clamp(1, self.micros.len()) - 1;
            Duration::from_micros(self.micros[index])
        };
        Report {
            requests: self.micros.len() as u64,
            errors: self.errors,
            first_error: self.first_error.clone(),
            elapsed,
            p50: rank(0.50),
            p95: rank(0.95),
            p99: rank(0.99),
            max: self.micros.last().map_or(Duration::ZERO, |m| Duration::from_micros(*m)),
        }
    }
}

#[derive(Debug)]
pub struct Report {
    pub requests: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    pub elapsed: Duration,
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Report {
    pub fn per_second(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let n = self.requests as f64;
        n / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }

    pub fn line(&self, name: &str) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let mut line = format!(
            "{name}: {} ok in {:.1} s = {:.0}/s; p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {} errors",
            self.requests,
            self.elapsed.as_secs_f64(),
            self.per_second(),
            ms(self.p50),
            ms(self.p95),
            ms(self.p99),
            ms(self.max),
            self.errors
        );
        if let Some(first) = &self.first_error {
            line += &format!(" (first: {first})");
        }
        line
    }
}
