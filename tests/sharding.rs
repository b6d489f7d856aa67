//! The sharded store against what sharding is documented to do: moved keys
//! on a topology change (ring vs modulo vs ranges), range scans touching one
//! shard or all, hot keys that virtual nodes cannot fix, quorums with
//! replicas down, the hops each routing tier costs, and a store that loses
//! every shard. (Same seed, same run: tests/determinism.rs, for every preset.)

use scalelab::families::ring::hash64;
use scalelab::families::sharding::sharded_store::{StoreSummary, StoreView};
use scalelab::{HashRing, Scenario, Simulation, Summary};
use serde_json::{Value, json};

/// A client at `rate` requests/s linked (1 ms) to a store with `store` fields.
fn scenario(rate: f64, keys: Value, ops: Value, store: Value, faults: Value, seed: u64) -> Value {
    let mut s = json!({"id": "store", "kind": "sharded_store", "key_space": 100_000});
    for (k, v) in store.as_object().unwrap() {
        s[k] = v.clone();
    }
    json!({
        "version": 1, "name": "sharding test", "seed": seed, "stop": {"sim_time_s": 30},
        "nodes": [
            {"id": "users", "kind": "client", "arrivals": {"process": "poisson", "rate_per_s": rate},
             "keys": keys, "ops": ops},
            s
        ],
        "links": [{"from": "users", "to": "store", "latency_ms": 1}],
        "faults": faults
    })
}

fn uniform() -> Value {
    json!({"dist": "uniform", "n_keys": 100_000})
}

fn run(v: &Value) -> Summary {
    let s = Scenario::from_json(&v.to_string()).unwrap_or_else(|e| panic!("{e}"));
    Simulation::new(&s).run()
}

fn store(summary: &Summary) -> &StoreSummary {
    summary.nodes["store"].own::<StoreSummary>().expect("a sharded_store has a store summary")
}

fn view_at(v: &Value, t_s: f64) -> StoreView {
    let s = Scenario::from_json(&v.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulation::new(&s);
    sim.step_until((t_s * 1e9) as u64);
    sim.snapshot().nodes[1].own::<StoreView>().expect("a sharded_store shows a StoreView").clone()
}

#[test]
fn adding_a_shard_moves_about_one_in_n_plus_one_keys_all_to_the_new_shard() {
    for (n, seed) in [(4u32, 1u64), (6, 2), (9, 3)] {
        let v = scenario(
            500.0,
            uniform(),
            json!({}),
            json!({"shards": n, "vnodes": 200}),
            json!([{"at_s": 10, "add_shard": "store"}]),
            seed,
        );
        let view = view_at(&v, 11.0);
        let layout = &view.layout;
        let change = layout.last_change.as_ref().unwrap();
        let expected = 1.0 / f64::from(n + 1);
        assert!(
            (change.moved_fraction - expected).abs() < 0.15 * expected,
            "n={n}: moved {} expected {expected}",
            change.moved_fraction
        );
        // Every moved key now belongs to the new shard, and it came from another.
        assert_eq!(layout.moved.len() as u64, change.moved);
        for &(i, from) in &layout.moved {
            assert_eq!(layout.keys[i as usize].2, n, "key {} moved to the new shard", layout.keys[i as usize].0);
            assert_ne!(from, n);
        }
        // Modulo hashing would have moved about n/(n+1).
        let modulo = f64::from(n) / f64::from(n + 1);
        assert!((change.alternative_fraction - modulo).abs() < 0.03, "n={n}: modulo {}", change.alternative_fraction);
        assert_eq!(change.alternative, "modulo");
    }
}

#[test]
fn modulo_partitioning_moves_most_keys_and_a_ring_would_not() {
    let v = scenario(
        500.0,
        uniform(),
        json!({}),
        json!({"shards": 5, "partitioning": "modulo"}),
        json!([{"at_s": 10, "add_shard": "store"}]),
        4,
    );
    let summary = run(&v);
    let c = &store(&summary).changes[0];
    assert!((c.moved_fraction - 5.0 / 6.0).abs() < 0.03, "modulo moved {}", c.moved_fraction);
    assert_eq!(c.alternative, "hash ring");
    assert!((c.alternative_fraction - 1.0 / 6.0).abs() < 0.05, "ring would move {}", c.alternative_fraction);
}

#[test]
fn a_range_scan_touches_one_or_two_shards_under_range_partitioning_and_all_under_hash() {
    let ops = json!({"range": 0.5, "range_keys": 100});
    let range =
        run(&scenario(300.0, uniform(), ops.clone(), json!({"shards": 8, "partitioning": "range"}), json!([]), 1));
    let hash = run(&scenario(300.0, uniform(), ops, json!({"shards": 8}), json!([]), 1));
    let (r, h) = (store(&range), store(&hash));
    assert!(r.ranges > 3_000 && h.ranges > 3_000);
    assert!(r.mean_range_fanout < 1.05, "range: {} shards per scan", r.mean_range_fanout);
    assert!(h.mean_range_fanout > 7.9, "hash: {} shards per scan", h.mean_range_fanout);
    // Scatter-gather waits for the slowest of eight: the tail is longer.
    assert!(hash.latency_ms.p99 > range.latency_ms.p99, "{} vs {}", hash.latency_ms.p99, range.latency_ms.p99);
}

#[test]
fn sequential_hot_keys_make_a_hot_range_but_spread_on_a_ring() {
    // Zipf: keys 0, 1, 2 … are the hottest, and they are neighbours.
    let zipf = json!({"dist": "zipf", "n_keys": 100_000, "exponent": 0.8});
    let range =
        run(&scenario(2_000.0, zipf.clone(), json!({}), json!({"shards": 8, "partitioning": "range"}), json!([]), 2));
    let hash = run(&scenario(2_000.0, zipf, json!({}), json!({"shards": 8}), json!([]), 2));
    assert!(store(&range).load_max_over_mean > 3.0, "range max/mean {}", store(&range).load_max_over_mean);
    assert!(store(&hash).load_max_over_mean < 1.5, "hash max/mean {}", store(&hash).load_max_over_mean);
}

#[test]
fn virtual_nodes_even_out_shares_but_not_a_hot_key() {
    let hot = json!({"dist": "zipf", "n_keys": 100_000, "exponent": 1.2});
    for seed in 1..=3 {
        let few = run(&scenario(2_000.0, uniform(), json!({}), json!({"shards": 8, "vnodes": 1}), json!([]), seed));
        let many = run(&scenario(2_000.0, uniform(), json!({}), json!({"shards": 8, "vnodes": 500}), json!([]), seed));
        assert!(store(&few).load_cv > 0.3, "seed {seed}: 1 vnode cv {}", store(&few).load_cv);
        assert!(store(&many).load_cv < 0.1, "seed {seed}: 500 vnodes cv {}", store(&many).load_cv);

        let hot_many =
            run(&scenario(2_000.0, hot.clone(), json!({}), json!({"shards": 8, "vnodes": 500}), json!([]), seed));
        let mm = store(&hot_many).load_max_over_mean;
        assert!(mm > 2.0, "seed {seed}: a hot key keeps one shard hot at 500 vnodes (max/mean {mm})");
        // Reading from any of three replicas spreads the hot key's reads.
        let replicated = run(&scenario(
            2_000.0,
            hot.clone(),
            json!({}),
            json!({"shards": 8, "vnodes": 500, "replication": 3}),
            json!([]),
            seed,
        ));
        assert!(
            store(&replicated).load_max_over_mean < mm * 0.7,
            "seed {seed}: replicas {}",
            store(&replicated).load_max_over_mean
        );
    }
}

/// The preference lists of keys 0 … n_keys−1 on a ring of `shards` shards
/// (`vnodes` points each): from the key's hash (`key-<k>`, XXH3-64), the
/// next `n` distinct shards clockwise. Walked here on the ring's points, an
/// oracle apart from the store's placement code.
fn preference_lists(shards: u32, vnodes: u32, n_keys: u64, n: usize) -> Vec<Vec<u32>> {
    let mut ring = HashRing::new(vnodes);
    for s in 0..shards {
        ring.add_node(&format!("shard-{s}"));
    }
    let points = ring.points();
    (0..n_keys)
        .map(|k| {
            let h = hash64(format!("key-{k}").as_bytes());
            let first = points.partition_point(|&(p, _)| p < h);
            let mut list: Vec<u32> = Vec::new();
            for j in 0..points.len() {
                let shard = points[(first + j) % points.len()].1;
                if !list.contains(&shard) {
                    list.push(shard);
                }
                if list.len() == n {
                    break;
                }
            }
            list
        })
        .collect()
}

/// The share of keys whose preference list holds every shard of `down`.
fn share_with_all(lists: &[Vec<u32>], down: &[u32]) -> f64 {
    lists.iter().filter(|l| down.iter().all(|d| l.contains(d))).count() as f64 / lists.len() as f64
}

/// Asserts that `got` requests were refused out of an expected Poisson
/// count `want`, within `tolerance` of it; the tolerance is at least 4
/// standard deviations (√want) at the counts these tests have.
fn assert_refused(what: &str, got: u64, want: f64, tolerance: f64) {
    assert!(tolerance * want >= 4.0 * want.sqrt(), "{what}: {tolerance} of {want} is under 4 sd");
    let off = (got as f64 - want).abs() / want;
    assert!(off <= tolerance, "{what}: {got} unavailable, expected {want:.0} (off {:.1}%)", off * 100.0);
}

#[test]
fn quorums_with_replicas_down() {
    let ops = json!({"write": 0.3});
    let fail = |shards: &[u32]| -> Value {
        Value::Array(shards.iter().map(|s| json!({"at_s": 5, "fail": "store", "shard": s})).collect())
    };
    // 500 requests a second over 100,000 uniform keys; shards fail at 5 s
    // of 30, so 12,500 requests arrive with them down.
    let after = 500.0 * 25.0;
    let lists = preference_lists(6, 100, 100_000, 3);
    // N=3, R=W=2: one shard down, every key still has two live replicas.
    let one = run(&scenario(
        500.0,
        uniform(),
        ops.clone(),
        json!({"shards": 6, "replication": 3, "read_quorum": 2, "write_quorum": 2}),
        fail(&[1]),
        1,
    ));
    assert_eq!(store(&one).unavailable, 0);
    assert!(one.reset <= 5, "only requests held by the failing shard ({})", one.reset);
    // Two down: the keys with both among their three replicas have one
    // live replica, short of a quorum of two, for reads and writes alike.
    let two = run(&scenario(
        500.0,
        uniform(),
        ops.clone(),
        json!({"shards": 6, "replication": 3, "read_quorum": 2, "write_quorum": 2}),
        fail(&[1, 2]),
        1,
    ));
    let both = share_with_all(&lists, &[1, 2]);
    assert_refused("N=3 R=W=2, shards 1 and 2 down", store(&two).unavailable, both * after, 0.10);
    // N=1: the down shard's keys are unavailable.
    let single = run(&scenario(500.0, uniform(), ops.clone(), json!({"shards": 6}), fail(&[1]), 1));
    let owned = share_with_all(&preference_lists(6, 100, 100_000, 1), &[1]);
    assert_refused("N=1, shard 1 down", store(&single).unavailable, owned * after, 0.10);
    // Read one, write all (R=1, W=3): reads survive a replica down, writes
    // to the keys it holds a replica of fail.
    let rowa = run(&scenario(
        500.0,
        uniform(),
        ops,
        json!({"shards": 6, "replication": 3, "read_quorum": 1, "write_quorum": 3}),
        fail(&[1]),
        1,
    ));
    let s = store(&rowa);
    let held = share_with_all(&lists, &[1]);
    assert_refused("R=1 W=3, shard 1 down", s.unavailable, held * 0.3 * after, 0.10);
    assert_eq!(rowa.refused, s.unavailable, "only writes were refused");
}

#[test]
fn routing_tiers_cost_different_hops_and_latency() {
    let run_with = |routing: &str| {
        run(&scenario(
            500.0,
            uniform(),
            json!({}),
            json!({"shards": 6, "routing": routing, "hop_ms": 1.0}),
            json!([]),
            5,
        ))
    };
    let (client, router, any) = (run_with("client"), run_with("router"), run_with("any_node"));
    assert_eq!(store(&client).mean_hops, 1.0);
    assert_eq!(store(&router).mean_hops, 2.0);
    // A random coordinator holds the key 1 time in 6; otherwise it forwards.
    let any_hops = store(&any).mean_hops;
    assert!((any_hops - (1.0 + 5.0 / 6.0)).abs() < 0.02, "any_node hops {any_hops}");
    let p50 = |s: &Summary| s.latency_ms.p50;
    assert!(p50(&client) + 1.5 < p50(&any), "{} vs {}", p50(&client), p50(&any));
    assert!(p50(&any) < p50(&router), "{} vs {}", p50(&any), p50(&router));
    assert!(p50(&client) + 2.0 < p50(&router), "router adds two 1 ms hops and its own time");
}

#[test]
fn weights_and_live_vnode_changes_move_load() {
    let weighted =
        run(&scenario(1_000.0, uniform(), json!({}), json!({"shards": 3, "weights": [1, 1, 2]}), json!([]), 1));
    let s = store(&weighted);
    let ratio = s.shards["shard-2"].served as f64 / s.shards["shard-0"].served as f64;
    assert!((ratio - 2.0).abs() < 0.3, "weight 2 serves {ratio}x");

    let v = scenario(
        1_000.0,
        uniform(),
        json!({}),
        json!({"shards": 8, "vnodes": 1}),
        json!([{"at_s": 10, "set": "store", "vnodes": 200}]),
        1,
    );
    let before = view_at(&v, 9.5);
    let after = view_at(&v, 20.0);
    assert!(after.layout.ticks.len() == 8 * 200 && before.layout.ticks.len() == 8);
    let cv = |view: &StoreView| {
        let shares: Vec<f64> = view.shards.iter().map(|s| s.share).collect();
        scalelab::families::sharding::placement::load_balance(&shares).1
    };
    assert!(cv(&before) > 0.3 && cv(&after) < 0.15, "{} → {}", cv(&before), cv(&after));
    assert!(after.layout.last_change.as_ref().unwrap().what.contains("vnodes 1 → 200"));
}

#[test]
fn a_store_that_loses_every_shard_refuses_until_one_is_added() {
    // Every shard removed (one of them twice: no change), one added back,
    // the store failed and recovered, its partitioning switched: requests
    // are refused meanwhile and nothing panics.
    let churn = scenario(
        800.0,
        json!({"dist": "zipf", "n_keys": 100_000, "exponent": 1.0}),
        json!({"write": 0.2, "range": 0.05}),
        json!({"shards": 5, "replication": 2, "routing": "any_node"}),
        json!([
            {"at_s": 2, "remove_shard": "store", "shard": 0}, {"at_s": 3, "remove_shard": "store", "shard": 0},
            {"at_s": 3, "remove_shard": "store", "shard": 1}, {"at_s": 3, "remove_shard": "store", "shard": 2},
            {"at_s": 3, "remove_shard": "store", "shard": 3}, {"at_s": 3, "remove_shard": "store", "shard": 4},
            {"at_s": 5, "add_shard": "store", "weight": 3}, {"at_s": 6, "fail": "store"}, {"at_s": 7, "recover": "store"},
            {"at_s": 8, "set": "store", "partitioning": "range"}
        ]),
        7,
    );
    let s = run(&churn);
    let st = store(&s);
    assert_eq!(st.changes.len(), 7, "{:?}", st.changes.iter().map(|c| &c.what).collect::<Vec<_>>());
    // No shard from 3 s to 5 s: the 800 requests a second of those 2 s
    // (Poisson, 5 sd) find none.
    let want = 800.0 * 2.0;
    let got = st.unavailable as f64;
    assert!((got - want).abs() <= 5.0 * want.sqrt(), "no shard for 2 s: {got} unavailable, about {want}");
    assert!(s.completed > 0 && st.shards["shard-5"].served > 0);
}

#[test]
fn bad_store_settings_are_named() {
    let bad = |store: Value, faults: Value| -> String {
        let v = scenario(10.0, uniform(), json!({}), store, faults, 1);
        Scenario::from_json(&v.to_string()).expect_err("invalid").to_string()
    };
    assert!(bad(json!({"replication": 2, "read_quorum": 3}), json!([])).contains("nodes[1].read_quorum"));
    assert!(bad(json!({"shards": 3, "weights": [1, 2]}), json!([])).contains("nodes[1].weights"));
    assert!(bad(json!({"shards": 2, "replication": 3}), json!([])).contains("nodes[1].replication"));
    assert!(bad(json!({"vnodes": 0}), json!([])).contains("nodes[1].vnodes"));
    assert!(bad(json!({"partitioning": "rendezvous"}), json!([])).contains("nodes[1]"));
    let e = bad(json!({"shards": 3}), json!([{"at_s": 1, "fail": "store", "shard": 3}]));
    assert!(e.contains("faults[0].shard") && e.contains("shards 0 to 2"), "{e}");
    // A shard added earlier may be named.
    let ok = scenario(
        10.0,
        uniform(),
        json!({}),
        json!({"shards": 3}),
        json!([{"at_s": 1, "add_shard": "store"}, {"at_s": 2, "remove_shard": "store", "shard": 3}]),
        1,
    );
    assert!(Scenario::from_json(&ok.to_string()).is_ok());
    assert!(bad(json!({}), json!([{"at_s": 1, "remove_shard": "store"}])).contains("faults[0].shard"));
    // At most 64 shards in all, counting those the timeline adds.
    let adds: Vec<Value> = (0..61).map(|k| json!({"at_s": k, "add_shard": "store"})).collect();
    let e = bad(json!({"shards": 4}), Value::Array(adds));
    assert!(e.contains("faults[60].add_shard") && e.contains("more than 64 shards"), "{e}");
    // The entry named is the entry in the file, even after one that was rejected.
    let e = bad(json!({"shards": 2}), json!([{"at_s": 1, "fail": "ghost"}, {"at_s": 2, "fail": "store", "shard": 5}]));
    assert!(e.contains("faults[1].shard") && e.contains("shards 0 to 1"), "{e}");
    assert!(bad(json!({"shards": 2, "weights": [1, 11]}), json!([])).contains("nodes[1].weights[1]"));
    assert!(bad(json!({}), json!([{"at_s": 1, "set": "users", "vnodes": 10}])).contains("faults[0].vnodes"));
    assert!(
        bad(json!({}), json!([{"at_s": 1, "add_shard": "users"}]))
            .contains("`users` has no parts the timeline can add or remove")
    );
    let e = bad(json!({"key_space": 1000}), json!([]));
    assert!(e.contains("nodes[1].key_space") && e.contains("client `users` draws keys 0 to 99999"), "{e}");
    let ops = scenario(10.0, uniform(), json!({"write": 0.7, "range": 0.5}), json!({}), json!([]), 1);
    assert!(Scenario::from_json(&ops.to_string()).unwrap_err().to_string().contains("nodes[0].ops"));
}

/// What the CLI prints under its table for a store (the kind's
/// `summary_text`): its placement and routing, a row per shard with its
/// state, and a line per change of the layout, each from the summary.
#[test]
fn the_cli_text_of_a_store_is_its_summary_line_by_line() {
    let v = scenario(
        400.0,
        uniform(),
        json!({}),
        json!({"shards": 4}),
        json!([{"at_s": 10, "add_shard": "store"}, {"at_s": 15, "fail": "store", "shard": 1},
               {"at_s": 20, "remove_shard": "store", "shard": 2}]),
        5,
    );
    let summary = run(&v);
    let st = store(&summary);
    let kind = scalelab::families::own_kind("sharded_store").expect("the store's chunk loads natively");
    let lines = kind.summary_text("store", &summary.nodes["store"]);
    assert_eq!(lines.len(), 2 + st.shards.len() + st.changes.len(), "{lines:#?}");
    assert!(lines[0].starts_with("store: hash ring, routing by "), "{}", lines[0]);
    assert!(lines[0].contains(&format!("{} reads, {} writes;", st.reads, st.writes)), "{}", lines[0]);
    assert!(lines[0].contains(&format!("{} unavailable", st.unavailable)), "{}", lines[0]);
    assert_eq!(st.shards.len(), 5);
    let rows = &lines[2..2 + st.shards.len()];
    for (row, (name, sh)) in rows.iter().zip(&st.shards) {
        assert!(row.starts_with(name.as_str()) && row.contains(&sh.served.to_string()), "{row}");
    }
    assert!(rows[1].ends_with("(down)") && rows[2].ends_with("(removed)"), "{rows:#?}");
    assert!(!rows[0].contains('(') && !rows[4].contains('('), "{rows:#?}");
    let changes = &lines[2 + st.shards.len()..];
    assert_eq!(changes.len(), 2, "{changes:#?}");
    assert!(changes[0].starts_with("at 10.0 s ") && changes[1].starts_with("at 20.0 s "), "{changes:#?}");
    // Another kind prints nothing of its own.
    let client = scalelab::families::own_kind("client").expect("the web tier's client is a kind like any other");
    assert_eq!(client.summary_text("users", &summary.nodes["users"]), Vec::<String>::new());
}
