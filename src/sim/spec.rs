//! Scenario format v1: the public contract for presets, share links, the CLI
//! and docs (documented in `docs/scenario-format.md`).
//!
//! These types are serde's view of a scenario file and nothing more: they can
//! hold nonsense (a negative rate, a link to a node that does not exist).
//! [`super::validate`] checks them, collects every problem with its field
//! path, and only then builds the engine's internal types, after which the
//! engine cannot fail.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use super::families::storage::spec::{CacheSpec, DatabaseSpec, EvictionSpec};

/// The newest scenario format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    /// Format version; this build reads `1`.
    pub version: u32,
    pub name: String,
    /// One line on what the scenario teaches.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Seeds the run's one RNG: the same seed replays the same run.
    #[serde(default = "default_seed")]
    pub seed: u64,
    pub stop: StopSpec,
    pub nodes: Vec<NodeSpec>,
    #[serde(default)]
    pub links: Vec<LinkSpec>,
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
    #[serde(default, skip_serializing_if = "MetricsSpec::is_default")]
    pub metrics: MetricsSpec,
}

fn default_seed() -> u64 {
    1
}

/// When the run ends: `{"completed_requests": N}` (N requests have finished,
/// successfully or with an error) or `{"sim_time_s": S}`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum StopSpec {
    CompletedRequests(u64),
    SimTimeS(f64),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NodeSpec {
    Client(ClientSpec),
    Server(ServerSpec),
    LoadBalancer(LoadBalancerSpec),
    KafkaCluster(KafkaClusterSpec),
    KafkaProducer(KafkaProducerSpec),
    KafkaConsumer(KafkaConsumerSpec),
    Rabbitmq(RabbitMqSpec),
    RabbitPublisher(RabbitPublisherSpec),
    RabbitConsumer(RabbitConsumerSpec),
    ShardedStore(ShardedStoreSpec),
    Cache(CacheSpec),
    Database(DatabaseSpec),
}

impl NodeSpec {
    pub fn id(&self) -> &str {
        match self {
            NodeSpec::Client(c) => &c.id,
            NodeSpec::Server(s) => &s.id,
            NodeSpec::LoadBalancer(l) => &l.id,
            NodeSpec::KafkaCluster(k) => &k.id,
            NodeSpec::KafkaProducer(k) => &k.id,
            NodeSpec::KafkaConsumer(k) => &k.id,
            NodeSpec::Rabbitmq(r) => &r.id,
            NodeSpec::RabbitPublisher(r) => &r.id,
            NodeSpec::RabbitConsumer(r) => &r.id,
            NodeSpec::ShardedStore(s) => &s.id,
            NodeSpec::Cache(c) => &c.id,
            NodeSpec::Database(d) => &d.id,
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self {
            NodeSpec::Client(_) => "client",
            NodeSpec::Server(_) => "server",
            NodeSpec::LoadBalancer(_) => "load_balancer",
            NodeSpec::KafkaCluster(_) => "kafka_cluster",
            NodeSpec::KafkaProducer(_) => "kafka_producer",
            NodeSpec::KafkaConsumer(_) => "kafka_consumer",
            NodeSpec::Rabbitmq(_) => "rabbitmq",
            NodeSpec::RabbitPublisher(_) => "rabbit_publisher",
            NodeSpec::RabbitConsumer(_) => "rabbit_consumer",
            NodeSpec::ShardedStore(_) => "sharded_store",
            NodeSpec::Cache(_) => "cache",
            NodeSpec::Database(_) => "database",
        }
    }

    /// Whether the node belongs to Kafka or RabbitMQ.
    pub fn is_messaging(&self) -> bool {
        !matches!(
            self,
            NodeSpec::Client(_)
                | NodeSpec::Server(_)
                | NodeSpec::LoadBalancer(_)
                | NodeSpec::ShardedStore(_)
                | NodeSpec::Cache(_)
                | NodeSpec::Database(_)
        )
    }

    /// Whether the node originates traffic (a run needs at least one).
    pub fn is_source(&self) -> bool {
        matches!(self, NodeSpec::Client(_) | NodeSpec::KafkaProducer(_) | NodeSpec::RabbitPublisher(_))
    }
}

/// The names `kind` may take, in the order the docs list them.
pub const NODE_KINDS: &[&str] = &[
    "client",
    "server",
    "load_balancer",
    "kafka_cluster",
    "kafka_producer",
    "kafka_consumer",
    "rabbitmq",
    "rabbit_publisher",
    "rabbit_consumer",
    "sharded_store",
    "cache",
    "database",
];

/// A sharded key-value store: shards placed by a hash ring (or by key
/// ranges, or modulo hashing), replicated on the next `replication` distinct
/// shards, reached through a routing tier. Clients link to it; their
/// requests' keys and `ops` say what they read and write.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardedStoreSpec {
    pub id: String,
    /// Shards at the start, named shard-0, shard-1, … Default 4.
    #[serde(default = "default_shards", skip_serializing_if = "is_default_shards")]
    pub shards: u32,
    /// Relative capacity of each shard (its share of ring points), in shard
    /// order; empty means 1 each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weights: Vec<u32>,
    /// Ring points per shard (times its weight), 1 to 1000. Default 100.
    #[serde(default = "default_store_vnodes", skip_serializing_if = "is_default_store_vnodes")]
    pub vnodes: u32,
    #[serde(default, skip_serializing_if = "is_default")]
    pub partitioning: Partitioning,
    /// Keys 0 … key_space−1: what range partitioning splits and the ring
    /// view samples. Default 1,000,000 (the clients' default).
    #[serde(default = "default_key_space", skip_serializing_if = "is_default_key_space")]
    pub key_space: u64,
    /// Copies of each key, on the next N distinct shards. Default 1.
    #[serde(default = "one_u32", skip_serializing_if = "is_one_u32")]
    pub replication: u32,
    /// Replicas that must answer a read (R). Default 1.
    #[serde(default = "one_u32", skip_serializing_if = "is_one_u32")]
    pub read_quorum: u32,
    /// Replicas that must acknowledge a write (W). Default 1.
    #[serde(default = "one_u32", skip_serializing_if = "is_one_u32")]
    pub write_quorum: u32,
    #[serde(default, skip_serializing_if = "is_default")]
    pub routing: Routing,
    /// One network hop inside the store (router to shard, node to node). Default 0.5.
    #[serde(default = "default_hop_ms", skip_serializing_if = "is_default_hop_ms")]
    pub hop_ms: f64,
    /// A router's own time per request (routing `router`). Default 0.1.
    #[serde(default = "default_router_ms", skip_serializing_if = "is_default_router_ms")]
    pub router_ms: f64,
    /// Each shard's workers. Default 4.
    #[serde(default = "default_store_workers", skip_serializing_if = "is_default_store_workers")]
    pub workers: u32,
    /// Each shard's queue; one more is refused. Default 1000.
    #[serde(default = "default_queue_capacity", skip_serializing_if = "is_default_queue_capacity")]
    pub queue_capacity: u64,
    /// Time a shard spends on one read, write or range scan. Default exponential, mean 2 ms.
    #[serde(default = "default_store_service", skip_serializing_if = "is_default_store_service")]
    pub service_time: ServiceTimeSpec,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// How keys are placed on shards.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Partitioning {
    /// A consistent-hash ring with virtual nodes (XXH3-64 of `key-<k>`).
    #[default]
    Hash,
    /// Contiguous key ranges, one per shard; adding a shard splits the busiest range.
    Range,
    /// `hash(key) mod shards`: for comparison.
    Modulo,
}

/// Who knows where a key lives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Routing {
    /// The client library holds the ring and calls the replicas itself: one hop.
    #[default]
    Client,
    /// A router tier (like mongos) forwards: two hops.
    Router,
    /// The client calls any shard, which coordinates (like Dynamo or
    /// Cassandra): one hop when it holds the key, two when it forwards.
    AnyNode,
}

impl Partitioning {
    pub const ALL: [Partitioning; 3] = [Partitioning::Hash, Partitioning::Range, Partitioning::Modulo];

    /// The name people read (the app, the CLI).
    pub fn label(self) -> &'static str {
        match self {
            Partitioning::Hash => "hash ring",
            Partitioning::Range => "key ranges",
            Partitioning::Modulo => "hash mod n",
        }
    }
}

impl Routing {
    pub const ALL: [Routing; 3] = [Routing::Client, Routing::Router, Routing::AnyNode];

    /// The name people read (the app, the CLI).
    pub fn label(self) -> &'static str {
        match self {
            Routing::Client => "client library",
            Routing::Router => "router tier",
            Routing::AnyNode => "any node",
        }
    }
}

/// What a client's requests do; the rest of its requests are reads.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpsSpec {
    /// Fraction of requests that write their key. Default 0.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub write: f64,
    /// Fraction of requests that scan `range_keys` keys from their key. Default 0.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub range: f64,
    /// Keys one range scan reads. Default 100.
    #[serde(default = "default_range_keys", skip_serializing_if = "is_default_range_keys")]
    pub range_keys: u32,
}

impl Default for OpsSpec {
    fn default() -> Self {
        OpsSpec { write: 0.0, range: 0.0, range_keys: default_range_keys() }
    }
}

/// A Kafka cluster: brokers, topics (partitions, replicas, the in-sync
/// replica set), the controller that elects leaders, and the group
/// coordinators. Producers and consumers link to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaClusterSpec {
    pub id: String,
    /// Number of brokers, named 0, 1, … (the timeline fails one with
    /// `{"fail": "<cluster id>", "broker": 1}`). Default 3.
    #[serde(default = "default_brokers", skip_serializing_if = "is_default_brokers")]
    pub brokers: u32,
    pub topics: Vec<TopicSpec>,
    /// A follower's fetch round trip: how far replicas trail the leader. Default 5.
    #[serde(default = "default_replica_fetch_ms", skip_serializing_if = "is_default_replica_fetch_ms")]
    pub replica_fetch_ms: f64,
    /// `replica.lag.time.max.ms`: a follower not caught up for this long
    /// leaves the ISR. Default 30000 (Kafka's).
    #[serde(default = "default_replica_lag_ms", skip_serializing_if = "is_default_replica_lag_ms")]
    pub replica_lag_time_max_ms: f64,
    /// `broker.session.timeout.ms`: how long the controller takes to notice
    /// a dead broker and move its leaderships. Default 9000 (Kafka's).
    #[serde(default = "default_broker_session_ms", skip_serializing_if = "is_default_broker_session_ms")]
    pub broker_session_timeout_ms: f64,
    /// `unclean.leader.election.enable`: elect an out-of-sync replica when
    /// no in-sync one is alive (available, but acknowledged records are lost).
    #[serde(default, skip_serializing_if = "is_false")]
    pub unclean_leader_election: bool,
    /// `fetch.max.wait.ms`: how long a fetch with no new data waits. Default 500.
    #[serde(default = "default_fetch_wait_ms", skip_serializing_if = "is_default_fetch_wait_ms")]
    pub fetch_max_wait_ms: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicSpec {
    pub name: String,
    pub partitions: u32,
    /// Copies of each partition, on distinct brokers. Default 1.
    #[serde(default = "one_u32", skip_serializing_if = "is_one_u32")]
    pub replication_factor: u32,
    /// `min.insync.replicas`: with `acks=all`, writes fail while the ISR is
    /// smaller than this. Default 1.
    #[serde(default = "one_u32", skip_serializing_if = "is_one_u32")]
    pub min_insync_replicas: u32,
}

/// `acks`: when the leader answers a produce request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Acks {
    /// Never: the producer does not wait (fire and forget).
    #[serde(rename = "0")]
    None,
    /// When the leader has appended the batch.
    #[serde(rename = "1")]
    Leader,
    /// When every in-sync replica has it (the high watermark passed it).
    #[serde(rename = "all")]
    All,
}

impl Acks {
    pub const ALL: [Acks; 3] = [Acks::None, Acks::Leader, Acks::All];

    pub fn name(self) -> &'static str {
        match self {
            Acks::None => "0",
            Acks::Leader => "1",
            Acks::All => "all",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaProducerSpec {
    pub id: String,
    pub topic: String,
    pub arrivals: ArrivalSpec,
    /// How record keys are drawn; key k is the string `key-k`. Absent:
    /// keyless records, spread round-robin over the partitions (the
    /// pre-2.4 `DefaultPartitioner` behaviour, one record at a time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<KeySpec>,
    /// Send every record to this partition (overrides the key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<u32>,
    /// `"0"`, `"1"` or `"all"` (Kafka's default since 3.0).
    #[serde(default = "default_acks", skip_serializing_if = "is_default_acks")]
    pub acks: Acks,
    /// `linger.ms`: how long a batch waits for more records. Default 5.
    #[serde(default = "default_linger_ms", skip_serializing_if = "is_default_linger_ms")]
    pub linger_ms: f64,
    /// Records per batch at most (a count; Kafka's `batch.size` is bytes). Default 500.
    #[serde(default = "default_batch_records", skip_serializing_if = "is_default_batch_records")]
    pub batch_records: u32,
    /// `request.timeout.ms`: an unanswered produce request is retried after this. Default 30000.
    #[serde(default = "default_request_timeout_ms", skip_serializing_if = "is_default_request_timeout_ms")]
    pub request_timeout_ms: f64,
    /// Retries of a failed batch before its records count as failed.
    /// Default 2147483647 (Kafka's): `delivery_timeout_ms` is what ends them.
    #[serde(default = "default_retries", skip_serializing_if = "is_default_retries")]
    pub retries: u32,
    /// `delivery.timeout.ms`: a record not acknowledged this long after it
    /// was made is given up (counted as failed). Default 120000.
    #[serde(default = "default_delivery_timeout_ms", skip_serializing_if = "is_default_delivery_timeout_ms")]
    pub delivery_timeout_ms: f64,
    /// `retry.backoff.ms`. Default 100.
    #[serde(default = "default_retry_backoff_ms", skip_serializing_if = "is_default_retry_backoff_ms")]
    pub retry_backoff_ms: f64,
}

/// `partition.assignment.strategy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignor {
    Range,
    RoundRobin,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaConsumerSpec {
    pub id: String,
    pub topic: String,
    /// `group.id`: consumers of one group share the partitions; each group
    /// reads the whole topic.
    pub group: String,
    /// Time to process one record.
    pub processing_time: ServiceTimeSpec,
    /// `max.poll.records`. Default 500.
    #[serde(default = "default_max_poll_records", skip_serializing_if = "is_default_max_poll_records")]
    pub max_poll_records: u32,
    /// `auto.commit.interval.ms`: processed offsets are committed at the
    /// first poll this long after the last commit (and before a rebalance).
    /// 0: commit after every batch. Default 5000.
    #[serde(default = "default_commit_interval_ms", skip_serializing_if = "is_default_commit_interval_ms")]
    pub commit_interval_ms: f64,
    /// `session.timeout.ms`: a consumer silent this long is dead to the group. Default 45000.
    #[serde(default = "default_session_timeout_ms", skip_serializing_if = "is_default_session_timeout_ms")]
    pub session_timeout_ms: f64,
    /// `heartbeat.interval.ms`. Default 3000.
    #[serde(default = "default_heartbeat_ms", skip_serializing_if = "is_default_heartbeat_ms")]
    pub heartbeat_interval_ms: f64,
    /// Default `range`; every consumer of a group must name the same one.
    #[serde(default = "default_assignor", skip_serializing_if = "is_default_assignor")]
    pub assignor: Assignor,
    /// Probability that processing a record fails (each attempt).
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub failure_rate: f64,
    /// Attempts after the first before a record goes to the dead-letter topic. Default 3.
    #[serde(default = "default_max_retries", skip_serializing_if = "is_default_max_retries")]
    pub max_retries: u32,
    /// Where records that failed every attempt go; without it they are dropped (and counted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_topic: Option<String>,
    /// When the consumer joins its group. Default 0.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub join_at_s: f64,
    /// When it leaves its group cleanly (commits, then leaves), if ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leave_at_s: Option<f64>,
}

/// A RabbitMQ broker: exchanges, queues and the bindings between them.
/// Publishers and consumers link to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RabbitMqSpec {
    pub id: String,
    pub exchanges: Vec<ExchangeSpec>,
    pub queues: Vec<QueueSpec>,
    #[serde(default)]
    pub bindings: Vec<BindingSpec>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeType {
    Direct,
    Fanout,
    Topic,
    Headers,
}

impl ExchangeType {
    pub fn name(self) -> &'static str {
        match self {
            ExchangeType::Direct => "direct",
            ExchangeType::Fanout => "fanout",
            ExchangeType::Topic => "topic",
            ExchangeType::Headers => "headers",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ExchangeType,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSpec {
    pub name: String,
    /// `x-message-ttl`: a message waiting longer is dead-lettered (reason `expired`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_ttl_ms: Option<f64>,
    /// `x-delivery-limit` (quorum queues): a message redelivered more often
    /// is dead-lettered (reason `delivery_limit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_limit: Option<u32>,
    /// `x-dead-letter-exchange`: where rejected, expired and over-limit messages go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_exchange: Option<String>,
    /// `x-dead-letter-routing-key`; default: the message's own routing key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_routing_key: Option<String>,
    /// `x-max-length`: a message arriving at a full queue drops the oldest
    /// (dead-lettered, reason `maxlen`). Default 1,000,000.
    #[serde(default = "default_max_length", skip_serializing_if = "is_default_max_length")]
    pub max_length: u64,
}

/// `x-match` of a headers binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeadersMatch {
    All,
    Any,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BindingSpec {
    pub exchange: String,
    pub queue: String,
    /// The binding key (direct, topic); ignored by fanout and headers exchanges.
    #[serde(default)]
    pub key: String,
    /// Headers exchanges: the arguments to match.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub headers: std::collections::BTreeMap<String, String>,
    /// Headers exchanges: `all` (default) or `any`.
    #[serde(default, rename = "match", skip_serializing_if = "Option::is_none")]
    pub match_: Option<HeadersMatch>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageSpec {
    #[serde(default)]
    pub routing_key: String,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub headers: std::collections::BTreeMap<String, String>,
    /// Relative frequency. Default 1.
    #[serde(default = "one_f64", skip_serializing_if = "is_one_f64")]
    pub weight: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RabbitPublisherSpec {
    pub id: String,
    pub exchange: String,
    pub arrivals: ArrivalSpec,
    /// The messages it publishes, drawn by weight.
    pub messages: Vec<MessageSpec>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RabbitConsumerSpec {
    pub id: String,
    pub queue: String,
    /// `basic.qos` prefetch count: unacknowledged deliveries at most. Default 10.
    #[serde(default = "default_prefetch", skip_serializing_if = "is_default_prefetch")]
    pub prefetch: u32,
    pub processing_time: ServiceTimeSpec,
    /// Probability that processing a message fails; it is then nacked.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub failure_rate: f64,
    /// Nack with `requeue=true` (default) or `false` (dead-letter or drop).
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub requeue: bool,
    /// When the consumer subscribes. Default 0.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub join_at_s: f64,
}

/// A source of requests.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    pub id: String,
    pub arrivals: ArrivalSpec,
    /// Size of the client-id population requests are drawn from (what
    /// `ip_hash` hashes). Default 1000.
    #[serde(default = "default_n_clients", skip_serializing_if = "is_default_n_clients")]
    pub clients: u32,
    /// How request keys are drawn (what `consistent_hash`, caches and shards
    /// use). Default: uniform over 1,000,000 keys.
    #[serde(default = "default_keys", skip_serializing_if = "is_default_keys")]
    pub keys: KeySpec,
    /// Reads, writes and range scans (what a sharded store does with them).
    /// Default: all reads.
    #[serde(default, skip_serializing_if = "is_default")]
    pub ops: OpsSpec,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "process", rename_all = "snake_case", try_from = "raw::Arrivals")]
pub enum ArrivalSpec {
    /// Exponential gaps with mean 1/rate.
    Poisson { rate_per_s: f64 },
    /// Evenly spaced, every 1/rate seconds.
    Constant { rate_per_s: f64 },
    /// On/off: Poisson at `rate_per_s` for `on_s`, then at `off_rate_per_s`
    /// (default 0) for `off_s`, repeating; the run starts in an on period.
    Bursty {
        rate_per_s: f64,
        on_s: f64,
        off_s: f64,
        #[serde(default)]
        off_rate_per_s: f64,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", try_from = "raw::Keys")]
pub enum KeySpec {
    Uniform {
        n_keys: u64,
    },
    /// Key k (0-based) has weight 1/(k+1)^exponent: key 0 is the hottest.
    Zipf {
        n_keys: u64,
        exponent: f64,
    },
}

/// A pool of identical workers behind one FIFO queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSpec {
    pub id: String,
    /// Requests served at once. Default 1.
    #[serde(default = "one_u32", skip_serializing_if = "is_one_u32")]
    pub workers: u32,
    /// Requests that may wait; one more is dropped (HTTP 503). Default 1000.
    #[serde(default = "default_queue_capacity", skip_serializing_if = "is_default_queue_capacity")]
    pub queue_capacity: u64,
    pub service_time: ServiceTimeSpec,
    /// A request that has waited in the queue longer than this is abandoned
    /// when it reaches the head of the queue, and counted as timed out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<f64>,
    /// Relative capacity, used by weighted load-balancing algorithms. Default 1.
    #[serde(default = "one_u32", skip_serializing_if = "is_one_u32")]
    pub weight: u32,
    /// While the server's calls are outstanding, its worker stays busy
    /// (`true`, thread-per-request, the default) or is freed for the next
    /// request (`false`, asynchronous).
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub hold_worker: bool,
    /// What the server does for each kind of request, after its own
    /// `service_time`: calls over its outgoing links, in order. Keys:
    /// `read`, `write`, `range`, or `any` (for the kinds not listed).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub calls: BTreeMap<String, Vec<StepSpec>>,
}

/// The keys `calls` may have: which requests a list of steps is for.
pub const CALLS_FOR: [&str; 4] = ["read", "write", "range", "any"];

/// One step of a server's calls: a call (`to` and `op`, with `when`,
/// `timeout_ms`, `retries`, `backoff_ms`, `optional`), or `parallel`: calls
/// sent at once, the list going on when all have answered. Which fields go
/// together is checked by validation, so a mistake names its field.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    /// The node called: one this server has a link to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<CallOp>,
    /// Only after the latest `get` of this list hit (or missed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<When>,
    /// The call fails if no answer comes within this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<f64>,
    /// Times a failed call is sent again (0 to 10). Default 0.
    #[serde(default, skip_serializing_if = "is_zero_u32")]
    pub retries: u32,
    /// Wait before each retry. Default 0.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub backoff_ms: f64,
    /// The call's failure does not fail the request (a failed `get` counts as a miss).
    #[serde(default, skip_serializing_if = "is_false")]
    pub optional: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parallel: Option<Vec<StepSpec>>,
}

/// What a call asks of its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOp {
    Get,
    Set,
    Delete,
    Read,
    Write,
    Range,
}

impl CallOp {
    pub fn name(self) -> &'static str {
        match self {
            CallOp::Get => "get",
            CallOp::Set => "set",
            CallOp::Delete => "delete",
            CallOp::Read => "read",
            CallOp::Write => "write",
            CallOp::Range => "range",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    Hit,
    Miss,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", try_from = "raw::ServiceTime")]
pub enum ServiceTimeSpec {
    Exponential {
        mean_ms: f64,
    },
    Constant {
        mean_ms: f64,
    },
    Uniform {
        min_ms: f64,
        max_ms: f64,
    },
    /// `cv` is the coefficient of variation (standard deviation / mean).
    Lognormal {
        mean_ms: f64,
        cv: f64,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancerSpec {
    pub id: String,
    pub algorithm: Algorithm,
    /// Virtual nodes per backend on the hash ring (`consistent_hash` only).
    /// Default 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vnodes: Option<u32>,
    #[serde(default, skip_serializing_if = "HealthCheckSpec::is_default")]
    pub health_check: HealthCheckSpec,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    RoundRobin,
    WeightedRoundRobin,
    Random,
    PowerOfTwo,
    IpHash,
    LeastConnections,
    WeightedLeastConnections,
    LeastResponseTime,
    ConsistentHash,
}

impl Algorithm {
    pub const ALL: [Algorithm; 9] = [
        Algorithm::RoundRobin,
        Algorithm::WeightedRoundRobin,
        Algorithm::Random,
        Algorithm::PowerOfTwo,
        Algorithm::IpHash,
        Algorithm::LeastConnections,
        Algorithm::WeightedLeastConnections,
        Algorithm::LeastResponseTime,
        Algorithm::ConsistentHash,
    ];

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::RoundRobin => "round_robin",
            Algorithm::WeightedRoundRobin => "weighted_round_robin",
            Algorithm::Random => "random",
            Algorithm::PowerOfTwo => "power_of_two",
            Algorithm::IpHash => "ip_hash",
            Algorithm::LeastConnections => "least_connections",
            Algorithm::WeightedLeastConnections => "weighted_least_connections",
            Algorithm::LeastResponseTime => "least_response_time",
            Algorithm::ConsistentHash => "consistent_hash",
        }
    }
}

/// Active health checks. The balancer probes each backend every
/// `interval_ms`; `unhealthy_threshold` failed probes in a row take it out
/// of rotation, `healthy_threshold` good ones put it back.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheckSpec {
    #[serde(default = "default_hc_interval_ms", skip_serializing_if = "is_default_hc_interval_ms")]
    pub interval_ms: f64,
    #[serde(default = "default_hc_threshold", skip_serializing_if = "is_default_hc_threshold")]
    pub unhealthy_threshold: u32,
    #[serde(default = "default_hc_threshold", skip_serializing_if = "is_default_hc_threshold")]
    pub healthy_threshold: u32,
}

impl Default for HealthCheckSpec {
    fn default() -> Self {
        HealthCheckSpec {
            interval_ms: default_hc_interval_ms(),
            unhealthy_threshold: default_hc_threshold(),
            healthy_threshold: default_hc_threshold(),
        }
    }
}

impl HealthCheckSpec {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// Serde defaults: `fn NAME() -> T` (for `default = "NAME"`) and
/// `fn is_NAME(&T) -> bool` (for `skip_serializing_if`), so a written spec
/// leaves defaults out and share links stay short.
macro_rules! defaults {
    ($($name:ident, $is:ident: $t:ty = $v:expr;)*) => {$(
        fn $name() -> $t {
            $v
        }
        fn $is(v: &$t) -> bool {
            *v == $name()
        }
    )*};
}

defaults! {
    default_acks, is_default_acks: Acks = Acks::All;
    default_assignor, is_default_assignor: Assignor = Assignor::Range;
    default_batch_records, is_default_batch_records: u32 = 500;
    default_broker_session_ms, is_default_broker_session_ms: f64 = 9_000.0;
    default_brokers, is_default_brokers: u32 = 3;
    default_commit_interval_ms, is_default_commit_interval_ms: f64 = 5_000.0;
    default_delivery_timeout_ms, is_default_delivery_timeout_ms: f64 = 120_000.0;
    default_fetch_wait_ms, is_default_fetch_wait_ms: f64 = 500.0;
    default_hc_interval_ms, is_default_hc_interval_ms: f64 = 1000.0;
    default_hc_threshold, is_default_hc_threshold: u32 = 2;
    default_hop_ms, is_default_hop_ms: f64 = 0.5;
    default_key_space, is_default_key_space: u64 = 1_000_000;
    default_range_keys, is_default_range_keys: u32 = 100;
    default_router_ms, is_default_router_ms: f64 = 0.1;
    default_shards, is_default_shards: u32 = 4;
    default_store_service, is_default_store_service: ServiceTimeSpec = ServiceTimeSpec::Exponential { mean_ms: 2.0 };
    default_store_vnodes, is_default_store_vnodes: u32 = 100;
    default_store_workers, is_default_store_workers: u32 = 4;
    default_heartbeat_ms, is_default_heartbeat_ms: f64 = 3_000.0;
    default_keys, is_default_keys: KeySpec = KeySpec::Uniform { n_keys: 1_000_000 };
    default_linger_ms, is_default_linger_ms: f64 = 5.0;
    default_max_length, is_default_max_length: u64 = 1_000_000;
    default_max_poll_records, is_default_max_poll_records: u32 = 500;
    default_max_retries, is_default_max_retries: u32 = 3;
    default_n_clients, is_default_n_clients: u32 = 1000;
    default_prefetch, is_default_prefetch: u32 = 10;
    default_queue_capacity, is_default_queue_capacity: u64 = 1000;
    default_replica_fetch_ms, is_default_replica_fetch_ms: f64 = 5.0;
    default_replica_lag_ms, is_default_replica_lag_ms: f64 = 30_000.0;
    default_request_timeout_ms, is_default_request_timeout_ms: f64 = 30_000.0;
    default_retries, is_default_retries: u32 = i32::MAX as u32;
    default_retry_backoff_ms, is_default_retry_backoff_ms: f64 = 100.0;
    default_session_timeout_ms, is_default_session_timeout_ms: f64 = 45_000.0;
    one_f64, is_one_f64: f64 = 1.0;
    one_u32, is_one_u32: u32 = 1;
    yes, is_yes: bool = true;
}
fn is_zero_f64(v: &f64) -> bool {
    *v == 0.0
}
fn is_false(v: &bool) -> bool {
    !*v
}
fn is_zero_u32(v: &u32) -> bool {
    *v == 0
}

/// A directed link: requests flow `from` → `to`, responses come back over it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkSpec {
    pub from: String,
    pub to: String,
    /// One-way latency, each direction. Default 0.
    #[serde(default)]
    pub latency_ms: f64,
}

/// One entry of the timeline (the scenario's `faults` list): exactly one verb.
///
/// - `{"at_s": 30, "fail": "app-2"}`, `{"at_s": 60, "recover": "app-2"}`
/// - `{"at_s": 10, "set": "users", "rate_per_s": 8}`: change parameters
///   (`rate_per_s` for clients, producers and publishers; `workers`,
///   `service_time` for servers; `algorithm` for load balancers; `acks`
///   for Kafka producers)
/// - `{"at_s": 20, "fail": "kafka", "broker": 1}`: one broker of a cluster
/// - `{"at_s": 40, "add_server": "app-9", "like": "app-1"}`: a copy of
///   `app-1`, behind the same balancers
/// - `{"at_s": 50, "remove_server": "app-9"}`: out of every balancer; it
///   finishes what it holds
/// - `{"at_s": 20, "add_shard": "store"}` (optional `weight`),
///   `{"at_s": 40, "remove_shard": "store", "shard": 2}`,
///   `{"at_s": 30, "fail": "store", "shard": 1}`: a sharded store's shards;
///   `set` on a store takes `vnodes`, `partitioning`, `routing`, `workers`,
///   `service_time`
///
/// The browser app records every live edit here, so a shared run replays it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    pub at_s: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail: Option<String>,
    /// With `fail`/`recover` on a Kafka cluster: which broker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recover: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_per_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workers: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_time: Option<ServiceTimeSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<Algorithm>,
    /// With `set` on a Kafka producer: the `acks` of batches from now on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acks: Option<Acks>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_server: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub like: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_server: Option<String>,
    /// With `fail`/`recover`/`remove_shard` on a sharded store: which shard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<u32>,
    /// A new shard joins the store (named shard-<next number>).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_shard: Option<String>,
    /// With `add_shard`: the new shard's weight. Default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
    /// A shard leaves the ring; its keys move to their next owners.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_shard: Option<String>,
    /// With `set` on a sharded store: ring points per shard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vnodes: Option<u32>,
    /// With `set` on a sharded store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partitioning: Option<Partitioning>,
    /// With `set` on a sharded store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing: Option<Routing>,
    /// With `set` on a server that makes calls: hold its worker while they
    /// are out (`true`) or free it (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_worker: Option<bool>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSpec {
    /// Width of one point of the time series, in simulated seconds. Default 1.
    #[serde(default = "default_window_s")]
    pub window_s: f64,
}

fn default_window_s() -> f64 {
    1.0
}

impl Default for MetricsSpec {
    fn default() -> Self {
        MetricsSpec { window_s: default_window_s() }
    }
}

impl MetricsSpec {
    fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// Flat forms the tagged enums are read through (`try_from`): serde reads a
/// flat struct field by field, so a wrong type is reported at its own path
/// (`…service_time.mean_ms`), where an internally tagged enum would buffer
/// the object and report only the enum's path; it is also less code in the
/// browser build. Which fields go with which tag is checked here.
mod raw {
    use serde::Deserialize;

    fn only(tag: &str, value: &str, allowed: &[&str], present: &[(&str, bool)]) -> Result<(), String> {
        for (name, is_set) in present {
            if *is_set && !allowed.contains(name) {
                return Err(format!("`{name}` does not apply to {tag} `{value}`"));
            }
        }
        Ok(())
    }

    fn need(tag: &str, value: &str, name: &str, v: Option<f64>) -> Result<f64, String> {
        v.ok_or_else(|| format!("{tag} `{value}` needs `{name}`"))
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Arrivals {
        process: String,
        rate_per_s: Option<f64>,
        on_s: Option<f64>,
        off_s: Option<f64>,
        off_rate_per_s: Option<f64>,
    }

    impl TryFrom<Arrivals> for super::ArrivalSpec {
        type Error = String;
        fn try_from(r: Arrivals) -> Result<Self, String> {
            let p = r.process.as_str();
            let present = [
                ("on_s", r.on_s.is_some()),
                ("off_s", r.off_s.is_some()),
                ("off_rate_per_s", r.off_rate_per_s.is_some()),
            ];
            let rate_per_s = need("process", p, "rate_per_s", r.rate_per_s)?;
            match p {
                "poisson" | "constant" => {
                    only("process", p, &[], &present)?;
                    Ok(if p == "poisson" { Self::Poisson { rate_per_s } } else { Self::Constant { rate_per_s } })
                }
                "bursty" => Ok(Self::Bursty {
                    rate_per_s,
                    on_s: need("process", p, "on_s", r.on_s)?,
                    off_s: need("process", p, "off_s", r.off_s)?,
                    off_rate_per_s: r.off_rate_per_s.unwrap_or(0.0),
                }),
                other => Err(format!("unknown process `{other}`; expected one of: poisson, constant, bursty")),
            }
        }
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Keys {
        dist: String,
        n_keys: Option<u64>,
        exponent: Option<f64>,
    }

    impl TryFrom<Keys> for super::KeySpec {
        type Error = String;
        fn try_from(r: Keys) -> Result<Self, String> {
            let d = r.dist.as_str();
            let n_keys = r.n_keys.ok_or_else(|| format!("dist `{d}` needs `n_keys`"))?;
            match d {
                "uniform" => {
                    only("dist", d, &[], &[("exponent", r.exponent.is_some())])?;
                    Ok(Self::Uniform { n_keys })
                }
                "zipf" => Ok(Self::Zipf { n_keys, exponent: need("dist", d, "exponent", r.exponent)? }),
                other => Err(format!("unknown dist `{other}`; expected one of: uniform, zipf")),
            }
        }
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ServiceTime {
        dist: String,
        mean_ms: Option<f64>,
        min_ms: Option<f64>,
        max_ms: Option<f64>,
        cv: Option<f64>,
    }

    impl TryFrom<ServiceTime> for super::ServiceTimeSpec {
        type Error = String;
        fn try_from(r: ServiceTime) -> Result<Self, String> {
            let d = r.dist.as_str();
            let present = [
                ("mean_ms", r.mean_ms.is_some()),
                ("min_ms", r.min_ms.is_some()),
                ("max_ms", r.max_ms.is_some()),
                ("cv", r.cv.is_some()),
            ];
            match d {
                "exponential" | "constant" => {
                    only("dist", d, &["mean_ms"], &present)?;
                    let mean_ms = need("dist", d, "mean_ms", r.mean_ms)?;
                    Ok(if d == "exponential" { Self::Exponential { mean_ms } } else { Self::Constant { mean_ms } })
                }
                "uniform" => {
                    only("dist", d, &["min_ms", "max_ms"], &present)?;
                    Ok(Self::Uniform {
                        min_ms: need("dist", d, "min_ms", r.min_ms)?,
                        max_ms: need("dist", d, "max_ms", r.max_ms)?,
                    })
                }
                "lognormal" => {
                    only("dist", d, &["mean_ms", "cv"], &present)?;
                    Ok(Self::Lognormal {
                        mean_ms: need("dist", d, "mean_ms", r.mean_ms)?,
                        cv: need("dist", d, "cv", r.cv)?,
                    })
                }
                other => {
                    Err(format!("unknown dist `{other}`; expected one of: exponential, constant, uniform, lognormal"))
                }
            }
        }
    }
}
