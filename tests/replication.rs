//! The replicated database against figures derived outside the code: a
//! sync write waits for the slowest of k replicas (the maximum of k
//! exponentials, mean H_k/μ), a semi-sync write with one acknowledgement
//! for the fastest (the minimum, 1/(kμ)); an async failover loses the
//! replica's lag (an M/M/1 apply queue behind a fixed shipping delay:
//! λd + ρ/(1−ρ) entries, by Little's law); sync loses nothing; a sync
//! standby that is down stops every write; semi-sync falls back after its
//! timeout; reads from the primary are never stale. Bad settings are
//! refused by name.

use scalelab::families::replication::replicated_db::DbView;
use scalelab::families::replication::spec::Replication;
use scalelab::{Scenario, Simulation};
use serde_json::{Value, json};

mod common;
use common::{db, run_value as run};

/// A client writing (`write` share of its requests) straight to a
/// replicated database with `db` fields, over a link of no latency.
fn scenario(rate: f64, write: f64, keys: u64, db: Value, faults: Value, stop_s: f64, seed: u64) -> Value {
    let mut d = json!({"id": "db", "kind": "replicated_db", "key_space": keys});
    for (k, v) in db.as_object().unwrap() {
        d[k] = v.clone();
    }
    json!({
        "version": 1, "name": "replication test", "seed": seed, "stop": {"sim_time_s": stop_s},
        "nodes": [
            {"id": "users", "kind": "client", "arrivals": {"process": "poisson", "rate_per_s": rate},
             "clients": 50, "keys": {"dist": "uniform", "n_keys": keys}, "ops": {"write": write}},
            d
        ],
        "links": [{"from": "users", "to": "db", "latency_ms": 0}],
        "faults": faults
    })
}

fn harmonic(k: u32) -> f64 {
    (1..=k).map(|i| 1.0 / f64::from(i)).sum()
}

/// The mean write latency of a write-only run, less the primary's constant
/// 1 ms and the shipping both ways: what waiting for the replicas added.
fn replication_wait_ms(db: Value, ship_ms: f64, seed: u64) -> (f64, u64) {
    let mut d = db;
    d["write_service_time"] = json!({"dist": "constant", "mean_ms": 1.0});
    d["ship_delay_ms"] = json!(ship_ms);
    // 2 writes/s against replicas applying 200/s: ρ = 0.01, so a write
    // finds a replica still applying the one before about 1 time in 100,
    // and waits ~5 ms more then: a bias of about +0.05 ms, 0.5–0.7% of
    // H_k/μ and 2% of 1/(kμ) here (measured: +0.2% to +2.4%).
    let s = run(&scenario(2.0, 1.0, 1000, d, json!([]), 3000.0, seed));
    let lat = &s.latency_ms;
    (lat.mean - 1.0 - 2.0 * ship_ms, lat.count)
}

#[test]
fn a_sync_write_waits_for_the_slowest_of_k_replicas_h_k_over_mu() {
    // μ = 200/s: mean apply 5 ms. The maximum of k exponentials has mean
    // H_k/μ and standard deviation √(Σ 1/i²)/μ; over ~6,000 writes the
    // sample mean's 3σ is under 2.5% of it (k = 3: CV 0.64/√6000 × 3).
    for (k, seed) in [(2u32, 1u64), (3, 2), (5, 3)] {
        let (wait, n) =
            replication_wait_ms(json!({"replicas": k, "replication": "sync", "apply_rate_per_s": 200}), 0.5, seed);
        let expected = harmonic(k) / 200.0 * 1000.0;
        eprintln!("sync, k = {k}: waited {wait:.3} ms over {n} writes; H_k/μ = {expected:.3} ms");
        assert!(n > 5_500, "k = {k}: {n} writes");
        assert!(
            (wait - expected).abs() < 0.03 * expected,
            "k = {k}: waited {wait:.3} ms for the replicas; H_k/μ = {expected:.3} ms"
        );
    }
}

#[test]
fn a_semi_sync_write_with_one_ack_waits_for_the_fastest_of_k_one_over_k_mu() {
    // The minimum of k exponentials of rate μ is exponential of rate kμ:
    // CV 1, so ~6,000 writes give 3σ = 3.9%… too wide: the test runs
    // 4 seeds and checks their pooled mean (24,000 writes: 3σ = 1.9%).
    for k in [2u32, 4] {
        let (mut sum, mut count) = (0.0, 0u64);
        for seed in 1..=4 {
            let (wait, n) = replication_wait_ms(
                json!({"replicas": k, "replication": "semi_sync", "ack_count": 1, "apply_rate_per_s": 200}),
                0.5,
                seed,
            );
            sum += wait * n as f64;
            count += n;
        }
        let wait = sum / count as f64;
        let expected = 1000.0 / (f64::from(k) * 200.0);
        eprintln!("semi-sync, one ack, k = {k}: waited {wait:.3} ms over {count} writes; 1/(kμ) = {expected:.3} ms");
        assert!(
            (wait - expected).abs() < 0.03 * expected,
            "k = {k}: waited {wait:.3} ms for the first replica; 1/(kμ) = {expected:.3} ms"
        );
    }
}

#[test]
fn async_answers_at_once_the_replicas_add_nothing_to_a_write() {
    let (wait, _) = replication_wait_ms(json!({"replicas": 3, "apply_rate_per_s": 200}), 0.5, 1);
    // Less the shipping it never waits for: exactly −1 ms.
    assert!((wait + 1.0).abs() < 1e-6, "async waited {wait} ms beyond the primary's write");
}

/// A primary with one replica (`replication`) dies at 20 s: the lost writes of `seeds` runs.
fn failover_losses(seeds: u64, replication: &str) -> Vec<u64> {
    (1..=seeds)
        .map(|seed| {
            let s = run(&scenario(
                1000.0,
                1.0,
                100_000,
                json!({"replicas": 1, "replication": replication, "apply_rate_per_s": 1250,
                       "ship_delay_ms": 20, "workers": 16, "failover_ms": 1000}),
                json!([{"at_s": 20, "fail": "db", "part": 0}]),
                22.0,
                seed,
            ));
            let d = db(&s);
            assert_eq!(d.failovers.len(), 1, "seed {seed}: one failover");
            assert_eq!(d.failovers[0].to, "db-1");
            d.lost_writes
        })
        .collect()
}

#[test]
fn an_async_failover_loses_the_writes_in_the_replicas_lag_window() {
    // Writes leave the primary (M/M/16: Poisson out, by Burke's theorem)
    // at λ = 1000/s and take d = 20 ms to reach the replica; the primary's
    // death loses what was on the way: a Poisson count of mean λd = 20
    // (standard deviation 4.5). Over 300 seeds the mean's 3σ is 0.77,
    // under 4% of 20. (The replica's apply queue, ρ = 0.8, is not lost:
    // the new primary applies its relay log first.)
    let lost = failover_losses(300, "async");
    let mean = lost.iter().sum::<u64>() as f64 / lost.len() as f64;
    let expected = 1000.0 * 0.020;
    eprintln!("async failover: {mean:.2} writes lost on average over {} seeds; λd = {expected}", lost.len());
    assert!((mean - expected).abs() < 0.1 * expected, "lost {mean:.2} writes on average; λd = {expected}");
}

#[test]
fn a_sync_failover_loses_no_acknowledged_write() {
    let lost = failover_losses(20, "sync");
    assert_eq!(lost, vec![0; 20]);
}

#[test]
fn a_semi_sync_failover_loses_no_acknowledged_write() {
    // One acknowledgement from the one replica: every answered write was
    // applied there, though the replica's apply queue is busy (ρ = 0.8) and
    // acknowledgements of earlier entries keep arriving while later ones wait.
    let lost = failover_losses(20, "semi_sync");
    assert_eq!(lost, vec![0; 20]);
}

#[test]
fn semi_sync_loses_nothing_until_it_falls_back_then_loses_like_async() {
    let faults = |die_s: f64| {
        json!([
            {"at_s": 5, "fail": "db", "part": 2},
            {"at_s": die_s, "fail": "db", "part": 0}
        ])
    };
    let db_fields = json!({"replicas": 2, "replication": "semi_sync", "ack_count": 2, "timeout_ms": 2000,
                           "apply_rate_per_s": 1250, "ship_delay_ms": 5, "workers": 16, "failover_ms": 1000});
    // The primary dies 1 s after a replica: semi-sync is still waiting
    // (for 2 s) and no write has been answered without both acks.
    let before = run(&scenario(1000.0, 1.0, 100_000, db_fields.clone(), faults(6.0), 9.0, 1));
    assert_eq!(db(&before).semi_sync_fallbacks, 0);
    assert_eq!(db(&before).lost_writes, 0);
    // 5 s after it: it fell back at 7 s and answered writes db-1 had not applied.
    let after = run(&scenario(1000.0, 1.0, 100_000, db_fields, faults(10.0), 13.0, 1));
    assert_eq!(db(&after).semi_sync_fallbacks, 1);
    assert!(db(&after).lost_writes > 0, "after the fallback a failover loses writes as async does");
}

#[test]
fn a_down_sync_standby_stops_every_write_until_it_returns() {
    let v = scenario(
        200.0,
        0.5,
        1000,
        json!({"replicas": 2, "modes": ["sync", "async"], "queue_capacity": 100_000}),
        json!([{"at_s": 10, "fail": "db", "part": 1}, {"at_s": 20, "recover": "db", "part": 1}]),
        30.0,
        1,
    );
    let s = Scenario::from_json(&v.to_string()).unwrap();
    let mut sim = Simulation::new(&s);
    let acked = |sim: &Simulation| sim.snapshot().nodes[1].figure("Writes acknowledged").unwrap();
    let reads = |sim: &Simulation| sim.snapshot().nodes[1].figure("Reads answered").unwrap();
    sim.step_until(10_100_000_000);
    let (w10, r10) = (acked(&sim), reads(&sim));
    sim.step_until(19_900_000_000);
    let (w20, r20) = (acked(&sim), reads(&sim));
    assert_eq!(w10, w20, "no write is answered while the sync standby is down");
    // Reads go on: ~100/s for 9.8 s.
    assert!(r20 - r10 > 800.0, "reads went on: {}", r20 - r10);
    let view = sim.snapshot().nodes[1].own::<DbView>().unwrap().clone();
    assert!(view.waiting_for_replicas > 800, "the writes wait: {}", view.waiting_for_replicas);
    assert_eq!(view.replication, None, "a sync standby beside an async replica: no one mode");
    sim.step_until(21_000_000_000);
    assert!(acked(&sim) > w20 + 800.0, "its return answers them: {} → {}", w20, acked(&sim));
}

#[test]
fn reads_from_the_primary_are_never_stale_from_lagging_replicas_often() {
    let fields =
        |read_from: &str| json!({"replicas": 2, "read_from": read_from, "ship_delay_ms": 50, "apply_rate_per_s": 2000});
    let primary = run(&scenario(2000.0, 0.3, 200, fields("primary"), json!([]), 20.0, 1));
    assert!(db(&primary).reads > 20_000);
    assert_eq!(db(&primary).stale_reads, 0);
    // A key is written 3 times a second (600 writes/s over 200 keys) and a
    // replica sees a write 50 ms late: about 1 − e^(−3 × 0.05) = 14% of
    // reads find an older version (the apply adds a little).
    let replicas = run(&scenario(2000.0, 0.3, 200, fields("replicas"), json!([]), 20.0, 1));
    let share = db(&replicas).stale_reads as f64 / db(&replicas).reads as f64;
    let expected = 1.0 - (-3.0f64 * 0.0505).exp();
    assert!((share - expected).abs() < 0.15 * expected, "{share:.4} of replica reads stale; ≈ {expected:.4}");
    assert!(db(&replicas).read_your_writes_violations > 0);
    assert!(db(&replicas).read_your_writes_violations < db(&replicas).stale_reads);
    // Client ids are drawn from 50, independently of keys: a stale read's
    // newer version was a write of the same client 1 time in 50 (binomial;
    // ±4σ).
    let (stale, ryw) = (db(&replicas).stale_reads as f64, db(&replicas).read_your_writes_violations as f64);
    let (mean, sd) = (stale / 50.0, (stale * (1.0 / 50.0) * (49.0 / 50.0)).sqrt());
    assert!(
        (ryw - mean).abs() < 4.0 * sd,
        "{ryw} read-your-writes violations of {stale} stale reads; ≈ {mean:.0} ± {sd:.1}"
    );
}

#[test]
fn requests_wait_for_a_primary_up_to_the_queue_then_are_refused() {
    // 200 writes/s; the primary dies at 2 s and a replica takes over at
    // 4 s: 400 writes arrive meanwhile, 50 wait (queue_capacity) and the
    // other ~350 are refused (Poisson: ±3σ = ±60). The 50 are answered by
    // the new primary.
    let v = scenario(
        200.0,
        1.0,
        1000,
        json!({"replicas": 1, "queue_capacity": 50, "failover_ms": 2000}),
        json!([{"at_s": 2, "fail": "db", "part": 0}]),
        5.0,
        1,
    );
    let s = Scenario::from_json(&v.to_string()).unwrap();
    let mut sim = Simulation::new(&s);
    let at_death = {
        sim.step_until(2_000_000_000);
        sim.snapshot().nodes[1].figure("Writes acknowledged").unwrap()
    };
    sim.step_until(3_990_000_000);
    let view = sim.snapshot().nodes[1].clone();
    assert_eq!(view.figure("Requests waiting for a primary"), Some(50.0));
    let refused = sim.summary().refused;
    assert!((290..=410).contains(&refused), "{refused} refused during the failover");
    sim.step_until(4_100_000_000);
    assert_eq!(sim.snapshot().nodes[1].figure("Requests waiting for a primary"), Some(0.0));
    let answered = sim.snapshot().nodes[1].figure("Writes acknowledged").unwrap() - at_death;
    assert!(answered >= 50.0, "the waiting writes are answered by the new primary: {answered}");
}

#[test]
fn a_dead_replica_leaves_the_reads_to_the_others() {
    let v = scenario(
        1000.0,
        0.0,
        1000,
        json!({"replicas": 2, "read_from": "replicas"}),
        json!([{"at_s": 10, "fail": "db", "part": 1}]),
        20.0,
        1,
    );
    let s = run(&v);
    let d = db(&s);
    let (a, b) = (d.members["db-1"].served, d.members["db-2"].served);
    // Half each for 10 s, then db-2 alone: about 5,000 and 15,000.
    assert!((4_500..5_500).contains(&a), "db-1 served {a}");
    assert!((14_000..16_000).contains(&b), "db-2 served {b}");
    assert_eq!(d.members["db-0"].served, 0, "the primary takes no read while a replica is up");
    assert!(s.reset <= 16, "only what db-1 held failed: {}", s.reset);
}

#[test]
fn bad_settings_are_refused_by_name() {
    for (fields, path) in [
        (json!({"replicas": 9}), "nodes[1].replicas"),
        (json!({"replicas": 2, "replication": "semi_sync", "ack_count": 3}), "nodes[1].ack_count"),
        (json!({"replicas": 2, "ack_count": 2}), "nodes[1].ack_count"),
        (json!({"replicas": 2, "modes": ["sync"]}), "nodes[1].modes"),
        (json!({"replicas": 2, "replication": "semi_sync", "modes": ["sync", "async"]}), "nodes[1].modes"),
        (json!({"key_space": 100_001}), "nodes[1].key_space"),
        (json!({"apply_rate_per_s": 0}), "nodes[1].apply_rate_per_s"),
        (json!({"replication": "eventual"}), "nodes[1]"),
    ] {
        let v = scenario(10.0, 0.5, 1000, fields.clone(), json!([]), 1.0, 1);
        let e = Scenario::from_json(&v.to_string()).expect_err(&format!("{fields} is refused")).to_string();
        assert!(e.contains(path), "{fields}: {e}");
    }
}

#[test]
fn after_a_sync_failover_writes_go_on_without_waiting_for_the_dead_old_primary() {
    let v = scenario(
        200.0,
        0.5,
        1000,
        json!({"replicas": 2, "replication": "sync", "failover_ms": 1000}),
        json!([{"at_s": 5, "fail": "db", "part": 0}]),
        20.0,
        1,
    );
    let s = Scenario::from_json(&v.to_string()).unwrap();
    let mut sim = Simulation::new(&s);
    let acked = |sim: &Simulation| sim.snapshot().nodes[1].figure("Writes acknowledged").unwrap();
    sim.step_until(7_000_000_000);
    let at7 = acked(&sim);
    sim.step_until(20_000_000_000);
    // 100 writes/s for 13 s, to db-1 with db-2 its sync replica; db-0 is
    // out of the replica set until it returns.
    let after = acked(&sim) - at7;
    assert!((1_150.0..1_450.0).contains(&after), "{after} writes acknowledged after the failover");
    let view = sim.snapshot().nodes[1].own::<DbView>().unwrap().clone();
    assert_eq!(view.waiting_for_replicas, 0);
    assert_eq!(view.replication, Some(Replication::Sync), "the old primary took the new one's sync mode");
    // The dead old primary follows no log: it is no replica's lag.
    assert!(view.members[0].detached && !view.members[0].up);
    assert_eq!((view.members[0].lag_entries, view.members[0].lag_ms), (0, 0.0));
    let lag = sim.snapshot().nodes[1].figure("Max replica lag (entries)").unwrap();
    assert!(lag < 20.0, "the largest lag is db-2's, a few entries: {lag}");
}

#[test]
fn a_dead_old_primary_that_returns_after_a_failover_rejoins_as_a_replica_and_leads_nothing() {
    let v = scenario(
        200.0,
        0.5,
        1000,
        json!({"replicas": 2, "failover_ms": 1000}),
        json!([{"at_s": 5, "fail": "db", "part": 0}, {"at_s": 10, "recover": "db", "part": 0}]),
        20.0,
        1,
    );
    let mut sim = Simulation::new(&Scenario::from_json(&v.to_string()).unwrap());
    sim.step_until(20_000_000_000);
    let snap = sim.snapshot();
    let view = snap.nodes[1].own::<DbView>().unwrap().clone();
    assert!(view.members[1].primary && !view.members[0].primary && view.members[0].up);
    assert!(!view.members[0].stale_leader && !view.members[0].detached, "{:?}", view.members[0]);
    // Without an ensemble there is no session to expire, and it took no
    // write after the promotion: no step-down to settle.
    let stories: Vec<&str> = snap.nodes[1].stories.iter().map(|s| s.text.as_str()).collect();
    assert!(stories.iter().all(|s| !s.contains("session") && !s.contains("steps down")), "{stories:?}");
    // It follows the new primary's log: a few entries behind, like db-2.
    assert!(view.members[0].lag_entries < 20, "{:?}", view.members[0]);
}

#[test]
fn a_member_that_fails_and_returns_at_once_serves_every_later_read_in_full() {
    // Reads take exactly 10 ms. db-1 fails for 1 ms five times, losing the
    // ~10 reads it holds each time; the reads it takes right after reuse
    // their workers' slots while the lost reads' timers are still due. A
    // stale timer would answer a new read early, below 10 ms: every
    // answered read takes exactly 10 ms, so the mean is 10.
    let mut faults = Vec::new();
    for k in 1..=5 {
        faults.push(json!({"at_s": k, "fail": "db", "part": 1}));
        faults.push(json!({"at_s": f64::from(k) + 0.001, "recover": "db", "part": 1}));
    }
    let v = scenario(
        1000.0,
        0.0,
        1000,
        json!({"replicas": 1, "read_from": "replicas", "workers": 64,
               "service_time": {"dist": "constant", "mean_ms": 10.0}}),
        json!(faults),
        7.0,
        1,
    );
    let s = run(&v);
    assert!(s.reset >= 30, "the failures reset what db-1 held: {}", s.reset);
    assert!((s.latency_ms.mean - 10.0).abs() < 1e-6, "mean read {} ms", s.latency_ms.mean);
}

#[test]
fn bad_live_settings_are_refused_by_name() {
    for (db, params, path, words) in [
        (
            json!({"replicas": 2, "modes": ["sync", "async"]}),
            json!({"replication": "semi_sync"}),
            "faults[0].params.replication",
            "modes",
        ),
        (json!({"replicas": 0}), json!({"replication": "semi_sync"}), "faults[0].params.replication", "0 replicas"),
        (json!({}), json!({"apply_rate_per_s": 0}), "faults[0].params.apply_rate_per_s", ""),
        (json!({}), json!({}), "faults[0].params", "needs at least one"),
        (json!({}), json!({"read_from": "nearest"}), "faults[0].params", ""),
    ] {
        let v = scenario(10.0, 0.5, 1000, db, json!([{"at_s": 1, "set": "db", "params": params}]), 2.0, 1);
        let e = Scenario::from_json(&v.to_string()).expect_err(&format!("{params} is refused")).to_string();
        assert!(e.contains(path) && e.contains(words), "{params}: {e}");
    }
    // What the database can do is accepted.
    let v = scenario(
        10.0,
        0.5,
        1000,
        json!({}),
        json!([{"at_s": 1, "set": "db", "params": {"replication": "semi_sync"}}]),
        2.0,
        1,
    );
    Scenario::from_json(&v.to_string()).expect("semi_sync on a database with replicas");
}

/// Every 0.1 ms of a busy run (1,000 writes/s, replicas applying 1,250/s,
/// 5 ms away), what the waiting writes and the replicas' lags say: an
/// answered write is one a replica applied, so the writes not yet answered
/// are at least the entries the replicas lack (`lag` is the log's head less
/// the entries a replica applied; the waiting writes, the head less those
/// answered, in order). Returns the fewest waiting writes less the bound
/// `bound(lags)` over the run.
fn waiting_less_bound(replication: &str, bound: fn(&[u64]) -> u64) -> i64 {
    let v = scenario(
        1000.0,
        1.0,
        100_000,
        json!({"replicas": 2, "replication": replication, "apply_rate_per_s": 1250, "ship_delay_ms": 5,
               "workers": 16, "timeout_ms": 60_000}),
        json!([]),
        3.0,
        1,
    );
    let s = Scenario::from_json(&v.to_string()).unwrap();
    let mut sim = Simulation::new(&s);
    let mut least = i64::MAX;
    for step in 1..=30_000u64 {
        sim.step_until(step * 100_000);
        let view = sim.snapshot().nodes[1].own::<DbView>().unwrap().clone();
        let lags: Vec<u64> = view.members.iter().filter(|m| !m.primary).map(|m| m.lag_entries).collect();
        least = least.min(view.waiting_for_replicas as i64 - bound(&lags) as i64);
    }
    least
}

#[test]
fn an_answered_write_was_applied_where_its_replication_says() {
    // Sync: on every replica, so the waiting writes cover the largest lag;
    // semi-sync with one acknowledgement: on one, so they cover the
    // smallest. Each bound is met with equality at some moment (a write
    // waits for exactly the entries missing), never broken.
    assert_eq!(waiting_less_bound("sync", |l| *l.iter().max().unwrap()), 0);
    assert_eq!(waiting_less_bound("semi_sync", |l| *l.iter().min().unwrap()), 0);
}

#[test]
fn semi_sync_tells_each_fallback_and_return_keeping_the_newest_eight() {
    // Five times the replica dies for 2 s: the writes wait out the 0.5 s
    // timeout, the primary falls back, the replica returns and catches up.
    let mut faults = Vec::new();
    for k in 0..5 {
        let at = 2.0 + 4.0 * f64::from(k);
        faults.push(json!({"at_s": at, "fail": "db", "part": 1}));
        faults.push(json!({"at_s": at + 2.0, "recover": "db", "part": 1}));
    }
    let v = scenario(
        200.0,
        0.5,
        1000,
        json!({"replicas": 1, "replication": "semi_sync", "timeout_ms": 500}),
        json!(faults),
        23.0,
        1,
    );
    let s = Scenario::from_json(&v.to_string()).unwrap();
    let mut sim = Simulation::new(&s);
    sim.run();
    let view = sim.snapshot().nodes[1].clone();
    let texts: Vec<&str> = view.stories.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(texts.len(), 8, "{texts:#?}");
    assert_eq!(db(&sim.summary()).semi_sync_fallbacks, 5);
    // The newest eight of ten, oldest first: fallback, return, … from the second cycle.
    for (k, pair) in texts.chunks(2).enumerate() {
        let at = 6.5 + 4.0 * k as f64;
        assert!(
            pair[0].starts_with(&format!(
                "{at:.1} s: semi-sync: no 1 acknowledgement(s) in 500 ms; falling back to async"
            )),
            "{}",
            pair[0]
        );
        assert!(pair[1].contains("db-1 caught up: semi-sync again"), "{}", pair[1]);
    }
    assert!(view.stories.iter().all(|s| s.class == "replication"));
    assert_eq!(view.stories.iter().filter(|s| s.failed).count(), 4, "the fallbacks are told as failures");
}

#[test]
fn reads_that_find_the_replicas_idle_take_them_in_turn() {
    // 20 reads/s of 1 µs: each finds every replica idle (two reads within
    // a microsecond: about once in 50,000), so each goes to the next one:
    // an even split to within one read.
    for replicas in [2u32, 3] {
        let v = scenario(
            20.0,
            0.0,
            1000,
            json!({"replicas": replicas, "read_from": "replicas",
                   "service_time": {"dist": "constant", "mean_ms": 0.001}}),
            json!([]),
            60.0,
            1,
        );
        let s = run(&v);
        let served: Vec<u64> = (1..=replicas).map(|i| db(&s).members[&format!("db-{i}")].served).collect();
        let (lo, hi) = (served.iter().min().unwrap(), served.iter().max().unwrap());
        assert!(hi - lo <= 1 && *lo > 300, "{replicas} replicas served {served:?}");
    }
}
