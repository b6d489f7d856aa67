//! `server`: `workers` identical workers behind one FIFO queue.
//!
//! ```text
//!   Request ─► idle worker? ── yes ─► serve (service_time) ─► Response(ok)
//!                  │ no
//!                  ▼
//!            queue < capacity? ── no ─► Response(dropped)
//!                  │ yes
//!                  ▼
//!            wait FIFO ─► at the head: waited > timeout_ms? ─► Response(timed_out)
//! ```
//! Busy workers and queue length are integrated over time, so utilisation
//! and the time-averaged number in the system (L in Little's law) are exact.

use std::collections::VecDeque;

use crate::sim::dist::Duration;
use crate::sim::engine::{Ctx, Node, NodeParams, NodeSummary, NodeView, Payload, Request, Status};
use crate::sim::metrics::{LatencyHist, NodeSample, WindowLatency};
use crate::sim::spec::{ServerSpec, ServiceTimeSpec};
use crate::sim::time::{SimTime, ms_to_ns, per_s};
use crate::sim::validate::{Change, NodeIdx, Problems, Topology, limits};

const TAG_DONE: u32 = 0;

pub fn validate(s: &ServerSpec, path: &str, p: &mut Problems) {
    p.range_u64(path, "workers", u64::from(s.workers), 1, u64::from(limits::MAX_WORKERS));
    p.range_u64(path, "queue_capacity", s.queue_capacity, 0, limits::MAX_QUEUE_CAPACITY);
    p.range_u64(path, "weight", u64::from(s.weight), 1, u64::from(limits::MAX_WEIGHT));
    if let Some(t) = s.timeout_ms {
        p.positive_f64(path, "timeout_ms", t, limits::MAX_DURATION_MS);
    }
    validate_service_time(&s.service_time, &format!("{path}.service_time"), p);
}

pub fn validate_service_time(st: &ServiceTimeSpec, path: &str, p: &mut Problems) {
    match *st {
        ServiceTimeSpec::Exponential { mean_ms } | ServiceTimeSpec::Constant { mean_ms } => {
            p.positive_f64(path, "mean_ms", mean_ms, limits::MAX_DURATION_MS)
        }
        ServiceTimeSpec::Uniform { min_ms, max_ms } => {
            p.range_f64(path, "min_ms", min_ms, 0.0, limits::MAX_DURATION_MS);
            p.positive_f64(path, "max_ms", max_ms, limits::MAX_DURATION_MS);
            if max_ms < min_ms {
                p.add(format!("{path}.max_ms"), format!("must be at least min_ms ({min_ms}) (got {max_ms})"));
            }
        }
        ServiceTimeSpec::Lognormal { mean_ms, cv } => {
            p.positive_f64(path, "mean_ms", mean_ms, limits::MAX_DURATION_MS);
            p.range_f64(path, "cv", cv, 0.0, limits::MAX_CV);
        }
    }
}

pub fn service_time(spec: &ServiceTimeSpec) -> Duration {
    match *spec {
        ServiceTimeSpec::Exponential { mean_ms } => Duration::exponential(mean_ms),
        ServiceTimeSpec::Constant { mean_ms } => Duration::constant(mean_ms),
        ServiceTimeSpec::Uniform { min_ms, max_ms } => Duration::uniform(min_ms, max_ms),
        ServiceTimeSpec::Lognormal { mean_ms, cv } => Duration::lognormal(mean_ms, cv),
    }
}

#[derive(Debug)]
pub struct Server {
    workers: u32,
    queue_capacity: u64,
    service: Duration,
    service_spec: ServiceTimeSpec,
    timeout_ns: Option<SimTime>,
    queue: VecDeque<Request>,
    /// Requests in service, by worker slot; grows with the largest worker
    /// count ever set.
    in_service: Vec<Option<Request>>,
    free_slots: Vec<u32>,
    busy: u32,
    completed: u64,
    dropped: u64,
    timed_out: u64,
    reset: u64,
    latency: LatencyHist,
    window_latency: WindowLatency,
    // Time integrals, in request-nanoseconds, up to `integrated_to`. Capacity
    // (workers x time) is integrated too, because workers can change.
    integrated_to: SimTime,
    busy_integral: u128,
    queue_integral: u128,
    capacity_integral: u128,
    // What the last window sample saw.
    sampled_busy_integral: u128,
    sampled_capacity_integral: u128,
    sampled_completed: u64,
    sampled_dropped: u64,
}

impl Server {
    pub fn new(s: &ServerSpec) -> Self {
        Server {
            workers: s.workers,
            queue_capacity: s.queue_capacity,
            service: service_time(&s.service_time),
            service_spec: s.service_time.clone(),
            timeout_ns: s.timeout_ms.map(ms_to_ns),
            queue: VecDeque::new(),
            in_service: vec![None; s.workers as usize],
            free_slots: (0..s.workers).rev().collect(),
            busy: 0,
            completed: 0,
            dropped: 0,
            timed_out: 0,
            reset: 0,
            latency: LatencyHist::new(2),
            window_latency: WindowLatency::new(),
            integrated_to: 0,
            busy_integral: 0,
            queue_integral: 0,
            capacity_integral: 0,
            sampled_busy_integral: 0,
            sampled_capacity_integral: 0,
            sampled_completed: 0,
            sampled_dropped: 0,
        }
    }

    /// Advances the time integrals to `now`; call before any state change.
    fn integrate(&mut self, now: SimTime) {
        let dt = u128::from(now - self.integrated_to);
        self.busy_integral += u128::from(self.busy) * dt;
        self.queue_integral += self.queue.len() as u128 * dt;
        self.capacity_integral += u128::from(self.workers) * dt;
        self.integrated_to = now;
    }

    fn start_service(&mut self, ctx: &mut Ctx, req: Request) {
        let slot = self.free_slots.pop().unwrap_or_else(|| {
            self.in_service.push(None);
            (self.in_service.len() - 1) as u32
        });
        self.in_service[slot as usize] = Some(req);
        self.busy += 1;
        let t = self.service.sample_ns(ctx.rng());
        ctx.set_timer(t, TAG_DONE, slot);
    }

    fn finish_service(&mut self, ctx: &mut Ctx, slot: u32) {
        let Some(req) = self.in_service[slot as usize].take() else {
            return;
        };
        self.free_slots.push(slot);
        self.busy -= 1;
        self.completed += 1;
        let sojourn = ctx.now() - req.arrived_ns;
        self.latency.record(sojourn);
        self.window_latency.record(sojourn);
        ctx.reply(req, Status::Ok);
        self.start_waiting(ctx);
    }

    /// Starts queued requests while workers are idle; abandons those that
    /// waited past the timeout.
    fn start_waiting(&mut self, ctx: &mut Ctx) {
        while self.busy < self.workers {
            let Some(next) = self.queue.pop_front() else {
                break;
            };
            if let Some(timeout) = self.timeout_ns
                && ctx.now() - next.arrived_ns > timeout
            {
                self.timed_out += 1;
                ctx.reply(next, Status::TimedOut);
                continue;
            }
            self.start_service(ctx, next);
        }
    }

    fn lost_requests(&mut self) -> Vec<Request> {
        let mut lost: Vec<Request> = self.in_service.iter_mut().filter_map(Option::take).collect();
        lost.extend(self.queue.drain(..));
        self.free_slots = (0..self.in_service.len() as u32).rev().collect();
        self.busy = 0;
        lost
    }

    /// (busy, queued, capacity) integrals as of `now`.
    fn pending_integrals(&self, now: SimTime) -> (u128, u128, u128) {
        let dt = u128::from(now.saturating_sub(self.integrated_to));
        (
            self.busy_integral + u128::from(self.busy) * dt,
            self.queue_integral + self.queue.len() as u128 * dt,
            self.capacity_integral + u128::from(self.workers) * dt,
        )
    }
}

impl Node for Server {
    fn start(&mut self, _ctx: &mut Ctx) {}

    fn on_message(&mut self, ctx: &mut Ctx, _from: NodeIdx, payload: Payload) {
        self.integrate(ctx.now());
        match payload {
            Payload::Request(mut req) => {
                req.arrived_ns = ctx.now();
                if self.busy < self.workers {
                    self.start_service(ctx, req);
                } else if (self.queue.len() as u64) < self.queue_capacity {
                    self.queue.push_back(req);
                } else {
                    self.dropped += 1;
                    ctx.reply(req, Status::Dropped);
                }
            }
            Payload::Timer { tag: TAG_DONE, slot } => self.finish_service(ctx, slot),
            Payload::Timer { .. } | Payload::Response(_) | Payload::Kafka(_) | Payload::Rabbit(_) => {}
        }
    }

    fn on_fail(&mut self, ctx: &mut Ctx) {
        self.integrate(ctx.now());
        for req in self.lost_requests() {
            self.reset += 1;
            ctx.reply(req, Status::Reset);
        }
    }

    fn on_recover(&mut self, ctx: &mut Ctx) {
        self.integrate(ctx.now());
    }

    fn set(&mut self, ctx: &mut Ctx, change: &Change) {
        self.integrate(ctx.now());
        if let Some(st) = &change.service_time {
            self.service = service_time(st);
            self.service_spec = st.clone();
        }
        if let Some(w) = change.workers {
            // Fewer workers: the busy ones finish; none start above the limit.
            self.workers = w;
            self.start_waiting(ctx);
        }
    }

    fn view(&self) -> NodeView {
        NodeView {
            kind: "server",
            params: NodeParams::Server { service_time: self.service_spec.clone() },
            in_service: u64::from(self.busy),
            workers: self.workers,
            queue_len: self.queue.len() as u64,
            queue_capacity: self.queue_capacity,
            completed: self.completed,
            dropped: self.dropped + self.timed_out,
            errors: self.dropped + self.timed_out + self.reset,
            ..Default::default()
        }
    }

    fn sample(&mut self, now: SimTime) -> NodeSample {
        self.integrate(now);
        let capacity = self.capacity_integral - self.sampled_capacity_integral;
        let busy = self.busy_integral - self.sampled_busy_integral;
        let s = NodeSample {
            utilisation: if capacity > 0 { busy as f64 / capacity as f64 } else { 0.0 },
            queue_len: self.queue.len() as u64,
            completed: self.completed - self.sampled_completed,
            dropped: self.dropped + self.timed_out - self.sampled_dropped,
            latency_ms: self.window_latency.take_summary(),
        };
        self.sampled_capacity_integral = self.capacity_integral;
        self.sampled_busy_integral = self.busy_integral;
        self.sampled_completed = self.completed;
        self.sampled_dropped = self.dropped + self.timed_out;
        s
    }

    fn summary(&self, now: SimTime, _topo: &Topology) -> NodeSummary {
        let (busy, queued, capacity) = self.pending_integrals(now);
        let elapsed = now.max(1) as f64;
        NodeSummary {
            kind: "server",
            completed: Some(self.completed),
            dropped: Some(self.dropped),
            timed_out: Some(self.timed_out),
            reset: Some(self.reset),
            throughput_per_s: Some(per_s(self.completed, now)),
            utilisation: Some(if capacity > 0 { busy as f64 / capacity as f64 } else { 0.0 }),
            mean_queue_len: Some(queued as f64 / elapsed),
            mean_in_system: Some((busy + queued) as f64 / elapsed),
            latency_ms: Some(self.latency.summary()),
            ..Default::default()
        }
    }
}
