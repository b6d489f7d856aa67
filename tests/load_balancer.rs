//! Load-balancing algorithms and health checks behave as documented.

mod common;

use std::collections::BTreeMap;

use common::{balanced, scenario};
use scalelab::sim::time::NS_PER_MS;
use scalelab::{HashRing, Simulation};

fn forwarded(summary: &scalelab::Summary) -> Vec<u64> {
    summary.nodes["lb"].forwarded.as_ref().unwrap().values().copied().collect()
}

#[test]
fn round_robin_spreads_evenly() {
    let s = balanced("round_robin", 4, 4, 100.0, 10.0, r#"{"completed_requests":10000}"#, "");
    let f = forwarded(&common::run(&s));
    let (min, max) = (f.iter().min().unwrap(), f.iter().max().unwrap());
    assert!(max - min <= 1, "{f:?}");
}

#[test]
fn weighted_round_robin_follows_weights() {
    let json = r#"{"version":1,"name":"wrr","stop":{"completed_requests":6000},
      "nodes":[{"id":"c","kind":"client","arrivals":{"process":"constant","rate_per_s":100}},
               {"id":"lb","kind":"load_balancer","algorithm":"weighted_round_robin"},
               {"id":"a","kind":"server","workers":8,"weight":3,"service_time":{"dist":"constant","mean_ms":1}},
               {"id":"b","kind":"server","workers":8,"weight":2,"service_time":{"dist":"constant","mean_ms":1}},
               {"id":"d","kind":"server","workers":8,"weight":1,"service_time":{"dist":"constant","mean_ms":1}}],
      "links":[{"from":"c","to":"lb"},{"from":"lb","to":"a"},{"from":"lb","to":"b"},{"from":"lb","to":"d"}]}"#;
    let f = common::run(json).nodes["lb"].forwarded.clone().unwrap();
    let total: u64 = f.values().sum();
    let share = |id: &str| f[id] as f64 / total as f64;
    assert!((share("a") - 0.5).abs() < 0.001 && (share("b") - 1.0 / 3.0).abs() < 0.001, "{f:?}");
}

/// Asserts that backend `id` took `want` of the `total` requests forwarded,
/// within 4.5 standard deviations `sd` (a chance of about 7 in a million per
/// backend that a correct balancer lands outside).
fn assert_share(f: &BTreeMap<String, u64>, id: &str, want: f64, sd: f64) {
    let total: u64 = f.values().sum();
    let got = f[id] as f64 / total as f64;
    assert!((got - want).abs() <= 4.5 * sd, "{id}: share {got:.4}, expected {want:.4} ± {:.4}: {f:?}", 4.5 * sd);
}

#[test]
fn ip_hash_spreads_many_clients_and_pins_one_client_to_one_backend() {
    // 1,000 clients (the default), each request from one of them drawn
    // uniformly. A hash places each client on one of the 4 backends as a
    // fair draw would, so a backend holds Binomial(1000, 1/4) clients (sd
    // √(1000·¼·¾) = 13.7 of 1,000); its share of the 20,000 requests adds
    // the requests' own binomial noise, sd √(¼·¾/20,000).
    let (n_clients, n_requests, p) = (1000.0, 20_000.0, 0.25f64);
    let json = balanced("ip_hash", 4, 4, 100.0, 10.0, r#"{"completed_requests":20000}"#, "");
    let f = common::run(&json).nodes["lb"].forwarded.clone().unwrap();
    let sd = (p * (1.0 - p) / n_clients + p * (1.0 - p) / n_requests).sqrt();
    for id in ["app-1", "app-2", "app-3", "app-4"] {
        assert_share(&f, id, p, sd);
    }
    // One client: every request to one backend.
    let json = balanced("ip_hash", 4, 4, 100.0, 10.0, r#"{"completed_requests":2000}"#, "")
        .replace(r#""rate_per_s":100}"#, r#""rate_per_s":100},"clients":1"#);
    let f = forwarded(&common::run(&json));
    assert_eq!(f.iter().filter(|&&n| n > 0).count(), 1, "{f:?}");
}

#[test]
fn consistent_hash_follows_the_rings_shares_and_sends_a_key_to_one_backend() {
    // 1,000,000 uniform keys (the default): each backend takes its share of
    // the ring's hash space (checked against theory in tests/ring.rs), with
    // the binomial noise of 20,000 requests and of the keys drawn.
    let json = balanced("consistent_hash", 5, 4, 100.0, 10.0, r#"{"completed_requests":20000}"#, r#","vnodes":50"#);
    let f = common::run(&json).nodes["lb"].forwarded.clone().unwrap();
    let ids: Vec<String> = (1..=5).map(|i| format!("app-{i}")).collect();
    let mut ring = HashRing::new(50);
    for id in &ids {
        ring.add_node(id);
    }
    let shares = ring.shares();
    // Unequal with 50 virtual nodes (a CV of about 1/√50), so the check
    // tells the ring's layout from an even spread.
    assert!(shares.iter().any(|&p| (p - 0.2).abs() > 0.02), "{shares:?}");
    for (id, &p) in ids.iter().zip(&shares) {
        assert_share(&f, id, p, (p * (1.0 - p) * (1.0 / 20_000.0 + 1.0 / 1e6)).sqrt());
    }
    // One key: every request to one backend.
    let json = balanced("consistent_hash", 5, 4, 100.0, 10.0, r#"{"completed_requests":2000}"#, r#","vnodes":50"#)
        .replace(r#""rate_per_s":100}"#, r#""rate_per_s":100},"keys":{"dist":"uniform","n_keys":1}"#);
    let f = forwarded(&common::run(&json));
    assert_eq!(f.iter().filter(|&&n| n > 0).count(), 1, "{f:?}");
}

#[test]
fn least_connections_beats_round_robin_on_mixed_capacity() {
    // Two fast servers and two slow ones: round robin overloads the slow.
    let mixed = |alg: &str| {
        balanced(alg, 4, 1, 150.0, 10.0, r#"{"completed_requests":100000}"#, "").replacen(
            r#""mean_ms":10}"#,
            r#""mean_ms":20}"#,
            2,
        )
    };
    let rr = common::run(&mixed("round_robin"));
    let lc = common::run(&mixed("least_connections"));
    let p2 = common::run(&mixed("power_of_two"));
    assert!(lc.latency_ms.p99 < 0.5 * rr.latency_ms.p99, "lc {} rr {}", lc.latency_ms.p99, rr.latency_ms.p99);
    assert!(p2.latency_ms.p99 < rr.latency_ms.p99, "p2 {} rr {}", p2.latency_ms.p99, rr.latency_ms.p99);
}

#[test]
fn a_failed_server_gets_traffic_until_health_checks_notice() {
    // Checks every 500 ms, 2 misses to mark down: app-2 fails at 30 s and is
    // out of rotation by 31 s at the latest; it returns after 2 passes.
    let json = balanced(
        "round_robin",
        4,
        8,
        400.0,
        5.0,
        r#"{"sim_time_s":60}"#,
        r#","health_check":{"interval_ms":500,"unhealthy_threshold":2,"healthy_threshold":2}"#,
    )
    .replace(r#""links":"#, r#""faults":[{"at_s":30.25,"fail":"app-2"},{"at_s":45.25,"recover":"app-2"}],"links":"#);
    let mut sim = Simulation::new(&scenario(&json));
    let to_app2 = |sim: &Simulation| sim.summary().nodes["lb"].forwarded.as_ref().unwrap()["app-2"];

    sim.step_until(30_200 * NS_PER_MS);
    assert_eq!(sim.summary().refused, 0);
    let before = to_app2(&sim);
    sim.step_until(30_900 * NS_PER_MS);
    let during = to_app2(&sim);
    assert!(during > before, "still routed to app-2 before detection");
    assert!(sim.summary().refused > 0, "requests to the dead server are refused");
    sim.step_until(31_100 * NS_PER_MS);
    let detected = to_app2(&sim);
    sim.step_until(45_000 * NS_PER_MS);
    assert_eq!(to_app2(&sim), detected, "no traffic once marked down");
    assert!(!sim.snapshot().nodes[3].up);
    sim.step_until(47_000 * NS_PER_MS);
    assert!(to_app2(&sim) > detected, "back in rotation after recovery");
    assert!(sim.snapshot().nodes[1].healthy_backends.contains(&3));
}

#[test]
fn a_server_that_fails_resets_what_it_held() {
    let json = balanced("round_robin", 2, 4, 200.0, 50.0, r#"{"sim_time_s":20}"#, "")
        .replace(r#""links":"#, r#""faults":[{"at_s":10,"fail":"app-1"}],"links":"#);
    let s = common::run(&json);
    assert!(s.reset > 0, "in-flight requests at app-1 were reset");
    assert_eq!(s.nodes["app-1"].reset, Some(s.reset));
    assert!(!s.nodes["app-1"].up && s.nodes["app-2"].up);
}

#[test]
fn a_full_queue_drops_and_a_timeout_abandons() {
    let json = r#"{"version":1,"name":"overload","stop":{"sim_time_s":30},
      "nodes":[{"id":"c","kind":"client","arrivals":{"process":"poisson","rate_per_s":200}},
               {"id":"s","kind":"server","workers":1,"queue_capacity":50,"timeout_ms":300,
                "service_time":{"dist":"constant","mean_ms":10}}],
      "links":[{"from":"c","to":"s"}]}"#;
    let s = common::run(json);
    assert!(s.dropped > 0 && s.timed_out > 0, "{s:?}");
    // Capacity is 100/s; the rest is shed one way or the other.
    assert!((s.throughput_per_s - 100.0).abs() < 2.0, "{}", s.throughput_per_s);
    // Nobody who was served waited more than the timeout plus one service.
    assert!(s.latency_ms.max <= 300.0 + 10.0 + 1e-6, "{}", s.latency_ms.max);
}

#[test]
fn weighted_least_connections_handles_large_weights() {
    // Eight backends at weights up to 1000: the comparison must not overflow,
    // and a backend with twice the weight takes about twice the traffic.
    let mut nodes = vec![
        r#"{"id":"c","kind":"client","arrivals":{"process":"poisson","rate_per_s":2000}}"#.to_string(),
        r#"{"id":"lb","kind":"load_balancer","algorithm":"weighted_least_connections"}"#.to_string(),
    ];
    let mut links = vec![r#"{"from":"c","to":"lb"}"#.to_string()];
    for i in 0..8 {
        let (weight, workers) = if i == 0 { (1000, 32) } else { (500, 16) };
        nodes.push(format!(
            r#"{{"id":"s{i}","kind":"server","workers":{workers},"weight":{weight},"service_time":{{"dist":"exponential","mean_ms":5}}}}"#
        ));
        links.push(format!(r#"{{"from":"lb","to":"s{i}"}}"#));
    }
    let json = format!(
        r#"{{"version":1,"name":"wlc","stop":{{"sim_time_s":30}},"nodes":[{}],"links":[{}]}}"#,
        nodes.join(","),
        links.join(",")
    );
    let f = common::run(&json).nodes["lb"].forwarded.clone().unwrap();
    let ratio = f["s0"] as f64 / f["s1"] as f64;
    assert!((1.6..2.4).contains(&ratio), "s0 should take about twice s1's share: {f:?}");
}
