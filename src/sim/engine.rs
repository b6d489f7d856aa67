//! The discrete-event engine: a clock, the future-event list, one RNG, and
//! nodes that exchange typed messages over links with latency.
//!
//! ```text
//!            ┌──────────────── Simulation ────────────────┐
//!            │ nodes: Vec<Box<dyn Node>>   (one per spec)  │
//!  step() ─► │ core:  clock · EventQueue · SimRng · links  │
//!            │        metrics · trace · up/epoch per node  │
//!            └─────────────────────────────────────────────┘
//!  pop earliest (t, seq) ─► node.on_message(ctx, from, payload)
//!                              └─ ctx.send_request / reply / set_timer ─► push
//! ```
//! The loop knows nothing of clients, servers or balancers: a node kind is a
//! [`Node`] implementation its family registers (built by the node's own
//! kind, `NodeSpec::kind.build`). A family's own protocol travels as
//! `Payload::Own` (`wire.rs`), opaque here. Requests carry
//! the links they crossed, so a response retraces them without any node
//! keeping a table of who asked.
//!
//! **Determinism:** all randomness comes from the scenario's seed, through
//! one substream per node (`dist::node_streams`), seeded from the
//! scenario; ties in time are broken by insertion order; nothing iterates a
//! hash map. The same scenario and seed give the same events, bit for bit,
//! natively and in wasm.

use serde::Serialize;

use super::dist::node_streams;
use super::metrics::{LatencySummary, Metrics, NodeSample, WindowStats};
use super::queue::EventQueue;
use super::series::Series;
use super::spec::FaultSpec;
use super::time::{SimTime, ns_to_s};
use super::trace::{Trace, TraceEntry};
use super::validate::{Action, LinkIdx, NodeIdx, Scenario, ScenarioError, Stop, limits};

/// What travels and what nodes show are declared by the family registry
/// (`family.rs`); the engine moves and stores them without looking inside.
pub use super::family::{Body, BodyId, Message, Msg, NodeSummary, NodeView, OwnPart, OwnSummary, Payload};
pub use super::node::{BackendChange, CloneNode, Core, Ctx, Node};
use super::node::{Event, Network};
pub use super::request::{Op, Request, Status};
pub use super::timeline::Membership;

/// How many windows of the time series are kept (the most recent ones).
pub const MAX_SERIES_POINTS: usize = 3_600;
/// How many recent link crossings the trace keeps for the animation.
pub const TRACE_CAPACITY: usize = 4_096;

/// What the UI draws each frame.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Snapshot {
    pub now_ns: SimTime,
    pub events: u64,
    pub finished: bool,
    pub nodes: Vec<NodeView>,
}

/// What a live edit did ([`Simulation::add_entry`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    /// When it takes effect.
    pub at_ns: SimTime,
    /// Entries the timeline had that could no longer happen, dropped
    /// (what was still to come for a server removed now).
    pub dropped: Vec<FaultSpec>,
}

/// How far a budgeted advance got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// The clock reached the requested time.
    CaughtUp,
    /// The event budget ran out first; the clock is behind the requested time.
    OverBudget,
    /// The run's stop condition was reached.
    Finished,
}

/// A running simulation of one scenario.
pub struct Simulation {
    pub(super) scenario: Scenario,
    pub(super) core: Core,
    present: Vec<bool>,
    /// Present at some time so far: the nodes the summary lists.
    pub(super) ever_present: Vec<bool>,
    pub(super) nodes: Vec<Box<dyn Node>>,
    node_series: Vec<Series<NodeSample>>,
    /// Simulated time at which the run stops at the latest.
    stop_at_ns: SimTime,
    /// Stop once this many requests have finished, if the scenario says so.
    stop_after_finished: Option<u64>,
    finished: bool,
    next_window_end_ns: SimTime,
    /// Whether the summary carries protocol-message counts (decided once:
    /// the timeline adds only servers).
    pub(super) counts_protocols: bool,
}

/// A copy of the whole run, for checkpoints: the series' full chunks are
/// shared, everything else is copied.
impl Clone for Simulation {
    fn clone(&self) -> Self {
        Simulation {
            scenario: self.scenario.clone(),
            core: self.core.clone(),
            present: self.present.clone(),
            ever_present: self.ever_present.clone(),
            nodes: self.nodes.iter().map(|n| n.clone_node()).collect(),
            node_series: self.node_series.clone(),
            stop_at_ns: self.stop_at_ns,
            stop_after_finished: self.stop_after_finished,
            finished: self.finished,
            next_window_end_ns: self.next_window_end_ns,
            counts_protocols: self.counts_protocols,
        }
    }
}

impl Simulation {
    /// Builds the nodes and schedules the first events. Cannot fail: the
    /// scenario is validated.
    pub fn new(scenario: &Scenario) -> Simulation {
        let n_nodes = scenario.topology.ids.len();
        // Events and requests hold node and link indices as u16: a scenario
        // built by hand past the caps must fail here, not wrap silently.
        assert!(
            n_nodes <= limits::MAX_NODES && scenario.topology.links.len() <= limits::MAX_LINKS,
            "Simulation::new takes a validated scenario ({n_nodes} nodes, {} links)",
            scenario.topology.links.len()
        );
        let core = Core {
            now: 0,
            queue: EventQueue::new(),
            rngs: node_streams(scenario.spec.seed, n_nodes),
            links: scenario.topology.links.clone(),
            up: vec![true; n_nodes],
            epoch: vec![0; n_nodes],
            metrics: Metrics::new(scenario.window_ns, MAX_SERIES_POINTS),
            trace: Trace::new(TRACE_CAPACITY),
            next_msg_id: 0,
            next_request_id: 0,
            n_events: 0,
            bodies: Vec::new(),
            free_bodies: Vec::new(),
            net: Network { island: vec![0; n_nodes], any_cut: false, next_island: 1, lost: 0, parts: Vec::new() },
        };
        let (stop_at_ns, stop_after_finished) = match scenario.stop {
            Stop::SimTime(t) => (t, None),
            Stop::FinishedRequests(n) => (super::time::s_to_ns(limits::MAX_SIM_TIME_S), Some(n)),
        };
        let mut sim = Simulation {
            core,
            present: (0..n_nodes).map(|i| i < scenario.topology.n_initial_nodes).collect(),
            ever_present: (0..n_nodes).map(|i| i < scenario.topology.n_initial_nodes).collect(),
            nodes: Vec::with_capacity(n_nodes),
            node_series: vec![Series::new(MAX_SERIES_POINTS); n_nodes],
            stop_at_ns,
            stop_after_finished,
            finished: false,
            next_window_end_ns: scenario.window_ns,
            counts_protocols: scenario.node_specs.iter().any(|n| n.protocol() != "requests"),
            scenario: scenario.clone(),
        };
        for i in 0..n_nodes {
            let spec = &scenario.node_specs[i];
            sim.nodes.push(spec.kind.build(spec, &scenario.node_specs, i as NodeIdx, &scenario.topology));
        }
        for (entry, a) in scenario.timeline.iter().enumerate() {
            sim.core.queue.push_control(a.at_ns, Event::Control { entry: entry as u64 });
        }
        for i in 0..scenario.topology.n_initial_nodes {
            let mut ctx = Ctx { core: &mut sim.core, me: i as NodeIdx };
            sim.nodes[i].start(&mut ctx);
        }
        sim
    }

    /// Adds a timeline entry that takes effect at the first whole
    /// millisecond after the current time (after everything already due,
    /// at a time the recorded scenario reads plainly): how the UI applies a
    /// live edit. The entry is validated against the whole scenario, and
    /// kept in it, so replaying [`Self::scenario`] reproduces this run
    /// exactly. Removing a server drops what the timeline still had for it
    /// (`Scenario::with_live_entry`); [`Applied`] says what.
    pub fn add_entry(&mut self, mut entry: FaultSpec) -> Result<Applied, ScenarioError> {
        let target = super::time::next_ms(self.core.now);
        entry.at_s = ns_to_s(target);
        while super::time::s_to_ns(entry.at_s) < target {
            entry.at_s = f64::from_bits(entry.at_s.to_bits() + 1);
        }
        let (scenario, dropped) = self.scenario.with_live_entry(entry)?;
        self.take_on(scenario);
        Ok(Applied { at_ns: target, dropped })
    }

    /// Takes on `scenario`: this run's scenario with its timeline changed
    /// only after now: entries not yet due dropped (a live removal of a
    /// server drops what was still to come for it), and entries added at
    /// the end, none due before now (a live edit, or a checkpoint catching
    /// up with edits made after it was taken). Schedules the new entries,
    /// unschedules the dropped ones and builds the servers the new ones
    /// add, exactly as a run of `scenario` from time 0 has them.
    pub(super) fn take_on(&mut self, scenario: Scenario) {
        // The old entries that stay, matched in order: the new timeline is
        // the old one less the dropped entries, then the added ones.
        let (old, new) = (&self.scenario.timeline, &scenario.timeline);
        let mut renumber: Vec<Option<u32>> = Vec::with_capacity(old.len());
        let mut kept = 0;
        for entry in old {
            let same = new.get(kept) == Some(entry);
            renumber.push(same.then_some(kept as u32));
            kept += usize::from(same);
        }
        // Every entry kept (in order) is the identity: nothing to unschedule.
        if kept < old.len() {
            debug_assert!(
                old.iter().zip(&renumber).all(|(e, r)| r.is_some() || e.at_ns > self.core.now),
                "only entries still to come are dropped"
            );
            self.core.queue.retain_controls(|event| match event {
                Event::Control { entry } => renumber[*entry as usize].map(|k| *entry = u64::from(k)).is_some(),
                _ => true,
            });
        }
        // Servers the entries add, and their links, extend the topology.
        for i in self.nodes.len()..scenario.topology.ids.len() {
            let spec = &scenario.node_specs[i];
            self.nodes.push(spec.kind.build(spec, &scenario.node_specs, i as NodeIdx, &scenario.topology));
            self.present.push(false);
            self.ever_present.push(false);
            // The same substream a replay of the recorded scenario gives it.
            self.core.rngs.push(node_streams(scenario.spec.seed, i + 1).pop().expect("i + 1 streams"));
            self.core.up.push(true);
            self.core.epoch.push(0);
            self.core.net.island.push(0);
            self.node_series.push(Series::new(MAX_SERIES_POINTS));
        }
        self.core.links = scenario.topology.links.clone();
        for entry in kept..scenario.timeline.len() {
            let at = scenario.timeline[entry].at_ns;
            debug_assert!(at > self.core.now, "an entry added later is due after now");
            self.core.queue.push_control(at, Event::Control { entry: entry as u64 });
        }
        self.scenario = scenario;
        self.finished = false;
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The simulated clock.
    pub fn now(&self) -> SimTime {
        self.core.now
    }

    pub fn events(&self) -> u64 {
        self.core.n_events
    }

    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// (completed, errors) so far: cheap, for live figures.
    pub fn summary_counts(&self) -> (u64, u64) {
        let m = &self.core.metrics;
        (m.outcomes().completed, m.outcomes().errors())
    }

    /// End-to-end latency of successful requests so far: the summary's
    /// `latency_ms` without the per-node figures (cheap enough per frame).
    pub fn latency(&self) -> LatencySummary {
        self.core.metrics.e2e.summary()
    }

    pub fn step(&mut self) -> bool {
        if self.finished {
            return false;
        }
        let Some((t, event)) = self.core.queue.pop_until(self.stop_at_ns) else {
            // Nothing left before the stop time: the run ends there.
            self.advance_clock(self.stop_at_ns);
            self.finished = true;
            return false;
        };
        if t >= self.next_window_end_ns {
            self.close_windows_until(t);
        }
        self.core.now = t;
        self.core.n_events += 1;
        match event {
            Event::Deliver { to, from, epoch, payload } => {
                self.deliver(NodeIdx::from(to), NodeIdx::from(from), epoch, payload)
            }
            Event::Control { entry } => self.apply_entry(entry as usize),
        }
        if let Some(n) = self.stop_after_finished
            && self.core.metrics.finished() >= n
        {
            self.finished = true;
        }
        true
    }

    fn deliver(&mut self, to: NodeIdx, from: NodeIdx, epoch: u32, payload: Payload) {
        let i = to as usize;
        if !self.core.up[i] {
            return self.deliver_to_down(to, &payload);
        }
        if matches!(payload, Payload::Timer { .. }) && epoch != self.core.epoch[i] {
            return;
        }
        let mut ctx = Ctx { core: &mut self.core, me: to };
        self.nodes[i].on_message(&mut ctx, from, payload);
    }

    /// A down node refuses what reaches it; its timers are void. Out of
    /// line, and given the payload by reference: the event loop keeps its
    /// payload copies whole (see `Payload`).
    #[cold]
    #[inline(never)]
    fn deliver_to_down(&mut self, to: NodeIdx, payload: &Payload) {
        match *payload {
            Payload::Request(req) => Ctx { core: &mut self.core, me: to }.reply(req, Status::Refused),
            Payload::Response(mut req) => {
                if req.status == Status::Ok {
                    req.status = Status::Reset;
                }
                self.core.send_back(req)
            }
            Payload::Timer { .. } => {}
            // A protocol message to a dead process is lost with the connection.
            Payload::Own(_) => self.core.drop_body(payload),
        }
    }

    /// Tells each node whose part a partition or heal moved.
    fn parts_cut(&mut self, parts: &[(NodeIdx, u32)]) {
        for &(n, p) in parts {
            let mut ctx = Ctx { core: &mut self.core, me: n };
            self.nodes[n as usize].on_part_cut(&mut ctx, p);
        }
    }

    // Kept out of `step`: timeline entries are rare, and their code inlined
    // into the event loop slowed every event (measured with the partitions'
    // arms: the M/M/8 benchmark 0.44 → 0.37 of the hand-written baseline).
    #[cold]
    #[inline(never)]
    fn apply_entry(&mut self, entry: usize) {
        let node = self.scenario.timeline[entry].node;
        let i = node as usize;
        match &self.scenario.timeline[entry].action {
            Action::Fail if self.core.up[i] => {
                self.core.up[i] = false;
                self.core.epoch[i] += 1;
                let mut ctx = Ctx { core: &mut self.core, me: node };
                self.nodes[i].on_fail(&mut ctx);
            }
            Action::Recover if !self.core.up[i] => {
                self.core.up[i] = true;
                let mut ctx = Ctx { core: &mut self.core, me: node };
                self.nodes[i].on_recover(&mut ctx);
            }
            Action::FailPart(part) | Action::RecoverPart(part) => {
                let up = matches!(self.scenario.timeline[entry].action, Action::RecoverPart(_));
                let part = *part;
                let mut ctx = Ctx { core: &mut self.core, me: node };
                self.nodes[i].on_part(&mut ctx, part, up);
            }
            Action::Set(change) => {
                let mut ctx = Ctx { core: &mut self.core, me: node };
                self.nodes[i].set(&mut ctx, change);
            }
            Action::Membership(change) => {
                let change = *change;
                let mut ctx = Ctx { core: &mut self.core, me: node };
                self.nodes[i].on_membership(&mut ctx, change);
            }
            Action::Partition(cut) => {
                let side = self.core.net.next_island;
                self.core.net.next_island += 1;
                for n in cut.nodes() {
                    self.core.net.island[n as usize] = side;
                    self.core.net.any_cut = true;
                }
                let parts: Vec<(NodeIdx, u32)> = cut.parts().collect();
                self.core.net.parts.extend(parts.iter().map(|&(n, p)| (n, p, side)));
                self.parts_cut(&parts);
            }
            Action::Heal(cut) => {
                for n in cut.nodes() {
                    self.core.net.island[n as usize] = 0;
                }
                self.core.net.any_cut = self.core.net.island.iter().any(|&side| side != 0);
                let parts: Vec<(NodeIdx, u32)> = cut.parts().collect();
                self.core.net.parts.retain(|&(n, p, _)| !parts.contains(&(n, p)));
                self.parts_cut(&parts);
            }
            Action::AddServer | Action::RemoveServer => {
                let adding = self.scenario.timeline[entry].action == Action::AddServer;
                self.present[i] = adding;
                self.ever_present[i] |= adding;
                let spec = &self.scenario.node_specs[i];
                let (id, weight) = (spec.id(), spec.kind.weight(spec));
                for (l, link) in self.scenario.topology.links.iter().enumerate() {
                    if link.to != node {
                        continue;
                    }
                    let change = if adding {
                        BackendChange::Added { link: l as LinkIdx, node, id, weight }
                    } else {
                        BackendChange::Removed { node }
                    };
                    let mut ctx = Ctx { core: &mut self.core, me: link.from };
                    self.nodes[link.from as usize].on_backend(&mut ctx, change);
                }
            }
            _ => {}
        }
    }

    /// Processes every event up to and including simulated time `t` (or to
    /// the stop), then sets the clock to `t`.
    pub fn step_until(&mut self, t: SimTime) {
        while self.advance(t, u64::MAX) == Progress::OverBudget {}
    }

    /// Like [`Self::step_until`] but processes at most `max_events` events:
    /// the UI's per-frame budget, so a fast speed cannot freeze a tab.
    pub fn advance(&mut self, t: SimTime, max_events: u64) -> Progress {
        let mut n = 0;
        while !self.finished {
            match self.core.queue.peek_time() {
                Some(next) if next <= t && next <= self.stop_at_ns => {
                    if n == max_events {
                        return Progress::OverBudget;
                    }
                    self.step();
                    n += 1;
                }
                _ => {
                    let target = t.min(self.stop_at_ns);
                    if target > self.core.now {
                        self.advance_clock(target);
                    }
                    if self.core.now >= self.stop_at_ns {
                        self.finished = true;
                    }
                    break;
                }
            }
        }
        if self.finished { Progress::Finished } else { Progress::CaughtUp }
    }

    /// Runs to the scenario's stop condition without recording the trace
    /// (nothing animates a run that goes straight to its end, see
    /// [`Self::trace`]); every result, the time series and the per-node
    /// samples are the same as a run stepped frame by frame. `run` (in
    /// `summary.rs`) is this and the summary.
    pub fn run_to_end(&mut self) {
        self.core.trace.stop();
        while self.step() {}
    }

    fn advance_clock(&mut self, t: SimTime) {
        if t >= self.next_window_end_ns {
            self.close_windows_until(t);
        }
        self.core.now = self.core.now.max(t);
    }

    fn close_windows_until(&mut self, t: SimTime) {
        while t >= self.next_window_end_ns {
            let end = self.next_window_end_ns;
            self.core.metrics.close_window(end);
            for (node, series) in self.nodes.iter_mut().zip(self.node_series.iter_mut()) {
                series.push_back(node.sample(end));
            }
            self.next_window_end_ns += self.scenario.window_ns;
        }
    }

    /// Live state of every node, in scenario order.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            now_ns: self.core.now,
            events: self.core.n_events,
            finished: self.finished,
            nodes: (0..self.nodes.len()).map(|i| self.node_view(i as NodeIdx)).collect(),
        }
    }

    /// One node's live view (what [`Simulation::snapshot`] holds for it).
    pub fn node_view(&self, node: NodeIdx) -> NodeView {
        let i = node as usize;
        let mut v = self.nodes[i].view();
        v.up = self.core.up[i];
        v.present = self.present[i];
        v.cut = self.core.net.island[i] != 0;
        v
    }

    /// Protocol message bodies held in the arena now, and how many of the
    /// queued events carry one: equal whenever every body belongs to a
    /// message on its way (a body whose message was lost, dropped at a
    /// dead node or read must leave the arena).
    pub fn bodies(&self) -> (usize, usize) {
        let held = self.core.bodies.iter().filter(|b| b.is_some()).count();
        let queued = self
            .core
            .queue
            .items()
            .filter(|e| matches!(e, Event::Deliver { payload, .. } if payload.body().is_some()))
            .count();
        (held, queued)
    }

    /// Messages lost so far to the timeline's partitions.
    pub fn lost(&self) -> u64 {
        self.core.net.lost
    }

    /// The time series of closed windows (most recent [`MAX_SERIES_POINTS`]).
    pub fn series(&self) -> &Series<WindowStats> {
        self.core.metrics.series()
    }

    /// Per-node samples, aligned with [`Self::series`].
    pub fn node_series(&self, node: NodeIdx) -> &Series<NodeSample> {
        &self.node_series[node as usize]
    }

    /// Whether the node is in the topology now (see [`NodeView::present`]).
    pub fn is_present(&self, node: NodeIdx) -> bool {
        self.present[node as usize]
    }

    /// Recent link crossings, oldest first (for animating messages); empty
    /// after [`Self::run`].
    pub fn trace(&self) -> impl Iterator<Item = &TraceEntry> {
        self.core.trace.iter()
    }
}
