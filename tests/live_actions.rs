//! Live actions against every preset's own timeline: each action the app
//! offers (`scalelab::live::offered`), applied at moments around each of
//! the preset's scheduled entries, either takes effect or is refused in
//! plain words (never a path into the timeline), and the run goes on. And
//! removing a server the timeline still fails later removes it: the later
//! entries are dropped with a note, and the recorded scenario replays the
//! live run exactly.

mod common;

use common::scenario;
use scalelab::Simulation;
use scalelab::live::{self, LiveAction};
use scalelab::sim::spec::FaultSpec;
use scalelab::sim::time::{NS_PER_MS, NS_PER_S, s_to_ns};
use scalelab::sim::validate::{NodeIdx, Stop};

/// Moments to act at: early on, and half a second before and after each of
/// the preset's scheduled entries (where a live action and the timeline
/// meet), within its first `horizon_s` seconds.
fn moments(sim: &Simulation, horizon_s: u64) -> Vec<u64> {
    let horizon = horizon_s * NS_PER_S;
    let mut at: Vec<u64> = vec![NS_PER_S];
    for e in &sim.scenario().timeline {
        at.extend([e.at_ns.saturating_sub(NS_PER_S / 2), e.at_ns + NS_PER_S / 2]);
    }
    at.retain(|&t| t > 0 && t < horizon);
    at.sort_unstable();
    at.dedup();
    at
}

#[test]
fn every_offered_action_takes_effect_or_is_refused_in_plain_words_at_every_preset() {
    let (mut applied, mut refused) = (0, Vec::new());
    for p in scalelab::presets::all() {
        let s = scenario(p.json());
        let horizon_s = match s.stop {
            Stop::SimTime(t) => (t / NS_PER_S).min(120),
            Stop::FinishedRequests(_) => 120,
        };
        let mut sim = Simulation::new(&s);
        for t in moments(&sim, horizon_s) {
            sim.step_until(t);
            let n = sim.scenario().topology.ids.len();
            let actions: Vec<LiveAction> = (0..n).flat_map(|i| live::offered(&sim, i as NodeIdx)).collect();
            assert!(!actions.is_empty(), "{} at {t} ns: some action is offered", p.id);
            for a in actions {
                let mut tried = sim.clone();
                match tried.add_entry(a.entry.clone()) {
                    Ok(done) => {
                        applied += 1;
                        assert!(
                            done.at_ns > t && done.at_ns <= t + NS_PER_MS,
                            "{}: takes effect within a millisecond",
                            p.id
                        );
                        // The run goes on past the action (the engine cannot fail after validation).
                        tried.step_until(done.at_ns + 200 * NS_PER_MS);
                        assert!(tried.now() >= done.at_ns || tried.is_finished(), "{}: the run went on", p.id);
                    }
                    Err(e) => {
                        let words = live::refusal(&e);
                        assert!(!words.is_empty(), "{} {}: a refusal says why", p.id, a.label);
                        assert!(
                            !words.contains("faults["),
                            "{} at {t} ns, {}: the refusal names a timeline path: {words}",
                            p.id,
                            a.label
                        );
                        refused.push(format!("{} at {:.1} s, {}: {words}", p.id, t as f64 / 1e9, a.label));
                    }
                }
            }
        }
    }
    // Every offered action is one the app lets a person make: a refusal
    // is a control that says something other than what happens.
    assert!(
        refused.is_empty(),
        "{} offered actions refused (of {}):\n{}",
        refused.len(),
        applied + refused.len(),
        refused.join("\n")
    );
    assert!(applied > 1_000, "{applied} actions applied");
}

#[test]
fn removing_a_server_the_timeline_fails_later_removes_it_and_drops_those_entries() {
    let preset = scalelab::presets::by_id("load-balancing").expect("the preset");
    let s = scenario(preset.json());
    // The preset fails app-2 at 30 s and recovers it at 60 s.
    let scheduled: Vec<&FaultSpec> =
        s.spec.faults.iter().filter(|f| f.target().map(String::as_str) == Some("app-2")).collect();
    assert_eq!(scheduled.len(), 2, "the preset schedules two entries for app-2: {scheduled:?}");
    let remove = |id: &str| FaultSpec { remove_server: Some(id.into()), ..Default::default() };

    let mut live = Simulation::new(&s);
    live.step_until(s_to_ns(20.0));
    let first = live.add_entry(remove("app-1")).expect("app-1 is removed");
    assert!(first.dropped.is_empty() && live::note(&first).is_none(), "nothing else was scheduled for app-1");
    live.step_until(s_to_ns(24.132));
    let second = live.add_entry(remove("app-2")).expect("app-2 is removed, not refused");
    let dropped: Vec<String> = second.dropped.iter().map(FaultSpec::describe).collect();
    assert_eq!(dropped, ["fail app-2 at 30 s", "recover app-2 at 60 s"]);
    let note = live::note(&second).expect("the person is told");
    assert!(
        note.starts_with("app-2 is removed.") && note.contains("fail app-2 at 30 s and recover app-2 at 60 s"),
        "{note}"
    );
    assert_eq!(second.at_ns, s_to_ns(24.133), "on the next whole millisecond");
    assert_eq!(live.scenario().spec.faults.last().map(|f| f.at_s), Some(24.133), "the recorded time reads plainly");

    live.step_until(s_to_ns(70.0));
    let app2 = live.scenario().topology.index_of("app-2").expect("app-2");
    assert!(!live.is_present(app2), "app-2 stays removed past the dropped recover at 60 s");
    assert!(live.node_view(app2).up, "and was never failed at 30 s");

    // The recorded scenario (what a share link carries) replays the live run exactly.
    let reparsed = scalelab::Scenario::from_json(&live.scenario().to_json()).expect("the recorded scenario is valid");
    let mut replay = Simulation::new(&reparsed);
    replay.step_until(s_to_ns(70.0));
    assert_eq!(replay.summary(), live.summary());
    assert_eq!(replay.series(), live.series());
    assert_eq!(replay.snapshot(), live.snapshot());
}

#[test]
fn a_checkpoint_from_before_the_removal_restores_the_run_without_the_dropped_entries() {
    use scalelab::sim::checkpoint::Checkpoints;
    let s = scenario(scalelab::presets::by_id("load-balancing").expect("the preset").json());
    let mut live = Simulation::new(&s);
    let mut checkpoints = Checkpoints::new(50_000, 64);
    checkpoints.advance(&mut live, s_to_ns(24.0), u64::MAX);
    assert!(checkpoints.len() > 2, "checkpoints were taken before the edit");
    let at =
        live.add_entry(FaultSpec { remove_server: Some("app-2".into()), ..Default::default() }).expect("removed").at_ns;
    checkpoints.edited(at);
    checkpoints.advance(&mut live, s_to_ns(65.0), u64::MAX);
    // Back to 10 s, then forward again past the dropped entries' times.
    let mut back = checkpoints.restore(s_to_ns(10.0), live.scenario()).expect("a checkpoint before 10 s");
    back.step_until(s_to_ns(65.0));
    assert_eq!(back.summary(), live.summary());
    assert_eq!(back.snapshot(), live.snapshot());
}

/// A node whose parts fail one by one (a Kafka cluster's brokers) is
/// offered each part by its state, named by the field its kind declares,
/// never a failure of the whole node; an offer applied fails that part.
#[test]
fn a_kafka_cluster_is_offered_each_broker_by_its_state() {
    use scalelab::families::messaging::presets::KAFKA_BROKER_DIES_JSON;
    let s = scenario(KAFKA_BROKER_DIES_JSON);
    let kafka = s.topology.index_of("kafka").unwrap();
    let mut sim = Simulation::new(&s);
    let offers = |sim: &Simulation| -> Vec<(String, Option<u32>, bool)> {
        live::faults(sim, kafka)
            .into_iter()
            .filter(|a| a.entry.partition.is_none() && a.entry.heal.is_none())
            .map(|a| (a.label, a.entry.broker, a.entry.fail.is_some()))
            .collect()
    };
    sim.step_until(s_to_ns(10.0));
    let fail = |b: u32| (format!("fail broker {b}"), Some(b), true);
    assert_eq!(offers(&sim), vec![fail(0), fail(1), fail(2)]);
    // The preset's broker 0 dies at 20 s: it is offered back.
    sim.step_until(s_to_ns(25.0));
    assert_eq!(offers(&sim), vec![("recover broker 0".to_string(), Some(0), false), fail(1), fail(2)]);
    // An offer applied fails that broker, and the next offers say so.
    let fail_2 = live::faults(&sim, kafka).into_iter().find(|a| a.label == "fail broker 2").unwrap();
    let done = sim.add_entry(fail_2.entry).unwrap();
    sim.step_until(done.at_ns + NS_PER_MS);
    assert_eq!(offers(&sim)[2], ("recover broker 2".to_string(), Some(2), false));
}

/// A node whose parts join and leave (a store's shards) is offered each
/// part while it is there (fail, recover, remove) and one more; a shard
/// removed is offered no more, one added is.
#[test]
fn a_stores_shards_are_offered_while_they_are_there() {
    use scalelab::families::sharding::presets::ADD_SHARD_JSON;
    let s = scenario(ADD_SHARD_JSON);
    let store = s.topology.index_of("store").unwrap();
    let mut sim = Simulation::new(&s);
    let shards_offered = |sim: &Simulation| -> Vec<u32> {
        let offers = live::offered(sim, store);
        let mut shards: Vec<u32> = offers.iter().filter_map(|a| a.entry.shard).collect();
        shards.dedup();
        for &n in &shards {
            let labels: Vec<&str> =
                offers.iter().filter(|a| a.entry.shard == Some(n)).map(|a| a.label.as_str()).collect();
            assert_eq!(labels, [format!("fail shard {n}"), format!("recover shard {n}"), format!("remove shard {n}")]);
        }
        assert_eq!(offers.iter().filter(|a| a.label == "add a shard" && a.entry.add_shard.is_some()).count(), 1);
        shards
    };
    sim.step_until(s_to_ns(10.0));
    assert_eq!(shards_offered(&sim), [0, 1, 2, 3]);
    let remove_2 = live::offered(&sim, store).into_iter().find(|a| a.label == "remove shard 2").unwrap();
    let done = sim.add_entry(remove_2.entry).unwrap();
    sim.step_until(done.at_ns + NS_PER_MS);
    assert_eq!(shards_offered(&sim), [0, 1, 3]);
    // The preset adds a shard at 20 s: the fifth.
    sim.step_until(s_to_ns(21.0));
    assert_eq!(shards_offered(&sim), [0, 1, 3, 4]);
}

/// An edit that gives a node what it has already is known as one that
/// changes nothing (the app does not record it), for a store's placement
/// and routing as for a server's workers.
#[test]
fn a_set_that_gives_a_node_what_it_has_changes_nothing() {
    use scalelab::families::sharding::presets::ADD_SHARD_JSON;
    use scalelab::sim::spec::{Partitioning, Routing, ServiceTimeSpec};
    let s = scenario(ADD_SHARD_JSON);
    let mut sim = Simulation::new(&s);
    sim.step_until(s_to_ns(1.0));
    let set = |f: &dyn Fn(&mut FaultSpec)| {
        let mut e = FaultSpec { set: Some("store".into()), ..Default::default() };
        f(&mut e);
        live::changes_nothing(&sim, &e)
    };
    assert!(set(&|e| e.vnodes = Some(100)), "the default vnodes");
    assert!(!set(&|e| e.vnodes = Some(10)));
    assert!(set(&|e| e.partitioning = Some(Partitioning::Hash)));
    assert!(!set(&|e| e.partitioning = Some(Partitioning::Range)));
    assert!(set(&|e| e.routing = Some(Routing::AnyNode)));
    assert!(!set(&|e| e.routing = Some(Routing::Client)));
    assert!(set(&|e| e.service_time = Some(ServiceTimeSpec::Exponential { mean_ms: 2.0 })), "the default service time");
    assert!(!set(&|e| e.service_time = Some(ServiceTimeSpec::Exponential { mean_ms: 3.0 })));
    assert!(!set(&|e| {
        e.routing = Some(Routing::AnyNode);
        e.vnodes = Some(10);
    }));
}

/// What a kind says of a node (`OwnKind::settings`, `OwnKind::candidates`)
/// agrees with what an edit does, at every preset: every field a kind's
/// `set` takes (but `workers`, which every view shows) has a value in its
/// settings; a `set` giving the settings back is found to change nothing
/// and, applied, leaves the node's settings and workers as they were;
/// every A/B offer is found to change something and, applied, changes
/// them.
#[test]
fn settings_change_nothing_and_every_offer_changes_something_at_every_preset() {
    // The node's settings and workers, as a `set` would compare them.
    let state = |sim: &Simulation, i: usize| {
        let view = sim.node_view(i as NodeIdx);
        let now = sim.scenario().node_specs[i].kind.settings(&view);
        (serde_json::to_value(&now).unwrap(), view.workers)
    };
    // `entry` applied to a copy of the run, a millisecond on.
    let applied = |sim: &Simulation, entry: &FaultSpec| -> Option<Simulation> {
        let mut tried = sim.clone();
        let done = tried.add_entry(entry.clone()).ok()?;
        tried.step_until(done.at_ns + NS_PER_MS);
        Some(tried)
    };
    let (mut offers, mut offers_applied, mut given_back) = (0, 0, 0);
    for p in scalelab::presets::all() {
        let s = scenario(p.json());
        let mut sim = Simulation::new(&s);
        sim.step_until(NS_PER_S);
        for (i, spec) in s.node_specs.iter().enumerate() {
            let (id, view) = (&s.topology.ids[i], sim.node_view(i as NodeIdx));
            if !view.present {
                continue;
            }
            let now = spec.kind.settings(&view);
            let given = serde_json::to_value(&now).unwrap();
            for field in spec.kind.set_fields(spec).iter().filter(|&&f| f != "workers") {
                assert!(!given[field].is_null(), "{}: {id}'s settings give its `{field}`: {given}", p.id);
            }
            let before = state(&sim, i);
            let same = FaultSpec { set: Some(id.clone()), workers: now.workers.or(Some(view.workers)), ..now };
            assert!(live::changes_nothing(&sim, &same), "{}: {id}'s own settings change nothing: {same:?}", p.id);
            // A spec's own settings name fields a `set` does not take (its
            // id): those cannot be given back as they are.
            if let Some(after) = applied(&sim, &same) {
                given_back += 1;
                assert_eq!(state(&after, i), before, "{}: {id} given its settings back", p.id);
            }
            for (a, b, entry) in spec.kind.candidates(id, &view) {
                offers += 1;
                assert_eq!(entry.set.as_deref(), Some(id.as_str()), "{}: {a} → {b} sets {id}", p.id);
                assert!(!live::changes_nothing(&sim, &entry), "{}: {a} → {b} changes something", p.id);
                if let Some(after) = applied(&sim, &entry) {
                    offers_applied += 1;
                    assert_ne!(state(&after, i), before, "{}: {a} → {b}, applied, changes {id}", p.id);
                }
            }
        }
    }
    assert!(offers > 50 && offers_applied > 50, "{offers} offers in all, {offers_applied} applied");
    assert!(given_back > 40, "{given_back} nodes given their settings back");
}

/// A kind whose settings are its spec's own (`params`): giving a value it
/// has back changes nothing, another value does (the shortener's users,
/// 116 writes/s in the preset).
#[test]
fn own_params_given_back_change_nothing() {
    let s = scenario(scalelab::presets::by_id("shortener").unwrap().json());
    let sim = Simulation::new(&s);
    let set =
        |params: serde_json::Value| FaultSpec { set: Some("users".into()), params: Some(params), ..Default::default() };
    assert!(live::changes_nothing(&sim, &set(serde_json::json!({"writes_per_s": 116.0}))));
    assert!(!live::changes_nothing(&sim, &set(serde_json::json!({"writes_per_s": 117.0}))));
    assert!(!live::changes_nothing(&sim, &set(serde_json::json!({"writes_per_s": 116.0, "viral_share": 0.5}))));
}

/// A balancer offers one "add" that copies its first backend in rotation,
/// and, once none is in rotation (all failed), the first server it links
/// to.
#[test]
fn a_balancer_offers_a_copy_of_its_first_server() {
    let adds = |sim: &Simulation| -> Vec<(String, Option<String>, Option<String>)> {
        let lb = sim.scenario().topology.index_of("lb").unwrap();
        live::offered(sim, lb)
            .into_iter()
            .filter(|a| a.entry.add_server.is_some())
            .map(|a| (a.label, a.entry.add_server, a.entry.like))
            .collect()
    };
    let mut sim = Simulation::new(&scenario(scalelab::presets::by_id("load-balancing").unwrap().json()));
    sim.step_until(NS_PER_S);
    assert_eq!(adds(&sim), [("add app-9".to_string(), Some("app-9".into()), Some("app-1".into()))]);
    let json = serde_json::json!({
        "version": 1, "name": "one server behind a balancer", "seed": 1, "stop": {"sim_time_s": 10},
        "nodes": [
            {"id": "users", "kind": "client", "arrivals": {"process": "poisson", "rate_per_s": 100}},
            {"id": "lb", "kind": "load_balancer", "algorithm": "round_robin", "health_check": {"interval_ms": 100, "unhealthy_threshold": 1, "healthy_threshold": 1}},
            {"id": "web-1", "kind": "server", "workers": 2, "service_time": {"dist": "exponential", "mean_ms": 5}}
        ],
        "links": [{"from": "users", "to": "lb"}, {"from": "lb", "to": "web-1"}],
        "faults": [{"at_s": 1, "fail": "web-1"}]
    });
    let mut sim = Simulation::new(&scenario(&json.to_string()));
    sim.step_until(3 * NS_PER_S);
    let lb = sim.scenario().topology.index_of("lb").unwrap();
    assert!(sim.node_view(lb).healthy_backends.is_empty(), "the failed server is out of rotation");
    assert_eq!(adds(&sim), [("add web-2".to_string(), Some("web-2".into()), Some("web-1".into()))]);
}

/// Each kind's A/B offers (`OwnKind::candidates`) at 1 s, as the compare
/// menu lists them: B's label and the change it makes.
#[test]
fn each_kinds_offers_name_the_change_they_make() {
    let offers = |preset: &str, node: &str| -> Vec<(String, String)> {
        let s = scenario(scalelab::presets::by_id(preset).unwrap().json());
        let mut sim = Simulation::new(&s);
        sim.step_until(NS_PER_S);
        let i = s.topology.index_of(node).unwrap();
        let spec = &s.node_specs[i as usize];
        let entry_of = |e: FaultSpec| {
            let mut v = serde_json::to_value(&e).unwrap();
            v.as_object_mut().unwrap().retain(|k, _| k != "at_s" && k != "set");
            assert_eq!(e.set.as_deref(), Some(node));
            v.to_string()
        };
        spec.kind.candidates(node, &sim.node_view(i)).into_iter().map(|(_, b, e)| (b, entry_of(e))).collect()
    };
    let pairs = |v: &[(&str, &str)]| v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
    assert_eq!(
        offers("load-balancing", "users"),
        pairs(&[
            ("users: 12,500 req/s", r#"{"rate_per_s":12500.0}"#),
            ("users: 7,500 req/s", r#"{"rate_per_s":7500.0}"#)
        ])
    );
    let lb = offers("load-balancing", "lb");
    assert_eq!(lb.len(), scalelab::sim::spec::Algorithm::ALL.len() - 1, "every other algorithm: {lb:?}");
    assert_eq!(lb[0], ("round_robin".to_string(), r#"{"algorithm":"round_robin"}"#.to_string()));
    assert!(!lb.iter().any(|o| o.0 == "least_connections"), "not the one it has");
    assert_eq!(
        offers("cache-aside", "app-1"),
        pairs(&[
            ("app-1: workers freed during calls", r#"{"hold_worker":false}"#),
            ("app-1: 128 workers", r#"{"workers":128}"#),
            ("app-1: 32 workers", r#"{"workers":32}"#),
        ])
    );
    assert_eq!(
        offers("cache-aside", "cache"),
        pairs(&[
            ("cache: 16 workers", r#"{"workers":16}"#),
            ("cache: 4 workers", r#"{"workers":4}"#),
            ("cache: 2,000 entries", r#"{"params":{"capacity":2000}}"#),
            ("cache: 500 entries", r#"{"params":{"capacity":500}}"#),
        ])
    );
    assert_eq!(
        offers("cache-aside", "db"),
        pairs(&[("db: 32 workers", r#"{"workers":32}"#), ("db: 8 workers", r#"{"workers":8}"#)])
    );
    assert_eq!(
        offers("kafka-broker-dies", "api"),
        pairs(&[("api: acks=all", r#"{"acks":"all"}"#), ("api: acks=0", r#"{"acks":"0"}"#)])
    );
    assert_eq!(
        offers("hash-vs-modulo", "store"),
        pairs(&[
            ("store: key ranges", r#"{"partitioning":"range"}"#),
            ("store: hash mod n", r#"{"partitioning":"modulo"}"#),
            ("store: router tier", r#"{"routing":"router"}"#),
            ("store: any node", r#"{"routing":"any_node"}"#),
            ("store: 1000 vnodes", r#"{"vnodes":1000}"#),
            ("store: 10 vnodes", r#"{"vnodes":10}"#),
        ])
    );
    // One virtual node: ten times more, and no fewer than one.
    assert_eq!(offers("virtual-nodes", "store").last().unwrap().0, "store: 10 vnodes");
    assert_eq!(
        offers("rabbitmq-exchanges", "cms"),
        pairs(&[("cms: 6.25 msg/s", r#"{"rate_per_s":6.25}"#), ("cms: 3.75 msg/s", r#"{"rate_per_s":3.75}"#)])
    );
}

/// The stores' settings and M/M/c parts: a cache's capacity is one of its
/// settings; a database with exponential service is c workers of it, a
/// cache with constant service none.
#[test]
fn a_stores_settings_and_queue_role_are_its_own() {
    use scalelab::sim::theory::QueueRole;
    let s = scenario(scalelab::presets::by_id("cache-aside").unwrap().json());
    let sim = Simulation::new(&s);
    let of = |id: &str| {
        let i = s.topology.index_of(id).unwrap();
        let v = sim.node_view(i);
        let kind = s.node_specs[i as usize].kind;
        (kind.settings(&v), kind.queue_role(&v))
    };
    let (cache, cache_role) = of("cache");
    assert_eq!(cache.params, Some(serde_json::json!({"capacity": 1000})));
    assert_eq!(cache_role, None, "constant service is no M/M/c");
    let (db, db_role) = of("db");
    assert_eq!(db.params, None);
    assert_eq!(db_role, Some(QueueRole::Servers { workers: 16, mean_service_s: 0.01 }));
}

#[test]
fn a_live_cut_overrides_the_timelines_later_partition_and_heal_of_that_node() {
    let preset = scalelab::presets::by_id("replication-split-brain").expect("the preset");
    let s = scenario(preset.json());
    let mut live = Simulation::new(&s);
    live.step_until(s_to_ns(1.0));
    let cut = FaultSpec { partition: Some(vec!["users-west".into()]), ..Default::default() };
    let applied = live.add_entry(cut).expect("a live cut is taken");
    // The preset cuts off db/0, app-west and users-west at 10.05 s and
    // heals them at 20.05 s: both entries name users-west, so both go.
    let dropped: Vec<String> = applied.dropped.iter().map(FaultSpec::describe).collect();
    assert_eq!(
        dropped,
        ["cut off db/0, app-west, users-west at 10.05 s", "reconnect db/0, app-west, users-west at 20.05 s"],
        "{dropped:?}"
    );
    assert!(live.scenario().spec.faults.iter().all(|f| f.cut_list().is_none_or(|l| l == &["users-west"])));
    live.step_until(s_to_ns(12.0));
    assert!(live.snapshot().nodes.iter().any(|n| n.cut), "users-west is cut off");
    // A cut the timeline does not name leaves its entries alone.
    let mut other = Simulation::new(&s);
    other.step_until(s_to_ns(1.0));
    let applied =
        other.add_entry(FaultSpec { partition: Some(vec!["users-east".into()]), ..Default::default() }).expect("taken");
    assert!(applied.dropped.is_empty());
}
