//! `database`: reads and writes served by `workers` (a [`Desk`]), each
//! with its own service time, behind a limit on connections.
//!
//! ```text
//!   read/write ─► connections < max_connections? ── yes ─► run (a worker free) or wait inside
//!                        │ no
//!                        ▼
//!                 wait for a connection (queue_capacity) ── full ─► dropped
//! ```
//! With FIFO service the two waits (for a connection, then for a worker)
//! add up to one FIFO queue, so the node is one station with `workers`
//! servers (at most `max_connections`) and room for `queue_capacity`
//! connection waiters plus the connections waiting for a worker.
//!
//! **Seam for replicas:** every request goes to `primary`, one desk;
//! replicas will be more desks beside it, reads routed among them and
//! writes applied to them after a replication lag.

use crate::families::web_tier::spec::StationParams;
use crate::families::web_tier::station::{Desk, Station, read_or_write};
use crate::sim::dist::Duration;
use crate::sim::engine::{Ctx, Node, NodeSummary, NodeView, OwnPart, Payload, Status};
use crate::sim::metrics::NodeSample;
use crate::sim::spec::ServiceTimeSpec;
use crate::sim::spec::service_time;
use crate::sim::time::SimTime;
use crate::sim::validate::validate_service_time;
use crate::sim::validate::{Change, NodeIdx, Problems, Topology, limits};

use super::spec::DatabaseSpec;

const TAG_DONE: u32 = 0;

pub fn validate(s: &DatabaseSpec, path: &str, p: &mut Problems) {
    p.range_u64(path, "workers", u64::from(s.workers), 1, u64::from(limits::MAX_WORKERS));
    p.range_u64(path, "queue_capacity", s.queue_capacity, 0, limits::MAX_QUEUE_CAPACITY);
    validate_service_time(&s.service_time, &format!("{path}.service_time"), p);
    if let Some(w) = &s.write_service_time {
        validate_service_time(w, &format!("{path}.write_service_time"), p);
    }
    if let Some(c) = s.max_connections {
        p.range_u64(path, "max_connections", u64::from(c), 1, u64::from(limits::MAX_WORKERS));
    }
}

#[derive(Clone, Debug)]
pub struct Database {
    /// Serves every read and write (replicas will be more desks).
    primary: Desk,
    /// Connection waiters allowed (the spec's `queue_capacity`).
    queue_capacity: u64,
    max_connections: Option<u32>,
    /// Service times of reads and writes (indexed by [`read_or_write`]).
    services: [Duration; 2],
    read_spec: ServiceTimeSpec,
    reads: u64,
    writes: u64,
}

/// Workers that run at once, and room to wait, for a connection limit.
fn shape(workers: u32, max_connections: Option<u32>, queue_capacity: u64) -> (u32, u64) {
    match max_connections {
        Some(c) => (workers.min(c), queue_capacity + u64::from(c.saturating_sub(workers))),
        None => (workers, queue_capacity),
    }
}

impl Database {
    pub fn new(s: &DatabaseSpec) -> Self {
        let (workers, room) = shape(s.workers, s.max_connections, s.queue_capacity);
        Database {
            primary: Desk::new(Station::new(workers, room, None), TAG_DONE),
            queue_capacity: s.queue_capacity,
            max_connections: s.max_connections,
            services: [
                service_time(&s.service_time),
                service_time(s.write_service_time.as_ref().unwrap_or(&s.service_time)),
            ],
            read_spec: s.service_time.clone(),
            reads: 0,
            writes: 0,
        }
    }
}

impl Node for Database {
    fn start(&mut self, _ctx: &mut Ctx) {}

    fn on_message(&mut self, ctx: &mut Ctx, _from: NodeIdx, payload: Payload) {
        match payload {
            Payload::Request(req) => {
                if req.op.writes() {
                    self.writes += 1;
                } else {
                    self.reads += 1;
                }
                self.primary.arrive(ctx, req, &self.services, read_or_write);
            }
            Payload::Timer { tag: TAG_DONE, slot } => {
                if let Some(req) = self.primary.done(ctx, slot) {
                    ctx.reply(req, Status::Ok);
                    self.primary.start_waiting(ctx, &self.services, read_or_write);
                }
            }
            _ => {}
        }
    }

    fn on_fail(&mut self, ctx: &mut Ctx) {
        self.primary.fail(ctx);
    }

    fn set(&mut self, ctx: &mut Ctx, change: &Change) {
        if let Some(st) = &change.service_time {
            self.services[0] = service_time(st);
            self.read_spec = st.clone();
        }
        if let Some(w) = change.workers {
            // Running and waiting-inside room both follow the workers.
            let (workers, room) = shape(w, self.max_connections, self.queue_capacity);
            self.primary.st.queue_capacity = room;
            self.primary.set_workers(ctx, workers, &self.services, read_or_write);
        }
    }

    fn view(&self) -> NodeView {
        let st = &self.primary.st;
        let mut figures = vec![("Reads", self.reads as f64), ("Writes", self.writes as f64)];
        if let Some(c) = self.max_connections {
            let inside = u64::from(st.busy) + st.queue_len().min(u64::from(c.saturating_sub(st.workers)));
            figures.push(("Connections in use", inside as f64));
            figures.push(("Max connections", f64::from(c)));
        }
        let mut v = st.view("database");
        v.params = Some(OwnPart::new(StationParams { service_time: self.read_spec.clone(), hold_worker: None }));
        v.figures = figures;
        v
    }

    fn sample(&mut self, now: SimTime) -> NodeSample {
        self.primary.st.sample(now)
    }

    fn summary(&self, now: SimTime, _topo: &Topology) -> NodeSummary {
        let mut s = self.primary.st.summary("database", now);
        s.figures = crate::sim::family::figures(&[
            ("reads", crate::sim::family::Figure::Count(self.reads)),
            ("writes", crate::sim::family::Figure::Count(self.writes)),
        ]);
        s
    }
}
