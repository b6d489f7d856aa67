//! Scenario format v1, the messaging family's part: Kafka clusters,
//! producers and consumers; RabbitMQ brokers, publishers and consumers
//! (its nodes are `NodeSpec::Own`, through `kinds.rs`). `Acks` is the
//! core's (`sim::spec`): a timeline `set` entry takes it.

use serde::{Deserialize, Serialize};

pub use crate::sim::spec::Acks;
use crate::sim::spec::defaults::*;

fn default_assignor() -> Assignor {
    Assignor::Range
}
fn is_default_assignor(a: &Assignor) -> bool {
    *a == Assignor::Range
}
use crate::sim::spec::{ArrivalSpec, KeySpec, ServiceTimeSpec};

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
