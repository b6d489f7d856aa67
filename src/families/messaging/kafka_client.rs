//! `kafka_producer` and `kafka_consumer`: Kafka's clients.
//!
//! ```text
//!  producer: arrival ─► partition (explicit │ murmur2(key) % n │ round-robin)
//!            ─► open batch of that partition ─(linger_ms or batch full)─► Produce
//!            ◄─ ack ─ done │ error or request_timeout ─► retry after backoff
//!
//!  consumer: JoinGroup ─► Joined(gen) ─► Fetch ─► records ─► process one by one
//!            ─► poll: commit if due (or before rejoining) ─► Fetch … ;
//!            a heartbeat says "rebalance" ─► finish the batch, commit, rejoin
//! ```
//! A consumer that crashes loses what it processed since its last commit:
//! the next owner of those partitions starts from the committed offset, so
//! those records are processed again (at-least-once), and counted as
//! duplicates by record id.

use std::collections::{BTreeMap, VecDeque};

use rand::Rng;

use super::kafka_cluster::{KEYLESS, KafkaError, KafkaMsg, Record};
use super::spec::{Acks, KafkaClusterSpec, KafkaConsumerSpec, KafkaProducerSpec};
use crate::families::messaging::kafka::kafka_partition;
use crate::families::ring::key_bytes;
use crate::families::web_tier::client::ArrivalClock;
use crate::sim::dist::{Duration, KeyDist};
use crate::sim::engine::{Ctx, Node, NodeSummary, NodeView, OwnPart, Payload, Status};
use crate::sim::family::Delivery;
use crate::sim::kind::NodeSpec;
use crate::sim::metrics::{LatencyHist, NodeSample, WindowLatency};
use crate::sim::spec::KeySpec;
use crate::sim::spec::service_time;
use crate::sim::time::{SimTime, ms_to_ns, per_s, s_to_ns};
use crate::sim::trace::MsgKind;
use crate::sim::validate::validate_service_time;
use crate::sim::validate::{Change, LinkIdx, NodeIdx, Problems, Topology, limits};

const TAG_ARRIVAL: u32 = 0;
const TAG_LINGER: u32 = 1;
const TAG_TIMEOUT: u32 = 2;
const TAG_RETRY: u32 = 3;
const TAG_JOIN: u32 = 4;
const TAG_LEAVE: u32 = 5;
const TAG_HEARTBEAT: u32 = 6;
const TAG_PROCESS: u32 = 7;

/// A producer's settings (`NodeView::params`): its rate and its acks now.
#[derive(Clone, Debug, PartialEq)]
pub struct ProducerParams {
    pub arrivals: crate::sim::spec::ArrivalSpec,
    pub acks: Acks,
}

pub fn validate_producer(s: &KafkaProducerSpec, path: &str, p: &mut Problems) {
    crate::families::web_tier::client::validate_arrivals(&s.arrivals, &format!("{path}.arrivals"), p);
    if let Some(keys) = &s.keys {
        crate::families::web_tier::client::validate_keys(keys, &format!("{path}.keys"), p);
        let n = match keys {
            KeySpec::Uniform { n_keys } | KeySpec::Zipf { n_keys, .. } => *n_keys,
        };
        if n > u64::from(KEYLESS) {
            p.add(format!("{path}.keys.n_keys"), format!("must be at most {KEYLESS} for a producer (got {n})"));
        }
    }
    p.range_f64(path, "linger_ms", s.linger_ms, 0.0, limits::MAX_DURATION_MS);
    p.range_u64(path, "batch_records", u64::from(s.batch_records), 1, u64::from(limits::MAX_BATCH_RECORDS));
    p.positive_f64(path, "request_timeout_ms", s.request_timeout_ms, limits::MAX_DURATION_MS);
    p.range_u64(path, "retries", u64::from(s.retries), 0, u64::from(limits::MAX_RETRIES));
    p.positive_f64(path, "delivery_timeout_ms", s.delivery_timeout_ms, limits::MAX_DURATION_MS);
    p.range_f64(path, "retry_backoff_ms", s.retry_backoff_ms, 0.0, limits::MAX_DURATION_MS);
}

pub fn validate_consumer(s: &KafkaConsumerSpec, path: &str, p: &mut Problems) {
    validate_service_time(&s.processing_time, &format!("{path}.processing_time"), p);
    p.range_u64(path, "max_poll_records", u64::from(s.max_poll_records), 1, u64::from(limits::MAX_BATCH_RECORDS));
    p.range_f64(path, "commit_interval_ms", s.commit_interval_ms, 0.0, limits::MAX_DURATION_MS);
    p.positive_f64(path, "session_timeout_ms", s.session_timeout_ms, limits::MAX_DURATION_MS);
    p.positive_f64(path, "heartbeat_interval_ms", s.heartbeat_interval_ms, limits::MAX_DURATION_MS);
    if s.heartbeat_interval_ms >= s.session_timeout_ms {
        p.add(
            format!("{path}.heartbeat_interval_ms"),
            format!("must be below session_timeout_ms ({}) (got {})", s.session_timeout_ms, s.heartbeat_interval_ms),
        );
    }
    p.range_f64(path, "failure_rate", s.failure_rate, 0.0, 1.0);
    p.range_u64(path, "max_retries", u64::from(s.max_retries), 0, 1_000);
    p.range_f64(path, "join_at_s", s.join_at_s, 0.0, limits::MAX_SIM_TIME_S);
    if let Some(l) = s.leave_at_s {
        p.range_f64(path, "leave_at_s", l, 0.0, limits::MAX_SIM_TIME_S);
        if l < s.join_at_s {
            p.add(format!("{path}.leave_at_s"), format!("must not be before join_at_s ({})", s.join_at_s));
        }
    }
}

/// A Kafka client, as its link is checked.
pub enum ClientSpec<'a> {
    Producer(&'a KafkaProducerSpec),
    Consumer(&'a KafkaConsumerSpec),
}

/// The cluster a Kafka client links to, checked: exactly one link, to a
/// `kafka_cluster` that has the topic (and the dead-letter topic).
pub fn validate_client_links(spec: ClientSpec, path: &str, out: &[&NodeSpec], p: &mut Problems) {
    let (id, topic, dlt, partition) = match spec {
        ClientSpec::Producer(s) => (&s.id, &s.topic, None, s.partition),
        ClientSpec::Consumer(s) => (&s.id, &s.topic, s.dead_letter_topic.as_ref(), None),
    };
    let Some(cluster) = (match out {
        [target] => target.spec_of::<KafkaClusterSpec>(),
        _ => None,
    }) else {
        p.add(path, format!("`{id}` needs exactly one outgoing link, to a kafka_cluster"));
        return;
    };
    let has = |t: &str| cluster.topics.iter().any(|x| x.name == t);
    if !has(topic) {
        p.add(format!("{path}.topic"), format!("`{topic}` is not a topic of `{}`", cluster.id));
    }
    if let Some(d) = dlt
        && !has(d)
    {
        p.add(format!("{path}.dead_letter_topic"), format!("`{d}` is not a topic of `{}`", cluster.id));
    }
    if let (Some(part), Some(t)) = (partition, cluster.topics.iter().find(|x| &x.name == topic))
        && part >= t.partitions
    {
        p.add(format!("{path}.partition"), format!("`{topic}` has partitions 0 to {} (got {part})", t.partitions - 1));
    }
}

/// The link to the cluster a Kafka client uses, and the cluster's spec
/// (`None` only for a scenario that was not validated).
pub fn cluster_of<'a>(idx: NodeIdx, topo: &Topology, specs: &'a [NodeSpec]) -> Option<(LinkIdx, &'a KafkaClusterSpec)> {
    let (link, to) = topo.target_of(idx)?;
    Some((link, specs[to as usize].spec_of::<KafkaClusterSpec>()?))
}

fn cluster_of_validated<'a>(idx: NodeIdx, topo: &Topology, specs: &'a [NodeSpec]) -> (LinkIdx, &'a KafkaClusterSpec) {
    cluster_of(idx, topo, specs).expect("validated: a Kafka client links to a kafka_cluster")
}

/// A topic's number in its cluster and its partition count.
pub fn topic_of(c: &KafkaClusterSpec, name: &str) -> Option<(u16, u32)> {
    let t = c.topics.iter().position(|t| t.name == name)?;
    Some((t as u16, c.topics[t].partitions))
}

#[derive(Clone)]
struct OpenBatch {
    records: Vec<Record>,
    deadline_ns: SimTime,
}

#[derive(Clone)]
struct InFlight {
    partition: u32,
    records: Vec<Record>,
    attempts: u32,
    sent_ns: SimTime,
}

#[derive(Clone)]
pub struct Producer {
    link: LinkIdx,
    topic: u16,
    n_partitions: u32,
    keys: Option<KeyDist>,
    fixed_partition: Option<u32>,
    acks: Acks,
    linger_ns: SimTime,
    batch_records: usize,
    timeout_ns: SimTime,
    retries: u32,
    backoff_ns: SimTime,
    delivery_timeout_ns: SimTime,
    arrivals: ArrivalClock,
    next_round_robin: u32,
    open: Vec<Option<OpenBatch>>,
    in_flight: BTreeMap<u64, InFlight>,
    next_batch: u64,
    /// Records made and not yet acknowledged or given up on.
    buffered: u64,
    me: NodeIdx,
    produced: u64,
    acked: u64,
    failed: u64,
    retried: u64,
    ack_latency: LatencyHist,
    window_ack_latency: WindowLatency,
    last_sample: u64,
}

impl Producer {
    pub fn new(s: &KafkaProducerSpec, idx: NodeIdx, topo: &Topology, specs: &[NodeSpec]) -> Self {
        let (link, cluster) = cluster_of_validated(idx, topo, specs);
        let (topic, n_partitions) = topic_of(cluster, &s.topic).expect("validated topic");
        Producer {
            link,
            topic,
            n_partitions,
            keys: s.keys.as_ref().map(|k| match *k {
                KeySpec::Uniform { n_keys } => KeyDist::uniform(n_keys),
                KeySpec::Zipf { n_keys, exponent } => KeyDist::zipf(n_keys, exponent),
            }),
            fixed_partition: s.partition,
            acks: s.acks,
            linger_ns: ms_to_ns(s.linger_ms),
            batch_records: s.batch_records as usize,
            timeout_ns: ms_to_ns(s.request_timeout_ms),
            retries: s.retries,
            backoff_ns: ms_to_ns(s.retry_backoff_ms),
            delivery_timeout_ns: ms_to_ns(s.delivery_timeout_ms),
            arrivals: ArrivalClock::new(&s.arrivals, TAG_ARRIVAL),
            next_round_robin: 0,
            open: (0..n_partitions).map(|_| None).collect(),
            in_flight: BTreeMap::new(),
            next_batch: 0,
            buffered: 0,
            me: idx,
            produced: 0,
            acked: 0,
            failed: 0,
            retried: 0,
            ack_latency: LatencyHist::new(2),
            window_ack_latency: WindowLatency::new(),
            last_sample: 0,
        }
    }

    fn new_record(&mut self, ctx: &mut Ctx) {
        if self.buffered >= limits::MAX_PRODUCER_BUFFER {
            // `buffer.memory` is full (the leader has been away a long
            // time): the send fails at once, as after `max.block.ms`.
            self.produced += 1;
            self.failed += 1;
            ctx.metrics().record_published();
            ctx.metrics().messaging.failed += 1;
            return;
        }
        self.buffered += 1;
        let key = match &self.keys {
            Some(k) => k.sample(ctx.rng()) as u32,
            None => KEYLESS,
        };
        let partition = match (self.fixed_partition, key) {
            (Some(p), _) => p,
            (None, KEYLESS) => {
                let p = self.next_round_robin % self.n_partitions;
                self.next_round_robin = self.next_round_robin.wrapping_add(1);
                p
            }
            (None, k) => kafka_partition(key_bytes(u64::from(k), &mut [0; 24]), self.n_partitions),
        };
        let r = Record {
            id: ctx.new_request_id(),
            key,
            producer: self.me,
            topic: self.topic,
            partition,
            offset: 0,
            created_ns: ctx.now(),
            acks: self.acks,
        };
        self.produced += 1;
        ctx.metrics().record_published();
        let now = ctx.now();
        let slot = &mut self.open[partition as usize];
        let batch = slot.get_or_insert_with(|| OpenBatch { records: Vec::new(), deadline_ns: now + self.linger_ns });
        batch.records.push(r);
        if batch.records.len() >= self.batch_records || self.linger_ns == 0 {
            self.send_open(ctx, partition);
        } else if batch.records.len() == 1 {
            ctx.set_timer(self.linger_ns, TAG_LINGER, partition);
        }
    }

    fn send_open(&mut self, ctx: &mut Ctx, partition: u32) {
        let Some(batch) = self.open[partition as usize].take() else { return };
        self.next_batch += 1;
        let id = self.next_batch;
        let f = InFlight { partition, records: batch.records, attempts: 0, sent_ns: ctx.now() };
        self.transmit(ctx, id, f);
    }

    fn transmit(&mut self, ctx: &mut Ctx, id: u64, mut f: InFlight) {
        f.attempts += 1;
        let (key, n) = (f.records[0].key, f.records.len() as u64);
        // acks=0 forgets a batch once sent; otherwise keep a copy to retry.
        let fire_and_forget = self.acks == Acks::None;
        let records = if fire_and_forget { std::mem::take(&mut f.records) } else { f.records.clone() };
        let body = ctx.put_body(records);
        let msg = KafkaMsg::Produce { batch: id, topic: self.topic, partition: f.partition, acks: self.acks, body };
        ctx.send(self.link, Payload::own(msg), MsgKind::Record, key);
        if fire_and_forget {
            self.buffered -= n;
            return;
        }
        ctx.set_timer(self.timeout_ns, TAG_TIMEOUT, id as u32);
        f.sent_ns = ctx.now();
        self.in_flight.insert(id, f);
    }

    /// A batch failed (error or timeout): retry after the backoff, or give up.
    fn failed_batch(&mut self, ctx: &mut Ctx, id: u64) {
        let Some(f) = self.in_flight.get(&id) else { return };
        let deadline = f.records[0].created_ns + self.delivery_timeout_ns;
        if f.attempts > self.retries || ctx.now() + self.backoff_ns > deadline {
            let n = f.records.len() as u64;
            self.failed += n;
            ctx.metrics().messaging.failed += n;
            self.buffered -= n;
            self.in_flight.remove(&id);
            return;
        }
        self.retried += 1;
        ctx.set_timer(self.backoff_ns, TAG_RETRY, id as u32);
    }

    /// The in-flight batch a timer is for: timers carry a batch id's low 32
    /// bits, and the batch is the newest id with those bits.
    fn batch_id(&self, low: u32) -> Option<u64> {
        let mut id = (self.next_batch & !0xffff_ffff) | u64::from(low);
        if id > self.next_batch {
            id = id.wrapping_sub(1 << 32);
        }
        self.in_flight.contains_key(&id).then_some(id)
    }
}

impl Node for Producer {
    fn start(&mut self, ctx: &mut Ctx) {
        self.arrivals.schedule_next(ctx);
    }

    fn on_message(&mut self, ctx: &mut Ctx, _from: NodeIdx, payload: Payload) {
        match payload.typed::<KafkaMsg>() {
            Delivery::Timer { tag: TAG_ARRIVAL, slot } if self.arrivals.is_current(slot) => {
                self.new_record(ctx);
                self.arrivals.schedule_next(ctx);
            }
            Delivery::Timer { tag: TAG_LINGER, slot }
                if self.open[slot as usize].as_ref().is_some_and(|b| ctx.now() >= b.deadline_ns) =>
            {
                self.send_open(ctx, slot);
            }
            Delivery::Timer { tag: TAG_TIMEOUT, slot } => {
                if let Some(id) = self.batch_id(slot)
                    && ctx.now() >= self.in_flight[&id].sent_ns + self.timeout_ns
                {
                    self.failed_batch(ctx, id);
                }
            }
            Delivery::Timer { tag: TAG_RETRY, slot } => {
                if let Some(id) = self.batch_id(slot) {
                    let f = self.in_flight.remove(&id).expect("found");
                    self.transmit(ctx, id, f);
                }
            }
            Delivery::Msg(KafkaMsg::ProduceResponse { batch, error }) => {
                // A late answer to an attempt already retried still counts.
                let Some(f) = self.in_flight.get(&batch) else { return };
                match error {
                    None => {
                        let n = f.records.len() as u64;
                        let latency = ctx.now() - f.records[0].created_ns;
                        self.ack_latency.record(latency);
                        self.window_ack_latency.record(latency);
                        self.acked += n;
                        ctx.metrics().messaging.acked += n;
                        self.buffered -= n;
                        self.in_flight.remove(&batch);
                    }
                    Some(_) => self.failed_batch(ctx, batch),
                }
            }
            _ => {}
        }
    }

    fn on_fail(&mut self, ctx: &mut Ctx) {
        // Unsent and unacknowledged records die with the process.
        let n: u64 = self.open.iter().flatten().map(|b| b.records.len() as u64).sum::<u64>()
            + self.in_flight.values().map(|f| f.records.len() as u64).sum::<u64>();
        self.failed += n;
        ctx.metrics().messaging.failed += n;
        self.buffered = 0;
        self.open.iter_mut().for_each(|b| *b = None);
        self.in_flight.clear();
    }

    fn on_recover(&mut self, ctx: &mut Ctx) {
        self.arrivals.schedule_next(ctx);
    }

    fn set(&mut self, ctx: &mut Ctx, change: &Change) {
        if let Some(rate) = change.rate_per_s {
            self.arrivals.set_rate(ctx, rate);
        }
        // Batches already sent keep the acks they were sent with.
        if let Some(acks) = change.acks {
            self.acks = acks;
        }
    }

    fn view(&self) -> NodeView {
        NodeView {
            kind: "kafka_producer",
            params: Some(OwnPart::new(ProducerParams { arrivals: self.arrivals.spec().clone(), acks: self.acks })),
            in_service: self.in_flight.len() as u64,
            queue_len: self.open.iter().flatten().map(|b| b.records.len() as u64).sum(),
            completed: self.acked,
            errors: self.failed,
            ..Default::default()
        }
    }

    fn sample(&mut self, _now: SimTime) -> NodeSample {
        let s = NodeSample {
            completed: self.acked - self.last_sample,
            latency_ms: self.window_ack_latency.take_summary(),
            ..Default::default()
        };
        self.last_sample = self.acked;
        s
    }

    fn summary(&self, now: SimTime, _topo: &Topology) -> NodeSummary {
        NodeSummary {
            kind: "kafka_producer",
            sent: Some(self.produced),
            completed: Some(self.acked),
            dropped: Some(self.failed),
            throughput_per_s: Some(per_s(self.produced, now)),
            latency_ms: (self.acks != Acks::None).then(|| self.ack_latency.summary()),
            retries: Some(self.retried),
            ..Default::default()
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Not yet joined, or left.
    Idle,
    Joining,
    Fetching,
    Processing,
}

#[derive(Clone)]
pub struct Consumer {
    link: LinkIdx,
    /// Scenario-wide group number (duplicate detection).
    group_key: usize,
    processing: Duration,
    commit_interval_ns: SimTime,
    heartbeat_ns: SimTime,
    failure_rate: f64,
    max_retries: u32,
    dlt: Option<(u16, u32)>,
    join_at_ns: SimTime,
    leave_at_ns: Option<SimTime>,
    state: State,
    leaving: bool,
    generation: u32,
    rebalance_pending: bool,
    buffer: VecDeque<Record>,
    attempts: u32,
    /// Next offset to commit, per partition processed since the last commit.
    to_commit: BTreeMap<u32, u64>,
    last_commit_ns: SimTime,
    processed: u64,
    duplicates: u64,
    /// Per partition, this generation: the last (producer, record id) processed.
    last_seen: BTreeMap<u32, (NodeIdx, u64)>,
    out_of_order: u64,
    dead_lettered: u64,
    dropped: u64,
    latency: LatencyHist,
    window_latency: WindowLatency,
    last_sample: u64,
    next_dlt_batch: u64,
}

impl Consumer {
    pub fn new(s: &KafkaConsumerSpec, idx: NodeIdx, topo: &Topology, specs: &[NodeSpec]) -> Self {
        let (link, cluster) = cluster_of_validated(idx, topo, specs);
        // Groups are numbered by first appearance across the scenario.
        let mut groups: Vec<(&str, &str)> = Vec::new();
        for spec in specs {
            if let Some(c) = spec.spec_of::<KafkaConsumerSpec>()
                && !groups.contains(&(c.group.as_str(), c.topic.as_str()))
            {
                groups.push((&c.group, &c.topic));
            }
        }
        let group_key = groups.iter().position(|g| *g == (s.group.as_str(), s.topic.as_str())).expect("listed");
        Consumer {
            link,
            group_key,
            processing: service_time(&s.processing_time),
            commit_interval_ns: ms_to_ns(s.commit_interval_ms),
            heartbeat_ns: ms_to_ns(s.heartbeat_interval_ms).max(1),
            failure_rate: s.failure_rate,
            max_retries: s.max_retries,
            dlt: s.dead_letter_topic.as_ref().map(|d| topic_of(cluster, d).expect("validated topic")),
            join_at_ns: s_to_ns(s.join_at_s),
            leave_at_ns: s.leave_at_s.map(s_to_ns),
            state: State::Idle,
            leaving: false,
            generation: 0,
            rebalance_pending: false,
            buffer: VecDeque::new(),
            attempts: 0,
            to_commit: BTreeMap::new(),
            last_commit_ns: 0,
            processed: 0,
            duplicates: 0,
            last_seen: BTreeMap::new(),
            out_of_order: 0,
            dead_lettered: 0,
            dropped: 0,
            latency: LatencyHist::new(2),
            window_latency: WindowLatency::new(),
            last_sample: 0,
            next_dlt_batch: 0,
        }
    }

    fn send(&self, ctx: &mut Ctx, msg: KafkaMsg, kind: MsgKind) {
        ctx.send(self.link, Payload::own(msg), kind, 0);
    }

    fn join(&mut self, ctx: &mut Ctx) {
        self.state = State::Joining;
        self.buffer.clear();
        self.send(ctx, KafkaMsg::JoinGroup, MsgKind::Control);
    }

    fn commit(&mut self, ctx: &mut Ctx) {
        self.last_commit_ns = ctx.now();
        if self.to_commit.is_empty() {
            return;
        }
        let offsets: Vec<(u32, u64)> = std::mem::take(&mut self.to_commit).into_iter().collect();
        let body = ctx.put_body(offsets);
        self.send(ctx, KafkaMsg::Commit { generation: self.generation, body }, MsgKind::Ack);
    }

    /// Between batches: commit if due, then rejoin, leave or fetch.
    fn poll(&mut self, ctx: &mut Ctx) {
        let due = ctx.now() >= self.last_commit_ns + self.commit_interval_ns;
        if due || self.rebalance_pending || self.leaving {
            self.commit(ctx);
        }
        if self.leaving {
            self.state = State::Idle;
            self.send(ctx, KafkaMsg::LeaveGroup, MsgKind::Control);
        } else if self.rebalance_pending {
            self.rebalance_pending = false;
            self.join(ctx);
        } else {
            self.state = State::Fetching;
            self.send(ctx, KafkaMsg::Fetch { generation: self.generation }, MsgKind::Control);
        }
    }

    fn process_next(&mut self, ctx: &mut Ctx) {
        if self.buffer.is_empty() {
            return self.poll(ctx);
        }
        self.state = State::Processing;
        self.attempts = 0;
        let d = self.processing.sample_ns(ctx.rng());
        ctx.set_timer(d, TAG_PROCESS, 0);
    }

    fn finish_record(&mut self, ctx: &mut Ctx) {
        let r = *self.buffer.front().expect("processing a record");
        let failed = self.failure_rate > 0.0 && ctx.rng().random::<f64>() < self.failure_rate;
        if failed && self.attempts < self.max_retries {
            self.attempts += 1;
            let d = self.processing.sample_ns(ctx.rng());
            ctx.set_timer(d, TAG_PROCESS, 0);
            return;
        }
        self.buffer.pop_front();
        self.to_commit.insert(r.partition, r.offset + 1);
        let dup = ctx.metrics().record_processed(self.group_key, r.id);
        self.duplicates += u64::from(dup);
        // Within a partition, one producer's records should come in the order it made them.
        if let Some(&(producer, id)) = self.last_seen.get(&r.partition)
            && producer == r.producer
            && r.id < id
        {
            self.out_of_order += 1;
        }
        self.last_seen.insert(r.partition, (r.producer, r.id));
        let latency = ctx.now() - r.created_ns;
        if failed {
            match self.dlt {
                Some((topic, n)) => {
                    self.dead_lettered += 1;
                    ctx.metrics().messaging.dead_lettered += 1;
                    let partition = if r.key == KEYLESS {
                        0
                    } else {
                        kafka_partition(key_bytes(u64::from(r.key), &mut [0; 24]), n)
                    };
                    let rec = Record { topic, partition, offset: 0, acks: Acks::Leader, ..r };
                    let body = ctx.put_body(vec![rec]);
                    self.next_dlt_batch += 1;
                    let msg =
                        KafkaMsg::Produce { batch: self.next_dlt_batch, topic, partition, acks: Acks::Leader, body };
                    ctx.send(self.link, Payload::own(msg), MsgKind::Error, r.key);
                }
                None => {
                    self.dropped += 1;
                    ctx.metrics().messaging.discarded += 1;
                }
            }
            ctx.metrics().record_response(Status::Dropped, latency);
        } else {
            self.processed += 1;
            self.latency.record(latency);
            self.window_latency.record(latency);
            ctx.metrics().record_response(Status::Ok, latency);
        }
        self.process_next(ctx);
    }
}

impl Node for Consumer {
    fn start(&mut self, ctx: &mut Ctx) {
        ctx.set_timer(self.join_at_ns, TAG_JOIN, 0);
        if let Some(t) = self.leave_at_ns {
            ctx.set_timer(t, TAG_LEAVE, 0);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx, _from: NodeIdx, payload: Payload) {
        match payload.typed::<KafkaMsg>() {
            Delivery::Timer { tag: TAG_JOIN, .. } if !self.leaving && self.state == State::Idle => {
                self.join(ctx);
                ctx.set_timer(self.heartbeat_ns, TAG_HEARTBEAT, 0);
            }
            Delivery::Timer { tag: TAG_LEAVE, .. } => {
                self.leaving = true;
                // Fetching or joining: leave now; processing: after the batch.
                if matches!(self.state, State::Fetching | State::Joining) {
                    self.poll(ctx);
                }
            }
            Delivery::Timer { tag: TAG_HEARTBEAT, .. } if self.state != State::Idle => {
                self.send(ctx, KafkaMsg::Heartbeat { generation: self.generation }, MsgKind::Control);
                ctx.set_timer(self.heartbeat_ns, TAG_HEARTBEAT, 0);
            }
            Delivery::Timer { tag: TAG_PROCESS, .. } if self.state == State::Processing => {
                self.finish_record(ctx);
            }
            Delivery::Msg(KafkaMsg::Joined { generation }) if self.state == State::Joining => {
                self.generation = generation;
                self.last_seen.clear();
                self.last_commit_ns = ctx.now();
                self.poll(ctx);
            }
            Delivery::Msg(KafkaMsg::HeartbeatResponse { rebalance }) if rebalance && self.state != State::Joining => {
                self.rebalance_pending = true;
            }
            Delivery::Msg(KafkaMsg::FetchResponse { generation, error, body }) => {
                let Some(records) = ctx.take_body::<Vec<Record>>(body) else { return };
                if self.state != State::Fetching {
                    return;
                }
                if error == Some(KafkaError::Rebalance) || generation != self.generation {
                    self.rebalance_pending = true;
                    return self.poll(ctx);
                }
                self.buffer.extend(records);
                self.process_next(ctx);
            }
            _ => {}
        }
    }

    fn on_fail(&mut self, _ctx: &mut Ctx) {
        // Processed but uncommitted work is lost with the process.
        self.state = State::Idle;
        self.buffer.clear();
        self.to_commit.clear();
        self.rebalance_pending = false;
    }

    fn on_recover(&mut self, ctx: &mut Ctx) {
        if !self.leaving && ctx.now() >= self.join_at_ns {
            self.join(ctx);
            ctx.set_timer(self.heartbeat_ns, TAG_HEARTBEAT, 0);
        }
    }

    fn view(&self) -> NodeView {
        NodeView {
            kind: "kafka_consumer",
            in_service: u64::from(self.state == State::Processing),
            workers: 1,
            queue_len: self.buffer.len() as u64,
            completed: self.processed,
            errors: self.dead_lettered + self.dropped,
            ..Default::default()
        }
    }

    fn sample(&mut self, _now: SimTime) -> NodeSample {
        let s = NodeSample {
            completed: self.processed - self.last_sample,
            queue_len: self.buffer.len() as u64,
            latency_ms: self.window_latency.take_summary(),
            ..Default::default()
        };
        self.last_sample = self.processed;
        s
    }

    fn summary(&self, now: SimTime, _topo: &Topology) -> NodeSummary {
        NodeSummary {
            kind: "kafka_consumer",
            completed: Some(self.processed),
            dropped: Some(self.dropped),
            dead_lettered: Some(self.dead_lettered),
            duplicates: Some(self.duplicates),
            out_of_order: Some(self.out_of_order),
            throughput_per_s: Some(per_s(self.processed, now)),
            latency_ms: Some(self.latency.summary()),
            ..Default::default()
        }
    }
}
