//! The KPI read queries: exact integer tallies ([`Tallies`]) of every figure
//! of `docs/kpis.md`, per bucket and for the whole range, computed in SQL
//! over the per-ticket metric facts, solve spans, response samples, survey
//! answers and SLA targets that the write path keeps in step with each
//! ticket's event log.
//!
//! Bucketing happens in the database: the buckets (planned by the caller,
//! where time zones are known) are bound as parameters, samples join to the
//! bucket that contains their instant, and every group of figures comes back
//! as a few grouped rows. The domain's reference computes the same tallies
//! from histories; a property test in `helpdesk-metrics` holds the two
//! together. Turning tallies into figures is the KPI crate's work, not this
//! module's.
//!
//! Everything here only reads, inside one snapshot, so a ticket solved while
//! a report runs is either in every figure or in none.
//!
//! [`Tallies`]: helpdesk_domain::kpi::Tallies

mod backlog;
mod durations;
mod first_solves;
mod gate;
mod rows;
mod sla;
mod snapshot;
mod sql;
mod surveys;
mod volumes;

use helpdesk_domain::kpi::{Bucket, KpiFilter, Range, Tallies};
use helpdesk_domain::sla::Clock;

pub(crate) use self::gate::ReportGate;
use self::gate::ReportPass;
use self::snapshot::Snapshot;
use self::sql::{Plan, Sql};
use crate::{Backend, Store, StoreError};

/// What one report reads: the range, its buckets (in order, covering the
/// range exactly), the tickets that count and the clock durations run on.
#[derive(Debug, Clone)]
pub struct KpiScope {
    pub range: Range,
    pub buckets: Vec<Bucket>,
    pub filter: KpiFilter,
    pub clock: Clock,
}

/// The tallies of one report, slot by slot: index 0 is the whole range,
/// index i + 1 the scope's bucket i. Figures that do not add up over
/// buckets (medians, distinct counts, backlogs) are computed for slot 0
/// itself; the others are left to the caller to add up.
pub type Slots = [Tallies];

/// Reads the groups of figures of one report, all in one snapshot.
pub struct KpiReader {
    db: Snapshot,
    plan: Plan,
    /// The report's slot and deadline (see [`ReportGate`]).
    pass: ReportPass,
}

/// Every solve per slot, read with the volumes: what the backlog subtracts.
/// Only [`KpiReader::volumes`] makes one, so the backlog cannot be asked
/// before them.
pub struct Solves(Vec<u64>);

impl Store {
    /// Opens a snapshot for the report over `scope`, once one of the few
    /// report slots is free. The report's queries must finish within the
    /// statement timeout, counted from the call (waiting included), or fail
    /// with [`StoreError::Timeout`].
    pub async fn kpi_reader(&self, scope: KpiScope) -> Result<KpiReader, StoreError> {
        let pass = self.reports().enter().await?;
        let db = pass.within(self.snapshot()).await?;
        if self.backend() == Backend::Postgres {
            // For this snapshot only: the range's samples are sorted in
            // memory, not in temporary files, and statements this short
            // lose more to JIT compilation than it saves.
            pass.within(
                Sql::from("SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)").run(&db),
            )
            .await?;
        }
        let plan = Plan {
            backend: self.backend(),
            range: scope.range,
            buckets: scope.buckets,
            filter: scope.filter,
            clock: scope.clock,
        };
        Ok(KpiReader { db, plan, pass })
    }
}

impl KpiReader {
    /// The report's buckets, in order.
    pub fn buckets(&self) -> &[Bucket] {
        &self.plan.buckets
    }

    /// ticketsCreated and channels per bucket, resolutionRate's tallies,
    /// and ticketsSolved (also for the whole range).
    pub async fn volumes(&self, slots: &mut Slots) -> Result<Solves, StoreError> {
        self.pass
            .within(volumes::volumes(&self.db, &self.plan, slots))
            .await
            .map(Solves)
    }

    /// The four duration figures: count, exact sum, median and p90.
    pub async fn durations(&self, slots: &mut Slots) -> Result<(), StoreError> {
        self.pass
            .within(durations::durations(&self.db, &self.plan, slots))
            .await
    }

    /// Interactions and assignee stations per ticket, reopen and FCR
    /// tallies over the tickets first solved in each bucket.
    pub async fn first_solves(&self, slots: &mut Slots) -> Result<(), StoreError> {
        self.pass
            .within(first_solves::first_solves(&self.db, &self.plan, slots))
            .await
    }

    /// backlog and overdueBacklog at each bucket's end and at the range's.
    /// Builds on the creations and solves per bucket that
    /// [`Self::volumes`] read into `slots` and `solves`.
    pub async fn backlog(&self, slots: &mut Slots, solves: &Solves) -> Result<(), StoreError> {
        self.pass
            .within(backlog::backlog(&self.db, &self.plan, slots, &solves.0))
            .await
    }

    /// SLA targets achieved and breached per bucket.
    pub async fn sla(&self, slots: &mut Slots) -> Result<(), StoreError> {
        self.pass.within(sla::sla(&self.db, &self.plan, slots)).await
    }

    /// CSAT and NPS answers per bucket.
    pub async fn surveys(&self, slots: &mut Slots) -> Result<(), StoreError> {
        self.pass.within(surveys::surveys(&self.db, &self.plan, slots)).await
    }

    /// Ends the snapshot (it never wrote anything).
    pub async fn close(self) -> Result<(), StoreError> {
        self.db.close().await
    }
}
