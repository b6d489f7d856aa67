//! `load_balancer`: spreads requests over its backends (the targets of its
//! outgoing links) by one of nine algorithms, and takes failed backends out
//! of rotation after health checks notice.
//!
//! ```text
//!                ┌─► app-1      health check every interval_ms:
//!   Request ─► LB ─► app-2      unhealthy_threshold misses → out of rotation
//!                └─► app-3      healthy_threshold passes  → back in
//! ```
//! Between a failure and its detection the balancer keeps sending to the
//! dead backend, whose requests are refused: that window is the point.
//!
//! Tie-breaking rotates (a pointer that advances per pick) so that "least"
//! algorithms do not pile onto the first backend when loads are equal.

use rand::Rng;

use super::spec::{BalancerParams, HealthCheckSpec, LoadBalancerSpec};
use crate::families::ring::{HashRing, hash64};
use crate::sim::engine::{BackendChange, Ctx, Node, NodeSummary, NodeView, OwnPart, Payload, Status};
use crate::sim::family::CollectMap;
use crate::sim::metrics::{LatencyHist, NodeSample};
use crate::sim::spec::Algorithm;
use crate::sim::time::{SimTime, ms_to_ns};
use crate::sim::validate::{Change, LinkIdx, NodeIdx, Problems, Topology, limits};

const TAG_HEALTH_CHECK: u32 = 0;
/// Default virtual nodes per backend for `consistent_hash`.
pub const DEFAULT_VNODES: u32 = 100;
/// Weight of the newest sample in the response-time moving average.
const EWMA_ALPHA: f64 = 0.2;

pub fn validate(s: &LoadBalancerSpec, path: &str, p: &mut Problems) {
    if let Some(v) = s.vnodes {
        if s.algorithm != Algorithm::ConsistentHash {
            p.add(format!("{path}.vnodes"), "applies only to the consistent_hash algorithm");
        }
        p.range_u64(path, "vnodes", u64::from(v), 1, u64::from(limits::MAX_VNODES));
    }
    let hc = format!("{path}.health_check");
    p.range_f64(
        &hc,
        "interval_ms",
        s.health_check.interval_ms,
        limits::MIN_HEALTH_INTERVAL_MS,
        limits::MAX_HEALTH_INTERVAL_MS,
    );
    let max_t = u64::from(limits::MAX_HEALTH_THRESHOLD);
    p.range_u64(&hc, "unhealthy_threshold", u64::from(s.health_check.unhealthy_threshold), 1, max_t);
    p.range_u64(&hc, "healthy_threshold", u64::from(s.health_check.healthy_threshold), 1, max_t);
}

#[derive(Clone, Debug)]
struct Backend {
    link: LinkIdx,
    node: NodeIdx,
    /// The backend's node id (its points on the hash ring).
    id: String,
    /// Taken out by the timeline (`remove_server`): never picked again.
    removed: bool,
    weight: u32,
    /// Requests sent and not yet answered.
    active: u64,
    forwarded: u64,
    /// Moving average of response time (ns), for least_response_time.
    ewma_ns: f64,
    healthy: bool,
    passes: u32,
    misses: u32,
    /// Smooth weighted round-robin state (nginx's algorithm).
    wrr_current: i64,
}

impl Backend {
    /// A backend in rotation with no history: configured, or just added.
    fn new(link: LinkIdx, node: NodeIdx, id: &str, weight: u32) -> Self {
        Backend {
            link,
            node,
            id: id.to_string(),
            removed: false,
            weight: weight.max(1),
            active: 0,
            forwarded: 0,
            ewma_ns: 0.0,
            healthy: true,
            passes: 0,
            misses: 0,
            wrr_current: 0,
        }
    }
}

/// Ring indices are the order of `add_node` calls: backend positions.
fn build_ring(backends: &[Backend], vnodes: u32) -> HashRing {
    let mut ring = HashRing::new(vnodes);
    for b in backends {
        ring.add_node(&b.id);
    }
    ring
}

#[derive(Clone, Debug)]
pub struct LoadBalancer {
    algorithm: Algorithm,
    /// `BalancerParams` as of the last change.
    params: OwnPart,
    vnodes: u32,
    health: HealthCheckSpec,
    backends: Vec<Backend>,
    /// Node index → backend position (u32::MAX if not a backend).
    by_node: Vec<u32>,
    /// Positions of the backends in rotation, in order.
    healthy: Vec<u32>,
    rotor: usize,
    ring: Option<HashRing>,
    refused: u64,
    latency: LatencyHist,
    sampled_forwarded: u64,
}

impl LoadBalancer {
    /// `weight_of(node)` gives each backend's weight (1 for non-servers).
    /// Backends are the targets of the balancer's links among the
    /// scenario's own nodes (`topo.n_initial_nodes`); servers the timeline
    /// adds join later (`on_backend`).
    pub fn new(s: &LoadBalancerSpec, idx: NodeIdx, topo: &Topology, weight_of: impl Fn(NodeIdx) -> u32) -> Self {
        let backends: Vec<Backend> = topo.out_links[idx as usize]
            .iter()
            .map(|&link| (link, topo.links[link as usize].to))
            .filter(|&(_, node)| (node as usize) < topo.n_initial_nodes)
            .map(|(link, node)| Backend::new(link, node, &topo.ids[node as usize], weight_of(node)))
            .collect();
        let mut by_node = vec![u32::MAX; topo.ids.len()];
        for (pos, b) in backends.iter().enumerate() {
            by_node[b.node as usize] = pos as u32;
        }
        let vnodes = s.vnodes.unwrap_or(DEFAULT_VNODES);
        let ring = (s.algorithm == Algorithm::ConsistentHash).then(|| build_ring(&backends, vnodes));
        LoadBalancer {
            algorithm: s.algorithm,
            params: OwnPart::new(BalancerParams { algorithm: s.algorithm }),
            vnodes,
            health: s.health_check,
            healthy: (0..backends.len() as u32).collect(),
            backends,
            by_node,
            rotor: 0,
            ring,
            refused: 0,
            latency: LatencyHist::new(2),
            sampled_forwarded: 0,
        }
    }

    fn rebuild_healthy(&mut self) {
        self.healthy = (0..self.backends.len() as u32)
            .filter(|&p| {
                let b = &self.backends[p as usize];
                b.healthy && !b.removed
            })
            .collect();
    }

    fn next_rotor(&mut self, n: usize) -> usize {
        let r = self.rotor % n;
        self.rotor = self.rotor.wrapping_add(1);
        r
    }

    /// The healthy backend minimising `score`, ties broken by rotation.
    fn least_by<K: PartialOrd>(&mut self, score: impl Fn(&Backend) -> K) -> u32 {
        let n = self.healthy.len();
        let start = self.next_rotor(n);
        let mut best = self.healthy[start];
        let mut best_score = score(&self.backends[best as usize]);
        for i in 1..n {
            let pos = self.healthy[(start + i) % n];
            let s = score(&self.backends[pos as usize]);
            if s < best_score {
                best = pos;
                best_score = s;
            }
        }
        best
    }

    fn pick(&mut self, ctx: &mut Ctx, client_id: u32, key: u64) -> Option<u32> {
        let n = self.healthy.len();
        if n == 0 {
            return None;
        }
        let pos = match self.algorithm {
            Algorithm::RoundRobin => {
                let r = self.next_rotor(n);
                self.healthy[r]
            }
            Algorithm::WeightedRoundRobin => {
                // Smooth weighted round-robin: every healthy backend gains its
                // weight; the richest is picked and pays the total.
                let mut total = 0i64;
                let mut best: Option<(u32, i64)> = None;
                for &pos in &self.healthy {
                    let b = &mut self.backends[pos as usize];
                    b.wrr_current += i64::from(b.weight);
                    total += i64::from(b.weight);
                    if best.is_none_or(|(_, cur)| b.wrr_current > cur) {
                        best = Some((pos, b.wrr_current));
                    }
                }
                let (best, _) = best.expect("n > 0");
                self.backends[best as usize].wrr_current -= total;
                best
            }
            Algorithm::Random => self.healthy[ctx.rng().random_range(0..n)],
            Algorithm::PowerOfTwo => {
                if n == 1 {
                    self.healthy[0]
                } else {
                    let a = ctx.rng().random_range(0..n);
                    let mut b = ctx.rng().random_range(0..n - 1);
                    if b >= a {
                        b += 1;
                    }
                    let (pa, pb) = (self.healthy[a], self.healthy[b]);
                    if self.backends[pb as usize].active < self.backends[pa as usize].active { pb } else { pa }
                }
            }
            Algorithm::IpHash => self.healthy[(hash64(&client_id.to_le_bytes()) % n as u64) as usize],
            Algorithm::LeastConnections => self.least_by(|b| b.active),
            // IEEE division is correctly rounded: equal ratios give equal
            // doubles (ties still rotate), and distinct ratios of in-flight
            // counts over weights of at most 1,000 stay distinct.
            Algorithm::WeightedLeastConnections => self.least_by(|b| b.active as f64 / f64::from(b.weight)),
            Algorithm::LeastResponseTime => self.least_by(|b| (b.ewma_ns + 1.0) * (b.active + 1) as f64),
            Algorithm::ConsistentHash => {
                let ring = self.ring.as_ref().expect("consistent_hash builds a ring");
                let h = hash64(&key.to_le_bytes());
                let backends = &self.backends;
                ring.successors(h).find(|&pos| backends[pos as usize].healthy && !backends[pos as usize].removed)?
            }
        };
        Some(pos)
    }

    fn run_health_checks(&mut self, ctx: &Ctx) {
        let mut changed = false;
        for b in &mut self.backends {
            if ctx.reaches(b.node) {
                b.passes += 1;
                b.misses = 0;
                if !b.healthy && b.passes >= self.health.healthy_threshold {
                    b.healthy = true;
                    changed = true;
                }
            } else {
                b.misses += 1;
                b.passes = 0;
                if b.healthy && b.misses >= self.health.unhealthy_threshold {
                    b.healthy = false;
                    // It closes its connections to a backend it marks down
                    // (HAProxy's `on-marked-down shutdown-sessions`): what
                    // was in flight there no longer counts against it. A
                    // backend cut off by a partition never answers, and
                    // would otherwise keep those forever (least connections
                    // would shun it after it heals).
                    b.active = 0;
                    changed = true;
                }
            }
        }
        if changed {
            self.rebuild_healthy();
        }
    }

    fn schedule_health_check(&self, ctx: &mut Ctx) {
        ctx.set_timer(ms_to_ns(self.health.interval_ms).max(1), TAG_HEALTH_CHECK, 0);
    }
}

impl Node for LoadBalancer {
    fn start(&mut self, ctx: &mut Ctx) {
        self.schedule_health_check(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx, from: NodeIdx, payload: Payload) {
        match payload {
            Payload::Request(req) => match self.pick(ctx, req.client_id, req.key) {
                Some(pos) => {
                    let b = &mut self.backends[pos as usize];
                    b.active += 1;
                    b.forwarded += 1;
                    let link = b.link;
                    ctx.send_request(link, req);
                }
                None => {
                    self.refused += 1;
                    ctx.reply(req, Status::Refused);
                }
            },
            Payload::Response(req) => {
                // The balancer times a backend from the request's creation:
                // it has no queue of its own, so this differs from the time
                // since forwarding only by the client link's fixed latency.
                let elapsed = ctx.now() - req.created_ns;
                if let Some(&pos) = self.by_node.get(from as usize)
                    && pos != u32::MAX
                {
                    let b = &mut self.backends[pos as usize];
                    b.active = b.active.saturating_sub(1);
                    if req.status == Status::Ok {
                        b.ewma_ns = if b.ewma_ns == 0.0 {
                            elapsed as f64
                        } else {
                            EWMA_ALPHA * elapsed as f64 + (1.0 - EWMA_ALPHA) * b.ewma_ns
                        };
                    }
                }
                if req.status == Status::Ok {
                    self.latency.record(elapsed);
                }
                ctx.forward_response(req);
            }
            Payload::Timer { tag: TAG_HEALTH_CHECK, .. } => {
                self.run_health_checks(ctx);
                self.schedule_health_check(ctx);
            }
            Payload::Timer { .. } | Payload::Own(_) => {}
        }
    }

    fn on_fail(&mut self, _ctx: &mut Ctx) {
        for b in &mut self.backends {
            b.active = 0;
        }
    }

    fn on_recover(&mut self, ctx: &mut Ctx) {
        // A restarted balancer trusts its configuration until checks say otherwise.
        for b in &mut self.backends {
            b.active = 0;
            b.healthy = true;
            b.passes = 0;
            b.misses = 0;
            b.wrr_current = 0;
        }
        self.rebuild_healthy();
        self.schedule_health_check(ctx);
    }

    fn set(&mut self, _ctx: &mut Ctx, change: &Change) {
        if let Some(algorithm) = change.algorithm {
            self.algorithm = algorithm;
            self.params = OwnPart::new(BalancerParams { algorithm });
            if algorithm == Algorithm::ConsistentHash && self.ring.is_none() {
                self.ring = Some(build_ring(&self.backends, self.vnodes));
            }
            for b in &mut self.backends {
                b.wrr_current = 0;
            }
        }
    }

    fn on_backend(&mut self, _ctx: &mut Ctx, change: BackendChange) {
        match change {
            BackendChange::Added { link, node, id, weight } => {
                let pos = self.backends.len() as u32;
                // A new server joins rotation at once; checks take it out if it is down.
                self.backends.push(Backend::new(link, node, id, weight));
                if self.by_node.len() <= node as usize {
                    self.by_node.resize(node as usize + 1, u32::MAX);
                }
                self.by_node[node as usize] = pos;
                if let Some(ring) = &mut self.ring {
                    ring.add_node(id);
                }
            }
            BackendChange::Removed { node } => {
                if let Some(&pos) = self.by_node.get(node as usize)
                    && pos != u32::MAX
                {
                    self.backends[pos as usize].removed = true;
                }
            }
        }
        self.rebuild_healthy();
    }

    fn view(&self) -> NodeView {
        NodeView {
            kind: "load_balancer",
            params: Some(self.params.clone()),
            in_service: self.backends.iter().map(|b| b.active).sum(),
            completed: self.latency.count(),
            errors: self.refused,
            healthy_backends: self.healthy.iter().map(|&p| self.backends[p as usize].node).collect(),
            ..Default::default()
        }
    }

    fn sample(&mut self, _now: SimTime) -> NodeSample {
        let forwarded: u64 = self.backends.iter().map(|b| b.forwarded).sum();
        let s = NodeSample { completed: forwarded - self.sampled_forwarded, ..Default::default() };
        self.sampled_forwarded = forwarded;
        s
    }

    fn summary(&self, _now: SimTime, topo: &Topology) -> NodeSummary {
        NodeSummary {
            kind: "load_balancer",
            completed: Some(self.latency.count()),
            refused: Some(self.refused),
            latency_ms: Some(self.latency.summary()),
            forwarded: Some(
                self.backends.iter().map(|b| (topo.ids[b.node as usize].clone(), b.forwarded)).collect_map(),
            ),
            ..Default::default()
        }
    }
}
