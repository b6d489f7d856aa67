//! A replicated database's side of an election through a
//! `coordinator_ensemble` (`zk.rs`): one ZooKeeper client per member (a
//! candidate) and one for the app servers (the router, which learns the
//! primary by watching its znode).
//!
//! ```text
//!   herd        candidate: create <path>/master (ephemeral) ─ ok: primary
//!                          └ exists: watch it; deleted ─► create again (all of them)
//!   sequential  candidate: create <path>/n_ (ephemeral, sequential) ─► children:
//!                          lowest: primary; else watch the one just before it
//!                          deleted ─► children again (only its successor is told)
//!   router      herd: exists <path>/master (watch) ─► getData (watch) ─► the primary
//!               sequential: children ─► getData of the lowest (watch) ─► the primary
//!   every client: a heartbeat every third of the session timeout
//! ```
//! A member that comes back within its session's timeout reattaches that
//! session (a pause, not a crash: what a ZooKeeper client does when it
//! reconnects in time); after it, its session has expired and it starts a
//! new one. A call the ensemble could not serve (no quorum) is made again a
//! tick later.

use super::spec::{ElectionSpec, Recipe};
use super::zk::{ZPath, ZkError, ZkEvent, ZkMsg, ZkOp};
use crate::sim::engine::{Ctx, Payload};
use crate::sim::ids::LinkIdx;
use crate::sim::time::SimTime;
use crate::sim::trace::MsgKind;

/// A client's timers: its heartbeat, and a call made again.
pub const PING: u32 = 0;
pub const RETRY: u32 = 1;

/// What a message from the ensemble means to the database.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    /// The member won the election.
    Won(u32),
    /// The app servers now send writes to this member.
    Routed(u32),
    /// A watch fired at a candidate (counted per election).
    Notified,
}

#[derive(Clone, Debug, Default)]
struct Client {
    session: Option<u32>,
    connecting: bool,
    /// Its sequential znode (sequential recipe).
    mine: Option<ZPath>,
    /// The call to make again after a `NoQuorum`, and whether that is due.
    last: Option<ZkOp>,
    retrying: bool,
    /// Voids its timers when its member fails.
    generation: u32,
    /// When it last sent a heartbeat.
    last_heartbeat: SimTime,
}

#[derive(Clone, Debug)]
pub struct Election {
    pub recipe: Recipe,
    dir: ZPath,
    master: ZPath,
    link: LinkIdx,
    ping_ns: SimTime,
    timeout_ns: SimTime,
    retry_ns: SimTime,
    /// The members' clients, then the router's.
    clients: Vec<Client>,
    /// The primary the app servers know.
    pub routed: Option<u32>,
}

impl Election {
    /// `members` candidates; `timeout_ns` and `tick_ns` are the ensemble's.
    pub fn new(s: &ElectionSpec, link: LinkIdx, members: u32, timeout_ns: SimTime, tick_ns: SimTime) -> Self {
        let dir = ZPath::new(&s.path).unwrap_or(ZPath::new("/").expect("fits"));
        Election {
            recipe: s.recipe,
            dir,
            master: dir.child("master").unwrap_or(dir),
            link,
            ping_ns: (timeout_ns / 3).max(1),
            timeout_ns,
            retry_ns: tick_ns.max(1),
            clients: vec![Client::default(); members as usize + 1],
            // The app servers start knowing the scenario's primary.
            routed: Some(0),
        }
    }

    /// Takes another recipe if no client has a session yet (the start);
    /// `false` once they have (their znodes and watches follow the old one).
    pub fn set_recipe(&mut self, recipe: Recipe) -> bool {
        let fresh = self.clients.iter().all(|c| c.session.is_none());
        if fresh {
            self.recipe = recipe;
        }
        fresh
    }

    /// The ensemble's session timeout.
    pub fn timeout_ns(&self) -> SimTime {
        self.timeout_ns
    }

    fn router(&self) -> u32 {
        self.clients.len() as u32 - 1
    }

    /// When member `i` last sent a heartbeat.
    pub fn last_heartbeat(&self, i: u32) -> Option<SimTime> {
        self.clients.get(i as usize).map(|c| c.last_heartbeat)
    }

    /// Timers of client `c`: the database's timer kind with the client's
    /// generation (`tag`'s upper bits, set by the caller) and `slot`.
    pub fn slot(c: u32, what: u32) -> u32 {
        c | (what << 8)
    }

    pub fn generation(&self, c: u32) -> u32 {
        self.clients.get(c as usize).map_or(0, |x| x.generation)
    }

    fn name(&self, c: u32) -> ZPath {
        let name = if c == self.router() { "app".to_string() } else { super::spec::member_name(c) };
        ZPath::new(&name).unwrap_or(ZPath::new("?").expect("fits"))
    }

    fn send(&mut self, ctx: &mut Ctx, c: u32, op: ZkOp) {
        let client = &mut self.clients[c as usize];
        let session = client.session.unwrap_or(0);
        let kind = match op {
            ZkOp::Ping | ZkOp::Connect { .. } => MsgKind::Control,
            ZkOp::Create { .. } => MsgKind::Write,
            _ => MsgKind::Request,
        };
        if !matches!(op, ZkOp::Ping | ZkOp::Connect { .. }) {
            client.last = Some(op);
        }
        if op == ZkOp::Ping {
            client.last_heartbeat = ctx.now();
        }
        ctx.send(self.link, Payload::own(ZkMsg { client: c as u8, session, op }), kind, session);
    }

    /// Starts every client (`set_timer` is the database's, with its tag).
    pub fn start(&mut self, ctx: &mut Ctx, set_timer: &mut dyn FnMut(&mut Ctx, SimTime, u32, u32)) {
        for c in 0..self.clients.len() as u32 {
            self.connect(ctx, c);
            set_timer(ctx, self.ping_ns, self.clients[c as usize].generation, Self::slot(c, PING));
        }
    }

    fn connect(&mut self, ctx: &mut Ctx, c: u32) {
        let client = &mut self.clients[c as usize];
        client.session = None;
        client.connecting = true;
        client.mine = None;
        let name = self.name(c);
        self.send(ctx, c, ZkOp::Connect { name });
    }

    /// Member `c`'s process stopped: its timers and calls are void; the
    /// ensemble keeps its session until it expires.
    pub fn stop(&mut self, c: u32) {
        let client = &mut self.clients[c as usize];
        client.generation = client.generation.wrapping_add(1) & ((1 << 29) - 1);
        client.connecting = false;
        client.last = None;
        client.retrying = false;
    }

    /// Member `c` is back: it reattaches its session (or opens one), and,
    /// unless it is the primary, takes part in the recipe again.
    pub fn resume(
        &mut self,
        ctx: &mut Ctx,
        c: u32,
        primary: bool,
        set_timer: &mut dyn FnMut(&mut Ctx, SimTime, u32, u32),
    ) {
        set_timer(ctx, self.ping_ns, self.clients[c as usize].generation, Self::slot(c, PING));
        if self.clients[c as usize].session.is_none() {
            return self.connect(ctx, c);
        }
        self.send(ctx, c, ZkOp::Ping);
        if !primary {
            self.enter(ctx, c);
        }
    }

    /// A client's timer fired (its generation already checked).
    pub fn timer(&mut self, ctx: &mut Ctx, slot: u32, set_timer: &mut dyn FnMut(&mut Ctx, SimTime, u32, u32)) {
        let (c, what) = (slot & 0xff, slot >> 8);
        if c as usize >= self.clients.len() {
            return;
        }
        match what {
            PING => {
                set_timer(ctx, self.ping_ns, self.clients[c as usize].generation, Self::slot(c, PING));
                let client = &self.clients[c as usize];
                if client.session.is_some() {
                    self.send(ctx, c, ZkOp::Ping);
                } else if !client.connecting {
                    self.connect(ctx, c);
                } else {
                    // Unanswered (no quorum): ask again.
                    let name = self.name(c);
                    self.send(ctx, c, ZkOp::Connect { name });
                }
            }
            _ => {
                self.clients[c as usize].retrying = false;
                if let Some(op) = self.clients[c as usize].last.take() {
                    self.send(ctx, c, op);
                }
            }
        }
    }

    /// The recipe's first step for client `c` (with a session).
    fn enter(&mut self, ctx: &mut Ctx, c: u32) {
        let (dir, master) = (self.dir, self.master);
        if c == self.router() {
            return match self.recipe {
                Recipe::Herd => self.send(ctx, c, ZkOp::Exists { path: master, watch: true }),
                Recipe::Sequential => self.send(ctx, c, ZkOp::GetChildren { path: dir, watch: false }),
            };
        }
        match (self.recipe, self.clients[c as usize].mine) {
            (Recipe::Herd, _) => {
                self.send(ctx, c, ZkOp::Create { path: master, ephemeral: true, sequential: false, data: c })
            }
            (Recipe::Sequential, Some(_)) => self.send(ctx, c, ZkOp::GetChildren { path: dir, watch: false }),
            (Recipe::Sequential, None) => {
                let prefix = dir.child("n_").unwrap_or(dir);
                self.send(ctx, c, ZkOp::Create { path: prefix, ephemeral: true, sequential: true, data: c })
            }
        }
    }

    /// A message from the ensemble, for client `m.client` (`up`: whether
    /// that member's process runs; a stopped one hears nothing).
    pub fn on_msg(
        &mut self,
        ctx: &mut Ctx,
        m: ZkMsg,
        up: bool,
        set_timer: &mut dyn FnMut(&mut Ctx, SimTime, u32, u32),
    ) -> Option<Outcome> {
        let c = u32::from(m.client);
        let names = match m.op {
            ZkOp::Children { names, .. } => ctx.take_body::<Vec<String>>(names),
            _ => None,
        };
        if c as usize >= self.clients.len() || !up {
            return None;
        }
        let router = c == self.router();
        let (dir, master) = (self.dir, self.master);
        match m.op {
            ZkOp::Connected => {
                let client = &mut self.clients[c as usize];
                client.session = Some(m.session);
                client.connecting = false;
                self.enter(ctx, c);
            }
            ZkOp::Expired if self.clients[c as usize].session == Some(m.session) => self.connect(ctx, c),
            ZkOp::Failed { why: ZkError::NoQuorum, .. } if !self.clients[c as usize].retrying => {
                let client = &mut self.clients[c as usize];
                client.retrying = true;
                set_timer(ctx, self.retry_ns, client.generation, Self::slot(c, RETRY));
            }
            ZkOp::Created { path } => {
                if self.recipe == Recipe::Herd {
                    return Some(Outcome::Won(c));
                }
                self.clients[c as usize].mine = Some(path);
                self.send(ctx, c, ZkOp::GetChildren { path: dir, watch: false });
            }
            ZkOp::Failed { why: ZkError::NodeExists, .. } => {
                self.send(ctx, c, ZkOp::Exists { path: master, watch: true })
            }
            ZkOp::Stat { exists, path } => match (router, exists, self.recipe) {
                (true, true, _) => self.send(ctx, c, ZkOp::GetData { path, watch: true }),
                (true, false, _) => {} // its watch tells it when one is created
                (false, true, _) => {} // watching it
                (false, false, Recipe::Herd) => self.enter(ctx, c),
                (false, false, Recipe::Sequential) => self.send(ctx, c, ZkOp::GetChildren { path: dir, watch: false }),
            },
            ZkOp::Children { .. } => {
                let mut names = names.unwrap_or_default();
                names.retain(|n| n.starts_with("n_"));
                names.sort();
                if router {
                    return match names.first().and_then(|n| dir.child(n)) {
                        Some(lowest) => {
                            self.send(ctx, c, ZkOp::GetData { path: lowest, watch: true });
                            None
                        }
                        None => {
                            self.send(ctx, c, ZkOp::GetChildren { path: dir, watch: true });
                            None
                        }
                    };
                }
                let mine = self.clients[c as usize].mine?;
                match names.iter().position(|n| n == mine.name()) {
                    Some(0) => return Some(Outcome::Won(c)),
                    Some(i) => {
                        let before = dir.child(&names[i - 1]).unwrap_or(dir);
                        self.send(ctx, c, ZkOp::Exists { path: before, watch: true });
                    }
                    // Its znode is gone (its session expired): a new one.
                    None => {
                        self.clients[c as usize].mine = None;
                        self.enter(ctx, c);
                    }
                }
            }
            ZkOp::Data { data, .. } if router && self.routed != Some(data) => {
                self.routed = Some(data);
                return Some(Outcome::Routed(data));
            }
            ZkOp::Failed { why: ZkError::NoNode, .. } if router => self.enter(ctx, c),
            ZkOp::Event { event, .. } => {
                if router {
                    match (event, self.recipe) {
                        (ZkEvent::Created, _) => self.send(ctx, c, ZkOp::GetData { path: master, watch: true }),
                        (_, Recipe::Herd) => self.enter(ctx, c),
                        (_, Recipe::Sequential) => self.send(ctx, c, ZkOp::GetChildren { path: dir, watch: false }),
                    }
                    return None;
                }
                match self.recipe {
                    Recipe::Herd => self.enter(ctx, c),
                    Recipe::Sequential => self.send(ctx, c, ZkOp::GetChildren { path: dir, watch: false }),
                }
                return Some(Outcome::Notified);
            }
            _ => {}
        }
        None
    }
}
