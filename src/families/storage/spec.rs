//! Scenario format v1, the storage family's part: `cache` and `database`
//! nodes (`NodeSpec::Own`, through `kinds.rs`).

use serde::{Deserialize, Serialize};

use crate::sim::spec::ServiceTimeSpec;
use crate::sim::spec::defaults::{default_queue_capacity, is_default, is_default_queue_capacity};

/// A key cache in front of something slower: `get`, `set`, `delete`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheSpec {
    pub id: String,
    /// Entries it holds at most.
    pub capacity: u64,
    /// Which entry makes room for a new one. Default `lru`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub eviction: EvictionSpec,
    /// Entries older than this are gone (a get finds them missing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_s: Option<f64>,
    /// Time per operation. Default constant 0.2 ms.
    #[serde(default = "cache_service", skip_serializing_if = "is_cache_service")]
    pub service_time: ServiceTimeSpec,
    /// Operations served at once. Default 8.
    #[serde(default = "eight", skip_serializing_if = "is_eight")]
    pub workers: u32,
    /// Operations that may wait; one more is dropped. Default 1000.
    #[serde(default = "default_queue_capacity", skip_serializing_if = "is_default_queue_capacity")]
    pub queue_capacity: u64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvictionSpec {
    /// Least recently used.
    #[default]
    Lru,
    /// Least frequently used (uses counted while cached).
    Lfu,
    /// Oldest inserted.
    Fifo,
    /// One entry at random.
    Random,
}

/// A database: `read` and `write`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSpec {
    pub id: String,
    /// Queries executed at once (cores, disks). Default 8.
    #[serde(default = "eight", skip_serializing_if = "is_eight")]
    pub workers: u32,
    /// Connections that may wait for one of `max_connections`; one more is
    /// dropped. Default 1000.
    #[serde(default = "default_queue_capacity", skip_serializing_if = "is_default_queue_capacity")]
    pub queue_capacity: u64,
    /// Time per read.
    pub service_time: ServiceTimeSpec,
    /// Time per write. Default: `service_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_service_time: Option<ServiceTimeSpec>,
    /// Queries the database takes at once (running, or waiting inside it
    /// for a worker); more wait for a connection. Default: no limit beyond
    /// the queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<u32>,
}

fn cache_service() -> ServiceTimeSpec {
    ServiceTimeSpec::Constant { mean_ms: 0.2 }
}
fn is_cache_service(v: &ServiceTimeSpec) -> bool {
    *v == cache_service()
}
fn eight() -> u32 {
    8
}
fn is_eight(v: &u32) -> bool {
    *v == 8
}
