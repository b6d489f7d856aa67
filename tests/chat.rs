//! Chat over WebSockets (issue 16) against theory: short polling's added
//! delay (interval/2) and share of empty polls (e^(−λT)), long polling's
//! one transit for isolated messages and at most three when they come back
//! to back, a WebSocket's one transit, a group's G − 1 deliveries; the
//! gateway failure and its reconnect storm; the estimate; and every bad
//! setting named by its field.

mod common;

use common::{assert_close, run};
use scalelab::chat::{EstimateInput, estimate};
use scalelab::sim::family::{Figure, NodeSummary};
use scalelab::{Scenario, Summary};
use serde_json::{Value, json};

fn node_of<'a>(s: &'a Summary, node: &str) -> &'a NodeSummary {
    s.nodes.get(node).unwrap_or_else(|| panic!("no node {node}"))
}

fn value(s: &Summary, node: &str, figure: &str) -> f64 {
    match node_of(s, node).figures.get(figure) {
        Some(Figure::Value(v)) => *v,
        Some(Figure::Count(c)) => *c as f64,
        None => panic!("{node}.{figure} missing"),
    }
}

/// Phone ↔ server one way (the transit), and the server's links.
const TRANSIT_MS: f64 = 40.0;
const STORE_MS: f64 = 1.0;
const REGISTRY_MS: f64 = 0.5;

/// Always-online users → one server → store, registry, pub/sub.
fn chat(users: Value, servers: usize, stop_s: f64, faults: Value) -> String {
    let mut u = json!({"id": "users", "kind": "chat_users", "online_mean_s": 1e7, "offline_mean_s": 1});
    for (k, v) in users.as_object().expect("an object") {
        u[k] = v.clone();
    }
    let mut nodes = vec![u];
    let mut links = Vec::new();
    if servers == 1 {
        links.push(json!({"from": "users", "to": "gw-1", "latency_ms": TRANSIT_MS}));
    } else {
        nodes.push(json!({"id": "lb", "kind": "load_balancer", "algorithm": "consistent_hash"}));
        links.push(json!({"from": "users", "to": "lb", "latency_ms": TRANSIT_MS - 0.5}));
    }
    for i in 1..=servers {
        nodes.push(json!({"id": format!("gw-{i}"), "kind": "chat_server"}));
        if servers > 1 {
            links.push(json!({"from": "lb", "to": format!("gw-{i}"), "latency_ms": 0.5}));
        }
        links.push(json!({"from": format!("gw-{i}"), "to": "store", "latency_ms": STORE_MS}));
        links.push(json!({"from": format!("gw-{i}"), "to": "registry", "latency_ms": REGISTRY_MS}));
        links.push(json!({"from": format!("gw-{i}"), "to": "pubsub", "latency_ms": REGISTRY_MS}));
    }
    nodes.push(json!({"id": "store", "kind": "chat_store"}));
    nodes.push(json!({"id": "registry", "kind": "chat_registry"}));
    nodes.push(json!({"id": "pubsub", "kind": "chat_pubsub"}));
    json!({"version": 1, "name": "chat", "seed": 3, "stop": {"sim_time_s": stop_s}, "nodes": nodes, "links": links,
        "faults": faults})
    .to_string()
}

/// From send until a message is stored and back at its one server, ready
/// to push to a phone held there (the defaults: frame 0.05 ms, write 2 ms,
/// the push's frame 0.05 ms); no lookup, as the recipient is held here.
fn stored_ms() -> f64 {
    TRANSIT_MS + 0.05 + 2.0 * STORE_MS + 2.0 + 0.05
}

#[test]
fn a_websocket_delivers_in_one_transit_once_the_message_is_stored_and_found() {
    // Isolated messages: 500 users, one message every 10 minutes each.
    let s = run(&chat(json!({"users": 500, "messages_per_hour": 6, "receipts": false}), 1, 600.0, json!([])));
    let delivered = value(&s, "users", "delivered");
    assert!(delivered > 400.0, "delivered {delivered}");
    let want = stored_ms() + TRANSIT_MS;
    // Constant service times and no queueing: within 0.5 ms of the sum.
    let mean = value(&s, "users", "deliver_mean_ms");
    eprintln!("WebSocket, isolated: mean {mean:.2} ms over {delivered} messages; theory {want:.2} ms");
    assert!((mean - want).abs() < 0.5, "WebSocket: mean {mean:.2} ms, one transit after storing says {want:.2} ms");
    assert!(value(&s, "users", "deliver_p99_ms") < want + 1.0);
}

#[test]
fn short_polling_adds_half_an_interval_on_average() {
    // Polling every 2 s; the same traffic over WebSockets is the baseline.
    let interval = 2_000.0;
    let users = json!({"users": 500, "messages_per_hour": 30, "receipts": false,
        "mode": {"type": "short_polling", "interval_ms": interval}});
    let poll = run(&chat(users, 1, 600.0, json!([])));
    let ws = run(&chat(json!({"users": 500, "messages_per_hour": 30, "receipts": false}), 1, 600.0, json!([])));
    let n = value(&poll, "users", "delivered");
    assert!(n > 1_500.0, "delivered {n}");
    // The wait for the next poll is uniform on [0, T]: its mean T/2 with a
    // standard error of T/√(12n) (about 15 ms here); 5% of T/2 is about 3.5 of them.
    let added = value(&poll, "users", "deliver_mean_ms") - value(&ws, "users", "deliver_mean_ms");
    eprintln!("short polling every {interval} ms: {added:.1} ms added over {n} messages; theory {}", interval / 2.0);
    assert_close("short polling's added delay", added, interval / 2.0, 0.05, 3);
}

#[test]
fn the_share_of_empty_polls_is_e_to_the_minus_lambda_t() {
    // Each user receives at the rate it sends (contacts are symmetric):
    // λ = 360/h = 0.1/s, T = 5 s: e^(−0.5) = 0.607.
    let users = json!({"users": 500, "messages_per_hour": 360, "receipts": false,
        "mode": {"type": "short_polling", "interval_ms": 5_000}});
    // 1,200 s, so the first poll of each phone (empty: nothing was sent
    // yet) weighs 1/240 of its polls.
    let s = run(&chat(users, 1, 1_200.0, json!([])));
    let polls = value(&s, "users", "polls");
    let share = value(&s, "users", "empty_poll_share");
    let want = (-0.1f64 * 5.0).exp();
    // About 30,000 polls: a standard error of 0.003; allowed 0.015.
    eprintln!("empty polls: {share:.4} of {polls}; e^(-λT) = {want:.4}");
    assert!(polls > 25_000.0, "polls {polls}");
    assert!((share - want).abs() < 0.015, "empty polls {share:.4}, e^(−λT) = {want:.4}");
}

#[test]
fn long_polling_takes_one_transit_alone_and_at_most_three_back_to_back() {
    let lone = json!({"users": 500, "messages_per_hour": 6, "receipts": false,
        "mode": {"type": "long_polling", "hold_ms": 30_000}});
    let s = run(&chat(lone, 1, 600.0, json!([])));
    let one = stored_ms() + TRANSIT_MS;
    let mean = value(&s, "users", "deliver_mean_ms");
    eprintln!("long polling, isolated: mean {mean:.2} ms; one transit after storing: {one:.2} ms");
    // A held poll is answered as a socket would push: one transit (a poll
    // caught between answer and renewal waits longer; they are rare here).
    assert!((mean - one).abs() < 2.0, "long polling, isolated: mean {mean:.2} ms, one transit says {one:.2}");
    // Back to back: 3 users who each write every 2 s on average. A message
    // that finds no held poll waits for the answer in flight (1 transit),
    // the new poll (1 transit, plus its trip to the store) and its own answer (1).
    let busy = json!({"users": 3, "contacts": 2, "messages_per_hour": 1_800, "receipts": false,
        "mode": {"type": "long_polling", "hold_ms": 30_000}});
    let s = run(&chat(busy, 1, 600.0, json!([])));
    let stored = stored_ms() - TRANSIT_MS;
    let max = node_of(&s, "users").latency_ms.as_ref().expect("latency").max;
    let three = TRANSIT_MS + stored + 3.0 * TRANSIT_MS + 2.0 * STORE_MS + 0.5 + 0.5 + 0.5;
    eprintln!("long polling, back to back: max {max:.1} ms; at most three transits: {three:.1} ms");
    assert!(max <= three + 1.0, "back to back: max {max:.1} ms, three transits say at most {three:.1}");
    assert!(max > one + TRANSIT_MS, "some messages waited for a new poll (max {max:.1})");
}

#[test]
fn a_group_of_g_costs_g_minus_one_deliveries_per_message() {
    // 50 people, one group; everyone online; sending stops at 60 s and
    // the run ends at 90 s, so every message is delivered.
    let users = json!({"users": 50, "group_size": 50, "group_share": 1.0, "messages_per_hour": 60});
    let stop = json!([{"at_s": 60, "set": "users", "params": {"messages_per_hour": 0}}]);
    let scenario = Scenario::from_json(&chat(users, 3, 90.0, stop)).expect("valid");
    let mut sim = scalelab::Simulation::new(&scenario);
    let sum = |s: &Summary, figure: &str| (1..=3).map(|i| value(s, &format!("gw-{i}"), figure)).sum::<f64>();
    // By 5 s everyone is connected and their presence told.
    sim.step_until(5_000_000_000);
    let early = sim.summary();
    let s = sim.run();
    let stored = value(&s, "store", "messages_stored");
    assert!(stored > 20.0, "stored {stored}");
    assert_eq!(value(&s, "users", "delivered"), stored * 49.0);
    assert_eq!(value(&s, "users", "duplicates"), 0.0);
    // A message from a phone on a server holding n of the 50 goes to the
    // other 50 − n through pub/sub. The sender is any of the 50 alike, so a
    // message costs 50 − Σ nᵢ²/50 publishes on average, with a variance of
    // Σ (nᵢ/50)(nᵢ − n̄)² per message (n̄ = Σ nᵢ²/50); 5 sd over the messages.
    let n: Vec<f64> = (1..=3).map(|i| value(&s, &format!("gw-{i}"), "open_sockets")).collect();
    assert_eq!(n.iter().sum::<f64>(), 50.0, "{n:?}");
    let n_bar = n.iter().map(|x| x * x).sum::<f64>() / 50.0;
    let var = n.iter().map(|x| x / 50.0 * (x - n_bar).powi(2)).sum::<f64>();
    let messages = stored - value(&early, "store", "messages_stored");
    let published = sum(&s, "published") - sum(&early, "published");
    let want = messages * (50.0 - n_bar);
    assert!(
        (published - want).abs() <= 5.0 * (messages * var).sqrt().max(1.0),
        "published {published} for {messages} messages, expected {want:.1} (servers hold {n:?})"
    );
}

#[test]
fn a_gateway_that_dies_resets_its_sockets_and_backoff_spreads_the_storm() {
    let preset = scalelab::presets::by_id("chat-gateway-dies").expect("preset").json();
    let a = Scenario::from_json(preset).expect("valid");
    let b = a
        .with_entry(scalelab::sim::spec::FaultSpec {
            set: Some("users".into()),
            params: Some(json!({"reconnect": {"policy": "immediate"}})),
            ..Default::default()
        })
        .expect("valid B");
    // The dead gateway's phones lose their sockets at once (gw-2 dies at
    // 30 s; the reset reaches them 40.5 ms later) and reconnect. Every
    // socket gw-2 held is lost but those of phones already gone silently,
    // which it holds until its sweep finds them (a 60 s timeout): 20% of
    // the phones that left in the 30 s before, at one leave an hour each,
    // held·0.2·30/3600 ≈ 3 expected; 5 sd of Poisson slack.
    let run_through_the_failure = |s: &Scenario| {
        let mut sim = scalelab::Simulation::new(s);
        sim.step_until(29_999_999_999);
        let before = sim.summary();
        let held = value(&before, "gw-2", "open_sockets");
        sim.step_until(31_000_000_000);
        let lost = value(&sim.summary(), "users", "connections_lost") - value(&before, "users", "connections_lost");
        let silent = held * 0.2 * 30.0 / 3600.0;
        assert!(held > 1_000.0, "gw-2 held {held} sockets");
        assert!(
            lost <= held && held - lost <= silent + 5.0 * silent.sqrt(),
            "{lost} sockets lost at once of the {held} gw-2 held ({silent:.1} silent expected)"
        );
        sim.run()
    };
    let (a, b) = (run_through_the_failure(&a), run_through_the_failure(&b));
    // At once, they are refused again and again until the balancer's
    // checks take gw-2 out; with backoff, far fewer tries.
    let (ra, rb) = (value(&a, "users", "connects_refused"), value(&b, "users", "connects_refused"));
    assert!(rb > 5.0 * ra, "immediate retry: {rb} refused connects, backoff: {ra}");
    // Either way every message is stored, and nothing is delivered twice
    // but what a socket reset caught between push and acknowledgement.
    for s in [&a, &b] {
        // A send that failed (into the dead gateway) waits in the phone's
        // outbox and goes again once it is connected.
        let unstored = value(s, "users", "messages") - value(s, "users", "stored");
        assert!(unstored <= 5.0, "{unstored} messages never stored");
        assert!(value(s, "users", "duplicates") <= 10.0);
    }
}

#[test]
fn a_server_cut_off_from_the_registry_broadcasts_and_its_new_users_are_not_found() {
    let users = json!({"users": 600, "messages_per_hour": 120, "receipts": false});
    let cut = json!([{"at_s": 0, "set": "gw-1", "params": {"registry_reachable": false}}]);
    let s = run(&chat(users, 2, 120.0, cut));
    assert!(value(&s, "gw-1", "broadcasts") > 100.0);
    assert_eq!(value(&s, "gw-2", "broadcasts"), 0.0);
    // gw-1's users were never registered: others' messages for them wait
    // in their inboxes (they get them only when they reconnect).
    assert!(value(&s, "store", "users_with_inbox") > 100.0);
}

#[test]
fn presence_a_goodbye_is_seen_at_once_a_lost_network_after_the_timeout() {
    let base = json!({"users": 1_000, "online_mean_s": 60, "offline_mean_s": 60, "messages_per_hour": 0,
        "mode": {"type": "websocket", "heartbeat_ms": 10_000}});
    let mut polite = base.clone();
    polite["abrupt_share"] = json!(0.0);
    let mut rude = base;
    rude["abrupt_share"] = json!(1.0);
    let mk = |users: Value| {
        let mut v: Value = serde_json::from_str(&chat(users, 1, 600.0, json!([]))).expect("json");
        v["nodes"][0]["online_mean_s"] = json!(60);
        v["nodes"][0]["offline_mean_s"] = json!(60);
        v["nodes"][1]["presence_timeout_ms"] = json!(30_000);
        v.to_string()
    };
    let p = run(&mk(polite));
    let r = run(&mk(rude));
    assert!(value(&p, "users", "offline_seen") > 500.0);
    // A goodbye: the close frame to the server and the push to a contact,
    // two transits and two frames (0.05 ms each), the same for everyone:
    // every sample is 80.1 ms, so the median and the p95 are its bucket of
    // the 2-digit histogram.
    let goodbye_s = as_reported_s(2.0 * TRANSIT_MS + 2.0 * 0.05);
    assert_eq!(value(&p, "users", "offline_seen_p50_s"), goodbye_s);
    assert_eq!(value(&p, "users", "offline_seen_p95_s"), goodbye_s);
    // Silence: the server last heard the phone at its last heartbeat (a
    // transit after it was sent, X ~ U(0, 10 s) before the phone went
    // away); a sweep every timeout/4 = 7.5 s finds the socket silent for
    // over 30 s, U ~ U(0, 7.5 s) after that deadline; then the push's
    // transit. Seen after 30 s + 2 transits + U − X: U − X has a trapezoid
    // density on [−10, 7.5], flat on [−2.5, 0], so its median is −1.25 s
    // and its p95 is 7.5 − √(0.05 · 2 · 7.5 · 10) = 4.76 s.
    let (sweep_s, heartbeat_s) = (7.5f64, 10.0f64);
    let base_s = 30.0 + 2.0 * TRANSIT_MS / 1e3;
    let p50_want = base_s + (sweep_s - heartbeat_s) / 2.0;
    let p95_want = base_s + sweep_s - (0.05 * 2.0 * sweep_s * heartbeat_s).sqrt();
    // Within 0.5 s: the histogram's buckets are 0.13 s wide at 29 s and
    // 0.26 s at 35 s (half of each at most), and a quantile of some 4,000
    // disconnections has a standard error of √(p(1−p)/n)/density, about
    // 0.08 s at the median (density 0.1/s) and 0.1 s at the p95 (0.037/s).
    let (p50, p95) = (value(&r, "users", "offline_seen_p50_s"), value(&r, "users", "offline_seen_p95_s"));
    assert!((p50 - p50_want).abs() <= 0.5, "abrupt: offline seen after {p50} s (p50), derived {p50_want:.2} s");
    assert!((p95 - p95_want).abs() <= 0.5, "abrupt: offline seen after {p95} s (p95), derived {p95_want:.2} s");
}

/// What the 2-significant-digit latency histograms report (in seconds)
/// when every sample is `ms`: the middle of the bucket that holds it.
fn as_reported_s(ms: f64) -> f64 {
    let h = hdrhistogram::Histogram::<u32>::new(2).expect("a valid histogram");
    h.median_equivalent((ms * 1e3).round() as u64) as f64 / 1e3 / 1e3
}

#[test]
fn the_estimate_sizes_the_design_notes_chat() {
    let e = estimate(&EstimateInput::default()).expect("valid");
    // 250 M users × 40 messages = 10^10 a day = 115,741 a second.
    assert_eq!(e.messages_per_day, 1e10);
    assert!((e.messages_per_s - 115_740.74).abs() < 0.01);
    // 10^10 × 100 B = 1 TB a day; 5 years = 1,825 TB.
    assert_eq!(e.storage_bytes, 1e10 * 100.0 * 365.0 * 5.0);
    // A quarter online at the peak, 100,000 sockets per gateway: 625.
    assert_eq!(e.gateways, 625.0);
    let bad = estimate(&EstimateInput { online_share: 0.0, ..Default::default() }).expect_err("invalid");
    assert_eq!(bad.field, "online_share");
}

fn error_of(text: &str) -> String {
    match Scenario::from_json(text) {
        Ok(_) => panic!("accepted: {text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_settings_name_their_field() {
    let base: Value = serde_json::from_str(&chat(json!({}), 2, 60.0, json!([]))).expect("json");
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = base.clone();
        f(&mut v);
        v.to_string()
    };
    let cases: Vec<(String, &str)> = vec![
        (
            with(&|v| v["nodes"][0]["mode"] = json!({"type": "short_polling", "interval_ms": 0})),
            "nodes[0].mode.interval_ms",
        ),
        (
            with(&|v| v["nodes"][0]["mode"] = json!({"type": "long_polling", "hold_ms": 600_000})),
            "nodes[0].mode.hold_ms",
        ),
        (with(&|v| v["nodes"][0]["users"] = json!(5_000_000)), "nodes[0].users"),
        (with(&|v| v["nodes"][0]["contacts"] = json!(7)), "nodes[0].contacts"),
        (with(&|v| v["nodes"][0]["group_share"] = json!(0.5)), "nodes[0].group_share"),
        (with(&|v| v["nodes"][0]["mode"] = json!({"type": "carrier_pigeon"})), "nodes[0].mode"),
        (with(&|v| v["nodes"][2]["max_connections"] = json!(0)), "nodes[2].max_connections"),
        // A gateway without a registry (and pub/sub), beside another.
        (
            with(&|v| {
                let links = v["links"].as_array_mut().expect("links");
                links.retain(|l| !(l["from"] == "gw-1" && l["to"] != "store"));
            }),
            "nodes[2]: chat_server `gw-1` has no chat_registry",
        ),
        (with(&|v| v["nodes"][2]["presence_timeout_ms"] = json!(5_000)), "nodes[2].presence_timeout_ms"),
        (with(&|v| v["nodes"][1]["algorithm"] = json!("round_robin")), "nodes[0]: chat_users `users` keep WebSockets"),
        (
            with(&|v| v["faults"] = json!([{"at_s": 1, "set": "users", "params": {"flap_share": 2}}])),
            "faults[0].params.flap_share",
        ),
    ];
    for (text, field) in cases {
        let e = error_of(&text);
        assert!(e.contains(field), "expected an error naming {field}, got: {e}");
    }
}

#[test]
fn the_three_modes_see_identical_traffic_as_an_ab_does() {
    // The modes preset, then each other mode set at time 0 (what the compare
    // panel's variant B does): the same people online, the same messages.
    let preset = scalelab::presets::by_id("chat-modes").expect("preset").json();
    let a = Scenario::from_json(preset).expect("valid");
    let run_with = |mode: Value| {
        let s = a
            .with_entry(scalelab::sim::spec::FaultSpec {
                set: Some("users".into()),
                params: Some(json!({ "mode": mode })),
                ..Default::default()
            })
            .expect("valid");
        scalelab::Simulation::new(&s).run()
    };
    let short = scalelab::Simulation::new(&a).run();
    let long = run_with(json!({"type": "long_polling", "hold_ms": 30_000}));
    let ws = run_with(json!({"type": "websocket", "heartbeat_ms": 30_000}));
    let sent = value(&short, "users", "messages");
    assert!(sent > 2_000.0);
    assert_eq!(value(&long, "users", "messages"), sent);
    assert_eq!(value(&ws, "users", "messages"), sent);
    // And what each pays for it.
    let per = |s: &Summary| value(s, "users", "requests_per_delivered");
    let p50 = |s: &Summary| value(s, "users", "deliver_p50_ms");
    let bytes = |s: &Summary| value(s, "users", "bytes_per_user_minute");
    eprintln!(
        "per mode (short / long / WebSocket): p50 {:.0} / {:.0} / {:.0} ms; requests per delivered message {:.1} / {:.1} / {:.1}; bytes per user-minute {:.0} / {:.0} / {:.0}",
        p50(&short),
        p50(&long),
        p50(&ws),
        per(&short),
        per(&long),
        per(&ws),
        bytes(&short),
        bytes(&long),
        bytes(&ws)
    );
    assert!(per(&short) > per(&long) && per(&long) > per(&ws));
    assert!(bytes(&short) > 3.0 * bytes(&long) && bytes(&long) > 3.0 * bytes(&ws));
    assert!(p50(&short) > 10.0 * p50(&ws) && (p50(&long) - p50(&ws)).abs() < 5.0);
    // Servers built for polling sweep the sockets of phones that switched
    // to them and then lost their network.
    let swept: f64 = (1..=2).map(|i| value(&ws, &format!("gw-{i}"), "sockets_timed_out")).sum();
    assert!(swept > 10.0, "sockets timed out after the switch: {swept}");
}

/// Phones change through `params` only: a `rate_per_s` (which they used
/// to take and ignore) is refused, naming the field.
#[test]
fn a_rate_set_on_the_phones_is_refused_by_name() {
    let faults = json!([{"at_s": 10, "set": "users", "rate_per_s": 50}]);
    let err = Scenario::from_json(&chat(json!({}), 1, 30.0, faults)).expect_err("phones take no rate_per_s");
    let e = err.errors.iter().find(|e| e.path == "faults[0].rate_per_s").expect("the field is named");
    assert!(e.message.contains("does not apply to `users`, a chat_users"), "{}", e.message);
}
