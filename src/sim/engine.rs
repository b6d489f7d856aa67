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

use super::dist::{SimRng, node_streams};
use super::metrics::{LatencySummary, Metrics, NodeSample, WindowStats};
use super::queue::EventQueue;
use super::series::Series;
use super::spec::FaultSpec;
use super::time::{SimTime, ns_to_s};
use super::trace::{MsgKind, Trace, TraceEntry};
use super::validate::{Action, Change, Link, LinkIdx, NodeIdx, Scenario, ScenarioError, Stop, Topology, limits};

/// What travels and what nodes show are declared by the family registry
/// (`family.rs`); the engine moves and stores them without looking inside.
pub use super::family::{Body, BodyId, Message, Msg, NodeParams, NodeSummary, NodeView, OwnPart, OwnSummary, Payload};
pub use super::summary::Summary;

/// How many windows of the time series are kept (the most recent ones).
pub const MAX_SERIES_POINTS: usize = 3_600;
/// How many recent link crossings the trace keeps for the animation.
pub const TRACE_CAPACITY: usize = 4_096;

/// How a request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Still travelling towards a server.
    Pending,
    Ok,
    /// A server's queue was full (HTTP 503).
    Dropped,
    /// It waited in a queue past the server's `timeout_ms`.
    TimedOut,
    /// It reached a node that was down, or a balancer with no healthy backend.
    Refused,
    /// The node holding it failed.
    Reset,
}

/// A request and, on the way back, its response. `Copy` and fixed-size so the
/// hot path never allocates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Request {
    pub id: u64,
    /// The client node that sent it.
    pub client: NodeIdx,
    /// Drawn from the client's population; what `ip_hash` hashes.
    pub client_id: u32,
    /// Drawn from the client's key distribution.
    pub key: u64,
    pub created_ns: SimTime,
    /// When it arrived at the node now holding it.
    pub arrived_ns: SimTime,
    pub status: Status,
    /// What it asks for (a node that serves one kind of request ignores it).
    pub op: Op,
    /// On an answer to a `Get`: whether the key was there.
    pub hit: bool,
    /// The sender's own correlation number (a server's call slot); the
    /// answer carries it back unchanged. 0 for a client's request.
    pub tag: u32,
    n_hops: u8,
    /// Links crossed, as u16 (validation caps links at `MAX_LINKS`, below
    /// 2^16, counting the links of servers the timeline adds; `Simulation::new`
    /// checks it): a smaller request is copied faster on every hop.
    hops: [u16; limits::MAX_HOPS],
}

// Every message copies a request several times on its way through the
// event queue; keep it within 64 bytes.
const _: () = assert!(std::mem::size_of::<Request>() <= 64);
const _: () = assert!(limits::MAX_LINKS <= u16::MAX as usize + 1);
const _: () = assert!(limits::MAX_NODES <= u16::MAX as usize + 1);
const _: () = assert!(std::mem::size_of::<Event>() <= 80);

impl Request {
    pub fn new(id: u64, client: NodeIdx, client_id: u32, key: u64, now: SimTime) -> Self {
        Request {
            id,
            client,
            client_id,
            key,
            created_ns: now,
            arrived_ns: now,
            status: Status::Pending,
            op: Op::Read,
            hit: false,
            tag: 0,
            n_hops: 0,
            hops: [0; limits::MAX_HOPS],
        }
    }

    /// How many links it has crossed and not yet crossed back: 0 once an
    /// answer is back at its client.
    pub fn n_hops(&self) -> usize {
        usize::from(self.n_hops)
    }
}

#[derive(Clone, Copy, Debug)]
enum Event {
    Deliver {
        /// Node indices as u16 (validation caps nodes at `MAX_NODES`): a
        /// smaller event moves through the queue faster.
        to: u16,
        from: u16,
        /// The target's epoch when a timer was set: a timer set before a
        /// failure must not fire after the recovery.
        epoch: u32,
        payload: Payload,
    },
    /// Timeline entry `entry` of the scenario (a fault or a live edit).
    /// A whole word: the event's tag lives in the payload's tag (a niche),
    /// so `entry` shares the payload's first word, and as a u32 it made the
    /// compiler move every payload as a 4-byte piece and 4-byte-offset
    /// halves that the next copy could not read back from the store buffer
    /// (measured: the M/M/8 run 6% slower once `Payload::Own` came in).
    Control { entry: u64 },
}

/// What a request asks for: read or write its key, or read a run of keys;
/// or, of a key store, get, set or delete its key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Op {
    #[default]
    Read,
    Write,
    /// Read this many consecutive keys from the request's key (at most
    /// `MAX_RANGE_KEYS`; u16 keeps a request small).
    Range(u16),
    Get,
    Set,
    Delete,
}

impl Op {
    pub fn name(self) -> &'static str {
        match self {
            Op::Read => "read",
            Op::Write => "write",
            Op::Range(_) => "range",
            Op::Get => "get",
            Op::Set => "set",
            Op::Delete => "delete",
        }
    }
}

/// A change in the set of parts of a node made of parts (a member joins
/// with a weight, or member `n` leaves).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Membership {
    Add { weight: u32 },
    Remove(u32),
}

/// A change in a balancer's set of backends (servers added or removed by
/// the timeline).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BackendChange<'a> {
    /// The server added, on the balancer's link `link` (the spec says what
    /// it is: its id, a server's weight).
    Added {
        link: LinkIdx,
        node: NodeIdx,
        spec: &'a super::spec::NodeSpec,
    },
    Removed {
        node: NodeIdx,
    },
}

/// Everything the nodes share: handed to a node, wrapped in a [`Ctx`], for
/// the duration of one event.
#[derive(Clone)]
pub struct Core {
    pub(super) now: SimTime,
    queue: EventQueue<Event>,
    /// One substream of the seeded generator per node.
    rngs: Vec<SimRng>,
    links: Vec<Link>,
    pub(super) up: Vec<bool>,
    epoch: Vec<u32>,
    pub(crate) metrics: Metrics,
    trace: Trace,
    next_msg_id: u64,
    next_request_id: u64,
    pub(super) n_events: u64,
    /// Message bodies in flight; `free_bodies` lists the empty slots.
    bodies: Vec<Option<Body>>,
    free_bodies: Vec<BodyId>,
    /// The timeline's partitions.
    pub(super) net: Network,
}

/// Which nodes the timeline's partitions have cut off from which.
#[derive(Clone, Debug)]
pub(super) struct Network {
    /// Each node's side: 0 for the main network, one number per
    /// `partition` for the nodes it cut off. A message between nodes on
    /// different sides is lost.
    island: Vec<u32>,
    /// Whether any node is cut off now (the one check a message pays).
    any_cut: bool,
    next_island: u32,
    /// Messages lost to partitions.
    pub(super) lost: u64,
}

/// A node's window on the engine while it handles one event.
pub struct Ctx<'a> {
    core: &'a mut Core,
    me: NodeIdx,
}

impl Ctx<'_> {
    pub fn now(&self) -> SimTime {
        self.core.now
    }

    /// The run's one RNG: every random decision draws from it.
    pub fn rng(&mut self) -> &mut SimRng {
        &mut self.core.rngs[self.me as usize]
    }

    pub fn is_up(&self, node: NodeIdx) -> bool {
        self.core.up[node as usize]
    }

    /// Whether a probe from this node to `node` would be answered: it is up
    /// and not cut off from this node by a partition (what a health check
    /// or a heartbeat learns).
    pub fn reaches(&self, node: NodeIdx) -> bool {
        self.core.up[node as usize] && !self.core.cut_between(self.me, node)
    }

    pub fn metrics(&mut self) -> &mut Metrics {
        &mut self.core.metrics
    }

    pub fn new_request_id(&mut self) -> u64 {
        self.core.next_request_id += 1;
        self.core.next_request_id
    }

    /// Sends a request over one of this node's outgoing links.
    // The hot Ctx calls are forced inline only natively: the wasm build is
    // for size, and a copy at each of the families' call sites cost the
    // first load 7.5 KB (measured). The engine's own hot path (transmit,
    // the queue) is forced inline everywhere; it has few call sites.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub fn send_request(&mut self, link: LinkIdx, mut req: Request) {
        debug_assert_eq!(self.core.links[link as usize].from, self.me);
        let n = req.n_hops as usize;
        // Validation bounds paths to MAX_HOPS links, so this always fits.
        req.hops[n] = link as u16;
        req.n_hops += 1;
        let l = self.core.links[link as usize];
        let kind = if matches!(req.op, Op::Write | Op::Set | Op::Delete) { MsgKind::Write } else { MsgKind::Request };
        self.core.transmit(l.from, l.to, l.latency_ns, Payload::Request(req), kind);
    }

    /// Sends a request (or a response) back over the link it last crossed,
    /// with the given status. A request with no hops left has reached its
    /// client, so there is nothing to send.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub fn reply(&mut self, mut req: Request, status: Status) {
        req.status = status;
        self.core.send_back(req);
    }

    /// Passes a response on towards the client, keeping its status.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub fn forward_response(&mut self, req: Request) {
        self.core.send_back(req);
    }

    /// Sends a protocol message over one of this node's links, in either
    /// direction (a node may push to the node that linked to it).
    /// `key` colours the message in the animation (a record's key).
    pub fn send(&mut self, link: LinkIdx, payload: Payload, kind: MsgKind, key: u32) {
        let l = self.core.links[link as usize];
        let to = if l.from == self.me { l.to } else { l.from };
        debug_assert!(l.from == self.me || l.to == self.me);
        self.core.transmit_keyed(self.me, to, l.latency_ns, payload, kind, key);
    }

    /// Puts a message body (any `Clone + Debug` type of the family's) in
    /// the engine's arena; the message carries the handle.
    pub fn put_body<T: std::any::Any + Clone + std::fmt::Debug + Send + Sync>(&mut self, body: T) -> BodyId {
        let body = Body::new(body);
        match self.core.free_bodies.pop() {
            Some(id) => {
                self.core.bodies[id as usize] = Some(body);
                id
            }
            None => {
                self.core.bodies.push(Some(body));
                (self.core.bodies.len() - 1) as BodyId
            }
        }
    }

    /// Takes the body of a message that has arrived (each body is taken
    /// once): `None` if it is not a `T`.
    pub fn take_body<T: std::any::Any>(&mut self, id: BodyId) -> Option<T> {
        self.core.free_bodies.push(id);
        self.core.bodies[id as usize].take().expect("a body is taken once, by its receiver").take()
    }

    /// Wakes this node after `delay_ns` with `Payload::Timer { tag, slot }`.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub fn set_timer(&mut self, delay_ns: SimTime, tag: u32, slot: u32) {
        let me = self.me;
        let epoch = self.core.epoch[me as usize];
        self.core.queue.push(
            self.core.now + delay_ns,
            Event::Deliver { to: me as u16, from: me as u16, epoch, payload: Payload::Timer { tag, slot } },
        );
    }
}

impl Core {
    #[inline(always)]
    fn transmit(&mut self, from: NodeIdx, to: NodeIdx, latency_ns: SimTime, payload: Payload, kind: MsgKind) {
        let key = match payload {
            Payload::Request(r) | Payload::Response(r) => r.id as u32,
            _ => 0,
        };
        self.transmit_keyed(from, to, latency_ns, payload, kind, key);
    }

    #[inline(always)]
    fn transmit_keyed(
        &mut self,
        from: NodeIdx,
        to: NodeIdx,
        latency_ns: SimTime,
        payload: Payload,
        kind: MsgKind,
        key: u32,
    ) {
        if self.net.any_cut && self.cut_between(from, to) {
            // Scalars only: a payload passed by value made every send site
            // keep it in memory (measured: the M/M/8 benchmark 15% slower).
            let req_id = match payload {
                Payload::Request(r) | Payload::Response(r) => r.id,
                _ => 0,
            };
            return self.lose(from, to, latency_ns, req_id, payload.body(), key);
        }
        self.next_msg_id += 1;
        let arrive_ns = self.now + latency_ns;
        let req_id = match payload {
            Payload::Request(r) | Payload::Response(r) => r.id,
            _ => 0,
        };
        self.trace.push(TraceEntry {
            msg_id: self.next_msg_id,
            req_id,
            from,
            to,
            sent_ns: self.now,
            arrive_ns,
            kind,
            key,
        });
        self.queue.push(arrive_ns, Event::Deliver { to: to as u16, from: from as u16, epoch: 0, payload });
    }

    /// Whether a partition separates `a` and `b` now.
    fn cut_between(&self, a: NodeIdx, b: NodeIdx) -> bool {
        self.net.island[a as usize] != self.net.island[b as usize]
    }

    /// A message sent across a partition: it never arrives. The trace
    /// shows it going half way (the animation draws it fading there).
    #[cold]
    #[inline(never)]
    fn lose(&mut self, from: NodeIdx, to: NodeIdx, latency_ns: SimTime, req_id: u64, body: Option<BodyId>, key: u32) {
        self.next_msg_id += 1;
        self.net.lost += 1;
        self.trace.push(TraceEntry {
            msg_id: self.next_msg_id,
            req_id,
            from,
            to,
            sent_ns: self.now,
            arrive_ns: self.now + latency_ns / 2,
            kind: MsgKind::Lost,
            key,
        });
        if let Some(id) = body {
            self.free_body(id);
        }
    }

    fn drop_body(&mut self, payload: &Payload) {
        if let Some(id) = payload.body() {
            self.free_body(id);
        }
    }

    /// Empties a body's slot in the arena (its message will never be read).
    fn free_body(&mut self, id: BodyId) {
        self.bodies[id as usize] = None;
        self.free_bodies.push(id);
    }

    #[inline(always)]
    fn send_back(&mut self, mut req: Request) {
        if req.n_hops == 0 {
            return;
        }
        req.n_hops -= 1;
        let l = self.links[usize::from(req.hops[req.n_hops as usize])];
        let kind = if req.status == Status::Ok { MsgKind::Response } else { MsgKind::Error };
        self.transmit(l.to, l.from, l.latency_ns, Payload::Response(req), kind);
    }
}

/// A copy of a node's whole state, for checkpoints: every node kind is
/// `Clone`, and this blanket impl gives it `clone_node`.
pub trait CloneNode {
    fn clone_node(&self) -> Box<dyn Node>;
}

impl<T: Node + Clone + 'static> CloneNode for T {
    fn clone_node(&self) -> Box<dyn Node> {
        Box::new(self.clone())
    }
}

/// The behaviour of one node kind. See ARCHITECTURE.md, "Adding a node kind".
pub trait Node: Send + Sync + CloneNode {
    /// Called once before the first event, e.g. to schedule the first arrival.
    fn start(&mut self, ctx: &mut Ctx);
    /// A message or one of the node's own timers has arrived.
    fn on_message(&mut self, ctx: &mut Ctx, from: NodeIdx, payload: Payload);
    /// The node has just failed: whatever it held is lost.
    fn on_fail(&mut self, _ctx: &mut Ctx) {}
    /// The node is back, with empty state; timers set before the failure are
    /// void. Most nodes need nothing here: a station's time integrals are
    /// lazy (taken at each change of state and each sample), so the time
    /// spent down is counted, idle, whenever they are next taken.
    fn on_recover(&mut self, _ctx: &mut Ctx) {}
    /// New parameter values (validated for this kind) take effect now.
    fn set(&mut self, _ctx: &mut Ctx, _change: &Change) {}
    /// A backend joined or left (balancers only).
    fn on_backend(&mut self, _ctx: &mut Ctx, _change: BackendChange) {}
    /// A part of the node failed (`up` false) or recovered (the timeline's
    /// `fail`/`recover` naming a part).
    fn on_part(&mut self, _ctx: &mut Ctx, _part: u32, _up: bool) {}
    /// A part joins or leaves (nodes made of members).
    fn on_membership(&mut self, _ctx: &mut Ctx, _change: Membership) {}
    /// Live figures for the UI: cheap enough to call 60 times a second.
    fn view(&self) -> NodeView;
    /// Closes a metrics window at `now` (advances time integrals).
    fn sample(&mut self, now: SimTime) -> NodeSample;
    /// Whole-run figures.
    fn summary(&self, now: SimTime, topology: &Topology) -> NodeSummary;
}

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
            net: Network { island: vec![0; n_nodes], any_cut: false, next_island: 1, lost: 0 },
        };
        let (stop_at_ns, stop_after_finished) = match scenario.stop {
            Stop::SimTime(t) => (t, None),
            Stop::FinishedRequests(n) => (super::time::s_to_ns(limits::MAX_SIM_TIME_S), Some(n)),
        };
        let mut sim = Simulation {
            core,
            present: (0..n_nodes).map(|i| i < scenario.n_initial_nodes).collect(),
            ever_present: (0..n_nodes).map(|i| i < scenario.n_initial_nodes).collect(),
            nodes: Vec::with_capacity(n_nodes),
            node_series: vec![Series::new(MAX_SERIES_POINTS); n_nodes],
            stop_at_ns,
            stop_after_finished,
            finished: false,
            next_window_end_ns: scenario.window_ns,
            counts_protocols: super::summary::counts_protocols(&scenario.node_specs),
            scenario: scenario.clone(),
        };
        for i in 0..n_nodes {
            let spec = &scenario.node_specs[i];
            sim.nodes.push(spec.kind.build(spec, &scenario.node_specs, i as NodeIdx, &scenario.topology));
        }
        for (entry, a) in scenario.timeline.iter().enumerate() {
            sim.core.queue.push_control(a.at_ns, Event::Control { entry: entry as u64 });
        }
        for i in 0..scenario.n_initial_nodes {
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
            Action::Partition(nodes) => {
                let side = self.core.net.next_island;
                self.core.net.next_island += 1;
                for &n in nodes {
                    self.core.net.island[n as usize] = side;
                }
                self.core.net.any_cut = true;
            }
            Action::Heal(nodes) => {
                for &n in nodes {
                    self.core.net.island[n as usize] = 0;
                }
                self.core.net.any_cut = self.core.net.island.iter().any(|&side| side != 0);
            }
            Action::AddServer | Action::RemoveServer => {
                let adding = self.scenario.timeline[entry].action == Action::AddServer;
                self.present[i] = adding;
                self.ever_present[i] |= adding;
                let spec = &self.scenario.node_specs[i];
                for (l, link) in self.scenario.topology.links.iter().enumerate() {
                    if link.to != node {
                        continue;
                    }
                    let change = if adding {
                        BackendChange::Added { link: l as LinkIdx, node, spec }
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

    /// Runs to the scenario's stop condition, for the summary (the CLI,
    /// tests, the benchmark). Nothing animates a run that goes straight to
    /// its end, so the trace stops recording (see [`Self::trace`]); every
    /// result, the time series and the per-node samples are the same as a
    /// run stepped frame by frame.
    pub fn run(&mut self) -> Summary {
        self.core.trace.stop();
        while self.step() {}
        self.summary()
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
