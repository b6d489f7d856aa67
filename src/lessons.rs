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
//!   Lesson::figures ─► [Figure { name, of, at, better, unit }, …]
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
    /// Every node of this kind (`"chat_server"`, `"url_app"`).
    Kind(&'static str),
    /// Every node (for a figure only some kinds report, such as a hit
    /// ratio: the nodes without it are left out).
    All,
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
    Lost,
    Duplicates,
    DeadLettered,
    Expired,
    Discarded,
}

impl Count {
    fn of(self, m: &MessagingCounts) -> u64 {
        match self {
            Count::Lost => m.lost,
            Count::Duplicates => m.duplicates,
            Count::DeadLettered => m.dead_lettered,
            Count::Expired => m.expired,
            Count::Discarded => m.discarded,
        }
    }
}

/// A latency quantile a summary holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantile {
    P50,
    P99,
}

impl Quantile {
    fn of(self, l: &LatencySummary) -> f64 {
        match self {
            Quantile::P50 => l.p50,
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
    Window { from_s: u32, to_s: u32 },
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
        Nodes::All => true,
    };
    (0..sc.node_specs.len()).filter(|&i| matches(i)).map(|i| i as NodeIdx).collect()
}

/// The figure `label` of `nodes`' views now, summed (None if no node has it).
pub fn view_figure(sim: &Simulation, nodes: Nodes, label: &str) -> Option<f64> {
    let mut found = None;
    for i in indices(sim, nodes) {
        if let Some(f) = sim.node_view(i).figure(label) {
            *found.get_or_insert(0.0) += f;
        }
    }
    found
}

/// Windows made one number: each window adds its value and weight.
#[derive(Default)]
struct Acc {
    n: u32,
    max: f64,
    min: f64,
    sum: f64,
    weighted: f64,
    weight: f64,
    seconds: f64,
}

impl Acc {
    fn add(&mut self, value: f64, weight: f64) {
        if self.n == 0 || value > self.max {
            self.max = value;
        }
        if self.n == 0 || value < self.min {
            self.min = value;
        }
        self.n += 1;
        self.sum += value;
        self.weighted += value * weight;
        self.weight += weight;
    }

    fn get(&self, agg: Agg) -> Option<f64> {
        (self.n > 0).then_some(match agg {
            Agg::Max => self.max,
            Agg::Min => self.min,
            Agg::Mean if self.weight > 0.0 => self.weighted / self.weight,
            Agg::Mean => return None,
            Agg::Sum => self.sum,
            Agg::PerS => self.sum / self.seconds.max(1e-9),
        })
    }
}

/// Whether a window starting at `start_s` belongs to the moment (windows
/// are whole seconds by default, as moments are).
fn in_moment(at: Moment, start_s: f64) -> bool {
    match at {
        Moment::Run => true,
        Moment::Window { from_s, to_s } => start_s >= f64::from(from_s) && start_s < f64::from(to_s),
    }
}

/// `figure` of the run `sim` as it stands, or None where it cannot be read
/// now: a window not reached yet, nodes the scenario no longer has, a
/// view's figure over a window (a view is what a node is now).
pub fn read(sim: &Simulation, figure: &Figure) -> Option<f64> {
    let at = figure.at;
    let (done, errors) = sim.summary_counts();
    let secs = sim.now() as f64 / 1e9;
    // The run so far, where a run-wide count says it exactly.
    match (figure.of, at) {
        (Of::Latency { q, .. }, Moment::Run) => {
            let l = sim.latency();
            return (l.count > 0).then_some(q.of(&l));
        }
        (Of::Errors, Moment::Run) => return Some(errors as f64),
        (Of::Throughput, Moment::Run) => return (secs > 0.0).then_some(done as f64 / secs),
        (Of::View { nodes, label }, Moment::Run) => return view_figure(sim, nodes, label),
        (Of::View { .. }, Moment::Window { .. }) => return None,
        (Of::Messaging(c), _) => return sim.messaging().map(|m| c.of(&m) as f64),
        _ => {}
    }
    let nodes = match figure.of {
        Of::Sample { nodes, .. } => indices(sim, nodes),
        _ => Vec::new(),
    };
    let mut acc = Acc::default();
    for (i, w) in sim.series().iter().enumerate().filter(|(_, w)| in_moment(at, w.start_s)) {
        acc.seconds += w.width_s;
        let l = &w.latency_ms;
        let (value, weight) = match figure.of {
            Of::Latency { q, .. } if l.count > 0 => (q.of(l), l.count as f64),
            Of::Latency { .. } => continue,
            Of::Errors => (w.errors() as f64, 1.0),
            Of::Throughput => (w.completed as f64, 1.0),
            Of::Sample { stat, .. } => {
                // The nodes' samples of this window, made one.
                let (mut sum, mut count, mut hits, mut ms, mut done) = (0.0, 0.0, 0.0, 0.0, 0.0);
                for &n in &nodes {
                    let Some(s) = sim.node_series(n).get(i) else { continue };
                    count += 1.0;
                    sum += match stat {
                        Stat::Utilisation => s.utilisation,
                        Stat::Queue => s.queue_len as f64,
                        Stat::Completed => s.completed as f64,
                        _ => 0.0,
                    };
                    if let Some(h) = s.hit_ratio {
                        hits += 1.0;
                        sum += if stat == Stat::HitRatio { h } else { 0.0 };
                    }
                    ms += s.latency_ms.mean * s.latency_ms.count as f64;
                    done += s.latency_ms.count as f64;
                }
                match stat {
                    _ if count == 0.0 => continue,
                    Stat::Utilisation => (sum / count, 1.0),
                    Stat::HitRatio if hits > 0.0 => (sum / hits, 1.0),
                    Stat::MeanMs if done > 0.0 => (ms / done, done),
                    Stat::HitRatio | Stat::MeanMs => continue,
                    _ => (sum, 1.0),
                }
            }
            Of::View { .. } | Of::Messaging(_) => return None,
        };
        acc.add(value, weight);
    }
    let agg = match figure.of {
        Of::Latency { agg, .. } | Of::Sample { agg, .. } => agg,
        Of::Throughput => Agg::PerS,
        _ => Agg::Sum,
    };
    if matches!(figure.of, Of::Sample { .. }) && nodes.is_empty() {
        return None;
    }
    // A moment with no window yet (it lies ahead) reads nothing; one whose
    // windows hold no latency reads nothing either.
    if acc.seconds == 0.0 {
        return None;
    }
    match (figure.of, acc.n) {
        (Of::Errors | Of::Throughput, _) => Some(acc.get(agg).unwrap_or(0.0)),
        _ => acc.get(agg),
    }
}

/// `x` with a comma every three digits (rounded to a whole number; 0 for
/// a negative `x`: the figures are counts, times and rates).
pub fn thousands(x: f64) -> String {
    crate::format::thousands(x.round().max(0.0) as u64)
}

/// A kind's figure in the verdict's older lines: a whole number as it is
/// (no separators), anything else with two decimals.
fn plain(x: f64) -> String {
    if x.fract() == 0.0 { format!("{x:.0}") } else { format!("{x:.2}") }
}

/// `x` as a person reads it: no float noise, at most `decimals` places,
/// trailing zeros dropped (4.800000000000001 → "4.8", 2000 → "2,000").
pub fn rounded(x: f64, decimals: i32) -> String {
    let scale = 10f64.powi(decimals);
    if ((x * scale).round() / scale).fract() == 0.0 || x.abs() >= 1000.0 {
        return thousands(x);
    }
    crate::format::trimmed(x, decimals.max(0) as usize)
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
        Moment::Window { from_s, to_s } => format!(" ({from_s}–{to_s} s)"),
    }
}

/// "Records lost: 29 with acks=1, 0 with acks=all; acks=all lower" — one
/// figure of both runs, the better named (None if either cannot be read).
fn compare_figure(a: &Simulation, b: &Simulation, label_a: &str, label_b: &str, f: &Figure) -> Option<String> {
    let (va, vb) = (read(a, f)?, read(b, f)?);
    if va == 0.0 && vb == 0.0 {
        // Nothing of it in either run: not a tie to weigh (at the start of
        // a run, before the fault the lesson is about, it is "not yet").
        let yet = if a.is_finished() && b.is_finished() { "" } else { " yet" };
        return Some(format!("{}{}: none{yet} with either", f.name, moment_text(f.at)));
    }
    let (hi, lo) = (va.max(vb), va.min(vb));
    let higher = f.better == Better::Higher;
    let better = if (va > vb) == higher { label_a } else { label_b };
    // How much better: a share, or a ratio when "higher" is over twice.
    let by = if hi <= 0.0 || hi - lo <= 0.01 * hi {
        String::from("about the same")
    } else if lo <= 0.0 {
        better.to_string()
    } else if higher && hi >= 2.0 * lo {
        format!("{better} {:.1}×", hi / lo)
    } else {
        format!("{better} {:.0}%", 100.0 * (hi - lo) / if higher { lo } else { hi })
    };
    let word = if by.starts_with("about") {
        ""
    } else if higher {
        " higher"
    } else {
        " lower"
    };
    Some(format!(
        "{}{}: {} with {label_a}, {} with {label_b}: {by}{word}",
        f.name,
        moment_text(f.at),
        format(va, f.unit),
        format(vb, f.unit)
    ))
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
        let named = spec.kind.verdict_figures();
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
                // A sentence of its own: the kind's word may start in lower
                // case. (ASCII only: char::to_uppercase would pull Unicode's
                // 12 KB case table into the download.)
                let mut word = word.to_string();
                if let Some(first) = word.get_mut(..1) {
                    first.make_ascii_uppercase();
                }
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
