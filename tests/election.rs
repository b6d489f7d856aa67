//! Electing a primary through a ZooKeeper-like ensemble, against figures
//! derived outside the code:
//! - a dead primary's session ends at the first tick boundary after its
//!   last heartbeat arrived plus the session timeout (ZooKeeper's
//!   `ExpiryQueue.roundToNextInterval`); the failover then takes the
//!   recipe's round trips over the link, each write one round trip between
//!   the ensemble's servers: so the failover is the timeout plus those
//!   round trips plus the notification, within one tick;
//! - a herd election notifies every live candidate (n − 1), a sequential
//!   one exactly one;
//! - a majority is ⌊n/2⌋ + 1: 5 servers survive 2 failures and not 3; 4
//!   survive 1 and not 2; a write without a majority is not committed;
//! - a primary cut off with its app servers (a partition of a part) takes
//!   their writes after another is elected unless it is fenced: the
//!   split-brain writes are the Poisson count of those writes between the
//!   election and its learning it lost, and the conflicts the keys both
//!   sides wrote (uniform keys: K(1 − e^(−n/K))² of K keys); with fencing
//!   none, and the writes it refuses instead; ap merges what cp discards.
//!
//! Bad settings are refused by name.

use scalelab::families::replication::ensemble::EnsembleSummary;
use scalelab::families::replication::replicated_db::ElectionPhases;
use scalelab::{Scenario, Simulation, Summary};
use serde_json::{Value, json};

mod common;
use common::{db, run_value as run};

/// Writes to a replicated database of `replicas` + 1 members that elects
/// through an ensemble `zk` of `servers`, `link_ms` away.
struct Setup {
    replicas: u32,
    recipe: &'static str,
    servers: u32,
    tick_ms: f64,
    timeout_ms: f64,
    peer_ms: f64,
    link_ms: f64,
}

const BASE: Setup =
    Setup { replicas: 4, recipe: "herd", servers: 3, tick_ms: 200.0, timeout_ms: 1000.0, peer_ms: 1.0, link_ms: 5.0 };

fn scenario(s: &Setup, faults: Value, stop_s: f64) -> Value {
    json!({
        "version": 1, "name": "election test", "seed": 3, "stop": {"sim_time_s": stop_s},
        "nodes": [
            {"id": "users", "kind": "client", "arrivals": {"process": "poisson", "rate_per_s": 200},
             "clients": 50, "keys": {"dist": "uniform", "n_keys": 500}, "ops": {"write": 0.5}},
            {"id": "db", "kind": "replicated_db", "key_space": 500, "replicas": s.replicas, "ship_delay_ms": 2,
             "election": {"recipe": s.recipe, "path": "/svc"}},
            {"id": "zk", "kind": "coordinator_ensemble", "members": s.servers, "tick_ms": s.tick_ms,
             "session_timeout_ms": s.timeout_ms, "peer_latency_ms": s.peer_ms, "znodes": ["/svc"]}
        ],
        "links": [
            {"from": "users", "to": "db", "latency_ms": 0},
            {"from": "db", "to": "zk", "latency_ms": s.link_ms}
        ],
        "faults": faults
    })
}

fn zk(summary: &Summary) -> &EnsembleSummary {
    summary.nodes["zk"].own::<EnsembleSummary>().expect("an ensemble has its summary")
}

/// The one election after the primary (`db-0`) dies at `at_s`.
fn elect(s: &Setup, at_s: f64) -> ElectionPhases {
    let summary = run(&scenario(s, json!([{"at_s": at_s, "fail": "db", "part": 0}]), at_s + 10.0));
    let d = db(&summary);
    assert_eq!(d.failovers.len(), 1, "one failover: {:?}", d.failovers);
    d.failovers[0].election.clone().expect("an election's phases")
}

/// When the ensemble ends a session whose last heartbeat arrived at `t`:
/// the first tick boundary after `t + timeout` (ZooKeeper's expiry queue).
fn expiry(s: &Setup, heard_s: f64) -> f64 {
    let (tick, t) = (s.tick_ms / 1000.0, heard_s + s.timeout_ms / 1000.0);
    ((t / tick + 1e-9).floor() + 1.0) * tick
}

#[test]
fn the_failover_takes_the_session_timeout_plus_the_recipes_round_trips_within_one_tick() {
    for recipe in ["herd", "sequential"] {
        for (link_ms, peer_ms, timeout_ms) in [(5.0, 1.0, 1000.0), (20.0, 3.0, 2400.0), (1.0, 0.5, 400.0)] {
            let s = Setup { recipe, link_ms, peer_ms, timeout_ms, ..BASE };
            let e = elect(&s, 10.1);
            let (l, c) = (link_ms / 1000.0, 2.0 * peer_ms / 1000.0);
            // The dead primary's session ends; deleting its znode is a write
            // (one round trip between servers); the watch is told over the link.
            let expired = expiry(&s, e.last_heartbeat_s + l);
            let told = expired + c + l;
            // herd: every candidate creates `master` (a round trip and a
            // write); the app servers' exists-watch fires at that create and
            // they read the znode (a round trip).
            // sequential: the one told lists the children (a round trip);
            // the app servers' data watch on the old primary's znode fires
            // at the deletion, and they list the children and read the lowest.
            let (new_primary, app) = match recipe {
                "herd" => (told + 2.0 * l + c, told + 2.0 * l + c + 2.0 * l),
                _ => (told + 2.0 * l, told + 4.0 * l),
            };
            eprintln!(
                "{recipe}, link {link_ms} ms, commit {} ms, timeout {timeout_ms} ms: last heartbeat {:.4} s, \
                 told {:.4} s (expected {told:.4}), new primary {:.4} s (expected {new_primary:.4}), \
                 app servers {:.4} s (expected {app:.4}); failover {:.1} ms",
                c * 1000.0,
                e.last_heartbeat_s,
                e.notified_s.unwrap_or(f64::NAN),
                e.new_primary_s,
                e.app_servers_updated_s.unwrap_or(f64::NAN),
                e.failover_s().unwrap_or(f64::NAN) * 1000.0
            );
            let near = |a: f64, b: f64| (a - b).abs() < 1e-6;
            assert!(near(e.notified_s.unwrap(), told), "{recipe}: told at {:?}, expected {told}", e.notified_s);
            assert!(
                near(e.new_primary_s, new_primary),
                "{recipe}: new primary at {}, expected {new_primary}",
                e.new_primary_s
            );
            let updated = e.app_servers_updated_s.expect("the app servers learned the new primary");
            assert!(near(updated, app), "{recipe}: app servers at {updated}, expected {app}");
            // The statement: timeout + round trips + notification, within one tick.
            let trips = app - told;
            let bare = s.timeout_ms / 1000.0 + l + c + l + trips;
            let took = e.failover_s().unwrap();
            assert!(took >= bare - 1e-9 && took <= bare + s.tick_ms / 1000.0 + 1e-9, "{recipe}: {took} s vs {bare} s");
            assert!(near(e.replicas_repointed_s, e.new_primary_s + 0.002), "re-pointed one shipping delay later");
        }
    }
}

#[test]
fn a_herd_election_tells_every_live_candidate_a_sequential_one_tells_one() {
    for replicas in 1..=8u32 {
        let herd = elect(&Setup { replicas, ..BASE }, 5.05);
        let seq = elect(&Setup { replicas, recipe: "sequential", ..BASE }, 5.05);
        eprintln!("{} members: herd told {}, sequential told {}", replicas + 1, herd.notifications, seq.notifications);
        assert_eq!(herd.notifications, u64::from(replicas), "herd, n = {}: n − 1", replicas + 1);
        assert_eq!(seq.notifications, 1, "sequential, n = {}", replicas + 1);
    }
}

#[test]
fn the_new_primary_is_the_one_the_recipe_picks_and_writes_flow_to_it() {
    // Sequential: the oldest surviving znode (db-1 created second). Herd:
    // the first create to arrive (equal links: the lowest-numbered).
    for recipe in ["herd", "sequential"] {
        let summary = run(&scenario(&Setup { recipe, ..BASE }, json!([{"at_s": 5.05, "fail": "db", "part": 0}]), 20.0));
        let d = db(&summary);
        assert_eq!(d.failovers[0].to, "db-1", "{recipe}");
        assert!(d.members["db-1"].primary);
        assert!(
            d.members["db-1"].served > 500,
            "{recipe}: the new primary took the writes: {}",
            d.members["db-1"].served
        );
        assert!(d.acknowledged_writes > 1_800, "{recipe}: writes went on: {}", d.acknowledged_writes);
    }
}

/// Whether a primary that dies at 10 s is replaced within 20 s, with
/// `down` ensemble servers failed before.
fn elects_with(servers: u32, down: u32) -> (bool, u64) {
    let mut faults: Vec<Value> =
        (0..down).map(|i| json!({"at_s": 2.0 + f64::from(i), "fail": "zk", "part": servers - 1 - i})).collect();
    // A replica that comes back without a quorum asks to create its znode.
    faults.push(json!({"at_s": 1.0, "fail": "db", "part": 2}));
    faults.push(json!({"at_s": 9.0, "recover": "db", "part": 2}));
    faults.push(json!({"at_s": 10.0, "fail": "db", "part": 0}));
    let summary = run(&scenario(&Setup { servers, ..BASE }, json!(faults), 30.0));
    (!db(&summary).failovers.is_empty(), zk(&summary).writes_not_committed)
}

#[test]
fn an_ensemble_elects_while_a_majority_is_up_and_commits_nothing_without_one() {
    // ⌊n/2⌋ + 1: 5 servers need 3, 4 need 3, 3 need 2.
    for (servers, down, elects) in
        [(5, 2, true), (5, 3, false), (4, 1, true), (4, 2, false), (3, 1, true), (3, 2, false)]
    {
        let (elected, not_committed) = elects_with(servers, down);
        eprintln!("{servers} servers, {down} down: elected {elected}, {not_committed} writes not committed");
        assert_eq!(elected, elects, "{servers} servers with {down} down");
        if elects {
            assert_eq!(not_committed, 0, "{servers} servers with {down} down");
        } else {
            // The returning replica's create, asked again a tick (0.2 s)
            // after each refusal comes back (a 10 ms round trip), from 9 s
            // to 30 s: 21 / 0.21 = 100 times (one more if the last is on
            // its way).
            assert!((100..=101).contains(&not_committed), "{servers} servers with {down} down: {not_committed}");
        }
    }
}

#[test]
fn a_quorum_that_returns_gives_sessions_a_fresh_timeout_then_elects() {
    let s = BASE;
    let faults = json!([
        {"at_s": 5.0, "fail": "zk", "part": 2}, {"at_s": 5.0, "fail": "zk", "part": 1},
        {"at_s": 10.0, "fail": "db", "part": 0},
        {"at_s": 20.0, "recover": "zk", "part": 1}
    ]);
    let summary = run(&scenario(&s, faults, 30.0));
    let e = db(&summary).failovers[0].election.clone().unwrap();
    // A new leader one tick after the majority returns, then a whole timeout.
    let expired = ((20.0 + 0.2 + 1.0) / 0.2_f64 + 1e-9).floor() * 0.2 + 0.2;
    let told = expired + 0.002 + 0.005;
    assert!((e.notified_s.unwrap() - told).abs() < 1e-6, "told at {:?}, expected {told}", e.notified_s);
    assert_eq!(zk(&summary).leader.as_deref(), Some("zk-1"));
}

#[test]
fn a_member_back_within_its_timeout_keeps_its_session_and_its_place() {
    // The primary pauses for 0.5 s (under the 1 s timeout): no election.
    let faults = json!([{"at_s": 5.05, "fail": "db", "part": 0}, {"at_s": 5.55, "recover": "db", "part": 0}]);
    let summary = run(&scenario(&BASE, faults, 15.0));
    assert!(db(&summary).failovers.is_empty(), "{:?}", db(&summary).failovers);
    assert_eq!(zk(&summary).sessions_expired, 0);
    // Back after 3 s: its session is gone, another won; it rejoins as a replica.
    let faults = json!([{"at_s": 5.05, "fail": "db", "part": 0}, {"at_s": 8.0, "recover": "db", "part": 0}]);
    let summary = run(&scenario(&BASE, faults, 15.0));
    let d = db(&summary);
    assert_eq!(d.failovers.len(), 1);
    assert!(!d.members["db-0"].primary && d.members["db-0"].up);
    assert_eq!(zk(&summary).sessions_expired, 1);
    assert_eq!(zk(&summary).sessions_opened, 7, "six at the start, one for db-0's return");
}

#[test]
fn each_client_heartbeats_every_third_of_the_timeout_also_after_a_member_returns() {
    // Six clients (five members, one router), a heartbeat each every
    // 1/3 s from 1/3 s: 3 a second each. db-2 is away 2.0–2.5 s (under the
    // timeout: it keeps its session) and again 4.0–4.5 s; its heartbeats
    // go on at one chain, not two, after each return.
    let faults = json!([
        {"at_s": 2.0, "fail": "db", "part": 2}, {"at_s": 2.5, "recover": "db", "part": 2},
        {"at_s": 4.0, "fail": "db", "part": 2}, {"at_s": 4.5, "recover": "db", "part": 2}
    ]);
    let s = run(&scenario(&BASE, faults, 10.0));
    let z = zk(&s);
    assert_eq!(z.sessions_expired, 0);
    // 29 heartbeats each by 9.99 s for the five that never stopped, the
    // router's too (≤ 10 s less a 5 ms trip); db-2 misses those due while
    // it is away and sends one at each return: about the same, never twice.
    let heartbeats = z.heartbeats;
    assert!((170..=180).contains(&heartbeats), "{heartbeats} heartbeats; 6 clients × 29 = 174 expected");
}

#[test]
fn the_ensemble_names_each_session_by_its_holder() {
    let s = Scenario::from_json(&scenario(&BASE, json!([]), 2.0).to_string()).unwrap();
    let mut sim = Simulation::new(&s);
    sim.step_until(1_000_000_000);
    let snap = sim.snapshot();
    let v = snap.nodes[2].own::<scalelab::families::replication::ensemble::EnsembleView>().unwrap();
    let holders: Vec<&str> = v.sessions.iter().map(|x| x.holder.as_str()).collect();
    // The five members, and the router of the node that sends requests.
    assert_eq!(holders, ["db/db-0", "db/db-1", "db/db-2", "db/db-3", "db/db-4", "db/via users"]);
    let master = v.tree.iter().find(|z| z.path == "/svc/master").expect("the herd's znode");
    assert_eq!(master.owner.as_deref(), Some("db/db-0"));
}

#[test]
fn bad_settings_are_refused_by_name() {
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut v = scenario(&BASE, json!([]), 10.0);
        edit(&mut v);
        Scenario::from_json(&v.to_string()).err().map(|e| e.to_string()).unwrap_or_default()
    };
    type Edit<'a> = &'a dyn Fn(&mut Value);
    let cases: [(&str, Edit); 9] = [
        ("nodes[2].members", &|v| v["nodes"][2]["members"] = json!(0)),
        ("nodes[2].members", &|v| v["nodes"][2]["members"] = json!(8)),
        ("nodes[2].session_timeout_ms", &|v| v["nodes"][2]["session_timeout_ms"] = json!(399)),
        ("nodes[2].session_timeout_ms", &|v| v["nodes"][2]["session_timeout_ms"] = json!(4001)),
        ("nodes[1].election.path", &|v| v["nodes"][1]["election"]["path"] = json!("/missing")),
        ("nodes[2].znodes[0]", &|v| v["nodes"][2]["znodes"] = json!(["/a/b"])),
        ("nodes[1].election", &|v| v["links"].as_array_mut().unwrap().truncate(1)),
        ("nodes[1].election", &|v| v["nodes"][1].as_object_mut().unwrap().remove("election").map(|_| ()).unwrap()),
        ("nodes[1]", &|v| v["links"][1] = json!({"from": "db", "to": "users", "latency_ms": 1})),
    ];
    for (field, edit) in cases {
        let e = with(edit);
        assert!(e.contains(field), "expected an error naming `{field}`, got: {e}");
    }
    assert!(with(&|_| {}).is_empty(), "the base scenario is valid");
}

/// West's users and app servers write to `db-0` (the primary), east's to
/// whichever primary they learn; 10.05–20.05 s `db-0`, west's app servers
/// and users are cut off from the rest (the ensemble, east, the replicas).
fn split(db_extra: Value) -> Value {
    let side = |name: &str| {
        json!([
            {"id": format!("users-{name}"), "kind": "client", "arrivals": {"process": "poisson", "rate_per_s": 200},
             "clients": 100, "keys": {"dist": "uniform", "n_keys": 1000}, "ops": {"write": 0.5}},
            {"id": format!("app-{name}"), "kind": "server", "workers": 1000, "queue_capacity": 5000,
             "service_time": {"dist": "constant", "mean_ms": 1},
             "calls": {"read": [{"to": "db", "op": "read"}], "write": [{"to": "db", "op": "write"}]}}
        ])
    };
    let mut db = json!({"id": "db", "kind": "replicated_db", "key_space": 1000, "replicas": 2, "ship_delay_ms": 5,
        "election": {"recipe": "herd", "path": "/db"}});
    for (k, v) in db_extra.as_object().unwrap() {
        db[k] = v.clone();
    }
    let mut nodes = side("west").as_array().unwrap().clone();
    nodes.extend(side("east").as_array().unwrap().clone());
    nodes.push(db);
    nodes.push(json!({"id": "zk", "kind": "coordinator_ensemble", "tick_ms": 200, "session_timeout_ms": 1000, "znodes": ["/db"]}));
    let cut = json!(["db/0", "app-west", "users-west"]);
    json!({
        "version": 1, "name": "split brain test", "seed": 5, "stop": {"sim_time_s": 30},
        "nodes": nodes,
        "links": [
            {"from": "users-west", "to": "app-west", "latency_ms": 1},
            {"from": "users-east", "to": "app-east", "latency_ms": 1},
            {"from": "app-west", "to": "db", "latency_ms": 0.5},
            {"from": "app-east", "to": "db", "latency_ms": 0.5},
            {"from": "db", "to": "zk", "latency_ms": 5}
        ],
        "faults": [{"at_s": 10.05, "partition": cut}, {"at_s": 20.05, "heal": cut}]
    })
}

fn partitions(s: &Summary) -> scalelab::families::replication::replicated_db::PartitionSummary {
    db(s).partitions.clone().expect("an electing database counts what partitions did")
}

#[test]
fn without_fencing_the_cut_off_primary_takes_its_sides_writes_and_they_conflict() {
    let s = run(&split(json!({})));
    let p = partitions(&s);
    let f = &db(&s).failovers[0];
    assert!(f.cut_off, "{f:?}");
    let elected = f.at_s;
    // It learns at its first heartbeat after the heal that comes back: a
    // heartbeat every 1/3 s, 5 ms each way.
    let learned = ((20.05_f64 * 3.0).ceil() / 3.0) + 0.010;
    // West writes 100/s: a Poisson count over the window, ±3σ.
    let mean = 100.0 * (learned - elected);
    let split = p.split_brain_writes as f64;
    eprintln!("split brain: {split} writes (expected {mean:.0} ± {:.0}); {} conflicts", 3.0 * mean.sqrt(), p.conflicts);
    assert!((split - mean).abs() < 3.0 * mean.sqrt(), "{split} split-brain writes, expected {mean:.0}");
    // Both sides wrote ~mean writes over 1,000 uniform keys since the
    // election: K(1 − e^(−n/K))² keys both wrote (±12%: the occupancy
    // counts' spread at these sizes is about ±15 keys).
    let both = 1000.0 * (1.0 - (-mean / 1000.0).exp()).powi(2);
    let conflicts = p.conflicts as f64;
    assert!((conflicts - both).abs() < 0.12 * both, "{conflicts} conflicts, expected {both:.0}");
    // cp discards what it took: every key it wrote after the election is lost.
    assert!(db(&s).lost_writes as f64 >= 1000.0 * (1.0 - (-mean / 1000.0).exp()) * 0.88);
    assert_eq!(s.refused, 0);
}

#[test]
fn with_fencing_the_cut_off_primary_refuses_instead_and_nothing_conflicts() {
    let s = run(&split(json!({"fencing": true})));
    let p = partitions(&s);
    assert_eq!((p.split_brain_writes, p.conflicts), (0, 0), "{p:?}");
    // It stops taking writes two thirds of the timeout after it last heard
    // from the ensemble (a heartbeat's answer, 10 ms after it was sent,
    // every 1/3 s), until the heal.
    let heard = (10.05_f64 * 3.0).floor() / 3.0 + 0.010;
    let mean = 100.0 * (20.05 - (heard + 2.0 / 3.0));
    let refused = p.refused_by_fencing as f64;
    eprintln!("fencing: {refused} writes refused (expected {mean:.0} ± {:.0})", 3.0 * mean.sqrt());
    assert!((refused - mean).abs() < 3.0 * mean.sqrt(), "{refused} refused, expected {mean:.0}");
    assert_eq!(s.refused, p.refused_by_fencing, "the refused requests are the fenced writes");
}

#[test]
fn cp_fails_requests_and_conflicts_nothing_ap_fails_none_and_conflicts() {
    let cp = run(&split(json!({"fencing": true})));
    let ap = run(&split(json!({"consistency": "ap"})));
    let failed = |s: &Summary| s.refused + s.dropped + s.reset + s.timed_out;
    let (pc, pa) = (partitions(&cp), partitions(&ap));
    eprintln!(
        "cp: {} failed, {} conflicts, {} stale reads; ap: {} failed, {} conflicts, {} stale reads, {} lost",
        failed(&cp),
        pc.conflicts,
        db(&cp).stale_reads,
        failed(&ap),
        pa.conflicts,
        db(&ap).stale_reads,
        db(&ap).lost_writes
    );
    assert!(failed(&cp) > 800 && pc.conflicts == 0);
    assert!(failed(&ap) == 0 && pa.conflicts > 300 && db(&ap).stale_reads > 0);
    // ap merges: of the keys both wrote, the newer version wins; a key only
    // the cut-off side wrote survives. So it loses fewer than cp would.
    let cp_without_fencing = run(&split(json!({})));
    assert!(db(&ap).lost_writes < db(&cp_without_fencing).lost_writes / 2);
    assert_eq!(
        pa.split_brain_writes,
        partitions(&cp_without_fencing).split_brain_writes,
        "the same traffic, taken alike"
    );
}

#[test]
fn a_part_is_cut_off_by_name_and_bad_parts_are_refused_by_name() {
    let with = |faults: Value| {
        let mut v = split(json!({}));
        v["faults"] = faults;
        Scenario::from_json(&v.to_string()).err().map(|e| e.to_string()).unwrap_or_default()
    };
    for (faults, field, words) in [
        (json!([{"at_s": 1, "partition": ["db/3"]}]), "faults[0].partition[0]", "has 3 members"),
        (json!([{"at_s": 1, "partition": ["app-west/0"]}]), "faults[0].partition[0]", "not made of parts"),
        (json!([{"at_s": 1, "partition": ["db", "db/1"]}]), "faults[0].partition[1]", "listed twice"),
        (json!([{"at_s": 1, "heal": ["db/1"]}]), "faults[0].heal[0]", "not cut off"),
        (
            json!([{"at_s": 1, "partition": ["db/1"]}, {"at_s": 2, "partition": ["db/1"]}]),
            "faults[1].partition[0]",
            "already cut off",
        ),
    ] {
        let e = with(faults);
        assert!(e.contains(field) && e.contains(words), "expected `{field}` … {words}, got: {e}");
    }
    assert!(with(json!([{"at_s": 1, "partition": ["db/1"]}, {"at_s": 2, "heal": ["db/1"]}])).is_empty());
    let bad = |db: Value| {
        let v = split(db);
        Scenario::from_json(&v.to_string()).err().map(|e| e.to_string()).unwrap_or_default()
    };
    assert!(bad(json!({"fencing": true, "consistency": "ap"})).contains("nodes[4].consistency"));
    let mut lone = scenario(&BASE, json!([]), 10.0);
    lone["nodes"][1].as_object_mut().unwrap().remove("election");
    lone["nodes"][1]["fencing"] = json!(true);
    lone["links"].as_array_mut().unwrap().truncate(1);
    lone["nodes"].as_array_mut().unwrap().truncate(2);
    let e = Scenario::from_json(&lone.to_string()).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("nodes[1].fencing"), "{e}");
}

#[test]
fn after_the_whole_database_fails_and_returns_every_client_heartbeats_again() {
    // Two routers (west's and east's app servers) beside three members:
    // down 2.0–2.3 s, under the 1 s timeout, every session lives on.
    let mut v = split(json!({}));
    v["faults"] = json!([{"at_s": 2.0, "fail": "db"}, {"at_s": 2.3, "recover": "db"}]);
    v["stop"] = json!({"sim_time_s": 10});
    let s = run(&v);
    let z = zk(&s);
    assert_eq!((z.sessions_opened, z.sessions_expired), (5, 0), "{z:?}");
    // Five clients, a heartbeat every 1/3 s: 29 each by 10 s, less the one
    // each due while it was down, plus one each at its return.
    assert!((140..=150).contains(&z.heartbeats), "{} heartbeats", z.heartbeats);
}
