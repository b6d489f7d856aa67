//! `chat_pubsub`: carries what one server has for a user another server
//! holds (fire and forget, like Redis pub/sub: nothing is kept). Servers
//! link to it; it reaches each back over that server's own link.
//!
//! ```text
//!   publish(d for server S) ─► op_ms ─► S (over S's link, backwards)
//!   S down ─► the message bounces to the publisher, which keeps receipts in the inbox
//! ```

use std::collections::BTreeMap;

use super::spec::ChatPubsubSpec;
use super::wire::{Kind, frame};
use crate::families::web_tier::station::{Desk, Station};
use crate::sim::dist::Duration;
use crate::sim::engine::{Ctx, Node, NodeSummary, NodeView, Payload, Status};
use crate::sim::family::Figure;
use crate::sim::metrics::NodeSample;
use crate::sim::time::SimTime;
use crate::sim::trace::MsgKind;
use crate::sim::validate::{LinkIdx, NodeIdx, Problems, Topology, limits};

const TAG_DONE: u32 = 0;

pub fn validate(s: &ChatPubsubSpec, path: &str, p: &mut Problems) {
    p.range_u64(path, "workers", u64::from(s.workers), 1, u64::from(limits::MAX_WORKERS));
    p.positive_f64(path, "op_ms", s.op_ms, limits::MAX_DURATION_MS);
}

#[derive(Clone, Debug)]
pub struct Pubsub {
    desk: Desk,
    service: [Duration; 1],
    /// Each server's link to this node.
    links: BTreeMap<NodeIdx, LinkIdx>,
    routed: u64,
}

impl Pubsub {
    pub fn new(s: &ChatPubsubSpec, idx: NodeIdx, topo: &Topology) -> Self {
        let links =
            topo.links.iter().enumerate().filter(|(_, l)| l.to == idx).map(|(i, l)| (l.from, i as LinkIdx)).collect();
        Pubsub {
            desk: Desk::new(Station::new(s.workers, limits::MAX_QUEUE_CAPACITY, None), TAG_DONE),
            service: [Duration::constant(s.op_ms)],
            links,
            routed: 0,
        }
    }
}

impl Node for Pubsub {
    fn start(&mut self, _ctx: &mut Ctx) {}

    fn on_message(&mut self, ctx: &mut Ctx, _from: NodeIdx, payload: Payload) {
        match payload {
            Payload::Request(req) => self.desk.arrive(ctx, req, &self.service, |_| 0),
            Payload::Timer { tag: TAG_DONE, slot } => {
                if let Some(req) = self.desk.done(ctx, slot) {
                    let frame = frame(&req);
                    let target = frame.map(|f| f.server());
                    match target.and_then(|t| self.links.get(&t)) {
                        Some(&link) => {
                            self.routed += 1;
                            let is_msg = frame.is_some_and(|f| f.kind == Kind::Msg);
                            let kind = if is_msg { MsgKind::Write } else { MsgKind::Control };
                            ctx.send(link, Payload::Request(req), kind, req.id as u32);
                        }
                        None => ctx.reply(req, Status::Refused),
                    }
                    self.desk.start_waiting(ctx, &self.service, |_| 0);
                }
            }
            _ => {}
        }
    }

    fn on_fail(&mut self, ctx: &mut Ctx) {
        self.desk.fail(ctx);
    }

    fn view(&self) -> NodeView {
        let mut v = self.desk.st.view("chat_pubsub");
        v.figures = vec![("Routed", self.routed as f64)];
        v
    }

    fn sample(&mut self, now: SimTime) -> NodeSample {
        self.desk.st.sample(now)
    }

    fn summary(&self, now: SimTime, _topo: &Topology) -> NodeSummary {
        let mut s = self.desk.st.summary("chat_pubsub", now);
        s.figures = crate::sim::family::figures(&[("routed", Figure::Count(self.routed))]);
        s
    }
}
