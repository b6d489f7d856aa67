//! `coordinator_ensemble`: a ZooKeeper-like ensemble of 1–7 servers (its
//! parts `zk-0` … `zk-n`) that keeps a znode tree, client sessions and
//! watches, for the nodes that link to it (a replicated database's members
//! and its app servers' view, `election.rs`).
//!
//! ```text
//!   client ─Connect─► session (timeout: session_timeout_ms)
//!          ─Ping every third of it─► expiry = the tick after now + timeout
//!   every tick: a session past its expiry ends ─► its ephemeral znodes go
//!   a write (create, a session's end) ─► the leader proposes it ─► a majority
//!          acknowledges (one round trip between servers) ─► committed, watches fire
//!   reads (exists, getData, getChildren) ─► answered by the leader at once,
//!          optionally leaving a one-shot watch
//! ```
//! **Quorum.** Its leader is the highest-numbered live server (ZooKeeper's
//! election picks the largest id among equally up-to-date servers). While
//! fewer than ⌊n/2⌋ + 1 servers are up it has no leader: it serves nothing,
//! so no session is renewed, none expires, no write commits (each is
//! answered `NoQuorum` and counted) and no election of its clients can
//! happen. A new leader takes one tick (its servers' votes and sync, a
//! stated simplification), and then gives every session a fresh timeout,
//! as ZooKeeper's new leader does.
//!
//! **Expiry** follows ZooKeeper's `ExpiryQueue`: a session touched at `t`
//! expires at the first tick boundary after `t + timeout`, and the leader
//! checks at each tick boundary. So a dead client's session ends between
//! `timeout` and `timeout + tick` after its last heartbeat arrived.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

use super::spec::EnsembleSpec;
use super::told::Told;
use super::zk::{self, ZNODE_MAX, ZPath, ZkError, ZkEvent, ZkMsg, ZkOp};
use crate::sim::engine::{Ctx, Node, NodeSummary, NodeView, OwnPart, OwnSummary, Payload};
use crate::sim::family::{Delivery, PartState};
use crate::sim::ids::LinkIdx;
use crate::sim::kind::PartsOf;
use crate::sim::metrics::NodeSample;
use crate::sim::time::{SimTime, ms_to_ns, ns_to_ms};
use crate::sim::trace::MsgKind;
use crate::sim::validate::{NodeIdx, Problems, Topology, limits};

/// Servers an ensemble may have.
pub const MAX_MEMBERS: u32 = 7;
/// Sessions' timeouts, in ticks (ZooKeeper's `minSessionTimeout` and
/// `maxSessionTimeout` defaults).
pub const MIN_TIMEOUT_TICKS: f64 = 2.0;
pub const MAX_TIMEOUT_TICKS: f64 = 20.0;
const STORIES: usize = 10;

const T_TICK: u32 = 1;
const T_COMMIT: u32 = 2;
const T_LEADER: u32 = 3;

pub fn parts(s: &EnsembleSpec) -> PartsOf {
    PartsOf {
        field: "part",
        plural: "servers",
        a_kind: "a coordination ensemble",
        count: s.members,
        must_name: false,
        membership: None,
    }
}

pub fn validate(s: &EnsembleSpec, path: &str, p: &mut Problems) {
    p.range_u64(path, "members", u64::from(s.members), 1, u64::from(MAX_MEMBERS));
    p.positive_f64(path, "tick_ms", s.tick_ms, limits::MAX_DURATION_MS);
    if s.tick_ms > 0.0 {
        let (lo, hi) = (MIN_TIMEOUT_TICKS * s.tick_ms, MAX_TIMEOUT_TICKS * s.tick_ms);
        if !(lo..=hi).contains(&s.session_timeout_ms) {
            p.add(
                format!("{path}.session_timeout_ms"),
                format!(
                    "must be from 2 to 20 ticks, {lo} to {hi} ms with tick_ms {} (got {}), as ZooKeeper enforces",
                    s.tick_ms, s.session_timeout_ms
                ),
            );
        }
    }
    p.range_f64(path, "peer_latency_ms", s.peer_latency_ms, 0.0, limits::MAX_LATENCY_MS);
    for (i, z) in s.znodes.iter().enumerate() {
        let at = format!("{path}.znodes[{i}]");
        if !z.starts_with('/') || z.len() < 2 || z.ends_with('/') || z.contains("//") {
            p.add(at, format!("`{z}` is not a znode path: `/name` or `/a/b`"));
        } else if z.len() > ZNODE_MAX {
            p.add(at, format!("`{z}` is longer than {ZNODE_MAX} characters"));
        } else if zk::parent(z) != "/" && !s.znodes[..i].iter().any(|q| q == zk::parent(z)) {
            p.add(at, format!("its parent `{}` must be listed before it", zk::parent(z)));
        } else if s.znodes[..i].contains(z) {
            p.add(at, format!("`{z}` is listed twice"));
        }
    }
}

/// The name of server `i`.
pub fn member_name(i: u32) -> String {
    format!("zk-{i}")
}

#[derive(Clone, Debug)]
struct Znode {
    data: u32,
    /// The session that owns it (an ephemeral znode).
    owner: Option<u32>,
    /// The write that created it (its `czxid`: a primary's epoch).
    czxid: u64,
    /// The next sequential child's number.
    next_child: u32,
}

#[derive(Clone, Debug)]
struct Session {
    name: String,
    from: NodeIdx,
    client: u8,
    expires: SimTime,
    last_heartbeat: SimTime,
    /// Its end is proposed (it answers nothing more).
    closing: bool,
}

#[derive(Clone, Copy, Debug)]
struct Watch {
    session: u32,
}

#[derive(Clone, Debug)]
enum Proposal {
    Create { session: u32, path: String, ephemeral: bool, data: u32 },
    Close { session: u32 },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServerState {
    pub name: String,
    pub up: bool,
    pub leader: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SessionState {
    pub id: u32,
    /// `<node>/<client>`: who holds it.
    pub holder: String,
    /// Until it expires, from the view's time (negative: overdue).
    pub expires_in_ms: f64,
    pub closing: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ZnodeState {
    pub path: String,
    pub data: u32,
    /// The holder of the session that owns it, if ephemeral.
    pub owner: Option<String>,
    pub czxid: u64,
    /// One-shot watches on it (on its data or existence, and on its children).
    pub watches: usize,
}

/// What the panel draws.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EnsembleView {
    pub servers: Vec<ServerState>,
    pub leader: Option<String>,
    /// Servers up / needed for a majority.
    pub up: u32,
    pub majority: u32,
    /// A new leader is being elected (with a majority up).
    pub electing: bool,
    pub sessions: Vec<SessionState>,
    pub tree: Vec<ZnodeState>,
    pub notifications: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EnsembleSummary {
    pub servers: u32,
    pub servers_up: u32,
    pub majority: u32,
    pub leader: Option<String>,
    pub leader_elections: u64,
    pub sessions_opened: u64,
    /// Heartbeats that renewed a session.
    pub heartbeats: u64,
    pub sessions_expired: u64,
    pub writes_committed: u64,
    /// Writes no majority acknowledged (answered `NoQuorum`).
    pub writes_not_committed: u64,
    pub watch_notifications: u64,
    pub znodes: usize,
}

#[derive(Clone, Debug)]
pub struct Ensemble {
    up: Vec<bool>,
    leader: Option<u32>,
    electing: bool,
    /// Voids proposals and leader timers of an older leadership.
    leadership: u32,
    tick_ns: SimTime,
    timeout_ns: SimTime,
    commit_ns: SimTime,
    tree: BTreeMap<String, Znode>,
    zxid: u64,
    sessions: BTreeMap<u32, Session>,
    next_session: u32,
    /// Watches on a path's data or existence, and on its children.
    data_watches: BTreeMap<String, Vec<Watch>>,
    child_watches: BTreeMap<String, Vec<Watch>>,
    proposals: VecDeque<Proposal>,
    /// The link each client node reaches it by.
    links: Vec<(NodeIdx, LinkIdx)>,
    ids: Vec<String>,
    stories: Told,
    clock: SimTime,
    leader_elections: u64,
    sessions_opened: u64,
    heartbeats: u64,
    expired: u64,
    committed: u64,
    not_committed: u64,
    notifications: u64,
}

impl Ensemble {
    pub fn new(s: &EnsembleSpec, idx: NodeIdx, topo: &Topology) -> Self {
        let mut tree = BTreeMap::new();
        for path in std::iter::once("/").chain(s.znodes.iter().map(String::as_str)) {
            tree.insert(path.to_string(), Znode { data: 0, owner: None, czxid: 0, next_child: 0 });
        }
        let links = (0..topo.links.len())
            .filter(|&l| topo.links[l].to == idx)
            .map(|l| (topo.links[l].from, l as LinkIdx))
            .collect();
        Ensemble {
            up: vec![true; s.members as usize],
            leader: s.members.checked_sub(1),
            electing: false,
            leadership: 0,
            tick_ns: ms_to_ns(s.tick_ms),
            timeout_ns: ms_to_ns(s.session_timeout_ms),
            commit_ns: ms_to_ns(2.0 * s.peer_latency_ms),
            tree,
            zxid: 0,
            sessions: BTreeMap::new(),
            next_session: 1,
            data_watches: BTreeMap::new(),
            child_watches: BTreeMap::new(),
            proposals: VecDeque::new(),
            links,
            ids: topo.ids.clone(),
            stories: Told::new("ensemble", STORIES, 3),
            clock: 0,
            leader_elections: 0,
            sessions_opened: 0,
            heartbeats: 0,
            expired: 0,
            committed: 0,
            not_committed: 0,
            notifications: 0,
        }
    }

    fn majority(&self) -> u32 {
        self.up.len() as u32 / 2 + 1
    }

    fn servers_up(&self) -> u32 {
        self.up.iter().filter(|&&u| u).count() as u32
    }

    /// The first tick boundary after `t` (ZooKeeper's `roundToNextInterval`).
    fn next_tick_after(&self, t: SimTime) -> SimTime {
        (t / self.tick_ns + 1) * self.tick_ns
    }

    fn tell(&mut self, now: SimTime, text: String, bad: bool) {
        self.stories.tell(now, text, bad);
    }

    fn send(&self, ctx: &mut Ctx, to: NodeIdx, client: u8, session: u32, op: ZkOp) {
        let Some(&(_, link)) = self.links.iter().find(|(from, _)| *from == to) else { return };
        let kind = match op {
            ZkOp::Event { .. } | ZkOp::Expired => MsgKind::Record,
            ZkOp::Pong | ZkOp::Connected => MsgKind::Control,
            _ => MsgKind::Response,
        };
        ctx.send(link, Payload::own(ZkMsg { client, session, op }), kind, session);
    }

    fn reply(&self, ctx: &mut Ctx, session: u32, op: ZkOp) {
        if let Some(s) = self.sessions.get(&session) {
            self.send(ctx, s.from, s.client, session, op);
        }
    }

    fn holder(&self, s: &Session) -> String {
        format!("{}/{}", self.ids.get(s.from as usize).map_or("?", String::as_str), s.name)
    }

    // ---- calls ----

    fn call(&mut self, ctx: &mut Ctx, from: NodeIdx, m: ZkMsg) {
        let now = ctx.now();
        if self.leader.is_none() {
            // No leader with a majority: nothing is served.
            if matches!(m.op, ZkOp::Create { .. }) {
                self.not_committed += 1;
            }
            // A connect or a heartbeat goes unanswered (the client tries
            // again at its next heartbeat); a call is told why.
            let (ZkOp::Create { path, .. }
            | ZkOp::Exists { path, .. }
            | ZkOp::GetData { path, .. }
            | ZkOp::GetChildren { path, .. }) = m.op
            else {
                return;
            };
            return self.send(ctx, from, m.client, m.session, ZkOp::Failed { path, why: ZkError::NoQuorum });
        }
        if let ZkOp::Connect { name } = m.op {
            let id = self.next_session;
            self.next_session += 1;
            self.sessions_opened += 1;
            let expires = self.next_tick_after(now + self.timeout_ns);
            let s = Session {
                name: name.as_str().to_string(),
                from,
                client: m.client,
                expires,
                last_heartbeat: now,
                closing: false,
            };
            self.sessions.insert(id, s);
            return self.send(ctx, from, m.client, id, ZkOp::Connected);
        }
        let live = self.sessions.get(&m.session).is_some_and(|s| !s.closing);
        if !live {
            return self.send(ctx, from, m.client, m.session, ZkOp::Expired);
        }
        match m.op {
            ZkOp::Ping => {
                let expires = self.next_tick_after(now + self.timeout_ns);
                if let Some(s) = self.sessions.get_mut(&m.session) {
                    s.expires = expires;
                    s.last_heartbeat = now;
                }
                self.heartbeats += 1;
                self.reply(ctx, m.session, ZkOp::Pong);
            }
            ZkOp::Create { path, ephemeral, sequential, data } => {
                let mut name = path.as_str().to_string();
                if sequential {
                    // Named now, in the order the leader takes the calls.
                    let parent = zk::parent(&name).to_string();
                    if let Some(p) = self.tree.get_mut(&parent) {
                        let n = p.next_child;
                        p.next_child += 1;
                        name = zk::sequential_name(&name, n);
                    }
                }
                self.propose(ctx, Proposal::Create { session: m.session, path: name, ephemeral, data });
            }
            ZkOp::Exists { path, watch } => {
                let exists = self.tree.contains_key(path.as_str());
                if watch {
                    self.watch(true, path.as_str(), m.session);
                }
                self.reply(ctx, m.session, ZkOp::Stat { path, exists });
            }
            ZkOp::GetData { path, watch } => match self.tree.get(path.as_str()) {
                Some(z) => {
                    let data = z.data;
                    if watch {
                        self.watch(true, path.as_str(), m.session);
                    }
                    self.reply(ctx, m.session, ZkOp::Data { path, data });
                }
                None => self.reply(ctx, m.session, ZkOp::Failed { path, why: ZkError::NoNode }),
            },
            ZkOp::GetChildren { path, watch } => {
                if !self.tree.contains_key(path.as_str()) {
                    return self.reply(ctx, m.session, ZkOp::Failed { path, why: ZkError::NoNode });
                }
                let names = self.children(path.as_str());
                if watch {
                    self.watch(false, path.as_str(), m.session);
                }
                let names = ctx.put_body(names);
                self.reply(ctx, m.session, ZkOp::Children { path, names });
            }
            _ => {}
        }
    }

    /// The names of `path`'s children, sorted.
    fn children(&self, path: &str) -> Vec<String> {
        let prefix = if path == "/" { "/".to_string() } else { format!("{path}/") };
        self.tree
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(k, _)| !k[prefix.len()..].contains('/'))
            .map(|(k, _)| k[prefix.len()..].to_string())
            .collect()
    }

    fn watch(&mut self, data: bool, path: &str, session: u32) {
        let map = if data { &mut self.data_watches } else { &mut self.child_watches };
        let list = map.entry(path.to_string()).or_default();
        if !list.iter().any(|w| w.session == session) {
            list.push(Watch { session });
        }
    }

    // ---- writes ----

    fn propose(&mut self, ctx: &mut Ctx, p: Proposal) {
        self.proposals.push_back(p);
        ctx.set_timer(self.commit_ns, T_COMMIT, self.leadership);
    }

    /// The oldest proposal has its round trip: committed if a majority is
    /// still up under the leader that proposed it.
    fn commit(&mut self, ctx: &mut Ctx) {
        let Some(p) = self.proposals.pop_front() else { return };
        let now = ctx.now();
        match p {
            Proposal::Create { session, path, ephemeral, data } => {
                let zpath = ZPath::of(&path);
                let alive = self.sessions.get(&session).is_some_and(|s| !s.closing);
                if !alive {
                    return;
                }
                if self.tree.contains_key(&path) {
                    return self.reply(ctx, session, ZkOp::Failed { path: zpath, why: ZkError::NodeExists });
                }
                if !self.tree.contains_key(zk::parent(&path)) {
                    return self.reply(ctx, session, ZkOp::Failed { path: zpath, why: ZkError::NoNode });
                }
                self.zxid += 1;
                self.committed += 1;
                let owner = ephemeral.then_some(session);
                self.tree.insert(path.clone(), Znode { data, owner, czxid: self.zxid, next_child: 0 });
                self.reply(ctx, session, ZkOp::Created { path: zpath });
                self.fire(ctx, &path, ZkEvent::Created);
            }
            Proposal::Close { session } => {
                self.zxid += 1;
                self.committed += 1;
                self.expired += 1;
                let owned: Vec<String> =
                    self.tree.iter().filter(|(_, z)| z.owner == Some(session)).map(|(k, _)| k.clone()).collect();
                let holder = self.sessions.get(&session).map(|s| self.holder(s)).unwrap_or_default();
                // Its watches go with it (it is told nothing more).
                for list in self.data_watches.values_mut().chain(self.child_watches.values_mut()) {
                    list.retain(|w| w.session != session);
                }
                let before = self.notifications;
                for path in &owned {
                    self.tree.remove(path);
                    self.fire(ctx, path, ZkEvent::Deleted);
                }
                self.reply(ctx, session, ZkOp::Expired);
                self.sessions.remove(&session);
                let fired = self.notifications - before;
                let gone = if owned.is_empty() { "no znodes".to_string() } else { owned.join(", ") };
                self.tell(
                    now,
                    format!(
                        "session {session} of {holder} expired: deleted {gone}; {fired} watch notification(s) sent"
                    ),
                    !owned.is_empty(),
                );
            }
        }
    }

    /// Fires the one-shot watches a change of `path` triggers.
    fn fire(&mut self, ctx: &mut Ctx, path: &str, event: ZkEvent) {
        let zpath = ZPath::of(path);
        let parent = zk::parent(path).to_string();
        let zparent = ZPath::new(&parent).expect("a parent is shorter");
        let mut out: Vec<(u32, ZPath, ZkEvent)> = Vec::new();
        out.extend(self.data_watches.remove(path).unwrap_or_default().into_iter().map(|w| (w.session, zpath, event)));
        if event == ZkEvent::Deleted {
            out.extend(
                self.child_watches.remove(path).unwrap_or_default().into_iter().map(|w| (w.session, zpath, event)),
            );
        }
        if path != "/" {
            out.extend(
                self.child_watches
                    .remove(&parent)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|w| (w.session, zparent, ZkEvent::ChildrenChanged)),
            );
        }
        for (session, path, event) in out {
            self.notifications += 1;
            self.reply(ctx, session, ZkOp::Event { path, event });
        }
    }

    // ---- time ----

    fn tick(&mut self, ctx: &mut Ctx) {
        let now = ctx.now();
        ctx.set_timer(self.tick_ns, T_TICK, 0);
        if self.leader.is_none() {
            return;
        }
        let due: Vec<u32> =
            self.sessions.iter().filter(|(_, s)| !s.closing && s.expires <= now).map(|(&id, _)| id).collect();
        for id in due {
            if let Some(s) = self.sessions.get_mut(&id) {
                s.closing = true;
            }
            self.propose(ctx, Proposal::Close { session: id });
        }
    }

    /// Who leads now, after a server came or went.
    fn reconsider(&mut self, ctx: &mut Ctx) {
        let now = ctx.now();
        let (up, need) = (self.servers_up(), self.majority());
        let leader_up = self.leader.is_some_and(|l| self.up[l as usize]);
        if leader_up && up >= need {
            return;
        }
        if self.leader.take().is_some() || self.electing {
            self.void_proposals(ctx);
        }
        self.leadership = self.leadership.wrapping_add(1);
        if up >= need {
            self.electing = true;
            ctx.set_timer(self.tick_ns, T_LEADER, self.leadership);
            self.tell(now, format!("{up} of {} servers up: electing a new leader", self.up.len()), true);
        } else {
            self.electing = false;
            self.tell(
                now,
                format!(
                    "{up} of {} servers up, {need} needed: no quorum; no session is renewed, no write commits",
                    self.up.len()
                ),
                true,
            );
        }
    }

    fn void_proposals(&mut self, ctx: &mut Ctx) {
        for p in std::mem::take(&mut self.proposals) {
            match p {
                Proposal::Create { session, path, .. } => {
                    self.not_committed += 1;
                    let path = ZPath::of(&path);
                    self.reply(ctx, session, ZkOp::Failed { path, why: ZkError::NoQuorum });
                }
                Proposal::Close { session } => {
                    if let Some(s) = self.sessions.get_mut(&session) {
                        s.closing = false;
                    }
                }
            }
        }
    }

    fn lead(&mut self, ctx: &mut Ctx) {
        let now = ctx.now();
        self.electing = false;
        self.leader = (0..self.up.len() as u32).rev().find(|&i| self.up[i as usize]);
        self.leader_elections += 1;
        // A new leader gives every session its whole timeout again.
        let expires = self.next_tick_after(now + self.timeout_ns);
        for s in self.sessions.values_mut() {
            s.expires = expires;
        }
        let name = self.leader.map_or_else(String::new, member_name);
        self.tell(now, format!("{name} leads the ensemble; sessions get a fresh timeout"), false);
    }
}

impl Node for Ensemble {
    fn start(&mut self, ctx: &mut Ctx) {
        ctx.set_timer(self.tick_ns, T_TICK, 0);
    }

    fn on_message(&mut self, ctx: &mut Ctx, from: NodeIdx, payload: Payload) {
        self.clock = ctx.now();
        match payload.typed::<ZkMsg>() {
            Delivery::Msg(m) => self.call(ctx, from, m),
            Delivery::Timer { tag: T_TICK, .. } => self.tick(ctx),
            Delivery::Timer { tag: T_COMMIT, slot } if slot == self.leadership && self.leader.is_some() => {
                self.commit(ctx)
            }
            Delivery::Timer { tag: T_LEADER, slot } if slot == self.leadership && self.electing => self.lead(ctx),
            _ => {}
        }
    }

    fn on_fail(&mut self, ctx: &mut Ctx) {
        // Every server down; the tree and the sessions are on their disks.
        self.up.iter_mut().for_each(|u| *u = false);
        self.reconsider(ctx);
    }

    fn on_recover(&mut self, ctx: &mut Ctx) {
        self.up.iter_mut().for_each(|u| *u = true);
        ctx.set_timer(self.tick_ns, T_TICK, 0);
        self.reconsider(ctx);
    }

    fn on_part(&mut self, ctx: &mut Ctx, part: u32, up: bool) {
        let Some(u) = self.up.get_mut(part as usize) else { return };
        if *u == up {
            return;
        }
        *u = up;
        self.tell(ctx.now(), format!("{} {}", member_name(part), if up { "is back" } else { "died" }), !up);
        self.reconsider(ctx);
    }

    fn view(&self) -> NodeView {
        let now = self.clock;
        let watches = |path: &str| {
            self.data_watches.get(path).map_or(0, Vec::len) + self.child_watches.get(path).map_or(0, Vec::len)
        };
        let sessions: Vec<SessionState> = self
            .sessions
            .iter()
            .map(|(&id, s)| SessionState {
                id,
                holder: self.holder(s),
                expires_in_ms: ns_to_ms(s.expires) - ns_to_ms(now),
                closing: s.closing,
            })
            .collect();
        let tree: Vec<ZnodeState> = self
            .tree
            .iter()
            .map(|(path, z)| ZnodeState {
                path: path.clone(),
                data: z.data,
                owner: z.owner.and_then(|o| self.sessions.get(&o)).map(|s| self.holder(s)),
                czxid: z.czxid,
                watches: watches(path),
            })
            .collect();
        let leader = self.leader.map(member_name);
        NodeView {
            kind: "coordinator_ensemble",
            figures: vec![
                ("Servers up", f64::from(self.servers_up())),
                ("Majority", f64::from(self.majority())),
                ("Sessions", self.sessions.len() as f64),
                ("Sessions expired", self.expired as f64),
                ("Watch notifications", self.notifications as f64),
                ("Writes committed", self.committed as f64),
                ("Writes not committed", self.not_committed as f64),
            ],
            parts: self.up.iter().map(|&u| PartState::of(true, u)).collect(),
            stories: self.stories.lines(),
            own: Some(OwnPart::new(EnsembleView {
                servers: (0..self.up.len() as u32)
                    .map(|i| ServerState {
                        name: member_name(i),
                        up: self.up[i as usize],
                        leader: self.leader == Some(i),
                    })
                    .collect(),
                leader,
                up: self.servers_up(),
                majority: self.majority(),
                electing: self.electing,
                sessions,
                tree,
                notifications: self.notifications,
            })),
            ..Default::default()
        }
    }

    fn sample(&mut self, _now: SimTime) -> NodeSample {
        NodeSample {
            utilisation: 0.0,
            queue_len: self.proposals.len() as u64,
            completed: 0,
            dropped: 0,
            latency_ms: Default::default(),
            hit_ratio: None,
        }
    }

    fn summary(&self, _now: SimTime, _topo: &Topology) -> NodeSummary {
        NodeSummary {
            kind: "coordinator_ensemble",
            own: Some(OwnSummary::new(
                "ensemble",
                EnsembleSummary {
                    servers: self.up.len() as u32,
                    servers_up: self.servers_up(),
                    majority: self.majority(),
                    leader: self.leader.map(member_name),
                    leader_elections: self.leader_elections,
                    sessions_opened: self.sessions_opened,
                    heartbeats: self.heartbeats,
                    sessions_expired: self.expired,
                    writes_committed: self.committed,
                    writes_not_committed: self.not_committed,
                    watch_notifications: self.notifications,
                    znodes: self.tree.len(),
                },
            )),
            ..Default::default()
        }
    }
}
