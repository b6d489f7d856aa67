//! `url_users`: people shortening links and following them. Writes (POST a
//! long URL) and redirects (GET a code) are two Poisson streams; a redirect
//! picks its code by popularity (Zipf over `codes`, or the viral code with
//! probability `viral_share`) and its visitor at random. A 301 answer is
//! remembered by that visitor's browser: their repeat visits to the code
//! never reach the service (counted here, not sent).
//!
//! ```text
//!   write timer ─► POST url#u (key = u)      ─► its one link ─► …
//!   read timer  ─► visitor v, code rank k ─► in v's browser (a 301 before)? ─► served locally
//!                                            └─► GET (key = k, client_id = v) ─► …
//!   answer ─► latency per path; a 301 ─► v's browser remembers k
//! ```
//! Browsers together remember at most [`MAX_REMEMBERED`] redirects (the
//! oldest forgotten first), so memory is bounded.

use std::collections::{BTreeSet, VecDeque};

use rand::Rng;

use super::spec::{UrlUsersSpec, UsersParams};
use crate::families::web_tier::client::ArrivalClock;
use crate::sim::dist::KeyDist;
use crate::sim::engine::{Ctx, Node, NodeSummary, NodeView, Op, OwnPart, Payload, Request, Status};
use crate::sim::family::Figure;
use crate::sim::metrics::{LatencyHist, NodeSample, Outcomes, WindowLatency};
use crate::sim::spec::ArrivalSpec;
use crate::sim::time::{SimTime, per_s};
use crate::sim::validate::{Change, LinkIdx, NodeIdx, Problems, Topology, limits, parse_as};

const TAG_WRITE: u32 = 0;
const TAG_READ: u32 = 1;
/// Redirects all browsers together remember.
pub const MAX_REMEMBERED: usize = 1_000_000;
/// Most distinct long URLs (a URL's number travels in 32 bits).
pub const MAX_LONG_URLS: u64 = u32::MAX as u64;

fn check_rate(path: &str, field: &str, v: f64, p: &mut Problems) {
    p.range_f64(path, field, v, 0.0, limits::MAX_RATE_PER_S);
}

pub fn validate(s: &UrlUsersSpec, path: &str, p: &mut Problems) {
    check_rate(path, "writes_per_s", s.writes_per_s, p);
    check_rate(path, "redirects_per_s", s.redirects_per_s, p);
    if s.writes_per_s + s.redirects_per_s <= 0.0 {
        p.add(path, "`writes_per_s` and `redirects_per_s` are both 0: set one above 0 so there is traffic");
    }
    p.range_u64(path, "users", u64::from(s.users), 1, u64::from(limits::MAX_CLIENTS));
    p.range_u64(path, "long_urls", s.long_urls, 1, MAX_LONG_URLS);
    p.range_u64(path, "codes", s.codes, 1, limits::MAX_KEYS);
    p.range_f64(path, "exponent", s.exponent, 0.0, limits::MAX_ZIPF_EXPONENT);
    p.range_f64(path, "viral_share", s.viral_share, 0.0, 1.0);
}

/// Checks a `set` entry's `params` for `url_users`.
pub fn check_params(params: &serde_json::Value, path: &str, p: &mut Problems) {
    let Some(u) = parse_as::<UsersParams>(params.clone(), path, p) else { return };
    if u == UsersParams::default() {
        p.add(path, "needs at least one of `writes_per_s`, `redirects_per_s`, `viral_share`");
    }
    if let Some(v) = u.writes_per_s {
        check_rate(path, "writes_per_s", v, p);
    }
    if let Some(v) = u.redirects_per_s {
        check_rate(path, "redirects_per_s", v, p);
    }
    if let Some(v) = u.viral_share {
        p.range_f64(path, "viral_share", v, 0.0, 1.0);
    }
}

/// A stream that may be off (rate 0).
#[derive(Clone, Debug)]
struct Stream {
    rate: f64,
    clock: ArrivalClock,
}

impl Stream {
    fn new(rate: f64, tag: u32) -> Self {
        Stream { rate, clock: ArrivalClock::new(&ArrivalSpec::Poisson { rate_per_s: rate.max(1e-9) }, tag) }
    }

    fn start(&self, ctx: &mut Ctx) {
        if self.rate > 0.0 {
            self.clock.schedule_next(ctx);
        }
    }

    /// A new rate from now (the pending arrival is void either way).
    fn set_rate(&mut self, ctx: &mut Ctx, rate: f64) {
        self.rate = rate;
        if rate > 0.0 {
            self.clock.set_rate(ctx, rate);
        } else {
            self.clock.stop();
        }
    }
}

/// Latency of one path, whole run and per window.
#[derive(Clone, Debug)]
struct PathLatency {
    hist: LatencyHist,
    window: WindowLatency,
    ok: u64,
    failed: u64,
}

impl PathLatency {
    fn new() -> Self {
        PathLatency { hist: LatencyHist::new(2), window: WindowLatency::new(), ok: 0, failed: 0 }
    }
    fn record(&mut self, ns: SimTime, ok: bool) {
        if ok {
            self.ok += 1;
            self.hist.record(ns);
            self.window.record(ns);
        } else {
            self.failed += 1;
        }
    }
}

#[derive(Clone, Debug)]
pub struct Users {
    link: LinkIdx,
    writes: Stream,
    reads: Stream,
    users: u32,
    long_urls: u64,
    popularity: KeyDist,
    viral_share: f64,
    /// (visitor, code rank) pairs answered 301, oldest first.
    remembered: BTreeSet<(u32, u64)>,
    remembered_order: VecDeque<(u32, u64)>,
    sent_writes: u64,
    sent_redirects: u64,
    from_browser: u64,
    not_found: u64,
    outcomes: Outcomes,
    write_latency: PathLatency,
    redirect_latency: PathLatency,
    last_sample: (u64, u64),
    /// Writes and redirects answered ok per second over the last window,
    /// and the counts and time that window started from.
    rates: (f64, f64),
    rates_from: (u64, u64, SimTime),
    spec: UrlUsersSpec,
}

impl Users {
    pub fn new(s: &UrlUsersSpec, idx: NodeIdx, topo: &Topology) -> Self {
        Users {
            link: topo.out_links[idx as usize][0],
            writes: Stream::new(s.writes_per_s, TAG_WRITE),
            reads: Stream::new(s.redirects_per_s, TAG_READ),
            users: s.users,
            long_urls: s.long_urls,
            popularity: KeyDist::zipf(s.codes, s.exponent),
            viral_share: s.viral_share,
            remembered: BTreeSet::new(),
            remembered_order: VecDeque::new(),
            sent_writes: 0,
            sent_redirects: 0,
            from_browser: 0,
            not_found: 0,
            outcomes: Outcomes::default(),
            write_latency: PathLatency::new(),
            redirect_latency: PathLatency::new(),
            last_sample: (0, 0),
            rates: (0.0, 0.0),
            rates_from: (0, 0, 0),
            spec: s.clone(),
        }
    }

    fn send(&mut self, ctx: &mut Ctx, op: Op, client_id: u32, key: u64) {
        let id = ctx.new_request_id();
        let mut req = Request::new(id, client_id, key, ctx.now());
        req.op = op;
        ctx.metrics().record_sent();
        ctx.send_request(self.link, req);
    }

    fn remember(&mut self, pair: (u32, u64)) {
        if self.remembered.insert(pair) {
            self.remembered_order.push_back(pair);
            if self.remembered_order.len() > MAX_REMEMBERED
                && let Some(old) = self.remembered_order.pop_front()
            {
                self.remembered.remove(&old);
            }
        }
    }

    fn errors(&self) -> u64 {
        self.outcomes.errors()
    }
}

impl Node for Users {
    fn start(&mut self, ctx: &mut Ctx) {
        self.writes.start(ctx);
        self.reads.start(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx, _from: NodeIdx, payload: Payload) {
        match payload {
            Payload::Timer { tag: TAG_WRITE, slot } if self.writes.clock.is_current(slot) && self.writes.rate > 0.0 => {
                let url = ctx.rng().random_range(0..self.long_urls);
                let visitor = ctx.rng().random_range(0..self.users);
                // The URL's number rides in `key` (what the app hashes).
                self.sent_writes += 1;
                self.send(ctx, Op::Write, visitor, url);
                self.writes.clock.schedule_next(ctx);
            }
            Payload::Timer { tag: TAG_READ, slot } if self.reads.clock.is_current(slot) && self.reads.rate > 0.0 => {
                let visitor = ctx.rng().random_range(0..self.users);
                let viral = self.viral_share > 0.0 && ctx.rng().random::<f64>() < self.viral_share;
                let rank = if viral { 0 } else { self.popularity.sample(ctx.rng()) };
                if self.remembered.contains(&(visitor, rank)) {
                    self.from_browser += 1;
                } else {
                    self.sent_redirects += 1;
                    self.send(ctx, Op::Read, visitor, rank);
                }
                self.reads.clock.schedule_next(ctx);
            }
            Payload::Timer { .. } => {}
            Payload::Response(resp) => {
                let latency = ctx.now() - resp.created_ns;
                self.outcomes.record(resp.status);
                let ok = resp.status == Status::Ok;
                if resp.op == Op::Write {
                    self.write_latency.record(latency, ok);
                } else {
                    self.redirect_latency.record(latency, ok);
                    // The app answers a redirect with `hit` set for a 301
                    // and `key` NOT_FOUND for a code it does not have (404).
                    if ok && resp.key == super::app::NOT_FOUND {
                        self.not_found += 1;
                    } else if ok && resp.hit {
                        self.remember((resp.client_id, resp.key));
                    }
                }
                ctx.metrics().record_response(resp.status, latency);
            }
            _ => {}
        }
    }

    fn set(&mut self, ctx: &mut Ctx, change: &Change) {
        if let Some(total) = change.rate_per_s {
            // Both streams scaled to the new total, keeping their mix.
            let old = self.writes.rate + self.reads.rate;
            let (w, r) =
                if old > 0.0 { (total * self.writes.rate / old, total * self.reads.rate / old) } else { (0.0, total) };
            self.writes.set_rate(ctx, w);
            self.reads.set_rate(ctx, r);
        }
        // Validated by `check_params`.
        if let Some(u) = change.params.as_ref().and_then(crate::sim::validate::read_as::<UsersParams>) {
            if let Some(w) = u.writes_per_s {
                self.writes.set_rate(ctx, w);
            }
            if let Some(r) = u.redirects_per_s {
                self.reads.set_rate(ctx, r);
            }
            if let Some(v) = u.viral_share {
                self.viral_share = v;
            }
        }
        self.spec.writes_per_s = self.writes.rate;
        self.spec.redirects_per_s = self.reads.rate;
        self.spec.viral_share = self.viral_share;
    }

    fn view(&self) -> NodeView {
        NodeView {
            kind: "url_users",
            params: Some(OwnPart::new(self.spec.clone())),
            in_service: self.sent_writes + self.sent_redirects - self.outcomes.finished(),
            completed: self.outcomes.completed,
            errors: self.errors(),
            figures: vec![
                ("Writes/s (set)", self.writes.rate),
                ("Redirects/s (set)", self.reads.rate),
                ("Viral share %", self.viral_share * 100.0),
                ("Writes sent", self.sent_writes as f64),
                ("Redirects sent", self.sent_redirects as f64),
                ("Served by browsers (301)", self.from_browser as f64),
                ("Codes not found (404)", self.not_found as f64),
                ("Writes/s answered (last window)", self.rates.0),
                ("Redirects/s answered (last window)", self.rates.1),
                ("Write p50 ms", self.write_latency.hist.quantile_ms(0.5)),
                ("Write p95 ms", self.write_latency.hist.quantile_ms(0.95)),
                ("Write p99 ms", self.write_latency.hist.quantile_ms(0.99)),
                ("Redirect p50 ms", self.redirect_latency.hist.quantile_ms(0.5)),
                ("Redirect p95 ms", self.redirect_latency.hist.quantile_ms(0.95)),
                ("Redirect p99 ms", self.redirect_latency.hist.quantile_ms(0.99)),
            ],
            ..Default::default()
        }
    }

    fn sample(&mut self, now: SimTime) -> NodeSample {
        let (w0, r0, t0) = self.rates_from;
        let secs = (now - t0) as f64 / 1e9;
        if secs > 0.0 {
            self.rates = ((self.write_latency.ok - w0) as f64 / secs, (self.redirect_latency.ok - r0) as f64 / secs);
        }
        self.rates_from = (self.write_latency.ok, self.redirect_latency.ok, now);
        // The window's latency is the redirects' (most of the traffic); the
        // writes' window is taken too so it does not carry over.
        let _ = self.write_latency.window.take_summary();
        let s = NodeSample {
            completed: self.outcomes.completed - self.last_sample.0,
            dropped: self.errors() - self.last_sample.1,
            latency_ms: self.redirect_latency.window.take_summary(),
            ..Default::default()
        };
        self.last_sample = (self.outcomes.completed, self.errors());
        s
    }

    fn summary(&self, now: SimTime, _topo: &Topology) -> NodeSummary {
        let mut figures: std::collections::BTreeMap<&'static str, Figure> = crate::sim::family::figures(&[
            ("writes_sent", Figure::Count(self.sent_writes)),
            ("writes_ok", Figure::Count(self.write_latency.ok)),
            ("writes_failed", Figure::Count(self.write_latency.failed)),
            ("writes_per_s", Figure::Value(per_s(self.write_latency.ok, now))),
            ("redirects_sent", Figure::Count(self.sent_redirects)),
            ("redirects_ok", Figure::Count(self.redirect_latency.ok)),
            ("redirects_failed", Figure::Count(self.redirect_latency.failed)),
            ("redirects_per_s", Figure::Value(per_s(self.redirect_latency.ok, now))),
            ("served_by_browsers", Figure::Count(self.from_browser)),
            ("not_found", Figure::Count(self.not_found)),
        ]);
        for (name, path) in [("write", &self.write_latency), ("redirect", &self.redirect_latency)] {
            let s = path.hist.summary();
            let names: [&'static str; 3] = if name == "write" {
                ["write_p50_ms", "write_p95_ms", "write_p99_ms"]
            } else {
                ["redirect_p50_ms", "redirect_p95_ms", "redirect_p99_ms"]
            };
            figures.insert(names[0], Figure::Value(s.p50));
            figures.insert(names[1], Figure::Value(s.p95));
            figures.insert(names[2], Figure::Value(s.p99));
        }
        NodeSummary { figures, ..self.outcomes.summary("url_users", self.sent_writes + self.sent_redirects, now) }
    }
}
