//! `chat_users`: the phones. Each user alternates online and offline
//! periods; online, it sends messages, gets them (by its mode), answers
//! with receipts and, over a WebSocket, pings its server.
//!
//! ```text
//!   toggle timer ─► online:  connect (WebSocket) or poll now; send timer
//!                └► offline: goodbye (a close frame) or, abruptly, nothing
//!   send timer   ─► SEND (to a contact, or its group) ─► "sent ✓" with the sequence
//!   beat timer   ─► heartbeat (WebSocket) or the next poll
//!   a message    ─► deliver (latency, duplicates, order) ─► RECEIVED (ack + ✓✓), or ACK (no receipt)
//!                                                      └► read timer ─► READ
//!   a failure    ─► reconnect: at once, or after a jittered exponential backoff
//! ```
//! In the main counters (as in the messaging families) a "request" is one
//! delivery to a phone that was online all along: the charts' latency runs
//! from send to that phone, and a send that fails counts as one failed
//! request per recipient. Deliveries to phones that were away (they waited
//! in an inbox for minutes) are counted apart, so they do not swamp the
//! percentiles.
//!
//! Bytes on the wire are counted with stated sizes: an HTTP request carries
//! [`HTTP_REQUEST_HEADERS`] bytes of headers and its answer
//! [`HTTP_RESPONSE_HEADERS`]; a WebSocket frame from the phone has a 6-byte
//! header (2, plus the 4-byte mask RFC 6455 requires of clients) and one
//! from the server 2 bytes (payloads under 126 bytes).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use rand::Rng;

use super::people::{MAX_GROUP, MAX_HOLD_MS, MAX_USERS, People};
use super::spec::{ChatUsersSpec, Mode, Reconnect, UsersParams};
use super::wire::{Frame, Kind, To, frame};
use crate::sim::dist::SimRng;
use crate::sim::engine::{Ctx, Node, NodeSummary, NodeView, Op, OwnPart, Payload, Request, Status};
use crate::sim::family::Figure;
use crate::sim::family::Story;
use crate::sim::metrics::{LatencyHist, NodeSample, WindowLatency};
use crate::sim::time::{SimTime, ms_to_ns, per_s};
use crate::sim::validate::{Change, LinkIdx, NodeIdx, Problems, Topology, limits, parse_as};

pub const HTTP_REQUEST_HEADERS: u64 = 400;
pub const HTTP_RESPONSE_HEADERS: u64 = 200;
pub const WS_CLIENT_FRAME: u64 = 6;
pub const WS_SERVER_FRAME: u64 = 2;
/// A receipt's or a presence change's body: ids and a type.
pub const CONTROL_BYTES: u64 = 24;
/// Messages a disconnected phone keeps to send when it is back.
pub const MAX_OUTBOX: usize = 100;
/// Read receipts waiting at once (beyond, reading is not tracked).
const MAX_PENDING_READS: usize = 100_000;
/// Gaps remembered per conversation (older ones are forgotten).
const MAX_GAPS: usize = 64;
/// Stories kept (the newest messages).
const MAX_STORIES: usize = 48;

const T_TOGGLE: u32 = 1;
const T_SEND: u32 = 2;
const T_BEAT: u32 = 3;
const T_RETRY: u32 = 4;
const T_READ: u32 = 5;
const GEN_MASK: u32 = (1 << 28) - 1;

fn timer(kind: u32, gen_: u32) -> u32 {
    (kind << 28) | (gen_ & GEN_MASK)
}

pub fn validate(s: &ChatUsersSpec, path: &str, p: &mut Problems) {
    p.range_u64(path, "users", u64::from(s.users), 2, u64::from(MAX_USERS));
    validate_mode(&s.mode, &format!("{path}.mode"), p);
    p.range_f64(path, "messages_per_hour", s.messages_per_hour, 0.0, 3_600.0);
    p.range_u64(path, "contacts", u64::from(s.contacts), 2, 64);
    if !s.contacts.is_multiple_of(2) {
        p.add(
            format!("{path}.contacts"),
            format!("must be even: half on each side of a user on the ring (got {})", s.contacts),
        );
    }
    if s.contacts >= s.users {
        p.add(
            format!("{path}.contacts"),
            format!("must be fewer than `users` ({}), or someone is their own contact (got {})", s.users, s.contacts),
        );
    }
    if s.group_size != 0 {
        p.range_u64(path, "group_size", u64::from(s.group_size), 2, u64::from(MAX_GROUP.min(s.users)));
    }
    p.range_f64(path, "group_share", s.group_share, 0.0, 1.0);
    if s.group_share > 0.0 && s.group_size == 0 {
        p.add(format!("{path}.group_share"), "is above 0 but `group_size` is 0: set a group size (2 or more)");
    }
    p.positive_f64(path, "online_mean_s", s.online_mean_s, 1e7);
    p.positive_f64(path, "offline_mean_s", s.offline_mean_s, 1e7);
    p.range_f64(path, "abrupt_share", s.abrupt_share, 0.0, 1.0);
    p.range_u64(path, "message_bytes", u64::from(s.message_bytes), 1, 65_535);
    p.positive_f64(path, "read_after_s", s.read_after_s, 86_400.0);
    validate_reconnect(&s.reconnect, &format!("{path}.reconnect"), p);
}

fn validate_mode(m: &Mode, path: &str, p: &mut Problems) {
    match *m {
        Mode::ShortPolling { interval_ms } => p.range_f64(path, "interval_ms", interval_ms, 10.0, 3_600_000.0),
        Mode::LongPolling { hold_ms } => p.range_f64(path, "hold_ms", hold_ms, 100.0, MAX_HOLD_MS),
        Mode::Websocket { heartbeat_ms } => p.range_f64(path, "heartbeat_ms", heartbeat_ms, 100.0, 3_600_000.0),
    }
}

fn validate_reconnect(r: &Reconnect, path: &str, p: &mut Problems) {
    if let Reconnect::Backoff { base_ms, max_ms } = *r {
        p.positive_f64(path, "base_ms", base_ms, 3_600_000.0);
        p.range_f64(path, "max_ms", max_ms, base_ms.max(0.0), 3_600_000.0);
    }
}

/// Checks a `set` entry's `params` for `chat_users`.
pub fn check_params(params: &serde_json::Value, path: &str, p: &mut Problems) {
    let Some(u) = parse_as::<UsersParams>(params.clone(), path, p) else { return };
    if u == UsersParams::default() {
        p.add(path, "needs at least one of `messages_per_hour`, `reconnect`, `mode`, `login_within_s`, `flap_share`");
    }
    if let Some(v) = u.messages_per_hour {
        p.range_f64(path, "messages_per_hour", v, 0.0, 3_600.0);
    }
    if let Some(r) = &u.reconnect {
        validate_reconnect(r, &format!("{path}.reconnect"), p);
    }
    if let Some(m) = &u.mode {
        validate_mode(m, &format!("{path}.mode"), p);
    }
    if let Some(v) = u.login_within_s {
        p.positive_f64(path, "login_within_s", v, 86_400.0);
    }
    if let Some(v) = u.flap_share {
        p.range_f64(path, "flap_share", v, 0.0, 1.0);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Conn {
    /// Offline, or online between polls (polling modes).
    Off,
    Connecting,
    Open,
    /// Waiting to try again.
    Waiting,
}

#[derive(Clone, Debug)]
struct Person {
    online: bool,
    /// Bumped when the user goes online or offline: older timers are void.
    gen_: u32,
    conn: Conn,
    attempts: u32,
    /// When the user last went offline (`SimTime::MAX` while online).
    offline_at: SimTime,
    /// When its current poll started.
    poll_start: SimTime,
    /// When it last came online.
    online_since: SimTime,
    /// Whether its send timer runs (not while the rate is 0).
    sending: bool,
    /// When its current chain of heartbeats or polls next fires.
    beat_due: SimTime,
    /// Messages written while the socket was down: (to, when).
    outbox: VecDeque<(To, SimTime)>,
}

#[derive(Clone, Debug, Default)]
struct Track {
    max: u32,
    gaps: BTreeSet<u32>,
}

impl Track {
    /// Notes `seq`; whether it was new (`Some(in_order)`) or seen before (`None`).
    fn note(&mut self, seq: u32) -> Option<bool> {
        if seq > self.max {
            for s in (self.max + 1).max(seq.saturating_sub(MAX_GAPS as u32))..seq {
                self.gaps.insert(s);
            }
            while self.gaps.len() > MAX_GAPS {
                self.gaps.pop_first();
            }
            self.max = seq;
            Some(true)
        } else if self.gaps.remove(&seq) {
            Some(false)
        } else {
            None
        }
    }
}

/// A message's story, as the sender's and recipients' phones saw it.
#[derive(Clone, Debug)]
struct Tale {
    id: u64,
    from: u32,
    to: To,
    created: SimTime,
    sent: Option<SimTime>,
    failed: bool,
    delivered: Vec<(u32, SimTime)>,
    receipt: Option<SimTime>,
    read: Option<SimTime>,
}

#[derive(Clone, Debug, Default)]
struct Counts {
    messages: u64,
    sent_ok: u64,
    send_failed: u64,
    waited_offline: u64,
    outbox_full: u64,
    delivered: u64,
    duplicates: u64,
    out_of_order: u64,
    lost_offline: u64,
    receipts: u64,
    reads: u64,
    requests: u64,
    polls: u64,
    empty_polls: u64,
    heartbeats: u64,
    connects: u64,
    connect_failed: u64,
    connections_lost: u64,
    bytes_up: u64,
    bytes_down: u64,
    presence_seen: u64,
    after_return: u64,
}

#[derive(Clone, Debug)]
pub struct Users {
    link: LinkIdx,
    people: People,
    spec: ChatUsersSpec,
    mode: Mode,
    persons: Vec<Person>,
    /// (phone, conversation) → the sequences it has had.
    tracks: BTreeMap<(u32, To), Track>,
    /// (reader, sender, message id, sent at) of messages to be read.
    reads: Vec<Option<(u32, u32, u64, SimTime)>>,
    free_reads: Vec<u32>,
    tales: VecDeque<Tale>,
    c: Counts,
    online: u64,
    connected: u64,
    /// Online user-nanoseconds so far, up to `online_since`.
    online_ns: u128,
    online_since: SimTime,
    /// Send → delivery, to phones online all along.
    deliver: LatencyHist,
    window: WindowLatency,
    /// Send → delivery, to phones that were away when it was sent.
    after_return: LatencyHist,
    receipt: LatencyHist,
    offline_seen: LatencyHist,
    last_sample: (u64, u64),
    rate_from: (u64, SimTime),
    rate: f64,
    /// The draws a mode makes of its own (heartbeat phases, backoff
    /// jitter), kept apart from the node's stream so two runs in different
    /// modes see the same people online and the same messages.
    side: SimRng,
}

impl Users {
    pub fn new(s: &ChatUsersSpec, idx: NodeIdx, topo: &Topology) -> Self {
        let person = Person {
            online: false,
            gen_: 0,
            conn: Conn::Off,
            attempts: 0,
            offline_at: 0,
            poll_start: 0,
            online_since: 0,
            sending: false,
            beat_due: 0,
            outbox: VecDeque::new(),
        };
        Users {
            link: topo.out_links[idx as usize][0],
            people: People::of(s),
            spec: s.clone(),
            mode: s.mode,
            persons: vec![person; s.users as usize],
            tracks: BTreeMap::new(),
            reads: Vec::new(),
            free_reads: Vec::new(),
            tales: VecDeque::new(),
            c: Counts::default(),
            online: 0,
            connected: 0,
            online_ns: 0,
            online_since: 0,
            deliver: LatencyHist::new(2),
            after_return: LatencyHist::new(2),
            window: WindowLatency::new(),
            receipt: LatencyHist::new(2),
            offline_seen: LatencyHist::new(2),
            last_sample: (0, 0),
            rate_from: (0, 0),
            rate: 0.0,
            side: crate::sim::dist::rng_from_seed(0),
        }
    }

    /// An exponential wait, at most the longest run (so the clock never overflows).
    fn exp_ns(ctx: &mut Ctx, mean_s: f64) -> SimTime {
        let u: f64 = ctx.rng().random();
        (-libm::log(1.0 - u) * mean_s * 1e9).clamp(1.0, limits::MAX_SIM_TIME_S * 1e9) as SimTime
    }

    /// Starts `u`'s next send (none while the rate is 0).
    fn arm_send(&mut self, ctx: &mut Ctx, u: u32) {
        let armed = self.spec.messages_per_hour > 0.0;
        if armed {
            let d = Self::exp_ns(ctx, 3_600.0 / self.spec.messages_per_hour);
            self.schedule(ctx, u, T_SEND, d);
        }
        self.persons[u as usize].sending = armed;
    }

    fn count_online(&mut self, now: SimTime, delta: i64) {
        self.online_ns += u128::from(self.online) * u128::from(now - self.online_since);
        self.online_since = now;
        self.online = self.online.saturating_add_signed(delta);
    }

    fn is_http(&self) -> bool {
        !self.mode.is_websocket()
    }

    /// Sends a request from phone `user` towards its server.
    #[allow(clippy::too_many_arguments)]
    fn up(&mut self, ctx: &mut Ctx, user: u32, frame: Frame, id: u64, created: SimTime, body: u64) {
        let mut req = Request::new(id, user, u64::from(user), created);
        req.set_note(frame);
        req.op = if frame.kind == Kind::Send { Op::Write } else { Op::Read };
        self.c.requests += 1;
        self.c.bytes_up +=
            body + if self.is_http() || frame.kind == Kind::Connect { HTTP_REQUEST_HEADERS } else { WS_CLIENT_FRAME };
        ctx.send_request(self.link, req);
    }

    fn schedule(&mut self, ctx: &mut Ctx, user: u32, kind: u32, delay: SimTime) {
        let delay = delay.max(1);
        if kind == T_BEAT {
            // One chain of heartbeats (or polls) at a time: a reconnect
            // starts a new one and the old one's timer finds itself stale.
            self.persons[user as usize].beat_due = ctx.now() + delay;
        }
        ctx.set_timer(delay, timer(kind, self.persons[user as usize].gen_), user);
    }

    fn beat_ns(&self) -> SimTime {
        match self.mode {
            Mode::ShortPolling { interval_ms } => ms_to_ns(interval_ms),
            Mode::LongPolling { .. } => 1,
            Mode::Websocket { heartbeat_ms } => ms_to_ns(heartbeat_ms),
        }
    }

    fn go_online(&mut self, ctx: &mut Ctx, u: u32) {
        let now = ctx.now();
        self.count_online(now, 1);
        let p = &mut self.persons[u as usize];
        p.online = true;
        p.gen_ = p.gen_.wrapping_add(1);
        p.offline_at = SimTime::MAX;
        p.online_since = now;
        p.attempts = 0;
        self.start_channel(ctx, u);
        self.arm_send(ctx, u);
        let d = Self::exp_ns(ctx, self.spec.online_mean_s);
        self.schedule(ctx, u, T_TOGGLE, d);
    }

    /// Opens the phone's way of getting messages: a socket, or its first poll.
    fn start_channel(&mut self, ctx: &mut Ctx, u: u32) {
        if self.mode.is_websocket() {
            self.persons[u as usize].conn = Conn::Connecting;
            self.c.connects += 1;
            let id = ctx.new_request_id();
            self.up(ctx, u, Frame::bare(Kind::Connect), id, ctx.now(), 0);
        } else if let Mode::ShortPolling { interval_ms } = self.mode {
            // A phone's poll timer runs at its own phase.
            let first = (self.side.random::<f64>() * interval_ms * 1e6) as SimTime;
            self.schedule(ctx, u, T_BEAT, first);
        } else {
            self.poll(ctx, u);
        }
    }

    fn poll(&mut self, ctx: &mut Ctx, u: u32) {
        let p = &mut self.persons[u as usize];
        p.conn = Conn::Open;
        p.poll_start = ctx.now();
        self.c.polls += 1;
        let id = ctx.new_request_id();
        // A long poll says how long it may be held.
        let hold = match self.mode {
            Mode::LongPolling { hold_ms } => hold_ms.round() as u32,
            _ => 0,
        };
        self.up(ctx, u, Frame::poll(hold), id, ctx.now(), 0);
    }

    fn go_offline(&mut self, ctx: &mut Ctx, u: u32, abrupt: bool) {
        let now = ctx.now();
        self.count_online(now, -1);
        let ws = self.mode.is_websocket();
        let p = &mut self.persons[u as usize];
        let was_open = p.conn == Conn::Open;
        p.online = false;
        p.gen_ = p.gen_.wrapping_add(1);
        p.sending = false;
        p.offline_at = now;
        p.conn = Conn::Off;
        if was_open && ws {
            self.connected -= 1;
            if !abrupt {
                let id = ctx.new_request_id();
                self.up(ctx, u, Frame::bare(Kind::Close), id, now, 0);
            }
        }
    }

    /// The phone's socket or poll failed: try again by the policy.
    fn lost(&mut self, ctx: &mut Ctx, u: u32) {
        let p = &mut self.persons[u as usize];
        // Offline, or already waiting to try again (a second failure of the
        // same socket must not start a second retry).
        if !p.online || p.conn == Conn::Waiting {
            return;
        }
        if p.conn == Conn::Open && self.mode.is_websocket() {
            self.connected -= 1;
            self.c.connections_lost += 1;
        }
        p.conn = Conn::Waiting;
        let attempt = p.attempts;
        p.attempts = p.attempts.saturating_add(1);
        let delay = match self.spec.reconnect {
            // As soon as the failure is seen (a millisecond to notice).
            Reconnect::Immediate => ms_to_ns(1.0),
            Reconnect::Backoff { base_ms, max_ms } => {
                let cap = (base_ms * f64::from(1u32 << attempt.min(30))).min(max_ms);
                ms_to_ns(self.side.random::<f64>() * cap)
            }
        };
        self.schedule(ctx, u, T_RETRY, delay);
    }

    fn send_message(&mut self, ctx: &mut Ctx, u: u32, to: To, created: SimTime) {
        let id = ctx.new_request_id();
        self.tale_new(Tale {
            id,
            from: u,
            to,
            created,
            sent: None,
            failed: false,
            delivered: Vec::new(),
            receipt: None,
            read: None,
        });
        let body = u64::from(self.spec.message_bytes);
        self.up(ctx, u, Frame::new(Kind::Send, to), id, created, body);
    }

    /// Sends what waited in the phone's outbox.
    fn flush_outbox(&mut self, ctx: &mut Ctx, u: u32) {
        let waiting: Vec<(To, SimTime)> = self.persons[u as usize].outbox.drain(..).collect();
        for (to, created) in waiting {
            self.c.waited_offline += 1;
            self.send_message(ctx, u, to, created);
        }
    }

    fn tale_new(&mut self, t: Tale) {
        if self.tales.len() == MAX_STORIES {
            self.tales.pop_front();
        }
        self.tales.push_back(t);
    }

    fn tale(&mut self, id: u64) -> Option<&mut Tale> {
        self.tales.iter_mut().rev().find(|t| t.id == id)
    }

    fn pick_recipient(&self, ctx: &mut Ctx, u: u32) -> To {
        if self.spec.group_size >= 2 && self.spec.group_share > 0.0 && ctx.rng().random::<f64>() < self.spec.group_share
        {
            To::Group(self.people.group_of(u))
        } else {
            let i = ctx.rng().random_range(0..self.people.contacts);
            To::User(self.people.contact(u, i))
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx, tag: u32, slot: u32) {
        let kind = tag >> 28;
        if kind == T_READ {
            if let Some((reader, sender, id, created)) = self.reads.get_mut(slot as usize).and_then(Option::take) {
                self.free_reads.push(slot);
                // Read only by a phone that is online (its read receipt goes now).
                if self.persons[reader as usize].online {
                    self.up(ctx, reader, Frame::new(Kind::Read, To::User(sender)), id, created, CONTROL_BYTES);
                }
            }
            return;
        }
        let u = slot;
        let Some(p) = self.persons.get(u as usize) else { return };
        if (tag & GEN_MASK) != (p.gen_ & GEN_MASK) {
            return;
        }
        match kind {
            T_TOGGLE => {
                if p.online {
                    let abrupt = ctx.rng().random::<f64>() < self.spec.abrupt_share;
                    self.go_offline(ctx, u, abrupt);
                    let d = Self::exp_ns(ctx, self.spec.offline_mean_s);
                    self.schedule(ctx, u, T_TOGGLE, d);
                } else {
                    self.go_online(ctx, u);
                }
            }
            T_SEND if self.spec.messages_per_hour <= 0.0 => self.persons[u as usize].sending = false,
            T_SEND => {
                let to = self.pick_recipient(ctx, u);
                let now = ctx.now();
                self.c.messages += 1;
                if self.persons[u as usize].conn == Conn::Open || self.is_http() {
                    self.send_message(ctx, u, to, now);
                } else if self.persons[u as usize].outbox.len() < MAX_OUTBOX {
                    self.persons[u as usize].outbox.push_back((to, now));
                } else {
                    self.c.outbox_full += 1;
                }
                self.arm_send(ctx, u);
            }
            T_BEAT if p.beat_due != ctx.now() => {}
            T_BEAT => {
                if self.mode.is_websocket() {
                    if p.conn == Conn::Open {
                        self.c.heartbeats += 1;
                        let id = ctx.new_request_id();
                        self.up(ctx, u, Frame::bare(Kind::Heartbeat), id, ctx.now(), 0);
                        let d = self.beat_ns();
                        self.schedule(ctx, u, T_BEAT, d);
                    }
                } else {
                    self.poll(ctx, u);
                }
            }
            T_RETRY if p.online && p.conn == Conn::Waiting => self.start_channel(ctx, u),
            _ => {}
        }
    }

    /// A message reached phone `r`, which is online (conversation `conv`
    /// as `r` sees it).
    fn on_message_delivered(&mut self, ctx: &mut Ctx, r: u32, conv: To, resp: &Request) {
        let seq = resp.key as u32;
        let now = ctx.now();
        match self.tracks.entry((r, conv)).or_default().note(seq) {
            None => {
                self.c.duplicates += 1;
            }
            Some(in_order) => {
                if !in_order {
                    self.c.out_of_order += 1;
                }
                self.c.delivered += 1;
                let latency = now - resp.created_ns;
                // Latency to a phone online since before the message was
                // sent; one that was away waited in its inbox, counted apart.
                if self.persons[r as usize].online_since <= resp.created_ns {
                    ctx.metrics().record_sent();
                    ctx.metrics().record_response(Status::Ok, latency);
                    self.deliver.record(latency);
                    self.window.record(latency);
                } else {
                    self.c.after_return += 1;
                    self.after_return.record(latency);
                }
                if let Some(t) = self.tale(resp.id)
                    && t.delivered.len() < 4
                {
                    t.delivered.push((r, now));
                }
            }
        }
        // The acknowledgement (and, 1-to-1, the sender's ✓✓), then reading.
        // One to one, the sender gets receipts (if they are on).
        let sender = match conv {
            To::User(s) if self.spec.receipts => Some(s),
            _ => None,
        };
        if self.mode.is_websocket() || sender.is_some() {
            let (frame, body) = match sender {
                Some(s) => (Frame::new(Kind::Received, To::User(s)), CONTROL_BYTES),
                None => (Frame::new(Kind::Ack, conv), 8),
            };
            self.up(ctx, r, frame, resp.id, resp.created_ns, body);
        }
        if let Some(sender) = sender
            && self.reads.len() - self.free_reads.len() < MAX_PENDING_READS
        {
            let entry = Some((r, sender, resp.id, resp.created_ns));
            let slot = match self.free_reads.pop() {
                Some(s) => {
                    self.reads[s as usize] = entry;
                    s
                }
                None => {
                    self.reads.push(entry);
                    (self.reads.len() - 1) as u32
                }
            };
            // From the side stream: when messages arrive depends on the mode.
            let u: f64 = self.side.random();
            let d = (-libm::log(1.0 - u) * self.spec.read_after_s * 1e9).max(1.0) as SimTime;
            ctx.set_timer(d, timer(T_READ, 0), slot);
        }
    }

    fn on_response(&mut self, ctx: &mut Ctx, resp: Request) {
        let u = resp.client_id;
        if u as usize >= self.persons.len() {
            return;
        }
        let Some(f) = frame(&resp) else { return };
        let kind = f.kind;
        let ok = resp.status == Status::Ok;
        let now = ctx.now();
        let ws = self.mode.is_websocket();
        let push = kind.is_push();
        if push && !self.persons[u as usize].online {
            // The phone has gone (its server still holds its socket until
            // the socket times out, and pushes along it): nothing reaches
            // it. A message is counted as having arrived after the phone
            // left (its inbox keeps it); a receipt, a read or a presence
            // change it cannot have received is not counted at all.
            if kind == Kind::Msg {
                self.c.lost_offline += 1;
            }
            return;
        }
        self.c.bytes_down += if push {
            let body = if kind == Kind::Msg { u64::from(self.spec.message_bytes) } else { CONTROL_BYTES };
            // In a poll's answer the headers are counted once, with its end.
            body + if ws { WS_SERVER_FRAME } else { 0 }
        } else if ws && kind != Kind::Connect {
            WS_SERVER_FRAME + 8
        } else {
            HTTP_RESPONSE_HEADERS
        };
        match kind {
            Kind::Msg if ok => {
                if let Some(conv) = f.to() {
                    self.on_message_delivered(ctx, u, conv, &resp);
                }
            }
            Kind::Delivered if ok => {
                self.c.receipts += 1;
                self.receipt.record(now - resp.created_ns);
                if let Some(t) = self.tale(resp.id) {
                    t.receipt.get_or_insert(now);
                }
            }
            Kind::Seen if ok => {
                self.c.reads += 1;
                if let Some(t) = self.tale(resp.id) {
                    t.read.get_or_insert(now);
                }
            }
            Kind::Offline if ok => {
                if let Some(p) = f.user().and_then(|who| self.persons.get(who as usize))
                    && !p.online
                    && p.offline_at != SimTime::MAX
                {
                    self.c.presence_seen += 1;
                    self.offline_seen.record(now - p.offline_at);
                }
            }
            Kind::Online => {}
            Kind::Send => {
                let Some(to) = f.to() else { return };
                if ok {
                    self.c.sent_ok += 1;
                    // Its own message: a sequence the phone has, not a gap.
                    let _ = self.tracks.entry((u, to)).or_default().note(resp.key as u32);
                    if let Some(t) = self.tale(resp.id) {
                        t.sent = Some(now);
                    }
                } else {
                    // Not stored: the phone keeps it and sends it again once
                    // it is connected (a socket) or after its next poll.
                    self.c.send_failed += 1;
                    let n = self.people.recipients(u, to).count();
                    for _ in 0..n {
                        ctx.metrics().record_sent();
                        ctx.metrics().record_response(resp.status, now - resp.created_ns);
                    }
                    if let Some(t) = self.tale(resp.id) {
                        t.failed = true;
                    }
                    let p = &mut self.persons[u as usize];
                    if p.online && p.outbox.len() < MAX_OUTBOX {
                        p.outbox.push_back((to, resp.created_ns));
                    }
                    // A refused or reset frame means the socket is gone; a
                    // full or slow server (503, timeout) keeps it, and the
                    // message goes again after the next heartbeat's answer.
                    if self.mode.is_websocket() && matches!(resp.status, Status::Refused | Status::Reset) {
                        self.lost(ctx, u);
                    }
                }
            }
            Kind::Connect => {
                let p = &mut self.persons[u as usize];
                if !p.online {
                    return;
                }
                match p.conn {
                    Conn::Connecting if ok => {
                        p.conn = Conn::Open;
                        p.attempts = 0;
                        self.connected += 1;
                        let beat = self.beat_ns();
                        let first = self.side.random_range(1..=beat.max(1));
                        self.schedule(ctx, u, T_BEAT, first);
                        self.flush_outbox(ctx, u);
                    }
                    Conn::Connecting => {
                        self.c.connect_failed += 1;
                        self.lost(ctx, u);
                    }
                    // The socket was reset (its server died).
                    Conn::Open if !ok => self.lost(ctx, u),
                    _ => {}
                }
            }
            // An answer from a server that does not hold the socket (`hit`
            // false) means the socket is gone too.
            Kind::Heartbeat if self.persons[u as usize].conn == Conn::Open && !(ok && resp.hit) => self.lost(ctx, u),
            Kind::Heartbeat if self.persons[u as usize].conn == Conn::Open => self.flush_outbox(ctx, u),
            Kind::Poll => {
                let p = &self.persons[u as usize];
                // (An answer to a poll made before the phone switched to a socket is stale.)
                if !p.online || p.conn != Conn::Open || self.mode.is_websocket() {
                    return;
                }
                let poll_start = p.poll_start;
                if ok {
                    if resp.key == 0 {
                        self.c.empty_polls += 1;
                    }
                    self.persons[u as usize].attempts = 0;
                    self.flush_outbox(ctx, u);
                    let next = match self.mode {
                        Mode::ShortPolling { interval_ms } => {
                            (poll_start + ms_to_ns(interval_ms)).saturating_sub(now).max(1)
                        }
                        _ => 1,
                    };
                    self.persons[u as usize].conn = Conn::Off;
                    self.schedule(ctx, u, T_BEAT, next);
                } else {
                    self.lost(ctx, u);
                }
            }
            _ => {}
        }
    }

    fn story(&self, t: &Tale) -> Story {
        let ms = |at: SimTime| (at.saturating_sub(t.created)) as f64 / 1e6;
        let to = match t.to {
            To::Group(g) => format!("group {g}"),
            To::User(u) => format!("user {u}"),
        };
        let mut text = format!("user {} → {to}", t.from);
        match (t.sent, t.failed) {
            (_, true) => text.push_str(" → not sent (failed)"),
            (Some(at), _) => text.push_str(&format!(" → ✓ stored {:.0} ms", ms(at))),
            (None, _) => text.push_str(" → sending…"),
        }
        for (r, at) in &t.delivered {
            text.push_str(&format!(" → on user {r}'s phone {:.0} ms", ms(*at)));
        }
        if let Some(at) = t.receipt {
            text.push_str(&format!(" → ✓✓ {:.0} ms", ms(at)));
        }
        if let Some(at) = t.read {
            text.push_str(&format!(" → read {:.1} s", ms(at) / 1e3));
        }
        Story { req_id: t.id, class: "write", text, failed: t.failed }
    }

    /// Online user-minutes so far.
    fn online_minutes(&self, now: SimTime) -> f64 {
        (self.online_ns + u128::from(self.online) * u128::from(now.saturating_sub(self.online_since))) as f64 / 60e9
    }

    fn figures(&self, now: SimTime) -> Vec<(&'static str, f64)> {
        let c = &self.c;
        let minutes = self.online_minutes(now).max(1e-9);
        let per = |x: u64, d: u64| if d == 0 { 0.0 } else { x as f64 / d as f64 };
        vec![
            ("Online", self.online as f64),
            ("Connected", self.connected as f64),
            ("Messages sent", c.messages as f64),
            ("Stored (sent ✓)", c.sent_ok as f64),
            ("Send failed", c.send_failed as f64),
            ("Delivered", c.delivered as f64),
            ("Deliver p50 ms", self.deliver.quantile_ms(0.5)),
            ("Deliver p95 ms", self.deliver.quantile_ms(0.95)),
            ("Deliver p99 ms", self.deliver.quantile_ms(0.99)),
            ("Deliver mean ms", self.deliver.mean_ms()),
            ("Delivered after coming back", c.after_return as f64),
            ("After coming back p50 s", self.after_return.quantile_ms(0.5) / 1e3),
            ("Delivered/s (last window)", self.rate),
            ("Receipts ✓✓", c.receipts as f64),
            ("Receipt p50 ms", self.receipt.quantile_ms(0.5)),
            ("Read receipts", c.reads as f64),
            ("Requests to servers", c.requests as f64),
            ("Requests per delivered message", per(c.requests, c.delivered)),
            ("Polls", c.polls as f64),
            ("Empty polls %", 100.0 * per(c.empty_polls, c.polls)),
            ("Heartbeats", c.heartbeats as f64),
            ("Bytes per user per minute", (c.bytes_up + c.bytes_down) as f64 / minutes),
            ("Connects", c.connects as f64),
            ("Connects refused", c.connect_failed as f64),
            ("Connections lost", c.connections_lost as f64),
            ("Offline seen p50 s", self.offline_seen.quantile_ms(0.5) / 1e3),
            ("Offline seen p95 s", self.offline_seen.quantile_ms(0.95) / 1e3),
            ("Duplicates", c.duplicates as f64),
            ("Out of order", c.out_of_order as f64),
            ("Arrived after the phone left", c.lost_offline as f64),
            ("Sent from the outbox", c.waited_offline as f64),
        ]
    }

    fn apply(&mut self, ctx: &mut Ctx, u: &UsersParams) {
        if let Some(v) = u.messages_per_hour {
            self.spec.messages_per_hour = v;
            // Online people who had stopped (the rate was 0) start again.
            for i in 0..self.persons.len() as u32 {
                let p = &self.persons[i as usize];
                if p.online && !p.sending {
                    self.arm_send(ctx, i);
                }
            }
        }
        if let Some(r) = u.reconnect {
            self.spec.reconnect = r;
        }
        if let Some(m) = u.mode {
            self.switch_mode(ctx, m);
        }
        if let Some(w) = u.login_within_s {
            for i in 0..self.persons.len() {
                if !self.persons[i].online {
                    self.persons[i].gen_ = self.persons[i].gen_.wrapping_add(1);
                    let d = (ctx.rng().random::<f64>() * w * 1e9) as SimTime;
                    self.schedule(ctx, i as u32, T_TOGGLE, d);
                }
            }
        }
        if let Some(share) = u.flap_share {
            for i in 0..self.persons.len() as u32 {
                if self.persons[i as usize].online && ctx.rng().random::<f64>() < share {
                    // Off without a goodbye and straight back on.
                    self.go_offline(ctx, i, true);
                    self.go_online(ctx, i);
                }
            }
        }
    }

    /// Every online phone moves to `mode` now (sockets are dropped without
    /// a goodbye; their servers time them out).
    fn switch_mode(&mut self, ctx: &mut Ctx, mode: Mode) {
        let online: Vec<u32> = (0..self.persons.len() as u32).filter(|&i| self.persons[i as usize].online).collect();
        for &i in &online {
            self.go_offline(ctx, i, true);
        }
        self.mode = mode;
        self.spec.mode = mode;
        for i in online {
            self.go_online(ctx, i);
        }
    }
}

impl Node for Users {
    fn start(&mut self, ctx: &mut Ctx) {
        self.side = crate::sim::dist::rng_from_seed(ctx.rng().random());
        // Each user starts online with the stationary probability.
        let share = self.spec.online_mean_s / (self.spec.online_mean_s + self.spec.offline_mean_s);
        for u in 0..self.persons.len() as u32 {
            if ctx.rng().random::<f64>() < share {
                // Spread the first connects over a second, not all at t = 0.
                let d = (ctx.rng().random::<f64>() * 1e9) as SimTime;
                self.schedule(ctx, u, T_TOGGLE, d);
            } else {
                let d = Self::exp_ns(ctx, self.spec.offline_mean_s);
                self.persons[u as usize].offline_at = SimTime::MAX;
                self.schedule(ctx, u, T_TOGGLE, d);
            }
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx, _from: NodeIdx, payload: Payload) {
        match payload {
            Payload::Timer { tag, slot } => self.on_timer(ctx, tag, slot),
            Payload::Response(resp) => self.on_response(ctx, resp),
            _ => {}
        }
    }

    fn set(&mut self, ctx: &mut Ctx, change: &Change) {
        if let Some(u) = change.params.as_ref().and_then(crate::sim::validate::read_as::<UsersParams>) {
            self.apply(ctx, &u);
        }
    }

    fn view(&self) -> NodeView {
        let figures = self.figures(self.online_since);
        NodeView {
            kind: "chat_users",
            params: Some(OwnPart::new(self.spec.clone())),
            in_service: self.online,
            completed: self.c.delivered,
            errors: self.c.send_failed + self.c.connect_failed,
            figures,
            stories: self.tales.iter().map(|t| self.story(t)).collect(),
            ..Default::default()
        }
    }

    fn sample(&mut self, now: SimTime) -> NodeSample {
        let (d0, t0) = self.rate_from;
        let secs = (now - t0) as f64 / 1e9;
        if secs > 0.0 {
            self.rate = (self.c.delivered - d0) as f64 / secs;
        }
        self.rate_from = (self.c.delivered, now);
        self.count_online(now, 0);
        let errors = self.c.send_failed + self.c.connect_failed;
        let s = NodeSample {
            completed: self.c.delivered - self.last_sample.0,
            dropped: errors - self.last_sample.1,
            // Over WebSockets, the phones online without a socket (waiting
            // to reconnect, or connecting): what a lesson reads as the
            // crowd still reconnecting after a gateway dies.
            queue_len: if self.mode.is_websocket() { self.online.saturating_sub(self.connected) } else { 0 },
            latency_ms: self.window.take_summary(),
            ..Default::default()
        };
        self.last_sample = (self.c.delivered, errors);
        s
    }

    fn summary(&self, now: SimTime, _topo: &Topology) -> NodeSummary {
        let c = &self.c;
        let mut figures: BTreeMap<&'static str, Figure> = crate::sim::family::figures(&[
            ("mode", Figure::Count(mode_number(self.mode))),
            ("messages", Figure::Count(c.messages)),
            ("stored", Figure::Count(c.sent_ok)),
            ("send_failed", Figure::Count(c.send_failed)),
            ("delivered", Figure::Count(c.delivered)),
            ("delivered_per_s", Figure::Value(per_s(c.delivered, now))),
            ("receipts", Figure::Count(c.receipts)),
            ("read_receipts", Figure::Count(c.reads)),
            ("requests", Figure::Count(c.requests)),
            ("polls", Figure::Count(c.polls)),
            ("empty_polls", Figure::Count(c.empty_polls)),
            ("heartbeats", Figure::Count(c.heartbeats)),
            ("connects", Figure::Count(c.connects)),
            ("connects_refused", Figure::Count(c.connect_failed)),
            ("connections_lost", Figure::Count(c.connections_lost)),
            ("duplicates", Figure::Count(c.duplicates)),
            ("out_of_order", Figure::Count(c.out_of_order)),
            ("arrived_after_phone_left", Figure::Count(c.lost_offline)),
            ("sent_from_outbox", Figure::Count(c.waited_offline)),
            ("outbox_full", Figure::Count(c.outbox_full)),
            ("bytes_up", Figure::Count(c.bytes_up)),
            ("bytes_down", Figure::Count(c.bytes_down)),
            ("offline_seen", Figure::Count(c.presence_seen)),
        ]);
        let minutes = self.online_minutes(now).max(1e-9);
        figures.insert("bytes_per_user_minute", Figure::Value((c.bytes_up + c.bytes_down) as f64 / minutes));
        figures.insert(
            "requests_per_delivered",
            Figure::Value(if c.delivered == 0 { 0.0 } else { c.requests as f64 / c.delivered as f64 }),
        );
        figures.insert(
            "empty_poll_share",
            Figure::Value(if c.polls == 0 { 0.0 } else { c.empty_polls as f64 / c.polls as f64 }),
        );
        let d = self.deliver.summary();
        figures.insert("deliver_mean_ms", Figure::Value(d.mean));
        figures.insert("deliver_p50_ms", Figure::Value(d.p50));
        figures.insert("deliver_p95_ms", Figure::Value(d.p95));
        figures.insert("deliver_p99_ms", Figure::Value(d.p99));
        figures.insert("delivered_after_coming_back", Figure::Count(c.after_return));
        figures.insert("after_coming_back_p50_s", Figure::Value(self.after_return.quantile_ms(0.5) / 1e3));
        let r = self.receipt.summary();
        figures.insert("receipt_p50_ms", Figure::Value(r.p50));
        let o = self.offline_seen.summary();
        figures.insert("offline_seen_p50_s", Figure::Value(o.p50 / 1e3));
        figures.insert("offline_seen_p95_s", Figure::Value(o.p95 / 1e3));
        NodeSummary {
            kind: "chat_users",
            up: true,
            sent: Some(c.messages),
            completed: Some(c.delivered),
            throughput_per_s: Some(per_s(c.delivered, now)),
            latency_ms: Some(d),
            figures,
            ..Default::default()
        }
    }
}

/// 0 short polling, 1 long polling, 2 WebSocket (the summary's `mode`).
fn mode_number(m: Mode) -> u64 {
    match m {
        Mode::ShortPolling { .. } => 0,
        Mode::LongPolling { .. } => 1,
        Mode::Websocket { .. } => 2,
    }
}
