//! Scenario format v1, the sharding family's part: the `sharded_store`
//! node (re-exported by `sim::spec`, where `NodeSpec` lists it).

use serde::{Deserialize, Serialize};

use crate::sim::spec::defaults::*;
use crate::sim::spec::{Partitioning, Routing, ServiceTimeSpec};

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
