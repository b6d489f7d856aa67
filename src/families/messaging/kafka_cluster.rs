//! `kafka_cluster`: brokers holding replicated partition logs, the
//! controller that elects leaders, and the group coordinator.
//!
//! ```text
//!  producer ──Produce(batch)──► leader replica ── log end (LEO) grows
//!                                  │  followers fetch every replica_fetch_ms
//!                                  ▼
//!              high watermark = min LEO over the ISR ──► acks=all answered
//!                                  │                    ──► visible to consumers
//!  consumer ──Fetch──► coordinator: the group's assignment, positions from
//!             ◄─records─  committed offsets; Heartbeat / JoinGroup / Commit
//!
//!  broker dies ─(broker_session_timeout_ms)─► controller: out of every ISR;
//!     its leaderships go to the first live ISR member (clean), or to any live
//!     replica if unclean election is on (the log is cut to its end: lost).
//! ```
//! One node holds the whole cluster; brokers are its parts, failed and
//! recovered by the timeline (`{"fail": "<id>", "broker": 1}`). Replicas of
//! a partition share one log: every replica's log is a prefix of it (a
//! replica is its log end offset), which is what Kafka's truncation on a
//! leader change guarantees. Records are checked for loss when the log is
//! cut, and for duplicates by the consumers (by record id).

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

use super::spec::{Acks, Assignor, KafkaClusterSpec, KafkaConsumerSpec};
use crate::families::messaging::kafka::{range_assign, round_robin_assign};
use crate::sim::engine::{BodyId, Ctx, Node, NodeSummary, NodeView, OwnPart, OwnSummary, Payload};
use crate::sim::family::{CollectMap, Delivery, Message, PartState};
use crate::sim::kind::NodeSpec;
use crate::sim::kind::PartsOf;
use crate::sim::metrics::NodeSample;
use crate::sim::time::{SimTime, ms_to_ns};
use crate::sim::trace::MsgKind;
use crate::sim::validate::{LinkIdx, NodeIdx, Problems, Topology, limits};

/// A record without a key (spread round-robin).
pub const KEYLESS: u32 = u32::MAX;

const TAG_TICK: u32 = 0;
const TAG_FENCE: u32 = 1;
const TAG_FETCH_WAIT: u32 = 2;

/// One record, as a producer made it and as the log stores it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Record {
    /// Unique per record made (a retried batch keeps its ids): what
    /// duplicates are detected by.
    pub id: u64,
    /// Key number k (the key is the string `key-k`), or [`KEYLESS`].
    pub key: u32,
    pub producer: NodeIdx,
    pub topic: u16,
    pub partition: u32,
    /// Set by the leader on append.
    pub offset: u64,
    pub created_ns: SimTime,
    /// The producer's `acks`: whether this record counted as written.
    pub acks: Acks,
}

/// Kafka's errors, as far as the simulation needs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum KafkaError {
    /// The partition has no live leader (`NOT_LEADER_OR_FOLLOWER`).
    NotLeader,
    /// acks=all and the ISR is smaller than `min_insync_replicas`.
    NotEnoughReplicas,
    /// The group is rebalancing; rejoin (`REBALANCE_IN_PROGRESS`).
    Rebalance,
}

/// The protocol between producers, consumers and the cluster.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KafkaMsg {
    Produce {
        batch: u64,
        topic: u16,
        partition: u32,
        acks: Acks,
        body: BodyId,
    },
    ProduceResponse {
        batch: u64,
        error: Option<KafkaError>,
    },
    JoinGroup,
    /// The rebalance is over: fetch under this generation.
    Joined {
        generation: u32,
    },
    Heartbeat {
        generation: u32,
    },
    HeartbeatResponse {
        rebalance: bool,
    },
    LeaveGroup,
    Fetch {
        generation: u32,
    },
    FetchResponse {
        generation: u32,
        error: Option<KafkaError>,
        body: BodyId,
    },
    Commit {
        generation: u32,
        body: BodyId,
    },
}

impl Message for KafkaMsg {
    fn body(&self) -> Option<BodyId> {
        match *self {
            KafkaMsg::Produce { body, .. } | KafkaMsg::FetchResponse { body, .. } | KafkaMsg::Commit { body, .. } => {
                Some(body)
            }
            _ => None,
        }
    }
}

/// A cluster's brokers, as the timeline names them: each fails and recovers
/// on its own (`broker`), and the cluster never fails whole.
pub fn parts(s: &KafkaClusterSpec) -> PartsOf {
    PartsOf {
        field: "broker",
        plural: "brokers",
        a_kind: "a Kafka cluster",
        count: s.brokers,
        must_name: true,
        membership: None,
    }
}

pub fn validate(s: &KafkaClusterSpec, path: &str, p: &mut Problems) {
    p.range_u64(path, "brokers", u64::from(s.brokers), 1, u64::from(limits::MAX_BROKERS));
    p.positive_f64(path, "replica_fetch_ms", s.replica_fetch_ms, limits::MAX_DURATION_MS);
    if s.replica_fetch_ms.is_finite() && s.replica_fetch_ms < 0.1 {
        p.add(format!("{path}.replica_fetch_ms"), format!("must be at least 0.1 (got {})", s.replica_fetch_ms));
    }
    p.positive_f64(path, "replica_lag_time_max_ms", s.replica_lag_time_max_ms, limits::MAX_DURATION_MS);
    p.positive_f64(path, "broker_session_timeout_ms", s.broker_session_timeout_ms, limits::MAX_DURATION_MS);
    p.positive_f64(path, "fetch_max_wait_ms", s.fetch_max_wait_ms, limits::MAX_DURATION_MS);
    if s.topics.is_empty() {
        p.add(format!("{path}.topics"), "must list at least one topic");
    }
    if s.topics.len() > limits::MAX_TOPICS {
        p.add(format!("{path}.topics"), format!("must list at most {} topics", limits::MAX_TOPICS));
        return;
    }
    let mut total = 0u32;
    for (i, t) in s.topics.iter().enumerate() {
        let tp = format!("{path}.topics[{i}]");
        if t.name.is_empty()
            || t.name.len() > 249
            || !t.name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            p.add(format!("{tp}.name"), "must be 1 to 249 letters, digits, `.`, `_` or `-` (Kafka's rule)");
        }
        if s.topics[..i].iter().any(|o| o.name == t.name) {
            p.add(format!("{tp}.name"), format!("`{}` is used by another topic", t.name));
        }
        p.range_u64(&tp, "partitions", u64::from(t.partitions), 1, u64::from(limits::MAX_PARTITIONS));
        total = total.saturating_add(t.partitions);
        if t.replication_factor < 1 || t.replication_factor > s.brokers {
            p.add(
                format!("{tp}.replication_factor"),
                format!("must be between 1 and the number of brokers, {} (got {})", s.brokers, t.replication_factor),
            );
        }
        if t.min_insync_replicas < 1 || t.min_insync_replicas > t.replication_factor {
            p.add(
                format!("{tp}.min_insync_replicas"),
                format!(
                    "must be between 1 and replication_factor, {} (got {})",
                    t.replication_factor, t.min_insync_replicas
                ),
            );
        }
    }
    if total > limits::MAX_TOTAL_PARTITIONS {
        p.add(
            format!("{path}.topics"),
            format!("have {total} partitions together; at most {} are allowed", limits::MAX_TOTAL_PARTITIONS),
        );
    }
}

/// One partition: its replicas and the log they share.
#[derive(Clone, Debug)]
struct Partition {
    topic: u16,
    index: u32,
    min_isr: usize,
    /// Broker numbers; the first is the preferred leader.
    replicas: Vec<u32>,
    /// Slot in `replicas` of the leader; `None` while offline.
    leader: Option<usize>,
    /// Replica slots in sync with the leader (the leader included).
    isr: Vec<usize>,
    /// Log end offset of each replica slot.
    leo: Vec<u64>,
    /// The leader's log end when each follower's current fetch was sent.
    fetch_target: Vec<u64>,
    /// When each follower was last caught up with the leader.
    caught_up_ns: Vec<SimTime>,
    hw: u64,
    log_start: u64,
    log: VecDeque<Record>,
    /// acks=all batches waiting for the high watermark: (end offset, batch, producer).
    pending: VecDeque<(u64, u64, NodeIdx)>,
    leader_epoch: u32,
}

impl Partition {
    fn log_end(&self) -> u64 {
        self.log_start + self.log.len() as u64
    }

    fn leader_broker(&self) -> Option<u32> {
        self.leader.map(|s| self.replicas[s])
    }
}

#[derive(Clone, Debug, Default)]
struct Member {
    last_seen_ns: SimTime,
    session_ns: SimTime,
    /// Rejoined for the rebalance in progress.
    joined: bool,
    /// A fetch with no data is parked here: its sequence number (timers
    /// carry it) while waiting.
    parked: Option<u32>,
}

#[derive(Clone, Debug)]
struct Group {
    name: String,
    topic: u16,
    assignor: Assignor,
    /// Index of the group across the whole scenario (duplicate detection).
    members: BTreeMap<NodeIdx, Member>,
    generation: u32,
    rebalancing: bool,
    rebalance_deadline_ns: SimTime,
    /// Owner of each partition of the topic.
    owner: Vec<Option<NodeIdx>>,
    /// Next offset to read, per partition, as last committed.
    committed: Vec<u64>,
    /// Fetch position of the current owner (the fetch session).
    position: Vec<u64>,
    rebalances: u64,
}

/// What a consumer linked to the cluster reads (from its spec).
#[derive(Clone, Debug)]
struct ConsumerCfg {
    group: usize,
    max_poll_records: usize,
    session_ns: SimTime,
}

#[derive(Clone)]
pub struct KafkaCluster {
    spec: KafkaClusterSpec,
    ids: Vec<String>,
    broker_up: Vec<bool>,
    /// Bumped on each failure so a stale fence timer is ignored.
    broker_incarnation: Vec<u32>,
    topics: Vec<String>,
    /// First partition of each topic in `partitions`.
    topic_base: Vec<usize>,
    partitions: Vec<Partition>,
    groups: Vec<Group>,
    consumers: BTreeMap<NodeIdx, ConsumerCfg>,
    /// The link each producer or consumer reaches the cluster by.
    link_of: BTreeMap<NodeIdx, LinkIdx>,
    tick_ns: SimTime,
    lag_max_ns: SimTime,
    fence_ns: SimTime,
    fetch_wait_ns: SimTime,
    /// Records kept per partition (retention by count).
    retain: usize,
    park_seq: u32,
    // Counters.
    appended: u64,
    elections: u64,
    unclean_elections: u64,
    lost: u64,
    retention_skipped: u64,
    last_sample_appended: u64,
}

impl KafkaCluster {
    /// `group_base`: the scenario-wide index of this cluster's first group.
    pub fn new(s: &KafkaClusterSpec, idx: NodeIdx, topo: &Topology, specs: &[NodeSpec]) -> Self {
        let n_brokers = s.brokers;
        let mut partitions = Vec::new();
        let mut topic_base = Vec::new();
        for (t, topic) in s.topics.iter().enumerate() {
            topic_base.push(partitions.len());
            for p in 0..topic.partitions {
                let rf = topic.replication_factor as usize;
                // Kafka spreads replicas round-robin from a shifting start.
                let first = (p + t as u32) % n_brokers;
                let replicas: Vec<u32> = (0..rf as u32).map(|r| (first + r) % n_brokers).collect();
                partitions.push(Partition {
                    topic: t as u16,
                    index: p,
                    min_isr: topic.min_insync_replicas as usize,
                    leader: Some(0),
                    isr: (0..rf).collect(),
                    leo: vec![0; rf],
                    fetch_target: vec![0; rf],
                    caught_up_ns: vec![0; rf],
                    replicas,
                    hw: 0,
                    log_start: 0,
                    log: VecDeque::new(),
                    pending: VecDeque::new(),
                    leader_epoch: 0,
                });
            }
        }
        let mut link_of = BTreeMap::new();
        for (l, link) in topo.links.iter().enumerate() {
            if link.to == idx {
                link_of.insert(link.from, l as LinkIdx);
            }
        }
        let topic_idx = |name: &str| s.topics.iter().position(|t| t.name == name).unwrap_or(0) as u16;
        let mut groups: Vec<Group> = Vec::new();
        let mut consumers = BTreeMap::new();
        for &node in link_of.keys() {
            if let Some(c) = specs[node as usize].spec_of::<KafkaConsumerSpec>() {
                let topic = topic_idx(&c.topic);
                let g = match groups.iter().position(|g| g.name == c.group && g.topic == topic) {
                    Some(g) => g,
                    None => {
                        let n = s.topics[topic as usize].partitions as usize;
                        groups.push(Group {
                            name: c.group.clone(),
                            topic,
                            assignor: c.assignor,
                            members: BTreeMap::new(),
                            generation: 0,
                            rebalancing: false,
                            rebalance_deadline_ns: 0,
                            owner: vec![None; n],
                            committed: vec![0; n],
                            position: vec![0; n],
                            rebalances: 0,
                        });
                        groups.len() - 1
                    }
                };
                consumers.insert(
                    node,
                    ConsumerCfg {
                        group: g,
                        max_poll_records: c.max_poll_records as usize,
                        session_ns: ms_to_ns(c.session_timeout_ms),
                    },
                );
            }
        }
        let total = partitions.len().max(1);
        KafkaCluster {
            ids: topo.ids.clone(),
            broker_up: vec![true; n_brokers as usize],
            broker_incarnation: vec![0; n_brokers as usize],
            topics: s.topics.iter().map(|t| t.name.clone()).collect(),
            topic_base,
            partitions,
            groups,
            consumers,
            link_of,
            tick_ns: ms_to_ns(s.replica_fetch_ms).max(1),
            lag_max_ns: ms_to_ns(s.replica_lag_time_max_ms),
            fence_ns: ms_to_ns(s.broker_session_timeout_ms),
            fetch_wait_ns: ms_to_ns(s.fetch_max_wait_ms),
            retain: (limits::MAX_RETAINED_RECORDS / total).max(1_000),
            park_seq: 0,
            appended: 0,
            elections: 0,
            unclean_elections: 0,
            lost: 0,
            retention_skipped: 0,
            last_sample_appended: 0,
            spec: s.clone(),
        }
    }

    fn reply(&self, ctx: &mut Ctx, to: NodeIdx, msg: KafkaMsg, kind: MsgKind, key: u32) {
        send_to(&self.link_of, ctx, to, msg, kind, key);
    }

    /// Each partition's high watermark minus the group's committed offset.
    fn lag<'a>(&'a self, g: &'a Group) -> impl Iterator<Item = u64> + 'a {
        let base = self.topic_base[g.topic as usize];
        g.committed.iter().enumerate().map(move |(p, c)| self.partitions[base + p].hw.saturating_sub(*c))
    }

    fn produce(&mut self, ctx: &mut Ctx, from: NodeIdx, batch: u64, pidx: usize, acks: Acks, records: Vec<Record>) {
        let n = records.len() as u64;
        let key = records.first().map_or(0, |r| r.key);
        let part = &mut self.partitions[pidx];
        let leader_up = part.leader_broker().is_some_and(|b| self.broker_up[b as usize]);
        let error = if !leader_up {
            Some(KafkaError::NotLeader)
        } else if acks == Acks::All && part.isr.len() < part.min_isr {
            Some(KafkaError::NotEnoughReplicas)
        } else {
            None
        };
        if let Some(error) = error {
            if acks == Acks::None {
                // Fire and forget: the producer never learns they were not written.
                self.lost += n;
                ctx.metrics().messaging.lost += n;
            } else {
                self.reply(ctx, from, KafkaMsg::ProduceResponse { batch, error: Some(error) }, MsgKind::Control, key);
            }
            return;
        }
        for mut r in records {
            r.offset = part.log_end();
            part.log.push_back(r);
        }
        self.appended += n;
        while part.log.len() > self.retain {
            part.log.pop_front();
            part.log_start += 1;
        }
        let leader = part.leader.expect("leader is up");
        part.leo[leader] = part.log_end();
        match acks {
            Acks::None => {}
            Acks::Leader => {
                self.reply(ctx, from, KafkaMsg::ProduceResponse { batch, error: None }, MsgKind::Ack, key);
            }
            Acks::All => part.pending.push_back((part.log_end(), batch, from)),
        }
        self.update_hw(ctx, pidx);
    }

    /// Moves the high watermark to the lowest log end in the ISR; answers
    /// the acks=all batches it passes and wakes parked fetches.
    fn update_hw(&mut self, ctx: &mut Ctx, pidx: usize) {
        let part = &mut self.partitions[pidx];
        if part.leader.is_none() {
            return;
        }
        let hw = part.isr.iter().map(|&s| part.leo[s]).min().unwrap_or(part.hw);
        if hw <= part.hw {
            return;
        }
        part.hw = hw;
        while let Some(&(end, batch, producer)) = part.pending.front()
            && end <= hw
        {
            part.pending.pop_front();
            let msg = KafkaMsg::ProduceResponse { batch, error: None };
            send_to(&self.link_of, ctx, producer, msg, MsgKind::Ack, part.index);
        }
        let (topic, index) = (part.topic, part.index);
        self.wake_parked(ctx, topic, index);
    }

    fn wake_parked(&mut self, ctx: &mut Ctx, topic: u16, index: u32) {
        for g in 0..self.groups.len() {
            if self.groups[g].topic != topic {
                continue;
            }
            let Some(owner) = self.groups[g].owner[index as usize] else { continue };
            if self.groups[g].members.get(&owner).is_some_and(|m| m.parked.is_some()) {
                self.groups[g].members.get_mut(&owner).expect("checked").parked = None;
                self.fetch(ctx, owner, true);
            }
        }
    }

    /// Answers a fetch from `member`; with no data, parks it (unless `force`).
    fn fetch(&mut self, ctx: &mut Ctx, member: NodeIdx, force: bool) {
        let Some(cfg) = self.consumers.get(&member).cloned() else { return };
        let g = &mut self.groups[cfg.group];
        let generation = g.generation;
        if g.rebalancing || !g.members.contains_key(&member) {
            return self.fetch_error(ctx, member);
        }
        let base = self.topic_base[g.topic as usize];
        let mut out = Vec::new();
        for p in 0..g.owner.len() {
            if g.owner[p] != Some(member) {
                continue;
            }
            let part = &self.partitions[base + p];
            if g.position[p] < part.log_start {
                self.retention_skipped += part.log_start - g.position[p];
                g.position[p] = part.log_start;
            }
            while g.position[p] < part.hw && out.len() < cfg.max_poll_records {
                out.push(part.log[(g.position[p] - part.log_start) as usize]);
                g.position[p] += 1;
            }
        }
        if out.is_empty() && !force {
            self.park_seq = self.park_seq.wrapping_add(1);
            let seq = self.park_seq;
            g.members.get_mut(&member).expect("member").parked = Some(seq);
            ctx.set_timer(self.fetch_wait_ns, TAG_FETCH_WAIT, member);
            return;
        }
        let key = out.first().map_or(0, |r| r.key);
        let body = ctx.put_body(out);
        self.reply(ctx, member, KafkaMsg::FetchResponse { generation, error: None, body }, MsgKind::Record, key);
    }

    fn fetch_error(&mut self, ctx: &mut Ctx, member: NodeIdx) {
        let Some(g) = self.group_of(member) else { return };
        let generation = self.groups[g].generation;
        let body = ctx.put_body(Vec::<Record>::new());
        let msg = KafkaMsg::FetchResponse { generation, error: Some(KafkaError::Rebalance), body };
        self.reply(ctx, member, msg, MsgKind::Control, 0);
    }

    /// Membership changed: every member must rejoin (eager protocol). The
    /// rebalance ends in [`Self::maybe_finish_rebalance`] once all have.
    fn begin_rebalance(&mut self, ctx: &mut Ctx, g: usize) {
        let group = &mut self.groups[g];
        if group.members.is_empty() {
            group.rebalancing = false;
            group.owner.iter_mut().for_each(|o| *o = None);
            return;
        }
        if !group.rebalancing {
            group.rebalancing = true;
            group.rebalances += 1;
            let longest = group.members.values().map(|m| m.session_ns).max().unwrap_or(0);
            group.rebalance_deadline_ns = ctx.now() + longest;
            for m in group.members.values_mut() {
                m.joined = false;
            }
        }
        // Parked fetches learn of it now.
        let parked: Vec<NodeIdx> = group.members.iter().filter(|(_, m)| m.parked.is_some()).map(|(&n, _)| n).collect();
        for n in parked {
            self.groups[g].members.get_mut(&n).expect("member").parked = None;
            self.fetch(ctx, n, true);
        }
    }

    fn maybe_finish_rebalance(&mut self, ctx: &mut Ctx, g: usize) {
        let group = &mut self.groups[g];
        if !group.rebalancing || !group.members.values().all(|m| m.joined) {
            return;
        }
        group.rebalancing = false;
        group.generation += 1;
        // Kafka sorts member ids; ours are node ids.
        let mut names: Vec<(String, NodeIdx)> =
            group.members.keys().map(|&n| (self.ids[n as usize].clone(), n)).collect();
        names.sort();
        let n_partitions = group.owner.len() as u32;
        let topic = self.topics[group.topic as usize].as_str();
        let subscription = [topic];
        let members: Vec<(&str, &[&str])> = names.iter().map(|(s, _)| (s.as_str(), &subscription[..])).collect();
        let plan = match group.assignor {
            Assignor::Range => range_assign(&[(topic, n_partitions)], &members),
            Assignor::RoundRobin => round_robin_assign(&[(topic, n_partitions)], &members),
        };
        group.owner.iter_mut().for_each(|o| *o = None);
        for (name, node) in &names {
            for (_, p) in plan.get(name).into_iter().flatten() {
                group.owner[*p as usize] = Some(*node);
            }
        }
        // Every new owner starts from the committed offset (eager protocol:
        // every partition was revoked).
        group.position.clone_from(&group.committed);
        let generation = group.generation;
        let members: Vec<NodeIdx> = group.members.keys().copied().collect();
        for m in members {
            self.reply(ctx, m, KafkaMsg::Joined { generation }, MsgKind::Control, 0);
        }
    }

    fn on_tick(&mut self, ctx: &mut Ctx) {
        let now = ctx.now();
        for pidx in 0..self.partitions.len() {
            let part = &mut self.partitions[pidx];
            let Some(leader) = part.leader else { continue };
            if !self.broker_up[part.replicas[leader] as usize] {
                continue;
            }
            let end = part.log_end();
            part.caught_up_ns[leader] = now;
            for s in 0..part.replicas.len() {
                if s == leader || !self.broker_up[part.replicas[s] as usize] {
                    continue;
                }
                // The fetch sent last tick returns with what the leader had then.
                let target = part.fetch_target[s].max(part.log_start);
                part.leo[s] = part.leo[s].max(target).min(end);
                if part.leo[s] >= target {
                    part.caught_up_ns[s] = now;
                }
                part.fetch_target[s] = end;
                if !part.isr.contains(&s) && part.leo[s] >= part.hw {
                    part.isr.push(s);
                    part.isr.sort_unstable();
                }
            }
            let lag_max = self.lag_max_ns;
            part.isr.retain(|&s| s == leader || now - part.caught_up_ns[s] <= lag_max);
            self.update_hw(ctx, pidx);
        }
        // Members whose session expired, or who did not rejoin in time, leave.
        for g in 0..self.groups.len() {
            let group = &mut self.groups[g];
            let deadline_passed = group.rebalancing && now >= group.rebalance_deadline_ns;
            let gone = |m: &Member| now.saturating_sub(m.last_seen_ns) > m.session_ns || (deadline_passed && !m.joined);
            if group.members.values().any(gone) {
                group.members.retain(|_, m| !gone(m));
                self.begin_rebalance(ctx, g);
                self.maybe_finish_rebalance(ctx, g);
            }
        }
        ctx.set_timer(self.tick_ns, TAG_TICK, 0);
    }

    /// The controller has noticed that `broker` is dead: it leaves every ISR
    /// and its leaderships move.
    fn fence(&mut self, ctx: &mut Ctx, broker: u32) {
        for pidx in 0..self.partitions.len() {
            let part = &mut self.partitions[pidx];
            let Some(slot) = part.replicas.iter().position(|&b| b == broker) else { continue };
            if part.leader == Some(slot) {
                self.elect(ctx, pidx);
            } else if part.isr.len() > 1 {
                part.isr.retain(|&s| s != slot);
                self.update_hw(ctx, pidx);
            }
        }
    }

    /// Elects a new leader for a partition whose leader is dead (or that is offline).
    fn elect(&mut self, ctx: &mut Ctx, pidx: usize) {
        let up = &self.broker_up;
        let part = &mut self.partitions[pidx];
        let alive = |s: &usize| up[part.replicas[*s] as usize];
        let clean = part.isr.iter().copied().find(alive);
        let choice = match clean {
            Some(s) => Some((s, false)),
            None if self.spec.unclean_leader_election => (0..part.replicas.len()).find(alive).map(|s| (s, true)),
            None => None,
        };
        let Some((slot, unclean)) = choice else {
            // Offline until an ISR member returns; the ISR keeps its last members.
            part.leader = None;
            return;
        };
        self.elections += 1;
        self.unclean_elections += u64::from(unclean);
        let new_end = part.leo[slot];
        // Cut the log to the new leader's end: what was written past it is gone.
        let mut lost = 0;
        while part.log_end() > new_end.max(part.log_start) {
            let r = part.log.pop_back().expect("log_end > log_start");
            let counted_written = match r.acks {
                Acks::None | Acks::Leader => true,
                Acks::All => r.offset < part.hw,
            };
            lost += u64::from(counted_written);
        }
        for l in &mut part.leo {
            *l = (*l).min(new_end);
        }
        part.hw = part.hw.min(new_end);
        part.leader = Some(slot);
        part.leader_epoch += 1;
        part.isr = if unclean { vec![slot] } else { part.isr.iter().copied().filter(alive).collect() };
        part.pending.clear();
        let now = ctx.now();
        for s in 0..part.replicas.len() {
            part.fetch_target[s] = part.leo[s];
            part.caught_up_ns[s] = now;
        }
        self.lost += lost;
        ctx.metrics().messaging.lost += lost;
        self.update_hw(ctx, pidx);
    }

    fn group_of(&self, member: NodeIdx) -> Option<usize> {
        self.consumers.get(&member).map(|c| c.group)
    }

    pub fn kafka_view(&self) -> KafkaView {
        KafkaView {
            brokers_up: self.broker_up.clone(),
            topics: self.topics.clone(),
            partitions: self
                .partitions
                .iter()
                .map(|p| PartitionView {
                    topic: p.topic,
                    index: p.index,
                    leader: p.leader_broker(),
                    replicas: p.replicas.clone(),
                    isr: p.isr.iter().map(|&s| p.replicas[s]).collect(),
                    leo: p.leo.clone(),
                    hw: p.hw,
                    log_start: p.log_start,
                    log_end: p.log_end(),
                    recent_keys: p.log.iter().rev().take(RECENT_KEYS).map(|r| r.key).collect(),
                    leader_epoch: p.leader_epoch,
                })
                .collect(),
            groups: self
                .groups
                .iter()
                .map(|g| GroupView {
                    name: g.name.clone(),
                    topic: g.topic,
                    generation: g.generation,
                    rebalancing: g.rebalancing,
                    rebalances: g.rebalances,
                    members: g.members.keys().copied().collect(),
                    owner: g.owner.clone(),
                    committed: g.committed.clone(),
                    lag: self.lag(g).collect(),
                })
                .collect(),
            lost: self.lost,
            elections: self.elections,
            unclean_elections: self.unclean_elections,
        }
    }
}

/// How many of a partition's newest records' keys the view carries.
pub const RECENT_KEYS: usize = 24;

/// The cluster as the UI draws it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KafkaView {
    pub brokers_up: Vec<bool>,
    pub topics: Vec<String>,
    pub partitions: Vec<PartitionView>,
    pub groups: Vec<GroupView>,
    pub lost: u64,
    pub elections: u64,
    pub unclean_elections: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PartitionView {
    pub topic: u16,
    pub index: u32,
    /// Broker number of the leader; `None` while offline.
    pub leader: Option<u32>,
    pub replicas: Vec<u32>,
    /// Broker numbers in sync.
    pub isr: Vec<u32>,
    /// Log end offset per replica (aligned with `replicas`).
    pub leo: Vec<u64>,
    pub hw: u64,
    pub log_start: u64,
    pub log_end: u64,
    /// Keys of the newest records, newest first.
    pub recent_keys: Vec<u32>,
    pub leader_epoch: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GroupView {
    pub name: String,
    pub topic: u16,
    pub generation: u32,
    pub rebalancing: bool,
    pub rebalances: u64,
    pub members: Vec<NodeIdx>,
    /// Owner of each partition.
    pub owner: Vec<Option<NodeIdx>>,
    pub committed: Vec<u64>,
    /// High watermark − committed offset, per partition.
    pub lag: Vec<u64>,
}

/// Whole-run figures of a cluster.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct KafkaSummary {
    pub records_appended: u64,
    pub leader_elections: u64,
    pub unclean_elections: u64,
    pub records_lost: u64,
    /// Records deleted by retention before a group read them.
    pub retention_skipped: u64,
    /// Per group: rebalances and final lag (sum over partitions).
    pub groups: BTreeMap<String, GroupSummary>,
    /// Per partition (`topic-p`): log end offset and high watermark.
    pub partitions: BTreeMap<String, (u64, u64)>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GroupSummary {
    pub rebalances: u64,
    pub generation: u32,
    pub lag: u64,
    pub committed: Vec<u64>,
}

impl Node for KafkaCluster {
    fn start(&mut self, ctx: &mut Ctx) {
        ctx.set_timer(self.tick_ns, TAG_TICK, 0);
    }

    fn on_message(&mut self, ctx: &mut Ctx, from: NodeIdx, payload: Payload) {
        let msg = match payload.typed::<KafkaMsg>() {
            Delivery::Timer { tag: TAG_TICK, .. } => return self.on_tick(ctx),
            Delivery::Timer { tag: TAG_FENCE, slot } => {
                let broker = slot & 0xffff;
                let incarnation = slot >> 16;
                if !self.broker_up[broker as usize] && self.broker_incarnation[broker as usize] & 0xffff == incarnation
                {
                    self.fence(ctx, broker);
                }
                return;
            }
            Delivery::Timer { tag: TAG_FETCH_WAIT, slot } => {
                // The wait is over: answer (empty) if that member is still parked.
                if let Some(g) = self.group_of(slot)
                    && let Some(m) = self.groups[g].members.get_mut(&slot)
                    && m.parked.is_some()
                {
                    m.parked = None;
                    self.fetch(ctx, slot, true);
                }
                return;
            }
            Delivery::Msg(m) => m,
            _ => return,
        };
        let now = ctx.now();
        match msg {
            KafkaMsg::Produce { batch, topic, partition, acks, body } => {
                let Some(records) = ctx.take_body::<Vec<Record>>(body) else { return };
                let pidx = self.topic_base[topic as usize] + partition as usize;
                self.produce(ctx, from, batch, pidx, acks, records);
            }
            KafkaMsg::JoinGroup => {
                let Some(g) = self.group_of(from) else { return };
                let session_ns = self.consumers[&from].session_ns;
                let group = &mut self.groups[g];
                let m = group.members.entry(from).or_insert_with(|| Member { session_ns, ..Default::default() });
                m.last_seen_ns = now;
                m.parked = None;
                // A join outside a rebalance (a new or returning member) starts one.
                if !group.rebalancing {
                    self.begin_rebalance(ctx, g);
                }
                self.groups[g].members.get_mut(&from).expect("inserted").joined = true;
                self.maybe_finish_rebalance(ctx, g);
            }
            KafkaMsg::Heartbeat { generation } => {
                let Some(g) = self.group_of(from) else { return };
                let group = &mut self.groups[g];
                let rebalance = match group.members.get_mut(&from) {
                    Some(m) => {
                        m.last_seen_ns = now;
                        group.rebalancing || generation != group.generation
                    }
                    None => true,
                };
                self.reply(ctx, from, KafkaMsg::HeartbeatResponse { rebalance }, MsgKind::Control, 0);
            }
            KafkaMsg::LeaveGroup => {
                let Some(g) = self.group_of(from) else { return };
                if self.groups[g].members.remove(&from).is_some() {
                    self.begin_rebalance(ctx, g);
                    self.maybe_finish_rebalance(ctx, g);
                }
            }
            KafkaMsg::Fetch { generation } => {
                let Some(g) = self.group_of(from) else { return };
                if let Some(m) = self.groups[g].members.get_mut(&from) {
                    m.last_seen_ns = now;
                }
                if generation == self.groups[g].generation {
                    self.fetch(ctx, from, false);
                } else {
                    // A fetch from an old generation is told to rejoin.
                    self.fetch_error(ctx, from);
                }
            }
            KafkaMsg::Commit { generation, body } => {
                let Some(offsets) = ctx.take_body::<Vec<(u32, u64)>>(body) else { return };
                let Some(g) = self.group_of(from) else { return };
                let group = &mut self.groups[g];
                // Commits from an old generation are fenced off (ILLEGAL_GENERATION).
                if generation != group.generation || !group.members.contains_key(&from) {
                    return;
                }
                for (p, off) in offsets {
                    if let Some(c) = group.committed.get_mut(p as usize) {
                        *c = off;
                    }
                }
            }
            KafkaMsg::ProduceResponse { .. }
            | KafkaMsg::Joined { .. }
            | KafkaMsg::HeartbeatResponse { .. }
            | KafkaMsg::FetchResponse { .. } => {}
        }
    }

    fn on_part(&mut self, ctx: &mut Ctx, broker: u32, up: bool) {
        let b = broker as usize;
        if self.broker_up[b] == up {
            return;
        }
        self.broker_up[b] = up;
        if !up {
            self.broker_incarnation[b] = self.broker_incarnation[b].wrapping_add(1);
            let slot = (self.broker_incarnation[b] & 0xffff) << 16 | broker;
            ctx.set_timer(self.fence_ns, TAG_FENCE, slot);
            return;
        }
        // Back: its replicas truncate to the high watermark and fetch again;
        // offline partitions it was in sync for get it as leader.
        for pidx in 0..self.partitions.len() {
            let part = &mut self.partitions[pidx];
            let Some(slot) = part.replicas.iter().position(|&x| x == broker) else { continue };
            if part.leader.is_none() {
                // Offline: elected if it was in sync (or, unclean, anyway).
                self.elect(ctx, pidx);
                continue;
            }
            if part.leader == Some(slot) {
                // Not yet fenced: it is still the leader.
                continue;
            }
            part.leo[slot] = part.leo[slot].min(part.hw);
            part.fetch_target[slot] = part.leo[slot];
        }
    }

    fn view(&self) -> NodeView {
        NodeView {
            kind: "kafka_cluster",
            completed: self.appended,
            queue_len: self.partitions.iter().map(|p| p.log_end() - p.hw).sum::<u64>(),
            errors: self.lost,
            parts: self.broker_up.iter().map(|&up| PartState::of(true, up)).collect(),
            own: Some(OwnPart::new(self.kafka_view())),
            ..Default::default()
        }
    }

    fn sample(&mut self, _now: SimTime) -> NodeSample {
        let s = NodeSample {
            completed: self.appended - self.last_sample_appended,
            queue_len: self.groups.iter().map(|g| self.lag(g).sum::<u64>()).sum(),
            ..Default::default()
        };
        self.last_sample_appended = self.appended;
        s
    }

    fn summary(&self, _now: SimTime, _topo: &Topology) -> NodeSummary {
        let groups = self
            .groups
            .iter()
            .map(|g| {
                let lag = self.lag(g).sum();
                (
                    g.name.clone(),
                    GroupSummary {
                        rebalances: g.rebalances,
                        generation: g.generation,
                        lag,
                        committed: g.committed.clone(),
                    },
                )
            })
            .collect_map();
        let partitions = self
            .partitions
            .iter()
            .map(|p| (format!("{}-{}", self.topics[p.topic as usize], p.index), (p.log_end(), p.hw)))
            .collect_map();
        NodeSummary {
            kind: "kafka_cluster",
            completed: Some(self.appended),
            own: Some(OwnSummary::new(
                "kafka",
                KafkaSummary {
                    records_appended: self.appended,
                    leader_elections: self.elections,
                    unclean_elections: self.unclean_elections,
                    records_lost: self.lost,
                    retention_skipped: self.retention_skipped,
                    groups,
                    partitions,
                },
            )),
            ..Default::default()
        }
    }
}

/// Sends `msg` to a producer or consumer over the link it reached the cluster by.
fn send_to(link_of: &BTreeMap<NodeIdx, LinkIdx>, ctx: &mut Ctx, to: NodeIdx, msg: KafkaMsg, kind: MsgKind, key: u32) {
    if let Some(&link) = link_of.get(&to) {
        ctx.send(link, Payload::own(msg), kind, key);
    }
}
