//! Tiers that call each other (servers with `calls`, the `cache` and
//! `database` nodes), run through the CLI on scenario files and compared
//! with theory: Che's approximation for LRU, hᵢ = pᵢT/(1+pᵢT) for FIFO and
//! random eviction, C/N for uniform keys, and a tandem of M/M/1 queues.

use scalelab::families::web_tier::spec::StationParams;
use scalelab::sim::theory::{fifo_random_hit_ratio, lru_hit_ratio_che, zipf_popularity};
use serde_json::{Value, json};

/// Writes `scenario` to a file and runs `scalelab run FILE --json`.
fn run_cli(name: &str, scenario: &Value) -> Value {
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("tiers-{name}.json"));
    std::fs::write(&file, serde_json::to_string_pretty(scenario).unwrap()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scalelab"))
        .args(["run", "--json"])
        .arg(&file)
        .output()
        .expect("the CLI runs");
    assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("the CLI prints JSON")
}

/// Cache-aside with (nearly) instantaneous tiers, so that requests follow
/// the independent reference model: users → app → cache (get; on a miss set).
fn cache_aside(keys: Value, capacity: u64, eviction: &str, requests: u64) -> Value {
    json!({
        "version": 1, "name": "cache under IRM", "seed": 7,
        "stop": {"completed_requests": requests},
        "nodes": [
            {"id": "users", "kind": "client", "arrivals": {"process": "poisson", "rate_per_s": 1000}, "keys": keys},
            {"id": "app", "kind": "server", "workers": 64, "service_time": {"dist": "constant", "mean_ms": 0.001},
             "calls": {"read": [{"to": "cache", "op": "get"}, {"to": "cache", "op": "set", "when": "miss"}]}},
            {"id": "cache", "kind": "cache", "capacity": capacity, "eviction": eviction,
             "service_time": {"dist": "constant", "mean_ms": 0.001}}
        ],
        "links": [{"from": "users", "to": "app"}, {"from": "app", "to": "cache"}]
    })
}

fn hit_ratio(summary: &Value) -> f64 {
    summary["nodes"]["cache"]["hit_ratio"].as_f64().expect("a cache reports its hit ratio")
}

fn within(name: &str, measured: f64, expected: f64, tolerance: f64) {
    let err = (measured - expected).abs() / expected;
    println!("{name}: measured {measured:.4}, theory {expected:.4}, error {:.2}%", err * 100.0);
    assert!(err <= tolerance, "{name}: measured {measured:.4}, theory {expected:.4} ({:.2}% off)", err * 100.0);
}

#[test]
fn lru_cache_matches_che_on_three_zipf_settings() {
    for (exponent, n_keys, capacity) in [(0.8, 1_000, 100), (1.0, 10_000, 500), (1.2, 5_000, 50)] {
        let keys = json!({"dist": "zipf", "n_keys": n_keys, "exponent": exponent});
        let s = run_cli(&format!("lru-{exponent}-{n_keys}-{capacity}"), &cache_aside(keys, capacity, "lru", 400_000));
        let theory = lru_hit_ratio_che(&zipf_popularity(n_keys, exponent), capacity as usize);
        within(&format!("LRU zipf({exponent}) N={n_keys} C={capacity}"), hit_ratio(&s), theory, 0.02);
        let c = &s["nodes"]["cache"];
        assert_eq!(c["entries"], capacity, "a warm cache is full");
        assert_eq!(
            c["hits"].as_u64().unwrap() + c["misses"].as_u64().unwrap(),
            s["nodes"]["app"]["calls"]["cache"]["ok"].as_u64().unwrap() - c["misses"].as_u64().unwrap(),
            "every read asks the cache once, and every miss sets it"
        );
    }
}

#[test]
fn fifo_and_random_eviction_match_their_approximation() {
    let (exponent, n_keys, capacity) = (1.0, 2_000, 200);
    let theory = fifo_random_hit_ratio(&zipf_popularity(n_keys, exponent), capacity);
    let lru = lru_hit_ratio_che(&zipf_popularity(n_keys, exponent), capacity);
    assert!(theory < lru * 0.97, "the two approximations differ here, so the test tells the policies apart");
    for eviction in ["fifo", "random"] {
        let keys = json!({"dist": "zipf", "n_keys": n_keys, "exponent": exponent});
        let s = run_cli(&format!("{eviction}-zipf"), &cache_aside(keys, capacity as u64, eviction, 400_000));
        within(&format!("{eviction} zipf({exponent}) N={n_keys} C={capacity}"), hit_ratio(&s), theory, 0.02);
        assert!(s["nodes"]["cache"]["evictions"].as_u64().unwrap() > 10_000);
    }
}

#[test]
fn uniform_keys_give_capacity_over_keys_for_every_policy() {
    for eviction in ["lru", "lfu", "fifo", "random"] {
        let keys = json!({"dist": "uniform", "n_keys": 2_000});
        let s = run_cli(&format!("{eviction}-uniform"), &cache_aside(keys, 500, eviction, 300_000));
        within(&format!("{eviction} uniform N=2000 C=500"), hit_ratio(&s), 0.25, 0.02);
    }
}

/// users → s1 → s2, each one worker with exponential service; s1 calls s2.
fn tandem(hold_worker: bool) -> Value {
    json!({
        "version": 1, "name": "tandem", "seed": 11,
        "stop": {"completed_requests": 400_000},
        "nodes": [
            {"id": "users", "kind": "client", "arrivals": {"process": "poisson", "rate_per_s": 50}},
            {"id": "s1", "kind": "server", "queue_capacity": 1_000_000, "hold_worker": hold_worker,
             "service_time": {"dist": "exponential", "mean_ms": 10},
             "calls": {"any": [{"to": "s2", "op": "read"}]}},
            {"id": "s2", "kind": "server", "queue_capacity": 1_000_000,
             "service_time": {"dist": "exponential", "mean_ms": 12.5}}
        ],
        "links": [{"from": "users", "to": "s1"}, {"from": "s1", "to": "s2"}]
    })
}

#[test]
fn freed_workers_make_a_tandem_of_mm1_queues() {
    let s = run_cli("tandem-freed", &tandem(false));
    let (lambda, mu1, mu2) = (50.0, 100.0, 80.0);
    let theory_ms = (1.0 / (mu1 - lambda) + 1.0 / (mu2 - lambda)) * 1e3;
    within("tandem M/M/1 mean sojourn (ms)", s["latency_ms"]["mean"].as_f64().unwrap(), theory_ms, 0.03);
    // Each tier on its own is an M/M/1 queue (Burke: s1's departures are Poisson).
    let s2 = s["nodes"]["s2"]["latency_ms"]["mean"].as_f64().unwrap();
    within("s2 alone (ms)", s2, 1e3 / (mu2 - lambda), 0.03);
    let u1 = s["nodes"]["s1"]["utilisation"].as_f64().unwrap();
    within("s1 utilisation", u1, lambda / mu1, 0.02);

    // A held worker is blocked while s2 works: s1's busy time is its
    // service plus s2's sojourn, so its utilisation and the wait grow.
    let held = run_cli("tandem-held", &tandem(true));
    let held_u1 = held["nodes"]["s1"]["utilisation"].as_f64().unwrap();
    assert!(held_u1 > 0.9, "s1's one worker is busy with s2's work too (utilisation {held_u1:.2})");
    assert!(held["latency_ms"]["mean"].as_f64().unwrap() > 2.0 * theory_ms);
}

fn tier(calls: Value, db: Value, extra_faults: Value) -> Value {
    json!({
        "version": 1, "name": "tier", "seed": 3, "stop": {"sim_time_s": 20},
        "nodes": [
            {"id": "users", "kind": "client", "arrivals": {"process": "poisson", "rate_per_s": 200},
             "keys": {"dist": "zipf", "n_keys": 1000, "exponent": 1.0}},
            {"id": "app", "kind": "server", "workers": 64, "service_time": {"dist": "constant", "mean_ms": 1},
             "calls": calls},
            {"id": "cache", "kind": "cache", "capacity": 100},
            db
        ],
        "links": [{"from": "users", "to": "app", "latency_ms": 1}, {"from": "app", "to": "cache", "latency_ms": 1},
                  {"from": "app", "to": "db", "latency_ms": 1}],
        "faults": extra_faults
    })
}

fn db(mean_ms: f64) -> Value {
    json!({"id": "db", "kind": "database", "workers": 64, "service_time": {"dist": "constant", "mean_ms": mean_ms}})
}

fn count(s: &Value, path: &[&str]) -> u64 {
    path.iter().fold(s, |v, k| &v[*k]).as_u64().unwrap_or_else(|| panic!("{path:?} in {s}"))
}

#[test]
fn a_dead_cache_fails_requests_unless_its_calls_are_optional() {
    let fail = json!([{"at_s": 5, "fail": "cache"}, {"at_s": 10, "recover": "cache"}]);
    let steps = |optional: bool| {
        json!({"read": [{"to": "cache", "op": "get", "optional": optional},
                        {"to": "db", "op": "read", "when": "miss"},
                        {"to": "cache", "op": "set", "when": "miss", "optional": optional}]})
    };
    let required = run_cli("cache-required", &tier(steps(false), db(2.0), fail.clone()));
    let refused = count(&required, &["refused"]);
    // About 5 s of 200 requests/s find the cache down: each fails, and the client sees why.
    assert!((900..1100).contains(&refused), "refused {refused}");
    assert_eq!(count(&required, &["nodes", "app", "failed"]), refused);

    let optional = run_cli("cache-optional", &tier(steps(true), db(2.0), fail));
    assert_eq!(count(&optional, &["refused"]), 0, "an optional call's failure does not fail the request");
    // While the cache is down every read is a miss: the database takes them all.
    let (db_reads, cache_misses) =
        (count(&optional, &["nodes", "db", "reads"]), count(&optional, &["nodes", "cache", "misses"]));
    assert!(db_reads >= cache_misses + 900, "db reads {db_reads}, cache misses {cache_misses}");
    // It came back empty and warmed up again.
    assert_eq!(count(&optional, &["nodes", "cache", "entries"]), 100);
}

#[test]
fn timeouts_and_retries_are_counted_and_fail_the_request() {
    // The database takes 50 ms; the call gives it 20 ms, then twice more.
    let calls = json!({"any": [{"to": "db", "op": "read", "timeout_ms": 20, "retries": 2, "backoff_ms": 5}],
                       "write": [{"to": "cache", "op": "delete"}]});
    let s = run_cli("timeouts", &tier(calls, db(50.0), json!([])));
    let db_calls = &s["nodes"]["app"]["calls"]["db"];
    let (sent, retried, timed_out, failed) = (
        db_calls["sent"].as_u64().unwrap(),
        db_calls["retried"].as_u64().unwrap(),
        db_calls["timed_out"].as_u64().unwrap(),
        db_calls["failed"].as_u64().unwrap(),
    );
    // Every request tried three times; at the stop, some are between tries
    // (at 200 requests/s, about 15 are at most 75 ms old).
    assert!(failed > 3_500);
    let (extra_sent, extra_retried) = (sent - 3 * failed, retried - 2 * failed);
    assert!(extra_sent < 100 && extra_retried < 70, "{extra_sent} attempts, {extra_retried} retries");
    assert!(timed_out <= sent && sent - timed_out < 30, "every attempt timed out ({timed_out} of {sent})");
    assert_eq!(count(&s, &["completed"]), 0);
    assert_eq!(count(&s, &["timed_out"]), failed, "the client sees a timeout");
    let db_done = count(&s, &["nodes", "db", "completed"]);
    assert!(sent - db_done < 30, "the database still did the work nobody waited for ({db_done} of {sent})");
}

#[test]
fn parallel_calls_wait_for_the_slowest_not_the_sum() {
    let db2 = |id: &str, ms: f64| json!({"id": id, "kind": "database", "workers": 64, "service_time": {"dist": "constant", "mean_ms": ms}});
    let scenario = |parallel: bool| {
        let (a, b) = (json!({"to": "db", "op": "read"}), json!({"to": "db2", "op": "read"}));
        let steps = if parallel { json!([{"parallel": [a, b]}]) } else { json!([a, b]) };
        json!({
            "version": 1, "name": "fan-out", "seed": 1, "stop": {"completed_requests": 1000},
            "nodes": [
                {"id": "users", "kind": "client", "arrivals": {"process": "constant", "rate_per_s": 10}},
                {"id": "app", "kind": "server", "workers": 4, "service_time": {"dist": "constant", "mean_ms": 1},
                 "calls": {"any": steps}},
                db2("db", 10.0), db2("db2", 20.0)
            ],
            "links": [{"from": "users", "to": "app"}, {"from": "app", "to": "db", "latency_ms": 1},
                      {"from": "app", "to": "db2", "latency_ms": 1}]
        })
    };
    let p = run_cli("parallel", &scenario(true));
    let s = run_cli("sequential", &scenario(false));
    // 1 ms service, then max(10, 20) + 2 ms of hops; in sequence 10 + 20 + 4.
    assert!((p["latency_ms"]["mean"].as_f64().unwrap() - 23.0).abs() < 0.01, "{}", p["latency_ms"]);
    assert!((s["latency_ms"]["mean"].as_f64().unwrap() - 35.0).abs() < 0.01, "{}", s["latency_ms"]);
}

#[test]
fn a_slow_database_exhausts_held_workers_but_not_freed_ones() {
    let preset: Value = serde_json::from_str(scalelab::families::storage::presets::SLOW_DATABASE_JSON).unwrap();
    let held = run_cli("slow-held", &preset);
    let mut freed = preset.clone();
    freed["nodes"][1]["hold_worker"] = json!(false);
    let freed = run_cli("slow-freed", &freed);
    // Held: the pool is used up and the app turns requests away, cache hits included.
    assert!(count(&held, &["nodes", "app", "dropped"]) > 2_000);
    // Freed: the app never runs out of workers; only requests that need the database fail.
    assert_eq!(count(&freed, &["nodes", "app", "dropped"]), 0);
    assert!(count(&freed, &["completed"]) > count(&held, &["completed"]) + 2_000);
    assert!(freed["latency_ms"]["p99"].as_f64().unwrap() < held["latency_ms"]["p99"].as_f64().unwrap() / 5.0);
}

#[test]
fn freeing_held_workers_live_stops_the_drops_and_the_p99_falls() {
    // The slow-database preset, its app's workers freed at 30 s by a `set`
    // (what the inspector's live edit records).
    let s = scalelab::Scenario::from_json(scalelab::families::storage::presets::SLOW_DATABASE_JSON)
        .unwrap()
        .with_entry(scalelab::sim::spec::FaultSpec {
            at_s: 30.0,
            set: Some("app".into()),
            hold_worker: Some(false),
            ..Default::default()
        })
        .unwrap();
    let mut sim = scalelab::Simulation::new(&s);
    let app = sim.scenario().topology.index_of("app").unwrap();
    let dropped = |sim: &scalelab::Simulation| sim.summary().nodes["app"].dropped.unwrap();
    let p99_ms = |sim: &scalelab::Simulation, from_s: usize, to_s: usize| {
        sim.node_series(app).iter().skip(from_s).take(to_s - from_s).map(|w| w.latency_ms.p99).fold(0.0, f64::max)
    };
    sim.step_until(25_000_000_000);
    let at25 = dropped(&sim);
    sim.step_until(30_000_000_000);
    let at30 = dropped(&sim);
    // Held: the database slowed at 20 s, the pool is used up, the queue of
    // 200 overflows (about 250 drops a second) and requests wait seconds.
    assert!(at30 > at25 + 500, "held: {at25} drops at 25 s, {at30} at 30 s");
    assert!(p99_ms(&sim, 25, 30) > 1000.0);
    // Freed: the workers held at 30 s come back within a call's 3 s
    // timeout; from then on no request waits for a worker.
    sim.step_until(35_000_000_000);
    let at35 = dropped(&sim);
    sim.step_until(60_000_000_000);
    assert_eq!(dropped(&sim), at35, "no drops from 35 s to 60 s with freed workers");
    assert!(p99_ms(&sim, 35, 60) < 50.0, "freed: the app's p99 is its cache hits' ({} ms)", p99_ms(&sim, 35, 60));
}

/// The cache-aside preset with `edit` applied to its JSON.
fn bad(edit: impl FnOnce(&mut Value)) -> Vec<(String, String)> {
    let mut doc: Value = serde_json::from_str(scalelab::families::storage::presets::CACHE_ASIDE_JSON).unwrap();
    edit(&mut doc);
    match scalelab::Scenario::from_json(&doc.to_string()) {
        Ok(_) => panic!("expected a refusal:\n{doc}"),
        Err(e) => e.errors.into_iter().map(|f| (f.path, f.message)).collect(),
    }
}

fn says(errors: &[(String, String)], path: &str, text: &str) {
    assert!(errors.iter().any(|(p, m)| p == path && m.contains(text)), "wanted `{path}`: `{text}`, got {errors:#?}");
}

#[test]
fn call_lists_are_checked_to_their_limits() {
    // nodes[2] is app-1, which links to the cache and the database.
    let list = |calls: Value| {
        let mut doc: Value = serde_json::from_str(scalelab::families::storage::presets::CACHE_ASIDE_JSON).unwrap();
        doc["nodes"][2]["calls"]["read"] = calls;
        doc.to_string()
    };
    let refused = |calls: Value| match scalelab::Scenario::from_json(&list(calls)) {
        Ok(_) => panic!("expected a refusal"),
        Err(e) => e.errors.into_iter().map(|f| (f.path, f.message)).collect::<Vec<_>>(),
    };
    let accepted = |calls: Value| {
        if let Err(e) = scalelab::Scenario::from_json(&list(calls)) {
            panic!("expected a valid scenario, got {:#?}", e.errors);
        }
    };
    // At most 32 calls in a list, those inside parallel groups included.
    let read = json!({"to": "db", "op": "read"});
    let get = json!({"to": "cache", "op": "get"});
    accepted(json!([{"parallel": vec![read.clone(); 16]}, {"parallel": vec![read.clone(); 16]}]));
    says(
        &refused(json!([{"parallel": vec![read.clone(); 16]}, {"parallel": vec![read.clone(); 17]}])),
        "nodes[2].calls.read",
        "has 33 calls; at most 32 are allowed",
    );
    // `parallel` goes alone: any one of `to`, `op` and `when` beside it.
    for extra in [json!({"to": "db"}), json!({"op": "read"}), json!({"when": "hit"})] {
        let mut step = json!({"parallel": [read.clone()]});
        for (k, v) in extra.as_object().unwrap() {
            step[k] = v.clone();
        }
        says(&refused(json!([get.clone(), step])), "nodes[2].calls.read[1]", "`parallel` goes alone");
    }
    // A get inside a parallel group lets later steps read its hit or miss;
    // a group without one does not.
    accepted(json!([{"parallel": [get.clone(), read.clone()]}, {"to": "db", "op": "read", "when": "miss"}]));
    says(
        &refused(json!([{"parallel": [read.clone()]}, {"to": "db", "op": "read", "when": "miss"}])),
        "nodes[2].calls.read[1].when",
        "needs a `get` earlier",
    );
}

#[test]
fn bad_tiered_scenarios_get_errors_naming_the_field() {
    // nodes[2] is app-1; its read list is get, read when miss, set when miss.
    let read0 = "nodes[2].calls.read[0]";
    says(
        &bad(|d| d["nodes"][2]["calls"]["read"][0]["to"] = json!("app-2")),
        &format!("{read0}.to"),
        "is not linked from `app-1`",
    );
    says(
        &bad(|d| d["nodes"][2]["calls"]["read"][0]["op"] = json!("read")),
        &format!("{read0}.op"),
        "`cache` is a cache, which takes get, set, delete (got read)",
    );
    says(
        &bad(|d| d["nodes"][2]["calls"]["read"][0]["op"] = json!("fetch")),
        &format!("{read0}.op"),
        "unknown variant `fetch`",
    );
    says(
        &bad(|d| d["nodes"][2]["calls"]["read"][0]["retries"] = json!(11)),
        &format!("{read0}.retries"),
        "must be between 0 and 10 (got 11)",
    );
    says(&bad(|d| d["nodes"][2]["calls"]["read"][0]["timeout_ms"] = json!(-1)), &format!("{read0}.timeout_ms"), "");
    says(
        &bad(|d| d["nodes"][2]["calls"]["write"][0]["when"] = json!("miss")),
        "nodes[2].calls.write[0].when",
        "needs a `get` earlier",
    );
    says(
        &bad(|d| d["nodes"][2]["calls"]["fetch"] = json!([{"to": "db", "op": "read"}])),
        "nodes[2].calls.fetch",
        "`fetch` is not a kind of request; use one of read, write, range, any",
    );
    says(
        &bad(|d| d["nodes"][2]["calls"]["read"][0] = json!({"parallel": [{"to": "db", "op": "read"}], "to": "db"})),
        read0,
        "`parallel` goes alone",
    );
    says(
        &bad(|d| d["nodes"][2].as_object_mut().unwrap().remove("calls").map(drop).unwrap()),
        "nodes[2].calls",
        "is missing, but server `app-1` links to",
    );
    says(
        &bad(|d| d["nodes"][2]["calls"] = json!({"any": [{"to": "db", "op": "read"}]})),
        "nodes[2].calls",
        "no call of server `app-1` goes to `cache`",
    );
    says(&bad(|d| d["nodes"][4]["capacity"] = json!(0)), "nodes[4].capacity", "");
    says(&bad(|d| d["nodes"][4]["eviction"] = json!("mru")), "nodes[4].eviction", "unknown variant `mru`");
    says(&bad(|d| d["nodes"][5]["max_connections"] = json!(0)), "nodes[5].max_connections", "");
    says(
        &bad(|d| d["faults"] = json!([{"at_s": 1, "set": "db", "hold_worker": false}])),
        "faults[0].hold_worker",
        "does not apply to `db`, a database: `set` on it takes `workers`, `service_time`",
    );
    // A cycle of calls: app-1 calls app-2, which calls app-1.
    let cycle = bad(|d| {
        d["links"]
            .as_array_mut()
            .unwrap()
            .extend([json!({"from": "app-1", "to": "app-2"}), json!({"from": "app-2", "to": "app-1"})]);
        d["nodes"][2]["calls"]["write"].as_array_mut().unwrap().push(json!({"to": "app-2", "op": "write"}));
        d["nodes"][3]["calls"]["write"].as_array_mut().unwrap().push(json!({"to": "app-1", "op": "write"}));
    });
    says(&cycle, "links", "form a cycle through");
    // Too deep: users → lb → app-1 → t1 → … → t5.
    let deep = bad(|d| {
        for k in 1..=5 {
            let calls = if k < 5 { json!({"any": [{"to": format!("t{}", k + 1), "op": "read"}]}) } else { json!({}) };
            d["nodes"].as_array_mut().unwrap().push(json!({"id": format!("t{k}"), "kind": "server",
                "service_time": {"dist": "constant", "mean_ms": 1}, "calls": calls}));
            if k < 5 {
                d["links"].as_array_mut().unwrap().push(json!({"from": format!("t{k}"), "to": format!("t{}", k + 1)}));
            }
        }
        d["links"].as_array_mut().unwrap().push(json!({"from": "app-1", "to": "t1"}));
        d["nodes"][2]["calls"]["write"].as_array_mut().unwrap().push(json!({"to": "t1", "op": "write"}));
    });
    says(&deep, "links", "requests from `users` cross 7 links (calls included); at most 6");
}

#[test]
fn a_dead_cache_answers_nothing_so_calls_with_a_timeout_wait_it_out() {
    let steps = json!({"read": [{"to": "cache", "op": "get", "optional": true, "timeout_ms": 30},
                                {"to": "db", "op": "read", "when": "miss"},
                                {"to": "cache", "op": "set", "when": "miss", "optional": true, "timeout_ms": 30}]});
    let s = run_cli("cache-dead-timeouts", &tier(steps, db(2.0), json!([{"at_s": 0, "fail": "cache"}])));
    let cache = &s["nodes"]["app"]["calls"]["cache"];
    let (sent, timed_out) = (cache["sent"].as_u64().unwrap(), cache["timed_out"].as_u64().unwrap());
    assert!(sent > 7_000 && sent - timed_out < 40, "every call to the dead cache timed out ({timed_out} of {sent})");
    assert_eq!(count(&s, &["refused"]), 0);
    // 1 ms hop in, 1 ms service, 30 ms for the get, 2 + 2 ms for the read, 30 ms for the set, 1 ms out.
    let mean = s["latency_ms"]["mean"].as_f64().unwrap();
    assert!((mean - 67.0).abs() < 0.5, "mean {mean} ms");
}

#[test]
fn a_call_when_hit_follows_every_hit_and_when_miss_every_miss() {
    // Reads: get from the cache; on a hit tell `audit`, on a miss read the
    // database and fill the cache. Every call answers (no timeouts), so
    // `audit` hears of exactly the cache's hits and the database of its
    // misses; writes (a fifth) only write the database.
    let scenario = json!({
        "version": 1, "name": "when hit", "seed": 9, "stop": {"completed_requests": 20_000},
        "nodes": [
            {"id": "users", "kind": "client", "arrivals": {"process": "poisson", "rate_per_s": 500},
             "keys": {"dist": "zipf", "n_keys": 1_000, "exponent": 1.0}, "ops": {"write": 0.2}},
            {"id": "app", "kind": "server", "workers": 64, "service_time": {"dist": "constant", "mean_ms": 1},
             "calls": {"read": [{"to": "cache", "op": "get"}, {"to": "audit", "op": "write", "when": "hit"},
                                {"to": "db", "op": "read", "when": "miss"}, {"to": "cache", "op": "set", "when": "miss"}],
                       "write": [{"to": "db", "op": "write"}]}},
            {"id": "cache", "kind": "cache", "capacity": 100, "workers": 64},
            {"id": "audit", "kind": "server", "workers": 64, "service_time": {"dist": "constant", "mean_ms": 1}},
            {"id": "db", "kind": "database", "workers": 64, "service_time": {"dist": "constant", "mean_ms": 1}}
        ],
        "links": [{"from": "users", "to": "app"}, {"from": "app", "to": "cache"}, {"from": "app", "to": "audit"},
                  {"from": "app", "to": "db"}]
    });
    let s = run_cli("when-hit", &scenario);
    let calls = |to: &str, what: &str| count(&s, &["nodes", "app", "calls", to, what]);
    let (hits, misses) = (count(&s, &["nodes", "cache", "hits"]), count(&s, &["nodes", "cache", "misses"]));
    assert!(hits > 1_000 && misses > 1_000, "{hits} hits, {misses} misses");
    let gets = hits + misses;
    assert_eq!(calls("audit", "sent"), hits, "one audit per hit");
    assert_eq!(calls("cache", "sent"), gets + misses, "a get per read and a set per miss");
    assert_eq!(count(&s, &["nodes", "db", "reads"]), misses, "one database read per miss");
    assert_eq!(calls("db", "sent"), misses + count(&s, &["nodes", "db", "writes"]));
    assert_eq!(calls("audit", "failed") + calls("db", "failed") + calls("cache", "failed"), 0);
}

#[test]
fn a_call_to_a_balancer_or_a_sharded_store_passes_its_op_on() {
    let scenario = json!({
        "version": 1, "name": "calls through a balancer", "seed": 5, "stop": {"completed_requests": 20_000},
        "nodes": [
            {"id": "users", "kind": "client", "arrivals": {"process": "poisson", "rate_per_s": 500},
             "keys": {"dist": "uniform", "n_keys": 10_000}, "ops": {"write": 0.25}},
            {"id": "edge", "kind": "server", "workers": 64, "service_time": {"dist": "constant", "mean_ms": 1},
             "calls": {"any": [{"to": "lb", "op": "read"}], "write": [{"to": "lb", "op": "write"}]}},
            {"id": "lb", "kind": "load_balancer", "algorithm": "round_robin"},
            {"id": "svc-1", "kind": "server", "workers": 16, "service_time": {"dist": "constant", "mean_ms": 1},
             "calls": {"any": [{"to": "store", "op": "read"}], "write": [{"to": "store", "op": "write"}]}},
            {"id": "svc-2", "kind": "server", "workers": 16, "service_time": {"dist": "constant", "mean_ms": 1},
             "calls": {"any": [{"to": "store", "op": "read"}], "write": [{"to": "store", "op": "write"}]}},
            {"id": "store", "kind": "sharded_store", "key_space": 10_000}
        ],
        "links": [{"from": "users", "to": "edge"}, {"from": "edge", "to": "lb"}, {"from": "lb", "to": "svc-1"},
                  {"from": "lb", "to": "svc-2"}, {"from": "svc-1", "to": "store"}, {"from": "svc-2", "to": "store"}]
    });
    let s = run_cli("through-lb", &scenario);
    assert_eq!(count(&s, &["completed"]), 20_000);
    let forwarded = &s["nodes"]["lb"]["forwarded"];
    let (a, b) = (forwarded["svc-1"].as_u64().unwrap(), forwarded["svc-2"].as_u64().unwrap());
    assert!(a.abs_diff(b) <= 1, "round robin splits the calls: {a} and {b}");
    // The client's writes stay writes all the way down.
    let store = &s["nodes"]["store"]["store"];
    let (reads, writes) = (store["reads"].as_u64().unwrap(), store["writes"].as_u64().unwrap());
    let share = writes as f64 / (reads + writes) as f64;
    assert!((share - 0.25).abs() < 0.02, "writes are {share:.3} of the store's requests");
}

#[test]
fn a_database_keeps_its_connection_room_when_its_workers_change() {
    // 2 workers, 8 connections: 6 may wait inside, 0 for a connection.
    let mut s = tier(
        json!({"any": [{"to": "db", "op": "read"}], "write": [{"to": "cache", "op": "delete"}]}),
        json!({"id": "db", "kind": "database", "workers": 2, "max_connections": 8, "queue_capacity": 0,
               "service_time": {"dist": "constant", "mean_ms": 1}}),
        json!([{"at_s": 1, "set": "db", "workers": 8}]),
    );
    s["stop"] = json!({"sim_time_s": 2});
    let scenario = scalelab::Scenario::from_json(&s.to_string()).unwrap();
    let mut sim = scalelab::Simulation::new(&scenario);
    let db = scenario.topology.index_of("db").unwrap();
    sim.step_until(500_000_000);
    assert_eq!((sim.node_view(db).workers, sim.node_view(db).queue_capacity), (2, 6));
    sim.step_until(1_500_000_000);
    assert_eq!((sim.node_view(db).workers, sim.node_view(db).queue_capacity), (8, 0), "all 8 connections run now");
}

/// A cache node on its own: `rate` reads a second of `n_keys` uniform keys
/// through an app to a cache of 500 entries (cache-aside, tiers of 10 µs),
/// with `faults`, as a `Simulation` to read the cache's view and windows.
fn cache_node(
    n_keys: u64,
    rate: f64,
    stop_s: u64,
    faults: Value,
) -> (scalelab::Simulation, scalelab::sim::validate::NodeIdx) {
    let scenario = json!({
        "version": 1, "name": "a cache node", "seed": 4, "stop": {"sim_time_s": stop_s},
        "nodes": [
            {"id": "users", "kind": "client", "arrivals": {"process": "poisson", "rate_per_s": rate},
             "keys": {"dist": "uniform", "n_keys": n_keys}},
            {"id": "app", "kind": "server", "workers": 64, "service_time": {"dist": "constant", "mean_ms": 0.01},
             "calls": {"read": [{"to": "cache", "op": "get"}, {"to": "cache", "op": "set", "when": "miss"}]}},
            {"id": "cache", "kind": "cache", "capacity": 500, "workers": 64,
             "service_time": {"dist": "constant", "mean_ms": 0.01}}
        ],
        "links": [{"from": "users", "to": "app"}, {"from": "app", "to": "cache"}],
        "faults": faults
    });
    let s = scalelab::Scenario::from_json(&scenario.to_string()).unwrap();
    let sim = scalelab::Simulation::new(&s);
    let cache = sim.scenario().topology.index_of("cache").unwrap();
    (sim, cache)
}

#[test]
fn a_cache_nodes_windows_view_and_live_capacity() {
    // Reads of 1,000 uniform keys through a cache of 500 entries: a hit
    // ratio of C/N = 0.5 once warm, in every one-second window (binomial:
    // 5 sd of the window's lookups). At 20 s a live edit cuts the capacity
    // to 100: the cache evicts down to it at once and its windows go to 0.1.
    let (mut sim, cache) =
        cache_node(1_000, 2000.0, 40, json!([{"at_s": 20, "set": "cache", "params": {"capacity": 100}}]));
    let figure = |sim: &scalelab::Simulation, label: &str| {
        sim.node_view(cache).figures.iter().find(|f| f.0 == label).unwrap_or_else(|| panic!("{label}")).1
    };
    sim.step_until(19_999_999_999);
    assert_eq!((figure(&sim, "Entries"), figure(&sim, "Capacity")), (500.0, 500.0));
    let (hits, misses) = (figure(&sim, "Hits"), figure(&sim, "Misses"));
    assert!((figure(&sim, "Hit ratio %") - 100.0 * hits / (hits + misses)).abs() < 1e-9);
    sim.step_until(20_000_000_001);
    assert_eq!((figure(&sim, "Entries"), figure(&sim, "Capacity")), (100.0, 100.0), "evicted down at once");
    sim.step_until(40_000_000_000);
    let windows: Vec<f64> =
        sim.node_series(cache).iter().map(|w| w.hit_ratio.expect("lookups in every window")).collect();
    assert_eq!(windows.len(), 40);
    let band = |want: f64| 5.0 * (want * (1.0 - want) / 2000.0f64).sqrt();
    for (k, &ratio) in windows.iter().enumerate() {
        // Settled: C/N. Warming (cold, the first 5 s) or after the cut
        // (20 to 25 s): between its two settled values' bands.
        let (lo, hi) = match k {
            0..5 => (0.0, 0.5 + band(0.5)),
            5..20 => (0.5 - band(0.5), 0.5 + band(0.5)),
            20..25 => (0.1 - band(0.1), 0.5 + band(0.5)),
            _ => (0.1 - band(0.1), 0.1 + band(0.1)),
        };
        assert!((lo..=hi).contains(&ratio), "window {k}: hit ratio {ratio:.3}, expected {lo:.3} to {hi:.3}");
    }
    let summary = sim.summary();
    assert_eq!(summary.nodes["cache"].figures.get("entries"), Some(&scalelab::sim::family::Figure::Count(100)));
}

#[test]
fn a_range_call_carries_the_clients_scan_length() {
    // Scans of 50 keys through a server to a store hashing 100,000 keys
    // over 8 shards: a scan touches a shard unless none of its 50 keys
    // hash there, so 8 (1 − (7/8)^50) = 7.99 shards on average. A scan cut
    // to one key would touch one.
    let scenario = json!({
        "version": 1, "name": "range calls", "seed": 2, "stop": {"completed_requests": 2_000},
        "nodes": [
            {"id": "users", "kind": "client", "arrivals": {"process": "poisson", "rate_per_s": 200},
             "keys": {"dist": "uniform", "n_keys": 100_000}, "ops": {"range": 1.0, "range_keys": 50}},
            {"id": "app", "kind": "server", "workers": 64, "service_time": {"dist": "constant", "mean_ms": 1},
             "calls": {"any": [{"to": "store", "op": "range"}]}},
            {"id": "store", "kind": "sharded_store", "key_space": 100_000, "shards": 8}
        ],
        "links": [{"from": "users", "to": "app"}, {"from": "app", "to": "store"}]
    });
    let s = run_cli("range-calls", &scenario);
    let store = &s["nodes"]["store"]["store"];
    assert!(store["ranges"].as_u64().unwrap() >= 2_000);
    let fanout = store["mean_range_fanout"].as_f64().unwrap();
    let want = 8.0 * (1.0 - (7.0f64 / 8.0).powi(50));
    assert!((fanout - want).abs() < 0.02, "a 50-key scan asks {fanout:.3} shards, expected {want:.3}");
}

/// A request every 100 ms (the first at 100 ms) to `app`, a server that
/// works 1 ms and calls `db` once (a read, with `call`'s options), and
/// `db`, a database; `app` and `db` add or replace fields of their own.
fn one_call(name: &str, seed: u64, stop_s: u64, app: Value, call: Value, db: Value) -> Value {
    let merge = |mut base: Value, extra: Value| {
        for (k, v) in extra.as_object().unwrap() {
            base[k] = v.clone();
        }
        base
    };
    let call = merge(json!({"to": "db", "op": "read"}), call);
    json!({
        "version": 1, "name": name, "seed": seed, "stop": {"sim_time_s": stop_s},
        "nodes": [
            {"id": "users", "kind": "client", "arrivals": {"process": "constant", "rate_per_s": 10}},
            merge(json!({"id": "app", "kind": "server", "service_time": {"dist": "constant", "mean_ms": 1},
                         "calls": {"any": [call]}}), app),
            merge(json!({"id": "db", "kind": "database"}), db),
        ],
        "links": [{"from": "users", "to": "app"}, {"from": "app", "to": "db"}]
    })
}

#[test]
fn an_earlier_attempts_timer_never_times_out_a_later_one() {
    // The database holds one query at a time (150 ms) and refuses the rest
    // at once; a request every 100 ms calls it with a 200 ms timeout and
    // two retries 60 ms apart, so every other first attempt is refused and
    // its retry accepted. Every attempt is answered within 150 ms, so none
    // may time out: a refused attempt's timeout timer outlives it and fires
    // while the retry is in flight, and must not be taken for the retry's
    // (each attempt has its own generation).
    let scenario = one_call(
        "stale timers",
        6,
        20,
        json!({"workers": 64}),
        json!({"timeout_ms": 200, "retries": 2, "backoff_ms": 60}),
        json!({"workers": 1, "queue_capacity": 0, "service_time": {"dist": "constant", "mean_ms": 150}}),
    );
    let s = run_cli("stale-timers", &scenario);
    let db = &s["nodes"]["app"]["calls"]["db"];
    assert!(db["retried"].as_u64().unwrap() > 50, "{db}");
    assert_eq!(db["timed_out"].as_u64().unwrap(), 0, "{db}");
    assert!(db["ok"].as_u64().unwrap() > 100, "{db}");
}

#[test]
fn an_answer_after_its_attempt_timed_out_is_ignored_during_the_backoff() {
    // The database answers every query in exactly 20 ms; the call gives it
    // 10 ms, then one more try after 50 ms. The first attempt's answer comes
    // back at 20 ms, in the middle of the backoff: it is late, so it is
    // dropped, and the second attempt (sent at 60 ms) times out at 70 ms
    // too. No call ever succeeds: each request fails after two timeouts.
    let scenario = one_call(
        "late answers",
        3,
        10,
        json!({"workers": 8}),
        json!({"timeout_ms": 10, "retries": 1, "backoff_ms": 50}),
        json!({"workers": 8, "service_time": {"dist": "constant", "mean_ms": 20}}),
    );
    let s = run_cli("late-answers", &scenario);
    let db = &s["nodes"]["app"]["calls"]["db"];
    // A request every 100 ms from 100 ms: the 99 up to 9.9 s each failed 71
    // ms after it came, before the stop at 10 s.
    assert_eq!(db["ok"].as_u64().unwrap(), 0, "{db}");
    assert_eq!(db["failed"].as_u64().unwrap(), 99, "{db}");
    assert_eq!(db["timed_out"].as_u64().unwrap(), 198, "{db}");
    assert_eq!(db["retried"].as_u64().unwrap(), 99, "{db}");
    assert_eq!(db["sent"].as_u64().unwrap(), 198, "{db}");
    assert_eq!(count(&s, &["completed"]), 0);
    // The live view counts them as the app's errors, failed by a call.
    let mut sim = scalelab::Simulation::new(&scalelab::Scenario::from_json(&scenario.to_string()).unwrap());
    sim.step_until(10 * scalelab::sim::time::NS_PER_S);
    let app = &sim.snapshot().nodes[1];
    assert_eq!(app.errors, 99);
    assert!(app.figures.contains(&("Failed by a call", 99.0)), "{:?}", app.figures);
}

#[test]
fn a_failed_cache_answers_no_lookup_and_comes_back_cold() {
    // The windows test's cache (500 of 1,000 uniform keys, a hit ratio of
    // 0.5 once warm) fails at 10 s and recovers at 20 s. While down it
    // looks up nothing, so its windows have no hit ratio at all (not 0, not
    // NaN), and it loses what it held: it comes back empty and warms again.
    let (mut sim, cache) =
        cache_node(1_000, 2000.0, 30, json!([{"at_s": 10, "fail": "cache"}, {"at_s": 20, "recover": "cache"}]));
    let entries = |sim: &scalelab::Simulation| {
        sim.node_view(cache).figures.iter().find(|f| f.0 == "Entries").expect("an Entries figure").1
    };
    sim.step_until(9_999_999_999);
    assert_eq!(entries(&sim), 500.0, "full before the failure");
    sim.step_until(10_000_000_001);
    assert!(!sim.node_view(cache).up);
    assert_eq!(entries(&sim), 0.0, "a failed cache loses its entries");
    sim.step_until(30_000_000_000);
    let windows: Vec<Option<f64>> = sim.node_series(cache).iter().map(|w| w.hit_ratio).collect();
    assert_eq!(windows.len(), 30);
    for (k, w) in windows.iter().enumerate() {
        match k {
            10..20 => assert_eq!(*w, None, "window {k}: down, no lookup, no hit ratio"),
            _ => assert!(w.is_some(), "window {k}: lookups"),
        }
    }
    // Back empty, it refills: with λ = 2,000 lookups a second over N = 1,000
    // keys, entries grow as N(1 − e^(−λt/N)) and reach C = 500 at
    // t₀ = ln 2 / 2 = 0.347 s, so the first second's hit ratio averages
    // ∫₀^t₀ (1 − e^(−2t)) dt + (1 − t₀) · 0.5 = 0.424 (binomial: 5 sd of
    // its 2,000 lookups is 0.056), against 0.5 warm.
    let t0 = std::f64::consts::LN_2 / 2.0;
    let want = t0 - (1.0 - (-2.0 * t0).exp()) / 2.0 + (1.0 - t0) * 0.5;
    let cold = windows[20].unwrap();
    assert!(
        (cold - want).abs() < 5.0 * (0.25f64 / 2000.0).sqrt(),
        "the first second back: {cold:.3}, expected {want:.3}"
    );
    assert!((windows[29].unwrap() - 0.5).abs() < 5.0 * (0.25f64 / 2000.0).sqrt(), "warm again");
}

#[test]
fn a_live_cache_capacity_is_checked() {
    // A `set` on a cache takes `params.capacity`, from 1 entry up.
    for (params, words) in [
        (json!({"capacity": 0}), "capacity"),
        (json!({}), "needs `capacity`"),
        (json!({"capacity": "big"}), "capacity"),
    ] {
        let scenario = json!({
            "version": 1, "name": "cache params", "seed": 1, "stop": {"sim_time_s": 1},
            "nodes": [
                {"id": "users", "kind": "client", "arrivals": {"process": "poisson", "rate_per_s": 10}},
                {"id": "app", "kind": "server", "service_time": {"dist": "constant", "mean_ms": 1},
                 "calls": {"read": [{"to": "cache", "op": "get"}]}},
                {"id": "cache", "kind": "cache", "capacity": 500, "service_time": {"dist": "constant", "mean_ms": 1}}
            ],
            "links": [{"from": "users", "to": "app"}, {"from": "app", "to": "cache"}],
            "faults": [{"at_s": 0.5, "set": "cache", "params": params}]
        });
        let err = scalelab::Scenario::from_json(&scenario.to_string()).expect_err("refused").to_string();
        assert!(err.contains("faults[0]") && err.contains(words), "{params}: {err}");
    }
}

#[test]
fn a_cache_holding_every_key_hits_every_time() {
    // 10 keys in a cache of 500: once each key was asked for once, every
    // lookup hits, and each window's hit ratio is exactly 1 (a window of
    // hits only is a hit ratio, not "no lookups").
    let (mut sim, cache) = cache_node(10, 500.0, 10, json!([]));
    sim.step_until(10_000_000_000);
    let windows: Vec<Option<f64>> = sim.node_series(cache).iter().map(|w| w.hit_ratio).collect();
    assert_eq!(windows.len(), 10);
    assert!(windows[0].is_some_and(|r| r < 1.0), "the first window has the ten first misses: {:?}", windows[0]);
    assert!(windows[1..].iter().all(|&w| w == Some(1.0)), "{windows:?}");
}

#[test]
fn a_database_serves_writes_in_their_own_time() {
    // Reads take 2 ms and writes 10 ms (constant), 64 workers for 100
    // requests a second, so nothing waits: a quarter of the requests are
    // writes, and the mean is 0.75 × 2 + 0.25 × 10 = 4 ms at the database
    // (the share of writes is binomial over 5,000: 5 sd is 0.03, 0.24 ms).
    let scenario = json!({
        "version": 1, "name": "write service", "seed": 8, "stop": {"completed_requests": 5_000},
        "nodes": [
            {"id": "users", "kind": "client", "arrivals": {"process": "poisson", "rate_per_s": 100},
             "keys": {"dist": "uniform", "n_keys": 10_000}, "ops": {"write": 0.25}},
            {"id": "app", "kind": "server", "workers": 64, "service_time": {"dist": "constant", "mean_ms": 1},
             "calls": {"any": [{"to": "db", "op": "read"}], "write": [{"to": "db", "op": "write"}]}},
            {"id": "db", "kind": "database", "workers": 64, "service_time": {"dist": "constant", "mean_ms": 2},
             "write_service_time": {"dist": "constant", "mean_ms": 10}}
        ],
        "links": [{"from": "users", "to": "app"}, {"from": "app", "to": "db"}]
    });
    let s = run_cli("write-service", &scenario);
    let db = &s["nodes"]["db"]["latency_ms"];
    assert!((db["mean"].as_f64().unwrap() - 4.0).abs() < 0.24, "{db}");
    assert!((db["p50"].as_f64().unwrap() - 2.0).abs() < 0.05, "most are reads: {db}");
    assert!((db["p99"].as_f64().unwrap() - 10.0).abs() < 0.1, "the slowest are writes: {db}");
}

#[test]
fn a_database_that_fails_resets_what_it_was_serving() {
    // A request every 100 ms, each 500 ms at a database of 8 workers: 5 in
    // service at any moment, none waiting. It fails at 5.25 s: the five
    // that arrived in the half second before are answered `reset` then,
    // not left to hang, and nothing after it reaches the database.
    let scenario = json!({
        "version": 1, "name": "db fails", "seed": 8, "stop": {"sim_time_s": 8},
        "nodes": [
            {"id": "users", "kind": "client", "arrivals": {"process": "constant", "rate_per_s": 10}},
            {"id": "app", "kind": "server", "workers": 64, "service_time": {"dist": "constant", "mean_ms": 0.01},
             "calls": {"any": [{"to": "db", "op": "read"}]}},
            {"id": "db", "kind": "database", "workers": 8, "service_time": {"dist": "constant", "mean_ms": 500}}
        ],
        "links": [{"from": "users", "to": "app"}, {"from": "app", "to": "db"}],
        "faults": [{"at_s": 5.25, "fail": "db"}]
    });
    let s = run_cli("db-fails", &scenario);
    let db = &s["nodes"]["db"];
    assert_eq!(db["reset"].as_u64(), Some(5), "{db}");
    let n = |k: &str| db[k].as_u64().unwrap();
    assert_eq!(n("completed") + n("reset"), n("reads"), "every read it took is answered: {db}");
}

#[test]
fn a_saturated_database_shows_its_connections_and_its_windows() {
    // 1,000 reads a second at a database that serves 200 (2 workers, 10 ms
    // each): both workers are always busy, and with 8 connections 6 more
    // wait inside while the rest wait for a connection. Its view says 8 of
    // 8 connections in use, and every one-second window says utilisation 1
    // and a queue of the 100 waiting for a connection or a worker.
    let scenario = json!({
        "version": 1, "name": "db saturated", "seed": 8, "stop": {"sim_time_s": 3},
        "nodes": [
            {"id": "users", "kind": "client", "arrivals": {"process": "constant", "rate_per_s": 1000}},
            {"id": "app", "kind": "server", "workers": 512, "queue_capacity": 10_000,
             "service_time": {"dist": "constant", "mean_ms": 0.01}, "calls": {"any": [{"to": "db", "op": "read"}]}},
            {"id": "db", "kind": "database", "workers": 2, "max_connections": 8, "queue_capacity": 94,
             "service_time": {"dist": "constant", "mean_ms": 10}}
        ],
        "links": [{"from": "users", "to": "app"}, {"from": "app", "to": "db"}]
    });
    let s = scalelab::Scenario::from_json(&scenario.to_string()).unwrap();
    let mut sim = scalelab::Simulation::new(&s);
    let db = sim.scenario().topology.index_of("db").unwrap();
    sim.step_until(3_000_000_000);
    let figure = |label: &str| sim.node_view(db).figures.iter().find(|f| f.0 == label).expect(label).1;
    assert_eq!((figure("Connections in use"), figure("Max connections")), (8.0, 8.0));
    let windows = sim.node_series(db);
    assert_eq!(windows.len(), 3);
    // The first window starts idle until the first read (1 ms in) and fills
    // the queue; then each second 1,000 come, 200 are served and 800 find
    // no room.
    assert!(windows[0].utilisation > 0.99, "{}", windows[0].utilisation);
    for (k, w) in windows.iter().enumerate().skip(1) {
        assert!((w.utilisation - 1.0).abs() < 1e-9, "window {k}: utilisation {}", w.utilisation);
        assert_eq!(w.queue_len, 100, "window {k}: 6 inside waiting for a worker, 94 for a connection");
        assert!(
            w.completed.abs_diff(200) <= 1 && w.dropped.abs_diff(800) <= 1,
            "window {k}: {} served, {} dropped",
            w.completed,
            w.dropped
        );
    }
}

#[test]
fn each_request_op_is_named_as_the_scenario_format_spells_its_call() {
    // A sharded store's routes show a request's op by this name: the one a
    // scenario writes in a call's `op`.
    use scalelab::sim::engine::Op;
    use scalelab::sim::spec::CallOp;
    for (op, call) in [
        (Op::Read, CallOp::Read),
        (Op::Write, CallOp::Write),
        (Op::Range(3), CallOp::Range),
        (Op::Get, CallOp::Get),
        (Op::Set, CallOp::Set),
        (Op::Delete, CallOp::Delete),
    ] {
        assert_eq!(json!(call), json!(op.name()), "{op:?}");
    }
}

#[test]
fn a_server_with_freed_workers_counts_the_requests_waiting_on_calls() {
    // A request every 100 ms; the app works 1 ms, frees its worker and
    // calls the database (20 ms). 10 ms after each arrival exactly one
    // request waits on its call; 50 ms after, none does.
    let scenario = one_call(
        "waiting",
        2,
        5,
        json!({"workers": 2, "hold_worker": false}),
        json!({}),
        json!({"workers": 2, "service_time": {"dist": "constant", "mean_ms": 20}}),
    );
    let mut sim = scalelab::Simulation::new(&scalelab::Scenario::from_json(&scenario.to_string()).unwrap());
    let waiting = |sim: &scalelab::Simulation| {
        let figures = &sim.snapshot().nodes[1].figures;
        figures.iter().find(|(name, _)| *name == "Waiting on calls").expect("a server with calls shows it").1
    };
    let params = sim.snapshot().nodes[1].params::<StationParams>().cloned().expect("a server's settings");
    assert_eq!(params.hold_worker, Some(false), "a server with calls shows whether it holds its workers");
    // A server that makes no calls has nothing to hold and no such figures.
    let mut alone = scenario.clone();
    alone["nodes"][1].as_object_mut().unwrap().remove("calls");
    alone["nodes"][1].as_object_mut().unwrap().remove("hold_worker");
    alone["nodes"].as_array_mut().unwrap().pop();
    alone["links"].as_array_mut().unwrap().pop();
    let alone = scalelab::Simulation::new(&scalelab::Scenario::from_json(&alone.to_string()).unwrap());
    let app = &alone.snapshot().nodes[1];
    assert_eq!(app.params::<StationParams>().map(|p| p.hold_worker), Some(None), "{:?}", app.params);
    assert!(app.figures.is_empty(), "{:?}", app.figures);
    for k in 1..40u64 {
        sim.step_until((k * 100 + 10) * scalelab::sim::time::NS_PER_MS);
        assert_eq!(waiting(&sim), 1.0, "{k}10 ms");
        sim.step_until((k * 100 + 50) * scalelab::sim::time::NS_PER_MS);
        assert_eq!(waiting(&sim), 0.0, "{k}50 ms");
    }
}
