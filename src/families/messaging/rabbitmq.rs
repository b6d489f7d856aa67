//! `rabbitmq`: a broker with exchanges, queues and bindings; and its
//! clients, `rabbit_publisher` and `rabbit_consumer`.
//!
//! ```text
//!  publisher ─Publish(routing key, headers)─► exchange ──bindings──► queue(s)
//!      each matching queue gets one copy; none matches ─► discarded
//!  queue ─► round-robin over its consumers with prefetch credit ─Deliver─► consumer
//!  consumer ─Ack─► done │ ─Nack(requeue)─► back to the head (delivery limit?)
//!                       │ ─Nack(no requeue)─┐
//!  TTL at the head, delivery limit, overflow ┴─► dead-letter exchange ─► queue(s)
//!  consumer dies ─► its unacknowledged messages are requeued (redelivered)
//! ```
//! Routing follows RabbitMQ's rules: direct compares the routing key with
//! the binding key, fanout ignores it, topic matches words
//! ([`crate::families::messaging::topic::topic_matches`]), headers match all or any of
//! the binding's arguments. [`explain_route`] says why a message went where.

use std::collections::{BTreeMap, VecDeque};

use rand::Rng;
use serde::Serialize;

use super::spec::{ExchangeType, HeadersMatch, RabbitConsumerSpec, RabbitMqSpec, RabbitPublisherSpec};
use crate::families::messaging::topic::topic_matches;
use crate::families::web_tier::client::ArrivalClock;
use crate::families::web_tier::spec::SourceParams;
use crate::sim::dist::Duration;
use crate::sim::engine::{Ctx, Node, NodeSummary, NodeView, OwnPart, OwnSummary, Payload, Status};
use crate::sim::family::CollectMap;
use crate::sim::family::{self, Delivery};
use crate::sim::kind::NodeSpec;
use crate::sim::metrics::{LatencyHist, NodeSample, WindowLatency};
use crate::sim::spec::service_time;
use crate::sim::time::{SimTime, ms_to_ns, per_s, s_to_ns};
use crate::sim::trace::MsgKind;
use crate::sim::validate::validate_service_time;
use crate::sim::validate::{Change, LinkIdx, NodeIdx, Problems, Topology, limits};

const TAG_TICK: u32 = 0;
const TAG_TTL: u32 = 1;
const TAG_ARRIVAL: u32 = 2;
const TAG_PROCESS: u32 = 3;
const TAG_JOIN: u32 = 4;
/// How often the broker looks for closed consumer connections.
const TICK_NS: SimTime = 100_000_000;
/// A message dead-lettered this many times is dropped (a DLX cycle).
const MAX_DEAD_LETTERS: u16 = 16;

/// One message in flight or in a queue.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Message {
    pub id: u64,
    pub publisher: NodeIdx,
    /// The publisher's message kind (its routing key and headers).
    pub kind: u32,
    /// Index into the broker's routing-key table (dead-lettering may change it).
    pub routing_key: u32,
    pub created_ns: SimTime,
    pub enqueued_ns: SimTime,
    /// Deliveries so far (1 on the first).
    pub deliveries: u32,
    pub dead_letters: u16,
    pub queue: u16,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RabbitMsg {
    /// `basic.publish`: the message's kind (its routing key and headers
    /// are the publisher's kind's) and when it was sent; the publisher is
    /// the sender.
    Publish {
        id: u64,
        kind: u32,
        created_ns: SimTime,
    },
    /// `basic.consume` on the consumer's queue.
    Consume,
    /// `basic.deliver`: what AMQP sends a consumer (the broker keeps the
    /// message itself, unacknowledged, under its delivery tag).
    Deliver {
        tag: u64,
        /// The publisher's message kind (what the animation colours by).
        kind: u32,
        /// AMQP's `redelivered` flag: delivered before and not acknowledged.
        redelivered: bool,
    },
    Ack {
        tag: u64,
    },
    Nack {
        tag: u64,
        requeue: bool,
    },
}

impl family::Message for RabbitMsg {}

fn short(p: &mut Problems, path: &str, field: &str, v: &str) {
    if v.len() > limits::MAX_SHORT_STR {
        p.add(format!("{path}.{field}"), format!("must be at most {} bytes", limits::MAX_SHORT_STR));
    }
}

pub fn validate(s: &RabbitMqSpec, path: &str, p: &mut Problems) {
    if s.exchanges.len() > limits::MAX_EXCHANGES {
        p.add(format!("{path}.exchanges"), format!("must list at most {}", limits::MAX_EXCHANGES));
    }
    if s.queues.is_empty() || s.queues.len() > limits::MAX_QUEUES {
        p.add(format!("{path}.queues"), format!("must list 1 to {} queues", limits::MAX_QUEUES));
    }
    if s.bindings.len() > limits::MAX_BINDINGS {
        p.add(format!("{path}.bindings"), format!("must list at most {}", limits::MAX_BINDINGS));
        return;
    }
    for (i, e) in s.exchanges.iter().enumerate() {
        let ep = format!("{path}.exchanges[{i}]");
        short(p, &ep, "name", &e.name);
        if e.name.is_empty() {
            p.add(format!("{ep}.name"), "must not be empty (the default exchange is not modelled)");
        }
        if s.exchanges[..i].iter().any(|o| o.name == e.name) {
            p.add(format!("{ep}.name"), format!("`{}` is used by another exchange", e.name));
        }
    }
    let exchange = |name: &str| s.exchanges.iter().any(|e| e.name == name);
    let queue = |name: &str| s.queues.iter().any(|q| q.name == name);
    for (i, q) in s.queues.iter().enumerate() {
        let qp = format!("{path}.queues[{i}]");
        short(p, &qp, "name", &q.name);
        if q.name.is_empty() {
            p.add(format!("{qp}.name"), "must not be empty");
        }
        if s.queues[..i].iter().any(|o| o.name == q.name) {
            p.add(format!("{qp}.name"), format!("`{}` is used by another queue", q.name));
        }
        if let Some(t) = q.message_ttl_ms {
            p.range_f64(&qp, "message_ttl_ms", t, 0.0, limits::MAX_DURATION_MS);
        }
        if let Some(d) = q.delivery_limit {
            p.range_u64(&qp, "delivery_limit", u64::from(d), 0, u64::from(limits::MAX_DELIVERY_LIMIT));
        }
        if let Some(x) = &q.dead_letter_exchange
            && !exchange(x)
        {
            p.add(format!("{qp}.dead_letter_exchange"), format!("names no exchange: `{x}`"));
        }
        if let Some(k) = &q.dead_letter_routing_key {
            short(p, &qp, "dead_letter_routing_key", k);
        }
        p.range_u64(&qp, "max_length", q.max_length, 1, limits::MAX_QUEUE_LENGTH);
    }
    for (i, b) in s.bindings.iter().enumerate() {
        let bp = format!("{path}.bindings[{i}]");
        if !exchange(&b.exchange) {
            p.add(format!("{bp}.exchange"), format!("names no exchange: `{}`", b.exchange));
        }
        if !queue(&b.queue) {
            p.add(format!("{bp}.queue"), format!("names no queue: `{}`", b.queue));
        }
        short(p, &bp, "key", &b.key);
        if b.headers.len() > limits::MAX_HEADERS {
            p.add(format!("{bp}.headers"), format!("must have at most {} entries", limits::MAX_HEADERS));
        }
        let kind = s.exchanges.iter().find(|e| e.name == b.exchange).map(|e| e.kind);
        if kind.is_some_and(|k| k != ExchangeType::Headers) && (!b.headers.is_empty() || b.match_.is_some()) {
            p.add(format!("{bp}.headers"), "apply to headers exchanges only");
        }
    }
}

pub fn validate_publisher(s: &RabbitPublisherSpec, path: &str, p: &mut Problems) {
    crate::families::web_tier::client::validate_arrivals(&s.arrivals, &format!("{path}.arrivals"), p);
    if s.messages.is_empty() || s.messages.len() > limits::MAX_MESSAGE_KINDS {
        p.add(format!("{path}.messages"), format!("must list 1 to {} messages", limits::MAX_MESSAGE_KINDS));
    }
    for (i, m) in s.messages.iter().enumerate() {
        let mp = format!("{path}.messages[{i}]");
        short(p, &mp, "routing_key", &m.routing_key);
        p.positive_f64(&mp, "weight", m.weight, 1e9);
        if m.headers.len() > limits::MAX_HEADERS {
            p.add(format!("{mp}.headers"), format!("must have at most {} entries", limits::MAX_HEADERS));
        }
    }
}

pub fn validate_consumer(s: &RabbitConsumerSpec, path: &str, p: &mut Problems) {
    validate_service_time(&s.processing_time, &format!("{path}.processing_time"), p);
    p.range_u64(path, "prefetch", u64::from(s.prefetch), 1, u64::from(limits::MAX_PREFETCH));
    p.range_f64(path, "failure_rate", s.failure_rate, 0.0, 1.0);
    p.range_f64(path, "join_at_s", s.join_at_s, 0.0, limits::MAX_SIM_TIME_S);
}

/// A RabbitMQ client, as its link is checked.
pub enum ClientSpec<'a> {
    Publisher(&'a RabbitPublisherSpec),
    Consumer(&'a RabbitConsumerSpec),
}

/// A publisher or consumer links to exactly one broker that has its exchange or queue.
pub fn validate_client_links(spec: ClientSpec, path: &str, out: &[&NodeSpec], p: &mut Problems) {
    let id = match spec {
        ClientSpec::Publisher(s) => &s.id,
        ClientSpec::Consumer(s) => &s.id,
    };
    let Some(broker) = (match out {
        [target] => target.spec_of::<RabbitMqSpec>(),
        _ => None,
    }) else {
        p.add(path, format!("`{id}` needs exactly one outgoing link, to a rabbitmq broker"));
        return;
    };
    match spec {
        ClientSpec::Publisher(s) if !broker.exchanges.iter().any(|e| e.name == s.exchange) => {
            p.add(format!("{path}.exchange"), format!("`{}` is not an exchange of `{}`", s.exchange, broker.id));
        }
        ClientSpec::Consumer(s) if !broker.queues.iter().any(|q| q.name == s.queue) => {
            p.add(format!("{path}.queue"), format!("`{}` is not a queue of `{}`", s.queue, broker.id));
        }
        _ => {}
    }
}

/// Why a message with `routing_key` and `headers`, published to `exchange`,
/// goes to each queue it goes to: one line per queue, in binding order.
pub fn explain_route(
    spec: &RabbitMqSpec,
    exchange: &str,
    routing_key: &str,
    headers: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    let Some(ex) = spec.exchanges.iter().find(|e| e.name == exchange) else { return Vec::new() };
    let mut out: Vec<(String, String)> = Vec::new();
    for b in spec.bindings.iter().filter(|b| b.exchange == exchange) {
        if out.iter().any(|(q, _)| *q == b.queue) {
            continue; // one copy per queue, however many bindings match
        }
        let why = match ex.kind {
            ExchangeType::Fanout => Some(format!("fanout exchange `{exchange}` copies every message to `{}`", b.queue)),
            ExchangeType::Direct => {
                (b.key == routing_key).then(|| format!("routing key `{routing_key}` equals binding key `{}`", b.key))
            }
            ExchangeType::Topic => topic_matches(&b.key, routing_key)
                .then(|| format!("routing key `{routing_key}` matched binding `{}`", b.key)),
            ExchangeType::Headers => {
                let all = b.match_ != Some(HeadersMatch::Any);
                let hits = b.headers.iter().filter(|(k, v)| headers.get(*k) == Some(*v)).count();
                let ok = if all { hits == b.headers.len() } else { hits > 0 };
                let mode = if all { "all" } else { "any" };
                ok.then(|| format!("headers matched {mode} of {:?} (x-match={mode})", b.headers))
            }
        };
        if let Some(why) = why {
            out.push((b.queue.clone(), why));
        }
    }
    out
}

type RouteKey = (usize, u32, NodeIdx, u32);

#[derive(Clone, Debug)]
struct Queue {
    name: String,
    ttl_ns: Option<SimTime>,
    delivery_limit: Option<u32>,
    dlx: Option<usize>,
    dl_key: Option<u32>,
    max_length: u64,
    ready: VecDeque<Message>,
    /// Subscribed consumers, in subscription order.
    consumers: Vec<NodeIdx>,
    next_consumer: usize,
    ttl_armed: bool,
    unacked: u64,
    delivered: u64,
    acked: u64,
    redelivered: u64,
    dead_lettered: u64,
    expired: u64,
}

#[derive(Clone, Debug)]
struct ConsumerState {
    queue: usize,
    prefetch: u64,
    active: bool,
    unacked: BTreeMap<u64, Message>,
}

#[derive(Clone)]
pub struct RabbitMq {
    spec: RabbitMqSpec,
    /// Routing keys by index: the publishers' and the dead-letter keys.
    keys: Vec<String>,
    /// Per (publisher, kind): routing-key index and headers.
    kinds: BTreeMap<(NodeIdx, u32), (u32, BTreeMap<String, String>)>,
    /// Exchange each publisher publishes to.
    publisher_exchange: BTreeMap<NodeIdx, usize>,
    /// Queues each (exchange, routing key, publisher, message kind) goes to.
    routes: BTreeMap<RouteKey, Vec<usize>>,
    /// The bindings as the view shows them (they never change).
    binding_views: Vec<BindingView>,
    queues: Vec<Queue>,
    consumers: BTreeMap<NodeIdx, ConsumerState>,
    link_of: BTreeMap<NodeIdx, LinkIdx>,
    next_tag: u64,
    published: u64,
    discarded: u64,
    latency: LatencyHist,
    window_latency: WindowLatency,
    last_sample: u64,
}

impl RabbitMq {
    pub fn new(s: &RabbitMqSpec, idx: NodeIdx, topo: &Topology, specs: &[NodeSpec]) -> Self {
        let mut keys: Vec<String> = Vec::new();
        let mut intern = |k: &str| match keys.iter().position(|x| x == k) {
            Some(i) => i as u32,
            None => {
                keys.push(k.to_string());
                (keys.len() - 1) as u32
            }
        };
        let ex_idx = |name: &str| s.exchanges.iter().position(|e| e.name == name).expect("validated");
        let mut link_of = BTreeMap::new();
        let mut kinds = BTreeMap::new();
        let mut publisher_exchange = BTreeMap::new();
        let mut consumers = BTreeMap::new();
        for (l, link) in topo.links.iter().enumerate() {
            if link.to != idx {
                continue;
            }
            link_of.insert(link.from, l as LinkIdx);
            let from = &specs[link.from as usize];
            if let Some(p) = from.spec_of::<RabbitPublisherSpec>() {
                publisher_exchange.insert(link.from, ex_idx(&p.exchange));
                for (k, m) in p.messages.iter().enumerate() {
                    kinds.insert((link.from, k as u32), (intern(&m.routing_key), m.headers.clone()));
                }
            } else if let Some(c) = from.spec_of::<RabbitConsumerSpec>() {
                let queue = s.queues.iter().position(|q| q.name == c.queue).expect("validated");
                consumers.insert(
                    link.from,
                    ConsumerState { queue, prefetch: u64::from(c.prefetch), active: false, unacked: BTreeMap::new() },
                );
            }
        }
        let queues = s
            .queues
            .iter()
            .map(|q| Queue {
                name: q.name.clone(),
                ttl_ns: q.message_ttl_ms.map(ms_to_ns),
                delivery_limit: q.delivery_limit,
                dlx: q.dead_letter_exchange.as_deref().map(ex_idx),
                dl_key: q.dead_letter_routing_key.as_deref().map(&mut intern),
                max_length: q.max_length,
                ready: VecDeque::new(),
                consumers: Vec::new(),
                next_consumer: 0,
                ttl_armed: false,
                unacked: 0,
                delivered: 0,
                acked: 0,
                redelivered: 0,
                dead_lettered: 0,
                expired: 0,
            })
            .collect();
        let binding_views = s
            .bindings
            .iter()
            .map(|b| BindingView {
                exchange: ex_idx(&b.exchange) as u16,
                queue: s.queues.iter().position(|q| q.name == b.queue).expect("validated") as u16,
                label: if b.headers.is_empty() {
                    b.key.clone()
                } else {
                    b.headers.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
                },
            })
            .collect();
        RabbitMq {
            binding_views,
            spec: s.clone(),
            keys,
            kinds,
            publisher_exchange,
            routes: BTreeMap::new(),
            queues,
            consumers,
            link_of,
            next_tag: 0,
            published: 0,
            discarded: 0,
            latency: LatencyHist::new(2),
            window_latency: WindowLatency::new(),
            last_sample: 0,
        }
    }

    /// Works out (once per exchange, routing key and message kind) which
    /// queues a message goes to; returns the key of that entry in `routes`.
    fn route(&mut self, exchange: usize, msg: &Message) -> RouteKey {
        let cache_key = (exchange, msg.routing_key, msg.publisher, msg.kind);
        if self.routes.contains_key(&cache_key) {
            return cache_key;
        }
        let headers = self.kinds.get(&(msg.publisher, msg.kind)).map(|k| k.1.clone()).unwrap_or_default();
        let name = &self.spec.exchanges[exchange].name;
        let queues: Vec<usize> = explain_route(&self.spec, name, &self.keys[msg.routing_key as usize], &headers)
            .into_iter()
            .map(|(q, _)| self.spec.queues.iter().position(|x| x.name == q).expect("bound queues exist"))
            .collect();
        self.routes.insert(cache_key, queues);
        cache_key
    }

    fn publish_to(&mut self, ctx: &mut Ctx, exchange: usize, msg: Message) {
        let route = self.route(exchange, &msg);
        let n_targets = self.routes[&route].len();
        if n_targets == 0 {
            self.discarded += 1;
            ctx.metrics().messaging.discarded += 1;
            ctx.metrics().record_response(Status::Dropped, 0);
            return;
        }
        // By index: enqueueing may dead-letter and route other messages.
        for i in 0..n_targets {
            let q = self.routes[&route][i];
            self.enqueue(ctx, q, Message { queue: q as u16, enqueued_ns: ctx.now(), ..msg });
        }
    }

    fn enqueue(&mut self, ctx: &mut Ctx, q: usize, msg: Message) {
        let len = self.queues[q].ready.len();
        // A broker-wide bound too (memory): past it, a long queue overflows.
        let broker_full =
            len >= 8_192 && self.queues.iter().map(|x| x.ready.len()).sum::<usize>() >= limits::MAX_RETAINED_RECORDS;
        if len as u64 >= self.queues[q].max_length || broker_full {
            // x-overflow=drop-head: the oldest goes.
            let old = self.queues[q].ready.pop_front().expect("full");
            self.dead_letter(ctx, q, old);
        }
        self.queues[q].ready.push_back(msg);
        self.arm_ttl(ctx, q);
        self.dispatch(ctx, q);
    }

    fn arm_ttl(&mut self, ctx: &mut Ctx, q: usize) {
        let queue = &mut self.queues[q];
        let (Some(ttl), Some(head), false) = (queue.ttl_ns, queue.ready.front(), queue.ttl_armed) else { return };
        queue.ttl_armed = true;
        let due = head.enqueued_ns + ttl;
        ctx.set_timer(due.saturating_sub(ctx.now()), TAG_TTL, q as u32);
    }

    /// Expired messages at the head leave (RabbitMQ expires from the head).
    fn expire_head(&mut self, ctx: &mut Ctx, q: usize) {
        let Some(ttl) = self.queues[q].ttl_ns else { return };
        while let Some(head) = self.queues[q].ready.front().copied() {
            if ctx.now() < head.enqueued_ns + ttl {
                break;
            }
            self.queues[q].ready.pop_front();
            self.queues[q].expired += 1;
            ctx.metrics().messaging.expired += 1;
            self.dead_letter(ctx, q, head);
        }
    }

    fn dispatch(&mut self, ctx: &mut Ctx, q: usize) {
        self.expire_head(ctx, q);
        loop {
            if self.queues[q].ready.is_empty() {
                break;
            }
            let queue = &self.queues[q];
            let n = queue.consumers.len();
            let pick = (0..n).map(|i| (queue.next_consumer + i) % n).find(|&i| {
                let c = &self.consumers[&queue.consumers[i]];
                c.active && (c.unacked.len() as u64) < c.prefetch
            });
            let Some(i) = pick else { break };
            let node = self.queues[q].consumers[i];
            self.queues[q].next_consumer = (i + 1) % n;
            let mut msg = self.queues[q].ready.pop_front().expect("not empty");
            msg.deliveries += 1;
            self.next_tag += 1;
            let tag = self.next_tag;
            self.queues[q].unacked += 1;
            self.queues[q].delivered += 1;
            self.consumers.get_mut(&node).expect("subscribed").unacked.insert(tag, msg);
            let link = self.link_of[&node];
            let deliver = RabbitMsg::Deliver { tag, kind: msg.kind, redelivered: msg.deliveries > 1 };
            ctx.send(link, Payload::own(deliver), MsgKind::Record, msg.kind);
            self.expire_head(ctx, q);
        }
    }

    fn dead_letter(&mut self, ctx: &mut Ctx, q: usize, msg: Message) {
        let age = ctx.now() - msg.created_ns;
        ctx.metrics().record_response(Status::Dropped, age);
        let queue = &mut self.queues[q];
        let Some(dlx) = queue.dlx.filter(|_| msg.dead_letters < MAX_DEAD_LETTERS) else {
            self.discarded += 1;
            ctx.metrics().messaging.discarded += 1;
            return;
        };
        queue.dead_lettered += 1;
        ctx.metrics().messaging.dead_lettered += 1;
        let routing_key = queue.dl_key.unwrap_or(msg.routing_key);
        let m = Message { routing_key, deliveries: 0, dead_letters: msg.dead_letters + 1, ..msg };
        self.publish_to(ctx, dlx, m);
    }

    /// Requeues what a consumer held (its connection closed).
    fn drop_consumer(&mut self, ctx: &mut Ctx, node: NodeIdx) {
        let c = self.consumers.get_mut(&node).expect("known");
        c.active = false;
        let q = c.queue;
        let held: Vec<Message> = std::mem::take(&mut c.unacked).into_values().collect();
        self.queues[q].consumers.retain(|&n| n != node);
        self.queues[q].next_consumer = 0;
        for msg in held.into_iter().rev() {
            self.queues[q].unacked -= 1;
            self.queues[q].redelivered += 1;
            ctx.metrics().messaging.redelivered += 1;
            self.queues[q].ready.push_front(msg);
        }
        self.dispatch(ctx, q);
    }

    pub fn rabbit_view(&self) -> RabbitView {
        RabbitView {
            exchanges: self.spec.exchanges.iter().map(|e| (e.name.clone(), e.kind.name())).collect(),
            bindings: self.binding_views.clone(),
            queues: self
                .queues
                .iter()
                .map(|q| QueueView {
                    name: q.name.clone(),
                    ready: q.ready.len() as u64,
                    unacked: q.unacked,
                    consumers: q.consumers.clone(),
                    acked: q.acked,
                    redelivered: q.redelivered,
                    dead_lettered: q.dead_lettered,
                    expired: q.expired,
                    dead_letter_exchange: q.dlx.map(|x| x as u16),
                })
                .collect(),
            discarded: self.discarded,
        }
    }
}

/// The broker as the UI draws it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RabbitView {
    /// (name, type).
    pub exchanges: Vec<(String, &'static str)>,
    pub bindings: Vec<BindingView>,
    pub queues: Vec<QueueView>,
    pub discarded: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BindingView {
    pub exchange: u16,
    pub queue: u16,
    /// The binding key, or the header arguments.
    pub label: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct QueueView {
    pub name: String,
    pub ready: u64,
    pub unacked: u64,
    pub consumers: Vec<NodeIdx>,
    pub acked: u64,
    pub redelivered: u64,
    pub dead_lettered: u64,
    pub expired: u64,
    pub dead_letter_exchange: Option<u16>,
}

/// Whole-run figures of one queue.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct QueueSummary {
    pub ready: u64,
    pub unacked: u64,
    pub delivered: u64,
    pub acked: u64,
    pub redelivered: u64,
    pub dead_lettered: u64,
    pub expired: u64,
}

impl Node for RabbitMq {
    fn start(&mut self, ctx: &mut Ctx) {
        if !self.consumers.is_empty() {
            ctx.set_timer(TICK_NS, TAG_TICK, 0);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx, from: NodeIdx, payload: Payload) {
        let msg = match payload.typed::<RabbitMsg>() {
            Delivery::Timer { tag: TAG_TICK, .. } => {
                let closed: Vec<NodeIdx> =
                    self.consumers.iter().filter(|(n, c)| c.active && !ctx.reaches(**n)).map(|(&n, _)| n).collect();
                for n in closed {
                    self.drop_consumer(ctx, n);
                }
                ctx.set_timer(TICK_NS, TAG_TICK, 0);
                return;
            }
            Delivery::Timer { tag: TAG_TTL, slot } => {
                let q = slot as usize;
                self.queues[q].ttl_armed = false;
                self.expire_head(ctx, q);
                self.arm_ttl(ctx, q);
                return;
            }
            Delivery::Msg(m) => m,
            _ => return,
        };
        match msg {
            RabbitMsg::Publish { id, kind, created_ns } => {
                self.published += 1;
                let Some(&ex) = self.publisher_exchange.get(&from) else { return };
                let routing_key = self.kinds.get(&(from, kind)).map_or(0, |k| k.0);
                let msg = Message {
                    id,
                    publisher: from,
                    kind,
                    routing_key,
                    created_ns,
                    enqueued_ns: ctx.now(),
                    deliveries: 0,
                    dead_letters: 0,
                    queue: 0,
                };
                self.publish_to(ctx, ex, msg);
            }
            RabbitMsg::Consume => {
                let Some(c) = self.consumers.get_mut(&from) else { return };
                if !c.active {
                    c.active = true;
                    let q = c.queue;
                    self.queues[q].consumers.push(from);
                    self.dispatch(ctx, q);
                }
            }
            RabbitMsg::Ack { tag } => {
                let Some(c) = self.consumers.get_mut(&from) else { return };
                let Some(m) = c.unacked.remove(&tag) else { return };
                let q = m.queue as usize;
                self.queues[q].unacked -= 1;
                self.queues[q].acked += 1;
                let latency = ctx.now() - m.created_ns;
                self.latency.record(latency);
                self.window_latency.record(latency);
                ctx.metrics().record_response(Status::Ok, latency);
                self.dispatch(ctx, q);
            }
            RabbitMsg::Nack { tag, requeue } => {
                let Some(c) = self.consumers.get_mut(&from) else { return };
                let Some(m) = c.unacked.remove(&tag) else { return };
                let q = m.queue as usize;
                self.queues[q].unacked -= 1;
                let over_limit = self.queues[q].delivery_limit.is_some_and(|l| m.deliveries > l);
                if requeue && !over_limit {
                    self.queues[q].redelivered += 1;
                    ctx.metrics().messaging.redelivered += 1;
                    self.queues[q].ready.push_front(m);
                } else {
                    self.dead_letter(ctx, q, m);
                }
                self.dispatch(ctx, q);
            }
            RabbitMsg::Deliver { .. } => {}
        }
    }

    fn view(&self) -> NodeView {
        NodeView {
            kind: "rabbitmq",
            queue_len: self.queues.iter().map(|q| q.ready.len() as u64).sum(),
            in_service: self.queues.iter().map(|q| q.unacked).sum(),
            completed: self.queues.iter().map(|q| q.acked).sum(),
            errors: self.discarded,
            own: Some(OwnPart::new(self.rabbit_view())),
            ..Default::default()
        }
    }

    fn sample(&mut self, _now: SimTime) -> NodeSample {
        let acked: u64 = self.queues.iter().map(|q| q.acked).sum();
        let s = NodeSample {
            completed: acked - self.last_sample,
            queue_len: self.queues.iter().map(|q| q.ready.len() as u64).sum(),
            latency_ms: self.window_latency.take_summary(),
            ..Default::default()
        };
        self.last_sample = acked;
        s
    }

    fn summary(&self, _now: SimTime, _topo: &Topology) -> NodeSummary {
        NodeSummary {
            kind: "rabbitmq",
            sent: Some(self.published),
            completed: Some(self.queues.iter().map(|q| q.acked).sum()),
            dropped: Some(self.discarded),
            latency_ms: Some(self.latency.summary()),
            own: Some(OwnSummary::new(
                "queues",
                self.queues
                    .iter()
                    .map(|q| {
                        (
                            q.name.clone(),
                            QueueSummary {
                                ready: q.ready.len() as u64,
                                unacked: q.unacked,
                                delivered: q.delivered,
                                acked: q.acked,
                                redelivered: q.redelivered,
                                dead_lettered: q.dead_lettered,
                                expired: q.expired,
                            },
                        )
                    })
                    .collect_map(),
            )),
            ..Default::default()
        }
    }
}

/// `rabbit_publisher`: publishes messages drawn by weight from its list.
#[derive(Clone)]
pub struct Publisher {
    link: LinkIdx,
    arrivals: ArrivalClock,
    /// Cumulative weights of the message kinds.
    cumulative: Vec<f64>,
    published: u64,
}

impl Publisher {
    pub fn new(s: &RabbitPublisherSpec, idx: NodeIdx, topo: &Topology) -> Self {
        let mut total = 0.0;
        Publisher {
            link: topo.out_links[idx as usize][0],
            arrivals: ArrivalClock::new(&s.arrivals, TAG_ARRIVAL),
            cumulative: s
                .messages
                .iter()
                .map(|m| {
                    total += m.weight;
                    total
                })
                .collect(),
            published: 0,
        }
    }
}

impl Node for Publisher {
    fn start(&mut self, ctx: &mut Ctx) {
        self.arrivals.schedule_next(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx, _from: NodeIdx, payload: Payload) {
        if let Payload::Timer { tag: TAG_ARRIVAL, slot } = payload
            && self.arrivals.is_current(slot)
        {
            let total = *self.cumulative.last().expect("validated: at least one message");
            let kind = if self.cumulative.len() == 1 {
                0
            } else {
                let x = ctx.rng().random::<f64>() * total;
                self.cumulative.iter().position(|&c| x < c).unwrap_or(self.cumulative.len() - 1)
            } as u32;
            let publish = RabbitMsg::Publish { id: ctx.new_request_id(), kind, created_ns: ctx.now() };
            self.published += 1;
            ctx.metrics().record_published();
            ctx.send(self.link, Payload::own(publish), MsgKind::Record, kind);
            self.arrivals.schedule_next(ctx);
        }
    }

    fn on_recover(&mut self, ctx: &mut Ctx) {
        self.arrivals.schedule_next(ctx);
    }

    fn set(&mut self, ctx: &mut Ctx, change: &Change) {
        if let Some(rate) = change.rate_per_s {
            self.arrivals.set_rate(ctx, rate);
        }
    }

    fn view(&self) -> NodeView {
        NodeView {
            kind: "rabbit_publisher",
            params: Some(OwnPart::new(SourceParams { arrivals: self.arrivals.spec().clone() })),
            completed: self.published,
            ..Default::default()
        }
    }

    fn sample(&mut self, _now: SimTime) -> NodeSample {
        NodeSample::default()
    }

    fn summary(&self, now: SimTime, _topo: &Topology) -> NodeSummary {
        NodeSummary {
            kind: "rabbit_publisher",
            sent: Some(self.published),
            throughput_per_s: Some(per_s(self.published, now)),
            ..Default::default()
        }
    }
}

/// `rabbit_consumer`: processes deliveries one at a time; acks, or nacks on failure.
#[derive(Clone)]
pub struct Consumer {
    link: LinkIdx,
    processing: Duration,
    failure_rate: f64,
    requeue: bool,
    join_at_ns: SimTime,
    /// (delivery tag, message kind) of the deliveries it holds.
    held: VecDeque<(u64, u32)>,
    busy: bool,
    acked: u64,
    nacked: u64,
    redeliveries_seen: u64,
    last_sample: u64,
}

impl Consumer {
    pub fn new(s: &RabbitConsumerSpec, idx: NodeIdx, topo: &Topology) -> Self {
        Consumer {
            link: topo.out_links[idx as usize][0],
            processing: service_time(&s.processing_time),
            failure_rate: s.failure_rate,
            requeue: s.requeue,
            join_at_ns: s_to_ns(s.join_at_s),
            held: VecDeque::new(),
            busy: false,
            acked: 0,
            nacked: 0,
            redeliveries_seen: 0,
            last_sample: 0,
        }
    }

    fn next(&mut self, ctx: &mut Ctx) {
        if self.busy || self.held.is_empty() {
            return;
        }
        self.busy = true;
        let d = self.processing.sample_ns(ctx.rng());
        ctx.set_timer(d, TAG_PROCESS, 0);
    }
}

impl Node for Consumer {
    fn start(&mut self, ctx: &mut Ctx) {
        ctx.set_timer(self.join_at_ns, TAG_JOIN, 0);
    }

    fn on_message(&mut self, ctx: &mut Ctx, _from: NodeIdx, payload: Payload) {
        match payload.typed::<RabbitMsg>() {
            Delivery::Timer { tag: TAG_JOIN, .. } => {
                ctx.send(self.link, Payload::own(RabbitMsg::Consume), MsgKind::Control, 0);
            }
            Delivery::Timer { tag: TAG_PROCESS, .. } => {
                self.busy = false;
                let Some((tag, kind)) = self.held.pop_front() else { return };
                let failed = self.failure_rate > 0.0 && ctx.rng().random::<f64>() < self.failure_rate;
                let reply = if failed {
                    self.nacked += 1;
                    RabbitMsg::Nack { tag, requeue: self.requeue }
                } else {
                    self.acked += 1;
                    RabbitMsg::Ack { tag }
                };
                let shown = if failed { MsgKind::Error } else { MsgKind::Ack };
                ctx.send(self.link, Payload::own(reply), shown, kind);
                self.next(ctx);
            }
            Delivery::Msg(RabbitMsg::Deliver { tag, kind, redelivered }) => {
                self.redeliveries_seen += u64::from(redelivered);
                self.held.push_back((tag, kind));
                self.next(ctx);
            }
            _ => {}
        }
    }

    fn on_fail(&mut self, _ctx: &mut Ctx) {
        self.held.clear();
        self.busy = false;
    }

    fn on_recover(&mut self, ctx: &mut Ctx) {
        if ctx.now() >= self.join_at_ns {
            ctx.send(self.link, Payload::own(RabbitMsg::Consume), MsgKind::Control, 0);
        }
    }

    fn view(&self) -> NodeView {
        NodeView {
            kind: "rabbit_consumer",
            workers: 1,
            in_service: u64::from(self.busy),
            queue_len: self.held.len().saturating_sub(usize::from(self.busy)) as u64,
            completed: self.acked,
            errors: self.nacked,
            ..Default::default()
        }
    }

    fn sample(&mut self, _now: SimTime) -> NodeSample {
        let s = NodeSample { completed: self.acked - self.last_sample, ..Default::default() };
        self.last_sample = self.acked;
        s
    }

    fn summary(&self, now: SimTime, _topo: &Topology) -> NodeSummary {
        NodeSummary {
            kind: "rabbit_consumer",
            completed: Some(self.acked),
            dropped: Some(self.nacked),
            redelivered: Some(self.redeliveries_seen),
            throughput_per_s: Some(per_s(self.acked, now)),
            ..Default::default()
        }
    }
}
