//! A/B comparison: variant B is the scenario with one change at time 0,
//! run in lockstep on identical seeded traffic (each node has its own random
//! substream, so B's change moves no arrival). The latency chart overlays
//! both; a verdict line says which is better at p99.

use leptos::prelude::*;

use super::state::Lab;
use crate::families::sharding::sharded_store::StoreView;
use crate::share::CompareSpec;
use crate::sim::Simulation;
use crate::sim::engine::NodeParams;
use crate::sim::spec::{Acks, Algorithm, FaultSpec, Partitioning, Routing};

/// A change B can make, with how to label A and B.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub label_a: String,
    pub label_b: String,
    pub entry: FaultSpec,
}

/// The changes offered for the current scenario: another algorithm for each
/// balancer, twice or half the workers of each server, ±25% arrival rate.
pub fn candidates(sim: &Simulation) -> Vec<Candidate> {
    let snap = sim.snapshot();
    let ids = &sim.scenario().topology.ids;
    let mut out = Vec::new();
    for (i, v) in snap.nodes.iter().enumerate().filter(|(_, v)| v.present) {
        let id = &ids[i];
        match &v.params {
            NodeParams::LoadBalancer { algorithm } => {
                for a in Algorithm::ALL.iter().filter(|a| *a != algorithm) {
                    out.push(Candidate {
                        label_a: algorithm.name().into(),
                        label_b: a.name().into(),
                        entry: FaultSpec { set: Some(id.clone()), algorithm: Some(*a), ..Default::default() },
                    });
                }
            }
            NodeParams::Server { hold_worker, .. } => {
                if let Some(hold) = *hold_worker {
                    let name = |h: bool| if h { "workers held during calls" } else { "workers freed during calls" };
                    out.push(Candidate {
                        label_a: format!("{id}: {}", name(hold)),
                        label_b: format!("{id}: {}", name(!hold)),
                        entry: FaultSpec { set: Some(id.clone()), hold_worker: Some(!hold), ..Default::default() },
                    });
                }
                for w in [v.workers * 2, (v.workers / 2).max(1)] {
                    if w != v.workers {
                        out.push(Candidate {
                            label_a: format!("{id}: {} workers", v.workers),
                            label_b: format!("{id}: {w} workers"),
                            entry: FaultSpec { set: Some(id.clone()), workers: Some(w), ..Default::default() },
                        });
                    }
                }
            }
            NodeParams::Client { arrivals } => {
                let rate = match arrivals {
                    crate::sim::spec::ArrivalSpec::Poisson { rate_per_s }
                    | crate::sim::spec::ArrivalSpec::Constant { rate_per_s }
                    | crate::sim::spec::ArrivalSpec::Bursty { rate_per_s, .. } => *rate_per_s,
                };
                for k in [1.25, 0.75] {
                    out.push(Candidate {
                        label_a: format!("{id}: {rate} req/s"),
                        label_b: format!("{id}: {} req/s", rate * k),
                        entry: FaultSpec { set: Some(id.clone()), rate_per_s: Some(rate * k), ..Default::default() },
                    });
                }
            }
            NodeParams::Producer { acks, .. } => {
                for a in [Acks::Leader, Acks::All, Acks::None].into_iter().filter(|a| a != acks) {
                    out.push(Candidate {
                        label_a: format!("{id}: acks={}", acks.name()),
                        label_b: format!("{id}: acks={}", a.name()),
                        entry: FaultSpec { set: Some(id.clone()), acks: Some(a), ..Default::default() },
                    });
                }
            }
            NodeParams::Own { spec } => {
                for (a, b, entry) in crate::families::kinds::candidates(v.kind, id, spec, sim.scenario()) {
                    out.push(Candidate { label_a: a, label_b: b, entry });
                }
            }
            NodeParams::Store { .. } => {
                let Some(st) = v.own::<StoreView>() else { continue };
                let mut offer = |a: String, b: String, change: FaultSpec| {
                    out.push(Candidate {
                        label_a: format!("{id}: {a}"),
                        label_b: format!("{id}: {b}"),
                        entry: FaultSpec { set: Some(id.clone()), ..change },
                    })
                };
                for p in Partitioning::ALL.into_iter().filter(|&p| p != st.partitioning) {
                    let change = FaultSpec { partitioning: Some(p), ..Default::default() };
                    offer(st.partitioning.label().into(), p.label().into(), change);
                }
                for r in Routing::ALL.into_iter().filter(|&r| r != st.routing) {
                    offer(
                        st.routing.label().into(),
                        r.label().into(),
                        FaultSpec { routing: Some(r), ..Default::default() },
                    );
                }
                if st.partitioning == Partitioning::Hash {
                    for n in [st.vnodes.saturating_mul(10).min(1000), (st.vnodes / 10).max(1)] {
                        if n != st.vnodes {
                            let change = FaultSpec { vnodes: Some(n), ..Default::default() };
                            offer(format!("{} vnodes", st.vnodes), format!("{n} vnodes"), change);
                        }
                    }
                }
            }
            NodeParams::None => {}
        }
    }
    out
}

/// The first sharded store's figures, if the scenario has one: load max/mean
/// over shards (last window) and the last change's moved fraction.
fn store_figures(sim: &Simulation) -> Option<(f64, Option<f64>)> {
    let i = sim.scenario().node_specs.iter().position(|n| matches!(n, crate::sim::spec::NodeSpec::ShardedStore(_)))?;
    let v = sim.node_view(i as crate::sim::validate::NodeIdx);
    let st = v.own::<StoreView>()?;
    let loads: Vec<f64> = st.shards.iter().filter(|s| s.present).map(|s| s.load_per_s).collect();
    let moved = st.layout.last_change.as_ref().filter(|c| c.at_s > 0.0).map(|c| c.moved_fraction);
    Some((crate::families::sharding::placement::load_balance(&loads).0, moved))
}

/// Labels for a comparison already running.
pub fn labels(a: &Simulation, c: &CompareSpec) -> (String, String) {
    let mut entry = c.b.clone();
    entry.at_s = 0.0;
    candidates(a)
        .into_iter()
        .find(|k| {
            let mut e = k.entry.clone();
            e.at_s = 0.0;
            e == entry
        })
        .map_or(("A".into(), "B".into()), |k| (k.label_a, k.label_b))
}

/// "least_connections: p99 41% lower than round_robin" (whole run so far).
pub fn verdict(a: &Simulation, b: &Simulation, label_a: &str, label_b: &str) -> Option<String> {
    // Runs every frame while comparing: the end-to-end figures only.
    let (pa, pb) = (a.latency(), b.latency());
    if pa.count < 100 || pb.count < 100 {
        return None;
    }
    let (better, worse, lo, hi) =
        if pb.p99 <= pa.p99 { (label_b, label_a, pb.p99, pa.p99) } else { (label_a, label_b, pa.p99, pb.p99) };
    let pct = if hi > 0.0 { (1.0 - lo / hi) * 100.0 } else { 0.0 };
    let mut text = if pct < 1.0 {
        format!("{better} and {worse}: p99 within 1% ({lo:.1} ms vs {hi:.1} ms)")
    } else {
        format!("{better}: p99 {pct:.0}% lower than {worse} ({lo:.1} ms vs {hi:.1} ms)")
    };
    // Messaging: what each variant lost or did twice matters more than p99.
    if let (Some(ma), Some(mb)) = (a.messaging(), b.messaging()) {
        text += &format!(
            ". Records lost: {} with {label_a}, {} with {label_b}; duplicates: {} and {}",
            ma.lost, mb.lost, ma.duplicates, mb.duplicates
        );
    }
    // Sharding: balance and how many keys the last change moved.
    if let (Some((la, ma)), Some((lb, mb))) = (store_figures(a), store_figures(b)) {
        text += &format!(". Load max/mean: {la:.2} with {label_a}, {lb:.2} with {label_b}");
        if let (Some(ma), Some(mb)) = (ma, mb) {
            text += &format!("; keys moved: {:.1}% and {:.1}%", ma * 100.0, mb * 100.0);
        }
    }
    // Kinds of families in chunks: the figures each says matter (the URL
    // shortener's apps: what each variant's writes paid).
    let mut kinds: Vec<&'static dyn crate::sim::spec::OwnKind> = Vec::new();
    for spec in &a.scenario().node_specs {
        if let crate::sim::spec::NodeSpec::Own(o) = spec
            && !kinds.iter().any(|k| k.name() == o.kind.name())
        {
            kinds.push(o.kind);
        }
    }
    for kind in kinds.into_iter().filter(|k| !k.verdict_figures().is_empty()) {
        let (va, vb) = (views_of(a, kind.name()), views_of(b, kind.name()));
        for (i, &(figure, word)) in kind.verdict_figures().iter().enumerate() {
            let (fa, fb) = (sum_figure(&va, figure), sum_figure(&vb, figure));
            text += &if i == 0 {
                format!(". {word}: {fa} with {label_a}, {fb} with {label_b}")
            } else {
                format!("; {word}: {fa} and {fb}")
            };
        }
    }
    Some(text)
}

/// The views of a run's nodes of `kind` (runs every frame while
/// comparing: those nodes' views alone, not a snapshot of every node).
fn views_of(sim: &Simulation, kind: &str) -> Vec<crate::sim::engine::NodeView> {
    let specs = &sim.scenario().node_specs;
    (0..specs.len())
        .filter(|&i| specs[i].kind_name() == kind)
        .map(|i| sim.node_view(i as crate::sim::validate::NodeIdx))
        .collect()
}

/// The figure `label` summed over `views`.
fn sum_figure(views: &[crate::sim::engine::NodeView], label: &str) -> u64 {
    views.iter().map(|v| v.figures.iter().find(|f| f.0 == label).map_or(0.0, |f| f.1) as u64).sum()
}

#[component]
pub fn ComparePanel() -> impl IntoView {
    let lab = expect_context::<Lab>();
    // Offered changes follow the scenario and its live edits (after
    // "workers 4 → 8" the offer is 8 → 16).
    let options = Memo::new(move |_| {
        lab.scene.track();
        lab.charts_dirty.track();
        lab.sim.with_value(candidates)
    });
    let verdict_text = move || {
        lab.frame.with(|_| ());
        let c = lab.compare.get()?;
        lab.sim.with_value(|a| {
            let (la, lb) = labels(a, &c);
            lab.sim_b.with_value(|b| b.as_ref().and_then(|b| verdict(a, b, &la, &lb)))
        })
    };
    view! {
        <section class="compare" aria-label="A/B compare">
            <h2>"Compare"</h2>
            <label title="Variant B runs beside this one on identical traffic, with one change">
                "Variant B "
                <select data-testid="compare-select" on:change:target=move |ev| {
                    let v = ev.target().value();
                    let chosen = v.parse::<usize>().ok().and_then(|k| options.with_untracked(|o| o.get(k).cloned()));
                    lab.set_compare(chosen.map(|k| CompareSpec { b: k.entry }));
                }>
                    <option value="" selected=move || lab.compare.get().is_none()>"off"</option>
                    {move || options.get().into_iter().enumerate().map(|(k, c)| {
                        let entry = c.entry.clone();
                        view! {
                            <option value=k.to_string() selected=move || lab.compare.get().is_some_and(|x| x.b == entry)>
                                {format!("{} → {}", c.label_a, c.label_b)}
                            </option>
                        }
                    }).collect_view()}
                </select>
            </label>
            <p class="verdict" data-testid="verdict">
                {move || match (lab.compare.get(), verdict_text()) {
                    (None, _) => String::new(),
                    (Some(_), None) => "Collecting data…".into(),
                    (Some(_), Some(v)) => v,
                }}
            </p>
        </section>
    }
}
