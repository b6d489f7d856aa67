//! What a node sees of the engine: the [`Node`] trait every kind
//! implements, and [`Ctx`], its window on the engine's shared state
//! ([`Core`]: the clock, the event queue, the RNG substreams, links,
//! metrics, trace, the body arena, the partitions) while it handles one
//! event. The loop that drives them is `engine.rs`'s `Simulation`.

use super::dist::SimRng;
use super::family::{Body, BodyId, NodeSummary, NodeView, Payload};
use super::ids::{LinkIdx, NodeIdx};
use super::metrics::{Metrics, NodeSample};
use super::queue::EventQueue;
use super::request::{Request, Status};
use super::time::SimTime;
use super::timeline::{Change, Membership};
use super::topology::{Link, Topology};
use super::trace::{MsgKind, Trace, TraceEntry};

const _: () = assert!(std::mem::size_of::<Event>() <= 80);

#[derive(Clone, Copy, Debug)]
pub(super) enum Event {
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

/// A change in a balancer's set of backends (servers added or removed by
/// the timeline).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BackendChange<'a> {
    /// The server added, on the balancer's link `link`, with its id and
    /// its weight (`OwnKind::weight`).
    Added {
        link: LinkIdx,
        node: NodeIdx,
        id: &'a str,
        weight: u32,
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
    pub(super) queue: EventQueue<Event>,
    /// One substream of the seeded generator per node.
    pub(super) rngs: Vec<SimRng>,
    pub(super) links: Vec<Link>,
    pub(super) up: Vec<bool>,
    pub(super) epoch: Vec<u32>,
    pub(crate) metrics: Metrics,
    pub(super) trace: Trace,
    pub(super) next_msg_id: u64,
    pub(super) next_request_id: u64,
    pub(super) n_events: u64,
    /// Message bodies in flight; `free_bodies` lists the empty slots.
    pub(super) bodies: Vec<Option<Body>>,
    pub(super) free_bodies: Vec<BodyId>,
    /// The timeline's partitions.
    pub(super) net: Network,
}

/// Which nodes the timeline's partitions have cut off from which.
#[derive(Clone, Debug)]
pub(super) struct Network {
    /// Each node's side: 0 for the main network, one number per
    /// `partition` for the nodes it cut off. A message between nodes on
    /// different sides is lost.
    pub(super) island: Vec<u32>,
    /// Whether any node is cut off now (the one check a message pays).
    pub(super) any_cut: bool,
    pub(super) next_island: u32,
    /// Messages lost to partitions.
    pub(super) lost: u64,
    /// Parts of nodes cut off on a side of their own: (node, part, side).
    /// The engine does not look at them when it moves a message (a node
    /// made of parts sends for them); their node does (`Ctx::part_side`).
    pub(super) parts: Vec<(NodeIdx, u32, u32)>,
}

/// A node's window on the engine while it handles one event.
pub struct Ctx<'a> {
    pub(super) core: &'a mut Core,
    pub(super) me: NodeIdx,
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

    /// The side of the network `node` is on now: 0 for the main one, or
    /// the side a `partition` cut it off on.
    pub fn side_of(&self, node: NodeIdx) -> u32 {
        self.core.net.island[node as usize]
    }

    /// The side this node's part `part` is on now: its own side if a
    /// `partition` cut the part off, else its node's. A node made of parts
    /// asks before it moves anything for a part (to another node, or to
    /// another of its parts): a message between sides is lost.
    pub fn part_side(&self, part: u32) -> u32 {
        let me = self.me;
        self.core
            .net
            .parts
            .iter()
            .find(|&&(n, p, _)| n == me && p == part)
            .map_or(self.core.net.island[me as usize], |&(_, _, side)| side)
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
        let kind = if req.op.writes() { MsgKind::Write } else { MsgKind::Request };
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

    /// Whether a partition separates `a` and `b` now. A node with a part
    /// cut off on the other's side still reaches it: it is that part's
    /// node that keeps its parts apart (`Ctx::part_side`).
    fn cut_between(&self, a: NodeIdx, b: NodeIdx) -> bool {
        let (sa, sb) = (self.net.island[a as usize], self.net.island[b as usize]);
        sa != sb && !self.net.parts.iter().any(|&(n, _, side)| (n == a && side == sb) || (n == b && side == sa))
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

    pub(super) fn drop_body(&mut self, payload: &Payload) {
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
    pub(super) fn send_back(&mut self, mut req: Request) {
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
    /// A `partition` cut its part `part` off, or a `heal` joined it back
    /// (`Ctx::part_side` says where it is now).
    fn on_part_cut(&mut self, _ctx: &mut Ctx, _part: u32) {}
    /// A part joins or leaves (nodes made of members).
    fn on_membership(&mut self, _ctx: &mut Ctx, _change: Membership) {}
    /// Live figures for the UI: cheap enough to call 60 times a second.
    fn view(&self) -> NodeView;
    /// Closes a metrics window at `now` (advances time integrals).
    fn sample(&mut self, now: SimTime) -> NodeSample;
    /// Whole-run figures.
    fn summary(&self, now: SimTime, topology: &Topology) -> NodeSummary;
}
