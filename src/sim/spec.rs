//! Scenario format v1: the public contract for presets, share links, the CLI
//! and docs (documented in `docs/scenario-format.md`).
//!
//! These types are serde's view of a scenario file and nothing more: they can
//! hold nonsense (a negative rate, a link to a node that does not exist).
//! [`super::validate`] checks them, collects every problem with its field
//! path, and only then builds the engine's internal types, after which the
//! engine cannot fail.

use serde::{Deserialize, Serialize};

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
}

impl NodeSpec {
    pub fn id(&self) -> &str {
        match self {
            NodeSpec::Client(c) => &c.id,
            NodeSpec::Server(s) => &s.id,
            NodeSpec::LoadBalancer(l) => &l.id,
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self {
            NodeSpec::Client(_) => "client",
            NodeSpec::Server(_) => "server",
            NodeSpec::LoadBalancer(_) => "load_balancer",
        }
    }
}

/// The names `kind` may take, in the order the docs list them.
pub const NODE_KINDS: &[&str] = &["client", "server", "load_balancer"];

/// A source of requests.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    pub id: String,
    pub arrivals: ArrivalSpec,
    /// Size of the client-id population requests are drawn from (what
    /// `ip_hash` hashes). Default 1000.
    #[serde(default = "default_n_clients")]
    pub clients: u32,
    /// How request keys are drawn (what `consistent_hash`, caches and shards
    /// use). Default: uniform over 1,000,000 keys.
    #[serde(default = "default_keys")]
    pub keys: KeySpec,
}

fn default_n_clients() -> u32 {
    1000
}

fn default_keys() -> KeySpec {
    KeySpec::Uniform { n_keys: 1_000_000 }
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
    #[serde(default = "one_u32")]
    pub workers: u32,
    /// Requests that may wait; one more is dropped (HTTP 503). Default 1000.
    #[serde(default = "default_queue_capacity")]
    pub queue_capacity: u64,
    pub service_time: ServiceTimeSpec,
    /// A request that has waited in the queue longer than this is abandoned
    /// when it reaches the head of the queue, and counted as timed out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<f64>,
    /// Relative capacity, used by weighted load-balancing algorithms. Default 1.
    #[serde(default = "one_u32")]
    pub weight: u32,
}

fn one_u32() -> u32 {
    1
}

fn default_queue_capacity() -> u64 {
    1000
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
    #[serde(default = "default_hc_interval_ms")]
    pub interval_ms: f64,
    #[serde(default = "default_hc_threshold")]
    pub unhealthy_threshold: u32,
    #[serde(default = "default_hc_threshold")]
    pub healthy_threshold: u32,
}

fn default_hc_interval_ms() -> f64 {
    1000.0
}

fn default_hc_threshold() -> u32 {
    2
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
///   (`rate_per_s` for clients; `workers`, `service_time` for servers;
///   `algorithm` for load balancers)
/// - `{"at_s": 40, "add_server": "app-9", "like": "app-1"}`: a copy of
///   `app-1`, behind the same balancers
/// - `{"at_s": 50, "remove_server": "app-9"}`: out of every balancer; it
///   finishes what it holds
///
/// The browser app records every live edit here, so a shared run replays it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    pub at_s: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail: Option<String>,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_server: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub like: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_server: Option<String>,
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
