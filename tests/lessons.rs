//! Each preset's lesson is a claim. For every preset, one test runs it (and
//! its variant B, where it opens as an A/B comparison) to the moment the
//! lesson names, reads the figure the lesson names through the preset's own
//! declaration (`Lesson::figures`, read by `scalelab::lessons::read`, as
//! the compare panel reads it), and checks the claim with a bound whose
//! comment says where it comes from; and checks that the A/B verdict's
//! first sentence names that figure.

use scalelab::lessons::{self, Agg, Figure, Moment, Nodes, Of, Stat};
use scalelab::presets::{self, Lesson, Preset};

/// The lesson of preset `p` (its variant B, its figures), from its family's
/// parts (`families::lesson_of`), as the app finds it once the preset opens.
fn lesson(p: &Preset) -> &'static Lesson {
    scalelab::families::lesson_of(p).unwrap_or_else(|| panic!("{}: no lesson", p.id))
}
use scalelab::{Scenario, Simulation};

/// A preset's runs: A, and B where the preset compares.
struct Runs {
    p: &'static Preset,
    a: Simulation,
    b: Option<Simulation>,
}

impl Runs {
    fn new(id: &str) -> Runs {
        let p = presets::by_id(id).unwrap_or_else(|| panic!("no preset {id}"));
        let a = Scenario::from_json(p.json()).expect("presets are valid");
        let b = lesson(p).compare_b.map(|f| Simulation::new(&a.with_entry(f()).expect("variant B is valid")));
        Runs { p, a: Simulation::new(&a), b }
    }

    /// Both runs to simulated second `t_s` (or their end, if sooner).
    fn run_to(&mut self, t_s: f64) -> &mut Self {
        let t = (t_s * 1e9) as u64;
        self.a.step_until(t);
        if let Some(b) = &mut self.b {
            b.step_until(t);
        }
        self
    }

    fn run_to_end(&mut self) -> &mut Self {
        self.a.run();
        if let Some(b) = &mut self.b {
            b.run();
        }
        self
    }

    fn b(&self) -> &Simulation {
        self.b.as_ref().expect("this preset compares A and B")
    }

    /// The preset's figure `k`.
    fn fig(&self, k: usize) -> &'static Figure {
        let p: &'static Preset = self.p;
        lesson(p).figures.get(k).unwrap_or_else(|| panic!("{}: no figure {k}", p.id))
    }

    /// Figure `k` of A as the verdict reads it now.
    fn a(&self, k: usize) -> f64 {
        read(&self.a, self.fig(k))
    }

    /// Figure `k` of B as the verdict reads it now.
    fn bv(&self, k: usize) -> f64 {
        read(self.b(), self.fig(k))
    }

    /// The verdict (A against B, or A against itself for a preset that does
    /// not compare: what it would lead with if a person chose a B) leads
    /// with the lesson's first figure.
    fn verdict_leads(&self) -> String {
        let b = self.b.as_ref().unwrap_or(&self.a);
        let v = lessons::verdict(&self.a, b, "A", "B", lesson(self.p).figures)
            .unwrap_or_else(|| panic!("{}: no verdict", self.p.id));
        let first = v.split(". ").next().unwrap_or_default();
        let lead = self.fig(0);
        assert!(first.starts_with(lead.name), "{}: the verdict leads with {first:?}, not {:?}", self.p.id, lead.name);
        assert!(
            lessons::read(&self.a, lead).is_some(),
            "{}: the verdict cannot read its lead figure now ({v})",
            self.p.id
        );
        eprintln!("{} verdict: {v}", self.p.id);
        v
    }
}

fn read(sim: &Simulation, f: &Figure) -> f64 {
    lessons::read(sim, f).unwrap_or_else(|| panic!("{:?} cannot be read at {} s", f, sim.now() as f64 / 1e9))
}

fn view_now(sim: &Simulation, id: &'static str, label: &str) -> f64 {
    lessons::view_figure(sim, Nodes::Id(id), label).unwrap_or_else(|| panic!("{id} has no figure {label:?}"))
}

/// A sample figure of `nodes`, read as the verdict reads figures (None
/// where it cannot be read then).
fn sample_at(sim: &Simulation, nodes: Nodes, stat: Stat, agg: Agg, at: Moment) -> Option<f64> {
    let of = Of::Sample { nodes, stat, agg };
    lessons::read(sim, &Figure { name: "", of, at, better: lessons::Better::Lower, unit: lessons::Unit::Count })
}

/// `stat` of `nodes` over simulated seconds [from_s, to_s).
fn sample(sim: &Simulation, nodes: Nodes, stat: Stat, agg: Agg, from_s: u32, to_s: u32) -> f64 {
    sample_at(sim, nodes, stat, agg, Moment::Window { from_s, to_s }).expect("a window the run has reached")
}

/// A node's deliveries (requests, records) per second over the run.
fn per_s(sim: &Simulation, id: &'static str) -> f64 {
    sample_at(sim, Nodes::Id(id), Stat::Completed, Agg::PerS, Moment::Run).expect("a node with samples")
}

/// What a node has processed so far (0 before its first sample).
fn processed(sim: &Simulation, id: &'static str) -> f64 {
    sample_at(sim, Nodes::Id(id), Stat::Completed, Agg::Sum, Moment::Run).unwrap_or(0.0)
}

/// The ids of the presets this file tests, one test each.
const TESTED: &[&str] = &[
    "chat-modes",
    "chat-group",
    "chat-gateway-dies",
    "chat-presence",
    "chat-inboxes",
    "kafka-keys",
    "kafka-broker-dies",
    "kafka-consumer-dies",
    "rabbitmq-exchanges",
    "rabbitmq-dead-letters",
    "point-to-point-vs-pubsub",
    "cache-aside",
    "cache-dies",
    "slow-database",
    "queueing-basics",
    "load-balancing",
    "one-queue-or-many",
    "one-server",
    "app-and-db-apart",
    "load-balancer-app-servers",
    "hash-vs-modulo",
    "virtual-nodes",
    "hot-key",
    "range-vs-hash",
    "add-shard",
    "shortener",
    "shortener-hash-fills",
    "shortener-id-strategies",
    "shortener-viral",
    "shortener-clock-skew",
    "shortener-coordinator-down",
    "replication-read-replicas",
    "replication-replica-dies",
    "replication-sync-standby-dies",
    "replication-async-failover",
    "replication-semi-sync-fallback",
    "replication-election",
    "replication-herd-vs-sequential",
    "replication-quorum-lost",
    "replication-split-brain",
    "replication-cap",
];

#[test]
fn every_preset_names_its_figures_and_has_a_lesson_test() {
    for p in presets::all() {
        assert!(!lesson(p).figures.is_empty(), "{}: its lesson names no figure (Lesson::figures)", p.id);
        assert!(TESTED.contains(&p.id), "{}: no test in tests/lessons.rs checks its lesson", p.id);
    }
}

#[test]
fn before_its_moment_or_without_a_preset_the_verdict_leads_with_p99() {
    // load-balancing compared with round robin (a B from the compare menu,
    // as tests/e2e/share.test.mjs chooses): at 20 s its lesson's moment
    // (app-2 dies at 30 s) has not come, so the verdict starts with p99;
    // a scenario that is no preset (a link's, the API's) has no figures.
    let p = presets::by_id("load-balancing").unwrap();
    let a = Scenario::from_json(p.json()).unwrap();
    let rr = scalelab::sim::spec::FaultSpec {
        set: Some("lb".into()),
        algorithm: Some(scalelab::sim::spec::Algorithm::RoundRobin),
        ..Default::default()
    };
    let (mut a, mut b) = (Simulation::new(&a), Simulation::new(&a.with_entry(rr).unwrap()));
    a.step_until(20_000_000_000);
    b.step_until(20_000_000_000);
    for figures in [lesson(p).figures, &[]] {
        let v = lessons::verdict(&a, &b, "least_connections", "round_robin", figures).unwrap();
        let first = v.split(". ").next().unwrap();
        assert!(
            first.starts_with("least_connections: p99") || first.starts_with("round_robin: p99"),
            "the verdict leads with {first:?}"
        );
    }
    // Once app-2 has died, the lesson's figure leads.
    a.step_until(40_000_000_000);
    b.step_until(40_000_000_000);
    let v = lessons::verdict(&a, &b, "least_connections", "round_robin", lesson(p).figures).unwrap();
    assert!(v.starts_with(lesson(p).figures[0].name), "{v}");
}

// ---------------------------------------------------------------- chat

/// The chat presets' phone ↔ balancer link, one way.
const CHAT_TRANSIT_MS: f64 = 40.0;

#[test]
fn chat_modes_polling_waits_half_an_interval_a_socket_one_transit() {
    let mut r = Runs::new("chat-modes");
    r.run_to_end();
    let (a, b) = (r.a(0), r.bv(0));
    // Short polling every 5 s: a message is in the answer to the first
    // poll that reaches the store after it was stored; polls leave each
    // phone every 5 s, so that wait is uniform over 5 s (median 2.5 s), and
    // the answer takes one round trip (2 × 40.5 ms to the server, the
    // store's 2 × 1 ms and its work, about 86 ms). The median of n uniform
    // waits is off by 5 s × 0.5 / √n at one sigma: allow 3 sigma, and the
    // histogram's 1% resolution.
    let n = r.a.latency().count as f64;
    let sigma = 5_000.0 * 0.5 / n.sqrt();
    let want = 2_500.0 + 2.0 * (CHAT_TRANSIT_MS + 0.5) + 4.0;
    assert!((a - want).abs() < 3.0 * sigma + 0.01 * want, "polling: median {a} ms, theory {want} ± {:.0}", 3.0 * sigma);
    // A socket is pushed to at once: one transit up, the store and the
    // lookup (a few ms), one transit down.
    assert!((2.0 * CHAT_TRANSIT_MS..2.0 * CHAT_TRANSIT_MS + 10.0).contains(&b), "WebSocket: median {b} ms");
    // An online phone polls 12 times a minute whether or not there is
    // anything, where a socket pays 2 heartbeats; each phone gets about
    // half a message a minute (30 sent an hour each), so polling costs
    // (12 − 2) / 0.5 = 20 requests more per delivered message (the sends,
    // receipts and reads both pay). Allow 20% for the phones offline.
    let (ra, rb) = (r.a(1), r.bv(1));
    assert!(ra - rb > 16.0 && ra > 3.0 * rb, "requests per delivered message: polling {ra:.1}, WebSocket {rb:.1}");
    r.verdict_leads();
}

#[test]
fn chat_group_stores_a_message_once_and_delivers_it_to_every_member() {
    let mut r = Runs::new("chat-group");
    r.run_to_end();
    let (delivered, stored) = (r.a(0), r.a(1));
    // Stored once per message, however many members (the phones count
    // theirs when the "sent ✓" comes back: a few may be on the way).
    let sent = view_now(&r.a, "users", "Stored (sent ✓)");
    assert!((stored - sent).abs() <= 5.0, "stored {stored}, sent ✓ {sent}");
    // Half the messages go to a group of 1,000 (999 recipients), half to
    // one contact; a recipient gets it now if online (the stationary share
    // 3600 / (3600 + 600) = 6/7) or, if offline, when back within the
    // run (at most a fifth of them: 120 s of a 600 s mean absence).
    // Binomial noise on the half: ±2% at 3 sigma over 2,500 messages.
    let online = 3600.0 / 4200.0;
    let each = 0.5 * 999.0 + 0.5;
    let ratio = delivered / (stored * each);
    assert!(
        (online * 0.97..(online + (1.0 - online) / 5.0) * 1.03).contains(&ratio),
        "delivered/(stored × 499.75) = {ratio:.3}"
    );
    // About 1% overtaken (sent through different servers); some repeats.
    let ooo = view_now(&r.a, "users", "Out of order") / delivered;
    assert!((0.003..0.03).contains(&ooo), "out of order: {:.2}%", ooo * 100.0);
    let dup = view_now(&r.a, "users", "Duplicates");
    assert!(dup > 0.0 && dup < delivered * 1e-3, "duplicates: {dup}");
    r.verdict_leads();
}

#[test]
fn chat_gateway_dies_at_once_piles_onto_the_survivors_backoff_spreads_it() {
    let mut r = Runs::new("chat-gateway-dies");
    // Before the failure, the gateways have room: no queue for 20 s after
    // the first connects (the first seconds are everyone's first connect).
    r.run_to(30.0);
    let calm = lessons::read(&r.a, &Figure { at: Moment::Window { from_s: 10, to_s: 30 }, ..*r.fig(0) }).unwrap();
    assert!(calm < 10.0, "queue before the failure: {calm}");
    // The storm is over long before 60 s.
    r.run_to(60.0);
    // The dead gateway's phones lose their sockets.
    let lost = view_now(&r.a, "users", "Connections lost");
    assert!((1_600.0..1_900.0).contains(&lost), "about 1,750 sockets lost: {lost}");
    // At once: every one of them lands on the two survivors together
    // (3 cores each, 5 ms a handshake: 1,200 handshakes a second between
    // them), so their queues hold over a second of work; with backoff the
    // reconnects arrive spread over seconds and the queue stays short.
    let (qa, qb) = (r.a(0), r.bv(0));
    assert!(qb > 1_200.0, "retry at once: peak queue {qb}");
    assert!(qa < qb / 4.0, "backoff: peak queue {qa}, at once {qb}");
    // Everyone else's messages wait behind those handshakes at once.
    let (ma, mb) = (r.a(1), r.bv(1));
    assert!(mb > 1.5 * ma, "median send → phone 30–45 s: backoff {ma:.0} ms, at once {mb:.0} ms");
    // Backoff's price: the last phones come back later (phone-seconds
    // without a socket), but both are back well before 60 s.
    let (wa, wb) = (r.a(2), r.bv(2));
    assert!(wa > wb, "phone-seconds without a socket: backoff {wa}, at once {wb}");
    for sim in [&r.a, r.b()] {
        let last = sample(sim, Nodes::Id("users"), Stat::Queue, Agg::Max, 50, 60);
        assert!(last < 20.0, "phones still without a socket at 50–60 s: {last}");
    }
    // "Hammers the balancer with tens of thousands of refused connects".
    let (ca, cb) = (view_now(&r.a, "users", "Connects refused"), view_now(r.b(), "users", "Connects refused"));
    assert!(cb > 10_000.0 && cb > 5.0 * ca, "connects refused: at once {cb}, backoff {ca}");
    r.verdict_leads();
}

#[test]
fn chat_presence_a_goodbye_is_seen_at_once_a_lost_network_after_the_timeout() {
    let mut r = Runs::new("chat-presence");
    r.run_to_end();
    let (p50, p95) = (r.a(0), r.a(1));
    // Half say goodbye: the close frame and the push, two transits.
    assert!(p50 < 2.0 * CHAT_TRANSIT_MS / 1e3 + 0.05, "median: {p50} s");
    // Half go silent: the 30 s timeout after their last heartbeat (0 to
    // 10 s before they left), found by a sweep every 7.5 s, plus a push.
    assert!((20.0..30.0 + 7.5 + 0.2).contains(&p95), "p95: {p95} s");
    r.verdict_leads();
}

#[test]
fn chat_inboxes_wait_for_the_offline_and_drain_when_they_come_back() {
    let mut r = Runs::new("chat-inboxes");
    r.run_to(120.0);
    let (before, after) = (r.a(0), r.a(1));
    // Before the login wave most recipients are offline (300 s online in
    // every 3,900): messages pile up in inboxes.
    assert!(before > 200.0, "inbox before the wave: {before}");
    // The wave brings everyone online within 20 s; each takes its inbox.
    assert!(after < 0.4 * before, "inbox after the wave: {after} (before {before})");
    r.verdict_leads();
}

// ----------------------------------------------------------- messaging

/// 3 sigma of a Poisson count with mean `mean`.
fn poisson_3sigma(mean: f64) -> f64 {
    3.0 * mean.sqrt()
}

fn messaging(sim: &Simulation) -> scalelab::sim::metrics::MessagingCounts {
    sim.messaging().expect("a messaging scenario")
}

#[test]
fn kafka_keys_two_groups_each_read_the_whole_topic_and_rebalance() {
    let mut r = Runs::new("kafka-keys");
    // billing-3 joins at 20 s, billing-2 leaves at 40 s.
    r.run_to(19.0);
    assert_eq!(processed(&r.a, "billing-3"), 0.0, "billing-3 before it joins");
    r.run_to(39.0);
    assert!(processed(&r.a, "billing-3") > 0.0, "the rebalance gave billing-3 partitions");
    r.run_to(42.0);
    let left = processed(&r.a, "billing-2");
    r.run_to_end();
    assert_eq!(processed(&r.a, "billing-2"), left, "billing-2 after it left");
    // Each group processes every record once, on its own: all but the
    // last moments' (200 records a second, a poll or two behind), and no
    // record twice.
    let produced = messaging(&r.a).produced as f64;
    for k in 0..2 {
        let done = r.a(k);
        assert!(done <= produced && done > produced - 200.0, "{}: {done} of {produced}", r.fig(k).name);
    }
    assert_eq!(messaging(&r.a).duplicates, 0);
    r.verdict_leads();
}

#[test]
fn kafka_broker_dies_acks_1_loses_records_acks_all_loses_none_and_writes_none_twice() {
    let mut r = Runs::new("kafka-broker-dies");
    // Nothing is lost until the controller elects new leaders, 9 s after
    // broker 0 dies at 20 s.
    r.run_to(28.9);
    assert_eq!((r.a(0), r.bv(0)), (0.0, 0.0), "lost before the election");
    r.run_to_end();
    // acks=1: what the followers had not fetched when the leader died, at
    // most one fetch round trip (50 ms) of its two partitions' records
    // (2,000 a second over six partitions), and a second round trip's
    // worth for a fetch under way.
    let bound = 2_000.0 * 0.050 * 2.0 / 6.0 * 2.0;
    let lost = r.a(0);
    assert!(lost > 0.0 && lost < bound, "acks=1 lost {lost} (bound {bound})");
    // acks=all: nothing acknowledged is lost, and no batch is written
    // twice (a retry after a request timeout could): the 30 s timeout
    // outlasts the 9 s failover.
    assert_eq!(r.bv(0), 0.0, "acks=all lost records");
    assert_eq!((r.a(1), r.bv(1)), (0.0, 0.0), "records written twice");
    // acks=all gave up on nothing either.
    assert_eq!(messaging(r.b()).failed, 0);
    r.verdict_leads();
}

#[test]
fn kafka_consumer_dies_its_uncommitted_records_are_processed_again_after_the_rebalance() {
    let mut r = Runs::new("kafka-consumer-dies");
    // worker-2 dies at 22 s; its session times out at 32 s and the
    // group rebalances: nothing is processed twice before that.
    r.run_to(31.9);
    assert_eq!(r.a(0), 0.0, "duplicates before the rebalance");
    r.run_to_end();
    // After it, worker-1 and worker-3 redo what worker-2 processed since
    // its last commit: at most 5 s (the commit interval) of its two
    // partitions' records (300 a second over six partitions), plus a poll
    // (100 records) it had taken.
    let again = r.a(0);
    assert!(again > 0.0 && again <= 5.0 * 100.0 + 100.0, "processed again: {again}");
    // A record fails with probability 0.05 and is retried once: it goes
    // to the dead-letter topic with probability 0.05² of the records
    // processed.
    let processed = r.a.summary_counts().0 as f64;
    let want = processed * 0.05 * 0.05;
    let dlt = r.a(1);
    assert!((dlt - want).abs() < poisson_3sigma(want), "dead-lettered {dlt}, expected {want:.0}");
    r.verdict_leads();
}

#[test]
fn rabbitmq_exchanges_route_by_binding_and_drop_what_matches_nothing() {
    let mut r = Runs::new("rabbitmq-exchanges");
    r.run_to_end();
    // shop publishes 40/s: eu.order.created 4/10, us.order.created 3/10,
    // eu.order.payment.failed 1/10, us.user.signup 2/10; web 20/s: image
    // 4/5, video 1/5; cms 5/s to a fanout.
    let want = [
        ("eu-fulfilment", 40.0 * 0.4),           // eu.order.* : one word after
        ("reporting", 40.0 * (0.4 + 0.3 + 0.1)), // *.order.# : zero or more after
        ("alerts", 40.0 * 0.1),                  // #.failed
        ("cache-node-a", 5.0),                   // fanout: every queue
        ("cache-node-b", 5.0),
        ("resizer", 20.0 * 0.8), // direct: key "image"
    ];
    for (id, rate) in want {
        let got = per_s(&r.a, id);
        let tol = poisson_3sigma(rate * 60.0) / 60.0;
        assert!((got - rate).abs() < tol, "{id}: {got:.2}/s, bindings say {rate}/s ± {tol:.2}");
    }
    // us.user.signup matches no binding (eu.order.* needs "order" second)
    // and video has no queue: 8 + 4 a second are dropped.
    let discarded = r.a(0);
    let expected = (40.0 * 0.2 + 20.0 * 0.2) * 60.0;
    assert!((discarded - expected).abs() < poisson_3sigma(expected), "discarded {discarded}, expected {expected}");
    r.verdict_leads();
}

#[test]
fn rabbitmq_dead_letters_after_the_delivery_limit_and_after_the_ttl() {
    let mut r = Runs::new("rabbitmq-dead-letters");
    // Two workers keep up (60 a second, a third more with retries, at
    // 20 ms each: 80% busy): nothing waits 5 s, so nothing expires, and
    // a message is dead-lettered only after failing 4 times in a row
    // (0.25⁴ of the messages).
    r.run_to(30.0);
    assert_eq!(r.a(1), 0.0, "expired before the crash");
    let published = messaging(&r.a).produced as f64;
    let want = published * 0.25f64.powi(4);
    let before = r.a(0);
    assert!(
        (before - want).abs() < poisson_3sigma(want).max(3.0),
        "dead-lettered by 30 s: {before}, expected {want:.1}"
    );
    // worker-2 dies at 30 s; worker-1 alone does 50 deliveries a second
    // where 80 are needed: messages wait past their 5 s TTL and go to the
    // dead-letter exchange too.
    r.run_to_end();
    let (dead, expired) = (r.a(0), r.a(1));
    assert!(expired > 100.0, "expired after the crash: {expired}");
    assert!(dead >= expired + before, "dead-lettered {dead}: the expired {expired} and the limit's");
    r.verdict_leads();
}

#[test]
fn point_to_point_each_message_once_pub_sub_a_copy_each() {
    let mut r = Runs::new("point-to-point-vs-pubsub");
    r.run_to_end();
    let (subscribers, consumers) = (r.a(0), r.a(1));
    // The same publish rate (30 a second each, Poisson: ±√n each over the
    // run), three times the deliveries.
    let n: f64 = 30.0 * 60.0;
    let ratio = subscribers / consumers;
    assert!((ratio - 3.0).abs() < 3.0 * 3.0 * (2.0 / n).sqrt(), "subscribers/consumers = {ratio:.2}");
    // Every subscriber gets every message (a few may be on their way).
    let each: Vec<f64> = ["reader-a", "reader-b", "reader-c"].iter().map(|id| processed(&r.a, id)).collect();
    assert!(each.iter().all(|x| (x - each[0]).abs() <= 5.0), "subscribers: {each:?}");
    // Competing consumers share the queue round-robin: a third each.
    for id in ["worker-1", "worker-2", "worker-3"] {
        let got = processed(&r.a, id);
        let third = consumers * 60.0 / 3.0;
        assert!((got - third).abs() < 0.1 * third, "{id}: {got} of {third:.0}");
    }
    r.verdict_leads();
}

// ------------------------------------------------------------- storage

use scalelab::sim::theory;

/// Requests the clients sent in the windows of [from_s, to_s).
fn sent_between(sim: &Simulation, from_s: f64, to_s: f64) -> f64 {
    sim.series().iter().filter(|w| w.start_s >= from_s && w.start_s < to_s).map(|w| w.sent as f64).sum()
}

#[test]
fn cache_aside_hot_keys_stop_reaching_the_database() {
    let mut r = Runs::new("cache-aside");
    r.run_to_end();
    // LRU under Zipf(1.0) keys over 10,000, 1,000 entries: Che's
    // approximation. Each write (5% of requests) deletes its key, so the
    // next read of it misses: at most 5% fewer hits than Che, and the
    // window means are good to a point either way.
    let che = theory::lru_hit_ratio_che(&theory::zipf_popularity(10_000, 1.0), 1_000);
    let hit = r.a(0);
    assert!(hit > che * 0.95 - 0.01 && hit < che + 0.01, "hit ratio {hit:.3}, Che {che:.3}");
    // Only the misses reach the database (and the writes).
    let db = sample(&r.a, Nodes::Id("db"), Stat::Completed, Agg::PerS, 10, 120);
    let want = 1_500.0 * (0.95 * (1.0 - hit) + 0.05);
    assert!((db - want).abs() < 0.03 * want, "database {db:.0}/s, misses and writes say {want:.0}/s");
    assert!(hit > 0.5, "most reads stop at the cache");
    r.verdict_leads();
}

#[test]
fn cache_dies_every_read_falls_on_the_database_until_the_cache_is_back_and_warm() {
    let mut r = Runs::new("cache-dies");
    r.run_to(30.0);
    assert_eq!(lessons::read(&r.a, &Figure { at: Moment::Window { from_s: 0, to_s: 30 }, ..*r.fig(0) }), Some(0.0));
    let warm = sample(&r.a, Nodes::Id("cache"), Stat::HitRatio, Agg::Mean, 5, 30);
    r.run_to_end();
    // The cache is down 30–60 s: every read (95% of 1,500 a second, 10 ms
    // each) and every write (20 ms) needs 15.75 database workers; it has
    // 12, so it runs flat out, serves (12 − 75 × 0.02) / 0.01 + 75 = 1,125
    // requests a second and the rest are turned away.
    let (errors, util) = (r.a(0), r.a(1));
    assert!(util > 0.98, "database utilisation {util:.3}");
    let served =
        lessons::read(&r.a, &Figure { of: Of::Throughput, at: Moment::Window { from_s: 35, to_s: 60 }, ..*r.fig(0) })
            .unwrap();
    assert!((served - 1_125.0).abs() < 0.05 * 1_125.0, "served {served:.0}/s while the cache is down");
    let turned_away = sent_between(&r.a, 30.0, 60.0) - 1_125.0 * 30.0;
    assert!(errors > 0.7 * turned_away, "turned away {errors}, capacity says about {turned_away:.0}");
    // Back at 60 s, empty: within 5 s it is warm again and nothing fails.
    let after = lessons::read(&r.a, &Figure { at: Moment::Window { from_s: 65, to_s: 120 }, ..*r.fig(0) });
    assert_eq!(after, Some(0.0), "errors once warm");
    let rewarm = sample(&r.a, Nodes::Id("cache"), Stat::HitRatio, Agg::Mean, 65, 120);
    assert!((rewarm - warm).abs() < 0.02, "hit ratio {warm:.3} before, {rewarm:.3} after");
    r.verdict_leads();
}

#[test]
fn slow_database_held_workers_fail_even_hits_freed_workers_keep_them_fast() {
    let mut r = Runs::new("slow-database");
    r.run_to(20.0);
    let fast = lessons::read(&r.a, &Figure { at: Moment::Window { from_s: 5, to_s: 20 }, ..*r.fig(0) }).unwrap();
    r.run_to_end();
    // Most requests are cache hits (the median is one): with freed
    // workers they stay as fast as before the database slowed (a 1 ms
    // service and two 20 ms transits); with held workers every worker
    // ends up waiting on the database and hits queue behind them.
    let (held, freed) = (r.a(0), r.bv(0));
    assert!((freed - fast).abs() < 0.1 * fast, "freed workers: median {freed:.1} ms, {fast:.1} before");
    assert!(held > 10.0 * freed, "held workers: median {held:.0} ms, freed {freed:.1} ms");
    // Held: more requests fail than the misses alone (hits fail too);
    // freed: at most the misses and writes (only they need the database).
    let misses = |sim: &Simulation| {
        let hit = sample(sim, Nodes::Id("cache"), Stat::HitRatio, Agg::Mean, 20, 60);
        sent_between(sim, 20.0, 60.0) * (0.98 * (1.0 - hit) + 0.02)
    };
    let (ea, eb) = (r.a(1), r.bv(1));
    assert!(ea > misses(&r.a), "held: {ea} failed, more than the {:.0} misses", misses(&r.a));
    assert!(eb <= misses(r.b()), "freed: {eb} failed, at most the {:.0} misses", misses(r.b()));
    r.verdict_leads();
}

// ------------------------------------------------------------ web tier

/// The mean of `figure`'s kind over a window (for a window of the lesson's).
fn window(sim: &Simulation, f: &Figure, from_s: u32, to_s: u32) -> f64 {
    read(sim, &Figure { at: Moment::Window { from_s, to_s }, ..*f })
}

#[test]
fn queueing_basics_p99_is_erlang_cs() {
    let p = presets::by_id("queueing-basics").unwrap();
    // 200,000 requests of the preset's million: enough for its p99 to be
    // within 3% of theory (tests/theory.rs checks 2% over more).
    let mut r =
        Runs { p, a: Simulation::new(&Scenario::from_json(p.json()).unwrap().with_stop_requests(200_000)), b: None };
    r.run_to_end();
    let want = theory::MMc::new(8, 6.4, 1.0).sojourn_quantile_s(0.99) * 1e3;
    let got = r.a(0);
    assert!((got - want).abs() < 0.03 * want, "p99 {got:.0} ms, Erlang C {want:.0} ms");
    r.verdict_leads();
}

#[test]
fn load_balancing_a_failed_server_draws_the_traffic_until_health_checks_then_seven_carry_it() {
    let mut r = Runs::new("load-balancing");
    r.run_to(30.0);
    let calm = window(&r.a, r.fig(2), 5, 30);
    r.run_to(60.0);
    // app-2 refuses at once, so it has the fewest connections: nearly
    // every request goes to it until two probes 0.5 s apart have failed
    // (0.5 to 1 s after it died): at least half a second's worth of the
    // 10,000 a second at 80% of them.
    let failed = r.a(0);
    assert!(failed > 0.8 * 10_000.0 * 0.5 && failed < 10_000.0 * 1.1, "failed as app-2 died: {failed}");
    let late = window(&r.a, r.fig(0), 32, 60);
    assert_eq!(late, 0.0, "failures once app-2 is out of rotation");
    // Without app-2 (16 of 96 workers, 8 ms each) the other seven can
    // serve 80 / 0.008 = 10,000 a second: all of the load, at their limit,
    // so their queues grow and p99 climbs.
    let served = r.a(1);
    assert!((served - 10_000.0).abs() < 0.02 * 10_000.0, "served {served:.0}/s by seven");
    let hot = r.a(2);
    assert!(hot > 2.0 * calm, "p99 {hot:.0} ms without app-2, {calm:.0} ms with it");
    r.verdict_leads();
}

#[test]
fn one_queue_or_many_same_load_very_different_p99() {
    let mut r = Runs::new("one-queue-or-many");
    r.run_to_end();
    let (pooled, random, lc) = (r.a(0), r.a(1), r.a(2));
    // Theory at ρ = 0.8: one queue for eight workers (M/M/8) against eight
    // M/M/1 queues picked at random; least connections joins a shortest
    // queue, close to the shared one. Over a day (552,000 requests each)
    // the means are within 3% of theory.
    let mmc = theory::MMc::new(8, 6.4, 1.0);
    let mm1 = theory::MMc::new(1, 0.8, 1.0);
    let (want_pooled, want_random) = (mmc.mean_sojourn_s() * 1e3, mm1.mean_sojourn_s() * 1e3);
    assert!(
        (pooled - want_pooled).abs() < 0.03 * want_pooled,
        "shared queue: mean {pooled:.0} ms, M/M/8 {want_pooled:.0}"
    );
    assert!((random - want_random).abs() < 0.03 * want_random, "random: mean {random:.0} ms, M/M/1 {want_random:.0}");
    assert!(lc > pooled && lc < 1.3 * pooled, "least connections: mean {lc:.0} ms, shared {pooled:.0}");
    // And the p99s, from each client's whole-run histogram (the summary):
    // "four times": theory says 4.5 (23.0 s against 5.15 s).
    let summary = r.a.summary();
    let p99 = |id: &str| summary.nodes[id].latency_ms.expect("a client's latency").p99;
    let (want_pooled, want_random) = (mmc.sojourn_quantile_s(0.99) * 1e3, mm1.sojourn_quantile_s(0.99) * 1e3);
    assert!(
        (p99("users-pooled") - want_pooled).abs() < 0.05 * want_pooled,
        "shared p99 {}, M/M/8 {want_pooled:.0}",
        p99("users-pooled")
    );
    assert!(
        (p99("users-random") - want_random).abs() < 0.05 * want_random,
        "random p99 {}, M/M/1 {want_random:.0}",
        p99("users-random")
    );
    assert!((3.5..5.0).contains(&(want_random / want_pooled)) && (3.5..5.0).contains(&(random / pooled)), "four times");
    r.verdict_leads();
}

#[test]
fn one_server_fine_at_100_slow_near_140_full_at_180() {
    let mut r = Runs::new("one-server");
    r.run_to_end();
    // Eight workers, 50 ms each (exponential): M/M/8, plus the 20 ms link
    // each way. The figure averages each second's median: within 5% of
    // theory at 100/s, 10% at 140/s (a second with a queue has a higher
    // median, and near saturation the queue comes and goes for seconds).
    let median = |rate: f64| theory::MMc::new(8, rate, 0.050).sojourn_quantile_s(0.5) * 1e3 + 40.0;
    let (at100, at140) = (r.a(0), r.a(1));
    assert!(
        (at100 - median(100.0)).abs() < 0.05 * median(100.0),
        "at 100/s: {at100:.1} ms, theory {:.1}",
        median(100.0)
    );
    assert!(
        (at140 - median(140.0)).abs() < 0.1 * median(140.0),
        "at 140/s: {at140:.1} ms, theory {:.1}",
        median(140.0)
    );
    assert!(at140 > 1.25 * at100, "slow near 140: {at140:.1} ms against {at100:.1}");
    // Nothing is turned away before 180/s; at 180 the box can serve 160
    // (8 / 50 ms) and its queue of 200 fills in 10 s: after that 20 a
    // second are turned away (M/M/8/208 loses 1 − 1/ρ of them).
    let early = window(&r.a, r.fig(2), 0, 120);
    assert_eq!(early, 0.0, "turned away before 180/s");
    let full = window(&r.a, r.fig(2), 130, 180);
    let want = 180.0 * (1.0 - 160.0 / 180.0) * 50.0;
    assert!((full - want).abs() < 0.2 * want, "turned away at 180/s: {full}, theory {want:.0}");
    r.verdict_leads();
}

#[test]
fn app_and_db_apart_the_database_becomes_the_limit() {
    let mut r = Runs::new("app-and-db-apart");
    r.run_to_end();
    // At 400 a second the database (8 workers; reads 20 ms, writes 40 ms,
    // one write in ten) can serve 8 / (0.9 × 0.020 + 0.1 × 0.040) = 364 a
    // second; the app (64 workers, 5 ms of its own) could do 12,800.
    let (util, served) = (r.a(0), r.a(1));
    let cap = 8.0 / (0.9 * 0.020 + 0.1 * 0.040);
    assert!(util > 0.98, "database utilisation {util:.3}");
    assert!((served - cap).abs() < 0.03 * cap, "served {served:.0}/s, the database's capacity {cap:.0}/s");
    // Below that (250 a second) it keeps up.
    let mid = window(&r.a, r.fig(1), 65, 120);
    assert!((mid - 250.0).abs() < 0.05 * 250.0, "served {mid:.0}/s at 250/s");
    r.verdict_leads();
}

#[test]
fn load_balancer_app_servers_one_dies_and_the_rest_carry_the_load() {
    let mut r = Runs::new("load-balancer-app-servers");
    r.run_to_end();
    // app-2 dies at 60 s; probes every second, two failures take it out:
    // its requests fail for at most 2 s (300 a second), none after.
    let failed = r.a(0);
    assert!(failed > 0.0 && failed <= 300.0 * 2.5, "failed while app-2 was down: {failed}");
    assert_eq!(window(&r.a, r.fig(0), 63, 90), 0.0, "failures after the health checks");
    let served = r.a(1);
    assert!((served - 300.0).abs() < 0.05 * 300.0, "the other two served {served:.0}/s");
    // At 900 a second the three (8 workers each, 25 ms) are 900 × 0.025 /
    // 24 = 94% busy.
    let util = r.a(2);
    assert!((util - 0.9375).abs() < 0.03, "app utilisation at 900/s: {util:.3}");
    r.verdict_leads();
}

// ------------------------------------------------------------ sharding

#[test]
fn hash_vs_modulo_a_ring_moves_a_sixth_modulo_five_sixths() {
    let mut r = Runs::new("hash-vs-modulo");
    // Nothing has moved before the sixth shard joins at 15 s.
    r.run_to(14.0);
    assert!(lessons::read(&r.a, r.fig(0)).is_none(), "a change before 15 s");
    r.run_to_end();
    let (ring, modulo) = (r.a(0), r.bv(0));
    // A ring moves only the keys the new shard takes over: its share, 1/6,
    // give or take its 100 points' spread (CV √(5/601) ≈ 9%: 3 sigma).
    let sixth = 100.0 / 6.0;
    assert!((ring - sixth).abs() < 3.0 * 0.09 * sixth, "ring moved {ring:.1}%");
    // hash mod 5 → mod 6 keeps a key only if both agree: 5 in 30 residues.
    // 10,000 sampled keys: ±1% is over 2 sigma.
    assert!((modulo - 500.0 / 6.0).abs() < 1.0, "modulo moved {modulo:.1}%");
    r.verdict_leads();
}

#[test]
fn virtual_nodes_one_point_per_shard_is_lopsided_100_even_it_out() {
    let mut r = Runs::new("virtual-nodes");
    r.run_to(19.0);
    let p99 = Figure { of: Of::Latency { q: lessons::Quantile::P99, agg: Agg::Mean }, ..*r.fig(0) };
    let lopsided = r.a(0);
    let slow = window(&r.a, &p99, 5, 19);
    r.run_to_end();
    let even = r.a(0);
    // Eight random points: the largest arc is H₈ = 2.7 times the mean on
    // average, and under 1.8 times for 6% of placements only.
    assert!(lopsided > 1.8, "one point per shard: max/mean {lopsided:.2}");
    // 100 points each: shares vary by √((n−1)/(nv+1)) = 9.3%, each second's
    // load by Poisson noise (750 a second a shard: 3.7%): the largest of
    // eight is within 3 sigma of the mean.
    let sigma = (0.093f64.powi(2) + 0.037f64.powi(2)).sqrt();
    assert!(even < 1.0 + 3.0 * sigma, "100 points per shard: max/mean {even:.2}");
    // The hot shard's queue went, and p99 with it.
    let fast = window(&r.a, &p99, 25, 60);
    assert!(fast < 0.5 * slow, "p99 {slow:.0} ms before, {fast:.0} ms after");
    r.verdict_leads();
}

#[test]
fn hot_key_makes_one_shard_hot_and_virtual_nodes_do_not_help() {
    let mut r = Runs::new("hot-key");
    r.run_to_end();
    // key-0 alone is p₀ = 1/H(100,000, 1.1) of the traffic (13%); its shard
    // gets that and an eighth of the rest: max/mean ≈ 8 (p₀ + (1 − p₀)/8) =
    // 1 + 7 p₀, with 100 or 1,000 points per shard alike (10%: the other hot
    // keys land where they land, and a second's Poisson noise).
    let p0 = theory::zipf_popularity(100_000, 1.1)[0];
    let want = 1.0 + 7.0 * p0;
    let (a, b) = (r.a(0), r.bv(0));
    assert!((a - want).abs() < 0.1 * want, "100 vnodes: hot shard at {a:.2} × the mean, theory {want:.2}");
    assert!((b - want).abs() < 0.1 * want, "1000 vnodes: hot shard at {b:.2} × the mean, theory {want:.2}");
    assert!((p0 - 0.13).abs() < 0.01, "the description's 13%: {p0:.3}");
    r.verdict_leads();
}

#[test]
fn range_vs_hash_ranges_keep_scans_on_one_shard_hashing_spreads_the_load() {
    let mut r = Runs::new("range-vs-hash");
    r.run_to_end();
    let (scan_a, scan_b) = (r.a(0), r.bv(0));
    // A scan of 100 consecutive keys crosses one of 8 boundaries of
    // 12,500-key ranges with chance 99/12,500; hashed, it asks all eight.
    assert!((scan_a - (1.0 + 99.0 / 12_500.0)).abs() < 0.005, "ranges: {scan_a:.3} shards per scan");
    // (B switches at time 0: the scans in flight then had ranges.)
    assert!((scan_b - 8.0).abs() < 0.01, "hashed: {scan_b:.3} shards per scan");
    // Zipf(0.6) keys: the lowest range holds 43% of the popularity, so its
    // shard runs at 8 × 0.43 = 3.4 times the mean (10% for a second's
    // noise); hashed keys spread within a few % of even.
    let p = theory::zipf_popularity(100_000, 0.6);
    let want = 8.0 * p[..12_500].iter().sum::<f64>();
    let (load_a, load_b) = (r.a(1), r.bv(1));
    assert!((load_a - want).abs() < 0.1 * want, "ranges: max/mean {load_a:.2}, theory {want:.2}");
    assert!(load_b < 1.15, "hashed: max/mean {load_b:.2}");
    r.verdict_leads();
}

#[test]
fn add_shard_takes_a_fifth_of_the_keys_and_reads_survive_a_replica() {
    let mut r = Runs::new("add-shard");
    r.run_to(20.0);
    let util = r.fig(2);
    let four = window(&r.a, util, 5, 20);
    r.run_to_end();
    // The fifth shard takes a fifth of the ring (100 points each: ±3 × 9%).
    let moved = r.a(0);
    assert!((moved - 20.0).abs() < 3.0 * 0.09 * 20.0, "moved {moved:.1}%");
    // The same work over five shards: four fifths of the utilisation.
    let five = r.a(2);
    assert!((five - four * 0.8).abs() < 0.03, "utilisation {four:.3} with four, {five:.3} with five");
    // shard-1 fails at 40 s: with two replicas and R = W = 1 every key has
    // a live replica, so nothing fails but what shard-1 was serving when
    // it died (its workers and queue: at most a few dozen).
    let failed = r.a(1);
    assert!(failed < 30.0, "failed while shard-1 is down: {failed}");
    assert_eq!(view_now(&r.a, "store", "Unavailable"), 0.0, "requests with no live replica");
    r.verdict_leads();
}

// ----------------------------------------------------------- shortener

#[test]
fn shortener_writes_insert_codes_and_redirects_are_mostly_cache_hits() {
    let mut r = Runs::new("shortener");
    r.run_to_end();
    // Redirects pick among 100,000 codes by Zipf(1); the cache keeps
    // 20,000 (LRU): Che's approximation, less the codes written in the run
    // that are not cached yet (within 5 points).
    let che = theory::lru_hit_ratio_che(&theory::zipf_popularity(100_000, 1.0), 20_000);
    let hit = r.a(0);
    assert!(hit > 0.5 && (hit - che).abs() < 0.05, "hit ratio {hit:.3}, Che {che:.3}");
    assert_eq!(r.a(1), 0.0, "writes failed");
    r.verdict_leads();
}

#[test]
fn shortener_hash_fills_collides_more_as_the_table_fills_a_counter_never() {
    let mut r = Runs::new("shortener-hash-fills");
    let collisions = *r.fig(0);
    let inserted =
        Figure { of: Of::View { nodes: Nodes::Kind("url_db"), label: "Rows inserted in the run" }, ..collisions };
    // 3 base62 characters: 238,328 codes. A write whose hash lands on a
    // taken code collides and retries salted, again with chance q (the
    // share taken): q / (1 − q) collisions a write. Stepping second by
    // second with the rows the run has inserted gives the expected count.
    let codes = 62.0f64.powi(3);
    let mut expected = [0.0; 3];
    let mut seen = [0.0; 3];
    let mut t = 0.0;
    let mut last = 0.0;
    while t < 90.0 {
        let q = read(&r.a, &inserted) / codes;
        let before = read(&r.a, &collisions);
        r.run_to(t + 1.0);
        let writes = read(&r.a, &inserted) - last;
        last += writes;
        expected[(t / 30.0) as usize] += writes * q / (1.0 - q);
        seen[(t / 30.0) as usize] += read(&r.a, &collisions) - before;
        t += 1.0;
    }
    for k in 0..3 {
        assert!(
            (seen[k] - expected[k]).abs() < 0.15 * expected[k],
            "{}–{} s: {} collisions, expected {:.0}",
            k * 30,
            k * 30 + 30,
            seen[k],
            expected[k]
        );
    }
    assert!(seen[2] > 3.0 * seen[0], "collisions grow as the table fills: {seen:?}");
    // A counter's codes never collide.
    r.run_to_end();
    assert_eq!(r.bv(0), 0.0, "counter collisions");
    r.verdict_leads();
}

#[test]
fn shortener_id_strategies_one_auto_increment_serialises_every_write() {
    let mut r = Runs::new("shortener-id-strategies");
    r.run_to_end();
    // The auto-increment's lock takes 0.5 ms an id: at most 2,000 a second
    // of the 2,500 offered; as Snowflake (B) the same server does them all.
    let (counter, snowflake) = (r.a(0), r.bv(0));
    assert!(counter <= 2_000.0 * 1.01 && counter > 2_000.0 * 0.97, "counter: {counter:.0}/s");
    assert!((snowflake - 2_500.0).abs() < 0.02 * 2_500.0, "as Snowflake: {snowflake:.0}/s");
    // Snowflake's and ranges' servers keep up in both runs.
    for id in ["app-snowflake", "app-range"] {
        let done = per_s(&r.a, id);
        assert!((done - 2_500.0).abs() < 0.02 * 2_500.0, "{id}: {done:.0}/s");
    }
    r.verdict_leads();
}

#[test]
fn shortener_viral_the_cache_absorbs_a_hot_link_without_it_the_database_drowns_301s_help() {
    let mut r = Runs::new("shortener-viral");
    r.run_to(20.0);
    let before = window(&r.a, r.fig(1), 5, 20);
    r.run_to_end();
    // From 20 s, 60% of redirects are one code: the cache holds it, and
    // the database does less than before.
    let during = r.a(1);
    assert!(during < 0.5 * before, "database utilisation {before:.2} before the viral link, {during:.2} during it");
    // The cache dies 70–90 s: every redirect (5,000 a second, 2 ms each)
    // needs 10 of the database's 8 workers: what it cannot serve fails
    // once the app's queue of 5,000 is full (over 10,000 in 20 s).
    let (failed_302, failed_301) = (r.a(0), r.bv(0));
    assert!(failed_302 > 10_000.0, "302: {failed_302} failed");
    // 301: browsers keep the redirect, so repeat visits never arrive and
    // what does arrive fits the database (8 / 2 ms = 4,000 a second).
    assert_eq!(failed_301, 0.0, "301: requests failed");
    let arriving = sample(r.b(), Nodes::Id("app"), Stat::Completed, Agg::PerS, 70, 90);
    assert!(arriving < 4_000.0 * 0.8, "301: {arriving:.0} redirects a second reach the app");
    r.verdict_leads();
}

#[test]
fn shortener_clock_skew_a_snowflake_server_refuses_until_its_clock_catches_up() {
    let mut r = Runs::new("shortener-clock-skew");
    r.run_to(20.0);
    assert_eq!(r.a(0), 0.0, "refusals before the clock steps back");
    // Stepped back 3 s at 20 s: app-2 (half of 2,000 writes a second)
    // refuses for those 3 s, then never again.
    r.run_to(24.0);
    let refused = r.a(0);
    assert!((refused - 3_000.0).abs() < poisson_3sigma(3_000.0), "refused {refused}, 3 s of app-2's writes");
    r.run_to_end();
    assert_eq!(r.a(0), refused, "refusals after the clock caught up");
    assert_eq!(view_now(&r.a, "app-1", "Clock refusals"), 0.0);
    r.verdict_leads();
}

#[test]
fn shortener_coordinator_down_leased_blocks_carry_writes_until_they_run_out() {
    let mut r = Runs::new("shortener-coordinator-down");
    // Each server leases 5,000 ids at a time and writes 500 a second: a
    // block lasts 10 s. The coordinator dies at 25 s, halfway through:
    // writes carry on for about 5 s more.
    r.run_to(29.0);
    assert_eq!(r.a(0), 0.0, "refusals while blocks last");
    // Then every write is refused (1,000 a second) until it is back at 60 s.
    r.run_to(60.0);
    let refused = r.a(0);
    assert!(refused > 1_000.0 * 25.0 && refused < 1_000.0 * 31.0, "refused {refused} between 30 and 60 s");
    r.run_to(62.0);
    let at_recovery = r.a(0);
    r.run_to_end();
    assert_eq!(r.a(0), at_recovery, "refusals once the coordinator is back");
    r.verdict_leads();
}

#[test]
fn a_figure_neither_run_has_says_none_not_about_the_same() {
    // kafka-broker-dies at 1 s: the broker dies at 20 s, so no record is
    // lost yet in either run. "0 with A, 0 with B: about the same" read
    // as a verdict on acks before the failure the lesson is about.
    let p = presets::by_id("kafka-broker-dies").unwrap();
    let mut a = Simulation::new(&Scenario::from_json(p.json()).unwrap());
    a.step_until(1_000_000_000);
    let v = lessons::verdict(&a, &a, "A", "B", lesson(p).figures).unwrap();
    assert!(v.starts_with("Records lost: none yet with either. "), "{v}");
    // At the end: lost records are counted, and a figure still 0 in both
    // is "none", without "yet".
    while !a.is_finished() {
        a.step_until(a.now() + 10_000_000_000);
    }
    let v = lessons::verdict(&a, &a, "A", "B", lesson(p).figures).unwrap();
    assert!(v.starts_with("Records lost: 29 with A, 29 with B: about the same. "), "{v}");
    assert!(v.contains("Records written twice: none with either. "), "{v}");
}

#[test]
fn replication_read_replicas_take_the_read_load_and_some_reads_come_back_stale() {
    let mut r = Runs::new("replication-read-replicas");
    r.run_to_end();
    // A: the primary's 4 workers would need 2,700 × 2 ms + 300 × 4 ms = 6.6
    // of them: its queue of 2,000 fills and waits take seconds. B: 900
    // reads/s a replica, 45% busy: milliseconds (the users' 10 ms link
    // each way, the app's 1 ms and the database's own).
    let (a, b) = (r.a(0), r.bv(0));
    assert!(a > 1_000.0, "A's p99 {a} ms: the primary is overloaded");
    assert!(b < 60.0, "B's p99 {b} ms");
    // Only replica reads can be stale: a key is written 0.3 times a
    // second and a replica sees it ~21 ms late: ~0.6% of 160,000 reads.
    assert_eq!(r.a(1), 0.0, "reads from the primary are never stale");
    let stale = r.bv(1);
    assert!((300.0..2_000.0).contains(&stale), "B's stale reads {stale}");
    r.verdict_leads();
}

#[test]
fn replication_replica_dies_its_reads_move_to_the_other_and_nothing_else_fails() {
    let mut r = Runs::new("replication-replica-dies");
    r.run_to_end();
    // What db-1 held when it died (a few of its 4 workers' reads and
    // their queue): nothing after.
    let failed = r.a(0);
    assert!(failed <= 8.0, "{failed} failed");
    // Busy workers over live ones, the primary's 8 included: 1,900
    // reads/s × 2 ms + 100 writes/s × 4 ms = 4.2 busy, over 24 workers
    // while three members are up (17.5%), over 16 after (26.3%): the
    // surviving replica carries twice the reads.
    let before = sample(&r.a, Nodes::Id("db"), Stat::Utilisation, Agg::Mean, 5, 20);
    let after = r.a(1);
    assert!((before - 0.175).abs() < 0.01, "utilisation {before:.3} before");
    assert!((after - 0.2625).abs() < 0.015, "utilisation {after:.3} after");
    r.verdict_leads();
}

#[test]
fn replication_sync_standby_dies_no_write_completes_until_it_returns() {
    let mut r = Runs::new("replication-sync-standby-dies");
    // The standby died at 20 s: the acknowledgements on their way died with it.
    r.run_to(20.5);
    let acked = view_now(&r.a, "db", "Writes acknowledged");
    r.run_to(39.0);
    // B goes on at its 400 requests/s; A answers only reads, and only
    // while the app has workers not held by waiting writes (400 of them,
    // taken by 100 writes/s in 4 s).
    let (a, b) = (r.a(0), r.bv(0));
    assert!((370.0..430.0).contains(&b), "B answered {b}/s");
    assert!(a < 0.25 * b, "A answered {a}/s while its standby was down");
    assert_eq!(view_now(&r.a, "db", "Writes acknowledged"), acked, "no write completed from 20.5 s to 39 s");
    r.run_to_end();
    assert!(view_now(&r.a, "db", "Writes acknowledged") > acked + 1_000.0, "its return releases the writes");
    r.verdict_leads();
}

#[test]
fn replication_async_failover_loses_about_a_shipping_delay_of_writes_sync_none() {
    let mut r = Runs::new("replication-async-failover");
    r.run_to(29.0);
    assert_eq!((r.a(0), r.bv(0)), (0.0, 0.0), "nothing lost before the primary dies");
    // Sync: every write waits for both replicas 100 ms away and back.
    let (a, b) = (r.a(1), r.bv(1));
    assert!(b > a + 200.0, "sync p99 {b} ms against async {a} ms");
    r.run_to_end();
    // 500 writes/s × 0.1 s on the way = 50, a Poisson count: ±3σ = ±21.
    let lost = r.a(0);
    assert!((29.0..=71.0).contains(&lost), "async lost {lost}");
    assert_eq!(r.bv(0), 0.0, "sync lost acknowledged writes");
    r.verdict_leads();
}

#[test]
fn replication_semi_sync_waits_out_its_timeout_once_then_runs_async() {
    let mut r = Runs::new("replication-semi-sync-fallback");
    r.run_to(24.0);
    // Writes at 20 s wait the 3 s timeout (plus the users' 20 ms round trip).
    let (a, b) = (r.a(0), r.bv(0));
    assert!((2_900.0..3_200.0).contains(&a), "A's p99 {a} ms as the replica dies");
    assert!(b < 100.0, "B's p99 {b} ms");
    assert_eq!(r.a(1), 1.0, "one fallback");
    r.run_to_end();
    assert_eq!(r.a(1), 1.0, "the return to semi-sync is no second fallback");
    r.verdict_leads();
}

#[test]
fn replication_election_takes_the_session_timeout_and_a_few_round_trips_reads_go_on() {
    let mut r = Runs::new("replication-election");
    r.run_to(23.0);
    // During the election (21–23 s): the replicas answer the reads, 200/s
    // (400/s, half of them reads); writes wait, holding at most 700 of the
    // app's 1,000 workers (200/s over 3.5 s), so reads still get through.
    let reads = r.a(1);
    assert!((170.0..230.0).contains(&reads), "{reads} answered per second during the election");
    assert_eq!(view_now(&r.a, "db", "Failovers"), 0.0, "no one elected before the session expires");
    r.run_to_end();
    // The last heartbeat at 20 s arrives 5 ms later; 20.005 + 3 s expires
    // at the next 0.5 s tick, 23.5 s; the deletion commits (2 ms), the
    // watches arrive (5 ms), the creates go and come back (10 ms + 2 ms);
    // the app servers' watch arrives (5 ms) and they read the znode (10 ms).
    let took = r.a(0);
    assert!((took - 3_529.0).abs() < 0.5, "failover {took} ms from the last heartbeat");
    r.verdict_leads();
}

#[test]
fn replication_herd_tells_all_eight_candidates_sequential_tells_one() {
    let mut r = Runs::new("replication-herd-vs-sequential");
    r.run_to_end();
    assert_eq!((r.a(0), r.bv(0)), (8.0, 1.0), "notifications per election");
    // Sequential skips the create race (one round trip and a commit).
    let (a, b) = (r.a(1), r.bv(1));
    assert!((a - b - 2.0).abs() < 0.5, "herd {a} ms, sequential {b} ms");
    r.verdict_leads();
}

#[test]
fn replication_quorum_lost_no_election_until_a_majority_returns() {
    let mut r = Runs::new("replication-quorum-lost");
    r.run_to(29.0);
    assert_eq!(view_now(&r.a, "db", "Failovers"), 0.0, "no election without a quorum");
    assert_eq!(view_now(&r.a, "zk", "Servers up"), 2.0);
    r.run_to_end();
    // A third server at 30 s; a leader a tick later (30.5 s) gives the
    // session a fresh 3 s: it expires at the tick after 33.5 s, 34 s; the
    // last heartbeat was at 16 s.
    let took = r.a(0);
    assert!((took - 18_027.0).abs() < 0.5, "failover {took} ms from the last heartbeat");
    // Writes wait from 16.4 s (each holding one of the app's 2,000
    // workers): 200/s fill the database's 1,000 places by 21.4 s, and the
    // rest until 34 s are refused: 200 × 12.6 = 2,520, a Poisson count
    // (±3σ = ±150).
    let failed = r.a(1);
    assert!((2_370.0..2_670.0).contains(&failed), "{failed} requests failed");
    r.verdict_leads();
}

#[test]
fn replication_split_brain_the_cut_off_primary_takes_writes_unless_fenced() {
    let mut r = Runs::new("replication-split-brain");
    r.run_to_end();
    // West writes 100/s from the election (~11.2 s) until db-0 learns it
    // lost, its first heartbeat after the heal at 20.05 s (20.33 s): about
    // 910, a Poisson count (±3σ = ±90). Fenced: none.
    let (a, b) = (r.a(0), r.bv(0));
    assert!((820.0..1_000.0).contains(&a), "{a} split-brain writes");
    assert_eq!(b, 0.0, "fenced: no split-brain write");
    // Keys both sides wrote, of 1,000: 1000 (1 − e^(−0.91))² ≈ 360.
    let (ca, cb) = (r.a(1), r.bv(1));
    assert!((300.0..420.0).contains(&ca), "{ca} conflicts");
    assert_eq!(cb, 0.0);
    r.verdict_leads();
}

#[test]
fn replication_cap_cp_fails_requests_ap_conflicts() {
    let mut r = Runs::new("replication-cap");
    r.run_to_end();
    // CP: the cut-off side's writes are refused from 2/3 s after it last
    // heard from the ensemble until the heal: about 100/s × 9.37 s.
    let (a, b) = (r.a(0), r.bv(0));
    assert!((840.0..1_040.0).contains(&a), "CP failed {a}");
    assert_eq!(b, 0.0, "AP fails nothing");
    let (ca, cb) = (r.a(1), r.bv(1));
    assert_eq!(ca, 0.0, "CP conflicts");
    assert!((300.0..420.0).contains(&cb), "AP conflicts {cb}");
    r.verdict_leads();
}
