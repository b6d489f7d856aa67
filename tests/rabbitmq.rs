//! The RabbitMQ model against RabbitMQ's documented behaviour: routing by
//! exchange type, one copy per matching queue, prefetch, round-robin among
//! competing consumers, nack/requeue, delivery limit, TTL, dead-lettering,
//! redelivery after a consumer dies. (Same seed, same run:
//! tests/determinism.rs, for every preset.)

use std::collections::BTreeMap;

use scalelab::families::messaging::kinds::Broker;
use scalelab::families::messaging::presets as messaging_presets;
use scalelab::families::messaging::rabbitmq::explain_route;
use scalelab::families::messaging::spec::RabbitMqSpec;
use scalelab::{Scenario, Simulation, Summary};
use serde_json::{Value, json};

fn run(v: &Value) -> Summary {
    let s = Scenario::from_json(&v.to_string()).unwrap_or_else(|e| panic!("{e}"));
    Simulation::new(&s).run()
}

/// One broker, one publisher of `routing_keys` (equal weights), and the
/// given queues, bindings and consumers (`(id, queue, extra fields)`).
fn scenario(
    exchange_type: &str,
    queues: Value,
    bindings: Value,
    keys: &[&str],
    consumers: &[(&str, &str, Value)],
) -> Value {
    let mut nodes = vec![
        json!({"id": "mq", "kind": "rabbitmq", "exchanges": [{"name": "x", "type": exchange_type}],
               "queues": queues, "bindings": bindings}),
        json!({"id": "pub", "kind": "rabbit_publisher", "exchange": "x",
               "arrivals": {"process": "constant", "rate_per_s": 100},
               "messages": keys.iter().map(|k| json!({"routing_key": k})).collect::<Vec<_>>()}),
    ];
    // Zero latency: nothing is in flight when the run stops, so counts are exact.
    let mut links = vec![json!({"from": "pub", "to": "mq"})];
    for (id, queue, extra) in consumers {
        let mut c = json!({"id": id, "kind": "rabbit_consumer", "queue": queue,
                           "processing_time": {"dist": "constant", "mean_ms": 1}});
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        nodes.push(c);
        links.push(json!({"from": id, "to": "mq"}));
    }
    json!({"version": 1, "name": "t", "seed": 1, "stop": {"sim_time_s": 10}, "nodes": nodes, "links": links})
}

fn queues(s: &Summary) -> &BTreeMap<String, scalelab::families::messaging::rabbitmq::QueueSummary> {
    s.nodes
        .values()
        .find_map(|n| n.own::<BTreeMap<String, scalelab::families::messaging::rabbitmq::QueueSummary>>())
        .expect("a rabbitmq broker")
}

fn broker_spec(json: &str) -> RabbitMqSpec {
    let s = Scenario::from_json(json).unwrap();
    s.spec.nodes.iter().find_map(|n| n.as_kind::<Broker>()).cloned().unwrap()
}

#[test]
fn explain_route_follows_each_exchange_type() {
    let spec = broker_spec(messaging_presets::RABBITMQ_EXCHANGES_JSON);
    let none = BTreeMap::new();
    let to = |ex: &str, key: &str| -> Vec<String> {
        explain_route(&spec, ex, key, &none).into_iter().map(|(q, _)| q).collect()
    };
    assert_eq!(to("events", "eu.order.created"), ["eu-orders", "all-orders"]);
    assert_eq!(to("events", "us.order.created"), ["all-orders"]);
    assert_eq!(to("events", "eu.order.payment.failed"), ["all-orders", "failures"]);
    assert!(to("events", "us.user.signup").is_empty());
    assert_eq!(to("broadcast", "anything"), ["cache-a", "cache-b"]);
    assert_eq!(to("tasks", "image"), ["resize"]);
    assert!(to("tasks", "video").is_empty());
    let why = explain_route(&spec, "events", "eu.order.created", &none);
    assert_eq!(why[1].1, "routing key `eu.order.created` matched binding `*.order.#`");
}

#[test]
fn headers_exchange_matches_all_or_any() {
    let v = json!({
        "version": 1, "name": "h", "stop": {"sim_time_s": 1},
        "nodes": [
            {"id": "mq", "kind": "rabbitmq", "exchanges": [{"name": "h", "type": "headers"}],
             "queues": [{"name": "both"}, {"name": "either"}],
             "bindings": [
                {"exchange": "h", "queue": "both", "headers": {"format": "pdf", "type": "report"}},
                {"exchange": "h", "queue": "either", "headers": {"format": "pdf", "type": "report"}, "match": "any"}
             ]},
            {"id": "p", "kind": "rabbit_publisher", "exchange": "h", "arrivals": {"process": "constant", "rate_per_s": 1},
             "messages": [{"headers": {"format": "pdf"}}]}
        ],
        "links": [{"from": "p", "to": "mq"}]
    });
    let spec = broker_spec(&v.to_string());
    let h = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let to = |headers: &BTreeMap<String, String>| -> Vec<String> {
        explain_route(&spec, "h", "", headers).into_iter().map(|(q, _)| q).collect()
    };
    assert_eq!(to(&h(&[("format", "pdf"), ("type", "report")])), ["both", "either"]);
    assert_eq!(to(&h(&[("format", "pdf")])), ["either"]);
    assert!(to(&h(&[("format", "zip")])).is_empty());
}

#[test]
fn a_message_goes_to_each_matching_queue_once() {
    // Two bindings of `q` both match `a.b`: still one copy.
    let v = scenario(
        "topic",
        json!([{"name": "q"}, {"name": "r"}]),
        json!([{"exchange": "x", "queue": "q", "key": "#"}, {"exchange": "x", "queue": "q", "key": "a.*"},
               {"exchange": "x", "queue": "r", "key": "b.#"}]),
        &["a.b"],
        &[("c", "q", json!({}))],
    );
    let s = run(&v);
    let q = queues(&s);
    assert_eq!(q["q"].delivered, s.sent, "one copy per message");
    assert_eq!(q["r"].delivered + q["r"].ready, 0);
    assert_eq!(s.messaging.unwrap().discarded, 0);
}

#[test]
fn unroutable_messages_are_discarded_and_counted() {
    let s = run(&preset(messaging_presets::RABBITMQ_EXCHANGES_JSON, 1));
    let m = s.messaging.unwrap();
    // us.user.signup (2 of 10 shop messages) and video (1 of 5 web tasks) match nothing.
    let expected = 40.0 * 60.0 * 0.2 + 20.0 * 60.0 * 0.2;
    assert!((m.discarded as f64 - expected).abs() < expected * 0.15, "{} vs {expected}", m.discarded);
}

fn preset(json: &str, seed: u64) -> Value {
    let mut v: Value = serde_json::from_str(json).unwrap();
    v["seed"] = json!(seed);
    v
}

#[test]
fn competing_consumers_share_round_robin_and_subscribers_each_get_everything() {
    for seed in 1..=3 {
        let s = run(&preset(messaging_presets::POINT_TO_POINT_JSON, seed));
        let workers: Vec<u64> = (1..=3).map(|i| s.nodes[&format!("worker-{i}")].completed.unwrap()).collect();
        let total: u64 = workers.iter().sum();
        let tasks_sent = queues(&s)["tasks"].delivered;
        assert!(total + 3 >= tasks_sent, "seed {seed}: every task to one worker");
        for w in &workers {
            assert!((*w as f64 - total as f64 / 3.0).abs() < total as f64 * 0.05, "seed {seed}: {workers:?}");
        }
        let readers: Vec<u64> = ["a", "b", "c"].iter().map(|r| queues(&s)[&format!("news-{r}")].delivered).collect();
        assert!(readers.iter().all(|&r| r == readers[0]), "seed {seed}: each subscriber gets every message");
    }
}

#[test]
fn prefetch_bounds_unacknowledged_deliveries() {
    // Slow consumers (100 ms) fed 100/s: the queue backs up; unacked stays at prefetch.
    let v = scenario(
        "direct",
        json!([{"name": "q"}]),
        json!([{"exchange": "x", "queue": "q", "key": "k"}]),
        &["k"],
        &[
            ("c1", "q", json!({"prefetch": 3, "processing_time": {"dist": "constant", "mean_ms": 100}})),
            ("c2", "q", json!({"prefetch": 5, "processing_time": {"dist": "constant", "mean_ms": 100}})),
        ],
    );
    let scenario = Scenario::from_json(&v.to_string()).unwrap();
    let mut sim = Simulation::new(&scenario);
    for t in 1..=10 {
        sim.step_until(t * 1_000_000_000);
        let snapshot = sim.snapshot();
        let view = snapshot.nodes[0].own::<scalelab::families::messaging::rabbitmq::RabbitView>().unwrap();
        assert!(view.queues[0].unacked <= 8, "at {t} s: {}", view.queues[0].unacked);
        if t > 1 {
            assert_eq!(view.queues[0].unacked, 8, "at {t} s both consumers are full");
            assert!(view.queues[0].ready > 0);
        }
    }
}

#[test]
fn nack_requeue_until_the_delivery_limit_then_dead_letter() {
    let mut v = scenario(
        "direct",
        json!([{"name": "q", "delivery_limit": 2, "dead_letter_exchange": "dlx"}, {"name": "dead"}]),
        json!([{"exchange": "x", "queue": "q", "key": "k"}, {"exchange": "dlx", "queue": "dead"}]),
        &["k"],
        &[("c", "q", json!({"failure_rate": 1.0, "prefetch": 1}))],
    );
    v["nodes"][0]["exchanges"].as_array_mut().unwrap().push(json!({"name": "dlx", "type": "fanout"}));
    let s = run(&v);
    let q = queues(&s);
    let m = s.messaging.unwrap();
    // Each message: delivered 3 times (first + 2 redeliveries), then dead-lettered.
    assert_eq!(q["dead"].ready, m.dead_lettered);
    assert!(m.dead_lettered + 2 >= s.sent, "{} of {}", m.dead_lettered, s.sent);
    assert!(q["q"].delivered.abs_diff(3 * m.dead_lettered) <= 3, "{} deliveries", q["q"].delivered);
    assert_eq!(m.redelivered, q["q"].redelivered);
    assert_eq!(s.completed, 0);
}

#[test]
fn nack_without_requeue_and_no_dead_letter_exchange_discards() {
    let v = scenario(
        "direct",
        json!([{"name": "q"}]),
        json!([{"exchange": "x", "queue": "q", "key": "k"}]),
        &["k"],
        &[("c", "q", json!({"failure_rate": 1.0, "requeue": false}))],
    );
    let s = run(&v);
    let m = s.messaging.unwrap();
    assert!(m.discarded + 2 >= s.sent && m.discarded <= s.sent, "{m:?}");
    assert_eq!(m.redelivered, 0);
}

#[test]
fn messages_expire_at_the_head_after_their_ttl() {
    // No consumer: everything older than 1 s expires; about 1 s of messages remain.
    let v = scenario(
        "direct",
        json!([{"name": "q", "message_ttl_ms": 1000}]),
        json!([{"exchange": "x", "queue": "q", "key": "k"}]),
        &["k"],
        &[],
    );
    let s = run(&v);
    let q = &queues(&s)["q"];
    assert!((99..=101).contains(&q.ready), "{} ready", q.ready);
    assert_eq!(q.expired + q.ready, s.sent);
}

#[test]
fn a_dead_consumers_unacknowledged_messages_are_redelivered() {
    let mut v = scenario(
        "direct",
        json!([{"name": "q"}]),
        json!([{"exchange": "x", "queue": "q", "key": "k"}]),
        &["k"],
        &[
            ("c1", "q", json!({"prefetch": 20, "processing_time": {"dist": "constant", "mean_ms": 15}})),
            ("c2", "q", json!({"prefetch": 20, "processing_time": {"dist": "constant", "mean_ms": 15}})),
        ],
    );
    v["faults"] = json!([{"at_s": 5, "fail": "c2"}]);
    let s = run(&v);
    let q = &queues(&s)["q"];
    let m = s.messaging.unwrap();
    assert!(m.redelivered >= 1, "{m:?}");
    // Nothing is lost: acked + waiting + held adds up to what was published.
    assert_eq!(q.acked + q.ready + q.unacked, s.sent);
    assert!(s.nodes["c1"].redelivered.unwrap() >= 1, "c1 got c2's messages");
}

#[test]
fn the_dead_letter_preset_shows_every_path() {
    // A delivery fails with p = 1/4 and is requeued; one that fails a 4th
    // time is over the delivery limit (3) and dead-lettered. So a message
    // is requeued K times, P(K ≥ k) = p^k for k = 1, 2, 3 (E K = p + p² +
    // p³, E K² = p + 3p² + 5p³), and dead-lettered with probability p⁴.
    let p = 0.25f64;
    let (mean_k, mean_k2) = (p + p * p + p.powi(3), p + 3.0 * p * p + 5.0 * p.powi(3));
    let s = Scenario::from_json(&preset(messaging_presets::RABBITMQ_DEAD_LETTERS_JSON, 1).to_string()).unwrap();
    let mut sim = Simulation::new(&s);
    // Before worker-2 crashes at 30 s the two workers are 80% busy (60
    // messages/s, 1.33 deliveries each, 20 ms a delivery): messages wait
    // milliseconds, never the 5 s TTL. 5 sd for each count, given the n sent.
    sim.step_until(29_999_999_999);
    let before = sim.summary();
    let (n, m) = (before.sent as f64, before.messaging.unwrap());
    let sd_k = (n * (mean_k2 - mean_k * mean_k)).sqrt();
    assert!((m.redelivered as f64 - n * mean_k).abs() <= 5.0 * sd_k, "{m:?}: {n} sent");
    let dl_want = n * p.powi(4);
    assert!((m.dead_lettered as f64 - dl_want).abs() <= 5.0 * dl_want.sqrt(), "{m:?}: {n} sent");
    assert_eq!(m.expired, 0);
    // worker-1 alone serves 50 deliveries a second of the 80 asked: the
    // queue grows until messages wait out their TTL and expire to the
    // dead-letter exchange too.
    let s = sim.run();
    let (n, m) = (s.sent as f64, s.messaging.unwrap());
    assert!(m.expired > 0, "{m:?}");
    let dl_want = n * p.powi(4);
    let failed_out = (m.dead_lettered - m.expired) as f64;
    assert!((failed_out - dl_want).abs() <= 5.0 * dl_want.sqrt(), "{m:?}: {n} sent");
    let q = queues(&s);
    assert_eq!(q["dead"].ready, m.dead_lettered);
}

#[test]
fn rabbitmq_configuration_errors_name_the_field() {
    let mut v = preset(messaging_presets::RABBITMQ_DEAD_LETTERS_JSON, 1);
    v["nodes"][0]["queues"][0]["dead_letter_exchange"] = json!("nope");
    v["nodes"][0]["bindings"][0]["queue"] = json!("missing");
    v["nodes"][2]["queue"] = json!("missing");
    v["nodes"][2]["prefetch"] = json!(0);
    let err = Scenario::from_json(&v.to_string()).unwrap_err();
    let paths: Vec<&str> = err.errors.iter().map(|e| e.path.as_str()).collect();
    for want in
        ["nodes[0].queues[0].dead_letter_exchange", "nodes[0].bindings[0].queue", "nodes[2].queue", "nodes[2].prefetch"]
    {
        assert!(paths.contains(&want), "{want} not in {err}");
    }
}
