//! Checkpoints of a running simulation, so that going back in time costs one
//! interval of replay instead of a replay from time 0.
//!
//! ```text
//!   run ──●──────●──────●──────●──── now         ● = a copy of the whole Simulation
//!   seek(t) ─► latest ● at or before t ─► clone ─► catch up with later edits ─► replay to t
//! ```
//!
//! A checkpoint is a [`Simulation`] clone (its time series share their full
//! chunks, see `series.rs`), taken by [`Checkpoints::advance`] once `every`
//! events have passed since the last one. Memory is bounded: at most `max`
//! checkpoints, and, when the owner passes a meter of live heap bytes (the
//! app and the CLI count their allocations), at most `budget` bytes of
//! them. When either bound is reached, every other checkpoint is dropped
//! and the interval doubles, so any run, however long, keeps checkpoints
//! spread evenly over it within both bounds. Runs are deterministic, so a
//! restored checkpoint advanced to `t` is the state a straight run has at
//! `t` (tested in `tests/checkpoints.rs`). The meter only decides where
//! checkpoints are taken, never what a run computes.
//!
//! Sizes seen (`scalelab bench --seek`): a checkpoint of the 1-hour,
//! 10,000 requests/s balancer scenario is about 0.27 MB: its trace packed
//! (`Held`), the windows' exact samples and the latency histograms (which
//! hold counts only up to the longest latency seen); a Kafka cluster's
//! retained records make its checkpoints larger, which the byte budget
//! bounds. Within the budget (64 MB) that hour keeps a checkpoint every
//! million events.
//!
//! Live edits: a checkpoint taken before an edit lacks it; [`Checkpoints::
//! restore`] hands it the current scenario, whose timeline is the
//! checkpoint's with entries added after it (and, where a live removal of a
//! server dropped what was still to come for it, those entries gone), so
//! the edit happens again at its time. Checkpoints later
//! than an edit's time belong to a future that no longer happens:
//! [`Checkpoints::edited`] drops them.

use super::engine::{Progress, Simulation};
use super::time::SimTime;
use super::trace::PackedTrace;
use super::validate::Scenario;

/// Events between checkpoints at the start of a run (the interval doubles
/// each time a bound is reached).
pub const DEFAULT_EVERY_EVENTS: u64 = 250_000;
/// Checkpoints kept at most.
pub const DEFAULT_MAX: usize = 256;
/// Bytes of checkpoints kept at most, when metered.
pub const DEFAULT_BUDGET_BYTES: usize = 64 << 20;

/// Live heap bytes of the process (see `crate::meter`).
pub type Meter = fn() -> usize;

pub struct Checkpoints {
    every: u64,
    max: usize,
    budget: usize,
    meter: Option<Meter>,
    /// In order of time (and of events).
    list: Vec<Held>,
}

/// One checkpoint and the heap bytes its copy took (0 without a meter).
/// The copy's trace (4,096 crossings: half a copy's size) is kept packed
/// beside it, about a third of its size, and unpacked on restore.
struct Held {
    sim: Simulation,
    trace: PackedTrace,
    bytes: usize,
}

impl Held {
    /// A copy of `sim` to keep.
    fn of(sim: &Simulation) -> Held {
        let mut copy = sim.clone();
        let trace = copy.core.trace.pack();
        copy.core.trace = copy.core.trace.emptied();
        Held { sim: copy, trace, bytes: 0 }
    }

    /// The run as it was: a copy with its trace unpacked.
    fn restored(&self) -> Simulation {
        let mut sim = self.sim.clone();
        sim.core.trace = self.trace.unpack();
        sim
    }
}

impl Default for Checkpoints {
    fn default() -> Self {
        Checkpoints::new(DEFAULT_EVERY_EVENTS, DEFAULT_MAX)
    }
}

impl Checkpoints {
    /// Checkpoints every `every` events at first, at most `max` (at least 2) of them.
    pub fn new(every: u64, max: usize) -> Self {
        Checkpoints { every: every.max(1), max: max.max(2), budget: usize::MAX, meter: None, list: Vec::new() }
    }

    /// The defaults, with at most `budget` bytes of checkpoints as `meter` counts them.
    pub fn metered(meter: Meter, budget: usize) -> Self {
        Checkpoints { budget, meter: Some(meter), ..Checkpoints::default() }
    }

    /// Drops every other checkpoint (keeping the 2nd, 4th, …: still evenly
    /// spread) and doubles the interval.
    fn thin(&mut self) {
        let mut odd = false;
        self.list.retain(|_| {
            odd = !odd;
            !odd
        });
        self.every = self.every.saturating_mul(2);
    }

    /// The events of the last checkpoint (0: none yet).
    fn last_events(&self) -> u64 {
        self.list.last().map_or(0, |h| h.sim.events())
    }

    /// Called after the run advanced: takes a checkpoint when `every`
    /// events have passed since the last one (or since time 0).
    fn observe(&mut self, sim: &Simulation) {
        if sim.events() < self.last_events() + self.every {
            return;
        }
        if self.list.len() == self.max {
            self.thin();
        }
        let before = self.meter.map_or(0, |m| m());
        let held = Held::of(sim);
        let bytes = self.meter.map_or(0, |m| m().saturating_sub(before));
        self.list.push(Held { bytes, ..held });
        while self.bytes() > self.budget {
            if self.list.len() == 1 {
                // One checkpoint alone is over the budget: keep none, try
                // again (less often) later; seeks replay from time 0.
                self.list.clear();
                self.every = self.every.saturating_mul(2);
                break;
            }
            self.thin();
        }
    }

    /// Bytes the checkpoints held take (0 without a meter).
    pub fn bytes(&self) -> usize {
        self.list.iter().map(|h| h.bytes).sum()
    }

    /// Advances `sim` towards `t` within `budget` events (as
    /// [`Simulation::advance`]), taking checkpoints on the way.
    pub fn advance(&mut self, sim: &mut Simulation, t: SimTime, budget: u64) -> Progress {
        let mut left = budget;
        loop {
            let due = self.last_events() + self.every;
            let chunk = left.min(due.saturating_sub(sim.events()).max(1));
            let before = sim.events();
            let progress = sim.advance(t, chunk);
            self.observe(sim);
            left -= (sim.events() - before).min(left);
            if progress != Progress::OverBudget || left == 0 {
                return progress;
            }
        }
    }

    /// The run as it was at the latest checkpoint at or before `t`, with
    /// `current`'s later timeline entries scheduled; None when there is
    /// none (replay from time 0).
    pub fn restore(&self, t: SimTime, current: &Scenario) -> Option<Simulation> {
        let mut sim = self.latest_at_or_before(t)?.restored();
        if current.timeline != sim.scenario().timeline {
            sim.take_on(current.clone());
        }
        Some(sim)
    }

    fn latest_at_or_before(&self, t: SimTime) -> Option<&Held> {
        let at = self.list.partition_point(|h| h.sim.now() <= t);
        self.list[..at].last()
    }

    /// Where `sim` should go on from to reach `t` fastest: a restored
    /// checkpoint when `t` is in its past, or when a checkpoint lies
    /// between its clock and `t` (going forward again after a seek back);
    /// a fresh run when `t` is in its past before any checkpoint; None to
    /// go on from where it is.
    pub fn start_for(&self, sim: &Simulation, t: SimTime) -> Option<Simulation> {
        if t < sim.now() {
            return Some(self.restore(t, sim.scenario()).unwrap_or_else(|| Simulation::new(sim.scenario())));
        }
        match self.latest_at_or_before(t) {
            Some(c) if c.sim.now() > sim.now() => self.restore(t, sim.scenario()),
            _ => None,
        }
    }

    /// An entry was added to the timeline at `at_ns`: checkpoints from
    /// after that time showed a future without it.
    pub fn edited(&mut self, at_ns: SimTime) {
        let keep = self.list.partition_point(|h| h.sim.now() < at_ns);
        self.list.truncate(keep);
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The times of the checkpoints held.
    pub fn times(&self) -> impl Iterator<Item = SimTime> + '_ {
        self.list.iter().map(|h| h.sim.now())
    }

    /// The current interval between checkpoints, in events.
    pub fn every(&self) -> u64 {
        self.every
    }
}
