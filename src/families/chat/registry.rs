//! `chat_registry`: which server holds which user (a Redis-like in-memory
//! map; every operation takes `op_ms`). A server registers a user when it
//! opens their socket or holds their poll, unregisters them when it lets
//! go, and looks a recipient up before pushing.
//!
//! ```text
//!   REGISTER(u, server)   ─► map[u] = server            (no answer)
//!   UNREGISTER(u, server) ─► removed if still that server (no answer)
//!   lookup(u)             ─► answer: found (the server), or not
//! ```
//! A server that dies does not unregister anyone: its users stay mapped
//! to it until they register elsewhere, and pushes sent there bounce.

use std::collections::BTreeMap;

use super::spec::ChatRegistrySpec;
use super::wire::{Kind, Reach, frame};
use crate::families::web_tier::station::{Desk, Station};
use crate::sim::dist::Duration;
use crate::sim::engine::{Ctx, Node, NodeSummary, NodeView, Payload, Status};
use crate::sim::family::Figure;
use crate::sim::metrics::NodeSample;
use crate::sim::time::SimTime;
use crate::sim::validate::{NodeIdx, Problems, Topology, limits};

const TAG_DONE: u32 = 0;

pub fn validate(s: &ChatRegistrySpec, path: &str, p: &mut Problems) {
    p.range_u64(path, "workers", u64::from(s.workers), 1, u64::from(limits::MAX_WORKERS));
    p.positive_f64(path, "op_ms", s.op_ms, limits::MAX_DURATION_MS);
}

#[derive(Clone, Debug)]
pub struct Registry {
    desk: Desk,
    service: [Duration; 1],
    map: BTreeMap<u32, NodeIdx>,
    lookups: u64,
    found: u64,
}

impl Registry {
    pub fn new(s: &ChatRegistrySpec) -> Self {
        Registry {
            desk: Desk::new(Station::new(s.workers, limits::MAX_QUEUE_CAPACITY, None), TAG_DONE),
            service: [Duration::constant(s.op_ms)],
            map: BTreeMap::new(),
            lookups: 0,
            found: 0,
        }
    }
}

impl Node for Registry {
    fn start(&mut self, _ctx: &mut Ctx) {}

    fn on_message(&mut self, ctx: &mut Ctx, _from: NodeIdx, payload: Payload) {
        match payload {
            Payload::Request(req) => self.desk.arrive(ctx, req, &self.service, |_| 0),
            Payload::Timer { tag: TAG_DONE, slot } => {
                if let Some(mut req) = self.desk.done(ctx, slot) {
                    let u = req.client_id;
                    let Some(frame) = frame(&req) else {
                        ctx.reply(req, Status::Refused);
                        self.desk.start_waiting(ctx, &self.service, |_| 0);
                        return;
                    };
                    match frame.kind {
                        // A server registers itself (the frame's server).
                        Kind::Register => {
                            self.map.insert(u, frame.server());
                        }
                        Kind::Unregister => {
                            if self.map.get(&u) == Some(&frame.server()) {
                                self.map.remove(&u);
                            }
                        }
                        _ => {
                            self.lookups += 1;
                            let (reach, server) = match self.map.get(&u) {
                                Some(&server) => {
                                    self.found += 1;
                                    (Reach::Found, server)
                                }
                                None => (Reach::Unknown, 0),
                            };
                            req.set_note(frame.reaching(reach, server));
                            ctx.reply(req, Status::Ok);
                        }
                    }
                    self.desk.start_waiting(ctx, &self.service, |_| 0);
                }
            }
            _ => {}
        }
    }

    fn on_fail(&mut self, ctx: &mut Ctx) {
        // In memory: the map is lost with the process.
        self.desk.fail(ctx);
        self.map.clear();
    }

    fn view(&self) -> NodeView {
        let mut v = self.desk.st.view("chat_registry");
        v.figures = vec![
            ("Users registered", self.map.len() as f64),
            ("Lookups", self.lookups as f64),
            ("Found", self.found as f64),
        ];
        v
    }

    fn sample(&mut self, now: SimTime) -> NodeSample {
        self.desk.st.sample(now)
    }

    fn summary(&self, now: SimTime, _topo: &Topology) -> NodeSummary {
        let mut s = self.desk.st.summary("chat_registry", now);
        s.figures = crate::sim::family::figures(&[
            ("registered", Figure::Count(self.map.len() as u64)),
            ("lookups", Figure::Count(self.lookups)),
            ("found", Figure::Count(self.found)),
        ]);
        s
    }
}
