//! `chat_server`: a WebSocket gateway (it holds sockets) or an HTTP app
//! server (it answers polls and holds long polls), by its users' mode.
//!
//! ```text
//!   phone's request ─► a core (its CPU cost) ─► CONNECT: hold the socket; register; ONLINE to contacts; take the inbox
//!                                             ├► SEND: persist at the store ─► "sent ✓" ─► announce to each recipient
//!                                             ├► POLL: take the inbox ─► answer, or hold it (long polling)
//!                                             ├► HEARTBEAT / CLOSE / RECEIVED / ACK / READ
//!   announce(r) ─► held here? push : registry lookup ─► here: push · elsewhere: pub/sub · nowhere: the inbox keeps it
//!   sweep ─► sockets silent for presence_timeout are closed: OFFLINE to contacts
//! ```
//! What it pushes is an answer sent back along the phone's connect (or
//! held poll), so it crosses the balancer.

use std::collections::BTreeMap;

use super::people::People;
use super::spec::{ChatServerSpec, Mode, ServerParams};
use super::wire::{Frame, Kind, Reach, To, frame, kind};
use crate::families::web_tier::station::{Admit, Station};
use crate::sim::engine::{Ctx, Node, NodeSummary, NodeView, Op, OwnPart, Payload, Request, Status};
use crate::sim::family::Figure;
use crate::sim::kind::NodeSpec;
use crate::sim::metrics::NodeSample;
use crate::sim::time::{SimTime, ms_to_ns};
use crate::sim::validate::{Change, LinkIdx, NodeIdx, Problems, Topology, limits, parse_as};

const T_CPU: u32 = 0;
const T_SWEEP: u32 = 1;
const T_HOLD: u32 = 2;

pub fn validate(s: &ChatServerSpec, path: &str, p: &mut Problems) {
    p.range_u64(path, "workers", u64::from(s.workers), 1, u64::from(limits::MAX_WORKERS));
    p.range_u64(path, "queue_capacity", s.queue_capacity, 0, limits::MAX_QUEUE_CAPACITY);
    p.range_u64(path, "max_connections", u64::from(s.max_connections), 1, 10_000_000);
    p.range_f64(path, "memory_per_connection_kb", s.memory_per_connection_kb, 0.0, 1e6);
    for (field, v) in [
        ("cpu_per_frame_ms", s.cpu_per_frame_ms),
        ("cpu_per_heartbeat_ms", s.cpu_per_heartbeat_ms),
        ("cpu_per_handshake_ms", s.cpu_per_handshake_ms),
        ("cpu_per_request_ms", s.cpu_per_request_ms),
    ] {
        p.range_f64(path, field, v, 0.0, 10_000.0);
    }
    p.range_f64(path, "presence_timeout_ms", s.presence_timeout_ms, 100.0, 3_600_000.0);
}

/// Its links: one `chat_store`; a `chat_registry` and a `chat_pubsub`, both or neither.
pub fn validate_links(s: &ChatServerSpec, path: &str, out: &[&NodeSpec], p: &mut Problems) {
    let count = |k: &str| out.iter().filter(|t| t.kind_name() == k).count();
    for t in out {
        if !matches!(t.kind_name(), "chat_store" | "chat_registry" | "chat_pubsub") {
            p.add(
                path,
                format!(
                    "chat_server `{}` links to the {} `{}`; it speaks only to a chat_store, a chat_registry and a chat_pubsub",
                    s.id,
                    t.kind_name(),
                    t.id()
                ),
            );
        }
    }
    for k in ["chat_store", "chat_registry", "chat_pubsub"] {
        if count(k) > 1 {
            p.add(path, format!("chat_server `{}` links to {} {k} nodes; link it to one", s.id, count(k)));
        }
    }
    if count("chat_store") == 0 {
        p.add(
            path,
            format!("chat_server `{}` needs a link to a chat_store (where messages and inboxes are kept)", s.id),
        );
    }
    if count("chat_registry") != count("chat_pubsub") {
        p.add(
            path,
            format!(
                "chat_server `{}` links to a {} but no {}: a server finds where a user is held in the registry and reaches that server through pub/sub, so it needs both",
                s.id,
                if count("chat_registry") > 0 { "chat_registry" } else { "chat_pubsub" },
                if count("chat_registry") > 0 { "chat_pubsub" } else { "chat_registry" },
            ),
        );
    }
}

/// Scenario-wide: with users that stay reachable (WebSocket, long polling)
/// and more than one server, a server without a registry could not find a
/// recipient held by another.
pub fn validate_in(s: &ChatServerSpec, path: &str, nodes: &[NodeSpec], out: &[&NodeSpec], p: &mut Problems) {
    let servers = nodes.iter().filter(|n| n.kind_name() == "chat_server").count();
    let (_, mode) = People::find(nodes);
    if let Mode::Websocket { heartbeat_ms } = mode
        && s.presence_timeout_ms <= heartbeat_ms
    {
        p.add(
            format!("{path}.presence_timeout_ms"),
            format!(
                "must be longer than the phones' heartbeat ({heartbeat_ms} ms), or every socket is closed before its next ping (got {})",
                s.presence_timeout_ms
            ),
        );
    }
    let pushes = !matches!(mode, Mode::ShortPolling { .. });
    if servers > 1 && pushes && !out.iter().any(|t| t.kind_name() == "chat_registry") {
        p.add(
            path,
            format!(
                "chat_server `{}` has no chat_registry: with {} users and {servers} servers, a message for a user held by another server could not be found; link every chat_server to one chat_registry and one chat_pubsub",
                s.id,
                mode.name()
            ),
        );
    }
}

pub fn check_params(params: &serde_json::Value, path: &str, p: &mut Problems) {
    let Some(u) = parse_as::<ServerParams>(params.clone(), path, p) else { return };
    if u == ServerParams::default() {
        p.add(path, "needs at least one of `max_connections`, `presence_timeout_ms`, `registry_reachable`");
    }
    if let Some(v) = u.max_connections {
        p.range_u64(path, "max_connections", u64::from(v), 1, 10_000_000);
    }
    if let Some(v) = u.presence_timeout_ms {
        p.range_f64(path, "presence_timeout_ms", v, 100.0, 3_600_000.0);
    }
}

/// What a server holds for a phone: its socket, or its held poll.
#[derive(Clone, Copy, Debug)]
struct Channel {
    /// The phone's connect or poll: what pushes are answered along.
    req: Request,
    held: bool,
    last_heard: SimTime,
    gen_: u32,
}

#[derive(Clone, Debug, Default)]
struct Counts {
    pushed: u64,
    refused_full: u64,
    timed_out: u64,
    lookups: u64,
    published: u64,
    broadcast: u64,
    inboxed: u64,
    handshakes: u64,
    frames: u64,
    requests: u64,
    heartbeats: u64,
    held: u64,
    push_dropped: u64,
}

#[derive(Clone, Debug)]
pub struct Server {
    idx: NodeIdx,
    spec: ChatServerSpec,
    st: Station,
    /// Jobs on the cores, by slot.
    jobs: Vec<Option<Request>>,
    free: Vec<u32>,
    store: Option<LinkIdx>,
    registry: Option<LinkIdx>,
    /// The registry's node (its answers come from it).
    registry_node: Option<NodeIdx>,
    pubsub: Option<(LinkIdx, NodeIdx)>,
    /// The other servers on the same pub/sub (for a broadcast).
    peers: Vec<NodeIdx>,
    registry_reachable: bool,
    people: People,
    mode: Mode,
    channels: BTreeMap<u32, Channel>,
    gen_: u32,
    c: Counts,
}

impl Server {
    pub fn new(s: &ChatServerSpec, idx: NodeIdx, topo: &Topology, nodes: &[NodeSpec]) -> Self {
        let mut store = None;
        let mut registry = None;
        let mut registry_node = None;
        let mut pubsub = None;
        for &l in &topo.out_links[idx as usize] {
            let to = topo.links[l as usize].to;
            match nodes[to as usize].kind_name() {
                "chat_store" => store = Some(l),
                "chat_registry" => {
                    registry = Some(l);
                    registry_node = Some(to);
                }
                "chat_pubsub" => pubsub = Some((l, to)),
                _ => {}
            }
        }
        let peers = match pubsub {
            Some((_, ps)) => topo
                .links
                .iter()
                .filter(|l| l.to == ps && l.from != idx && nodes[l.from as usize].kind_name() == "chat_server")
                .map(|l| l.from)
                .collect(),
            None => Vec::new(),
        };
        let (people, mode) = People::find(nodes);
        Server {
            idx,
            spec: s.clone(),
            st: Station::new(s.workers, s.queue_capacity, None),
            jobs: Vec::new(),
            free: Vec::new(),
            store,
            registry,
            registry_node,
            pubsub,
            peers,
            registry_reachable: true,
            people,
            mode,
            channels: BTreeMap::new(),
            gen_: 0,
            c: Counts::default(),
        }
    }

    fn ws(&self) -> bool {
        self.mode.is_websocket()
    }

    /// The phones' mode, as their latest request to this server shows it
    /// (they may switch live): a socket's frames, a long poll (with how
    /// long it may be held) or a short one.
    fn learn(&mut self, req: &Request) {
        let Some(f) = frame(req) else { return };
        self.mode = match f.kind {
            Kind::Connect | Kind::Heartbeat => Mode::Websocket { heartbeat_ms: 0.0 },
            Kind::Poll => match f.hold_ms() {
                0 => Mode::ShortPolling { interval_ms: 0.0 },
                hold => Mode::LongPolling { hold_ms: f64::from(hold) },
            },
            _ => return,
        };
    }

    /// A job's CPU time: by what it is, and whether it came as a frame or
    /// an HTTP request. Pushes are marked with `hit` while queued here.
    fn cost_ms(&self, job: &Request) -> f64 {
        if job.hit {
            return self.spec.cpu_per_frame_ms;
        }
        match kind(job) {
            Some(Kind::Connect) => self.spec.cpu_per_handshake_ms,
            Some(Kind::Heartbeat) => self.spec.cpu_per_heartbeat_ms,
            _ if self.ws() => self.spec.cpu_per_frame_ms,
            _ => self.spec.cpu_per_request_ms,
        }
    }

    fn admit(&mut self, ctx: &mut Ctx, job: Request) {
        self.st.integrate(ctx.now());
        match self.st.admit(ctx.now(), job) {
            Admit::Start(job) => self.start(ctx, job),
            Admit::Queued => {}
            Admit::Dropped(job) => self.refuse(ctx, job, Status::Dropped),
        }
    }

    fn refuse(&mut self, ctx: &mut Ctx, job: Request, status: Status) {
        if job.hit {
            // A push that found no core: the inbox still has it (a message),
            // or it is lost (a receipt or a presence change).
            self.c.push_dropped += 1;
        } else {
            ctx.reply(job, status);
        }
    }

    fn start(&mut self, ctx: &mut Ctx, job: Request) {
        let slot = self.free.pop().unwrap_or_else(|| {
            self.jobs.push(None);
            (self.jobs.len() - 1) as u32
        });
        let t = ms_to_ns(self.cost_ms(&job));
        self.jobs[slot as usize] = Some(job);
        ctx.set_timer(t, T_CPU, slot);
    }

    fn job_done(&mut self, ctx: &mut Ctx, slot: u32) {
        self.st.integrate(ctx.now());
        let Some(job) = self.jobs.get_mut(slot as usize).and_then(Option::take) else { return };
        self.free.push(slot);
        self.st.free_worker();
        self.st.record_done(ctx.now(), &job);
        if job.hit {
            self.push_local(ctx, job);
        } else {
            self.serve(ctx, job);
        }
        self.start_waiting(ctx);
    }

    /// Starts waiting jobs while cores are idle.
    fn start_waiting(&mut self, ctx: &mut Ctx) {
        while let Some(next) = self.st.next(ctx.now()) {
            match next {
                Ok(job) => self.start(ctx, job),
                Err(late) => self.refuse(ctx, late, Status::TimedOut),
            }
        }
    }

    /// A request from a phone, after its CPU time.
    fn serve(&mut self, ctx: &mut Ctx, req: Request) {
        let u = req.client_id;
        let now = ctx.now();
        let Some(f) = frame(&req) else { return ctx.reply(req, Status::Refused) };
        match f.kind {
            Kind::Connect => {
                self.c.handshakes += 1;
                if self.channels.len() >= self.spec.max_connections as usize && !self.channels.contains_key(&u) {
                    self.c.refused_full += 1;
                    ctx.reply(req, Status::Dropped);
                    return;
                }
                self.gen_ = self.gen_.wrapping_add(1);
                self.channels.insert(u, Channel { req, held: false, last_heard: now, gen_: self.gen_ });
                // The acknowledgement says which server holds the socket.
                let mut ack = req;
                ack.key = 0;
                ack.set_note(f.reaching(Reach::Found, self.idx));
                ctx.reply(ack, Status::Ok);
                self.register(ctx, u, Kind::Register);
                self.presence(ctx, u, Kind::Online);
                if let Some(link) = self.store {
                    let take = self.internal(Frame::bare(Kind::Take), u, ctx.new_request_id(), now);
                    ctx.send_request(link, take);
                }
            }
            Kind::Heartbeat => {
                self.c.heartbeats += 1;
                let mut pong = req;
                pong.hit = match self.channels.get_mut(&u) {
                    Some(ch) if !ch.held => {
                        ch.last_heard = now;
                        true
                    }
                    _ => false,
                };
                ctx.reply(pong, Status::Ok);
            }
            Kind::Close => {
                self.count_frame();
                if self.channels.get(&u).is_some_and(|ch| !ch.held) {
                    self.close(ctx, u);
                }
                ctx.reply(req, Status::Ok);
            }
            Kind::Send | Kind::Poll => {
                self.count_frame();
                match self.store {
                    Some(link) => ctx.send_request(link, req),
                    None => ctx.reply(req, Status::Refused),
                }
            }
            Kind::Received | Kind::Ack => {
                self.count_frame();
                ctx.reply(req, Status::Ok);
                if self.ws()
                    && let Some(link) = self.store
                {
                    let remove = self.internal(Frame::bare(Kind::Remove), u, req.id, req.created_ns);
                    ctx.send_request(link, remove);
                }
                // The sender's delivered receipt.
                if f.kind == Kind::Received
                    && let Some(sender) = f.user()
                {
                    let d = self.internal(Frame::new(Kind::Delivered, To::User(u)), sender, req.id, req.created_ns);
                    self.deliver(ctx, d);
                }
            }
            Kind::Read => {
                self.count_frame();
                ctx.reply(req, Status::Ok);
                if let Some(sender) = f.user() {
                    let d = self.internal(Frame::new(Kind::Seen, To::User(u)), sender, req.id, req.created_ns);
                    self.deliver(ctx, d);
                }
            }
            _ => ctx.reply(req, Status::Refused),
        }
    }

    fn count_frame(&mut self) {
        if self.ws() {
            self.c.frames += 1;
        } else {
            self.c.requests += 1;
        }
    }

    /// A request of the server's own, for user `u`.
    fn internal(&self, frame: Frame, u: u32, id: u64, created: SimTime) -> Request {
        let mut r = Request::new(id, u, 0, created);
        r.set_note(frame);
        r.op = if frame.kind == Kind::Msg { Op::Write } else { Op::Read };
        r
    }

    /// Registers (or unregisters) user `u` here.
    fn register(&mut self, ctx: &mut Ctx, u: u32, kind: Kind) {
        if let Some(link) = self.registry
            && self.registry_reachable
        {
            let frame = Frame::bare(kind).reaching(Reach::Found, self.idx);
            let r = self.internal(frame, u, ctx.new_request_id(), ctx.now());
            ctx.send_request(link, r);
        }
    }

    /// Tells `u`'s contacts that `u` came online or went offline.
    fn presence(&mut self, ctx: &mut Ctx, u: u32, kind: Kind) {
        // Presence comes from sockets (a poll says nothing of whether its
        // phone is still there). Without a registry only contacts held
        // here are told.
        if !self.ws() {
            return;
        }
        for i in 0..self.people.contacts {
            let r = self.people.contact(u, i);
            let d = self.internal(Frame::new(kind, To::User(u)), r, ctx.new_request_id(), ctx.now());
            self.deliver(ctx, d);
        }
    }

    fn close(&mut self, ctx: &mut Ctx, u: u32) {
        if self.channels.remove(&u).is_some() {
            self.register(ctx, u, Kind::Unregister);
            self.presence(ctx, u, Kind::Offline);
        }
    }

    /// Gets deliverable `d` (for user `d.client_id`) to its phone: here,
    /// through the registry and pub/sub, or (kept kinds) into the inbox.
    fn deliver(&mut self, ctx: &mut Ctx, mut d: Request) {
        let r = d.client_id;
        if self.channels.contains_key(&r) {
            d.hit = true;
            self.admit(ctx, d);
        } else if matches!(self.mode, Mode::ShortPolling { .. }) {
            // Nobody is held anywhere: the phone's next poll finds it.
            self.inbox(ctx, d);
        } else if let Some(link) = self.registry
            && self.registry_reachable
        {
            self.c.lookups += 1;
            ctx.send_request(link, d);
        } else if let Some((link, _)) = self.pubsub {
            // No registry to ask: every other server gets it.
            self.c.broadcast += 1;
            let f = frame(&d);
            for i in 0..self.peers.len() {
                let mut copy = d;
                if let Some(f) = f {
                    copy.set_note(f.reaching(Reach::Broadcast, self.peers[i]));
                }
                self.c.published += 1;
                ctx.send_request(link, copy);
            }
        } else {
            self.inbox(ctx, d);
        }
    }

    /// Keeps a receipt for a phone that is away (a message is in the inbox
    /// already, from when it was stored; a presence change is not kept).
    fn inbox(&mut self, ctx: &mut Ctx, d: Request) {
        let Some(f) = frame(&d) else { return };
        if f.kind.is_kept()
            && f.kind != Kind::Msg
            && let Some(link) = self.store
        {
            self.c.inboxed += 1;
            // A fresh request (the store answers nobody).
            let fresh = self.internal(f.reaching(Reach::Unknown, 0), d.client_id, d.id, d.created_ns);
            ctx.send_request(link, fresh);
        }
    }

    /// Pushes `d` to its phone if held here (after its CPU time).
    fn push_local(&mut self, ctx: &mut Ctx, mut d: Request) {
        let r = d.client_id;
        d.hit = false;
        let f = frame(&d);
        let Some(ch) = self.channels.get(&r).copied() else {
            if f.is_none_or(|f| f.reach != Reach::Broadcast) {
                self.inbox(ctx, d);
            }
            return;
        };
        let mut out = ch.req;
        out.id = d.id;
        // What it is and whom it is about; where it was found stays here.
        if let Some(f) = f {
            out.set_note(f.reaching(Reach::Unknown, 0));
        }
        out.key = d.key;
        out.created_ns = d.created_ns;
        out.hit = false;
        out.op = d.op;
        self.c.pushed += 1;
        ctx.reply(out, Status::Ok);
        if ch.held {
            // The long poll's answer ends with its count; the server
            // acknowledges the message for the phone.
            let mut end = ch.req;
            end.key = 1;
            ctx.reply(end, Status::Ok);
            self.channels.remove(&r);
            self.register(ctx, r, Kind::Unregister);
            if f.is_some_and(|f| f.kind == Kind::Msg)
                && let Some(link) = self.store
            {
                let remove = self.internal(Frame::bare(Kind::Remove), r, d.id, d.created_ns);
                ctx.send_request(link, remove);
            }
        }
    }

    fn on_response(&mut self, ctx: &mut Ctx, from: NodeIdx, resp: Request) {
        let Some(f) = frame(&resp) else { return };
        let ok = resp.status == Status::Ok;
        match f.kind {
            Kind::Send => {
                ctx.forward_response(resp);
                if ok {
                    self.announce(ctx, resp);
                }
            }
            Kind::Poll => {
                let u = resp.client_id;
                // A long poll that found nothing waits (for as long as it said).
                let hold_ms = f64::from(f.hold_ms());
                let hold = (ok && resp.key == 0 && hold_ms > 0.0).then_some(hold_ms);
                match hold {
                    Some(hold_ms)
                        if self.channels.len() < self.spec.max_connections as usize
                            || self.channels.contains_key(&u) =>
                    {
                        self.gen_ = self.gen_.wrapping_add(1);
                        self.channels
                            .insert(u, Channel { req: resp, held: true, last_heard: ctx.now(), gen_: self.gen_ });
                        self.c.held += 1;
                        self.register(ctx, u, Kind::Register);
                        ctx.set_timer(ms_to_ns(hold_ms).max(1), T_HOLD | (self.gen_ << 2), u);
                    }
                    Some(_) => {
                        // No room to hold it: refused (503), as a connect would be.
                        self.c.refused_full += 1;
                        let mut full = resp;
                        full.status = Status::Dropped;
                        ctx.forward_response(full);
                    }
                    None => ctx.forward_response(resp),
                }
            }
            Kind::Take => {}
            kind if kind.is_push() => {
                if resp.n_hops() > 0 {
                    // An item of a poll's answer, on its way to the phone.
                    ctx.forward_response(resp);
                } else if self.registry_node == Some(from) {
                    self.routed(ctx, resp);
                } else if self.pubsub.is_some_and(|(_, ps)| ps == from) {
                    // Pub/sub could not reach the holder (it is down).
                    self.inbox(ctx, resp);
                } else if ok {
                    // An item of the inbox taken for a socket that opened.
                    let mut d = resp;
                    d.hit = true;
                    d.status = Status::Pending;
                    self.admit(ctx, d);
                }
            }
            _ => {}
        }
    }

    /// The registry's answer to a lookup.
    fn routed(&mut self, ctx: &mut Ctx, mut d: Request) {
        let f = frame(&d);
        let found = d.status == Status::Ok && f.is_some_and(|f| f.reach != Reach::Unknown);
        let target = f.map_or(0, |f| f.server());
        d.status = Status::Pending;
        if !found {
            self.inbox(ctx, d);
        } else if target == self.idx {
            d.hit = true;
            self.admit(ctx, d);
        } else if let Some((link, _)) = self.pubsub {
            self.c.published += 1;
            let mut p = Request::new(d.id, d.client_id, d.key, d.created_ns);
            p.note = d.note;
            p.op = d.op;
            ctx.send_request(link, p);
        } else {
            self.inbox(ctx, d);
        }
    }

    /// A message is stored: each recipient's phone is told.
    fn announce(&mut self, ctx: &mut Ctx, stored: Request) {
        let from = stored.client_id;
        let Some(to) = frame(&stored).and_then(|f| f.to()) else { return };
        let seq = stored.key;
        let recipients: Vec<(u32, To)> = self.people.recipients(from, to).collect();
        for (r, conv) in recipients {
            let polled = matches!(self.mode, Mode::ShortPolling { .. });
            if (self.registry.is_none() || polled) && !self.channels.contains_key(&r) {
                // Without a registry only a phone held here can be told;
                // the others' polls find it in their inboxes.
                continue;
            }
            let mut d = self.internal(Frame::new(Kind::Msg, conv), r, stored.id, stored.created_ns);
            d.key = seq;
            self.deliver(ctx, d);
        }
    }

    fn sweep(&mut self, ctx: &mut Ctx) {
        let now = ctx.now();
        let timeout = ms_to_ns(self.spec.presence_timeout_ms);
        let silent: Vec<u32> = self
            .channels
            .iter()
            .filter(|(_, ch)| !ch.held && now.saturating_sub(ch.last_heard) > timeout)
            .map(|(&u, _)| u)
            .collect();
        for u in silent {
            self.c.timed_out += 1;
            self.close(ctx, u);
        }
        self.schedule_sweep(ctx);
    }

    /// Every quarter of the timeout, whatever the mode (phones may switch
    /// to sockets live, and sockets outlive a switch away from them).
    fn schedule_sweep(&self, ctx: &mut Ctx) {
        ctx.set_timer((ms_to_ns(self.spec.presence_timeout_ms) / 4).max(1), T_SWEEP, 0);
    }

    fn figures(&self) -> Vec<(&'static str, f64)> {
        let open = self.channels.values().filter(|c| !c.held).count();
        let held = self.channels.len() - open;
        vec![
            ("Open sockets", open as f64),
            ("Held polls", held as f64),
            ("Memory MB", self.channels.len() as f64 * self.spec.memory_per_connection_kb / 1024.0),
            ("Max connections", f64::from(self.spec.max_connections)),
            ("Handshakes", self.c.handshakes as f64),
            ("Refused: full", self.c.refused_full as f64),
            ("Sockets timed out", self.c.timed_out as f64),
            ("Frames", self.c.frames as f64),
            ("HTTP requests", self.c.requests as f64),
            ("Heartbeats", self.c.heartbeats as f64),
            ("Pushed", self.c.pushed as f64),
            ("Registry lookups", self.c.lookups as f64),
            ("Published", self.c.published as f64),
            ("Broadcasts (no registry)", self.c.broadcast as f64),
            ("Receipts kept in inboxes", self.c.inboxed as f64),
            ("Pushes dropped", self.c.push_dropped as f64),
            ("Registry reachable", if self.registry_reachable { 1.0 } else { 0.0 }),
        ]
    }
}

impl Node for Server {
    fn start(&mut self, ctx: &mut Ctx) {
        self.schedule_sweep(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx, from: NodeIdx, payload: Payload) {
        match payload {
            Payload::Request(req) => {
                if self.pubsub.is_some_and(|(_, ps)| ps == from) {
                    // From another server, for a phone held here.
                    let mut d = req;
                    d.hit = true;
                    self.admit(ctx, d);
                } else {
                    let mut job = req;
                    job.hit = false;
                    self.learn(&job);
                    self.admit(ctx, job);
                }
            }
            Payload::Response(resp) => self.on_response(ctx, from, resp),
            Payload::Timer { tag: T_CPU, slot } => self.job_done(ctx, slot),
            Payload::Timer { tag: T_SWEEP, .. } => self.sweep(ctx),
            Payload::Timer { tag, slot } if tag & 3 == T_HOLD => {
                if let Some(ch) = self.channels.get(&slot).copied()
                    && ch.held
                    && ch.gen_ << 2 == tag & !3
                {
                    let mut end = ch.req;
                    end.key = 0;
                    ctx.reply(end, Status::Ok);
                    self.channels.remove(&slot);
                    self.register(ctx, slot, Kind::Unregister);
                }
            }
            _ => {}
        }
    }

    fn on_fail(&mut self, ctx: &mut Ctx) {
        self.st.integrate(ctx.now());
        let mut lost: Vec<Request> = self.jobs.iter_mut().filter_map(Option::take).collect();
        lost.extend(self.st.drain());
        self.free = (0..self.jobs.len() as u32).rev().collect();
        for job in lost {
            self.st.reset += 1;
            if !job.hit {
                ctx.reply(job, Status::Reset);
            }
        }
        // Sockets and held polls die with the process: its OS resets them,
        // so every phone sees it at once. The registry still names this
        // server for their users until they register elsewhere.
        for ch in std::mem::take(&mut self.channels).into_values() {
            ctx.reply(ch.req, Status::Reset);
        }
    }

    fn on_recover(&mut self, ctx: &mut Ctx) {
        self.schedule_sweep(ctx);
    }

    fn set(&mut self, ctx: &mut Ctx, change: &Change) {
        if let Some(w) = change.workers {
            self.st.integrate(ctx.now());
            self.st.workers = w;
            self.start_waiting(ctx);
            self.spec.workers = w;
        }
        if let Some(u) = change.params.as_ref().and_then(crate::sim::validate::read_as::<ServerParams>) {
            if let Some(v) = u.max_connections {
                self.spec.max_connections = v;
            }
            if let Some(v) = u.presence_timeout_ms {
                self.spec.presence_timeout_ms = v;
            }
            if let Some(v) = u.registry_reachable {
                self.registry_reachable = v;
            }
        }
    }

    fn view(&self) -> NodeView {
        let mut v = self.st.view("chat_server");
        v.params = Some(OwnPart::new(self.spec.clone()));
        v.figures = self.figures();
        v
    }

    fn sample(&mut self, now: SimTime) -> NodeSample {
        self.st.sample(now)
    }

    fn summary(&self, now: SimTime, _topo: &Topology) -> NodeSummary {
        let mut s = self.st.summary("chat_server", now);
        let c = &self.c;
        s.figures = crate::sim::family::figures(&[
            ("open_sockets", Figure::Count(self.channels.values().filter(|c| !c.held).count() as u64)),
            ("handshakes", Figure::Count(c.handshakes)),
            ("refused_full", Figure::Count(c.refused_full)),
            ("sockets_timed_out", Figure::Count(c.timed_out)),
            ("frames", Figure::Count(c.frames)),
            ("http_requests", Figure::Count(c.requests)),
            ("heartbeats", Figure::Count(c.heartbeats)),
            ("pushed", Figure::Count(c.pushed)),
            ("polls_held", Figure::Count(c.held)),
            ("registry_lookups", Figure::Count(c.lookups)),
            ("published", Figure::Count(c.published)),
            ("broadcasts", Figure::Count(c.broadcast)),
            ("receipts_inboxed", Figure::Count(c.inboxed)),
            ("pushes_dropped", Figure::Count(c.push_dropped)),
        ]);
        s
    }
}
