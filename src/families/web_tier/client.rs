//! `client`: a source of requests and the place their end-to-end latency is
//! measured.
//!
//! ```text
//!   arrival timer ─► new Request{client_id, key} ─► its one link ─► …
//!   … ─► Response ─► latency = now − created ─► metrics
//! ```

use super::spec::{ClientSpec, OpsSpec, SourceParams};
use crate::sim::dist::{Duration, KeyDist};
use crate::sim::engine::{Ctx, Node, NodeSummary, NodeView, Op, OwnPart, Payload, Request, Status};
use crate::sim::metrics::{LatencyHist, NodeSample, Outcomes, WindowLatency};
use crate::sim::spec::{ArrivalSpec, KeySpec};
use crate::sim::time::{SimTime, s_to_ns};
use crate::sim::validate::{Change, LinkIdx, NodeIdx, Problems, Topology, limits};

use rand::Rng;

const TAG_ARRIVAL: u32 = 0;

pub fn validate(s: &ClientSpec, path: &str, p: &mut Problems) {
    validate_arrivals(&s.arrivals, &format!("{path}.arrivals"), p);
    p.range_u64(path, "clients", u64::from(s.clients), 1, u64::from(limits::MAX_CLIENTS));
    validate_keys(&s.keys, &format!("{path}.keys"), p);
    let ops = format!("{path}.ops");
    p.range_f64(&ops, "write", s.ops.write, 0.0, 1.0);
    p.range_f64(&ops, "range", s.ops.range, 0.0, 1.0);
    if s.ops.write + s.ops.range > 1.0 {
        p.add(&ops, format!("write + range must be at most 1 (got {})", s.ops.write + s.ops.range));
    }
    p.range_u64(&ops, "range_keys", u64::from(s.ops.range_keys), 1, u64::from(limits::MAX_RANGE_KEYS));
}

/// Checks an arrival process (clients, producers, publishers share it).
pub(crate) fn validate_arrivals(arrivals: &ArrivalSpec, a: &str, p: &mut Problems) {
    match arrivals {
        ArrivalSpec::Poisson { rate_per_s } | ArrivalSpec::Constant { rate_per_s } => {
            p.positive_f64(a, "rate_per_s", *rate_per_s, limits::MAX_RATE_PER_S)
        }
        ArrivalSpec::Bursty { rate_per_s, on_s, off_s, off_rate_per_s } => {
            p.positive_f64(a, "rate_per_s", *rate_per_s, limits::MAX_RATE_PER_S);
            p.range_f64(a, "on_s", *on_s, 0.001, limits::MAX_SIM_TIME_S);
            p.range_f64(a, "off_s", *off_s, 0.001, limits::MAX_SIM_TIME_S);
            p.range_f64(a, "off_rate_per_s", *off_rate_per_s, 0.0, limits::MAX_RATE_PER_S);
        }
    }
}

pub(crate) fn validate_keys(keys: &KeySpec, path: &str, p: &mut Problems) {
    match keys {
        KeySpec::Uniform { n_keys } => p.range_u64(path, "n_keys", *n_keys, 1, limits::MAX_KEYS),
        KeySpec::Zipf { n_keys, exponent } => {
            p.range_u64(path, "n_keys", *n_keys, 1, limits::MAX_KEYS);
            p.range_f64(path, "exponent", *exponent, 0.0, limits::MAX_ZIPF_EXPONENT);
        }
    }
}

/// A live rate change (`set rate_per_s`) applied to an arrival process.
pub(crate) fn set_rate(spec: &mut ArrivalSpec, rate: f64) {
    match spec {
        ArrivalSpec::Poisson { rate_per_s }
        | ArrivalSpec::Constant { rate_per_s }
        | ArrivalSpec::Bursty { rate_per_s, .. } => *rate_per_s = rate,
    }
}

#[derive(Clone, Debug)]
pub(crate) enum Arrivals {
    Poisson(Duration),
    Constant {
        gap_ns: SimTime,
    },
    /// On for `on_ns`, off for `off_ns`, repeating from time 0.
    Bursty {
        on: Duration,
        off: Option<Duration>,
        on_ns: SimTime,
        off_ns: SimTime,
    },
}

impl Arrivals {
    pub(crate) fn from_spec(a: &ArrivalSpec) -> Self {
        match *a {
            ArrivalSpec::Poisson { rate_per_s } => Arrivals::Poisson(Duration::exponential(1000.0 / rate_per_s)),
            ArrivalSpec::Constant { rate_per_s } => Arrivals::Constant { gap_ns: s_to_ns(1.0 / rate_per_s).max(1) },
            ArrivalSpec::Bursty { rate_per_s, on_s, off_s, off_rate_per_s } => Arrivals::Bursty {
                on: Duration::exponential(1000.0 / rate_per_s),
                off: (off_rate_per_s > 0.0).then(|| Duration::exponential(1000.0 / off_rate_per_s)),
                on_ns: s_to_ns(on_s),
                off_ns: s_to_ns(off_s),
            },
        }
    }

    /// The time of the next arrival after `now`.
    pub(crate) fn next_after(&self, now: SimTime, ctx: &mut Ctx) -> SimTime {
        match self {
            Arrivals::Poisson(gap) => now + gap.sample_ns(ctx.rng()),
            Arrivals::Constant { gap_ns } => now + gap_ns,
            Arrivals::Bursty { on, off, on_ns, off_ns } => {
                // Poisson within a phase; a gap that crosses the phase's end
                // is redrawn from the end (the exponential is memoryless).
                let cycle = on_ns + off_ns;
                let mut t = now;
                loop {
                    let pos = t % cycle;
                    let (gap, phase_end) =
                        if pos < *on_ns { (Some(on), t - pos + on_ns) } else { (off.as_ref(), t - pos + cycle) };
                    if let Some(gap) = gap {
                        let next = t + gap.sample_ns(ctx.rng());
                        if next < phase_end {
                            return next;
                        }
                    }
                    t = phase_end;
                }
            }
        }
    }
}

/// An arrival process as a source node runs it (clients, producers,
/// publishers): the spec (for the inspector and edits), the sampler, and a
/// generation that voids the arrival drawn before a rate change.
#[derive(Clone, Debug)]
pub(crate) struct ArrivalClock {
    spec: ArrivalSpec,
    arrivals: Arrivals,
    generation: u32,
    tag: u32,
}

impl ArrivalClock {
    /// Arrivals wake the node with `Payload::Timer { tag, .. }`.
    pub(crate) fn new(spec: &ArrivalSpec, tag: u32) -> Self {
        ArrivalClock { spec: spec.clone(), arrivals: Arrivals::from_spec(spec), generation: 0, tag }
    }

    pub(crate) fn spec(&self) -> &ArrivalSpec {
        &self.spec
    }

    /// Sets the timer of the next arrival.
    pub(crate) fn schedule_next(&self, ctx: &mut Ctx) {
        let now = ctx.now();
        let next = self.arrivals.next_after(now, ctx);
        ctx.set_timer(next - now, self.tag, self.generation);
    }

    /// Whether an arrival timer with this slot is current (not drawn before a rate change).
    pub(crate) fn is_current(&self, slot: u32) -> bool {
        slot == self.generation
    }

    /// No more arrivals: the pending one is void.
    pub(crate) fn stop(&mut self) {
        self.generation = self.generation.wrapping_add(1);
    }

    /// A live rate change: the pending arrival was drawn at the old rate, so draw anew.
    pub(crate) fn set_rate(&mut self, ctx: &mut Ctx, rate: f64) {
        set_rate(&mut self.spec, rate);
        self.arrivals = Arrivals::from_spec(&self.spec);
        self.generation = self.generation.wrapping_add(1);
        self.schedule_next(ctx);
    }
}

#[derive(Clone, Debug)]
pub struct Client {
    link: LinkIdx,
    arrivals: ArrivalClock,
    /// `SourceParams` as of the last change.
    params: OwnPart,
    n_clients: u32,
    keys: KeyDist,
    ops: OpsSpec,
    /// `ops.range_keys`, as a request carries it.
    range_keys: u16,
    sent: u64,
    outcomes: Outcomes,
    last_sample: (u64, u64),
    latency: LatencyHist,
    window_latency: WindowLatency,
}

impl Client {
    pub fn new(s: &ClientSpec, idx: NodeIdx, topo: &Topology) -> Self {
        let arrivals = ArrivalClock::new(&s.arrivals, TAG_ARRIVAL);
        Client {
            link: topo.out_links[idx as usize][0],
            params: OwnPart::new(SourceParams { arrivals: arrivals.spec().clone() }),
            arrivals,
            n_clients: s.clients,
            keys: match s.keys {
                KeySpec::Uniform { n_keys } => KeyDist::uniform(n_keys),
                KeySpec::Zipf { n_keys, exponent } => KeyDist::zipf(n_keys, exponent),
            },
            ops: s.ops,
            range_keys: u16::try_from(s.ops.range_keys).expect("validated: range_keys is at most MAX_RANGE_KEYS"),
            sent: 0,
            outcomes: Outcomes::default(),
            last_sample: (0, 0),
            latency: LatencyHist::new(2),
            window_latency: WindowLatency::new(),
        }
    }

    fn errors(&self) -> u64 {
        self.outcomes.errors()
    }
}

impl Node for Client {
    fn start(&mut self, ctx: &mut Ctx) {
        self.arrivals.schedule_next(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx, _from: NodeIdx, payload: Payload) {
        match payload {
            Payload::Timer { tag: TAG_ARRIVAL, slot } if self.arrivals.is_current(slot) => {
                let id = ctx.new_request_id();
                let client_id = if self.n_clients > 1 { ctx.rng().random_range(0..self.n_clients) } else { 0 };
                let key = self.keys.sample(ctx.rng());
                let mut req = Request::new(id, client_id, key, ctx.now());
                // Only a mixed workload draws, so all-read runs keep their streams.
                if self.ops.write > 0.0 || self.ops.range > 0.0 {
                    let u: f64 = ctx.rng().random();
                    req.op = if u < self.ops.write {
                        Op::Write
                    } else if u < self.ops.write + self.ops.range {
                        Op::Range(self.range_keys)
                    } else {
                        Op::Read
                    };
                }
                self.sent += 1;
                ctx.metrics().record_sent();
                ctx.send_request(self.link, req);
                self.arrivals.schedule_next(ctx);
            }
            // An arrival drawn before a rate change.
            Payload::Timer { .. } => {}
            Payload::Response(req) => {
                let latency = ctx.now() - req.created_ns;
                self.outcomes.record(req.status);
                if req.status == Status::Ok {
                    self.latency.record(latency);
                    self.window_latency.record(latency);
                }
                ctx.metrics().record_response(req.status, latency);
            }
            // Clients are never sent requests (validation forbids links to them).
            Payload::Request(_) | Payload::Own(_) => {}
        }
    }

    fn set(&mut self, ctx: &mut Ctx, change: &Change) {
        if let Some(rate) = change.rate_per_s {
            self.arrivals.set_rate(ctx, rate);
            self.params = OwnPart::new(SourceParams { arrivals: self.arrivals.spec().clone() });
        }
    }

    fn view(&self) -> NodeView {
        NodeView {
            kind: "client",
            params: Some(self.params.clone()),
            in_service: self.sent - self.outcomes.finished(),
            completed: self.outcomes.completed,
            errors: self.errors(),
            ..Default::default()
        }
    }

    fn sample(&mut self, _now: SimTime) -> NodeSample {
        let s = NodeSample {
            completed: self.outcomes.completed - self.last_sample.0,
            dropped: self.errors() - self.last_sample.1,
            latency_ms: self.window_latency.take_summary(),
            ..Default::default()
        };
        self.last_sample = (self.outcomes.completed, self.errors());
        s
    }

    fn summary(&self, now: SimTime, _topo: &Topology) -> NodeSummary {
        NodeSummary { latency_ms: Some(self.latency.summary()), ..self.outcomes.summary("client", self.sent, now) }
    }
}
