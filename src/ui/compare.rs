//! A/B comparison: variant B is the scenario with one change at time 0,
//! run in lockstep on identical seeded traffic (each node has its own random
//! substream, so B's change moves no arrival). The latency chart overlays
//! both; a verdict line (`crate::lessons::verdict`) leads with the figure
//! the preset's lesson is about, then p99.

use leptos::prelude::*;

use super::state::Lab;
use crate::share::CompareSpec;
use crate::sim::Simulation;
use crate::sim::spec::FaultSpec;

/// A change B can make, with how to label A and B.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub label_a: String,
    pub label_b: String,
    pub entry: FaultSpec,
}

/// The changes offered for the current scenario: each node's kind says
/// what it offers (`OwnKind::candidates`: another algorithm for a
/// balancer, twice or half a pool's workers, ±25% of a source's rate, a
/// family's own choices).
pub fn candidates(sim: &Simulation) -> Vec<Candidate> {
    let snap = sim.snapshot();
    let s = sim.scenario();
    let mut out = Vec::new();
    for (i, v) in snap.nodes.iter().enumerate().filter(|(_, v)| v.present) {
        let spec = &s.node_specs[i];
        for (label_a, label_b, entry) in spec.kind.candidates(&s.topology.ids[i], v) {
            out.push(Candidate { label_a, label_b, entry });
        }
    }
    out
}

/// Labels for a comparison already running. Read every frame (the
/// verdict) and at each chart redraw, so only the node B changes is asked
/// for its offers (every offer sets the node that makes it), not the whole
/// scenario.
pub fn labels(a: &Simulation, c: &CompareSpec) -> (String, String) {
    let mut entry = c.b.clone();
    entry.at_s = 0.0;
    let s = a.scenario();
    let node = entry.set.as_deref().and_then(|id| s.topology.index_of(id));
    let view = node.map(|i| a.node_view(i)).filter(|v| v.present);
    node.zip(view)
        .and_then(|(i, v)| {
            let i = i as usize;
            s.node_specs[i].kind.candidates(&s.topology.ids[i], &v).into_iter().find(|(_, _, e)| {
                let mut e = e.clone();
                e.at_s = 0.0;
                e == entry
            })
        })
        .map_or(("A".into(), "B".into()), |(la, lb, _)| (la, lb))
}

#[component]
pub fn ComparePanel() -> impl IntoView {
    let lab = expect_context::<Lab>();
    // Offered changes follow the scenario and its live edits (after
    // "workers 4 → 8" the offer is 8 → 16).
    // Only the changes the scenario can take (validated here, when the
    // scenario or its edits change, not every frame as the verdict's labels are).
    let options = Memo::new(move |_| {
        lab.scene.track();
        lab.charts_dirty.track();
        lab.sim.with_value(|s| {
            let mut offers = candidates(s);
            // Only what the scenario can take (a whole validation each: so
            // when the scenario changes, not every frame).
            offers.retain(|c| s.scenario().with_entry(c.entry.clone()).is_ok());
            // A variant B none of them makes (a preset's, a link's) is
            // listed too, named by its node, so the select shows it.
            if let Some(c) = lab.compare.get()
                && !offers.iter().any(|o| o.entry == c.b)
            {
                let node = c.b.target().cloned().unwrap_or_default();
                offers.push(Candidate { label_a: node, label_b: "this scenario's variant B".into(), entry: c.b });
            }
            offers
        })
    });
    let verdict_text = move || {
        lab.frame.with(|_| ());
        let c = lab.compare.get()?;
        // A preset's lesson names the figure to lead with; a scenario from
        // a link or the API without one gets the generic verdict.
        let figures = lab.preset.get().and_then(crate::families::lesson_of).map_or(&[][..], |l| l.figures);
        lab.sim.with_value(|a| {
            let (la, lb) = labels(a, &c);
            lab.sim_b.with_value(|b| b.as_ref().and_then(|b| crate::lessons::verdict(a, b, &la, &lb, figures)))
        })
    };
    view! {
        <section class="compare" aria-label="A/B compare">
            <h2>"Compare"</h2>
            <label title="Variant B runs beside this one on identical traffic, with one change">
                "Variant B "
                // The chosen change in full in its tooltip: a long one is cut at the select's edge.
                <select data-testid="compare-select"
                    title=move || {
                        let chosen = lab.compare.get();
                        options.with(|o| o.iter().find(|c| Some(&c.entry) == chosen.as_ref().map(|x| &x.b))
                            .map_or("off".to_string(), |c| format!("{} → {}", c.label_a, c.label_b)))
                    }
                    on:change:target=move |ev| {
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
            // One sentence a line, the lesson's figure first and in bold: the
            // text is the verdict's own, so what it says reads the same.
            <p class="verdict" data-testid="verdict">
                {move || {
                    let text = match (lab.compare.get(), verdict_text()) {
                        (None, _) => String::new(),
                        (Some(_), None) => "Collecting data…".into(),
                        (Some(_), Some(v)) => v,
                    };
                    let sentences: Vec<&str> = text.split_inclusive(". ").collect();
                    sentences.into_iter().map(|line| view! { <span class="line">{line.to_string()}</span> }).collect_view()
                }}
            </p>
        </section>
    }
}
