//! Scenario format v1, the replication family's part: `replicated_db`, a
//! primary and its replicas in one node (its parts `db-0` … `db-n`; `db-0`
//! starts as the primary). Servers reach it through their `calls`; it
//! routes inside itself (writes to the primary, reads by `read_from`).

use serde::{Deserialize, Serialize};

use crate::sim::spec::ServiceTimeSpec;
use crate::sim::spec::defaults::is_default;

/// The name of a replicated database's member `i` (its part `i`).
pub fn member_name(i: u32) -> String {
    format!("db-{i}")
}

/// When the primary answers a write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Replication {
    /// After every sync replica has applied it (a sync replica that is
    /// down stops every write).
    Sync,
    /// After `ack_count` replicas have applied it, or after `timeout_ms`
    /// without them: then the primary falls back to asynchronous (and says
    /// so) until a replica catches up (MySQL's semi-synchronous replication).
    SemiSync,
    /// At once; the replicas apply the log behind it.
    #[default]
    Async,
}

/// How a database's replication reads: its mode, or "per-replica modes"
/// (`None`) while its replicas have modes of their own that differ.
pub fn replication_label(r: Option<Replication>) -> &'static str {
    r.map_or("per-replica modes", Replication::label)
}

/// The same in a sentence: "async replication", or "replication set per
/// replica".
pub fn replication_words(r: Option<Replication>) -> &'static str {
    match r {
        Some(Replication::Sync) => "sync replication",
        Some(Replication::SemiSync) => "semi-sync replication",
        Some(Replication::Async) => "async replication",
        None => "replication set per replica",
    }
}

impl Replication {
    pub const ALL: [Replication; 3] = [Replication::Sync, Replication::SemiSync, Replication::Async];
    /// The mode it gives each replica: sync for sync, else async (semi-sync
    /// counts acknowledgements from any replicas).
    pub fn replica_mode(self) -> ReplicaMode {
        if self == Replication::Sync { ReplicaMode::Sync } else { ReplicaMode::Async }
    }

    pub fn label(self) -> &'static str {
        match self {
            Replication::Sync => "sync",
            Replication::SemiSync => "semi-sync",
            Replication::Async => "async",
        }
    }
}

/// One replica's own mode (`modes`), beside `replication`'s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaMode {
    Sync,
    Async,
}

impl ReplicaMode {
    pub fn label(self) -> &'static str {
        match self {
            ReplicaMode::Sync => "sync",
            ReplicaMode::Async => "async",
        }
    }
}

/// Where reads go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadFrom {
    /// Always fresh; the primary takes every read.
    #[default]
    Primary,
    /// The least busy live replica (the primary if none is up): more read
    /// capacity, and a read may be stale.
    Replicas,
    /// The least busy live member, the primary included.
    Any,
}

impl ReadFrom {
    pub const ALL: [ReadFrom; 3] = [ReadFrom::Primary, ReadFrom::Replicas, ReadFrom::Any];
    pub fn label(self) -> &'static str {
        match self {
            ReadFrom::Primary => "primary",
            ReadFrom::Replicas => "replicas",
            ReadFrom::Any => "any",
        }
    }
}

crate::sim::spec::serde_defaults! {
    default_replicas, is_default_replicas: u32 = 2;
    default_semi_sync_timeout_ms, is_default_semi_sync_timeout_ms: f64 = 10_000.0;
    default_apply_rate_per_s, is_default_apply_rate_per_s: f64 = 2_000.0;
    default_ship_delay_ms, is_default_ship_delay_ms: f64 = 1.0;
    default_db_workers, is_default_db_workers: u32 = 8;
    default_db_queue, is_default_db_queue: u64 = 1_000;
    default_read_time, is_default_read_time: ServiceTimeSpec = ServiceTimeSpec::Exponential { mean_ms: 2.0 };
    default_write_time, is_default_write_time: ServiceTimeSpec = ServiceTimeSpec::Exponential { mean_ms: 4.0 };
    default_db_keys, is_default_db_keys: u64 = 10_000;
    default_failover_ms, is_default_failover_ms: f64 = 10_000.0;
    one, is_one: u32 = 1;
}

/// A replicated database: a primary and `replicas` replicas, each a small
/// server (`workers`, a FIFO of `queue_capacity`), the replicas applying the
/// primary's log one entry at a time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplicatedDbSpec {
    pub id: String,
    /// Replicas beside the primary, 0 to 8. Default 2.
    #[serde(default = "default_replicas", skip_serializing_if = "is_default_replicas")]
    pub replicas: u32,
    /// When a write is answered. Default async.
    #[serde(default, skip_serializing_if = "is_default")]
    pub replication: Replication,
    /// Each replica's own mode, one per replica (`sync` or `async`): one
    /// sync standby beside async read replicas is the common design. Not
    /// with `semi_sync`. Empty: every replica follows `replication`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modes: Vec<ReplicaMode>,
    /// Semi-sync: replicas that must have applied a write before it is
    /// answered, 1 to `replicas`. Default 1.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub ack_count: u32,
    /// Semi-sync: how long a write waits for its acknowledgements before
    /// the primary falls back to async. Default 10,000 (MySQL's
    /// `rpl_semi_sync_master_timeout`).
    #[serde(default = "default_semi_sync_timeout_ms", skip_serializing_if = "is_default_semi_sync_timeout_ms")]
    pub timeout_ms: f64,
    /// Entries a replica applies per second, one at a time, each taking an
    /// exponential time of mean 1/rate. Default 2,000.
    #[serde(default = "default_apply_rate_per_s", skip_serializing_if = "is_default_apply_rate_per_s")]
    pub apply_rate_per_s: f64,
    /// The log's trip from the primary to a replica, and an
    /// acknowledgement's back. Default 1.
    #[serde(default = "default_ship_delay_ms", skip_serializing_if = "is_default_ship_delay_ms")]
    pub ship_delay_ms: f64,
    /// Where reads go. Default primary.
    #[serde(default, skip_serializing_if = "is_default")]
    pub read_from: ReadFrom,
    /// Each member's workers. Default 8.
    #[serde(default = "default_db_workers", skip_serializing_if = "is_default_db_workers")]
    pub workers: u32,
    /// Each member's queue (and the writes that may wait for replicas or
    /// for a primary); one more is refused. Default 1000.
    #[serde(default = "default_db_queue", skip_serializing_if = "is_default_db_queue")]
    pub queue_capacity: u64,
    /// A read's time. Default exponential, mean 2 ms.
    #[serde(default = "default_read_time", skip_serializing_if = "is_default_read_time")]
    pub service_time: ServiceTimeSpec,
    /// A write's time on the primary. Default exponential, mean 4 ms.
    #[serde(default = "default_write_time", skip_serializing_if = "is_default_write_time")]
    pub write_service_time: ServiceTimeSpec,
    /// Keys 0 … key_space−1 (a request's key is taken modulo it): what the
    /// versions and the ledger of acknowledged writes hold, one slot a key.
    /// 1 to 100,000. Default 10,000.
    #[serde(default = "default_db_keys", skip_serializing_if = "is_default_db_keys")]
    pub key_space: u64,
    /// From the primary's death to the most caught-up live replica taking
    /// over (detection and promotion, with no coordination service).
    /// Default 10,000.
    #[serde(default = "default_failover_ms", skip_serializing_if = "is_default_failover_ms")]
    pub failover_ms: f64,
    /// Elect the primary through the `coordinator_ensemble` the database
    /// links to (then `failover_ms` is not used: the failover takes what
    /// the ensemble's session timeout and the recipe's round trips take).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub election: Option<ElectionSpec>,
    /// With an election: a primary takes writes only while it holds its
    /// lease (it heard from the ensemble within two thirds of the session
    /// timeout, when a ZooKeeper client reports itself disconnected, so
    /// before its session can expire), and every member follows only the
    /// newest primary's epoch (its znode's creation). A primary cut off
    /// from the ensemble then refuses writes instead of taking them beside
    /// a new one. Default false.
    #[serde(default, skip_serializing_if = "is_default")]
    pub fencing: bool,
    /// With an election: what a primary cut off from the ensemble does
    /// with writes. `cp`: see `fencing`; without it, it goes on taking them
    /// (split brain) until it learns its session expired, and they are
    /// discarded then. `ap`: it goes on taking them and, at the heal, they
    /// are merged into the new primary, the newer version of a key winning
    /// (a key written on both sides is a conflict). Default cp.
    #[serde(default, skip_serializing_if = "is_default")]
    pub consistency: Consistency,
}

/// What a primary cut off from its ensemble does with writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consistency {
    #[default]
    Cp,
    Ap,
}

/// `consistency` and `fencing` together, as the inspector offers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnPartition {
    CpFenced,
    CpUnfenced,
    Ap,
}

impl OnPartition {
    pub const ALL: [OnPartition; 3] = [OnPartition::CpFenced, OnPartition::CpUnfenced, OnPartition::Ap];
    pub fn of(consistency: Consistency, fencing: bool) -> OnPartition {
        match (consistency, fencing) {
            (Consistency::Ap, _) => OnPartition::Ap,
            (Consistency::Cp, true) => OnPartition::CpFenced,
            (Consistency::Cp, false) => OnPartition::CpUnfenced,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            OnPartition::CpFenced => "cp_fenced",
            OnPartition::CpUnfenced => "cp_unfenced",
            OnPartition::Ap => "ap",
        }
    }
    /// A `set` entry's `params` for it.
    pub fn params(self) -> serde_json::Value {
        match self {
            OnPartition::CpFenced => serde_json::json!({ "consistency": "cp", "fencing": true }),
            OnPartition::CpUnfenced => serde_json::json!({ "consistency": "cp", "fencing": false }),
            OnPartition::Ap => serde_json::json!({ "consistency": "ap", "fencing": false }),
        }
    }
}

impl Consistency {
    pub const ALL: [Consistency; 2] = [Consistency::Cp, Consistency::Ap];
    pub fn label(self) -> &'static str {
        match self {
            Consistency::Cp => "cp",
            Consistency::Ap => "ap",
        }
    }
}

impl ReplicatedDbSpec {
    /// Whether it may run semi-sync (now or after a `set`): it has replicas
    /// to wait for and no per-replica modes.
    pub fn semi_sync_possible(&self) -> bool {
        self.replicas > 0 && self.modes.is_empty()
    }
}

/// What a `set` entry's `params` may change on a `replicated_db`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DbParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replication: Option<Replication>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_from: Option<ReadFrom>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apply_rate_per_s: Option<f64>,
    /// The election's recipe: taken before the members' sessions open (a
    /// `set` at 0 s, what an A/B comparison's variant B is); later, kept
    /// as it was (the story says so).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipe: Option<Recipe>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fencing: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistency: Option<Consistency>,
}

crate::sim::spec::serde_defaults! {
    default_ensemble_members, is_default_ensemble_members: u32 = 3;
    default_tick_ms, is_default_tick_ms: f64 = 2_000.0;
    default_session_timeout_ms, is_default_session_timeout_ms: f64 = 6_000.0;
    default_peer_latency_ms, is_default_peer_latency_ms: f64 = 1.0;
    default_election_path, is_default_election_path: String = "/db".to_string();
}

/// A ZooKeeper-like coordination ensemble: `members` servers (its parts
/// `zk-0` … `zk-n`), one of them its leader; a write (a create, a delete,
/// a session's end) commits when a majority acknowledged it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnsembleSpec {
    pub id: String,
    /// Servers, 1 to 7. Default 3.
    #[serde(default = "default_ensemble_members", skip_serializing_if = "is_default_ensemble_members")]
    pub members: u32,
    /// ZooKeeper's `tickTime`: sessions expire on tick boundaries. Default 2,000.
    #[serde(default = "default_tick_ms", skip_serializing_if = "is_default_tick_ms")]
    pub tick_ms: f64,
    /// A session ends this long after its last heartbeat (rounded up to the
    /// next tick); 2 to 20 ticks, as ZooKeeper enforces. Clients send a
    /// heartbeat every third of it. Default 6,000.
    #[serde(default = "default_session_timeout_ms", skip_serializing_if = "is_default_session_timeout_ms")]
    pub session_timeout_ms: f64,
    /// One way between two of its servers: a write commits one round trip
    /// after the leader proposes it. Default 1.
    #[serde(default = "default_peer_latency_ms", skip_serializing_if = "is_default_peer_latency_ms")]
    pub peer_latency_ms: f64,
    /// Persistent znodes there from the start (each one's parent first),
    /// under which the recipes create theirs. The root `/` is always there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub znodes: Vec<String>,
}

/// How a database's members elect a primary through an ensemble.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipe {
    /// Every candidate watches `<path>/master`; when it is deleted, all of
    /// them are told and rush to create it: the first wins.
    #[default]
    Herd,
    /// Each creates an ephemeral sequential `<path>/n_…` and watches only
    /// its predecessor: the lowest is the primary, and a death tells one.
    Sequential,
}

impl Recipe {
    pub const ALL: [Recipe; 2] = [Recipe::Herd, Recipe::Sequential];
    pub fn label(self) -> &'static str {
        match self {
            Recipe::Herd => "herd",
            Recipe::Sequential => "sequential",
        }
    }
}

/// A replicated database that elects its primary through the
/// `coordinator_ensemble` it links to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElectionSpec {
    /// Default herd.
    #[serde(default, skip_serializing_if = "is_default")]
    pub recipe: Recipe,
    /// The persistent znode the recipe works under (one of the ensemble's
    /// `znodes`). Default `/db`.
    #[serde(default = "default_election_path", skip_serializing_if = "is_default_election_path")]
    pub path: String,
}
