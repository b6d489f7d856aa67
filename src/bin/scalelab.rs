//! `scalelab`: the native command-line tool. Runs scenario files headless,
//! validates them, lists presets, and benchmarks the engine.
//!
//! Exit codes: 0 success, 1 I/O or usage error, 2 invalid scenario.

use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};
use serde::Serialize;

use scalelab::families::FAMILIES;
use scalelab::sim::Summary;
use scalelab::{Scenario, Simulation, presets};

/// Counts live heap bytes (the seek bench's checkpoints are bounded by them).
#[global_allocator]
static ALLOC: scalelab::meter::Counting = scalelab::meter::Counting;

#[derive(Parser)]
#[command(name = "scalelab", version, about = "Scale Lab: run system-design scenarios headless")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario file (or a preset id) to its stop condition and print the summary.
    Run {
        /// Path to a scenario JSON file, or the id of a preset (see `scalelab presets`).
        file: String,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
        /// Override the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Check a scenario file and list every problem.
    Validate { file: String },
    /// List the preset scenarios.
    Presets {
        /// Print a JSON array of `{id, family, title, lesson, scenario, compare}` instead
        /// (`compare`: `{b}`, the edit that makes variant B, or null).
        #[arg(long)]
        json: bool,
    },
    /// Benchmark the engine: the M/M/8 preset, 1,000,000 requests.
    Bench {
        /// Requests per run.
        #[arg(long, default_value_t = 1_000_000)]
        requests: u64,
        /// Timed runs (the best and the median are reported).
        #[arg(long, default_value_t = 3)]
        runs: u32,
        /// Instead: simulate 1 hour at 10,000 requests/s and report peak memory.
        #[arg(long)]
        memory: bool,
        /// With --memory: this scenario file instead (a replicated
        /// database's ledger: tests/bench/replication-hour-10k-writes.json).
        #[arg(long, requires = "memory")]
        scenario: Option<String>,
        /// Instead: run 1 hour at 10,000 requests/s with checkpoints and time seeks back.
        #[arg(long)]
        seek: bool,
        /// Instead: hash-ring lookups, 10 nodes x 1,000 virtual nodes.
        #[arg(long)]
        ring: bool,
        /// Instead: 1,000,000 Kafka records through 3 brokers, 12 partitions
        /// (replication 3), read by two consumer groups.
        #[arg(long)]
        kafka: bool,
    },
}

/// `scalelab run --json` output: the deterministic summary plus wall-clock figures.
#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    summary: &'a Summary,
    wall_s: f64,
    events_per_s: f64,
}

fn load(file: &str) -> Result<Scenario, ExitCode> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => match presets::by_id(file) {
            Some(p) => p.json().to_string(),
            None => {
                eprintln!("scalelab: cannot read `{file}`: {e} (and it is not a preset id; see `scalelab presets`)");
                return Err(ExitCode::from(1));
            }
        },
    };
    Scenario::from_json(&text).map_err(|e| {
        eprint!("scalelab: {file}: {e}");
        ExitCode::from(2)
    })
}

fn timed_run(scenario: &Scenario) -> (Summary, f64) {
    let started = Instant::now();
    let summary = Simulation::new(scenario).run();
    (summary, started.elapsed().as_secs_f64())
}

/// Like [`timed_run`] but stepped as the app steps it: the trace the
/// animation reads is kept.
fn timed_animated(scenario: &Scenario) -> (Summary, f64) {
    let started = Instant::now();
    let mut sim = Simulation::new(scenario);
    while sim.step() {}
    let summary = sim.summary();
    (summary, started.elapsed().as_secs_f64())
}

fn print_table(s: &Summary, wall_s: f64) {
    println!("{} (seed {})", s.scenario, s.seed);
    println!(
        "  simulated {:.1} s in {:.3} s wall: {} events, {:.2} M events/s",
        s.sim_time_s,
        wall_s,
        s.events,
        s.events as f64 / wall_s / 1e6
    );
    println!(
        "  requests: {} sent, {} completed, {} dropped, {} timed out, {} refused, {} reset",
        s.sent, s.completed, s.dropped, s.timed_out, s.refused, s.reset
    );
    if s.lost > 0 {
        println!("  messages lost to partitions: {} (sent across a cut; see the timeline's `partition`)", s.lost);
    }
    let l = s.latency_ms;
    println!(
        "  latency ms: mean {:.3}  p50 {:.3}  p95 {:.3}  p99 {:.3}  max {:.3}   throughput {:.1}/s",
        l.mean, l.p50, l.p95, l.p99, l.max, s.throughput_per_s
    );
    println!(
        "  {:<14} {:<14} {:>10} {:>8} {:>8} {:>8} {:>10}",
        "node", "kind", "completed", "dropped", "util", "L", "p99 ms"
    );
    for (id, n) in &s.nodes {
        let opt = |v: Option<f64>, prec: usize| v.map_or("-".to_string(), |v| format!("{v:.prec$}"));
        println!(
            "  {:<14} {:<14} {:>10} {:>8} {:>8} {:>8} {:>10}{}",
            id,
            n.kind,
            n.completed.map_or("-".into(), |v| v.to_string()),
            n.dropped.map_or("-".into(), |v| v.to_string()),
            opt(n.utilisation, 3),
            opt(n.mean_in_system, 2),
            opt(n.latency_ms.map(|l| l.p99), 3),
            if n.up { "" } else { "  (down)" }
        );
    }
    // Each kind's own figures (a cache's hits, a URL table's rows…), a
    // few to a line.
    for (id, n) in &s.nodes {
        if n.figures.is_empty() {
            continue;
        }
        let parts: Vec<String> = n
            .figures
            .iter()
            .map(|(name, f)| match f {
                scalelab::sim::family::Figure::Count(c) => format!("{name} {c}"),
                scalelab::sim::family::Figure::Value(v) => format!("{name} {v:.3}"),
            })
            .collect();
        for (i, chunk) in parts.chunks(6).enumerate() {
            let head = if i == 0 { format!("{id}:") } else { String::new() };
            println!("  {head:<15} {}", chunk.join(", "));
        }
    }
    // What a family's kind prints of its own summary (a store's shards).
    for (id, n) in &s.nodes {
        for line in scalelab::families::own_kind(n.kind).map_or_else(Vec::new, |k| k.summary_text(id, n)) {
            println!("  {line}");
        }
    }
}

/// Peak resident memory of this process, in MB (Linux only).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn bench(requests: u64, runs: u32) {
    let scenario =
        Scenario::from_json(presets::MM8_JSON).expect("the M/M/8 preset is valid").with_stop_requests(requests);
    println!(
        "bench: M/M/8 at rho = 0.8, {requests} requests, {runs} runs (native, {} build)",
        if cfg!(debug_assertions) { "debug" } else { "optimised" }
    );
    let mut rates = Vec::new();
    for i in 0..runs.max(1) {
        let (s, wall) = timed_run(&scenario);
        let rate = s.events as f64 / wall;
        println!("  run {}: {} events in {:.3} s = {:.2} M events/s", i + 1, s.events, wall, rate / 1e6);
        rates.push(rate);
    }
    rates.sort_by(f64::total_cmp);
    println!("events_per_s best {:.0} median {:.0}", rates[rates.len() - 1], rates[rates.len() / 2]);
    // The yardstick: the same model, hand-written (`sim::baseline`), in
    // requests per second against the engine's best run.
    let (mut engine_rps, mut animated_rps) = (0.0f64, 0.0f64);
    let mut baseline_rps = 0.0f64;
    // Each round's engine run over the same round's baseline run (a second
    // or so apart): steadier than the ratio of bests on a machine whose
    // speed drifts.
    let mut paired = Vec::new();
    for _ in 0..runs.max(1) {
        let (s, wall) = timed_run(&scenario);
        let round_rps = s.completed as f64 / wall;
        engine_rps = engine_rps.max(round_rps);
        let (s, wall) = timed_animated(&scenario);
        animated_rps = animated_rps.max(s.completed as f64 / wall);
        let started = Instant::now();
        let b = scalelab::sim::baseline::mmc(8, 6.4, 1000.0, requests, scenario.spec.seed);
        let wall = started.elapsed().as_secs_f64();
        std::hint::black_box(b.mean_sojourn_ms);
        baseline_rps = baseline_rps.max(b.completed as f64 / wall);
        paired.push(round_rps / (b.completed as f64 / wall));
    }
    paired.sort_by(f64::total_cmp);
    println!(
        "requests_per_s engine {:.0} hand-written baseline {:.0} ratio {:.2} (best of {} each)",
        engine_rps,
        baseline_rps,
        engine_rps / baseline_rps,
        runs.max(1)
    );
    println!(
        "requests_per_s animated (stepped as the app steps it, trace kept) {:.0} ratio {:.2}",
        animated_rps,
        animated_rps / baseline_rps
    );
    println!(
        "paired engine/baseline per round: median {:.2} min {:.2} max {:.2}",
        paired[paired.len() / 2],
        paired[0],
        paired[paired.len() - 1]
    );
}

fn bench_ring() {
    let mut ring = scalelab::HashRing::new(1_000);
    for i in 0..10 {
        ring.add_node(&format!("node-{i}"));
    }
    let n: u64 = 10_000_000;
    let started = Instant::now();
    let mut checksum = 0usize;
    for k in 0..n {
        checksum += ring.node_for(&k.to_le_bytes()).map_or(0, str::len);
    }
    let wall = started.elapsed().as_secs_f64();
    std::hint::black_box(checksum);
    println!(
        "bench ring: {n} lookups on 10 nodes x 1,000 vnodes in {wall:.3} s = {:.1} M lookups/s",
        n as f64 / wall / 1e6
    );
}

fn bench_kafka(runs: u32) {
    let consumer = |id: &str, group: &str| {
        format!(
            r#"{{"id":"{id}","kind":"kafka_consumer","topic":"events","group":"{group}","max_poll_records":500,
               "processing_time":{{"dist":"constant","mean_ms":0.01}}}}"#
        )
    };
    let ids = ["a-1", "a-2", "a-3", "b-1", "b-2", "b-3"];
    let consumers: Vec<String> = ids.iter().map(|id| consumer(id, &id[..1])).collect();
    let links: Vec<String> = ["producer"]
        .iter()
        .chain(&ids)
        .map(|id| format!(r#"{{"from":"{id}","to":"kafka","latency_ms":0.5}}"#))
        .collect();
    let text = format!(
        r#"{{"version":1,"name":"1,000,000 Kafka records","seed":1,"stop":{{"sim_time_s":10}},
          "nodes":[{{"id":"kafka","kind":"kafka_cluster","brokers":3,
                     "topics":[{{"name":"events","partitions":12,"replication_factor":3,"min_insync_replicas":2}}]}},
                   {{"id":"producer","kind":"kafka_producer","topic":"events","acks":"all","linger_ms":5,
                     "arrivals":{{"process":"constant","rate_per_s":100000}},"keys":{{"dist":"uniform","n_keys":100000}}}},
                   {}],
          "links":[{}]}}"#,
        consumers.join(","),
        links.join(",")
    );
    let scenario = Scenario::from_json(&text).expect("the Kafka bench scenario is valid");
    let mut rates = Vec::new();
    for i in 0..runs.max(1) {
        let (s, wall) = timed_run(&scenario);
        let m = s.messaging.expect("a messaging run");
        let rate = m.produced as f64 / wall;
        println!(
            "  run {}: {} records produced, {} acked, {} processed by 2 groups, {} events in {:.3} s = {:.2} M records/s",
            i + 1,
            m.produced,
            m.acked,
            s.completed,
            s.events,
            wall,
            rate / 1e6
        );
        rates.push(rate);
    }
    rates.sort_by(f64::total_cmp);
    println!("kafka records_per_s best {:.0} median {:.0}", rates[rates.len() - 1], rates[rates.len() / 2]);
}

/// One hour at 10,000 requests/s through a balancer and four servers: the
/// memory and seek benches' scenario (and the seek end-to-end test's).
const HOUR_AT_10K_JSON: &str = include_str!("../../tests/e2e/hour-at-10k.json");

fn bench_memory(scenario: &Scenario) {
    let (s, wall) = timed_run(scenario);
    println!(
        "bench memory: {} requests, {} events, {:.1} s simulated in {:.1} s wall ({:.2} M events/s)",
        s.sent,
        s.events,
        s.sim_time_s,
        wall,
        s.events as f64 / wall / 1e6
    );
    match peak_rss_mb() {
        Some(mb) => println!("peak_rss_mb {mb:.1}"),
        None => println!("peak_rss_mb unavailable on this platform"),
    }
}

/// Seeks through checkpoints: run to 10 min as the UI does, go back to
/// 9 min; run on to the end of the hour, go back to a spread of times.
fn bench_seek() {
    use scalelab::sim::checkpoint::Checkpoints;
    use scalelab::sim::time::NS_PER_S;
    let scenario = Scenario::from_json(HOUR_AT_10K_JSON).expect("the seek bench scenario is valid");
    let mut sim = Simulation::new(&scenario);
    let mut cps = Checkpoints::metered(scalelab::meter::live_bytes, scalelab::sim::checkpoint::DEFAULT_BUDGET_BYTES);
    let run_to = |cps: &mut Checkpoints, sim: &mut Simulation, t_s: u64| {
        let started = Instant::now();
        cps.advance(sim, t_s * NS_PER_S, u64::MAX);
        println!(
            "bench seek: ran to {t_s} s ({} events) in {:.2} s wall; {} checkpoints (every {} events)",
            sim.events(),
            started.elapsed().as_secs_f64(),
            cps.len(),
            cps.every()
        );
    };
    run_to(&mut cps, &mut sim, 600);
    let seek = |cps: &Checkpoints, sim: &Simulation, t_s: u64| {
        let started = Instant::now();
        let mut back = cps.restore(t_s * NS_PER_S, sim.scenario()).unwrap_or_else(|| Simulation::new(&scenario));
        let from = back.now();
        back.step_until(t_s * NS_PER_S);
        (started.elapsed().as_secs_f64(), from as f64 / NS_PER_S as f64)
    };
    let (wall, from) = seek(&cps, &sim, 540);
    println!("seek_back_600_to_540_s {wall:.3} s wall (from the checkpoint at {from:.1} s)");
    run_to(&mut cps, &mut sim, 3_600);
    let mut worst: (f64, u64) = (0.0, 0);
    for t_s in (30..3_600).step_by(97) {
        let (wall, _) = seek(&cps, &sim, t_s);
        if wall > worst.0 {
            worst = (wall, t_s);
        }
    }
    let (wall, _) = seek(&cps, &sim, 3_599);
    println!(
        "seek_back_3600_to_3599_s {wall:.3} s wall; worst over 37 times from the end {:.3} s (to {} s)",
        worst.0, worst.1
    );
    println!(
        "checkpoints {} taking {:.1} MB ({:.2} MB each)",
        cps.len(),
        cps.bytes() as f64 / 1e6,
        cps.bytes() as f64 / 1e6 / cps.len().max(1) as f64
    );
    match peak_rss_mb() {
        Some(mb) => println!("peak_rss_mb {mb:.1} (run, checkpoints and one restored copy)"),
        None => println!("peak_rss_mb unavailable on this platform"),
    }
}

/// A closed output pipe (`scalelab presets | head`) ends the program
/// quietly, as Unix tools do. Rust ignores SIGPIPE by default, so a write to
/// a closed pipe fails and `println!` panics with a backtrace instead.
#[cfg(unix)]
fn end_quietly_when_the_pipe_closes() {
    // SAFETY: restores the default action of one signal, at start-up,
    // before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    #[cfg(unix)]
    end_quietly_when_the_pipe_closes();
    let cli = Cli::parse();
    match cli.command {
        Command::Run { file, json, seed } => {
            let mut scenario = match load(&file) {
                Ok(s) => s,
                Err(code) => return code,
            };
            if let Some(seed) = seed {
                scenario = scenario.with_seed(seed);
            }
            let (summary, wall_s) = timed_run(&scenario);
            if json {
                let report =
                    Report { summary: &summary, wall_s, events_per_s: summary.events as f64 / wall_s.max(1e-9) };
                println!("{}", serde_json::to_string_pretty(&report).expect("reports serialize"));
            } else {
                print_table(&summary, wall_s);
            }
        }
        Command::Validate { file } => match load(&file) {
            Ok(s) => println!(
                "{file}: valid ({} nodes, {} links, {} timeline entries)",
                s.topology.ids.len(),
                s.topology.links.len(),
                s.timeline.len()
            ),
            Err(code) => return code,
        },
        Command::Presets { json: false } => {
            for family in FAMILIES.iter().filter(|f| !f.presets.is_empty()) {
                println!("# {}", family.title);
                for p in family.presets {
                    println!("{:<26} {}\n{:<26} {}", p.id, p.title, "", p.lesson);
                }
            }
        }
        Command::Presets { json: true } => {
            let list: Vec<serde_json::Value> = FAMILIES
                .iter()
                .flat_map(|f| f.presets.iter().map(move |p| (f, p)))
                .map(|(f, p)| {
                    let scenario: serde_json::Value = serde_json::from_str(p.json()).expect("presets are JSON");
                    // Variant B of a preset that opens as an A/B comparison.
                    let compare = scalelab::families::lesson_of(p)
                        .and_then(|l| l.compare_b)
                        .map(|b| serde_json::json!({ "b": b() }));
                    serde_json::json!({"id": p.id, "family": f.id, "title": p.title, "lesson": p.lesson, "scenario": scenario, "compare": compare})
                })
                .collect();
            println!("{}", serde_json::Value::Array(list));
        }
        Command::Bench { requests, runs, memory, scenario, seek, ring, kafka } => {
            if memory {
                let text = match scenario.as_deref().map(std::fs::read_to_string) {
                    None => HOUR_AT_10K_JSON.to_string(),
                    Some(Ok(text)) => text,
                    Some(Err(e)) => {
                        eprintln!("cannot read {}: {e}", scenario.as_deref().unwrap_or_default());
                        return ExitCode::FAILURE;
                    }
                };
                match Scenario::from_json(&text) {
                    Ok(s) => bench_memory(&s),
                    Err(e) => {
                        eprintln!("{e}");
                        return ExitCode::FAILURE;
                    }
                }
            } else if seek {
                bench_seek();
            } else if ring {
                bench_ring();
            } else if kafka {
                bench_kafka(runs);
            } else {
                bench(requests, runs);
            }
        }
    }
    ExitCode::SUCCESS
}
