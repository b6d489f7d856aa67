//! The timeline: live edits take effect, and a run with live edits replays
//! exactly from the scenario it leaves behind (what share links rely on).

mod common;

use common::scenario;
use scalelab::Simulation;
use scalelab::presets::LOAD_BALANCING_JSON;
use scalelab::sim::spec::{Algorithm, FaultSpec, ServiceTimeSpec};
use scalelab::sim::time::NS_PER_MS;

fn entry(f: impl FnOnce(&mut FaultSpec)) -> FaultSpec {
    let mut e = FaultSpec::default();
    f(&mut e);
    e
}

#[test]
fn live_edits_replay_exactly_from_the_recorded_scenario() {
    let mut live = Simulation::new(&scenario(LOAD_BALANCING_JSON));
    let edits: Vec<(u64, FaultSpec)> = vec![
        (
            5_000,
            entry(|e| {
                e.set = Some("lb".into());
                e.algorithm = Some(Algorithm::PowerOfTwo);
            }),
        ),
        (
            8_333,
            entry(|e| {
                e.add_server = Some("app-9".into());
                e.like = Some("app-1".into());
            }),
        ),
        (
            8_333,
            entry(|e| {
                e.set = Some("users".into());
                e.rate_per_s = Some(12_000.0);
            }),
        ),
        (
            12_001,
            entry(|e| {
                e.set = Some("app-3".into());
                e.workers = Some(4);
                e.service_time = Some(ServiceTimeSpec::Constant { mean_ms: 3.0 });
            }),
        ),
        (
            15_500,
            entry(|e| {
                e.fail = Some("app-9".into());
            }),
        ),
        (
            18_250,
            entry(|e| {
                e.remove_server = Some("app-4".into());
            }),
        ),
        (
            20_000,
            entry(|e| {
                e.set = Some("lb".into());
                e.algorithm = Some(Algorithm::ConsistentHash);
            }),
        ),
    ];
    for (at_ms, e) in edits {
        live.step_until(at_ms * NS_PER_MS);
        live.add_entry(e).expect("a valid live edit");
    }
    live.step_until(25_000 * NS_PER_MS);
    let recorded = live.scenario().clone();
    assert_eq!(recorded.spec.faults.len(), 2 + 7, "the preset's two faults plus seven edits");

    // Replaying the recorded scenario (as a share link would) from the start.
    let reparsed = scalelab::Scenario::from_json(&recorded.to_json()).unwrap();
    let mut replay = Simulation::new(&reparsed);
    replay.step_until(25_000 * NS_PER_MS);
    assert_eq!(replay.summary(), live.summary());
    assert_eq!(replay.series(), live.series());
    assert_eq!(replay.snapshot(), live.snapshot());

    // And the edits did something.
    let s = live.summary();
    let lb = s.nodes["lb"].forwarded.as_ref().unwrap();
    assert!(lb["app-9"] > 0, "the added server got traffic");
    assert!(!live.is_present(recorded.topology.index_of("app-4").unwrap()), "app-4 was removed");
    assert!(s.nodes["app-9"].reset.unwrap() > 0, "app-9 failed holding requests");
}

#[test]
fn more_workers_cut_latency_and_a_higher_rate_raises_it() {
    let json = r#"{"version":1,"name":"edit","seed":5,"stop":{"sim_time_s":400},
      "nodes":[{"id":"c","kind":"client","arrivals":{"process":"poisson","rate_per_s":9}},
               {"id":"s","kind":"server","workers":1,"queue_capacity":100000,"service_time":{"dist":"exponential","mean_ms":100}}],
      "links":[{"from":"c","to":"s"}]}"#;
    let window_p50 = |sim: &Simulation, from_s: f64| {
        let w: Vec<f64> = sim.series().iter().filter(|w| w.start_s >= from_s).map(|w| w.latency_ms.mean).collect();
        w.iter().sum::<f64>() / w.len() as f64
    };
    let mut sim = Simulation::new(&scenario(json));
    sim.step_until(200_000 * NS_PER_MS);
    let before = window_p50(&sim, 50.0);
    sim.add_entry(entry(|e| {
        e.set = Some("s".into());
        e.workers = Some(4);
    }))
    .unwrap();
    sim.step_until(400_000 * NS_PER_MS);
    let after = window_p50(&sim, 250.0);
    // M/M/1 at rho 0.9: ~1000 ms; M/M/4 at rho 0.225: ~100 ms.
    assert!(before > 500.0 && after < 150.0, "before {before:.0} ms, after {after:.0} ms");
    let util = sim.node_series(1).back().unwrap().utilisation;
    assert!(util < 0.5, "utilisation counts the new capacity ({util})");
}
