//! The engine against queueing theory: Erlang C for M/M/c, Little's law, and
//! random routing as independent M/M/1 queues.

mod common;

use common::{assert_close, balanced, scenario};
use scalelab::Simulation;
use scalelab::presets::MM8_JSON;
use scalelab::sim::theory::MMc;

#[test]
fn mm8_at_rho_0_8_matches_erlang_c_within_2_percent() {
    let s = scenario(MM8_JSON).with_stop_requests(1_000_000);
    let seed = s.spec.seed;
    let summary = Simulation::new(&s).run();
    assert_eq!(summary.completed, 1_000_000);
    let q = MMc::new(8, 6.4, 1.0);
    let l = summary.latency_ms;
    assert_close("mean sojourn (ms)", l.mean, q.mean_sojourn_s() * 1e3, 0.02, seed);
    assert_close("p50 sojourn (ms)", l.p50, q.sojourn_quantile_s(0.50) * 1e3, 0.02, seed);
    assert_close("p95 sojourn (ms)", l.p95, q.sojourn_quantile_s(0.95) * 1e3, 0.02, seed);
    assert_close("p99 sojourn (ms)", l.p99, q.sojourn_quantile_s(0.99) * 1e3, 0.02, seed);
    let pool = &summary.nodes["pool"];
    assert_close("utilisation", pool.utilisation.unwrap(), 0.8, 0.02, seed);
    // The time-averaged queue (Lq = λ Wq) and number in the node (L = λ W),
    // from Erlang C; the queue is the noisier (4%, the sojourn's 2% doubled:
    // Lq is the small difference L − 6.4).
    assert_close("mean queue length", pool.mean_queue_len.unwrap(), 6.4 * q.mean_wait_s(), 0.04, seed);
    assert_close("mean number in the node", pool.mean_in_system.unwrap(), q.mean_in_system(), 0.02, seed);
    assert_close("throughput (per s)", pool.throughput_per_s.unwrap(), 6.4, 0.02, seed);
}

#[test]
fn a_full_queue_drops_as_mm1k_says() {
    // One worker and room for K = 10 in the node (9 waiting): an M/M/1/K
    // queue, whose arrivals find it full with probability
    // (1 − ρ)ρ^K / (1 − ρ^(K+1)): 5.08% at ρ = 0.9. A full queue stays full
    // for a service or so, so drops come in runs of a few: some 10,000 runs
    // in 1,000,000 arrivals, a relative standard error near 1%; allowed 4%.
    let (rho, k) = (0.9f64, 10);
    let json = format!(
        r#"{{"version":1,"name":"mm1k","seed":3,"stop":{{"completed_requests":1000000}},
          "nodes":[{{"id":"c","kind":"client","arrivals":{{"process":"poisson","rate_per_s":{}}}}},
                   {{"id":"s","kind":"server","workers":1,"queue_capacity":{},"service_time":{{"dist":"exponential","mean_ms":10}}}}],
          "links":[{{"from":"c","to":"s"}}]}}"#,
        rho * 100.0,
        k - 1
    );
    let summary = Simulation::new(&scenario(&json)).run();
    let node = &summary.nodes["s"];
    let (done, dropped) = (node.completed.unwrap() as f64, node.dropped.unwrap() as f64);
    let want = (1.0 - rho) * rho.powi(k) / (1.0 - rho.powi(k + 1));
    assert_close("M/M/1/K blocking", dropped / (done + dropped), want, 0.04, 3);
    assert_eq!(summary.dropped, node.dropped.unwrap(), "the client saw each drop");
}

#[test]
fn littles_law_holds_at_the_server() {
    // L (time-averaged number in the server) = λ (its throughput) × W (mean
    // time in it), measured independently: L from time integrals, λ from
    // completions, W from per-request timestamps.
    let s = scenario(MM8_JSON).with_stop_requests(300_000).with_seed(11);
    let summary = Simulation::new(&s).run();
    let pool = &summary.nodes["pool"];
    let l = pool.mean_in_system.unwrap();
    let lambda = pool.throughput_per_s.unwrap();
    let w_s = pool.latency_ms.unwrap().mean / 1e3;
    assert_close("L vs λW", l, lambda * w_s, 0.01, 11);
    // And against theory, more loosely (300k requests).
    assert_close("L vs theory", l, MMc::new(8, 6.4, 1.0).mean_in_system(), 0.04, 11);
}

#[test]
fn random_routing_to_8_single_workers_behaves_as_8_mm1_queues() {
    let json = balanced("random", 8, 1, 6.4, 1000.0, r#"{"completed_requests":1000000}"#, "");
    let s = scenario(&json);
    let seed = s.spec.seed;
    let summary = Simulation::new(&s).run();
    let mm1 = MMc::new(1, 0.8, 1.0);
    // Pooled end-to-end latency: the mixture of 8 identical M/M/1 queues is
    // itself the M/M/1 sojourn distribution, Exp(μ − λ). Tolerance 4%: the
    // queues are strongly autocorrelated at rho 0.8 (see below), so even 1M
    // samples leave a standard error of ~1-1.5% on the tail quantiles.
    let l = summary.latency_ms;
    assert_close("mean", l.mean, mm1.mean_sojourn_s() * 1e3, 0.04, seed);
    assert_close("p50", l.p50, mm1.sojourn_quantile_s(0.5) * 1e3, 0.04, seed);
    assert_close("p95", l.p95, mm1.sojourn_quantile_s(0.95) * 1e3, 0.04, seed);
    assert_close("p99", l.p99, mm1.sojourn_quantile_s(0.99) * 1e3, 0.04, seed);
    // Per server, fewer samples and strong autocorrelation: an M/M/1 queue at
    // rho 0.8 relaxes over ~1/(mu (1 - sqrt rho)^2) = 90 s, so 125k requests
    // give a relative standard error of ~3-4% on the mean sojourn. 15% is
    // ~4 sigma; utilisation, a time average of a 0/1 state, is far tighter.
    for i in 1..=8 {
        let node = &summary.nodes[&format!("app-{i}")];
        assert_close(&format!("app-{i} utilisation"), node.utilisation.unwrap(), 0.8, 0.04, seed);
        assert_close(&format!("app-{i} mean sojourn"), node.latency_ms.unwrap().mean, 5000.0, 0.15, seed);
    }
    // One shared queue beats eight separate ones by a wide margin (the
    // "one queue or many" lesson): M/M/8 mean is about 1.28 s, not 5 s.
    assert!(l.mean > 3.0 * MMc::new(8, 6.4, 1.0).mean_sojourn_s() * 1e3);
}

#[test]
fn mm1_waiting_grows_as_one_over_one_minus_rho() {
    // The "why p99 explodes" curve: sojourn at rho 0.5, 0.8, 0.9 against 1/(μ−λ).
    for (rho, tol) in [(0.5, 0.03), (0.8, 0.05), (0.9, 0.08)] {
        let json = format!(
            r#"{{"version":1,"name":"mm1","seed":3,"stop":{{"completed_requests":400000}},
            "nodes":[{{"id":"c","kind":"client","arrivals":{{"process":"poisson","rate_per_s":{}}}}},
                     {{"id":"s","kind":"server","queue_capacity":1000000,"service_time":{{"dist":"exponential","mean_ms":10}}}}],
            "links":[{{"from":"c","to":"s"}}]}}"#,
            rho * 100.0
        );
        let summary = common::run(&json);
        let want = MMc::new(1, rho * 100.0, 0.01).mean_sojourn_s() * 1e3;
        assert_close(&format!("M/M/1 mean at rho {rho}"), summary.latency_ms.mean, want, tol, 3);
    }
}

/// One client with bursty arrivals (`on_s` at `rate`, `off_s` at
/// `off_rate`, repeating from 0) to a server that never queues, for `secs`.
fn bursty(rate: f64, on_s: f64, off_s: f64, off_rate: f64, secs: u32) -> Simulation {
    let json = format!(
        r#"{{"version":1,"name":"bursty","seed":5,"stop":{{"sim_time_s":{secs}}},
          "nodes":[{{"id":"c","kind":"client","arrivals":{{"process":"bursty","rate_per_s":{rate},"on_s":{on_s},"off_s":{off_s},"off_rate_per_s":{off_rate}}}}},
                   {{"id":"s","kind":"server","workers":1000,"service_time":{{"dist":"constant","mean_ms":1}}}}],
          "links":[{{"from":"c","to":"s"}}]}}"#
    );
    let mut sim = Simulation::new(&scenario(&json));
    sim.run();
    sim
}

/// Mean and sample variance.
fn mean_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    (mean, xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0))
}

#[test]
fn bursty_arrivals_are_poisson_within_each_phase() {
    // On 2 s at 1,000/s, off 3 s at 100/s, over 300 s: the one-second
    // windows [k, k+1) are on when k mod 5 < 2 (120 of them) and off
    // otherwise (180). Within a phase arrivals are Poisson (a gap that
    // crosses the phase's end is drawn again from there: memoryless), so a
    // window's count is Poisson(rate): its mean the rate (standard error
    // √(rate/n) over n windows) and its variance the mean too (an index of
    // dispersion of 1, standard error √(2/(n−1))). 5 standard errors each.
    let sim = bursty(1000.0, 2.0, 3.0, 100.0, 300);
    let sent: Vec<f64> = sim.series().iter().map(|w| w.sent as f64).collect();
    assert_eq!(sent.len(), 300);
    let on: Vec<f64> = sent.iter().enumerate().filter(|(k, _)| k % 5 < 2).map(|(_, &c)| c).collect();
    let off: Vec<f64> = sent.iter().enumerate().filter(|(k, _)| k % 5 >= 2).map(|(_, &c)| c).collect();
    for (phase, counts, rate) in [("on", on, 1000.0), ("off", off, 100.0)] {
        let n = counts.len() as f64;
        let (mean, var) = mean_var(&counts);
        assert!((mean - rate).abs() <= 5.0 * (rate / n).sqrt(), "{phase}: {mean:.1} a window, rate {rate}");
        let dispersion = var / mean;
        assert!(
            (dispersion - 1.0).abs() <= 5.0 * (2.0 / (n - 1.0)).sqrt(),
            "{phase}: variance/mean {dispersion:.2} over {n} windows, Poisson says 1"
        );
    }
    // Silent off phases send nothing at all.
    let sim = bursty(1000.0, 2.0, 3.0, 0.0, 60);
    for (k, w) in sim.series().iter().enumerate() {
        if k % 5 >= 2 {
            assert_eq!(w.sent, 0, "window {k} is off");
        } else {
            let sd = 1000f64.sqrt();
            assert!((w.sent as f64 - 1000.0).abs() <= 5.0 * sd, "window {k} is on: {}", w.sent);
        }
    }
}

/// The charts' windows add up to the run's totals: each window's
/// throughput × width is its completions, and its errors are its drops,
/// timeouts, refusals and resets, so over the run they sum to the
/// summary's counts.
#[test]
fn the_windows_add_up_to_the_summary() {
    // Two servers with short queues that give up on a request after 15 ms
    // of waiting; app-2 fails at 20.0011 s holding requests (resets), then
    // refuses until the health checks notice and app-1 alone is overloaded (drops and
    // timeouts) until app-2 is back at 40 s. Windows of 0.5 s, so that a
    // rate and a count differ.
    let server = |id: &str| {
        format!(
            r#"{{"id":"{id}","kind":"server","workers":4,"queue_capacity":20,"timeout_ms":15,
                "service_time":{{"dist":"exponential","mean_ms":5}}}}"#
        )
    };
    let text = format!(
        r#"{{"version":1,"name":"windows","seed":3,"stop":{{"sim_time_s":70}},"metrics":{{"window_s":0.5}},
          "nodes":[{{"id":"users","kind":"client","arrivals":{{"process":"poisson","rate_per_s":1200}}}},
                   {{"id":"lb","kind":"load_balancer","algorithm":"round_robin"}},{},{}],
          "links":[{{"from":"users","to":"lb"}},{{"from":"lb","to":"app-1"}},{{"from":"lb","to":"app-2"}}],
          "faults":[{{"at_s":20.0011,"fail":"app-2"}},{{"at_s":40,"recover":"app-2"}}]}}"#,
        server("app-1"),
        server("app-2")
    );
    let mut sim = Simulation::new(&scenario(&text));
    sim.step_until(70 * scalelab::sim::time::NS_PER_S);
    let windows: Vec<_> = sim.series().iter().copied().collect();
    assert_eq!(windows.len(), 140, "half-second windows, all closed at 70 s");
    let completed: f64 = windows.iter().map(|w| w.throughput_per_s() * w.width_s).sum();
    let errors: u64 = windows.iter().map(|w| w.errors()).sum();
    let sum = sim.summary();
    assert!((completed - sum.completed as f64).abs() < 1e-6 * sum.completed as f64, "{completed} vs {}", sum.completed);
    let summary_errors = sum.dropped + sum.timed_out + sum.refused + sum.reset;
    assert!(
        sum.dropped > 0 && sum.timed_out > 0 && sum.refused > 0 && sum.reset > 0,
        "drops, timeouts, refusals and resets: {sum:?}"
    );
    assert_eq!(errors, summary_errors);
}

/// The M/M/c line the charts draw comes from what each kind says of its
/// node (`OwnKind::queue_role`): a Poisson client and an exponential pool
/// make M/M/8 at ρ = 0.8; a constant rate, or a constant service time, is
/// no M/M/c; and a station is no source (nor a source a station).
#[test]
fn the_mmc_queue_is_what_the_kinds_say_their_nodes_are() {
    use scalelab::sim::theory::QueueRole;
    let roles = |json: &str| {
        let s = scenario(json);
        let sim = Simulation::new(&s);
        let role = |i: usize| s.node_specs[i].kind.queue_role(&sim.node_view(i as u32));
        (role(0), role(1))
    };
    let (users, pool) = roles(MM8_JSON);
    assert_eq!(users, Some(QueueRole::Arrivals { rate_per_s: 6.4 }));
    assert_eq!(pool, Some(QueueRole::Servers { workers: 8, mean_service_s: 1.0 }));
    let q = QueueRole::queue(users.unwrap(), pool.unwrap()).expect("M/M/8");
    assert!((q.utilisation() - 0.8).abs() < 1e-12, "ρ = {}", q.utilisation());
    assert_eq!(q.c, 8);
    assert!(QueueRole::queue(pool.unwrap(), users.unwrap()).is_none(), "a pool sends no arrivals");
    let constant = MM8_JSON.replace("\"poisson\"", "\"constant\"").replace("\"exponential\"", "\"constant\"");
    assert_eq!(roles(&constant), (None, None));
}
