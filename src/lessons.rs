//! What a preset's lesson is about, as data: the figure the lesson names,
//! the moment it names and which way is better ([`Figure`]); how to read
//! that figure from a run ([`read`]); and the A/B verdict, whose first
//! sentence is that figure, A against B, with the better one named
//! ([`verdict`]). The compare panel (`ui/compare.rs`) shows the verdict;
//! `tests/lessons.rs` reads each preset's figures at their moments and
//! checks the lesson's claim with the same declarations.
//!
//! A figure names nodes by id or kind and a view's figures by their labels,
//! never a family's types: the families in chunks (the URL shortener, chat)
//! are read through the generic parts of a node's view and samples, so
//! nothing here pulls their code into the main module.
//!
//! ```text
//!   Preset::figures ─► [Figure { name, of, at, better, unit }, …]
//!                         │           │   └ Moment::Run (so far) or Window(from, to)
//!                         │           └ Of: latency, errors, throughput, a node sample,
//!                         │                 a view's figure, a messaging count
//!   read(sim, figure) ────┴─► Option<f64>     (None: not readable at this moment)
//!   verdict(a, b, labels, figures) ─► "Peak queue at the chat servers (30–60 s): 0 with A, 6,081 with B: A lower. …"
//! ```

use crate::sim::Simulation;
use crate::sim::metrics::{LatencySummary, MessagingCounts};
use crate::sim::validate::NodeIdx;

/// Which nodes a figure sums over.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Nodes {
    Id(&'static str),
    Ids(&'static [&'static str]),
    /// Every node of this kind (`"chat_server"`, `"cache"`).
    Kind(&'static str),
}

/// A figure of a node's per-window sample ([`crate::sim::metrics::NodeSample`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stat {
    /// Busy fraction of its workers (averaged over the nodes).
    Utilisation,
    /// Its queue at the end of the window (summed over the nodes).
    Queue,
    /// Requests (deliveries, records) it finished (summed).
    Completed,
    /// Requests it turned away (summed).
    Dropped,
    /// Hits over lookups (averaged over the nodes that looked keys up).
    HitRatio,
    /// Its mean latency (over the nodes' requests; a client's is end to
    /// end); averaged over windows by their requests, it is the moment's
    /// exact mean.
    MeanMs,
}

/// How the windows of a moment make one number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Agg {
    /// The highest window.
    Max,
    /// The lowest window.
    Min,
    /// The mean over the windows (for latency: weighted by the requests).
    Mean,
    /// The sum over the windows.
    Sum,
    /// The sum over the windows, per second.
    PerS,
}

/// A messaging count ([`MessagingCounts`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Count {
    Produced,
    Acked,
    Failed,
    Lost,
    Duplicates,
    DeadLettered,
    Redelivered,
    Expired,
    Discarded,
}

impl Count {
    fn of(self, m: &MessagingCounts) -> u64 {
        match self {
            Count::Produced => m.produced,
            Count::Acked => m.acked,
            Count::Failed => m.failed,
            Count::Lost => m.lost,
            Count::Duplicates => m.duplicates,
            Count::DeadLettered => m.dead_lettered,
            Count::Redelivered => m.redelivered,
            Count::Expired => m.expired,
            Count::Discarded => m.discarded,
        }
    }
}

/// A latency quantile a summary holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantile {
    P50,
    P95,
    P99,
}

impl Quantile {
    fn of(self, l: &LatencySummary) -> f64 {
        match self {
            Quantile::P50 => l.p50,
            Quantile::P95 => l.p95,
            Quantile::P99 => l.p99,
        }
    }
}

/// What a figure measures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Of {
    /// End-to-end latency, quantile `q` of successful requests: over the
    /// run, the run's own histogram; over a window, the windows' quantiles
    /// made one by `agg`.
    Latency { q: Quantile, agg: Agg },
    /// Requests that ended in an error (dropped, timed out, refused, reset).
    Errors,
    /// Requests completed per second.
    Throughput,
    /// A sample figure of `nodes`, window by window, made one by `agg`.
    Sample { nodes: Nodes, stat: Stat, agg: Agg },
    /// A figure of the nodes' views by its label, summed over them (a
    /// ratio's node is one node): what it is now, so only readable over
    /// the run so far (the tests read it at a window's ends themselves).
    View { nodes: Nodes, label: &'static str },
    /// A messaging count so far (Kafka, RabbitMQ).
    Messaging(Count),
}

/// When a figure is read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Moment {
    /// The run so far.
    Run,
    /// Simulated seconds [from, to): the windows in it (those run so far).
    Window { from_s: f64, to_s: f64 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Lower,
    Higher,
}

/// How a figure's number is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// 12,345
    Count,
    /// 1,234 ms; 85.1 ms
    Ms,
    /// 1.95
    Ratio,
    /// 63.7%, for a fraction 0.637
    Fraction,
    /// 63.7%, for a figure already in percent
    Percent,
    /// 2,000/s
    PerS,
    /// 3.2 s
    Seconds,
}

/// A figure a lesson names: what, when, which way is better.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Figure {
    /// How a person reads it: "Peak queue at the chat servers".
    pub name: &'static str,
    pub of: Of,
    pub at: Moment,
    pub better: Better,
    pub unit: Unit,
}

fn indices(sim: &Simulation, nodes: Nodes) -> Vec<NodeIdx> {
    let sc = sim.scenario();
    let matches = |i: usize| match nodes {
        Nodes::Id(id) => sc.topology.ids[i] == id,
        Nodes::Ids(ids) => ids.contains(&sc.topology.ids[i].as_str()),
        Nodes::Kind(kind) => sc.node_specs[i].kind_name() == kind,
    };
    (0..sc.node_specs.len()).filter(|&i| matches(i)).map(|i| i as NodeIdx).collect()
}

/// The figure `label` of `nodes`' views now, summed (None if no node has it).
pub fn view_figure(sim: &Simulation, nodes: Nodes, label: &str) -> Option<f64> {
    let mut found = None;
    for i in indices(sim, nodes) {
        if let Some(f) = sim.node_view(i).figures.iter().find(|f| f.0 == label) {
            *found.get_or_insert(0.0) += f.1;
        }
    }
    found
}

/// The indices of the time series' windows that lie in the moment, and
/// the seconds they cover (None if none has been run yet).
fn windows(sim: &Simulation, at: Moment) -> Option<(Vec<usize>, f64)> {
    let (from, to) = match at {
        Moment::Run => (f64::NEG_INFINITY, f64::INFINITY),
        Moment::Window { from_s, to_s } => (from_s, to_s),
    };
    let mut idx = Vec::new();
    let mut seconds = 0.0;
    for (i, w) in sim.series().iter().enumerate() {
        // A window belongs to the moment if it starts in it (windows are
        // whole seconds by default, as moments are).
        if w.start_s >= from - 1e-9 && w.start_s < to - 1e-9 {
            idx.push(i);
            seconds += w.width_s;
        }
    }
    (!idx.is_empty()).then_some((idx, seconds))
}

fn aggregate(values: &[(f64, f64)], agg: Agg, seconds: f64) -> Option<f64> {
    // (value, weight) per window.
    if values.is_empty() {
        return None;
    }
    Some(match agg {
        Agg::Max => values.iter().map(|v| v.0).fold(f64::NEG_INFINITY, f64::max),
        Agg::Min => values.iter().map(|v| v.0).fold(f64::INFINITY, f64::min),
        Agg::Mean => {
            let weight: f64 = values.iter().map(|v| v.1).sum();
            if weight <= 0.0 {
                return None;
            }
            values.iter().map(|v| v.0 * v.1).sum::<f64>() / weight
        }
        Agg::Sum => values.iter().map(|v| v.0).sum(),
        Agg::PerS => values.iter().map(|v| v.0).sum::<f64>() / seconds.max(1e-9),
    })
}

/// `figure` of the run `sim` as it stands, or None where it cannot be read
/// now: a window not reached yet, nodes the scenario no longer has, a
/// view's figure over a window (a view is what a node is now).
pub fn read(sim: &Simulation, figure: &Figure) -> Option<f64> {
    match (figure.of, figure.at) {
        (Of::Latency { q, .. }, Moment::Run) => {
            let l = sim.latency();
            (l.count > 0).then_some(q.of(&l))
        }
        (Of::Errors, Moment::Run) => Some(sim.summary_counts().1 as f64),
        (Of::Throughput, Moment::Run) => {
            let secs = sim.now() as f64 / 1e9;
            (secs > 0.0).then(|| sim.summary_counts().0 as f64 / secs)
        }
        (Of::View { nodes, label }, Moment::Run) => view_figure(sim, nodes, label),
        (Of::View { .. }, Moment::Window { .. }) => None,
        (Of::Messaging(c), _) => sim.messaging().map(|m| c.of(&m) as f64),
        (Of::Latency { q, agg }, at) => {
            let (idx, seconds) = windows(sim, at)?;
            let values: Vec<(f64, f64)> = idx
                .iter()
                .filter_map(|&i| sim.series().get(i))
                .filter(|w| w.latency_ms.count > 0)
                .map(|w| (q.of(&w.latency_ms), w.latency_ms.count as f64))
                .collect();
            aggregate(&values, agg, seconds)
        }
        (Of::Errors, at) => {
            let (idx, _) = windows(sim, at)?;
            Some(idx.iter().filter_map(|&i| sim.series().get(i)).map(|w| w.errors() as f64).sum())
        }
        (Of::Throughput, at) => {
            let (idx, seconds) = windows(sim, at)?;
            let done: f64 = idx.iter().filter_map(|&i| sim.series().get(i)).map(|w| w.completed as f64).sum();
            Some(done / seconds)
        }
        (Of::Sample { nodes, stat, agg }, at) => {
            let (idx, seconds) = windows(sim, at)?;
            let nodes = indices(sim, nodes);
            if nodes.is_empty() {
                return None;
            }
            let mut values = Vec::with_capacity(idx.len());
            for &i in &idx {
                let samples: Vec<_> = nodes.iter().filter_map(|&n| sim.node_series(n).get(i)).collect();
                let sum =
                    |f: &dyn Fn(&crate::sim::metrics::NodeSample) -> f64| samples.iter().map(|s| f(s)).sum::<f64>();
                let value = match stat {
                    Stat::Utilisation => sum(&|s| s.utilisation) / samples.len().max(1) as f64,
                    Stat::Queue => sum(&|s| s.queue_len as f64),
                    Stat::Completed => sum(&|s| s.completed as f64),
                    Stat::Dropped => sum(&|s| s.dropped as f64),
                    Stat::MeanMs => {
                        let done: Vec<_> = samples.iter().filter(|s| s.latency_ms.count > 0).collect();
                        let count: f64 = done.iter().map(|s| s.latency_ms.count as f64).sum();
                        if done.is_empty() {
                            continue;
                        }
                        let mean =
                            done.iter().map(|s| s.latency_ms.mean * s.latency_ms.count as f64).sum::<f64>() / count;
                        values.push((mean, count));
                        continue;
                    }
                    Stat::HitRatio => {
                        let hits: Vec<f64> = samples.iter().filter_map(|s| s.hit_ratio).collect();
                        if hits.is_empty() {
                            continue;
                        }
                        hits.iter().sum::<f64>() / hits.len() as f64
                    }
                };
                values.push((value, 1.0));
            }
            aggregate(&values, agg, seconds)
        }
    }
}

/// The verdict's figures of kinds in the main module (a chunk family's
/// kinds name theirs through `OwnKind::verdict_figures`): (view label,
/// how the verdict says it).
const MAIN_KIND_FIGURES: &[(&str, &[(&str, &str)])] =
    &[("sharded_store", &[("Load max/mean", "Load max/mean"), ("Keys moved by the last change %", "keys moved %")])];

/// `x` with a comma every three digits (rounded to a whole number).
pub fn thousands(x: f64) -> String {
    let n = x.round().abs() as u64;
    let s = n.to_string();
    let mut out = String::from(if x.round() < 0.0 { "-" } else { "" });
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A kind's figure in the verdict's older lines: a whole number as it is
/// (no separators), anything else with two decimals.
fn plain(x: f64) -> String {
    if x.fract() == 0.0 { format!("{x:.0}") } else { format!("{x:.2}") }
}

/// `x` as a person reads it: no float noise, at most `decimals` places,
/// trailing zeros dropped (4.800000000000001 → "4.8", 2000 → "2,000").
pub fn rounded(x: f64, decimals: usize) -> String {
    if (x - x.round()).abs() < 0.5 * 10f64.powi(-(decimals as i32)) || x.abs() >= 1000.0 {
        return thousands(x);
    }
    let s = format!("{x:.decimals$}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A figure's number in its unit.
pub fn format(x: f64, unit: Unit) -> String {
    match unit {
        Unit::Count => thousands(x),
        Unit::Ms if x >= 100.0 => format!("{} ms", thousands(x)),
        Unit::Ms => format!("{} ms", rounded(x, 1)),
        Unit::Ratio => format!("{x:.2}"),
        Unit::Fraction => format!("{}%", rounded(x * 100.0, 1)),
        Unit::Percent => format!("{}%", rounded(x, 1)),
        Unit::PerS => format!("{}/s", rounded(x, 1)),
        Unit::Seconds => format!("{} s", rounded(x, 1)),
    }
}

/// "30–60 s" for a window; nothing for the run so far.
fn moment_text(at: Moment) -> String {
    match at {
        Moment::Run => String::new(),
        Moment::Window { from_s, to_s } => format!(" ({}–{} s)", rounded(from_s, 1), rounded(to_s, 1)),
    }
}

/// "Records lost: 29 with acks=1, 0 with acks=all; acks=all lower" — one
/// figure of both runs, the better named (None if either cannot be read).
fn compare_figure(a: &Simulation, b: &Simulation, label_a: &str, label_b: &str, f: &Figure) -> Option<String> {
    let (va, vb) = (read(a, f)?, read(b, f)?);
    let head = format!(
        "{}{}: {} with {label_a}, {} with {label_b}",
        f.name,
        moment_text(f.at),
        format(va, f.unit),
        format(vb, f.unit)
    );
    let (hi, lo) = (va.max(vb), va.min(vb));
    let a_better = match f.better {
        Better::Lower => va < vb,
        Better::Higher => va > vb,
    };
    let better = if a_better { label_a } else { label_b };
    let word = match f.better {
        Better::Lower => "lower",
        Better::Higher => "higher",
    };
    Some(if hi <= 0.0 || (hi - lo) <= 0.01 * hi.abs() {
        format!("{head}: about the same")
    } else if lo <= 0.0 {
        format!("{head}: {better} {word}")
    } else if f.better == Better::Higher && hi / lo >= 2.0 {
        format!("{head}: {better} {:.1}× {word}", hi / lo)
    } else if f.better == Better::Higher {
        format!("{head}: {better} {:.0}% {word}", (hi / lo - 1.0) * 100.0)
    } else {
        format!("{head}: {better} {:.0}% {word}", (1.0 - lo / hi) * 100.0)
    })
}

/// The A/B verdict. Its first sentence is the lesson's first figure (when
/// `figures` come from the preset being compared and its moment has come),
/// A against B with the better one named; then the lesson's other figures,
/// p99 over the run, and what each family says matters (records lost and
/// duplicated, a store's balance and moved keys, a chunk family's own
/// figures), in the words and number formats the verdict has always used
/// (the end-to-end tests read them). None until there is something to say.
pub fn verdict(a: &Simulation, b: &Simulation, label_a: &str, label_b: &str, figures: &[Figure]) -> Option<String> {
    // Runs every frame while comparing: reads only what it names.
    let mut parts: Vec<String> = figures.iter().filter_map(|f| compare_figure(a, b, label_a, label_b, f)).collect();
    let (pa, pb) = (a.latency(), b.latency());
    if pa.count >= 100 && pb.count >= 100 {
        let (better, worse, lo, hi) =
            if pb.p99 <= pa.p99 { (label_b, label_a, pb.p99, pa.p99) } else { (label_a, label_b, pa.p99, pb.p99) };
        let pct = if hi > 0.0 { (1.0 - lo / hi) * 100.0 } else { 0.0 };
        parts.push(if pct < 1.0 {
            format!("{better} and {worse}: p99 within 1% ({lo:.1} ms vs {hi:.1} ms)")
        } else {
            format!("{better}: p99 {pct:.0}% lower than {worse} ({lo:.1} ms vs {hi:.1} ms)")
        });
    } else if parts.is_empty() {
        return None;
    }
    // Messaging: what each variant lost or did twice (unless the lesson
    // already said).
    let named_messaging = figures.iter().any(|f| matches!(f.of, Of::Messaging(_)));
    if let (Some(ma), Some(mb), false) = (a.messaging(), b.messaging(), named_messaging) {
        parts.push(format!(
            "Records lost: {} with {label_a}, {} with {label_b}; duplicates: {} and {}",
            ma.lost, mb.lost, ma.duplicates, mb.duplicates
        ));
    }
    // The figures kinds name for a verdict (a store's balance and moved
    // keys, the shortener's failed writes and collisions, chat's
    // deliveries), each kind once.
    let mut kinds: Vec<(&'static str, &'static [(&'static str, &'static str)])> = Vec::new();
    for spec in &a.scenario().node_specs {
        let kind = spec.kind_name();
        if kinds.iter().any(|k| k.0 == kind) {
            continue;
        }
        let named = match spec {
            crate::sim::spec::NodeSpec::Own(o) => o.kind.verdict_figures(),
            _ => MAIN_KIND_FIGURES.iter().find(|k| k.0 == kind).map_or(&[][..], |k| k.1),
        };
        kinds.push((kind, named));
    }
    for (kind, named) in kinds {
        let mut part = String::new();
        for &(label, word) in named {
            let (Some(fa), Some(fb)) =
                (view_figure(a, Nodes::Kind(kind), label), view_figure(b, Nodes::Kind(kind), label))
            else {
                continue;
            };
            // "keys moved %" is written "keys moved: 18.5% and 83.2%"; a
            // count as a whole number, a ratio with two decimals.
            let (word, fa, fb) = match word.strip_suffix(" %") {
                Some(w) => (w, format!("{fa:.1}%"), format!("{fb:.1}%")),
                None => (word, plain(fa), plain(fb)),
            };
            if part.is_empty() {
                // A sentence of its own: the kind's word may start in lower case.
                let mut c = word.chars();
                let word: String = c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect());
                part = format!("{word}: {fa} with {label_a}, {fb} with {label_b}");
            } else {
                part += &format!("; {word}: {fa} and {fb}");
            }
        }
        if !part.is_empty() {
            parts.push(part);
        }
    }
    Some(parts.join(". "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_a_person_reads_them() {
        assert_eq!(rounded(6.4 * 0.75, 2), "4.8");
        assert_eq!(rounded(6.4 * 1.25, 2), "8");
        assert_eq!(rounded(2_000.0, 2), "2,000");
        assert_eq!(rounded(0.126, 2), "0.13");
        assert_eq!(thousands(1_124_003.0), "1,124,003");
        assert_eq!(format(2_642.9, Unit::Ms), "2,643 ms");
        assert_eq!(format(85.14, Unit::Ms), "85.1 ms");
        assert_eq!(format(0.6381, Unit::Fraction), "63.8%");
        assert_eq!(format(1_998.9, Unit::PerS), "1,999/s");
    }
}
