//! Invalid scenarios: each gives a clear error naming the field, never a panic.

use scalelab::Scenario;
use scalelab::presets::{LOAD_BALANCING_JSON, MM8_JSON};

/// The M/M/8 preset with one JSON-pointer edit applied.
fn edited(pointer: &str, value: serde_json::Value) -> String {
    edited_preset(MM8_JSON, pointer, value)
}

/// `preset` with one JSON-pointer edit applied (the field may be new).
fn edited_preset(preset: &str, pointer: &str, value: serde_json::Value) -> String {
    let mut doc: serde_json::Value = serde_json::from_str(preset).unwrap();
    let (parent, field) = pointer.rsplit_once('/').unwrap();
    let parent = doc.pointer_mut(parent).unwrap_or_else(|| panic!("no {parent} in the preset"));
    parent[field] = value;
    doc.to_string()
}

/// Asserts that `text` is a valid scenario.
fn assert_valid(text: &str) {
    if let Err(e) = Scenario::from_json(text) {
        panic!("expected this scenario to be valid, got {:#?}", e.errors);
    }
}

fn errors_of(text: &str) -> Vec<(String, String)> {
    match Scenario::from_json(text) {
        Ok(_) => panic!("expected this scenario to be rejected:\n{text}"),
        Err(e) => e.errors.into_iter().map(|f| (f.path, f.message)).collect(),
    }
}

/// Asserts that one of the errors is at `path` and says `says`.
fn assert_error(text: &str, path: &str, says: &str) {
    let errors = errors_of(text);
    assert!(
        errors.iter().any(|(p, m)| p == path && m.contains(says)),
        "wanted an error at `{path}` saying `{says}`, got {errors:#?}"
    );
}

use serde_json::json;

#[test]
fn not_json_or_not_an_object() {
    assert_error("{\"version\": 1,", "(document)", "not valid JSON");
    assert_error("[1, 2]", "(document)", "must be a JSON object");
    assert_error("", "(document)", "not valid JSON");
}

#[test]
fn version_missing_wrong_or_from_the_future() {
    let mut doc: serde_json::Value = serde_json::from_str(MM8_JSON).unwrap();
    doc.as_object_mut().unwrap().remove("version");
    assert_error(&doc.to_string(), "version", "is missing");
    assert_error(&edited("/version", json!(2)), "version", "newer than this build");
    assert_error(&edited("/version", json!("one")), "version", "must be 1");
}

#[test]
fn negative_or_zero_rate() {
    assert_error(&edited("/nodes/0/arrivals/rate_per_s", json!(-5)), "nodes[0].arrivals.rate_per_s", "greater than 0");
    assert_error(&edited("/nodes/0/arrivals/rate_per_s", json!(0)), "nodes[0].arrivals.rate_per_s", "greater than 0");
}

#[test]
fn rate_over_the_limit() {
    assert_error(
        &edited("/nodes/0/arrivals/rate_per_s", json!(1e9)),
        "nodes[0].arrivals.rate_per_s",
        "at most 1000000",
    );
}

#[test]
fn zero_workers() {
    assert_error(&edited("/nodes/1/workers", json!(0)), "nodes[1].workers", "between 1 and 10000");
}

#[test]
fn wrong_type_names_the_nested_field() {
    assert_error(
        &edited("/nodes/1/service_time/mean_ms", json!("fast")),
        "nodes[1].service_time.mean_ms",
        "invalid type: string \"fast\"",
    );
    assert_error(
        &edited("/nodes/1/service_time", json!({"dist": "exponential", "mean_ms": 5, "cv": 2})),
        "nodes[1].service_time",
        "`cv` does not apply to dist `exponential`",
    );
    assert_error(
        &edited("/nodes/1/service_time", json!({"dist": "lognormal", "mean_ms": 5})),
        "nodes[1].service_time",
        "needs `cv`",
    );
    assert_error(&edited("/nodes/1/workers", json!(-2)), "nodes[1].workers", "invalid value: integer `-2`");
}

#[test]
fn unknown_distribution_and_unknown_kind() {
    assert_error(
        &edited("/nodes/1/service_time/dist", json!("pareto")),
        "nodes[1].service_time",
        "unknown dist `pareto`",
    );
    assert_error(&edited("/nodes/1/kind", json!("datastore")), "nodes[1].kind", "unknown kind `datastore`");
    // It lists every kind, family by family, as the registry has them.
    let every: Vec<&str> = scalelab::families::kind_names().collect();
    assert!(every.len() >= 20 && every[..3] == ["client", "server", "load_balancer"], "{every:?}");
    assert_error(
        &edited("/nodes/1/kind", json!("datastore")),
        "nodes[1].kind",
        &format!("unknown kind `datastore`; expected one of: {}", every.join(", ")),
    );
}

#[test]
fn unknown_field_is_named() {
    let mut doc: serde_json::Value = serde_json::from_str(MM8_JSON).unwrap();
    doc["nodes"][1]["workerz"] = json!(3);
    doc["colour"] = json!("blue");
    assert_error(&doc.to_string(), "nodes[1].workerz", "unknown field `workerz`");
    assert_error(&doc.to_string(), "colour", "unknown field");
}

#[test]
fn link_to_a_missing_node_and_duplicate_ids() {
    assert_error(&edited("/links/0/to", json!("nowhere")), "links[0].to", "names no node: `nowhere`");
    assert_error(&edited("/nodes/1/id", json!("users")), "nodes[1].id", "ids must be unique");
}

#[test]
fn fault_on_unknown_node_or_on_a_client() {
    assert_error(&edited("/faults", json!([{"at_s": 3, "fail": "ghost"}])), "faults[0].fail", "names no node");
    assert_error(&edited("/faults", json!([{"at_s": 3, "fail": "users"}])), "faults[0].fail", "is a client");
    assert_error(
        &edited("/faults", json!([{"at_s": 3}])),
        "faults[0]",
        "exactly one of `fail`, `recover`, `set`, `add_server`, `remove_server`, `add_shard`, `remove_shard`, `partition` or `heal`",
    );
}

#[test]
fn bad_partitions_name_their_field() {
    let faults = |f: serde_json::Value| edited("/faults", f);
    assert_error(&faults(json!([{"at_s": 3, "partition": []}])), "faults[0].partition", "is empty");
    assert_error(
        &faults(json!([{"at_s": 3, "partition": ["pool", "ghost"]}])),
        "faults[0].partition[1]",
        "names no node: `ghost`",
    );
    assert_error(
        &faults(json!([{"at_s": 3, "partition": ["pool", "pool"]}])),
        "faults[0].partition[1]",
        "listed twice",
    );
    assert_error(
        &faults(json!([{"at_s": 3, "partition": ["pool", "users"]}])),
        "faults[0].partition",
        "lists every node",
    );
    assert_error(&faults(json!([{"at_s": 3, "heal": ["pool"]}])), "faults[0].heal[0]", "`pool` is not cut off at 3 s");
    assert_error(
        &faults(json!([{"at_s": 3, "partition": ["pool"]}, {"at_s": 4, "partition": ["pool"]}])),
        "faults[1].partition[0]",
        "already cut off at 4 s (by the partition at 3 s); heal it first",
    );
    // Judged in time order, not entry order: the heal listed first comes later.
    assert_valid(&faults(json!([{"at_s": 9, "heal": ["pool"]}, {"at_s": 4, "partition": ["pool"]}])));
    // A heal ends the cut: the node can be cut off again after.
    assert_valid(&faults(json!([
        {"at_s": 4, "partition": ["pool"]}, {"at_s": 5, "heal": ["pool"]}, {"at_s": 6, "partition": ["pool"]}
    ])));
    assert_error(&faults(json!([{"at_s": 3, "partition": ["pool"], "fail": "pool"}])), "faults[0]", "exactly one of");
    assert_error(&faults(json!([{"at_s": 3, "partition": ["pool"], "workers": 2}])), "faults[0]", "go only with `set`");
    assert_error(&faults(json!([{"at_s": 3, "partition": "pool"}])), "faults[0].partition", "expected a sequence");
}

#[test]
fn bad_stop_conditions() {
    assert_error(&edited("/stop", json!({"completed_requests": 0})), "stop.completed_requests", "between 1 and");
    assert_error(&edited("/stop", json!({"sim_time_s": 1e12})), "stop.sim_time_s", "at most");
    assert_error(&edited("/stop", json!({"forever": true})), "stop", "unknown variant `forever`");
}

#[test]
fn uniform_max_below_min_and_vnodes_on_the_wrong_algorithm() {
    assert_error(
        &edited("/nodes/1/service_time", json!({"dist": "uniform", "min_ms": 5, "max_ms": 2})),
        "nodes[1].service_time.max_ms",
        "at least min_ms",
    );
    // max = min is a constant time, and allowed.
    assert_valid(&edited("/nodes/1/service_time", json!({"dist": "uniform", "min_ms": 5, "max_ms": 5})));
    let lb = r#"{"version":1,"name":"x","stop":{"sim_time_s":1},
      "nodes":[{"id":"c","kind":"client","arrivals":{"process":"poisson","rate_per_s":1}},
               {"id":"lb","kind":"load_balancer","algorithm":"round_robin","vnodes":10},
               {"id":"s","kind":"server","service_time":{"dist":"constant","mean_ms":1}}],
      "links":[{"from":"c","to":"lb"},{"from":"lb","to":"s"}]}"#;
    assert_error(lb, "nodes[1].vnodes", "only to the consistent_hash");
}

#[test]
fn topology_rules() {
    // A client with no link, a server that forwards, a cycle between balancers.
    let text = r#"{"version":1,"name":"x","stop":{"sim_time_s":1},
      "nodes":[{"id":"c","kind":"client","arrivals":{"process":"poisson","rate_per_s":1}},
               {"id":"a","kind":"load_balancer","algorithm":"random"},
               {"id":"b","kind":"load_balancer","algorithm":"random"},
               {"id":"s","kind":"server","service_time":{"dist":"constant","mean_ms":1}}],
      "links":[{"from":"c","to":"a"},{"from":"a","to":"b"},{"from":"b","to":"a"},{"from":"s","to":"a"}]}"#;
    assert_error(text, "nodes[3].calls", "is missing, but server `s` links to `a`");
    assert_error(text, "links", "cycle");
    let lonely = edited("/links", json!([]));
    assert_error(&lonely, "nodes[0]", "exactly one outgoing link");
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let mut doc: serde_json::Value = serde_json::from_str(MM8_JSON).unwrap();
    doc["nodes"][0]["arrivals"]["rate_per_s"] = json!(-1);
    doc["nodes"][1]["workers"] = json!(0);
    doc["links"][0]["latency_ms"] = json!(-3);
    let errors = errors_of(&doc.to_string());
    let paths: Vec<&str> = errors.iter().map(|(p, _)| p.as_str()).collect();
    for want in ["nodes[0].arrivals.rate_per_s", "nodes[1].workers", "links[0].latency_ms"] {
        assert!(paths.contains(&want), "missing {want} in {paths:?}");
    }
    // Structural problems in two different nodes are both reported too.
    doc = serde_json::from_str(MM8_JSON).unwrap();
    doc["nodes"][0]["arrivals"] = json!({"process": "sometimes"});
    doc["nodes"][1]["workers"] = json!("eight");
    let paths: Vec<String> = errors_of(&doc.to_string()).into_iter().map(|(p, _)| p).collect();
    assert!(
        paths.iter().any(|p| p.starts_with("nodes[0]")) && paths.iter().any(|p| p.starts_with("nodes[1]")),
        "{paths:?}"
    );
}

#[test]
fn oversized_documents_are_refused_without_parsing() {
    let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(2_000_000));
    assert_error(&huge, "(document)", "largest scenario accepted");
}

#[test]
fn the_cli_prints_every_error_and_exits_2() {
    let dir = std::env::temp_dir().join(format!("scalelab-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.json");
    let mut doc: serde_json::Value = serde_json::from_str(MM8_JSON).unwrap();
    doc["nodes"][1]["workers"] = json!(0);
    doc["links"][0]["to"] = json!("nowhere");
    std::fs::write(&file, doc.to_string()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scalelab")).args(["run"]).arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.contains("nodes[1].workers") && stderr.contains("links[0].to"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}

#[cfg(unix)]
#[test]
fn the_cli_ends_quietly_when_its_output_pipe_closes() {
    // `scalelab presets | head -c 0`: stdout is a pipe whose reader is
    // closed before the CLI starts, so its first write meets a closed pipe.
    // Without the default SIGPIPE action println! panicked.
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::process::ExitStatusExt;
    let mut fds = [0; 2];
    // SAFETY: `pipe` fills two new descriptors, each owned exactly once below.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let (reader, writer) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(reader);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scalelab"))
        .args(["presets", "--json"])
        .stdout(std::process::Stdio::from(writer))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success() || out.status.signal() == Some(libc::SIGPIPE), "{:?}: {stderr}", out.status);
}

#[test]
fn added_servers_count_against_the_link_cap() {
    // 100 clients, each behind its own balancer in front of one server: 200
    // links. Each copy of the server adds 100 more, so the 40th copy would
    // pass 4,096 (38 copies make 4,000; the 39th 4,100).
    let mut nodes =
        vec![json!({"id": "s0", "kind": "server", "workers": 1, "service_time": {"dist": "constant", "mean_ms": 1}})];
    let mut links = Vec::new();
    for i in 0..100 {
        nodes.push(
            json!({"id": format!("c{i}"), "kind": "client", "arrivals": {"process": "poisson", "rate_per_s": 1}}),
        );
        nodes.push(json!({"id": format!("lb{i}"), "kind": "load_balancer", "algorithm": "round_robin"}));
        links.push(json!({"from": format!("c{i}"), "to": format!("lb{i}")}));
        links.push(json!({"from": format!("lb{i}"), "to": "s0"}));
    }
    let faults: Vec<_> = (1..=39).map(|k| json!({"at_s": k, "add_server": format!("s{k}"), "like": "s0"})).collect();
    let doc = json!({"version": 1, "name": "links", "seed": 1, "stop": {"sim_time_s": 60},
        "nodes": nodes, "links": links, "faults": faults});
    let errors = errors_of(&doc.to_string());
    assert_eq!(
        errors,
        vec![("faults[38].add_server".to_string(), "would make more than 4096 links".to_string())],
        "only the 39th copy passes the cap"
    );
}

#[test]
fn timeline_edits_are_checked_against_the_node_kind_and_time() {
    let lb = scalelab::presets::LOAD_BALANCING_JSON;
    let with = |entries: serde_json::Value| {
        let mut doc: serde_json::Value = serde_json::from_str(lb).unwrap();
        doc["faults"] = entries;
        doc.to_string()
    };
    assert_error(
        &with(json!([{"at_s": 1, "set": "app-1", "rate_per_s": 5}])),
        "faults[0].rate_per_s",
        "does not apply to `app-1`, a server: `set` on it takes `workers`, `service_time`",
    );
    assert_error(
        &with(json!([{"at_s": 1, "set": "lb", "workers": 5}])),
        "faults[0].workers",
        "does not apply to `lb`, a load_balancer: `set` on it takes `algorithm`",
    );
    // A field a kind does not take gets that one error, not its range's too.
    assert_eq!(
        errors_of(&with(json!([{"at_s": 1, "set": "users", "workers": 0}]))),
        vec![(
            "faults[0].workers".to_string(),
            "does not apply to `users`, a client: `set` on it takes `rate_per_s`".to_string()
        )]
    );
    assert_error(&with(json!([{"at_s": 1, "set": "app-1"}])), "faults[0]", "needs at least one of");
    assert_error(&with(json!([{"at_s": 1, "set": "app-1", "workers": 0}])), "faults[0].workers", "between 1 and");
    assert_error(&with(json!([{"at_s": 1, "fail": "app-1", "workers": 3}])), "faults[0]", "go only with `set`");
    assert_error(&with(json!([{"at_s": 1, "add_server": "app-9"}])), "faults[0].like", "is missing");
    assert_error(&with(json!([{"at_s": 1, "add_server": "app-9", "like": "lb"}])), "faults[0].like", "is not a server");
    assert_error(
        &with(json!([{"at_s": 1, "add_server": "app-1", "like": "app-2"}])),
        "faults[0].add_server",
        "already a node's id",
    );
    // Time order, not list order, decides whether a node exists yet.
    assert_error(
        &with(json!([{"at_s": 20, "add_server": "app-9", "like": "app-1"}, {"at_s": 10, "fail": "app-9"}])),
        "faults[1]",
        "only added at 20 s",
    );
    assert_error(
        &with(json!([{"at_s": 5, "remove_server": "app-3"}, {"at_s": 10, "recover": "app-3"}])),
        "faults[1]",
        "was removed at 5 s",
    );
    // After an entry pass 1 rejects, the time-order errors still name their own entry.
    assert_error(
        &with(
            json!([{"at_s": 1, "fail": "ghost"}, {"at_s": 5, "remove_server": "app-3"}, {"at_s": 10, "recover": "app-3"}]),
        ),
        "faults[2]",
        "was removed at 5 s",
    );
    Scenario::from_json(&with(json!([
        {"at_s": 10, "add_server": "app-9", "like": "app-1"},
        {"at_s": 12, "fail": "app-9"},
        {"at_s": 14, "set": "lb", "algorithm": "power_of_two"}
    ])))
    .expect("a valid timeline");
}

#[test]
fn a_balancers_health_checks_are_bounded() {
    // The load-balancing preset: nodes[1] is the balancer.
    let lb = |field: &str, v: serde_json::Value| {
        edited_preset(LOAD_BALANCING_JSON, &format!("/nodes/1/health_check/{field}"), v)
    };
    let path = |field: &str| format!("nodes[1].health_check.{field}");
    assert_error(&lb("interval_ms", json!(9.99)), &path("interval_ms"), "between 10 and 60000 (got 9.99)");
    assert_error(&lb("interval_ms", json!(60_000.5)), &path("interval_ms"), "between 10 and 60000");
    assert_valid(&lb("interval_ms", json!(10)));
    assert_valid(&lb("interval_ms", json!(60_000)));
    for field in ["unhealthy_threshold", "healthy_threshold"] {
        assert_error(&lb(field, json!(0)), &path(field), "between 1 and 100 (got 0)");
        assert_error(&lb(field, json!(101)), &path(field), "between 1 and 100 (got 101)");
        assert_valid(&lb(field, json!(1)));
        assert_valid(&lb(field, json!(100)));
    }
}

#[test]
fn a_servers_weight_and_a_clients_clients_are_bounded() {
    // The load-balancing preset: nodes[2] is app-1, nodes[0] the users.
    let at = |pointer: &str, v: serde_json::Value| edited_preset(LOAD_BALANCING_JSON, pointer, v);
    assert_error(&at("/nodes/2/weight", json!(0)), "nodes[2].weight", "between 1 and 1000 (got 0)");
    assert_error(&at("/nodes/2/weight", json!(1001)), "nodes[2].weight", "between 1 and 1000 (got 1001)");
    assert_valid(&at("/nodes/2/weight", json!(1000)));
    assert_error(&at("/nodes/0/clients", json!(0)), "nodes[0].clients", "between 1 and 1000000000 (got 0)");
    assert_error(
        &at("/nodes/0/clients", json!(1_000_000_001u64)),
        "nodes[0].clients",
        "between 1 and 1000000000 (got 1000000001)",
    );
    assert_valid(&at("/nodes/0/clients", json!(1)));
    assert_valid(&at("/nodes/0/clients", json!(1_000_000_000u64)));
}

#[test]
fn a_clients_keys_and_op_mix_are_bounded() {
    let at = |pointer: &str, v: serde_json::Value| edited_preset(LOAD_BALANCING_JSON, pointer, v);
    assert_error(&at("/nodes/0/keys", json!({"dist": "uniform", "n_keys": 0})), "nodes[0].keys.n_keys", "got 0");
    assert_error(
        &at("/nodes/0/keys", json!({"dist": "zipf", "n_keys": 100, "exponent": -1})),
        "nodes[0].keys.exponent",
        "got -1",
    );
    assert_valid(&at("/nodes/0/keys", json!({"dist": "zipf", "n_keys": 100, "exponent": 1.1})));
    // Writes and ranges may take every request between them, not more.
    assert_valid(&at("/nodes/0/ops", json!({"write": 0.5, "range": 0.5})));
    assert_error(&at("/nodes/0/ops", json!({"write": 0.5, "range": 0.6})), "nodes[0].ops", "at most 1 (got 1.1)");
}

#[test]
fn a_part_is_named_by_the_field_its_kind_declares() {
    use scalelab::families::messaging::presets::KAFKA_KEYS_JSON;
    use scalelab::families::sharding::presets::HASH_VS_MODULO_JSON;
    use scalelab::presets::LOAD_BALANCING_JSON;
    let with = |preset: &str, faults: serde_json::Value| edited_preset(preset, "/faults", faults);
    // A Kafka cluster's parts are brokers: a shard of it is refused by name,
    // a broker past its count too, and failing the cluster names a broker.
    let kafka = |f| with(KAFKA_KEYS_JSON, f);
    assert_error(
        &kafka(json!([{"at_s": 1, "fail": "kafka", "shard": 0}])),
        "faults[0].shard",
        "`kafka` is a Kafka cluster: its parts are brokers, named by `broker`",
    );
    assert_error(
        &kafka(json!([{"at_s": 1, "fail": "kafka", "broker": 3}])),
        "faults[0].broker",
        "has brokers 0 to 2 (got 3)",
    );
    assert_valid(&kafka(json!([{"at_s": 1, "fail": "kafka", "broker": 2}])));
    assert_error(
        &kafka(json!([{"at_s": 1, "recover": "kafka"}])),
        "faults[0].broker",
        "is missing: `kafka` is a Kafka cluster; name the broker that fails",
    );
    // A sharded store's parts are shards; it may also fail whole.
    let store = |f| with(HASH_VS_MODULO_JSON, f);
    assert_error(
        &store(json!([{"at_s": 1, "fail": "store", "broker": 0}])),
        "faults[0].broker",
        "`store` is a sharded store: its parts are shards, named by `shard`",
    );
    assert_valid(&store(json!([{"at_s": 1, "fail": "store"}])));
    assert_valid(&store(json!([{"at_s": 1, "fail": "store", "shard": 0}])));
    // A server has no parts.
    assert_error(
        &with(LOAD_BALANCING_JSON, json!([{"at_s": 1, "fail": "app-1", "shard": 0}])),
        "faults[0].shard",
        "`app-1` is not made of parts; `shard` names a part of a node that is",
    );
    assert_error(
        &with(LOAD_BALANCING_JSON, json!([{"at_s": 1, "recover": "app-1", "broker": 1}])),
        "faults[0].broker",
        "`app-1` is not made of parts",
    );
    // `part` names a part of any node made of parts, checked as the kind's
    // own field is (its range, the time order), under its own path.
    assert_valid(&kafka(json!([{"at_s": 1, "fail": "kafka", "part": 2}, {"at_s": 2, "recover": "kafka", "part": 2}])));
    assert_valid(&store(json!([{"at_s": 1, "fail": "store", "part": 0}])));
    assert_error(
        &kafka(json!([{"at_s": 1, "fail": "kafka", "part": 3}])),
        "faults[0].part",
        "has brokers 0 to 2 (got 3)",
    );
    assert_error(
        &store(json!([{"at_s": 1, "fail": "store", "part": 9}])),
        "faults[0].part",
        "`store` has shards 0 to 4 by then (got 9)",
    );
    assert_error(
        &with(LOAD_BALANCING_JSON, json!([{"at_s": 1, "fail": "app-1", "part": 0}])),
        "faults[0].part",
        "`app-1` is not made of parts; `part` names a part of a node that is",
    );
    assert_error(
        &kafka(json!([{"at_s": 1, "fail": "kafka", "part": 1, "broker": 1}])),
        "faults[0].broker",
        "names a part again (`part` did): give one of `part` and `broker`",
    );
    assert_error(
        &kafka(json!([{"at_s": 1, "set": "kafka", "part": 1}])),
        "faults[0].part",
        "goes only with `fail` or `recover`",
    );
    assert_error(
        &kafka(json!([{"at_s": 1, "fail": "kafka", "shard": 0}])),
        "faults[0].shard",
        "named by `broker` (or `part`)",
    );
}

/// A node links only to nodes that speak what it speaks (its kind's
/// `protocol`): requests, or Kafka's and RabbitMQ's messaging.
#[test]
fn a_link_between_requests_and_messaging_names_the_protocol() {
    let doc = |nodes: serde_json::Value, links: serde_json::Value| {
        json!({"version": 1, "name": "x", "seed": 1, "stop": {"sim_time_s": 1},
               "nodes": nodes, "links": links, "faults": []})
        .to_string()
    };
    let users = json!({"id": "users", "kind": "client", "arrivals": {"process": "poisson", "rate_per_s": 10}});
    let cluster = json!({"id": "kafka", "kind": "kafka_cluster", "topics": [{"name": "t", "partitions": 2}]});
    let app = json!({"id": "app", "kind": "server", "workers": 1, "queue_capacity": 10,
                     "service_time": {"dist": "constant", "mean_ms": 1}});
    let producer = json!({"id": "p", "kind": "kafka_producer", "topic": "t",
                          "arrivals": {"process": "poisson", "rate_per_s": 10}});
    // A client sending requests to a broker.
    let text = doc(json!([users, cluster]), json!([{"from": "users", "to": "kafka"}]));
    assert_error(&text, "nodes[0]", "`users` links to the kafka_cluster `kafka`, which takes no requests");
    // A producer sending records to a server.
    let text = doc(json!([producer, app]), json!([{"from": "p", "to": "app"}]));
    assert_error(&text, "nodes[0]", "`p` links to `app`, which does not speak its protocol");
    assert_error(&text, "nodes[0]", "`p` needs exactly one outgoing link, to a kafka_cluster");
    // Through the right protocol, both are valid.
    assert_valid(&doc(json!([producer, cluster]), json!([{"from": "p", "to": "kafka"}])));
}

/// A family kind's node (`NodeSpec::Own`) is written as a tagged variant
/// was: `kind` first, then its fields in its spec type's order (a
/// `serde_json::Value` would sort them): links and exports made before
/// messaging moved to its chunk are the same bytes after.
#[test]
fn a_chunk_kind_writes_kind_then_its_fields_in_declared_order() {
    use scalelab::families::messaging::kinds::{Cluster, Producer};
    use scalelab::families::messaging::presets::KAFKA_KEYS_JSON;
    let s = Scenario::from_json(KAFKA_KEYS_JSON).unwrap();
    let mut seen = 0;
    for node in &s.spec.nodes {
        let typed = match (node.as_kind::<Cluster>(), node.as_kind::<Producer>()) {
            (Some(c), _) => serde_json::to_string(c).unwrap(),
            (_, Some(p)) => serde_json::to_string(p).unwrap(),
            _ => continue,
        };
        seen += 1;
        let written = serde_json::to_string(node).unwrap();
        assert_eq!(written, format!("{{\"kind\":\"{}\",{}", node.kind_name(), &typed[1..]));
        assert!(written.starts_with(&format!("{{\"kind\":\"{}\",\"id\":", node.kind_name())), "{written}");
    }
    assert_eq!(seen, 2, "the preset has a cluster and a producer");
}
