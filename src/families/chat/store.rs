//! `chat_store`: the messages, a sequence number per conversation, and
//! each user's inbox of what awaits them (messages until acknowledged;
//! receipts kept for a phone that was away).
//!
//! ```text
//!   SEND      ─► write_ms ─► seq = ++seq[conversation]; an inbox entry per recipient ─► answer: seq
//!   POLL      ─► inbox_ms ─► the user's inbox, taken (answered item by item, then the count)
//!   TAKE      ─► inbox_ms ─► the same, kept until each message is acknowledged (a socket)
//!   REMOVE    ─► inbox_ms ─► one message acknowledged
//!   a receipt ─► inbox_ms ─► kept for its user
//! ```
//! The store is durable: a failure loses what it was doing, not its data.

use std::collections::BTreeMap;

use super::people::{Conversation, People};
use super::spec::ChatStoreSpec;
use super::wire::{Frame, Kind, To, frame};
use crate::families::web_tier::station::{Desk, Station};
use crate::sim::dist::Duration;
use crate::sim::engine::{Ctx, Node, NodeSummary, NodeView, Op, Payload, Status};
use crate::sim::family::Figure;
use crate::sim::kind::NodeSpec;
use crate::sim::metrics::NodeSample;
use crate::sim::time::SimTime;
use crate::sim::validate::{NodeIdx, Problems, Topology, limits};

const TAG_DONE: u32 = 0;
/// Inbox entries kept at most, all users together (beyond, new ones are
/// refused and counted).
pub const MAX_INBOX: usize = 2_000_000;
/// Items in one answer to a poll or take (the rest wait for the next).
pub const MAX_PER_TAKE: usize = 500;

pub fn validate(s: &ChatStoreSpec, path: &str, p: &mut Problems) {
    p.range_u64(path, "workers", u64::from(s.workers), 1, u64::from(limits::MAX_WORKERS));
    p.positive_f64(path, "write_ms", s.write_ms, limits::MAX_DURATION_MS);
    p.positive_f64(path, "inbox_ms", s.inbox_ms, limits::MAX_DURATION_MS);
}

#[derive(Clone, Copy, Debug)]
struct Item {
    frame: Frame,
    seq: u32,
    created: SimTime,
}

fn pick(op: Op) -> usize {
    usize::from(op != Op::Write)
}

#[derive(Clone, Debug)]
pub struct Store {
    desk: Desk,
    service: [Duration; 2],
    people: People,
    seqs: BTreeMap<Conversation, u32>,
    /// (user, message id, kind) → item.
    inbox: BTreeMap<(u32, u64, Kind), Item>,
    waiting: BTreeMap<u32, u32>,
    stored: u64,
    inbox_full: u64,
    taken: u64,
    max_depth: u32,
}

impl Store {
    pub fn new(s: &ChatStoreSpec, nodes: &[NodeSpec]) -> Self {
        Store {
            desk: Desk::new(Station::new(s.workers, limits::MAX_QUEUE_CAPACITY, None), TAG_DONE),
            service: [Duration::constant(s.write_ms), Duration::constant(s.inbox_ms)],
            people: People::find(nodes).0,
            seqs: BTreeMap::new(),
            inbox: BTreeMap::new(),
            waiting: BTreeMap::new(),
            stored: 0,
            inbox_full: 0,
            taken: 0,
            max_depth: 0,
        }
    }

    fn keep(&mut self, user: u32, id: u64, item: Item) {
        if self.inbox.len() >= MAX_INBOX {
            self.inbox_full += 1;
            return;
        }
        if self.inbox.insert((user, id, item.frame.kind), item).is_none() {
            let n = self.waiting.entry(user).or_default();
            *n += 1;
            self.max_depth = self.max_depth.max(*n);
        }
    }

    fn drop_entry(&mut self, key: (u32, u64, Kind)) {
        if self.inbox.remove(&key).is_some()
            && let Some(n) = self.waiting.get_mut(&key.0)
        {
            *n -= 1;
            if *n == 0 {
                self.waiting.remove(&key.0);
            }
        }
    }
}

impl Node for Store {
    fn start(&mut self, _ctx: &mut Ctx) {}

    fn on_message(&mut self, ctx: &mut Ctx, _from: NodeIdx, payload: Payload) {
        match payload {
            Payload::Request(req) => self.desk.arrive(ctx, req, &self.service, pick),
            Payload::Timer { tag: TAG_DONE, slot } => {
                if let Some(mut req) = self.desk.done(ctx, slot) {
                    let u = req.client_id;
                    let Some(frame) = frame(&req) else {
                        ctx.reply(req, Status::Refused);
                        self.desk.start_waiting(ctx, &self.service, pick);
                        return;
                    };
                    match frame.kind {
                        Kind::Send => {
                            let Some(to) = frame.to() else {
                                ctx.reply(req, Status::Refused);
                                self.desk.start_waiting(ctx, &self.service, pick);
                                return;
                            };
                            let seq = self.seqs.entry(People::conversation(u, to)).or_default();
                            *seq += 1;
                            let seq = *seq;
                            self.stored += 1;
                            let recipients: Vec<(u32, To)> = self.people.recipients(u, to).collect();
                            for (r, conv) in recipients {
                                let item = Item { frame: Frame::new(Kind::Msg, conv), seq, created: req.created_ns };
                                self.keep(r, req.id, item);
                            }
                            req.key = u64::from(seq);
                            ctx.reply(req, Status::Ok);
                        }
                        kind @ (Kind::Poll | Kind::Take) => {
                            let items: Vec<((u32, u64, Kind), Item)> = self
                                .inbox
                                .range((u, 0, Kind::Connect)..(u.saturating_add(1), 0, Kind::Connect))
                                .take(MAX_PER_TAKE)
                                .map(|(k, v)| (*k, *v))
                                .collect();
                            for &(key, item) in &items {
                                let mut copy = req;
                                copy.id = key.1;
                                copy.set_note(item.frame);
                                copy.key = u64::from(item.seq);
                                copy.created_ns = item.created;
                                copy.op = if item.frame.kind == Kind::Msg { Op::Write } else { Op::Read };
                                ctx.reply(copy, Status::Ok);
                                // A poll takes; a socket's take waits for acknowledgements
                                // (receipts are taken either way).
                                if kind == Kind::Poll || item.frame.kind != Kind::Msg {
                                    self.drop_entry(key);
                                }
                            }
                            self.taken += items.len() as u64;
                            req.key = items.len() as u64;
                            ctx.reply(req, Status::Ok);
                        }
                        Kind::Remove => self.drop_entry((u, req.id, Kind::Msg)),
                        kind if kind.is_kept() => {
                            self.keep(u, req.id, Item { frame, seq: 0, created: req.created_ns });
                        }
                        _ => ctx.reply(req, Status::Refused),
                    }
                    self.desk.start_waiting(ctx, &self.service, pick);
                }
            }
            _ => {}
        }
    }

    fn on_fail(&mut self, ctx: &mut Ctx) {
        self.desk.fail(ctx);
    }

    fn view(&self) -> NodeView {
        let mut v = self.desk.st.view("chat_store");
        v.figures = vec![
            ("Messages stored", self.stored as f64),
            ("Conversations", self.seqs.len() as f64),
            ("Inbox entries", self.inbox.len() as f64),
            ("Users with an inbox", self.waiting.len() as f64),
            ("Deepest inbox", f64::from(self.max_depth)),
            ("Inbox full", self.inbox_full as f64),
        ];
        v
    }

    fn sample(&mut self, now: SimTime) -> NodeSample {
        let mut s = self.desk.st.sample(now);
        s.queue_len = self.inbox.len() as u64;
        s
    }

    fn summary(&self, now: SimTime, _topo: &Topology) -> NodeSummary {
        let mut s = self.desk.st.summary("chat_store", now);
        s.figures = crate::sim::family::figures(&[
            ("messages_stored", Figure::Count(self.stored)),
            ("conversations", Figure::Count(self.seqs.len() as u64)),
            ("inbox_entries", Figure::Count(self.inbox.len() as u64)),
            ("users_with_inbox", Figure::Count(self.waiting.len() as u64)),
            ("deepest_inbox", Figure::Count(u64::from(self.max_depth))),
            ("inbox_full", Figure::Count(self.inbox_full)),
            ("taken", Figure::Count(self.taken)),
        ]);
        s
    }
}
