//! A replicated database's side of an election through a
//! `coordinator_ensemble` (`zk.rs`): one ZooKeeper client per member (a
//! candidate) and one per node that sends it requests (a router: those app
//! servers learn the primary by watching its znode). A client on another
//! side of a partition than the ensemble (a member cut off as a part, a
//! router's node cut off) hears nothing and is heard by no one.
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
use crate::sim::ids::{LinkIdx, NodeIdx};
use crate::sim::time::SimTime;
use crate::sim::trace::MsgKind;

/// A client's timers: its heartbeat, and a call made again.
pub const PING: u32 = 0;
pub const RETRY: u32 = 1;

/// The nodes that send a database requests: each one's id (a router
/// each), and the links they come in on.
pub struct Sources {
    pub routers: Vec<(NodeIdx, String)>,
    pub in_links: Vec<(LinkIdx, NodeIdx)>,
}

/// What a message from the ensemble means to the database.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    /// The member won the election.
    Won(u32),
    /// Router `router`'s app servers now send writes to this member.
    Routed { router: u32, member: u32 },
    /// A watch fired at a candidate (counted per election).
    Notified,
    /// The member learned its session had expired (it was cut off): it
    /// is no one's primary any more.
    Expired(u32),
    /// The member is back in touch with its session alive, after messages
    /// were lost: unless it leads, it takes its recipe's step again
    /// (`Election::rejoin`).
    Rejoined(u32),
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
    /// When it last sent a heartbeat that could arrive, and last heard from
    /// the ensemble.
    last_heartbeat: SimTime,
    last_heard: SimTime,
    /// A message to or from it was lost to a partition: it asks again
    /// when it next hears from the ensemble.
    missed: bool,
}

#[derive(Clone, Debug)]
pub struct Election {
    pub recipe: Recipe,
    dir: ZPath,
    master: ZPath,
    link: LinkIdx,
    /// The ensemble's node.
    zk: NodeIdx,
    members: u32,
    /// The nodes whose requests each router takes (clients `members` …),
    /// and their ids.
    routers: Vec<NodeIdx>,
    router_names: Vec<String>,
    /// The database's incoming links and where each comes from.
    in_links: Vec<(LinkIdx, NodeIdx)>,
    ping_ns: SimTime,
    timeout_ns: SimTime,
    retry_ns: SimTime,
    /// The members' clients, then the routers'.
    clients: Vec<Client>,
    /// The primary each router's app servers know.
    pub routed: Vec<Option<u32>>,
}

impl Election {
    /// `members` candidates, and a router for each of `sources`' nodes
    /// (those that send it requests, by the links they come in on); it
    /// reaches the ensemble `zk` by `link`, and `timeout_ns` and `tick_ns`
    /// are the ensemble's.
    pub fn new(
        s: &ElectionSpec,
        (link, zk): (LinkIdx, NodeIdx),
        members: u32,
        Sources { routers, in_links }: Sources,
        timeout_ns: SimTime,
        tick_ns: SimTime,
    ) -> Self {
        let dir = ZPath::of(&s.path);
        let n_routers = routers.len().max(1);
        Election {
            recipe: s.recipe,
            dir,
            master: dir.child("master").unwrap_or(dir),
            link,
            zk,
            members,
            routers: routers.iter().map(|r| r.0).collect(),
            router_names: routers.into_iter().map(|r| r.1).collect(),
            in_links,
            ping_ns: (timeout_ns / 3).max(1),
            timeout_ns,
            retry_ns: tick_ns.max(1),
            clients: vec![Client::default(); members as usize + n_routers],
            // The app servers start knowing the scenario's primary.
            routed: vec![Some(0); n_routers],
        }
    }

    /// Its clients: the members', then the routers'.
    pub fn clients(&self) -> u32 {
        self.clients.len() as u32
    }

    fn is_router(&self, c: u32) -> bool {
        c >= self.members
    }

    /// The node of router client `c`, if it is one and has one.
    fn router_node(&self, c: u32) -> Option<NodeIdx> {
        if self.is_router(c) { self.routers.get((c - self.members) as usize).copied() } else { None }
    }

    /// The side of the network client `c` is on.
    fn side(&self, ctx: &Ctx, c: u32) -> u32 {
        match self.router_node(c) {
            Some(node) => ctx.side_of(node),
            None if self.is_router(c) => 0,
            None => ctx.part_side(c),
        }
    }

    /// Whether client `c` and the ensemble are on one side.
    pub fn reaches(&self, ctx: &Ctx, c: u32) -> bool {
        self.side(ctx, c) == ctx.side_of(self.zk)
    }

    /// The router of requests from `node` (the first, for a node it does
    /// not know).
    pub fn router_of(&self, node: NodeIdx) -> usize {
        self.routers.iter().position(|&n| n == node).unwrap_or(0)
    }

    /// The node a request came from (by the link it last crossed).
    pub fn source(&self, req: &crate::sim::engine::Request) -> Option<NodeIdx> {
        let link = req.last_link()?;
        self.in_links.iter().find(|(l, _)| *l == link).map(|&(_, n)| n)
    }

    /// Router `r`'s node id (the app servers it stands for).
    pub fn router_name(&self, r: u32) -> &str {
        self.router_names.get(r as usize).map_or("the app servers", String::as_str)
    }

    /// When member `c` last heard from the ensemble.
    pub fn last_heard(&self, c: u32) -> SimTime {
        self.clients.get(c as usize).map_or(0, |x| x.last_heard)
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
        let name = match self.router_node(c) {
            Some(_) => format!("via {}", self.router_name(c - self.members)),
            None if self.is_router(c) => "router".to_string(),
            None => super::spec::member_name(c),
        };
        ZPath::of(&name)
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
        let now = ctx.now();
        if self.reaches(ctx, c) {
            if op == ZkOp::Ping {
                self.clients[c as usize].last_heartbeat = now;
            }
            ctx.send(self.link, Payload::own(ZkMsg { client: c as u8, session, op }), kind, session);
        } else {
            self.clients[c as usize].missed = true;
        }
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

    /// Member `c` takes its recipe's step again (see `Outcome::Rejoined`).
    pub fn rejoin(&mut self, ctx: &mut Ctx, c: u32) {
        self.enter(ctx, c);
    }

    /// The recipe's first step for client `c` (with a session).
    fn enter(&mut self, ctx: &mut Ctx, c: u32) {
        let (dir, master) = (self.dir, self.master);
        if self.is_router(c) {
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
        if !self.reaches(ctx, c) {
            self.clients[c as usize].missed = true;
            return None;
        }
        let router = self.is_router(c);
        let client = &mut self.clients[c as usize];
        client.last_heard = ctx.now();
        if std::mem::take(&mut client.missed) && m.op == ZkOp::Pong {
            // Back in touch with its session alive: what it was waiting for
            // may have been lost, so it takes its step again (a router
            // rereads the primary; a candidate, unless it leads, rejoins).
            if router {
                self.enter(ctx, c);
                return None;
            }
            return Some(Outcome::Rejoined(c));
        }
        let (dir, master) = (self.dir, self.master);
        match m.op {
            ZkOp::Connected => {
                let client = &mut self.clients[c as usize];
                client.session = Some(m.session);
                client.connecting = false;
                self.enter(ctx, c);
            }
            ZkOp::Expired if self.clients[c as usize].session == Some(m.session) => {
                self.connect(ctx, c);
                return (!router).then_some(Outcome::Expired(c));
            }
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
            ZkOp::Data { data, .. } if router && self.routed[(c - self.members) as usize] != Some(data) => {
                self.routed[(c - self.members) as usize] = Some(data);
                return Some(Outcome::Routed { router: c - self.members, member: data });
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
