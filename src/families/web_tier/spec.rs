//! Scenario format v1, the web tier's part: clients (with their key and
//! op mixes), servers (with their calls) and load balancers (their kinds:
//! `kinds.rs`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::families::offers::{self, Offer};
use crate::sim::family::NodeView;
use crate::sim::spec::defaults::*;
use crate::sim::spec::{Algorithm, ArrivalSpec, CallOp, FaultSpec, KeySpec, ServiceTimeSpec};
use crate::sim::theory::QueueRole;

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    Hit,
    Miss,
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

/// What a client, a message publisher or any source shows as its settings
/// (`NodeView::params`): its arrival process as it is now.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceParams {
    pub arrivals: ArrivalSpec,
}

/// A station's settings (a server; a database, a cache, a URL table): its
/// service time and, for a server that makes calls, whether a worker waits
/// for them.
#[derive(Clone, Debug, PartialEq)]
pub struct StationParams {
    pub service_time: ServiceTimeSpec,
    pub hold_worker: Option<bool>,
}

/// A balancer's settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BalancerParams {
    pub algorithm: Algorithm,
}

// The hooks every kind whose view shows these settings implements the same
// way (`OwnKind::candidates`, `settings`, `queue_role`): from the view, so
// a kind's impl is one call.
impl SourceParams {
    /// The rate ±25% (`unit`: what it counts, per second).
    pub fn offers(id: &str, v: &NodeView, unit: &str) -> Vec<Offer> {
        v.params::<SourceParams>().map_or_else(Vec::new, |p| offers::rate(id, p.arrivals.rate_per_s(), unit))
    }

    /// Its `set` fields now: the rate.
    pub fn settings(v: &NodeView) -> FaultSpec {
        let rate_per_s = v.params::<SourceParams>().map(|p| p.arrivals.rate_per_s());
        FaultSpec { rate_per_s, ..Default::default() }
    }

    /// Its M/M/c part: Poisson arrivals only.
    pub fn queue_role(v: &NodeView) -> Option<QueueRole> {
        match v.params::<SourceParams>()?.arrivals {
            ArrivalSpec::Poisson { rate_per_s } => Some(QueueRole::Arrivals { rate_per_s }),
            _ => None,
        }
    }
}

impl StationParams {
    /// A pool's offers: hold or free the workers during calls (a server
    /// that makes calls), twice or half the workers.
    pub fn offers(id: &str, v: &NodeView) -> Vec<Offer> {
        let Some(p) = v.params::<StationParams>() else { return Vec::new() };
        let mut out = Vec::new();
        if let Some(hold) = p.hold_worker {
            let name = |h: bool| if h { "workers held during calls" } else { "workers freed during calls" };
            let change = FaultSpec { hold_worker: Some(!hold), ..Default::default() };
            out.push((format!("{id}: {}", name(hold)), format!("{id}: {}", name(!hold)), offers::set(id, change)));
        }
        out.extend(offers::workers(id, v.workers));
        out
    }

    /// Its `set` fields now (workers are the view's).
    pub fn settings(v: &NodeView) -> FaultSpec {
        let Some(p) = v.params::<StationParams>() else { return FaultSpec::default() };
        FaultSpec { service_time: Some(p.service_time.clone()), hold_worker: p.hold_worker, ..Default::default() }
    }

    /// Its M/M/c part: the view's workers with exponential service only.
    pub fn queue_role(v: &NodeView) -> Option<QueueRole> {
        match v.params::<StationParams>()?.service_time {
            ServiceTimeSpec::Exponential { mean_ms } => {
                Some(QueueRole::Servers { workers: v.workers, mean_service_s: mean_ms / 1e3 })
            }
            _ => None,
        }
    }
}
