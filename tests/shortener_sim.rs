//! The URL shortener as a simulation (issue 15): each ID strategy's
//! behaviour (collisions against the birthday expectation, a counter's
//! duplicates across two databases, Snowflake's sequence waits and clock
//! refusals, ranges through a coordinator outage and a crash), the redirect
//! cache against Che's approximation, 301 against 302, stories, and every
//! bad setting named by its field.

mod common;

use common::{assert_close, run, scenario};
use scalelab::sim::family::{Figure, NodeSummary};
use scalelab::sim::spec::FaultSpec;
use scalelab::sim::theory::{lru_hit_ratio_che, zipf_popularity};
use scalelab::{Scenario, Simulation, Summary};
use serde_json::json;

fn count(s: &Summary, node: &str, figure: &str) -> u64 {
    match node_of(s, node).figures.get(figure) {
        Some(Figure::Count(c)) => *c,
        other => panic!("{node}.{figure}: {other:?}"),
    }
}

fn value(s: &Summary, node: &str, figure: &str) -> f64 {
    match node_of(s, node).figures.get(figure) {
        Some(Figure::Value(v)) => *v,
        Some(Figure::Count(c)) => *c as f64,
        None => panic!("{node}.{figure} missing"),
    }
}

fn node_of<'a>(s: &'a Summary, node: &str) -> &'a NodeSummary {
    s.nodes.get(node).unwrap_or_else(|| panic!("no node {node}"))
}

fn preset(id: &str) -> &'static str {
    scalelab::presets::by_id(id).unwrap_or_else(|| panic!("no preset {id}")).json()
}

/// users → app → db (and optionally more nodes and links), as JSON.
fn shortener(
    users: serde_json::Value,
    app: serde_json::Value,
    extra_nodes: &[serde_json::Value],
    extra_links: &[(&str, &str)],
    stop_s: f64,
) -> String {
    let mut nodes = vec![users, app, json!({"id": "db", "kind": "url_db", "workers": 64})];
    nodes.extend(extra_nodes.iter().cloned());
    let mut links = vec![
        json!({"from": "users", "to": "app", "latency_ms": 10}),
        json!({"from": "app", "to": "db", "latency_ms": 1}),
    ];
    links.extend(extra_links.iter().map(|(a, b)| json!({"from": a, "to": b, "latency_ms": 1})));
    json!({"version": 1, "name": "test", "seed": 7, "stop": {"sim_time_s": stop_s}, "nodes": nodes, "links": links})
        .to_string()
}

#[test]
fn hashed_codes_collide_as_the_birthday_bound_says() {
    // No retries, so every collision is a first attempt: the expected count
    // for n inserts into 62^len codes is n(n−1)/2 / 62^len (the table holds
    // almost every earlier code: failed writes are under 1% of n here).
    for (len, rate, secs, hash) in
        [(4u32, 2000.0, 60.0, "md5"), (5, 10_000.0, 60.0, "sha1"), (4, 1000.0, 90.0, "sha256")]
    {
        let text = shortener(
            json!({"id": "users", "kind": "url_users", "writes_per_s": rate, "redirects_per_s": 0}),
            json!({"id": "app", "kind": "url_app", "workers": 256, "queue_capacity": 100000,
                   "ids": {"strategy": "hash", "hash": hash, "length": len, "max_retries": 0}}),
            &[],
            &[],
            secs,
        );
        let s = run(&text);
        let n = count(&s, "app", "writes_ok") + count(&s, "app", "writes_failed");
        let collisions = count(&s, "app", "collisions");
        let space = 62f64.powi(len as i32);
        let expected = n as f64 * (n as f64 - 1.0) / 2.0 / space;
        assert!(collisions > 0);
        assert_eq!(count(&s, "app", "gave_up"), collisions, "with no retries each collision gives up");
        assert_close(&format!("{hash} len {len}, {n} writes: collisions"), collisions as f64, expected, 0.10, 7);
        assert_eq!(count(&s, "db", "unique_key_violations"), collisions + count(&s, "app", "deduplicated"));
    }
}

#[test]
fn a_hash_collision_costs_a_salted_retry_and_the_same_url_is_deduplicated() {
    // 2,000 distinct URLs into 3-character codes: repeats of a URL get its
    // code back (deduplication); other URLs landing on a taken code retry.
    let text = shortener(
        json!({"id": "users", "kind": "url_users", "writes_per_s": 500, "redirects_per_s": 0, "long_urls": 2000}),
        json!({"id": "app", "kind": "url_app", "ids": {"strategy": "hash", "length": 3}}),
        &[],
        &[],
        30.0,
    );
    let s = run(&text);
    let inserted = count(&s, "db", "rows_inserted");
    assert!(inserted <= 2000 && inserted > 1900, "each of the 2,000 URLs holds one row ({inserted})");
    assert!(count(&s, "app", "deduplicated") > 10_000);
    assert_eq!(count(&s, "app", "collisions"), count(&s, "app", "retries") + count(&s, "app", "gave_up"));
    assert_eq!(count(&s, "app", "writes_failed"), 0);
}

#[test]
fn one_counter_never_repeats_but_two_databases_counting_hand_out_the_same_code() {
    let one = run(&shortener(
        json!({"id": "users", "kind": "url_users", "writes_per_s": 500, "redirects_per_s": 0}),
        json!({"id": "app", "kind": "url_app", "ids": {"strategy": "counter"}}),
        &[],
        &[],
        20.0,
    ));
    assert_eq!(count(&one, "app", "duplicates"), 0);
    // Every id made a row; a few may still be on their way back at the stop.
    let (ids, ok) = (count(&one, "db", "auto_increment_ids"), count(&one, "app", "writes_ok"));
    assert!(ids >= ok && ids - ok < 32, "{ids} ids, {ok} writes");
    let two = run(&shortener(
        json!({"id": "users", "kind": "url_users", "writes_per_s": 500, "redirects_per_s": 0}),
        json!({"id": "app", "kind": "url_app", "ids": {"strategy": "counter"}}),
        &[json!({"id": "db-2", "kind": "url_db"})],
        &[("app", "db-2")],
        20.0,
    ));
    let dup = count(&two, "app", "duplicates");
    assert!(dup > 1000, "ids from db-2 repeat db's: {dup} unique-key violations");
    assert_eq!(count(&two, "db", "unique_key_violations"), dup);
}

#[test]
fn the_counters_lock_caps_writes_while_snowflake_and_ranges_do_not() {
    let s = run(preset("shortener-id-strategies"));
    // 0.5 ms under the lock: at most 2,000 ids a second against 2,500 asked.
    let counter = count(&s, "users-counter", "writes_ok") as f64 / 60.0;
    assert!(counter < 2050.0, "counter: {counter:.0} writes/s");
    for other in ["users-snowflake", "users-range"] {
        let rate = count(&s, other, "writes_ok") as f64 / 60.0;
        assert!(rate > 2400.0, "{other}: {rate:.0} writes/s");
        assert!(value(&s, other, "write_p99_ms") < 100.0);
    }
    assert!(value(&s, "users-counter", "write_p99_ms") > 200.0);
    assert!(value(&s, "db", "counter_utilisation") > 0.95);
    // Variant B (the counter's server on Snowflake) has no bottleneck.
    let b = Scenario::from_json(preset("shortener-id-strategies"))
        .unwrap()
        .with_entry(FaultSpec {
            set: Some("app-counter".into()),
            params: Some(json!({"ids": {"strategy": "snowflake"}})),
            ..Default::default()
        })
        .unwrap();
    let sb = Simulation::new(&b).run();
    assert!(count(&sb, "users-counter", "writes_ok") as f64 / 60.0 > 2400.0);
    assert_eq!(count(&sb, "app-snowflake", "duplicates") + count(&sb, "app-counter", "duplicates"), 0);
}

#[test]
fn snowflake_waits_for_the_next_millisecond_after_4096_ids() {
    // 5,000 writes a millisecond (five streams at the most one may ask),
    // arriving from 10 ms to the stop at 20 ms.
    let mut doc: serde_json::Value = serde_json::from_str(&shortener(
        json!({"id": "users", "kind": "url_users", "writes_per_s": 1_000_000.0, "redirects_per_s": 0}),
        json!({"id": "app", "kind": "url_app", "workers": 10000, "queue_capacity": 10_000_000,
               "service_time": {"dist": "constant", "mean_ms": 0.0001},
               "ids": {"strategy": "snowflake", "worker": 9}}),
        &[],
        &[],
        0.02,
    ))
    .unwrap();
    doc["nodes"][2] = json!({"id": "db", "kind": "url_db", "workers": 10000, "queue_capacity": 10_000_000,
                             "write_time": {"dist": "constant", "mean_ms": 0.001}});
    for k in 2..=5 {
        let id = format!("users-{k}");
        doc["nodes"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": id, "kind": "url_users", "writes_per_s": 1_000_000.0, "redirects_per_s": 0}));
        doc["links"].as_array_mut().unwrap().push(json!({"from": id, "to": "app", "latency_ms": 10}));
    }
    let s = run(&doc.to_string());
    assert!(count(&s, "app", "sequence_waits") > 0, "{:?}", node_of(&s, "app").figures);
    // 5,000 writes arrive a millisecond from 10 ms, more than the 4,096 ids
    // a millisecond has, so from 10 ms on every millisecond's ids are all
    // handed out (after the first, at its start, to the writes waiting).
    // A write is ok once its row is in: 1 ms to the table, 0.001 ms to
    // write, 1 ms back (and 0.0001 ms of the app's service). Ids of
    // milliseconds 10 to 17 are back by 19.0012 ms; those of millisecond 18,
    // handed out at 18 ms, would be back at 20.0012 ms, after the stop.
    let ok = count(&s, "app", "writes_ok");
    assert_eq!(ok, 8 * 4096, "ids of milliseconds 10 to 17, 4,096 each");
    assert_eq!(count(&s, "app", "duplicates"), 0, "every Snowflake id is unique");
    assert_eq!(count(&s, "app", "clock_refusals"), 0);
    assert_eq!(count(&s, "app", "writes_failed"), 0);
}

#[test]
fn a_clock_stepped_back_refuses_writes_until_it_catches_up() {
    let s = run(preset("shortener-clock-skew"));
    assert_eq!(count(&s, "app-1", "clock_refusals"), 0);
    let refused = count(&s, "app-2", "clock_refusals");
    // About 3 s of app-2's half of 2,000 writes/s.
    assert!((2500..=3500).contains(&refused), "{refused}");
    assert_eq!(count(&s, "app-1", "duplicates") + count(&s, "app-2", "duplicates"), 0);
}

#[test]
fn ranges_carry_writes_through_a_coordinator_outage_until_blocks_run_out() {
    let s = run(preset("shortener-coordinator-down"));
    let refused = count(&s, "app-1", "refused_no_block") + count(&s, "app-2", "refused_no_block");
    // Down 25 s to 60 s; each server's blocks of 5,000 last 10 s at 500/s,
    // and the one in use at 25 s runs out at about 30 s.
    assert!((20_000..=36_000).contains(&refused), "{refused}");
    assert!(count(&s, "app-1", "lease_failures") > 0);
    assert_eq!(count(&s, "app-1", "duplicates") + count(&s, "app-2", "duplicates"), 0);
    // A crashed server wastes the rest of its block. app-1 leases its first
    // block of 5,000 at the start, and takes an id for every other request
    // of the balancer's round robin that is a write (1,000 of 1,200 a
    // second) from 20.5 ms (the links) to its crash at 3 s: 5,000 less
    // those, about 3,510, are wasted. (At 3 s rather than halfway through
    // the block, so the part used and the part left differ.) Its spread:
    // the half of Poisson(1,200 × t) requests app-1 gets, each a write with
    // p = 5/6.
    let mut doc: serde_json::Value = serde_json::from_str(preset("shortener-coordinator-down")).unwrap();
    doc["faults"] = json!([{"at_s": 3, "fail": "app-1"}, {"at_s": 4, "recover": "app-1"}]);
    let c = run(&doc.to_string());
    let wasted = count(&c, "app-1", "wasted_ids") as f64;
    let (t, p_write) = (3.0 - 0.0205, 1000.0f64 / 1200.0);
    let to_app1 = 1200.0 * t / 2.0;
    let used = to_app1 * p_write;
    let sd = (p_write * p_write * 1200.0 * t / 4.0 + to_app1 * p_write * (1.0 - p_write)).sqrt();
    let want = 5000.0 - used;
    assert!((wasted - want).abs() <= 5.0 * sd, "wasted {wasted}, expected {want:.0} ± {:.0}", 5.0 * sd);
    assert_eq!(count(&c, "app-2", "wasted_ids"), 0);
}

#[test]
fn the_redirect_caches_hit_ratio_matches_ches_approximation() {
    // Redirects only, Zipf 0.8 over 20,000 codes, an LRU cache of 2,000:
    // the independent reference model Che's approximation assumes.
    let (n, c, s_exp) = (20_000usize, 2_000u64, 0.8);
    let text = shortener(
        json!({"id": "users", "kind": "url_users", "writes_per_s": 0, "redirects_per_s": 4000, "codes": n, "exponent": s_exp}),
        json!({"id": "app", "kind": "url_app", "workers": 128, "ids": {"strategy": "counter"}}),
        &[json!({"id": "cache", "kind": "cache", "capacity": c, "eviction": "lru", "workers": 16})],
        &[("app", "cache")],
        100.0,
    );
    let s = run(&text);
    let theory = lru_hit_ratio_che(&zipf_popularity(n, s_exp), c as usize);
    // Warm-up (the first 2,000 misses) is under 1% of 400,000 lookups.
    assert_close("redirect cache hit ratio", value(&s, "app", "cache_hit_ratio"), theory, 0.02, 7);
    assert_eq!(count(&s, "app", "answered_302"), count(&s, "app", "redirects"));
}

#[test]
fn a_301_keeps_repeat_visits_away_and_a_302_counts_every_click() {
    let a = run(preset("shortener"));
    let b_scenario = Scenario::from_json(preset("shortener")).unwrap();
    let b_scenario = ["app-1", "app-2"].iter().fold(b_scenario, |s, app| {
        s.with_entry(FaultSpec {
            set: Some(app.to_string()),
            params: Some(json!({"redirect": 301})),
            ..Default::default()
        })
        .unwrap()
    });
    let b = Simulation::new(&b_scenario).run();
    assert_eq!(count(&a, "users", "served_by_browsers"), 0);
    let from_browsers = count(&b, "users", "served_by_browsers");
    assert!(from_browsers > 500, "{from_browsers}");
    let reached = |s: &Summary| count(s, "app-1", "redirects") + count(s, "app-2", "redirects");
    let clicks = |s: &Summary| count(s, "app-1", "clicks_sent") + count(s, "app-2", "clicks_sent");
    assert!(reached(&b) + from_browsers / 2 < reached(&a), "301: fewer redirects reach the service");
    assert!(clicks(&b) < clicks(&a), "301: fewer clicks counted");
    assert_eq!(clicks(&a), reached(&a), "302: every redirect answered is a click");
}

#[test]
fn a_viral_link_is_absorbed_by_the_cache_until_the_cache_dies() {
    let mut sim = Simulation::new(&scenario(preset("shortener-viral")));
    let hit_ratio = |sim: &Simulation| {
        let app = sim.scenario().topology.index_of("app").unwrap();
        let v = sim.node_view(app);
        let f = |l: &str| v.figures.iter().find(|f| f.0 == l).unwrap().1;
        (f("Cache hits"), f("Cache misses"))
    };
    sim.step_until(20_000_000_000);
    let (h20, m20) = hit_ratio(&sim);
    sim.step_until(65_000_000_000);
    let (h65, m65) = hit_ratio(&sim);
    // From 20 s, 60% of redirects go to one code: the cache's hit ratio
    // over 20–65 s is far above the first 20 s' (a cold cache, Zipf alone).
    let (before, viral) = (h20 / (h20 + m20), (h65 - h20) / (h65 - h20 + m65 - m20));
    assert!(viral > before + 0.25, "hit ratio {before:.2} before, {viral:.2} with the viral link");
    let at65 = sim.summary();
    assert_eq!(count(&at65, "users", "redirects_failed"), 0, "the database keeps up while the cache holds");
    let s = sim.run();
    // The cache dies at 70 s: every redirect reaches the table, which drowns.
    assert!(count(&s, "users", "redirects_failed") > 1000);
    assert!(value(&s, "users", "redirect_p99_ms") > 500.0);
}

#[test]
fn a_clock_behind_the_epoch_refuses_instead_of_repeating_ids() {
    // The epoch an hour and a second before the clock; at 2 s the clock is
    // stepped back the most a skew may be (an hour), putting it a second
    // from the epoch, behind the last id: refused until it is put right at 4 s.
    let clock = 1_767_225_600_000u64;
    let text = shortener(
        json!({"id": "users", "kind": "url_users", "writes_per_s": 200, "redirects_per_s": 0}),
        json!({"id": "app", "kind": "url_app", "clock_start_ms": clock,
               "ids": {"strategy": "snowflake", "epoch_ms": clock - 3_601_000}}),
        &[],
        &[],
        10.0,
    );
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["faults"] = json!([{"at_s": 2, "set": "app", "params": {"clock_skew_ms": -3_600_000}},
                           {"at_s": 4, "set": "app", "params": {"clock_skew_ms": 0}}]);
    let s = run(&doc.to_string());
    assert_eq!(count(&s, "app", "duplicates"), 0);
    let refused = count(&s, "app", "clock_refusals");
    assert!((300..=500).contains(&refused), "2 s of 200 writes/s refused: {refused}");
    // An epoch less than an hour before the clock is refused up front.
    let bad = shortener(
        json!({"id": "users", "kind": "url_users"}),
        json!({"id": "app", "kind": "url_app", "clock_start_ms": clock, "ids": {"strategy": "snowflake", "epoch_ms": clock - 1000}}),
        &[],
        &[],
        1.0,
    );
    refused_with(&bad, "nodes[1].ids.epoch_ms", "less an hour of possible skew");
}

#[test]
fn a_crash_counts_its_lost_writes_and_wastes_its_block_and_any_lease_in_flight() {
    // Leases take 1 s; the app crashes at 0.5 s with its first lease out.
    let text = shortener(
        json!({"id": "users", "kind": "url_users", "writes_per_s": 100, "redirects_per_s": 0}),
        json!({"id": "app", "kind": "url_app", "ids": {"strategy": "range", "block": 1000}}),
        &[json!({"id": "zk", "kind": "id_coordinator", "lease_time": {"dist": "constant", "mean_ms": 1000}})],
        &[("app", "zk")],
        5.0,
    );
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["faults"] =
        json!([{"at_s": 0.5, "fail": "app"}, {"at_s": 0.6, "recover": "app"}, {"at_s": 3.5, "fail": "app"}]);
    let s = run(&doc.to_string());
    // Block 1 (leased before the crash, answered after it) is wasted whole;
    // block 2 serves the writes until 3.5 s, when what is left of it goes.
    let ids_handed_out = count(&s, "zk", "next_id") - 1;
    let inserted = count(&s, "db", "rows_inserted");
    assert_eq!(ids_handed_out, 2000);
    assert_eq!(count(&s, "app", "wasted_ids"), ids_handed_out - inserted, "every id leased is inserted or wasted");
    assert!(count(&s, "app", "wasted_ids") > 1000);
    // What the crashes cut off is counted as failed at the app, as the users
    // saw it; writes sent while it was down were refused before reaching it.
    let refused_at_the_door = node_of(&s, "users").refused.unwrap();
    assert!(refused_at_the_door > 100);
    assert_eq!(count(&s, "app", "writes_failed"), count(&s, "users", "writes_failed") - refused_at_the_door);
    assert!(count(&s, "app", "writes_failed") > 0);
}

#[test]
fn writes_waiting_for_a_lease_go_on_under_a_new_strategy() {
    // The coordinator is down from the start: range writes wait, fail; a
    // switch to Snowflake at 1 s serves the writes from then on.
    let text = shortener(
        json!({"id": "users", "kind": "url_users", "writes_per_s": 200, "redirects_per_s": 0}),
        json!({"id": "app", "kind": "url_app", "ids": {"strategy": "range"}}),
        &[json!({"id": "zk", "kind": "id_coordinator"})],
        &[("app", "zk")],
        3.0,
    );
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["faults"] =
        json!([{"at_s": 0, "fail": "zk"}, {"at_s": 1, "set": "app", "params": {"ids": {"strategy": "snowflake"}}}]);
    let s = run(&doc.to_string());
    // Writes reach the app 10 ms after they are made and take 1 ms there:
    // those made in the first 0.987 s find no block (the refused lease is
    // back 2 ms later), those made from then to 2.986 s (their row in by
    // the 3 s stop) get Snowflake ids, and the rest are on their way. Given
    // the n writes made, each was made at a uniform time in the 3 s: the
    // counts are binomial; 4.5 sd each.
    let sent = count(&s, "users", "writes_sent") as f64;
    let (refused, ok) = (count(&s, "app", "refused_no_block") as f64, count(&s, "app", "writes_ok") as f64);
    for (what, got, span_s) in [("refused", refused, 0.987), ("written", ok, 2.986 - 0.987)] {
        let p = span_s / 3.0;
        let sd = (sent * p * (1.0 - p)).sqrt();
        assert!((got - sent * p).abs() <= 4.5 * sd, "{what}: {got} of {sent} writes, about {:.0}", sent * p);
    }
    // Every write made is refused, written or still on its way at the stop
    // (made in its last 14 ms: 3 expected; at most 11 within 5 sd).
    let on_the_way = sent - refused - ok;
    assert!((0.0..=11.0).contains(&on_the_way), "{sent} sent, {refused} refused, {ok} written");
    assert_eq!(count(&s, "app", "duplicates"), 0);
}

#[test]
fn a_hashed_code_and_a_shorter_counter_code_are_different_rows() {
    // 3-character hashed codes and unpadded counter codes share a table:
    // `00g` and `g` are different codes, so only equal texts collide.
    let text = shortener(
        json!({"id": "users", "kind": "url_users", "writes_per_s": 1000, "redirects_per_s": 0}),
        json!({"id": "app", "kind": "url_app", "workers": 128, "ids": {"strategy": "counter"}}),
        &[],
        &[],
        30.0,
    );
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["nodes"][2]["next_id"] = json!(1);
    doc["faults"] =
        json!([{"at_s": 20, "set": "app", "params": {"ids": {"strategy": "hash", "length": 3, "max_retries": 0}}}]);
    let s = run(&doc.to_string());
    // 20,000 counter codes (1 to 20,000: 1 to 3 characters; 3-character
    // ones from 3,844) then 10,000 hashed 3-character codes: these collide
    // with the 16,157 counter codes of 3 characters and with each other.
    let n_hash = 10_000.0;
    let three_char_counter = 20_000.0 - 3843.0;
    let expected = n_hash * three_char_counter / 238_328.0 + n_hash * (n_hash - 1.0) / 2.0 / 238_328.0;
    assert_close("collisions", count(&s, "app", "collisions") as f64, expected, 0.15, 7);
}

#[test]
fn stories_tell_each_request_step_by_step() {
    let mut sim = Simulation::new(&scenario(preset("shortener-hash-fills")));
    sim.step_until(60_000_000_000);
    let app = sim.scenario().topology.index_of("app").unwrap();
    let v = sim.node_view(app);
    assert!(!v.stories.is_empty());
    let writes: Vec<&str> = v.stories.iter().filter(|s| s.class == "write").map(|s| s.text.as_str()).collect();
    assert!(!writes.is_empty(), "the newest stories hold writes: {:?}", v.stories);
    assert!(
        writes.iter().all(|t| t.starts_with("POST url #") && t.contains("md5(url) → first 8 bytes mod 62^3 → ")),
        "{writes:?}"
    );
    // At 60 s a quarter of the codes are taken: some recent write retried.
    let mut sim = Simulation::new(&scenario(preset("shortener-hash-fills")));
    let mut seen_retry = false;
    for k in 1..200 {
        sim.step_until(50_000_000_000 + k * 100_000_000);
        seen_retry |= sim.node_view(app).stories.iter().any(|s| s.text.contains(", taken → retry 1 (salted) → "));
    }
    assert!(seen_retry);
    let mut sim = Simulation::new(&scenario(preset("shortener")));
    sim.step_until(30_000_000_000);
    let app = sim.scenario().topology.index_of("app-1").unwrap();
    let texts: Vec<String> = sim.node_view(app).stories.iter().map(|s| s.text.clone()).collect();
    assert!(
        texts.iter().any(|t| t.contains("→ cache hit → 302") || t.contains("→ cache miss → db → found → 302")),
        "{texts:?}"
    );
}

fn refused_with(text: &str, path: &str, says: &str) {
    refused(text, path, says)
}

/// Asserts that `text` is refused with an error at `path` saying `says`.
fn refused(text: &str, path: &str, says: &str) {
    match Scenario::from_json(text) {
        Ok(_) => panic!("expected an error at {path}"),
        Err(e) => assert!(
            e.errors.iter().any(|f| f.path == path && f.message.contains(says)),
            "wanted `{path}`: …{says}…, got {:#?}",
            e.errors
        ),
    }
}

#[test]
fn every_bad_setting_is_named_by_its_field() {
    let base: serde_json::Value = serde_json::from_str(preset("shortener")).unwrap();
    // Sets `/nodes/<i>/<field>` (present or not).
    let with = |pointer: &str, v: serde_json::Value| {
        let mut d = base.clone();
        let (node, field) = pointer.trim_start_matches("/nodes/").split_once('/').unwrap();
        d["nodes"][node.parse::<usize>().unwrap()][field] = v;
        d.to_string()
    };
    // nodes[2] is app-1.
    refused(&with("/nodes/2/ids", json!({"strategy": "hash", "length": 0})), "nodes[2].ids.length", "between 1 and 11");
    refused(
        &with("/nodes/2/ids", json!({"strategy": "hash", "length": 12})),
        "nodes[2].ids.length",
        "between 1 and 11",
    );
    refused(
        &with("/nodes/2/ids", json!({"strategy": "range", "block": 0})),
        "nodes[2].ids.block",
        "between 1 and 10000000",
    );
    refused(
        &with("/nodes/2/ids", json!({"strategy": "hash", "block": 10})),
        "nodes[2].ids.block",
        "applies to strategy `range`",
    );
    refused(
        &with("/nodes/2/ids", json!({"strategy": "snowflake", "epoch_ms": 1_900_000_000_000u64})),
        "nodes[2].ids.epoch_ms",
        "after the app's clock",
    );
    refused(
        &with("/nodes/2/ids", json!({"strategy": "snowflake", "worker": 32})),
        "nodes[2].ids.worker",
        "between 0 and 31",
    );
    refused(&with("/nodes/2/ids", json!({"strategy": "uuid"})), "nodes[2].ids.strategy", "unknown variant");
    refused(&with("/nodes/2/redirect", json!(303)), "nodes[2].redirect", "301 or 302");
    refused(&with("/nodes/2/pad_to", json!(0)), "nodes[2].pad_to", "between 1 and 11");
    refused(&with("/nodes/0/viral_share", json!(2)), "nodes[0].viral_share", "between 0 and 1");
    refused(&with("/nodes/0/long_urls", json!(0)), "nodes[0].long_urls", "between 1 and 4294967295");
    refused(
        &with("/nodes/2/clock_skew_ms", json!(-4_000_000)),
        "nodes[2].clock_skew_ms",
        "between -3600000 and 3600000",
    );
    // People reach an app, directly or through a balancer.
    let mut d = base.clone();
    d["links"][0]["to"] = json!("zk");
    refused(&d.to_string(), "nodes[0]", "people reach a url_app");
    // A range strategy with no coordinator linked.
    let mut d = base.clone();
    d["links"] = json!(d["links"].as_array().unwrap().iter().filter(|l| l["to"] != "zk").cloned().collect::<Vec<_>>());
    d["nodes"] = json!(d["nodes"].as_array().unwrap().iter().filter(|n| n["id"] != "zk").cloned().collect::<Vec<_>>());
    refused(&d.to_string(), "nodes[2].ids.strategy", "links to none");
    // An app with no table.
    let mut d = base.clone();
    d["links"] = json!(d["links"].as_array().unwrap().iter().filter(|l| l["to"] != "db").cloned().collect::<Vec<_>>());
    refused(&d.to_string(), "nodes[2]", "needs a link to a url_db");
    // Live edits: the kind's `params`, checked against its links.
    let mut d = base.clone();
    d["faults"] = json!([{"at_s": 1, "set": "app-1", "params": {"ids": {"strategy": "hash", "length": 0}}},
                          {"at_s": 2, "set": "users", "params": {"viral_share": -1}},
                          {"at_s": 3, "set": "db", "params": {"rows": 5}},
                          {"at_s": 4, "set": "app-1", "params": {"colour": "red"}},
                          {"at_s": 5, "fail": "app-1", "params": {"redirect": 301}}]);
    let text = d.to_string();
    refused(&text, "faults[0].params.ids.length", "between 1 and 11");
    refused(&text, "faults[1].params.viral_share", "between 0 and 1");
    refused(&text, "faults[2].params", "takes no `params`");
    refused(&text, "faults[3].params.colour", "unknown field");
    refused(&text, "faults[4]", "go only with `set`");
    let mut d = serde_json::from_str::<serde_json::Value>(preset("shortener-hash-fills")).unwrap();
    d["faults"] = json!([{"at_s": 1, "set": "app", "params": {"ids": {"strategy": "range"}}}]);
    refused(&d.to_string(), "faults[0].params.ids.strategy", "needs an id_coordinator");
}

#[test]
fn a_write_stream_set_to_zero_sends_nothing_more() {
    // 100 writes a second, set to 0 at 5 s: the run to 10 s has sent
    // exactly what the run to 5 s had (the arrival drawn before the edit is
    // void), and some hundreds before it.
    let at = |stop_s: f64| {
        let mut doc: serde_json::Value = serde_json::from_str(&shortener(
            json!({"id": "users", "kind": "url_users", "writes_per_s": 100, "redirects_per_s": 0}),
            json!({"id": "app", "kind": "url_app", "ids": {"strategy": "counter"}}),
            &[],
            &[],
            stop_s,
        ))
        .unwrap();
        doc["faults"] = json!([{"at_s": 5, "set": "users", "params": {"writes_per_s": 0}}]);
        count(&run(&doc.to_string()), "users", "writes_sent")
    };
    let (by_5, by_10) = (at(5.0), at(10.0));
    assert!((400..=600).contains(&by_5), "{by_5} writes in 5 s at 100/s");
    assert_eq!(by_10, by_5, "nothing sent after the stream was set to 0");
}
