//! `Station`: `workers` identical workers behind one bounded FIFO queue,
//! with the time integrals and counts every queueing node reports. The
//! server, the cache and the database are stations with different work.
//!
//! ```text
//!   admit(req) ─► idle worker? ── yes ─► Start(req)   (owner sets its timer)
//!                    │ no
//!                    ▼
//!              queue < capacity? ── no ─► Dropped(req) (counted)
//!                    │ yes
//!                    ▼
//!              Queued ─► free_worker() ─► next(now): Start / Expired (waited
//!                                          past timeout_ms, counted) / None
//! ```
//! Busy workers and queue length are integrated over time, so utilisation
//! and the time-averaged number in the node (L in Little's law) are exact.
//! The owner holds what is in service (its own slots and timers) and says
//! when a worker is taken and freed.

use std::collections::VecDeque;

use crate::sim::dist::Duration;
use crate::sim::engine::{Ctx, NodeSummary, NodeView, Op, Request, Status};
use crate::sim::metrics::{LatencyHist, NodeSample, WindowLatency};
use crate::sim::time::{SimTime, per_s};

/// What became of an arriving request.
#[derive(Clone)]
pub enum Admit {
    /// A worker was idle and is now busy with it.
    Start(Request),
    Queued,
    /// The queue was full (counted as dropped); the owner answers it.
    Dropped(Request),
}

#[derive(Clone, Debug)]
pub struct Station {
    pub workers: u32,
    pub queue_capacity: u64,
    pub timeout_ns: Option<SimTime>,
    queue: VecDeque<Request>,
    pub busy: u32,
    pub completed: u64,
    pub dropped: u64,
    pub timed_out: u64,
    pub reset: u64,
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

impl Station {
    pub fn new(workers: u32, queue_capacity: u64, timeout_ns: Option<SimTime>) -> Self {
        Station {
            workers,
            queue_capacity,
            timeout_ns,
            queue: VecDeque::new(),
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
    pub fn integrate(&mut self, now: SimTime) {
        let dt = u128::from(now - self.integrated_to);
        self.busy_integral += u128::from(self.busy) * dt;
        self.queue_integral += self.queue.len() as u128 * dt;
        self.capacity_integral += u128::from(self.workers) * dt;
        self.integrated_to = now;
    }

    pub fn queue_len(&self) -> u64 {
        self.queue.len() as u64
    }

    /// A request arrives (its `arrived_ns` set to `now`).
    pub fn admit(&mut self, now: SimTime, mut req: Request) -> Admit {
        req.arrived_ns = now;
        if self.busy < self.workers {
            self.busy += 1;
            Admit::Start(req)
        } else if (self.queue.len() as u64) < self.queue_capacity {
            self.queue.push_back(req);
            Admit::Queued
        } else {
            self.dropped += 1;
            Admit::Dropped(req)
        }
    }

    /// A worker is free again.
    pub fn free_worker(&mut self) {
        self.busy -= 1;
    }

    /// While a worker is idle: the next request to start (the worker is now
    /// busy with it), or one that waited past the timeout (counted; the
    /// owner answers it and asks again), or nothing.
    pub fn next(&mut self, now: SimTime) -> Option<Result<Request, Request>> {
        if self.busy >= self.workers {
            return None;
        }
        let next = self.queue.pop_front()?;
        if let Some(timeout) = self.timeout_ns
            && now - next.arrived_ns > timeout
        {
            self.timed_out += 1;
            return Some(Err(next));
        }
        self.busy += 1;
        Some(Ok(next))
    }

    /// A request was served: counts it and its time in the node.
    pub fn record_done(&mut self, now: SimTime, req: &Request) {
        self.completed += 1;
        let sojourn = now - req.arrived_ns;
        self.latency.record(sojourn);
        self.window_latency.record(sojourn);
    }

    /// The node failed: the queue is lost (the owner also loses what is in
    /// service); returns the queued requests in order.
    pub fn drain(&mut self) -> VecDeque<Request> {
        self.busy = 0;
        std::mem::take(&mut self.queue)
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

    /// Closes a metrics window at `now`.
    pub fn sample(&mut self, now: SimTime) -> NodeSample {
        self.sample_with_use(now).0
    }

    /// Closes a metrics window at `now`: its sample, and the busy and the
    /// worker time in it (request-nanoseconds), for a node that sums the
    /// utilisation of several stations.
    pub fn sample_with_use(&mut self, now: SimTime) -> (NodeSample, u128, u128) {
        self.integrate(now);
        let capacity = self.capacity_integral - self.sampled_capacity_integral;
        let busy = self.busy_integral - self.sampled_busy_integral;
        let s = NodeSample {
            utilisation: if capacity > 0 { busy as f64 / capacity as f64 } else { 0.0 },
            queue_len: self.queue.len() as u64,
            completed: self.completed - self.sampled_completed,
            dropped: self.dropped + self.timed_out - self.sampled_dropped,
            latency_ms: self.window_latency.take_summary(),
            ..Default::default()
        };
        self.sampled_capacity_integral = self.capacity_integral;
        self.sampled_busy_integral = self.busy_integral;
        self.sampled_completed = self.completed;
        self.sampled_dropped = self.dropped + self.timed_out;
        (s, busy, capacity)
    }

    /// A queueing node's live view: workers, queue, counts (the owner adds
    /// its parameters and figures).
    pub fn view(&self, kind: &'static str) -> NodeView {
        NodeView {
            kind,
            in_service: u64::from(self.busy),
            workers: self.workers,
            queue_len: self.queue_len(),
            queue_capacity: self.queue_capacity,
            completed: self.completed,
            dropped: self.dropped + self.timed_out,
            errors: self.dropped + self.timed_out + self.reset,
            ..Default::default()
        }
    }

    /// Whole-run figures of a queueing node.
    pub fn summary(&self, kind: &'static str, now: SimTime) -> NodeSummary {
        let (busy, queued, capacity) = self.pending_integrals(now);
        let elapsed = now.max(1) as f64;
        NodeSummary {
            kind,
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

/// A desk's `pick` for two services: reads in `services[0]`, writes
/// (sets, deletes) in `services[1]`.
pub fn read_or_write(op: Op) -> usize {
    usize::from(op.writes())
}

/// A station whose work is one timed service per request: the requests in
/// service by slot (the slot names the service timer). The cache and the
/// database are desks; the server, whose requests outlive their service
/// while calls are out, keeps its own slots.
///
/// A timer's slot is the desk's slot in its low [`SLOT_BITS`] bits and the
/// desk's generation (its failures) above: a timer set before a failure
/// finds nothing. A node's own failure voids its timers anyway; a desk that
/// is a part of a node (a replicated database's member) fails alone.
#[derive(Clone, Debug)]
pub struct Desk {
    pub st: Station,
    in_service: Vec<Option<Request>>,
    free: Vec<u32>,
    tag: u32,
    generation: u32,
}

/// The bits of a service timer's slot that number the desk's slot.
pub const SLOT_BITS: u32 = 16;
const SLOT_MASK: u32 = (1 << SLOT_BITS) - 1;
// A desk has at most one slot a worker.
const _: () = assert!(crate::sim::limits::MAX_WORKERS <= SLOT_MASK);

impl Desk {
    /// Service timers wake the owner with `Payload::Timer { tag, slot }`.
    pub fn new(st: Station, tag: u32) -> Self {
        let n = st.workers;
        Desk { st, in_service: vec![None; n as usize], free: (0..n).rev().collect(), tag, generation: 0 }
    }

    /// A request arrives; it is served in `services[pick(op)]`.
    pub fn arrive(&mut self, ctx: &mut Ctx, req: Request, services: &[Duration], pick: fn(Op) -> usize) {
        self.st.integrate(ctx.now());
        match self.st.admit(ctx.now(), req) {
            Admit::Start(req) => self.start(ctx, req, services, pick),
            Admit::Queued => {}
            Admit::Dropped(req) => ctx.reply(req, Status::Dropped),
        }
    }

    fn start(&mut self, ctx: &mut Ctx, req: Request, services: &[Duration], pick: fn(Op) -> usize) {
        let slot = self.free.pop().unwrap_or_else(|| {
            self.in_service.push(None);
            (self.in_service.len() - 1) as u32
        });
        let t = services[pick(req.op)].sample_ns(ctx.rng());
        self.in_service[slot as usize] = Some(req);
        ctx.set_timer(t, self.tag, slot | (self.generation << SLOT_BITS));
    }

    /// The service timer of `slot` fired: the request served, its worker
    /// freed (the owner does the work, answers, then calls `start_waiting`).
    pub fn done(&mut self, ctx: &mut Ctx, timer_slot: u32) -> Option<Request> {
        if timer_slot >> SLOT_BITS != self.generation {
            return None;
        }
        let slot = timer_slot & SLOT_MASK;
        self.st.integrate(ctx.now());
        let req = self.in_service.get_mut(slot as usize)?.take()?;
        self.free.push(slot);
        self.st.free_worker();
        self.st.record_done(ctx.now(), &req);
        Some(req)
    }

    /// Starts queued requests while workers are idle; answers those that
    /// waited past the timeout.
    pub fn start_waiting(&mut self, ctx: &mut Ctx, services: &[Duration], pick: fn(Op) -> usize) {
        while let Some(next) = self.st.next(ctx.now()) {
            match next {
                Ok(req) => self.start(ctx, req, services, pick),
                Err(late) => ctx.reply(late, Status::TimedOut),
            }
        }
    }

    /// The node failed: everything it held is answered `Reset`.
    pub fn fail(&mut self, ctx: &mut Ctx) {
        self.st.integrate(ctx.now());
        let mut lost: Vec<Request> = self.in_service.iter_mut().filter_map(Option::take).collect();
        lost.extend(self.st.drain());
        self.free = (0..self.in_service.len() as u32).rev().collect();
        self.generation = (self.generation + 1) & SLOT_MASK;
        for req in lost {
            self.st.reset += 1;
            ctx.reply(req, Status::Reset);
        }
    }

    /// Fewer or more workers from now on.
    pub fn set_workers(&mut self, ctx: &mut Ctx, workers: u32, services: &[Duration], pick: fn(Op) -> usize) {
        self.st.integrate(ctx.now());
        self.st.workers = workers;
        self.start_waiting(ctx, services, pick);
    }
}
