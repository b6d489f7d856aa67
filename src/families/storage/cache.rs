//! `cache`: a key cache served by a few workers (a [`Desk`]): `get` answers
//! hit or miss, `set` stores the key (evicting one if full), `delete`
//! removes it. Cache-aside is the caller's doing: a server's calls say
//! "get; on a miss read the database, then set".
//!
//! ```text
//!   get/set/delete ─► Desk (workers, FIFO queue) ─► service_time ─► the store ─► answer (hit bit on a get)
//!   fail: everything held is reset and the store is lost; recover: empty, warms up
//! ```

use crate::families::web_tier::spec::StationParams;
use crate::families::web_tier::station::{Desk, Station};
use crate::sim::dist::Duration;
use crate::sim::engine::{Ctx, Node, NodeSummary, NodeView, Op, OwnPart, Payload, Request, Status};
use crate::sim::family::Figure;
use crate::sim::metrics::NodeSample;
use crate::sim::spec::service_time;
use crate::sim::time::{SimTime, s_to_ns};
use crate::sim::validate::validate_service_time;
use crate::sim::validate::{Change, NodeIdx, Problems, Topology, limits};

use super::cache_store::{Cache, CacheStats, Eviction};
use super::spec::{CacheSpec, EvictionSpec};

const TAG_DONE: u32 = 0;
/// Most entries one cache may hold (its maps are ordered: O(log n) each).
pub const MAX_CACHE_ENTRIES: u64 = 1_000_000;

pub fn validate(s: &CacheSpec, path: &str, p: &mut Problems) {
    p.range_u64(path, "capacity", s.capacity, 1, MAX_CACHE_ENTRIES);
    if let Some(ttl) = s.ttl_s {
        p.positive_f64(path, "ttl_s", ttl, limits::MAX_SIM_TIME_S);
    }
    p.range_u64(path, "workers", u64::from(s.workers), 1, u64::from(limits::MAX_WORKERS));
    p.range_u64(path, "queue_capacity", s.queue_capacity, 0, limits::MAX_QUEUE_CAPACITY);
    validate_service_time(&s.service_time, &format!("{path}.service_time"), p);
}

/// A cache's live edits (`set` with `params`).
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CacheParams {
    capacity: Option<u64>,
}

/// Checks a `set` entry's `params` for a cache.
pub fn check_params(params: &serde_json::Value, path: &str, p: &mut Problems) {
    let Some(c) = crate::sim::validate::parse_as::<CacheParams>(params.clone(), path, p) else { return };
    match c.capacity {
        Some(n) => p.range_u64(path, "capacity", n, 1, MAX_CACHE_ENTRIES),
        None => p.add(path, "needs `capacity`"),
    }
}

pub fn eviction(e: EvictionSpec) -> Eviction {
    match e {
        EvictionSpec::Lru => Eviction::Lru,
        EvictionSpec::Lfu => Eviction::Lfu,
        EvictionSpec::Fifo => Eviction::Fifo,
        EvictionSpec::Random => Eviction::Random,
    }
}

#[derive(Clone, Debug)]
pub struct CacheNode {
    desk: Desk,
    service: Duration,
    service_spec: crate::sim::spec::ServiceTimeSpec,
    store: Cache,
    /// Counts up to the last window sample.
    sampled: CacheStats,
}

impl CacheNode {
    pub fn new(s: &CacheSpec) -> Self {
        CacheNode {
            desk: Desk::new(Station::new(s.workers, s.queue_capacity, None), TAG_DONE),
            service: service_time(&s.service_time),
            service_spec: s.service_time.clone(),
            store: Cache::new(s.capacity as usize, eviction(s.eviction), s.ttl_s.map(s_to_ns)),
            sampled: CacheStats::default(),
        }
    }

    /// Does what the request asks of the store; `hit` is set on a get.
    fn apply(&mut self, ctx: &mut Ctx, req: &mut Request) {
        let now = ctx.now();
        match req.op {
            Op::Get | Op::Read | Op::Range(_) => req.hit = self.store.get(req.key, now),
            Op::Set | Op::Write => {
                self.store.set(req.key, now, ctx.rng());
            }
            Op::Delete => {
                self.store.delete(req.key);
            }
        }
    }
}

impl Node for CacheNode {
    fn start(&mut self, _ctx: &mut Ctx) {}

    fn on_message(&mut self, ctx: &mut Ctx, _from: NodeIdx, payload: Payload) {
        match payload {
            Payload::Request(req) => {
                self.desk.arrive(ctx, req, std::slice::from_ref(&self.service), |_| 0);
            }
            Payload::Timer { tag: TAG_DONE, slot } => {
                if let Some(mut req) = self.desk.done(ctx, slot) {
                    self.apply(ctx, &mut req);
                    ctx.reply(req, Status::Ok);
                    self.desk.start_waiting(ctx, std::slice::from_ref(&self.service), |_| 0);
                }
            }
            _ => {}
        }
    }

    fn on_fail(&mut self, ctx: &mut Ctx) {
        self.desk.fail(ctx);
        self.store.clear();
    }

    fn set(&mut self, ctx: &mut Ctx, change: &Change) {
        if let Some(st) = &change.service_time {
            self.service = service_time(st);
            self.service_spec = st.clone();
        }
        if let Some(w) = change.workers {
            self.desk.set_workers(ctx, w, std::slice::from_ref(&self.service), |_| 0);
        }
        // Validated by `check_params`.
        if let Some(CacheParams { capacity: Some(n) }) = change.params.as_ref().and_then(crate::sim::validate::read_as)
        {
            self.store.set_capacity(n as usize, ctx.rng());
        }
    }

    fn view(&self) -> NodeView {
        let st = &self.desk.st;
        let c = self.store.stats();
        let mut v = st.view("cache");
        v.params = Some(OwnPart::new(StationParams { service_time: self.service_spec.clone(), hold_worker: None }));
        v.figures = vec![
            ("Hit ratio %", c.hit_ratio() * 100.0),
            ("Hits", c.hits as f64),
            ("Misses", c.misses as f64),
            ("Entries", self.store.len() as f64),
            ("Capacity", self.store.capacity() as f64),
            ("Evictions", c.evictions as f64),
            ("Expired", c.expired as f64),
        ];
        v
    }

    fn sample(&mut self, now: SimTime) -> NodeSample {
        let c = self.store.stats();
        let (hits, misses) = (c.hits - self.sampled.hits, c.misses - self.sampled.misses);
        self.sampled = c;
        NodeSample {
            hit_ratio: (hits + misses > 0).then(|| hits as f64 / (hits + misses) as f64),
            ..self.desk.st.sample(now)
        }
    }

    fn summary(&self, now: SimTime, _topo: &Topology) -> NodeSummary {
        let c = self.store.stats();
        let mut s = self.desk.st.summary("cache", now);
        s.figures = crate::sim::family::figures(&[
            ("hits", Figure::Count(c.hits)),
            ("misses", Figure::Count(c.misses)),
            ("hit_ratio", Figure::Value(c.hit_ratio())),
            ("evictions", Figure::Count(c.evictions)),
            ("expired", Figure::Count(c.expired)),
            ("entries", Figure::Count(self.store.len() as u64)),
        ]);
        s
    }
}
