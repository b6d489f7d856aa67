//! `id_coordinator`: a small ZooKeeper-like node that leases blocks of ids.
//! Each lease is one write to its log, one at a time; an app server asks
//! for its next block (the request's `key` says how many ids) and gets the
//! block's first id back in `key`.
//!
//! ```text
//!   lease(R) ─► one at a time ─► lease_time ─► key = next; next += R
//!   down: leases are refused; servers go on until their blocks run out
//! ```

use crate::families::web_tier::station::{Desk, Station};
use crate::sim::dist::Duration;
use crate::sim::engine::{Ctx, Node, NodeSummary, NodeView, Payload, Status};
use crate::sim::family::Figure;
use crate::sim::metrics::NodeSample;
use crate::sim::spec::service_time;
use crate::sim::time::SimTime;
use crate::sim::validate::validate_service_time;
use crate::sim::validate::{NodeIdx, Problems, Topology};

use super::spec::IdCoordinatorSpec;

const TAG_DONE: u32 = 0;

pub fn validate(s: &IdCoordinatorSpec, path: &str, p: &mut Problems) {
    validate_service_time(&s.lease_time, &format!("{path}.lease_time"), p);
    p.range_u64(path, "first_id", s.first_id, 0, u64::MAX / 2);
}

#[derive(Clone, Debug)]
pub struct Coordinator {
    desk: Desk,
    service: [Duration; 1],
    next: u64,
    leases: u64,
}

impl Coordinator {
    pub fn new(s: &IdCoordinatorSpec) -> Self {
        Coordinator {
            desk: Desk::new(Station::new(1, 100_000, None), TAG_DONE),
            service: [service_time(&s.lease_time)],
            next: s.first_id,
            leases: 0,
        }
    }
}

impl Node for Coordinator {
    fn start(&mut self, _ctx: &mut Ctx) {}

    fn on_message(&mut self, ctx: &mut Ctx, _from: NodeIdx, payload: Payload) {
        match payload {
            Payload::Request(req) => self.desk.arrive(ctx, req, &self.service, |_| 0),
            Payload::Timer { tag: TAG_DONE, slot } => {
                if let Some(mut req) = self.desk.done(ctx, slot) {
                    let block = req.key.max(1);
                    req.key = self.next;
                    self.next = self.next.saturating_add(block);
                    self.leases += 1;
                    ctx.reply(req, Status::Ok);
                    self.desk.start_waiting(ctx, &self.service, |_| 0);
                }
            }
            _ => {}
        }
    }

    fn on_fail(&mut self, ctx: &mut Ctx) {
        // Its log survives: the next id is kept.
        self.desk.fail(ctx);
    }

    fn view(&self) -> NodeView {
        let mut v = self.desk.st.view("id_coordinator");
        v.figures = vec![("Blocks leased", self.leases as f64), ("Next id", self.next as f64)];
        v
    }

    fn sample(&mut self, now: SimTime) -> NodeSample {
        self.desk.st.sample(now)
    }

    fn summary(&self, now: SimTime, _topo: &Topology) -> NodeSummary {
        let mut s = self.desk.st.summary("id_coordinator", now);
        s.figures = crate::sim::family::figures(&[
            ("blocks_leased", Figure::Count(self.leases)),
            ("next_id", Figure::Count(self.next)),
        ]);
        s
    }
}
