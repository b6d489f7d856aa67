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
        (
            21_000,
            entry(|e| {
                e.partition = Some(vec!["app-9".into(), "app-2".into()]);
            }),
        ),
        (
            23_000,
            entry(|e| {
                e.heal = Some(vec!["app-2".into()]);
            }),
        ),
    ];
    for (at_ms, e) in edits {
        live.step_until(at_ms * NS_PER_MS);
        live.add_entry(e).expect("a valid live edit");
    }
    live.step_until(25_000 * NS_PER_MS);
    let recorded = live.scenario().clone();
    assert_eq!(recorded.spec.faults.len(), 2 + 9, "the preset's two faults plus nine edits");

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
    assert!(s.lost > 0, "the cut lost messages");
    assert!(live.snapshot().nodes[recorded.topology.index_of("app-9").unwrap() as usize].cut, "app-9 is still cut off");
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

/// users → app → db, constant traffic (100/s) and constant times, with the
/// database cut off from 10 s to 20 s. The app calls it with a 50 ms timeout.
const CUT_DB: &str = r#"{"version":1,"name":"cut","seed":7,"stop":{"sim_time_s":30},
  "nodes":[{"id":"users","kind":"client","arrivals":{"process":"constant","rate_per_s":100}},
           {"id":"app","kind":"server","workers":100,"service_time":{"dist":"constant","mean_ms":1},
            "calls":{"any":[{"to":"db","op":"read","timeout_ms":50}]}},
           {"id":"db","kind":"server","workers":100,"service_time":{"dist":"constant","mean_ms":2}}],
  "links":[{"from":"users","to":"app","latency_ms":1},{"from":"app","to":"db","latency_ms":1}],
  "faults":[{"at_s":10,"partition":["db"]},{"at_s":20,"heal":["db"]}]}"#;

/// Every message the run sends, read from the trace a simulated 50 ms at a
/// time (far fewer than the trace holds), each once.
fn every_message(sim: &mut Simulation) -> Vec<scalelab::sim::trace::TraceEntry> {
    let mut all = Vec::new();
    let mut last = 0;
    let mut t = 0;
    while !sim.is_finished() {
        t += 50 * NS_PER_MS;
        sim.step_until(t);
        let new: Vec<_> = sim.trace().filter(|e| e.msg_id > last).copied().collect();
        assert!(new.len() < 1_000, "the trace may have overwritten messages not read yet");
        last = new.last().map_or(last, |e| e.msg_id);
        all.extend(new);
    }
    all
}

#[test]
fn a_partition_loses_exactly_the_messages_that_cross_it() {
    use scalelab::sim::trace::MsgKind;
    let s = scenario(CUT_DB);
    let db = s.topology.index_of("db").unwrap();
    let mut sim = Simulation::new(&s);
    let messages = every_message(&mut sim);
    let (cut, heal) = (10_000 * NS_PER_MS, 20_000 * NS_PER_MS);
    for m in &messages {
        let crosses = (m.from == db) != (m.to == db) && (cut..heal).contains(&m.sent_ns);
        assert_eq!(m.kind == MsgKind::Lost, crosses, "{m:?}");
        // Every message here is a request or its answer: it names its
        // request, and its dot is coloured by the request's id.
        assert!(m.req_id > 0 && m.key == m.req_id as u32, "{m:?}");
        // Every link takes 1 ms; a lost message is drawn fading half way.
        let took = if m.kind == MsgKind::Lost { NS_PER_MS / 2 } else { NS_PER_MS };
        assert_eq!(m.arrive_ns, m.sent_ns + took, "{m:?}");
    }
    let lost = |to_db: bool| messages.iter().filter(|m| m.kind == MsgKind::Lost && (m.to == db) == to_db).count();
    // The app calls the database once per request, every 10 ms: a 10 s
    // cut holds exactly 1,000 calls. A call sent just before the cut has
    // its answer sent just after (3 ms later): at most one answer is lost.
    assert_eq!(lost(true), 1_000);
    assert!(lost(false) <= 1, "{} answers lost", lost(false));
    let summary = sim.summary();
    assert_eq!(summary.lost, (lost(true) + lost(false)) as u64);
    assert_eq!(sim.lost(), summary.lost);
    // Each lost message leaves one call unanswered: the app times it out
    // and the user gets the error; nothing else fails.
    assert_eq!(summary.timed_out, summary.lost);
    assert_eq!(summary.dropped + summary.refused + summary.reset, 0);
    // Before the cut and after the heal the database answers every call.
    let db_calls_answered = messages.iter().filter(|m| m.from == db && m.kind == MsgKind::Response).count() as u64;
    assert_eq!(db_calls_answered + lost(true) as u64 + lost(false) as u64, summary.sent - in_flight_at_end(&summary));
}

/// Round robin or least connections over two servers, 100 requests/s;
/// health checks every second, two misses take a backend out, two passes
/// put it back. app-2 is cut off from 10.5 s to 20.5 s.
fn two_servers_one_cut(algorithm: &str) -> String {
    format!(
        r#"{{"version":1,"name":"cut","seed":7,"stop":{{"sim_time_s":30}},
      "nodes":[{{"id":"users","kind":"client","arrivals":{{"process":"constant","rate_per_s":100}}}},
               {{"id":"lb","kind":"load_balancer","algorithm":"{algorithm}",
                "health_check":{{"interval_ms":1000,"unhealthy_threshold":2,"healthy_threshold":2}}}},
               {{"id":"app-1","kind":"server","workers":10,"service_time":{{"dist":"constant","mean_ms":1}}}},
               {{"id":"app-2","kind":"server","workers":10,"service_time":{{"dist":"constant","mean_ms":1}}}}],
      "links":[{{"from":"users","to":"lb"}},{{"from":"lb","to":"app-1"}},{{"from":"lb","to":"app-2"}}],
      "faults":[{{"at_s":10.5,"partition":["app-2"]}},{{"at_s":20.5,"heal":["app-2"]}}]}}"#
    )
}

/// Least connections counts what is in flight: the requests lost at the
/// cut never come back, so unless the balancer drops them when it marks
/// app-2 down, app-2 looks busy for ever and gets nothing after the heal.
#[test]
fn least_connections_sends_to_a_healed_backend_again() {
    let s = scenario(&two_servers_one_cut("least_connections"));
    let mut sim = Simulation::new(&s);
    sim.step_until(22_000 * NS_PER_MS);
    let before = sim.summary().nodes["app-2"].completed.unwrap();
    sim.step_until(30_000 * NS_PER_MS);
    let after = sim.summary().nodes["app-2"].completed.unwrap();
    // Each request takes 1 ms of 10 ms between arrivals: both servers are
    // idle at every arrival and ties rotate, so app-2 gets half of 800.
    assert!((after - before).abs_diff(400) <= 2, "app-2 served {} from 22 s to 30 s", after - before);
}

/// Requests still on their way when the run stopped (sent, not finished).
fn in_flight_at_end(s: &scalelab::Summary) -> u64 {
    s.sent - s.completed - s.dropped - s.timed_out - s.refused - s.reset
}

#[test]
fn a_balancer_takes_a_cut_off_backend_out_of_rotation_and_back() {
    // Round robin over two servers; health checks every second, two misses
    // take a backend out, two passes put it back.
    let s = scenario(&two_servers_one_cut("round_robin"));
    let app2 = s.topology.index_of("app-2").unwrap();
    let mut sim = Simulation::new(&s);
    let messages = every_message(&mut sim);
    let lost: Vec<u64> =
        messages.iter().filter(|m| m.kind == scalelab::sim::trace::MsgKind::Lost).map(|m| m.sent_ns).collect();
    // Probes at 11 s and 12 s miss: from 12 s app-2 is out of rotation.
    // Until then every other request went to it and was lost: 1.5 s at 50/s.
    assert_eq!(lost.len(), 75, "lost at {:?} ..", &lost[..lost.len().min(5)]);
    assert!(lost.iter().all(|&t| (10_500 * NS_PER_MS..12_000 * NS_PER_MS).contains(&t)));
    // Healed at 20.5 s, passes at 21 s and 22 s: back from 22 s, half the traffic again.
    let to_app2 = |from: u64, to: u64| {
        messages
            .iter()
            .filter(|m| {
                m.to == app2
                    && m.kind == scalelab::sim::trace::MsgKind::Request
                    && (from..to).contains(&(m.sent_ns / NS_PER_MS))
            })
            .count()
    };
    assert_eq!(to_app2(12_000, 22_000), 0);
    assert_eq!(to_app2(22_000, 30_000), 400);
    assert_eq!(sim.summary().lost, 75);
}

/// A valid scenario's timeline is its `faults` list, entry for entry (what
/// the charts' markers rely on to name an entry's part).
#[test]
fn the_timeline_is_the_faults_entry_for_entry() {
    let mut entries = 0;
    for p in scalelab::presets::all() {
        let s = scenario(p.json());
        assert_eq!(s.timeline.len(), s.spec.faults.len(), "{}", p.id);
        for (a, f) in s.timeline.iter().zip(&s.spec.faults) {
            assert_eq!(a.at_ns, scalelab::sim::time::s_to_ns(f.at_s), "{}", p.id);
            let target = f.target().or_else(|| f.cut_list().and_then(|l| l.first())).unwrap();
            // A cut may name a part, `<node>/<part>`: the entry is its node's.
            let node = &s.topology.ids[a.node as usize];
            let its_part = target.strip_prefix(node.as_str()).is_some_and(|rest| rest.starts_with('/'));
            assert!(node == target || its_part, "{}: entry of `{node}` for `{target}`", p.id);
            entries += 1;
        }
    }
    assert!(entries > 20, "the presets have timelines ({entries} entries)");
}

#[test]
fn a_clients_view_counts_every_answer_that_was_not_ok() {
    // 1,000 requests a second at one worker of 10 ms and room for 4 in the
    // queue: the server drops what it cannot hold, and the client's view
    // counts each drop it was answered with (no other failure here).
    let s = scenario(
        r#"{"version":1,"name":"drops","seed":1,"stop":{"sim_time_s":2},
        "nodes":[{"id":"users","kind":"client","arrivals":{"process":"constant","rate_per_s":1000}},
                 {"id":"app","kind":"server","workers":1,"queue_capacity":4,"service_time":{"dist":"constant","mean_ms":10}}],
        "links":[{"from":"users","to":"app","latency_ms":0}]}"#,
    );
    let mut sim = Simulation::new(&s);
    sim.step_until(2_000 * NS_PER_MS);
    let snap = sim.snapshot();
    let (client, app) = (&snap.nodes[0], &snap.nodes[1]);
    // About 100 served a second of 1,000 offered: some 1,800 dropped.
    assert!(app.dropped > 1_700, "{} dropped", app.dropped);
    assert_eq!(client.errors, app.dropped, "every drop is an error at the client");
    assert_eq!(client.completed + client.errors + client.in_service, sim.summary().sent);
    // The client's latency is of the answers that were ok, each at least
    // its 10 ms of service (a drop comes back at once, and is not in it).
    let latency = sim.summary().nodes["users"].latency_ms.expect("a client's latency");
    assert_eq!(latency.count, client.completed);
    assert!(latency.p50 >= 10.0 && latency.max <= 60.0, "{latency:?}");
    assert_eq!(client.kind, "client");
    // Its windows (1 s each, [0, 1) and [1, 2)) split the same counts (the
    // view also has the answers at exactly 2 s: one arrival's drop, one
    // service's end), each its share, and the ok answers' latency.
    let windows: Vec<_> = sim.node_series(0).iter().collect();
    assert_eq!(windows.len(), 2);
    let in_windows = |f: fn(&&scalelab::sim::metrics::NodeSample) -> u64| windows.iter().map(f).sum::<u64>();
    assert!((0..=1).contains(&(client.completed - in_windows(|w| w.completed))), "{windows:?} {client:?}");
    assert!((0..=1).contains(&(client.errors - in_windows(|w| w.dropped))), "{windows:?} {client:?}");
    for w in &windows {
        assert!(w.completed >= 90 && w.dropped >= 850, "{w:?}");
        assert!(w.latency_ms.count == w.completed && w.latency_ms.p50 >= 10.0, "{w:?}");
    }
}

#[test]
fn a_refusal_from_a_live_balancer_fails_the_call_at_once() {
    // users → app → lb → db, 100 requests a second; the app's call has a
    // 500 ms timeout. db dies at 0.5 s: until the balancer's health checks
    // take it out (two failed probes a second apart), the balancer forwards
    // to it and the engine refuses for the dead host, which the app waits
    // out; after, the balancer itself (up) refuses at once, and the app
    // fails the call then. At 5 s nothing waits any more.
    let s = scenario(
        r#"{"version":1,"name":"refused","seed":1,"stop":{"sim_time_s":5},
        "nodes":[{"id":"users","kind":"client","arrivals":{"process":"constant","rate_per_s":100}},
                 {"id":"app","kind":"server","workers":100,"service_time":{"dist":"constant","mean_ms":1},
                  "calls":{"any":[{"to":"lb","op":"read","timeout_ms":500}]}},
                 {"id":"lb","kind":"load_balancer","algorithm":"round_robin"},
                 {"id":"db","kind":"server","workers":100,"service_time":{"dist":"constant","mean_ms":1}}],
        "links":[{"from":"users","to":"app","latency_ms":1},{"from":"app","to":"lb","latency_ms":1},
                 {"from":"lb","to":"db","latency_ms":1}],
        "faults":[{"at_s":0.5,"fail":"db"}]}"#,
    );
    let mut sim = Simulation::new(&s);
    sim.step_until(5_000 * NS_PER_MS);
    let users = &sim.snapshot().nodes[0];
    assert!(users.in_service <= 1, "{} requests still waiting at 5 s", users.in_service);
    // Every request from 0.5 s failed: 450 of the 500 sent (49 or 50
    // before the fault, one at 5 s still on its way).
    assert!((449..=451).contains(&users.errors), "{} errors", users.errors);
}

#[test]
fn a_live_edit_is_recorded_at_the_next_whole_millisecond_exactly() {
    let mut sim = Simulation::new(&scenario(LOAD_BALANCING_JSON));
    sim.step_until(5_000 * NS_PER_MS + 400_000);
    let applied = sim.add_entry(entry(|e| {
        e.set = Some("users".into());
        e.rate_per_s = Some(900.0);
    }));
    assert_eq!(applied.expect("a valid edit").at_ns, 5_001 * NS_PER_MS);
    let recorded = sim.scenario().spec.faults.last().expect("the edit is in the timeline");
    // 5.001 as a file writes it, which reads back as 5,001 ms to the ns.
    assert_eq!(recorded.at_s, 5.001);
    assert_eq!(scalelab::sim::time::s_to_ns(recorded.at_s), 5_001 * NS_PER_MS);
}

/// users → lb → app, 10 requests/s; each takes app 500 ms. Faults as given.
fn through_a_balancer(faults: &str) -> String {
    format!(
        r#"{{"version":1,"name":"through","seed":3,"stop":{{"sim_time_s":4}},
      "nodes":[{{"id":"users","kind":"client","arrivals":{{"process":"constant","rate_per_s":10}}}},
               {{"id":"lb","kind":"load_balancer","algorithm":"round_robin"}},
               {{"id":"app","kind":"server","workers":100,"service_time":{{"dist":"constant","mean_ms":500}}}}],
      "links":[{{"from":"users","to":"lb"}},{{"from":"lb","to":"app"}}],
      "faults":{faults}}}"#
    )
}

/// A balancer that dies while requests are at its backend: their answers
/// reach a dead process, which resets the connection, so the client counts
/// each as reset, not as an answer (and what it sends later is refused).
#[test]
fn answers_that_reach_a_dead_balancer_are_resets() {
    let s = scenario(&through_a_balancer(r#"[{"at_s":2.05,"fail":"lb"}]"#));
    let app = s.topology.index_of("app").unwrap();
    let mut sim = Simulation::new(&s);
    sim.step_until(2_050 * NS_PER_MS);
    let at_app = sim.node_view(app).in_service;
    assert!(at_app >= 4, "requests at the backend when the balancer dies: {at_app}");
    let summary = sim.run();
    assert_eq!(summary.reset, at_app, "each answer on its way back is reset");
    assert!(summary.refused > 0, "later requests are refused");
}

/// A timeline entry that recovers a node that is up, or fails one that
/// is down, changes nothing: the run is the same without it (but for the
/// entry's own event).
#[test]
fn recovering_a_node_that_is_up_or_failing_one_that_is_down_changes_nothing() {
    let run = |extra: &str| {
        let mut text = two_servers_one_cut("round_robin");
        let at = text.find(r#"{"at_s":10.5"#).unwrap();
        text.insert_str(at, extra);
        let mut summary = serde_json::to_value(Simulation::new(&scenario(&text)).run()).unwrap();
        summary.as_object_mut().unwrap().remove("events");
        summary
    };
    let plain = run("");
    // app-2 is out of rotation from 12 s: a balancer "recovered" at 15 s
    // must not put it back (a restarted one would).
    assert_eq!(run(r#"{"at_s":15,"recover":"lb"},"#), plain);
    // app-1 failed twice is app-1 failed once.
    let once = run(r#"{"at_s":14,"fail":"app-1"},{"at_s":16,"recover":"app-1"},"#);
    assert_ne!(once, plain);
    assert_eq!(run(r#"{"at_s":14,"fail":"app-1"},{"at_s":15,"fail":"app-1"},{"at_s":16,"recover":"app-1"},"#), once);
}

/// A server that fails and comes back at once: the services it had begun
/// are lost, and their ends, still scheduled, must not end the requests it
/// serves after it came back. Every answer takes exactly its 700 ms.
#[test]
fn work_begun_before_a_failure_does_not_end_after_the_recovery() {
    let text = |faults: &str| {
        format!(
            r#"{{"version":1,"name":"stale","seed":3,"stop":{{"sim_time_s":6}},
          "nodes":[{{"id":"users","kind":"client","arrivals":{{"process":"constant","rate_per_s":5}}}},
                   {{"id":"app","kind":"server","workers":8,"service_time":{{"dist":"constant","mean_ms":700}}}}],
          "links":[{{"from":"users","to":"app"}}],
          "faults":{faults}}}"#
        )
    };
    let plain = Simulation::new(&scenario(&text("[]"))).run();
    let blip = Simulation::new(&scenario(&text(r#"[{"at_s":2.3,"fail":"app"},{"at_s":2.4,"recover":"app"}]"#))).run();
    assert!(blip.completed < plain.completed, "the failure lost the requests in service");
    let (a, b) = (plain.nodes["users"].latency_ms.unwrap(), blip.nodes["users"].latency_ms.unwrap());
    assert!((a.mean - b.mean).abs() < 1e-9 && a.max == b.max, "every answer takes as long: {a:?} vs {b:?}");
}

/// Partitions each cut their nodes off from everyone else, earlier cuts
/// included: a balancer cut off after one of its backends reaches neither.
#[test]
fn each_partition_is_an_island_of_its_own() {
    let mut text = two_servers_one_cut("round_robin");
    text = text.replace(
        r#"{"at_s":20.5,"heal":["app-2"]}"#,
        r#"{"at_s":11,"partition":["lb"]},{"at_s":11.5,"partition":["users"]}"#,
    );
    let s = scenario(&text);
    let lb = s.topology.index_of("lb").unwrap();
    let mut sim = Simulation::new(&s);
    sim.step_until(10_000 * NS_PER_MS);
    assert_eq!(sim.node_view(lb).healthy_backends.len(), 2);
    // Its health checks to app-1 (not cut) and to app-2 (cut before it)
    // are lost alike: both out of rotation after two misses.
    sim.step_until(16_000 * NS_PER_MS);
    assert_eq!(sim.node_view(lb).healthy_backends, Vec::<u32>::new());
}

/// A timer a node set before it failed is void after it recovers: a
/// balancer that restarts runs one chain of health checks (its new one),
/// not the old one as well, so a backend that dies after the restart is
/// taken out after two checks of the new chain, not sooner.
#[test]
fn a_restarted_balancer_checks_on_its_new_schedule_only() {
    let mut text = two_servers_one_cut("round_robin");
    text = text.replace(
        r#"{"at_s":10.5,"partition":["app-2"]},{"at_s":20.5,"heal":["app-2"]}"#,
        r#"{"at_s":5.5,"fail":"lb"},{"at_s":5.6,"recover":"lb"},{"at_s":6.7,"fail":"app-2"}"#,
    );
    let s = scenario(&text);
    let lb = s.topology.index_of("lb").unwrap();
    let mut sim = Simulation::new(&s);
    // Checks at 6.6 s, 7.6 s, 8.6 s…: app-2 misses at 7.6 s and 8.6 s.
    sim.step_until(8_500 * NS_PER_MS);
    assert_eq!(sim.node_view(lb).healthy_backends.len(), 2, "one miss so far");
    sim.step_until(8_700 * NS_PER_MS);
    assert_eq!(sim.node_view(lb).healthy_backends.len(), 1, "two misses");
}

/// A node is present from its `add_server` time until its `remove_server`
/// time, and its view says the same; the file's own nodes are present from
/// the start.
#[test]
fn a_server_is_present_from_its_add_until_its_removal() {
    let mut doc: serde_json::Value = serde_json::from_str(LOAD_BALANCING_JSON).unwrap();
    doc["faults"] = serde_json::json!([
        {"at_s": 2, "add_server": "app-9", "like": "app-1"},
        {"at_s": 4, "remove_server": "app-9"},
        {"at_s": 4, "remove_server": "app-2"}
    ]);
    let s = scalelab::Scenario::from_json(&doc.to_string()).unwrap();
    let (added, app2, lb) = (
        s.topology.index_of("app-9").unwrap(),
        s.topology.index_of("app-2").unwrap(),
        s.topology.index_of("lb").unwrap(),
    );
    let mut sim = Simulation::new(&s);
    let present = |sim: &Simulation| {
        let views = [added, app2, lb].map(|n| sim.node_view(n).present);
        let flags = [added, app2, lb].map(|n| sim.is_present(n));
        assert_eq!(views, flags, "the view and the flag agree");
        flags
    };
    assert_eq!(present(&sim), [false, true, true], "at the start");
    sim.step_until(3_000 * NS_PER_MS);
    assert_eq!(present(&sim), [true, true, true], "after the add");
    sim.step_until(5_000 * NS_PER_MS);
    assert_eq!(present(&sim), [false, false, true], "after the removals");
}
