//! Same scenario + seed = same run; another seed = another run; and how the
//! run is sliced (one call, many budgeted frames) changes nothing.

mod common;

use common::scenario;
use scalelab::Simulation;
use scalelab::presets::{LOAD_BALANCING_JSON, all};
use scalelab::sim::Progress;
use scalelab::sim::time::{NS_PER_MS, SimTime};
use scalelab::sim::validate::{Scenario, Stop};

#[test]
fn same_seed_same_summary_other_seed_differs() {
    // 50,000 requests or the preset's own length, whichever comes first: a
    // chat preset finishes few requests a second (its traffic is presence and
    // messages), so 50,000 of them took up to 100,000 simulated seconds and
    // most of this test's time, well past every fault of its timeline.
    let run = |s: &Scenario, until: SimTime| {
        let mut sim = Simulation::new(s);
        sim.step_until(until);
        sim.summary()
    };
    for p in all() {
        let own = scenario(p.json());
        let until = match own.stop {
            Stop::SimTime(t) => t,
            Stop::FinishedRequests(_) => SimTime::MAX,
        };
        let s = own.with_stop_requests(50_000);
        let a = run(&s, until);
        assert!(a.completed > 0, "preset {}: no request finished", p.id);
        let b = run(&s, until);
        assert_eq!(a, b, "preset {} is not deterministic", p.id);
        let c = run(&s.with_seed(s.spec.seed + 1), until);
        assert_ne!(a.latency_ms, c.latency_ms, "preset {}: another seed gave the same latencies", p.id);
    }
}

#[test]
fn budgeted_frames_give_the_same_run_as_one_call() {
    let s = scenario(LOAD_BALANCING_JSON);
    let whole = {
        let mut sim = Simulation::new(&s);
        sim.step_until(40_000 * NS_PER_MS);
        (sim.summary(), sim.series().clone(), sim.trace().copied().collect::<Vec<_>>())
    };
    let mut sim = Simulation::new(&s);
    let mut t = 0;
    let mut frames = 0;
    while sim.now() < 40_000 * NS_PER_MS {
        // Like the UI: 1/60 s of wall time at 100x speed, at most 5,000 events a frame.
        t = (t + 1_666 * NS_PER_MS).min(40_000 * NS_PER_MS);
        while sim.advance(t, 5_000) == Progress::OverBudget {
            frames += 1;
        }
        frames += 1;
    }
    assert!(frames > 100, "the budget should have split the run ({frames} frames)");
    assert_eq!(sim.summary(), whole.0);
    assert_eq!(*sim.series(), whole.1);
    assert_eq!(sim.trace().copied().collect::<Vec<_>>(), whole.2);
}

#[test]
fn a_run_without_its_trace_is_the_same_run() {
    // `run()` stops recording the animation's trace; every result is the
    // one a run stepped with the trace kept gives, for every preset.
    for p in all() {
        let s = scenario(p.json()).with_stop_requests(20_000);
        let mut fast = Simulation::new(&s);
        let summary = fast.run();
        assert_eq!(fast.trace().count(), 0, "preset {}", p.id);
        let mut stepped = Simulation::new(&s);
        while stepped.step() {}
        assert!(stepped.trace().count() > 0, "preset {}", p.id);
        assert_eq!(summary, stepped.summary(), "preset {}", p.id);
        assert_eq!(fast.series(), stepped.series(), "preset {}", p.id);
    }
}

#[test]
fn a_sim_time_stop_ends_exactly_there() {
    let mut sim = Simulation::new(&scenario(LOAD_BALANCING_JSON));
    let summary = sim.run();
    assert_eq!(summary.sim_time_s, 120.0);
    assert!(sim.is_finished());
    assert!(!sim.step(), "a finished run takes no more steps");
    assert_eq!(sim.series().len(), 120, "one window per simulated second");
}

#[test]
fn two_variants_of_a_scenario_see_identical_traffic() {
    // B switches the balancer to `random`, which draws random numbers; with
    // one substream per node that must not move a single arrival.
    use scalelab::sim::spec::{Algorithm, FaultSpec};
    let a = scenario(LOAD_BALANCING_JSON);
    let b = a
        .with_entry(FaultSpec {
            at_s: 0.0,
            set: Some("lb".into()),
            algorithm: Some(Algorithm::Random),
            ..Default::default()
        })
        .unwrap();
    let (mut sa, mut sb) = (Simulation::new(&a), Simulation::new(&b));
    sa.step_until(20_000 * NS_PER_MS);
    sb.step_until(20_000 * NS_PER_MS);
    let sent = |s: &Simulation| s.series().iter().map(|w| w.sent).collect::<Vec<_>>();
    assert_eq!(sent(&sa), sent(&sb), "the same requests at the same times");
    assert_ne!(sa.summary().latency_ms, sb.summary().latency_ms, "but the algorithms differ");
}
