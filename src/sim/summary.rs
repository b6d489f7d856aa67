//! Whole-run results: the summary `scalelab run --json` prints and
//! `window.scalelab.summary()` returns, built from the engine's metrics and
//! each node's own figures.

use serde::Serialize;

use super::engine::{NodeSummary, Simulation};
use super::metrics::{LatencySummary, MessagingCounts};
use super::time::ns_to_s;
use crate::sim::family::CollectMap;

/// Whole-run results: deterministic (no wall-clock figures), so two runs of
/// the same scenario and seed give equal summaries.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub scenario: String,
    pub seed: u64,
    /// Requests the clients sent.
    pub sent: u64,
    /// Requests that got a successful response.
    pub completed: u64,
    pub dropped: u64,
    pub timed_out: u64,
    pub refused: u64,
    pub reset: u64,
    /// Messages lost to the timeline's partitions (left out when none, so
    /// a run without a partition prints as it always did).
    #[serde(skip_serializing_if = "is_zero")]
    pub lost: u64,
    /// Events the engine processed.
    pub events: u64,
    pub sim_time_s: f64,
    /// Successful responses per simulated second.
    pub throughput_per_s: f64,
    /// End-to-end latency of successful requests, as the clients saw it.
    pub latency_ms: LatencySummary,
    /// Kafka and RabbitMQ counts (messaging scenarios only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messaging: Option<MessagingCounts>,
    pub nodes: std::collections::BTreeMap<String, NodeSummary>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Simulation {
    /// Runs to the scenario's stop condition, for the summary (the CLI,
    /// tests, the benchmark): see `run_to_end`.
    pub fn run(&mut self) -> Summary {
        self.run_to_end();
        self.summary()
    }

    /// Whole-run results so far.
    pub fn summary(&self) -> Summary {
        let m = &self.core.metrics;
        let now = self.core.now;
        let topo = &self.scenario.topology;
        let nodes = self
            .nodes
            .iter()
            .enumerate()
            .filter(|&(i, _)| self.ever_present[i])
            .map(|(i, n)| {
                let mut s = n.summary(now, topo);
                s.up = self.core.up[i];
                (topo.ids[i].clone(), s)
            })
            .collect_map();
        Summary {
            scenario: self.scenario.spec.name.clone(),
            seed: self.scenario.spec.seed,
            sent: m.sent,
            completed: m.outcomes().completed,
            dropped: m.outcomes().dropped,
            timed_out: m.outcomes().timed_out,
            refused: m.outcomes().refused,
            reset: m.outcomes().reset,
            lost: self.core.net.lost,
            events: self.core.n_events,
            sim_time_s: ns_to_s(now),
            throughput_per_s: super::time::per_s(m.outcomes().completed, now),
            latency_ms: m.e2e.summary(),
            messaging: self.messaging(),
            nodes,
        }
    }

    /// Kafka and RabbitMQ counts so far (messaging scenarios only; cheap).
    pub fn messaging(&self) -> Option<MessagingCounts> {
        self.counts_protocols.then_some(self.core.metrics.messaging)
    }
}
