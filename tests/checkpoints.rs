//! Going back in time through checkpoints (issue 14): a restored checkpoint
//! advanced to t is exactly the run a straight run has at t, for every
//! preset, with live edits made after the checkpoint, and memory stays
//! bounded however long the run.

mod common;

use common::scenario;
use scalelab::Simulation;
use scalelab::presets::{LOAD_BALANCING_JSON, all};
use scalelab::sim::Progress;
use scalelab::sim::checkpoint::Checkpoints;
use scalelab::sim::spec::FaultSpec;
use scalelab::sim::time::{NS_PER_MS, NS_PER_S};

/// A meter that sees every checkpoint take exactly 1 MB: a new counter of
/// heap bytes, 1 MB more each time it is read, for each test that asks.
macro_rules! one_mb_meter {
    () => {{
        use std::sync::atomic::{AtomicUsize, Ordering};
        static CALLS: AtomicUsize = AtomicUsize::new(0);
        fn meter() -> usize {
            CALLS.fetch_add(1, Ordering::Relaxed) << 20
        }
        meter
    }};
}

/// Everything a run shows: summary, series (run-wide and per node), trace
/// and the live view.
fn state(sim: &Simulation) -> String {
    let nodes = sim.scenario().topology.ids.len();
    let per_node: Vec<_> = (0..nodes).map(|i| format!("{:?}", sim.node_series(i as u32))).collect();
    format!(
        "{:?}\n{:?}\n{per_node:?}\n{:?}\n{:?}",
        sim.summary(),
        sim.series(),
        sim.trace().copied().collect::<Vec<_>>(),
        sim.snapshot()
    )
}

/// What a straight run of `s` shows at `t`.
fn straight(s: &scalelab::Scenario, t: u64) -> String {
    let mut sim = Simulation::new(s);
    sim.step_until(t);
    state(&sim)
}

/// Runs to `end` in UI-like frames, observing checkpoints after each.
fn run_with_checkpoints(sim: &mut Simulation, cps: &mut Checkpoints, end: u64) {
    let step = 500 * NS_PER_MS;
    let mut t = sim.now();
    while t < end && !sim.is_finished() {
        t = (t + step).min(end);
        while cps.advance(sim, t, 20_000) == Progress::OverBudget {}
    }
}

#[test]
fn a_restored_checkpoint_replays_exactly_the_straight_run_for_every_preset() {
    for p in all() {
        let s = scenario(p.json());
        let end = 20 * NS_PER_S;
        let mut straight_sim = Simulation::new(&s);
        straight_sim.step_until(end);
        let want = state(&straight_sim);

        // A checkpoint every tenth of the preset's own events, whatever its
        // traffic: exactly ten checkpoints (the frames stop at each one's
        // event count), none thinned (the limit is 1,000).
        let every = (straight_sim.events() / 10).max(1);
        let mut sim = Simulation::new(&s);
        let mut cps = Checkpoints::new(every, 1_000);
        run_with_checkpoints(&mut sim, &mut cps, end);
        assert_eq!(state(&sim), want, "{}: the observed run itself", p.id);
        assert_eq!(cps.len(), 10, "{}: {} checkpoints every {every} of {} events", p.id, cps.len(), sim.events());
        let times: Vec<u64> = cps.times().collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{}: {times:?}", p.id);
        // Before the first checkpoint there is none: a seek replays from 0.
        if times[0] > 0 {
            assert!(cps.restore(times[0] - 1, sim.scenario()).is_none(), "{}", p.id);
        }
        // Back to between the first, the sixth and the last checkpoint and
        // the next (or the end): each restores the latest at or before it,
        // and replays to the end exactly.
        for k in [0, 5, 9] {
            let back = (times[k] + times.get(k + 1).copied().unwrap_or(end)) / 2;
            let latest = times.iter().copied().filter(|&t| t <= back).max().expect("checkpoint k is at or before");
            let mut restored = cps
                .restore(back, sim.scenario())
                .unwrap_or_else(|| panic!("{}: no checkpoint restored for {back} ns ({times:?})", p.id));
            assert_eq!(restored.now(), latest, "{}: restored for {back} ns", p.id);
            restored.step_until(end);
            assert_eq!(state(&restored), want, "{}: restored at {} ns for {back}", p.id, latest);
        }
    }
}

#[test]
fn an_edit_after_a_checkpoint_happens_again_after_a_restore() {
    let s = scenario(LOAD_BALANCING_JSON);
    let mut live = Simulation::new(&s);
    let mut cps = Checkpoints::new(50_000, 1_000);
    run_with_checkpoints(&mut live, &mut cps, 6 * NS_PER_S);
    let e = FaultSpec { set: Some("users".into()), rate_per_s: Some(12_000.0), ..Default::default() };
    live.add_entry(e).expect("a valid edit");
    cps.edited(live.now() + 1);
    run_with_checkpoints(&mut live, &mut cps, 12 * NS_PER_S);
    let want = state(&live);

    // Back to before the edit: the checkpoint lacks it, restore adds it.
    let mut restored = cps.restore(3 * NS_PER_S, live.scenario()).expect("a checkpoint before 3 s");
    assert!(restored.scenario().timeline.len() == live.scenario().timeline.len());
    restored.step_until(12 * NS_PER_S);
    assert_eq!(state(&restored), want);

    // And a straight run of the recorded scenario agrees.
    assert_eq!(straight(live.scenario(), 12 * NS_PER_S), want);
}

#[test]
fn checkpoints_after_an_edit_in_the_past_are_dropped() {
    let s = scenario(LOAD_BALANCING_JSON);
    let mut sim = Simulation::new(&s);
    let mut cps = Checkpoints::new(50_000, 1_000);
    run_with_checkpoints(&mut sim, &mut cps, 10 * NS_PER_S);
    let before = cps.len();
    // Back to 4 s, then an edit there: the checkpoints after 4 s showed another future.
    let mut sim = cps.restore(4 * NS_PER_S, sim.scenario()).expect("a checkpoint");
    sim.step_until(4 * NS_PER_S);
    let e = FaultSpec { fail: Some("app-1".into()), ..Default::default() };
    sim.add_entry(e).expect("a valid edit");
    cps.edited(sim.now() + 1);
    assert!(!cps.is_empty() && cps.len() < before, "{before} checkpoints, then {}", cps.len());
    assert!(cps.times().all(|t| t <= 4 * NS_PER_S), "{:?}", cps.times().collect::<Vec<_>>());
    run_with_checkpoints(&mut sim, &mut cps, 10 * NS_PER_S);
    assert_eq!(state(&sim), straight(sim.scenario(), 10 * NS_PER_S));
}

#[test]
fn one_unbudgeted_advance_takes_its_checkpoints_on_the_way() {
    let s = scenario(LOAD_BALANCING_JSON);
    let mut sim = Simulation::new(&s);
    let mut cps = Checkpoints::new(100_000, 1_000);
    assert_eq!(cps.advance(&mut sim, 10 * NS_PER_S, u64::MAX), Progress::CaughtUp);
    let n = sim.events() / 100_000;
    assert_eq!(cps.len() as u64, n, "one checkpoint per 100,000 events of {}", sim.events());
    assert_eq!(state(&sim), straight(&s, 10 * NS_PER_S));
}

#[test]
fn going_forward_again_after_a_seek_back_restores_a_later_checkpoint() {
    let s = scenario(LOAD_BALANCING_JSON);
    let mut sim = Simulation::new(&s);
    let mut cps = Checkpoints::new(50_000, 1_000);
    assert!(cps.is_empty());
    run_with_checkpoints(&mut sim, &mut cps, 20 * NS_PER_S);
    assert!(!cps.is_empty());
    let want = state(&sim);
    // Now is where the run is: nothing to restore.
    assert!(cps.start_for(&sim, sim.now()).is_none());
    // A run standing at the latest checkpoint goes on from where it is,
    // not from a copy of itself.
    let last = cps.times().last().unwrap();
    let at_last = cps.restore(last, sim.scenario()).unwrap();
    assert_eq!(at_last.now(), last);
    assert!(cps.start_for(&at_last, last + NS_PER_MS).is_none());
    // Back to 2 s: in the past, so a checkpoint (or time 0) is where to start.
    let back = cps.start_for(&sim, 2 * NS_PER_S).expect("2 s is in the past");
    assert!(back.now() <= 2 * NS_PER_S);
    // Forward to 19.9 s: a checkpoint past 2 s saves the replay in between.
    let ahead = cps.start_for(&back, 19_900 * NS_PER_MS).expect("a checkpoint lies between 2 s and 19.9 s");
    assert!(ahead.now() > 15 * NS_PER_S && ahead.now() <= 19_900 * NS_PER_MS, "{}", ahead.now());
    let mut ahead = ahead;
    ahead.step_until(20 * NS_PER_S);
    assert_eq!(state(&ahead), want);
    // Nothing to gain a step ahead of the clock with no checkpoint between.
    assert!(cps.start_for(&sim, sim.now() + NS_PER_S).is_none());
}

#[test]
fn memory_is_bounded_by_thinning_and_doubling_the_interval() {
    let s = scenario(LOAD_BALANCING_JSON);
    let mut sim = Simulation::new(&s);
    let mut cps = Checkpoints::new(10_000, 8);
    run_with_checkpoints(&mut sim, &mut cps, 60 * NS_PER_S);
    assert!(cps.len() <= 8, "{} checkpoints", cps.len());
    assert!(cps.every() >= 10_000 * 8, "the interval doubled as the run went on: {}", cps.every());
    // Spread over the whole run, not bunched at its start.
    let times: Vec<u64> = cps.times().collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]));
    assert!(*times.last().unwrap() > 40 * NS_PER_S, "{times:?}");
    assert!(times[0] < 20 * NS_PER_S, "{times:?}");
}

#[test]
fn a_byte_budget_thins_checkpoints_too() {
    let s = scenario(LOAD_BALANCING_JSON);
    let mut sim = Simulation::new(&s);
    let mut cps = Checkpoints::metered(one_mb_meter!(), 5 << 20);
    run_with_checkpoints(&mut sim, &mut cps, 60 * NS_PER_S);
    assert!(cps.len() <= 5 && cps.len() >= 2, "{} checkpoints", cps.len());
    assert_eq!(cps.bytes(), cps.len() << 20);
    let mut restored = cps.restore(59 * NS_PER_S, sim.scenario()).expect("a checkpoint");
    restored.step_until(60 * NS_PER_S);
    assert_eq!(state(&restored), state(&sim));
}

#[test]
fn the_default_byte_budget_keeps_what_the_event_count_takes() {
    // The app's budget (64 MB) with checkpoints of 1 MB each: a minute of
    // load-balancing takes far fewer than 64, so the budget thins nothing
    // and the metered list is the unmetered one, checkpoint for checkpoint.
    let s = scenario(LOAD_BALANCING_JSON);
    let (mut a, mut b) = (Simulation::new(&s), Simulation::new(&s));
    let mut metered = Checkpoints::metered(one_mb_meter!(), scalelab::sim::checkpoint::DEFAULT_BUDGET_BYTES);
    let mut plain = Checkpoints::default();
    run_with_checkpoints(&mut a, &mut metered, 60 * NS_PER_S);
    run_with_checkpoints(&mut b, &mut plain, 60 * NS_PER_S);
    assert!(plain.len() >= 4, "{} checkpoints", plain.len());
    assert_eq!(metered.times().collect::<Vec<_>>(), plain.times().collect::<Vec<_>>());
    assert_eq!(metered.bytes(), metered.len() << 20);
}

#[test]
fn a_byte_budget_holds_up_to_its_bytes_and_thins_to_half() {
    // 1 MB a checkpoint and a budget of 5 MB: the list grows to exactly 5;
    // the 6th is over the budget, so every other one goes (3 stay, 3 MB),
    // never all of them. Each call advances 20,000 events, fewer than the
    // interval (250,000 and doubling), so each look sees at most one new
    // checkpoint.
    let s = scenario(LOAD_BALANCING_JSON);
    let mut sim = Simulation::new(&s);
    let mut cps = Checkpoints::metered(one_mb_meter!(), 5 << 20);
    let (mut lens, mut t) = (Vec::new(), 0);
    while t < 120 * NS_PER_S {
        t += 500 * NS_PER_MS;
        while cps.advance(&mut sim, t, 20_000) == Progress::OverBudget {
            lens.push(cps.len());
        }
        lens.push(cps.len());
    }
    let full = lens.iter().position(|&n| n == 5).expect("the list reaches 5 checkpoints");
    assert_eq!(lens.iter().max(), Some(&5), "never more than the budget's 5");
    assert_eq!(lens[full..].iter().min(), Some(&3), "thinned to 3, never emptied");
    assert!(lens[full..].windows(2).any(|w| w == [5, 3]), "a 6th over the budget thins 5 to 3");
}

#[test]
fn an_advance_spends_its_whole_event_budget_across_checkpoints() {
    // A checkpoint every 1,000 events and a call allowed 10,000: the call
    // runs exactly 10,000 events (the run is far from its end), taking a
    // checkpoint at each thousand on the way, as one call of the engine's
    // own advance would run 10,000.
    let s = scenario(LOAD_BALANCING_JSON);
    let mut sim = Simulation::new(&s);
    let mut cps = Checkpoints::new(1_000, 256);
    assert_eq!(cps.advance(&mut sim, 60 * NS_PER_S, 10_000), Progress::OverBudget);
    assert_eq!(sim.events(), 10_000);
    assert_eq!(cps.len(), 10);
    let mut straight = Simulation::new(&s);
    assert_eq!(straight.advance(60 * NS_PER_S, 10_000), Progress::OverBudget);
    assert_eq!(state(&straight), state(&sim));
}

#[test]
fn thinning_keeps_every_second_checkpoint_and_the_newest() {
    // At most 4, one every 1,000 events: the 5th finds the list full, so the
    // 1st and 3rd go (the 2nd and 4th stay, evenly spread, the newest among
    // them) and the 5th joins them; the interval doubles.
    let s = scenario(LOAD_BALANCING_JSON);
    let mut sim = Simulation::new(&s);
    let mut cps = Checkpoints::new(1_000, 4);
    assert_eq!(cps.advance(&mut sim, 60 * NS_PER_S, 5_000), Progress::OverBudget);
    let mut straight = Simulation::new(&s);
    let at: Vec<u64> = (0..5)
        .map(|_| {
            assert_eq!(straight.advance(60 * NS_PER_S, 1_000), Progress::OverBudget);
            straight.now()
        })
        .collect();
    assert_eq!(cps.times().collect::<Vec<_>>(), vec![at[1], at[3], at[4]]);
    assert_eq!(cps.every(), 2_000);
}
