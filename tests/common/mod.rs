//! Helpers shared by the integration tests.
#![allow(dead_code)]

use scalelab::{Scenario, Simulation, Summary};

pub fn scenario(json: &str) -> Scenario {
    Scenario::from_json(json).unwrap_or_else(|e| panic!("test scenario is invalid: {e}"))
}

pub fn run(json: &str) -> Summary {
    Simulation::new(&scenario(json)).run()
}

/// `run`, of a scenario built as JSON.
pub fn run_value(v: &serde_json::Value) -> Summary {
    run(&v.to_string())
}

/// The replicated database `db`'s whole-run figures.
pub fn db(summary: &Summary) -> &scalelab::families::replication::replicated_db::ReplicationSummary {
    summary.nodes["db"]
        .own::<scalelab::families::replication::replicated_db::ReplicationSummary>()
        .expect("a replicated_db has a replication summary")
}

/// Relative error of `got` against `want`, with a message that names the seed.
pub fn assert_close(what: &str, got: f64, want: f64, tolerance: f64, seed: u64) {
    let rel = (got - want).abs() / want.abs();
    assert!(
        rel <= tolerance,
        "{what}: got {got:.4}, theory {want:.4} ({:.2}% off, allowed {:.1}%) [seed {seed}]",
        rel * 100.0,
        tolerance * 100.0
    );
}

/// A client → balancer → n identical servers scenario.
pub fn balanced(
    algorithm: &str,
    n_servers: usize,
    workers: u32,
    rate_per_s: f64,
    mean_ms: f64,
    stop: &str,
    extra_lb: &str,
) -> String {
    let mut nodes = vec![
        format!(r#"{{"id":"users","kind":"client","arrivals":{{"process":"poisson","rate_per_s":{rate_per_s}}}}}"#),
        format!(r#"{{"id":"lb","kind":"load_balancer","algorithm":"{algorithm}"{extra_lb}}}"#),
    ];
    let mut links = vec![r#"{"from":"users","to":"lb"}"#.to_string()];
    for i in 1..=n_servers {
        nodes.push(format!(
            r#"{{"id":"app-{i}","kind":"server","workers":{workers},"queue_capacity":1000000,"service_time":{{"dist":"exponential","mean_ms":{mean_ms}}}}}"#
        ));
        links.push(format!(r#"{{"from":"lb","to":"app-{i}"}}"#));
    }
    format!(
        r#"{{"version":1,"name":"{algorithm}","seed":1,"stop":{stop},"nodes":[{}],"links":[{}]}}"#,
        nodes.join(","),
        links.join(",")
    )
}
