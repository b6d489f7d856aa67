//! Scenario format v1: the public contract for presets, share links, the CLI
//! and docs (documented in `docs/scenario-format.md`).
//!
//! These types are serde's view of a scenario file and nothing more: they can
//! hold nonsense (a negative rate, a link to a node that does not exist).
//! [`super::validate`] checks them, collects every problem with its field
//! path, and only then builds the engine's internal types, after which the
//! engine cannot fail.

use serde::{Deserialize, Serialize};

use crate::sim::dist::Duration;

/// The newest scenario format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// When the run ends: `{"completed_requests": N}` (N requests have finished,
/// successfully or with an error) or `{"sim_time_s": S}`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum StopSpec {
    CompletedRequests(u64),
    SimTimeS(f64),
}

/// What a call asks of its target: a server's call names one, and each
/// kind says which it takes (`OwnKind::accepted_ops`).
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

/// How a load balancer picks a backend (a `load_balancer`'s `algorithm`,
/// and what a timeline `set` entry may change it to).
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

impl ArrivalSpec {
    /// The rate it is set to (a bursty process's on rate).
    pub fn rate_per_s(&self) -> f64 {
        match *self {
            ArrivalSpec::Poisson { rate_per_s }
            | ArrivalSpec::Constant { rate_per_s }
            | ArrivalSpec::Bursty { rate_per_s, .. } => rate_per_s,
        }
    }
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

/// The distribution a service time draws from.
pub fn service_time(spec: &ServiceTimeSpec) -> Duration {
    match *spec {
        ServiceTimeSpec::Exponential { mean_ms } => Duration::exponential(mean_ms),
        ServiceTimeSpec::Constant { mean_ms } => Duration::constant(mean_ms),
        ServiceTimeSpec::Uniform { min_ms, max_ms } => Duration::uniform(min_ms, max_ms),
        ServiceTimeSpec::Lognormal { mean_ms, cv } => Duration::lognormal(mean_ms, cv),
    }
}

/// Serde defaults: `fn NAME() -> T` (for `default = "NAME"`) and
/// `fn is_NAME(&T) -> bool` (for `skip_serializing_if`), so a written spec
/// leaves defaults out and share links stay short.
macro_rules! defaults {
    ($($name:ident, $is:ident: $t:ty = $v:expr;)*) => {$(
        pub(crate) fn $name() -> $t {
            $v
        }
        pub(crate) fn $is(v: &$t) -> bool {
            *v == $name()
        }
    )*};
}
/// The same for a family's own defaults, in its `spec.rs`.
pub(crate) use defaults as serde_defaults;

/// The defaults every family's spec types name in their serde attributes
/// (`use crate::sim::spec::defaults::*`).
pub(crate) mod defaults {
    use crate::sim::spec::*;

    pub(crate) fn is_default<T: Default + PartialEq>(v: &T) -> bool {
        *v == T::default()
    }
    pub(crate) fn is_zero_f64(v: &f64) -> bool {
        *v == 0.0
    }
    pub(crate) fn is_false(v: &bool) -> bool {
        !*v
    }
    pub(crate) fn is_zero_u32(v: &u32) -> bool {
        *v == 0
    }

    defaults! {
        default_acks, is_default_acks: Acks = Acks::All;
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
/// - `{"at_s": 10, "fail": "kafka", "part": 1}`: part 1 of a node made of
///   parts fails (`broker` and `shard` name a cluster's and a store's too)
/// - `{"at_s": 30, "partition": ["db"]}`: the nodes listed are cut off from
///   the rest of the network (a message sent across the cut is lost);
///   `{"at_s": 60, "heal": ["db"]}` joins them back
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
    /// A new shard joins the store (named `shard-<next number>`).
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
    /// With `fail`/`recover` on any node made of parts: which part (the
    /// generic name; `broker` and `shard` are the older names of a Kafka
    /// cluster's and a store's, which files keep writing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<u32>,
    /// With `set` on a server that makes calls: hold its worker while they
    /// are out (`true`) or free it (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_worker: Option<bool>,
    /// With `set`: the kind's own fields, for kinds that take them (the URL
    /// shortener's `url_app`: `ids`, `pad_to`, `redirect`, `clock_skew_ms`;
    /// `url_users`: `writes_per_s`, `redirects_per_s`, `viral_share`; a
    /// `cache`: `capacity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<serde_json::Value>,
    /// These nodes are cut off from the rest of the network, together: a
    /// message sent from one side of the cut to the other is lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<Vec<String>>,
    /// These nodes, cut off by an earlier `partition`, join the rest again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heal: Option<Vec<String>>,
}

/// `acks`: when a Kafka leader answers a produce request (a producer's
/// field, and what a timeline `set` entry changes it to).
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

impl FaultSpec {
    /// The node the entry acts on (its verb's value; `add_server`: the new
    /// server's id).
    pub fn target(&self) -> Option<&String> {
        [
            &self.fail,
            &self.recover,
            &self.set,
            &self.add_server,
            &self.remove_server,
            &self.add_shard,
            &self.remove_shard,
        ]
        .into_iter()
        .find_map(Option::as_ref)
        .or_else(|| self.cut_list()?.first())
    }

    /// The fields that name a part of a node, each with its value in the
    /// entry: `part` (any node made of parts) and the kinds' own names for
    /// theirs (a kind's `PartsOf::field`, `kind.rs`).
    pub fn parts_named(&self) -> [(&'static str, Option<u32>); 3] {
        [("part", self.part), ("broker", self.broker), ("shard", self.shard)]
    }

    /// The entry naming part `n` by the field `field` (`part`, `broker`,
    /// `shard`); another field names nothing.
    pub fn with_part(mut self, field: &str, n: u32) -> FaultSpec {
        match field {
            "part" => self.part = Some(n),
            "broker" => self.broker = Some(n),
            "shard" => self.shard = Some(n),
            _ => {}
        }
        self
    }

    /// The nodes a `partition` or `heal` lists.
    pub fn cut_list(&self) -> Option<&Vec<String>> {
        self.partition.as_ref().or(self.heal.as_ref())
    }

    /// Whether the entry acts on the node `id` (its target, or one of the
    /// nodes it cuts off or heals).
    pub fn names(&self, id: &str) -> bool {
        self.target().is_some_and(|t| t == id) || self.cut_list().is_some_and(|l| l.iter().any(|n| n == id))
    }

    /// What the entry does, in a few words for people: "fail app-2 at 30 s".
    pub fn describe(&self) -> String {
        if let Some(list) = self.cut_list() {
            let verb = if self.partition.is_some() { "cut off" } else { "reconnect" };
            return format!("{verb} {} at {} s", list.join(", "), crate::sim::time::format_s(self.at_s));
        }
        let verb = [
            (&self.fail, "fail"),
            (&self.recover, "recover"),
            (&self.set, "change"),
            (&self.add_server, "add"),
            (&self.remove_server, "remove"),
            (&self.add_shard, "add a shard to"),
            (&self.remove_shard, "remove a shard of"),
        ]
        .into_iter()
        .find_map(|(v, word)| v.as_ref().map(|_| word))
        .unwrap_or("change");
        let target = self.target().map_or("?", String::as_str);
        format!("{verb} {target} at {} s", crate::sim::time::format_s(self.at_s))
    }
}

// The sharded store's two settings, here rather than in its family's spec
// because the timeline's `set` (`FaultSpec`, `validate::Change`) carries
// them: the format's shared part must not reach into a family's module.

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
    pub(super) fn is_default(&self) -> bool {
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

    impl TryFrom<Arrivals> for crate::sim::spec::ArrivalSpec {
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

    impl TryFrom<Keys> for crate::sim::spec::KeySpec {
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

    impl TryFrom<ServiceTime> for crate::sim::spec::ServiceTimeSpec {
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
