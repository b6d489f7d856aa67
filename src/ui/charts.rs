//! The charts under the topology, built from the engine's time series:
//! latency percentiles (with Erlang C where the scenario is an M/M/c queue),
//! throughput and errors, and utilisation per server. The timeline's entries
//! mark the time axis. A gloo-timers interval redraws one chart every 83 ms,
//! in turn, so each updates about 4 times a second and no frame draws all
//! three.

use gloo_timers::callback::Interval;
use leptos::html::Canvas;
use leptos::prelude::*;
use send_wrapper::SendWrapper;

use super::chart::{self, ChartData, Line, PALETTE};
use super::state::Lab;
use crate::sim::Simulation;
use crate::sim::engine::Membership;
use crate::sim::engine::NodeView;
use crate::sim::kind::NodeSpec;
use crate::sim::theory::{MMc, QueueRole};
use crate::sim::time::ns_to_s;
use crate::sim::validate::{Action, NodeIdx, Topology};

const REDRAW_MS: u32 = 83;

/// The M/M/c queue the scenario is, if it is one: a single source of
/// Poisson arrivals linked straight to a single station with exponential
/// service (each node's kind says its part: `OwnKind::queue_role`).
/// `nodes` are the current node views (a frame's, or a fresh snapshot's).
pub fn queue_model(specs: &[NodeSpec], topo: &Topology, nodes: &[NodeView]) -> Option<(NodeIdx, NodeIdx, MMc)> {
    if nodes.iter().filter(|v| v.present).count() != 2 || topo.links.len() != 1 {
        return None;
    }
    let link = topo.links[0];
    let role = |n: NodeIdx| {
        let spec = specs.get(n as usize)?;
        spec.kind.queue_role(nodes.get(n as usize)?)
    };
    let q = QueueRole::queue(role(link.from)?, role(link.to)?)?;
    Some((link.from, link.to, q))
}

fn markers(sim: &Simulation) -> Vec<(f64, String)> {
    let s = sim.scenario();
    s.timeline
        .iter()
        .map(|a| {
            let id = &s.topology.ids[a.node as usize];
            // The node's kind names its parts (a broker, a shard), whichever
            // field the entry used.
            let spec = &s.node_specs[a.node as usize];
            let part = spec.kind.parts(spec).map_or("part", |ps| ps.field);
            let what = match &a.action {
                Action::Fail => format!("✕ {id}"),
                Action::Recover => format!("✓ {id}"),
                Action::FailPart(b) => format!("✕ {id} {part} {b}"),
                Action::RecoverPart(b) => format!("✓ {id} {part} {b}"),
                Action::Set(_) => format!("✎ {id}"),
                Action::AddServer => format!("+ {id}"),
                Action::RemoveServer => format!("− {id}"),
                Action::Membership(Membership::Add { .. }) => format!("+ {id} shard"),
                Action::Membership(Membership::Remove(s)) => format!("− {id} shard {s}"),
                Action::Partition(cut) | Action::Heal(cut) => {
                    let ids: Vec<String> = cut
                        .items
                        .iter()
                        .map(|&(n, part)| {
                            let id = &s.topology.ids[n as usize];
                            part.map_or_else(|| id.clone(), |k| format!("{id}/{k}"))
                        })
                        .collect();
                    let sign = if matches!(a.action, Action::Partition(_)) { "✂" } else { "⇄" };
                    format!("{sign} {}", ids.join(", "))
                }
            };
            (ns_to_s(a.at_ns), what)
        })
        .collect()
}

fn x_range(sim: &Simulation) -> (f64, f64) {
    let series = sim.series();
    let start = series.front().map_or(0.0, |w| w.start_s);
    (start, ns_to_s(sim.now()).max(start + 1.0))
}

/// The x value of the k-th window from the end of a node's series, aligned
/// with the run's series (nodes added later have shorter series).
fn node_points(
    sim: &Simulation,
    node: NodeIdx,
    f: impl Fn(&crate::sim::metrics::NodeSample) -> Option<f64>,
) -> Vec<(f64, f64)> {
    let series = sim.series();
    let ns = sim.node_series(node);
    let offset = series.len().saturating_sub(ns.len());
    ns.iter()
        .enumerate()
        .filter_map(|(k, s)| {
            let w = series.get(offset + k)?;
            Some((w.start_s + w.width_s, f(s)?))
        })
        .collect()
}

pub fn latency_chart(sim: &Simulation) -> ChartData {
    let series = sim.series();
    // The sources of requests (clients, a chat's or a shortener's users):
    // each measures its requests' whole way.
    let clients: Vec<NodeIdx> = sim
        .scenario()
        .node_specs
        .iter()
        .enumerate()
        .filter(|(_, n)| n.sends_requests())
        .map(|(i, _)| i as NodeIdx)
        .collect();
    let mut lines = Vec::new();
    if clients.len() > 1 {
        // Several clients (e.g. one design each): compare their p99s.
        for (k, &c) in clients.iter().enumerate() {
            let id = &sim.scenario().topology.ids[c as usize];
            lines.push(Line {
                name: format!("{id} p99"),
                colour: PALETTE[k % PALETTE.len()],
                points: node_points(sim, c, |s| (s.latency_ms.count > 0).then_some(s.latency_ms.p99)),
                dashed: false,
            });
        }
    } else {
        let done = |w: &&crate::sim::metrics::WindowStats| w.latency_ms.count > 0;
        let pick = |f: fn(&crate::sim::metrics::LatencySummary) -> f64| {
            series.iter().filter(done).map(|w| (w.start_s + w.width_s, f(&w.latency_ms))).collect::<Vec<_>>()
        };
        lines.push(Line { name: "p50".into(), colour: PALETTE[0], points: pick(|l| l.p50), dashed: false });
        lines.push(Line { name: "p95".into(), colour: PALETTE[1], points: pick(|l| l.p95), dashed: false });
        lines.push(Line { name: "p99".into(), colour: PALETTE[2], points: pick(|l| l.p99), dashed: false });
    }
    // Tiers (servers that call others): each tier's own p99, time in it
    // including what it waited for below.
    let specs = &sim.scenario().node_specs;
    if specs.iter().any(|n| n.kind.calls_tiers(n)) {
        let tiers = specs.iter().enumerate().filter(|(_, n)| n.kind.is_station());
        for (k, (i, n)) in tiers.take(MAX_TIER_LINES).enumerate() {
            lines.push(Line {
                name: format!("{} p99", n.id()),
                colour: PALETTE[(3 + k) % PALETTE.len()],
                points: node_points(sim, i as NodeIdx, |s| (s.latency_ms.count > 0).then_some(s.latency_ms.p99)),
                dashed: true,
            });
        }
    }
    let x = x_range(sim);
    let nodes = sim.snapshot().nodes;
    if let Some((_, _, q)) =
        queue_model(&sim.scenario().node_specs, &sim.scenario().topology, &nodes).filter(|(_, _, q)| q.is_stable())
    {
        for (name, p, colour) in [("Erlang C p50", 0.5, PALETTE[0]), ("Erlang C p99", 0.99, PALETTE[2])] {
            let v = q.sojourn_quantile_s(p) * 1e3;
            lines.push(Line { name: name.into(), colour, points: vec![(x.0, v), (x.1, v)], dashed: true });
        }
    }
    ChartData { y_desc: "latency (ms)", lines, markers: markers(sim), x_range: x, y_max: None }
}

pub fn throughput_chart(sim: &Simulation) -> ChartData {
    let series = sim.series();
    let per_s = |f: fn(&crate::sim::metrics::WindowStats) -> u64| {
        series.iter().map(|w| (w.start_s + w.width_s, f(w) as f64 / w.width_s)).collect::<Vec<_>>()
    };
    // With brokers, a record is processed once by every consumer group (or
    // queue) that reads it: "completed" can be twice "offered" and say why.
    let messaging = shows_backlog(sim);
    let (offered, completed) =
        if messaging { ("produced", "processed (once per consumer group or queue)") } else { ("offered", "completed") };
    ChartData {
        y_desc: if messaging { "records or messages per second" } else { "requests per second" },
        lines: vec![
            Line { name: offered.into(), colour: PALETTE[8], points: per_s(|w| w.sent), dashed: true },
            Line { name: completed.into(), colour: PALETTE[3], points: per_s(|w| w.completed), dashed: false },
            Line { name: "errors".into(), colour: PALETTE[2], points: per_s(|w| w.errors()), dashed: false },
        ],
        markers: markers(sim),
        x_range: x_range(sim),
        y_max: None,
    }
}

/// Most per-tier lines the latency chart adds.
const MAX_TIER_LINES: usize = 5;

/// Above this many servers the chart shows their mean and maximum.
const MAX_SERVER_LINES: usize = 8;

pub fn utilisation_chart(sim: &Simulation) -> ChartData {
    let snap = sim.snapshot();
    let ids = &sim.scenario().topology.ids;
    let servers: Vec<NodeIdx> = (0..snap.nodes.len())
        .filter(|&i| sim.scenario().node_specs[i].kind.is_station() && snap.nodes[i].present)
        .map(|i| i as NodeIdx)
        .collect();
    if servers.is_empty() {
        return backlog_chart(sim);
    }
    let lines = if servers.len() <= MAX_SERVER_LINES {
        servers
            .iter()
            .enumerate()
            .map(|(k, &i)| Line {
                name: match sim.scenario().node_specs[i as usize].kind.chart_words().utilisation {
                    Some(words) => format!("{} {words}", ids[i as usize]),
                    None => ids[i as usize].clone(),
                },
                colour: PALETTE[k % PALETTE.len()],
                points: node_points(sim, i, |s| Some(s.utilisation * 100.0)),
                dashed: false,
            })
            .collect()
    } else {
        let per_server: Vec<Vec<(f64, f64)>> =
            servers.iter().map(|&i| node_points(sim, i, |s| Some(s.utilisation * 100.0))).collect();
        let longest = per_server.iter().max_by_key(|p| p.len()).cloned().unwrap_or_default();
        let n = longest.len();
        let at = |k: usize| {
            per_server.iter().filter_map(move |p| p.len().checked_sub(n - k).and_then(|j| p.get(j)).map(|x| x.1))
        };
        let mean: Vec<(f64, f64)> =
            (0..n).map(|k| (longest[k].0, at(k).sum::<f64>() / at(k).count().max(1) as f64)).collect();
        let max: Vec<(f64, f64)> = (0..n).map(|k| (longest[k].0, at(k).fold(0.0, f64::max))).collect();
        vec![
            Line {
                name: format!("mean of {} servers", servers.len()),
                colour: PALETTE[0],
                points: mean,
                dashed: false,
            },
            Line { name: "busiest server".into(), colour: PALETTE[2], points: max, dashed: false },
        ]
    };
    let mut lines = lines;
    // Nodes that look keys up (caches) chart their hit ratio on the same scale.
    let lookups = servers.iter().filter(|&&i| sim.node_series(i).iter().any(|s| s.hit_ratio.is_some()));
    for (k, &i) in lookups.enumerate() {
        lines.push(Line {
            name: format!("{} hit ratio", ids[i as usize]),
            colour: PALETTE[(6 + k) % PALETTE.len()],
            points: node_points(sim, i, |s| s.hit_ratio.map(|h| h * 100.0)),
            dashed: true,
        });
    }
    let y_desc = if lines.iter().any(|l| l.dashed) { "utilisation, hit ratio (%)" } else { "utilisation (%)" };
    ChartData { y_desc, lines, markers: markers(sim), x_range: x_range(sim), y_max: Some(100.0) }
}

/// Whether the third chart shows backlogs rather than utilisation: no node
/// has workers, and some node's kind names a backlog (a broker's).
fn shows_backlog(sim: &Simulation) -> bool {
    let specs = &sim.scenario().node_specs;
    !specs.iter().any(|n| n.kind.is_station()) && specs.iter().any(|n| n.kind.chart_words().backlog.is_some())
}

/// Each backlog over time, by the name its kind gives it (Kafka: the
/// consumer groups' total lag; RabbitMQ: messages ready in its queues).
fn backlog_chart(sim: &Simulation) -> ChartData {
    let specs = &sim.scenario().node_specs;
    let ids = &sim.scenario().topology.ids;
    let lines = (0..specs.len())
        .filter_map(|i| Some((i, specs[i].kind.chart_words().backlog?)))
        .enumerate()
        .map(|(k, (i, backlog))| Line {
            name: format!("{} {backlog}", ids[i]),
            colour: PALETTE[k % PALETTE.len()],
            points: node_points(sim, i as NodeIdx, |s| Some(s.queue_len as f64)),
            dashed: false,
        })
        .collect();
    ChartData { y_desc: "backlog (messages)", lines, markers: markers(sim), x_range: x_range(sim), y_max: None }
}

/// A/B: both variants' p50 and p99, B dashed.
fn compare_lines(a: &Simulation, b: &Simulation, label_a: &str, label_b: &str) -> Vec<Line> {
    let pick = |s: &Simulation, f: fn(&crate::sim::metrics::LatencySummary) -> f64| {
        s.series()
            .iter()
            .filter(|w| w.latency_ms.count > 0)
            .map(|w| (w.start_s + w.width_s, f(&w.latency_ms)))
            .collect::<Vec<_>>()
    };
    vec![
        Line { name: format!("{label_a} p99"), colour: PALETTE[2], points: pick(a, |l| l.p99), dashed: false },
        Line { name: format!("{label_b} p99"), colour: PALETTE[4], points: pick(b, |l| l.p99), dashed: true },
        Line { name: format!("{label_a} p50"), colour: PALETTE[0], points: pick(a, |l| l.p50), dashed: false },
        Line { name: format!("{label_b} p50"), colour: PALETTE[5], points: pick(b, |l| l.p50), dashed: true },
    ]
}

/// One line's entry in a chart's legend.
#[derive(Clone, Debug, PartialEq)]
struct LegendItem {
    name: String,
    /// `#rrggbb`.
    colour: String,
    dashed: bool,
}

/// Builds one chart's data from the simulation.
type BuildChart = fn(&Simulation) -> ChartData;

/// Which chart (test id, title), and how to build its data.
const CHARTS: [(&str, &str, BuildChart); 3] = [
    ("latency-chart", "End-to-end latency", latency_chart),
    ("throughput-chart", "Throughput and errors", throughput_chart),
    ("utilisation-chart", "Utilisation per server", utilisation_chart),
];

#[component]
pub fn Charts() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let canvases: [NodeRef<Canvas>; 3] = [NodeRef::new(), NodeRef::new(), NodeRef::new()];
    let draws = RwSignal::new([0u64; 3]);
    // Each chart's legend, drawn by the page beside the canvas (never over the data).
    let legends: RwSignal<[Vec<LegendItem>; 3]> = RwSignal::new(Default::default());
    let redraw = move |k: usize| {
        if let Some(canvas) = canvases[k].get_untracked() {
            let mut data = lab.sim.with_value(|s| (CHARTS[k].2)(s));
            if k == 0
                && let Some(c) = lab.compare.get_untracked()
            {
                let lines = lab.sim.with_value(|a| {
                    let (la, lb) = super::compare::labels(a, &c);
                    lab.sim_b.with_value(|b| b.as_ref().map(|b| compare_lines(a, b, &la, &lb)))
                });
                if let Some(lines) = lines {
                    data.lines = lines;
                }
            }
            let _ = canvas.set_attribute("data-x0", &data.x_range.0.to_string());
            let _ = canvas.set_attribute("data-x1", &data.x_range.1.to_string());
            let points: usize = data.lines.iter().filter(|l| !l.dashed).map(|l| l.points.len()).sum();
            let _ = canvas.set_attribute("data-points", &points.to_string());
            let _ = canvas.set_attribute("data-markers", &data.markers.len().to_string());
            let names: Vec<&str> = data.lines.iter().map(|l| l.name.as_str()).collect();
            let _ = canvas.set_attribute("data-lines", &names.join("|"));
            if let Err(e) = chart::draw(canvas, &data) {
                leptos::logging::warn!("chart not drawn: {e}");
            }
            let legend: Vec<LegendItem> = data
                .lines
                .iter()
                .map(|l| {
                    let c = l.colour;
                    LegendItem {
                        name: l.name.clone(),
                        colour: format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2),
                        dashed: l.dashed,
                    }
                })
                .collect();
            if legends.with_untracked(|all| all[k] != legend) {
                legends.update(|all| all[k] = legend);
            }
            draws.update(|d| d[k] += 1);
        }
    };
    // A reset, a step, an edit or a seek redraws everything at once.
    Effect::new(move |_| {
        let dirty = lab.charts_dirty.get();
        lab.scene.track();
        (0..3).for_each(redraw);
        lab.charts_drawn.set(dirty);
    });
    let mut turn = 0usize;
    let interval = Interval::new(REDRAW_MS, move || {
        if lab.playing.get_untracked() {
            redraw(turn % 3);
            turn += 1;
        }
    });
    let interval = SendWrapper::new(interval);
    on_cleanup(move || drop(interval));

    // Clicking a chart moves the time cursor there.
    let seek_at = move |ev: web_sys::MouseEvent, k: usize| {
        let Some(canvas) = canvases[k].get_untracked() else { return };
        let attr = |n: &str| canvas.get_attribute(n).and_then(|v| crate::share::parse_number(&v));
        let (Some(x0), Some(x1)) = (attr("data-x0"), attr("data-x1")) else { return };
        // The plot area: 58 CSS px of margin and labels on the left, 22 on the right.
        let w = f64::from(canvas.client_width());
        let frac = ((f64::from(ev.offset_x()) - 58.0) / (w - 58.0 - 22.0)).clamp(0.0, 1.0);
        let t = x0 + frac * (x1 - x0);
        lab.playing.set(false);
        lab.seek((t * 1e9).round() as u64);
    };
    let backlog = Memo::new(move |_| {
        lab.scene.track();
        lab.sim.with_value(shows_backlog)
    });
    let now_s = move || lab.frame.with(|f| f.now_ns) as f64 / 1e9;
    let horizon_s = move || (lab.horizon_ns.get() as f64 / 1e9).max(now_s());

    view! {
        <div class="cursor">
            <label title="Scrub back and forth over the run, or click a chart. Going back restores the nearest earlier checkpoint (taken as the run goes) and replays from there: the same run, exactly, in well under a second">
                <span>
                    "Time cursor "
                    <output data-testid="cursor-label">
                        {move || match lab.seek_to.get() {
                            Some(t) => format!("seeking {:.1} s…", t as f64 / 1e9),
                            None => format!("{:.2} s of {:.2} s", now_s(), horizon_s()),
                        }}
                    </output>
                </span>
                <input
                    type="range"
                    data-testid="time-cursor"
                    aria-label="Time cursor"
                    min="0"
                    step="0.01"
                    max=move || format!("{:.2}", horizon_s())
                    prop:value=move || format!("{:.2}", now_s())
                    on:input:target=move |ev| {
                        if let Ok(t) = crate::share::parse_number(&ev.target().value()).ok_or(()) {
                            lab.playing.set(false);
                            lab.seek((t * 1e9).round() as u64);
                        }
                    }
                />
            </label>
        </div>
        <section class="charts" aria-label="Charts">
            {CHARTS
                .iter()
                .enumerate()
                .map(|(k, (testid, title, _))| {
                    view! {
                        <figure class="chart-card">
                            <figcaption>
                                {move || {
                                    if k == 2 && backlog.get() { "Backlog: consumer lag, queue depth" } else { *title }
                                }}
                            </figcaption>
                            <canvas
                                node_ref=canvases[k]
                                class="chart"
                                data-testid=*testid
                                data-draws=move || draws.with(|d| d[k]).to_string()
                                on:click=move |ev| seek_at(ev, k)
                                role="img"
                                aria-label=*title
                            ></canvas>
                            <ul class="chart-legend" data-testid=format!("{testid}-legend")>
                                {move || {
                                    legends.with(|all| {
                                        all[k]
                                            .iter()
                                            .map(|item| {
                                                let style = format!("border-top-color: {}", item.colour);
                                                view! {
                                                    <li>
                                                        <span class="key" class:dashed=item.dashed style=style aria-hidden="true"></span>
                                                        {item.name.clone()}
                                                    </li>
                                                }
                                            })
                                            .collect_view()
                                    })
                                }}
                            </ul>
                        </figure>
                    }
                })
                .collect_view()}
        </section>
    }
}
