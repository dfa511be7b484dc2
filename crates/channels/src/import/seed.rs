//! Generated history for demos and benchmarks: a year of realistic tickets,
//! the same for the same seed.
//!
//! Ticket `n` of seed `s` is `seed-{s}-{n}` and depends only on `s`, `n` and
//! `until`, never on how many tickets are asked for: seeding 100 after 50
//! with the same seed and `until` adds 50 and leaves the first 50 alone.
//!
//! The desk: twelve agents (`agent01@desk.example` ...) in three teams
//! (Billing, Technical, Customer Care), each owning a few tags; customers
//! come back (about one ticket in three is from a new customer, the others
//! mostly from customers who already wrote a lot).

mod arrival;
mod cast;
mod story;

use chrono::{DateTime, Utc};
use helpdesk_domain::ids::SlaPolicyId;
use helpdesk_domain::import::ImportedTicket;
use helpdesk_domain::sla::{Clock, SlaPolicy, SlaTarget, TargetSpec};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use self::arrival::Arrivals;
use self::story::Setting;

/// The name of the SLA policy `helpdesk seed` adds to a store without one.
pub const SEED_POLICY_NAME: &str = "Standard (seed)";

/// Separates the customer draws from the ticket draws of the same seed.
const CUSTOMER_STREAM_SALT: u64 = 0xC057_0E12_5EED_0001;

/// `tickets` tickets (numbered from 1) for `seed`, created during the year
/// before `until`; nothing in their histories happens at or after `until`.
pub fn seed(tickets: u64, seed: u64, until: DateTime<Utc>) -> Seeded {
    Seeded {
        seed,
        until,
        next: 1,
        last: tickets,
        arrivals: Arrivals::before(until),
    }
}

/// The policy seeded tickets are measured against when the desk has none:
/// first response within an hour and next reply within four (business
/// time, which is all time until a business calendar is set), solved
/// within a day of calendar time.
pub fn seed_sla_policy() -> SlaPolicy {
    let target = |target, minutes, clock| TargetSpec { target, minutes, clock };
    SlaPolicy {
        id: SlaPolicyId::new(),
        name: SEED_POLICY_NAME.to_owned(),
        position: 1000,
        priorities: vec![],
        channels: vec![],
        tags: Default::default(),
        targets: vec![
            target(SlaTarget::FirstResponse, 60, Clock::Business),
            target(SlaTarget::NextReply, 240, Clock::Business),
            target(SlaTarget::Resolution, 1440, Clock::Calendar),
        ],
        warning_percent: SlaPolicy::DEFAULT_WARNING_PERCENT,
        webhook: None,
        calendar: None,
    }
}

/// The seeded tickets, generated one at a time.
pub struct Seeded {
    seed: u64,
    until: DateTime<Utc>,
    next: u64,
    last: u64,
    arrivals: Arrivals,
}

impl Seeded {
    fn ticket(&self, n: u64) -> Option<ImportedTicket> {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(n);
        let created_at = self.arrivals.at(rng.random(), rng.random_range(0..3600));
        let (customer_email, customer_name) = cast::customer(self.customer_of(n))?;
        let setting = Setting {
            external_id: format!("seed-{}-{n}", self.seed),
            created_at,
            until: self.until,
            customer_email,
            customer_name,
        };
        story::ticket(&mut rng, setting)
    }

    /// The customer of ticket `n`: a new one (numbered `n`) a third of the
    /// time, else the customer of an earlier ticket picked at random, so
    /// customers who wrote often are likelier to write again.
    fn customer_of(&self, n: u64) -> u64 {
        let mut m = n;
        while m > 1 {
            let mut rng = ChaCha8Rng::seed_from_u64(self.seed ^ CUSTOMER_STREAM_SALT);
            rng.set_stream(m);
            if rng.random_bool(1.0 / 3.0) {
                return m;
            }
            m = rng.random_range(1..m);
        }
        1
    }
}

impl Iterator for Seeded {
    type Item = ImportedTicket;

    fn next(&mut self) -> Option<ImportedTicket> {
        while self.next <= self.last {
            let n = self.next;
            self.next += 1;
            // Never `None` with the fixed cast; skipping keeps it panic-free.
            if let Some(ticket) = self.ticket(n) {
                return Some(ticket);
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from((self.last + 1).saturating_sub(self.next)).unwrap_or(usize::MAX);
        (0, Some(left))
    }
}
