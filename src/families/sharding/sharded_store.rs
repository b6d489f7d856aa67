//! `sharded_store`: a key-value store split over shards, each shard a small
//! server (workers, FIFO queue), placed by [`Placement`] and replicated on
//! the next `replication` distinct shards.
//!
//! ```text
//!   client ──► routing tier ──► replicas of the key ──► quorum reached ──► reply
//!      client: the client library calls the replicas (1 hop)
//!      router: a router tier forwards (router_ms, then hop_ms each way: 2 hops)
//!      any_node: a random live shard coordinates; replicas other than
//!                itself cost hop_ms each way (1 hop, or 2 when it forwards)
//!   read:  R live replicas (the coordinator's own copy first, then the least
//!          busy); fewer than R live → refused (unavailable)
//!   write: every live replica; done at W acknowledgements; fewer than W live → refused
//!   range: each key of [k, k + range_keys) from its first live replica;
//!          one request per distinct shard (scatter-gather); done when all answer
//! ```
//! The routing tier learns of failures at once (no detection delay) and
//! there is no hinted handoff: a write misses a down replica. Keys move
//! instantly when shards join or leave (no streaming time is modelled); the
//! view counts and animates what moved.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use serde::Serialize;

use super::spec::ShardedStoreSpec;
use crate::families::sharding::placement::{Placement, key_hash, load_balance, shard_name};
use crate::sim::dist::Duration;
use crate::sim::engine::{
    Ctx, Membership, Node, NodeSummary, NodeView, Op, OwnPart, OwnSummary, Payload, Request, Status,
};
use crate::sim::family::PartState;
use crate::sim::kind::NodeSpec;
use crate::sim::kind::PartsOf;
use crate::sim::metrics::{NodeSample, WindowLatency};
use crate::sim::spec::service_time;
use crate::sim::spec::{FaultSpec, KeySpec, Partitioning, Routing, ServiceTimeSpec};
use crate::sim::time::{SimTime, ms_to_ns, ns_to_s, per_s};
use crate::sim::validate::validate_service_time;
use crate::sim::validate::{Change, NodeIdx, Problems, Topology, limits};

use rand::Rng;

/// Keys drawn on the ring view (and sampled to count moved keys).
pub const SAMPLE_KEYS: u64 = 10_000;
/// Routes kept for the ring view's animation.
const RECENT_ROUTES: usize = 48;
/// Targets a route remembers for drawing (a range scan may touch more).
pub const ROUTE_TARGETS: usize = 8;

const T_ROUTE: u32 = 1;
const T_ARRIVE: u32 = 2;
const T_DONE: u32 = 3;
const T_BACK: u32 = 4;
const NONE: u32 = u32::MAX;
/// Subrequest generations live in a timer tag's upper 29 bits.
const GENERATION_MASK: u32 = (1 << 29) - 1;

/// A store's shards, as the timeline names them (`shard`): each fails and
/// recovers on its own, the store may fail whole, and `add_shard` and
/// `remove_shard` change how many there are (at most `MAX_SHARDS`).
pub fn parts(s: &ShardedStoreSpec) -> PartsOf {
    PartsOf {
        field: "shard",
        plural: "shards",
        a_kind: "a sharded store",
        count: s.shards,
        must_name: false,
        membership: Some(limits::MAX_SHARDS),
    }
}

/// A sharded store's settings (`NodeView::params`): its shards' service
/// time, and where its keys live and how requests find them (what a `set`
/// entry changes).
#[derive(Clone, Debug, PartialEq)]
pub struct StoreParams {
    /// Each shard's (the view's `workers` are all the live shards').
    pub workers: u32,
    pub service_time: ServiceTimeSpec,
    pub partitioning: Partitioning,
    pub routing: Routing,
    pub vnodes: u32,
}

impl StoreParams {
    /// Every other placement and routing, and ten times more or fewer
    /// virtual nodes (hash placement only).
    pub fn candidates(&self, id: &str) -> Vec<crate::families::offers::Offer> {
        let mut out = Vec::new();
        let mut offer = |a: String, b: String, change: FaultSpec| {
            out.push((format!("{id}: {a}"), format!("{id}: {b}"), crate::families::offers::set(id, change)))
        };
        for p in Partitioning::ALL.into_iter().filter(|&p| p != self.partitioning) {
            let change = FaultSpec { partitioning: Some(p), ..Default::default() };
            offer(self.partitioning.label().into(), p.label().into(), change);
        }
        for r in Routing::ALL.into_iter().filter(|&r| r != self.routing) {
            offer(self.routing.label().into(), r.label().into(), FaultSpec { routing: Some(r), ..Default::default() });
        }
        if self.partitioning == Partitioning::Hash {
            let v = self.vnodes;
            for n in [v.saturating_mul(10).min(1000), (v / 10).max(1)] {
                if n != v {
                    offer(
                        format!("{v} vnodes"),
                        format!("{n} vnodes"),
                        FaultSpec { vnodes: Some(n), ..Default::default() },
                    );
                }
            }
        }
        out
    }

    /// Its `set` fields now (`OwnKind::settings`): `workers` per shard, as
    /// a `set` gives them.
    pub fn settings(&self) -> FaultSpec {
        FaultSpec {
            workers: Some(self.workers),
            service_time: Some(self.service_time.clone()),
            partitioning: Some(self.partitioning),
            routing: Some(self.routing),
            vnodes: Some(self.vnodes),
            ..Default::default()
        }
    }
}

pub fn validate(s: &ShardedStoreSpec, path: &str, p: &mut Problems) {
    p.range_u64(path, "shards", u64::from(s.shards), 1, u64::from(limits::MAX_SHARDS));
    if !s.weights.is_empty() && s.weights.len() != s.shards as usize {
        p.add(
            format!("{path}.weights"),
            format!("must list one weight per shard ({}), or be left out (got {})", s.shards, s.weights.len()),
        );
    }
    for (i, &w) in s.weights.iter().enumerate() {
        p.range_u64(path, &format!("weights[{i}]"), u64::from(w), 1, u64::from(limits::MAX_SHARD_WEIGHT));
    }
    p.range_u64(path, "vnodes", u64::from(s.vnodes), 1, u64::from(limits::MAX_VNODES));
    p.range_u64(path, "key_space", s.key_space, 1, limits::MAX_KEYS);
    p.range_u64(path, "replication", u64::from(s.replication), 1, u64::from(limits::MAX_REPLICATION.min(s.shards)));
    for (name, q) in [("read_quorum", s.read_quorum), ("write_quorum", s.write_quorum)] {
        if q < 1 || q > s.replication {
            p.add(
                format!("{path}.{name}"),
                format!("must be from 1 to the replication factor ({}) (got {q})", s.replication),
            );
        }
    }
    p.range_f64(path, "hop_ms", s.hop_ms, 0.0, limits::MAX_LATENCY_MS);
    p.range_f64(path, "router_ms", s.router_ms, 0.0, limits::MAX_LATENCY_MS);
    p.range_u64(path, "workers", u64::from(s.workers), 1, u64::from(limits::MAX_WORKERS));
    p.range_u64(path, "queue_capacity", s.queue_capacity, 0, limits::MAX_QUEUE_CAPACITY);
    validate_service_time(&s.service_time, &format!("{path}.service_time"), p);
}

/// The store's clients must draw keys inside its key space (what ranges
/// split and the ring view samples): a key past it would fall in the last
/// range and be missing from the view.
pub fn validate_clients(s: &ShardedStoreSpec, path: &str, from: &[&NodeSpec], p: &mut Problems) {
    for c in from.iter().filter_map(|n| n.as_kind::<crate::families::web_tier::kinds::Client>()) {
        let n_keys = match c.keys {
            KeySpec::Uniform { n_keys } | KeySpec::Zipf { n_keys, .. } => n_keys,
        };
        if n_keys > s.key_space {
            p.add(
                format!("{path}.key_space"),
                format!(
                    "is {} but client `{}` draws keys 0 to {}; set key_space to at least {n_keys} (or give the client fewer keys)",
                    s.key_space,
                    c.id,
                    n_keys - 1
                ),
            );
        }
    }
}

/// One shard: a server inside the store.
#[derive(Clone, Debug)]
struct Shard {
    weight: u32,
    up: bool,
    present: bool,
    busy: u32,
    queue: VecDeque<u32>,
    /// Subrequests being served (for failing them with the shard).
    in_service: Vec<u32>,
    served: u64,
    served_at_sample: u64,
    load_per_s: f64,
    integrated_to: SimTime,
    busy_integral: u128,
    capacity_integral: u128,
    sampled_busy: u128,
    sampled_capacity: u128,
}

impl Shard {
    fn new(weight: u32, now: SimTime) -> Self {
        Shard {
            weight,
            up: true,
            present: true,
            busy: 0,
            queue: VecDeque::new(),
            in_service: Vec::new(),
            served: 0,
            served_at_sample: 0,
            load_per_s: 0.0,
            integrated_to: now,
            busy_integral: 0,
            capacity_integral: 0,
            sampled_busy: 0,
            sampled_capacity: 0,
        }
    }

    fn integrate(&mut self, now: SimTime, workers: u32) {
        let dt = u128::from(now.saturating_sub(self.integrated_to));
        self.busy_integral += u128::from(self.busy) * dt;
        if self.present && self.up {
            self.capacity_integral += u128::from(workers) * dt;
        }
        self.integrated_to = now;
    }

    /// Busy worker-time over live worker-time, up to `now`.
    fn utilisation_at(&self, now: SimTime, workers: u32) -> f64 {
        let dt = u128::from(now.saturating_sub(self.integrated_to));
        let busy = self.busy_integral + u128::from(self.busy) * dt;
        let live = u128::from(self.present && self.up);
        let capacity = self.capacity_integral + live * u128::from(workers) * dt;
        if capacity == 0 { 0.0 } else { busy as f64 / capacity as f64 }
    }
}

/// A request in the store: waiting for its replicas.
#[derive(Clone, Debug)]
struct OpState {
    req: Request,
    need: u16,
    got: u16,
    outstanding: u16,
    replied: bool,
    /// The shard coordinating (any_node), or NONE.
    coordinator: u32,
}

/// One shard's part of a request.
#[derive(Clone, Copy, Debug)]
struct Sub {
    op: u32,
    shard: u32,
    /// Voids timers of a subrequest failed with its shard (the slot is reused).
    generation: u32,
    /// One-way hop from the coordinator.
    hop_ns: SimTime,
    live: bool,
    /// Its index in its shard's `in_service` while served.
    slot: u32,
}

/// A change of where keys live, and how many moved.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReshardRecord {
    pub at_s: f64,
    /// What changed: "added shard-4", "removed shard-2", "vnodes 1 → 100", …
    pub what: String,
    /// Of the sampled keys (up to 10,000, spread evenly over the key space):
    pub sampled: u64,
    pub moved: u64,
    pub moved_fraction: f64,
    /// Keys the other scheme would have moved for the same change
    /// (modulo hashing for a ring or ranges; a ring for modulo).
    pub alternative: &'static str,
    pub alternative_fraction: f64,
}

/// What the ring view draws; rebuilt only when placement changes (the view
/// shares it, so a frame copies a pointer).
#[derive(Clone, Debug, Default)]
pub struct RingLayout {
    /// Bumped on every change.
    pub version: u32,
    pub partitioning: Partitioning,
    /// Ring points or range starts: (position in [0, 1), shard).
    pub ticks: Vec<(f32, u32)>,
    /// The sampled keys: (key, position in [0, 1), owner).
    pub keys: Vec<(u64, f32, u32)>,
    /// Keys that moved in the last change: (index into `keys`, old owner).
    pub moved: Vec<(u32, u32)>,
    pub last_change: Option<ReshardRecord>,
    pub changed_at_ns: SimTime,
}

/// A layout is never changed once built, and a store numbers its layouts
/// in the order of its (deterministic) placement changes: equal version and
/// time mean the same layout. Comparing them so costs O(1) instead of a walk
/// over 10,000 keys, which matters because the app compares node views
/// every frame to re-render only what changed.
impl PartialEq for RingLayout {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && self.changed_at_ns == other.changed_at_ns
    }
}

/// One request's route, for the animation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Route {
    pub at_ns: SimTime,
    pub key: u64,
    /// "read", "write" or "range".
    pub op: &'static str,
    /// The coordinating shard (any_node), if any.
    pub coordinator: Option<u32>,
    pub router: bool,
    /// Shards called (the first `ROUTE_TARGETS`), and how many in all.
    pub targets: [u32; ROUTE_TARGETS],
    pub n_targets: u16,
    /// Refused before any shard was called (too few live replicas).
    pub refused: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ShardState {
    pub shard: u32,
    pub up: bool,
    /// In the placement (not removed).
    pub present: bool,
    pub weight: u32,
    pub busy: u32,
    pub queue_len: u64,
    pub served: u64,
    /// Subrequests per second in the last metrics window.
    pub load_per_s: f64,
    /// Fraction of keys it owns (hash space or key space).
    pub share: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StoreView {
    pub partitioning: Partitioning,
    pub routing: Routing,
    pub vnodes: u32,
    pub replication: u32,
    pub read_quorum: u32,
    pub write_quorum: u32,
    pub workers: u32,
    pub shards: Vec<ShardState>,
    pub recent: Vec<Route>,
    pub unavailable: u64,
    pub mean_hops: f64,
    pub layout: Arc<RingLayout>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShardSummary {
    pub up: bool,
    pub present: bool,
    pub weight: u32,
    pub served: u64,
    pub utilisation: f64,
    pub share: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoreSummary {
    pub partitioning: Partitioning,
    pub routing: Routing,
    pub reads: u64,
    pub writes: u64,
    pub ranges: u64,
    /// Requests refused because too few replicas were live.
    pub unavailable: u64,
    /// Network hops from the client to the shards, one way, per request.
    pub mean_hops: f64,
    /// Shards one range scan called, on average.
    pub mean_range_fanout: f64,
    /// Of subrequests served per shard in the placement at the end.
    pub load_max_over_mean: f64,
    pub load_cv: f64,
    pub shards: BTreeMap<String, ShardSummary>,
    pub changes: Vec<ReshardRecord>,
}

#[derive(Clone, Debug)]
pub struct ShardedStore {
    replication: u32,
    read_quorum: u32,
    write_quorum: u32,
    routing: Routing,
    hop_ns: SimTime,
    router_ns: SimTime,
    workers: u32,
    queue_capacity: u64,
    service: Duration,
    service_spec: ServiceTimeSpec,
    placement: Placement,
    /// The other scheme, changed alongside, to say what it would have moved.
    alternative: Placement,
    shards: Vec<Shard>,
    ops: Vec<OpState>,
    free_ops: Vec<u32>,
    subs: Vec<Sub>,
    free_subs: Vec<u32>,
    scratch: Vec<u32>,
    targets: Vec<u32>,
    sample_keys: Vec<(u64, u64)>,
    alternative_owners: Vec<u32>,
    layout: Arc<RingLayout>,
    /// Each shard's share of the keys (by shard number), as of the last change.
    shares: Vec<f64>,
    /// Live shards in the placement, ascending (any_node picks from these).
    live: Vec<u32>,
    changes: Vec<ReshardRecord>,
    recent: VecDeque<Route>,
    reads: u64,
    writes: u64,
    ranges: u64,
    completed: u64,
    errors: u64,
    unavailable: u64,
    hops: u64,
    routed: u64,
    range_fanout: u64,
    window_latency: WindowLatency,
    sampled: (u64, u64),
    last_sample_ns: SimTime,
}

fn alternative_of(p: Partitioning) -> Partitioning {
    if p == Partitioning::Modulo { Partitioning::Hash } else { Partitioning::Modulo }
}

impl ShardedStore {
    /// The view's figures: what the inspector lists, and what lessons and
    /// the A/B verdict read by label (`crate::lessons`).
    fn figures(&self, shards: &[ShardState]) -> Vec<(&'static str, f64)> {
        let loads: Vec<f64> = shards.iter().filter(|s| s.present).map(|s| s.load_per_s).collect();
        let mut out = vec![
            ("Errors", self.errors as f64),
            ("Unavailable", self.unavailable as f64),
            ("Mean hops", self.hops as f64 / self.routed.max(1) as f64),
            // Over the last metrics window.
            ("Load max/mean", load_balance(&loads).0),
        ];
        if self.ranges > 0 {
            out.push(("Shards per range scan", self.range_fanout as f64 / self.ranges as f64));
        }
        if let Some(change) = self.layout.last_change.as_ref().filter(|c| c.at_s > 0.0) {
            out.push(("Keys moved by the last change %", change.moved_fraction * 100.0));
        }
        out
    }

    pub fn new(s: &ShardedStoreSpec) -> Self {
        let weights: Vec<u32> = if s.weights.is_empty() { vec![1; s.shards as usize] } else { s.weights.clone() };
        let placement = Placement::new(s.partitioning, s.vnodes, s.key_space, &weights);
        let alternative = Placement::new(alternative_of(s.partitioning), s.vnodes, s.key_space, &weights);
        let n = SAMPLE_KEYS.min(s.key_space);
        let sample_keys = (0..n)
            .map(|i| {
                let k = (u128::from(i) * u128::from(s.key_space) / u128::from(n)) as u64;
                (k, key_hash(k))
            })
            .collect();
        let mut store = ShardedStore {
            replication: s.replication,
            read_quorum: s.read_quorum,
            write_quorum: s.write_quorum,
            routing: s.routing,
            hop_ns: ms_to_ns(s.hop_ms),
            router_ns: ms_to_ns(s.router_ms),
            workers: s.workers,
            queue_capacity: s.queue_capacity,
            service: service_time(&s.service_time),
            service_spec: s.service_time.clone(),
            placement,
            alternative,
            shards: weights.iter().map(|&w| Shard::new(w, 0)).collect(),
            ops: Vec::new(),
            free_ops: Vec::new(),
            subs: Vec::new(),
            free_subs: Vec::new(),
            scratch: Vec::new(),
            targets: Vec::new(),
            sample_keys,
            alternative_owners: Vec::new(),
            layout: Arc::new(RingLayout::default()),
            shares: Vec::new(),
            live: Vec::new(),
            changes: Vec::new(),
            recent: VecDeque::with_capacity(RECENT_ROUTES),
            reads: 0,
            writes: 0,
            ranges: 0,
            completed: 0,
            errors: 0,
            unavailable: 0,
            hops: 0,
            routed: 0,
            range_fanout: 0,
            window_latency: WindowLatency::new(),
            sampled: (0, 0),
            last_sample_ns: 0,
        };
        store.relayout(0, None);
        store
    }

    fn owners_of(p: &Placement, keys: &[(u64, u64)]) -> Vec<u32> {
        keys.iter().map(|&(k, h)| p.owner(k, h).unwrap_or(NONE)).collect()
    }

    /// Rebuilds the ring view's layout; with `what`, records how many
    /// sampled keys moved (and how many the alternative scheme moved).
    fn relayout(&mut self, now: SimTime, what: Option<String>) {
        let owners = Self::owners_of(&self.placement, &self.sample_keys);
        let alternative_owners = Self::owners_of(&self.alternative, &self.sample_keys);
        let old = Arc::clone(&self.layout);
        let mut moved = Vec::new();
        let mut record = None;
        if let Some(what) = what {
            for (i, (&(_, _, before), &after)) in old.keys.iter().zip(&owners).enumerate() {
                if before != after {
                    moved.push((i as u32, before));
                }
            }
            let alt_moved = self
                .alternative_owners
                .iter()
                .zip(&alternative_owners)
                .filter(|(before, after)| before != after)
                .count();
            let sampled = owners.len() as u64;
            let r = ReshardRecord {
                at_s: ns_to_s(now),
                what,
                sampled,
                moved: moved.len() as u64,
                moved_fraction: moved.len() as f64 / sampled.max(1) as f64,
                alternative: match self.alternative.partitioning() {
                    Partitioning::Modulo => "modulo",
                    _ => "hash ring",
                },
                alternative_fraction: alt_moved as f64 / sampled.max(1) as f64,
            };
            self.changes.push(r.clone());
            record = Some(r);
        }
        let keys = self
            .sample_keys
            .iter()
            .zip(&owners)
            .map(|(&(k, h), &o)| (k, self.placement.position(k, h) as f32, o))
            .collect();
        self.alternative_owners = alternative_owners;
        self.shares = vec![0.0; self.shards.len()];
        for (shard, share) in self.placement.shares() {
            self.shares[shard as usize] = share;
        }
        self.update_live();
        self.layout = Arc::new(RingLayout {
            version: old.version + 1,
            partitioning: self.placement.partitioning(),
            ticks: self.placement.ticks().into_iter().map(|(p, s)| (p as f32, s)).collect(),
            keys,
            moved,
            last_change: record.or_else(|| old.last_change.clone()),
            changed_at_ns: now,
        });
    }

    fn update_live(&mut self) {
        self.live.clear();
        for &m in self.placement.members() {
            if self.shards[m as usize].up {
                self.live.push(m);
            }
        }
    }

    fn alloc_op(&mut self, op: OpState) -> u32 {
        match self.free_ops.pop() {
            Some(i) => {
                self.ops[i as usize] = op;
                i
            }
            None => {
                self.ops.push(op);
                (self.ops.len() - 1) as u32
            }
        }
    }

    fn alloc_sub(&mut self, op: u32, shard: u32, hop_ns: SimTime) -> u32 {
        match self.free_subs.pop() {
            Some(i) => {
                let s = &mut self.subs[i as usize];
                *s = Sub { op, shard, generation: (s.generation + 1) & GENERATION_MASK, hop_ns, live: true, slot: 0 };
                i
            }
            None => {
                self.subs.push(Sub { op, shard, generation: 0, hop_ns, live: true, slot: 0 });
                (self.subs.len() - 1) as u32
            }
        }
    }

    fn timer(ctx: &mut Ctx, delay: SimTime, kind: u32, generation: u32, slot: u32) {
        ctx.set_timer(delay, kind | (generation << 3), slot);
    }

    fn is_live(&self, shard: u32) -> bool {
        let s = &self.shards[shard as usize];
        s.up && s.present
    }

    fn queue_depth(&self, shard: u32) -> u64 {
        let s = &self.shards[shard as usize];
        u64::from(s.busy) + s.queue.len() as u64
    }

    /// Picks the coordinator (any_node) and the shards to call; returns the
    /// quorum needed, or None when too few replicas are live.
    fn plan(&mut self, req: &Request, coordinator: u32) -> Option<u16> {
        self.targets.clear();
        let n = self.replication as usize;
        match req.op {
            Op::Read | Op::Write | Op::Get | Op::Set | Op::Delete => {
                let mut scratch = std::mem::take(&mut self.scratch);
                self.placement.replicas_of_key(req.key, n, &mut scratch);
                scratch.retain(|&s| self.is_live(s));
                let result = if req.op == Op::Write {
                    self.targets.extend_from_slice(&scratch);
                    (scratch.len() >= self.write_quorum as usize).then_some(self.write_quorum as u16)
                } else if scratch.len() >= self.read_quorum as usize {
                    // The coordinator's own copy first, then the least busy
                    // (ties: preference order): R picks from at most 5.
                    let r = self.read_quorum as usize;
                    for _ in 0..r {
                        let best = (0..scratch.len())
                            .min_by_key(|&i| (scratch[i] != coordinator, self.queue_depth(scratch[i]), i))
                            .expect("enough live replicas");
                        self.targets.push(scratch.remove(best));
                    }
                    Some(r as u16)
                } else {
                    None
                };
                self.scratch = scratch;
                result
            }
            Op::Range(len) => {
                let end = req.key.saturating_add(u64::from(len)).min(self.placement.key_space()).max(req.key + 1);
                let mut scratch = std::mem::take(&mut self.scratch);
                let mut ok = true;
                for k in req.key..end {
                    self.placement.replicas_of_key(k, n, &mut scratch);
                    match scratch.iter().find(|&&s| self.is_live(s)) {
                        Some(&s) => {
                            if !self.targets.contains(&s) {
                                self.targets.push(s);
                            }
                        }
                        None => {
                            ok = false;
                            break;
                        }
                    }
                }
                self.scratch = scratch;
                ok.then_some(self.targets.len() as u16)
            }
        }
    }

    /// Routes a request to its replicas (after the router's time, if any).
    fn dispatch(&mut self, ctx: &mut Ctx, op_idx: u32) {
        let req = self.ops[op_idx as usize].req;
        let coordinator = if self.routing == Routing::AnyNode && !self.live.is_empty() {
            self.live[ctx.rng().random_range(0..self.live.len())]
        } else {
            NONE
        };
        let planned = self.plan(&req, coordinator);
        let mut route = Route {
            at_ns: ctx.now(),
            key: req.key,
            op: req.op.name(),
            coordinator: (coordinator != NONE).then_some(coordinator),
            router: self.routing == Routing::Router,
            targets: [0; ROUTE_TARGETS],
            n_targets: self.targets.len() as u16,
            refused: planned.is_none(),
        };
        for (slot, &t) in route.targets.iter_mut().zip(&self.targets) {
            *slot = t;
        }
        if self.recent.len() == RECENT_ROUTES {
            self.recent.pop_front();
        }
        self.recent.push_back(route);

        let Some(need) = planned else {
            self.unavailable += 1;
            self.finish_op(ctx, op_idx, Status::Refused);
            return;
        };
        if let Op::Range(_) = req.op {
            self.range_fanout += self.targets.len() as u64;
        }
        let forwards = self.targets.iter().any(|&t| t != coordinator);
        self.hops += match self.routing {
            Routing::Client => 1,
            Routing::Router => 2,
            Routing::AnyNode => 1 + u64::from(forwards),
        };
        self.routed += 1;
        {
            let op = &mut self.ops[op_idx as usize];
            op.need = need;
            op.coordinator = coordinator;
            op.outstanding = self.targets.len() as u16;
        }
        let targets = std::mem::take(&mut self.targets);
        for &shard in &targets {
            let hop = match self.routing {
                Routing::Client => 0,
                Routing::Router => self.hop_ns,
                Routing::AnyNode if shard == coordinator => 0,
                Routing::AnyNode => self.hop_ns,
            };
            let sub = self.alloc_sub(op_idx, shard, hop);
            if hop == 0 {
                self.arrive(ctx, sub);
            } else {
                let g = self.subs[sub as usize].generation;
                Self::timer(ctx, hop, T_ARRIVE, g, sub);
            }
        }
        self.targets = targets;
    }

    /// A subrequest reaches its shard.
    fn arrive(&mut self, ctx: &mut Ctx, sub: u32) {
        let shard = self.subs[sub as usize].shard;
        let workers = self.workers;
        let now = ctx.now();
        if !self.is_live(shard) {
            return self.sub_done(ctx, sub, Status::Refused);
        }
        let s = &mut self.shards[shard as usize];
        s.integrate(now, workers);
        if s.busy < workers {
            self.start(ctx, shard, sub);
        } else if (s.queue.len() as u64) < self.queue_capacity {
            s.queue.push_back(sub);
        } else {
            self.sub_done(ctx, sub, Status::Dropped);
        }
    }

    fn start(&mut self, ctx: &mut Ctx, shard: u32, sub: u32) {
        let s = &mut self.shards[shard as usize];
        s.busy += 1;
        self.subs[sub as usize].slot = s.in_service.len() as u32;
        s.in_service.push(sub);
        let t = self.service.sample_ns(ctx.rng());
        let g = self.subs[sub as usize].generation;
        Self::timer(ctx, t, T_DONE, g, sub);
    }

    /// A shard finished a subrequest: the answer travels back.
    fn served(&mut self, ctx: &mut Ctx, sub: u32) {
        let shard = self.subs[sub as usize].shard;
        let workers = self.workers;
        let s = &mut self.shards[shard as usize];
        s.integrate(ctx.now(), workers);
        s.busy -= 1;
        s.served += 1;
        let slot = self.subs[sub as usize].slot as usize;
        s.in_service.swap_remove(slot);
        if let Some(&moved) = s.in_service.get(slot) {
            self.subs[moved as usize].slot = slot as u32;
        }
        self.start_waiting(ctx, shard);
        let hop = self.subs[sub as usize].hop_ns;
        if hop == 0 {
            self.sub_done(ctx, sub, Status::Ok);
        } else {
            let g = self.subs[sub as usize].generation;
            Self::timer(ctx, hop, T_BACK, g, sub);
        }
    }

    fn start_waiting(&mut self, ctx: &mut Ctx, shard: u32) {
        while self.is_live(shard) && self.shards[shard as usize].busy < self.workers {
            let Some(next) = self.shards[shard as usize].queue.pop_front() else {
                break;
            };
            self.start(ctx, shard, next);
        }
    }

    /// A subrequest's answer (or failure) reaches the coordinator.
    fn sub_done(&mut self, ctx: &mut Ctx, sub: u32, status: Status) {
        let s = &mut self.subs[sub as usize];
        if !s.live {
            return;
        }
        s.live = false;
        let op_idx = s.op;
        self.free_subs.push(sub);
        let op = &mut self.ops[op_idx as usize];
        op.outstanding -= 1;
        if status == Status::Ok {
            op.got += 1;
        }
        if !op.replied {
            if op.got >= op.need {
                self.finish_op(ctx, op_idx, Status::Ok);
                return;
            }
            if op.got + op.outstanding < op.need {
                self.finish_op(ctx, op_idx, status);
                return;
            }
        }
        if self.ops[op_idx as usize].outstanding == 0 {
            self.free_ops.push(op_idx);
        }
    }

    fn finish_op(&mut self, ctx: &mut Ctx, op_idx: u32, status: Status) {
        let op = &mut self.ops[op_idx as usize];
        op.replied = true;
        let req = op.req;
        if status == Status::Ok {
            self.completed += 1;
            self.window_latency.record(ctx.now() - req.arrived_ns);
        } else {
            self.errors += 1;
        }
        if op.outstanding == 0 {
            self.free_ops.push(op_idx);
        }
        ctx.reply(req, status);
    }

    /// Every subrequest a shard holds fails with it.
    fn fail_shard(&mut self, ctx: &mut Ctx, shard: u32) {
        let workers = self.workers;
        let s = &mut self.shards[shard as usize];
        s.integrate(ctx.now(), workers);
        s.up = false;
        s.busy = 0;
        let mut lost: Vec<u32> = s.in_service.drain(..).collect();
        lost.extend(s.queue.drain(..));
        for sub in lost {
            self.sub_done(ctx, sub, Status::Reset);
        }
    }

    fn integrate_all(&mut self, now: SimTime) {
        let workers = self.workers;
        for s in &mut self.shards {
            s.integrate(now, workers);
        }
    }

    fn busiest_member(&self) -> Option<u32> {
        self.placement.members().iter().copied().max_by(|&a, &b| {
            let (la, lb) = (self.shards[a as usize].load_per_s, self.shards[b as usize].load_per_s);
            la.total_cmp(&lb).then(b.cmp(&a))
        })
    }
}

impl Node for ShardedStore {
    fn start(&mut self, _ctx: &mut Ctx) {}

    fn on_message(&mut self, ctx: &mut Ctx, _from: NodeIdx, payload: Payload) {
        match payload {
            Payload::Request(mut req) => {
                req.arrived_ns = ctx.now();
                // A key store's verbs, from a server's calls: get reads, set and delete write.
                req.op = match req.op {
                    Op::Get => Op::Read,
                    Op::Set | Op::Delete => Op::Write,
                    op => op,
                };
                match req.op {
                    Op::Read | Op::Get => self.reads += 1,
                    Op::Write | Op::Set | Op::Delete => self.writes += 1,
                    Op::Range(_) => self.ranges += 1,
                }
                let op =
                    self.alloc_op(OpState { req, need: 0, got: 0, outstanding: 0, replied: false, coordinator: NONE });
                if self.routing == Routing::Router && self.router_ns > 0 {
                    Self::timer(ctx, self.router_ns, T_ROUTE, 0, op);
                } else {
                    self.dispatch(ctx, op);
                }
            }
            Payload::Timer { tag, slot } => {
                let (kind, generation) = (tag & 7, tag >> 3);
                if kind == T_ROUTE {
                    return self.dispatch(ctx, slot);
                }
                let Some(sub) = self.subs.get(slot as usize) else {
                    return;
                };
                if !sub.live || sub.generation != generation {
                    return;
                }
                match kind {
                    T_ARRIVE => self.arrive(ctx, slot),
                    T_DONE => self.served(ctx, slot),
                    T_BACK => self.sub_done(ctx, slot, Status::Ok),
                    _ => {}
                }
            }
            Payload::Response(_) | Payload::Own(_) => {}
        }
    }

    fn on_fail(&mut self, ctx: &mut Ctx) {
        self.integrate_all(ctx.now());
        // Freed slots have replied; the rest are lost with the store.
        for op in &mut self.ops {
            if !op.replied {
                op.replied = true;
                self.errors += 1;
                ctx.reply(op.req, Status::Reset);
            }
        }
        self.ops.clear();
        self.free_ops.clear();
        for s in &mut self.subs {
            s.live = false;
        }
        self.free_subs = (0..self.subs.len() as u32).rev().collect();
        for s in &mut self.shards {
            s.queue.clear();
            s.in_service.clear();
            s.busy = 0;
        }
    }

    fn on_part(&mut self, ctx: &mut Ctx, part: u32, up: bool) {
        let Some(s) = self.shards.get_mut(part as usize) else {
            return;
        };
        if up {
            s.integrate(ctx.now(), self.workers);
            s.up = true;
        } else if s.up {
            self.fail_shard(ctx, part);
        }
        self.update_live();
    }

    fn on_membership(&mut self, ctx: &mut Ctx, change: Membership) {
        let now = ctx.now();
        self.integrate_all(now);
        let what = match change {
            Membership::Add { weight } => {
                let shard = self.shards.len() as u32;
                let split = self.busiest_member();
                self.shards.push(Shard::new(weight, now));
                self.placement.add(shard, weight, split);
                self.alternative.add(shard, weight, split);
                format!("added {}", shard_name(shard))
            }
            Membership::Remove(shard) => {
                // Removing a shard already out of the placement changes nothing.
                if !self.placement.members().contains(&shard) {
                    return;
                }
                let Some(s) = self.shards.get_mut(shard as usize) else {
                    return;
                };
                // It finishes what it holds; it gets nothing new.
                s.present = false;
                self.placement.remove(shard);
                self.alternative.remove(shard);
                format!("removed {}", shard_name(shard))
            }
        };
        self.relayout(now, Some(what));
    }

    fn set(&mut self, ctx: &mut Ctx, change: &Change) {
        let now = ctx.now();
        self.integrate_all(now);
        if let Some(st) = &change.service_time {
            self.service = service_time(st);
            self.service_spec = st.clone();
        }
        if let Some(w) = change.workers {
            self.workers = w;
            for shard in 0..self.shards.len() as u32 {
                self.start_waiting(ctx, shard);
            }
        }
        if let Some(r) = change.routing {
            self.routing = r;
        }
        let mut what = Vec::new();
        if let Some(v) = change.vnodes
            && v != self.placement.vnodes()
        {
            what.push(format!("vnodes {} → {v}", self.placement.vnodes()));
            self.placement.set_vnodes(v);
            self.alternative.set_vnodes(v);
        }
        if let Some(p) = change.partitioning
            && p != self.placement.partitioning()
        {
            what.push(format!("partitioning {:?} → {:?}", self.placement.partitioning(), p).to_ascii_lowercase());
            self.placement.set_partitioning(p);
            self.alternative.set_partitioning(alternative_of(p));
            // The alternative's owners start afresh: no move to compare.
            self.alternative_owners = Self::owners_of(&self.alternative, &self.sample_keys);
        }
        if !what.is_empty() {
            self.relayout(now, Some(what.join(", ")));
        }
    }

    fn view(&self) -> NodeView {
        let shares = &self.shares;
        let shards: Vec<ShardState> = self
            .shards
            .iter()
            .enumerate()
            .map(|(i, s)| ShardState {
                shard: i as u32,
                up: s.up,
                present: s.present,
                weight: s.weight,
                busy: s.busy,
                queue_len: s.queue.len() as u64,
                served: s.served,
                load_per_s: s.load_per_s,
                share: shares[i],
            })
            .collect();
        let live_workers = shards.iter().filter(|s| s.up && s.present).count() as u32 * self.workers;
        NodeView {
            kind: "sharded_store",
            params: Some(OwnPart::new(StoreParams {
                workers: self.workers,
                service_time: self.service_spec.clone(),
                partitioning: self.placement.partitioning(),
                routing: self.routing,
                vnodes: self.placement.vnodes(),
            })),
            in_service: shards.iter().map(|s| u64::from(s.busy)).sum(),
            workers: live_workers,
            queue_len: shards.iter().map(|s| s.queue_len).sum(),
            queue_capacity: self.queue_capacity * shards.len() as u64,
            completed: self.completed,
            errors: self.errors,
            figures: self.figures(&shards),
            parts: shards.iter().map(|s| PartState::of(s.present, s.up)).collect(),
            own: Some(OwnPart::new(StoreView {
                partitioning: self.placement.partitioning(),
                routing: self.routing,
                vnodes: self.placement.vnodes(),
                replication: self.replication,
                read_quorum: self.read_quorum,
                write_quorum: self.write_quorum,
                workers: self.workers,
                shards,
                recent: self.recent.iter().copied().collect(),
                unavailable: self.unavailable,
                mean_hops: self.hops as f64 / self.routed.max(1) as f64,
                layout: Arc::clone(&self.layout),
            })),
            ..Default::default()
        }
    }

    fn sample(&mut self, now: SimTime) -> NodeSample {
        self.integrate_all(now);
        let window = now.saturating_sub(self.last_sample_ns);
        self.last_sample_ns = now;
        let (mut busy, mut capacity) = (0u128, 0u128);
        for s in &mut self.shards {
            busy += s.busy_integral - s.sampled_busy;
            capacity += s.capacity_integral - s.sampled_capacity;
            s.sampled_busy = s.busy_integral;
            s.sampled_capacity = s.capacity_integral;
            s.load_per_s = per_s(s.served - s.served_at_sample, window);
            s.served_at_sample = s.served;
        }
        let sample = NodeSample {
            utilisation: if capacity > 0 { busy as f64 / capacity as f64 } else { 0.0 },
            queue_len: self.shards.iter().map(|s| s.queue.len() as u64).sum(),
            completed: self.completed - self.sampled.0,
            dropped: self.errors - self.sampled.1,
            latency_ms: self.window_latency.take_summary(),
            hit_ratio: None,
        };
        self.sampled = (self.completed, self.errors);
        sample
    }

    fn summary(&self, now: SimTime, _topo: &Topology) -> NodeSummary {
        let shares = &self.shares;
        let workers = self.workers;
        let mut shards = BTreeMap::new();
        let mut loads = Vec::new();
        for (i, s) in self.shards.iter().enumerate() {
            if s.present {
                loads.push(s.served as f64);
            }
            shards.insert(
                shard_name(i as u32),
                ShardSummary {
                    up: s.up,
                    present: s.present,
                    weight: s.weight,
                    served: s.served,
                    utilisation: s.utilisation_at(now, workers),
                    share: shares[i],
                },
            );
        }
        let (load_max_over_mean, load_cv) = load_balance(&loads);
        NodeSummary {
            kind: "sharded_store",
            completed: Some(self.completed),
            throughput_per_s: Some(per_s(self.completed, now)),
            own: Some(OwnSummary::new(
                "store",
                StoreSummary {
                    partitioning: self.placement.partitioning(),
                    routing: self.routing,
                    reads: self.reads,
                    writes: self.writes,
                    ranges: self.ranges,
                    unavailable: self.unavailable,
                    mean_hops: self.hops as f64 / self.routed.max(1) as f64,
                    mean_range_fanout: self.range_fanout as f64 / self.ranges.max(1) as f64,
                    load_max_over_mean,
                    load_cv,
                    shards,
                    changes: self.changes.clone(),
                },
            )),
            ..Default::default()
        }
    }
}
