//! The page: header, scenario list, run panel with live figures, and the
//! latency chart.

use leptos::prelude::*;

use super::chart::{LatencyChart, LatencyPoint};
use super::playback::{EVENT_BUDGET, use_playback};
use crate::presets::{self, Preset};
use crate::sim::time::ns_to_s;
use crate::sim::{Progress, Scenario, Simulation};

/// Speeds offered, simulated seconds per wall second.
pub const SPEEDS: [f64; 6] = [0.1, 1.0, 10.0, 100.0, 1_000.0, 10_000.0];
/// How often the chart is redrawn, in ticks (16 ms each): about 4 times a second.
const CHART_EVERY_TICKS: u32 = 15;

/// Figures shown beside the chart, refreshed every tick.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LiveFigures {
    pub sim_time_s: f64,
    pub events: u64,
    pub completed: u64,
    pub errors: u64,
    pub p99_ms: f64,
    pub throughput_per_s: f64,
    pub finished: bool,
}

fn build(preset: &Preset) -> Simulation {
    // Presets are checked by a test; a broken one is a build defect.
    let scenario = Scenario::from_json(preset.json).expect("presets are valid scenarios");
    Simulation::new(&scenario)
}

fn figures(sim: &Simulation) -> LiveFigures {
    let last = sim.series().back().copied().unwrap_or_default();
    let s = sim.summary_counts();
    LiveFigures {
        sim_time_s: ns_to_s(sim.now()),
        events: sim.events(),
        completed: s.0,
        errors: s.1,
        p99_ms: last.latency_ms.p99,
        throughput_per_s: if last.width_s > 0.0 { last.throughput_per_s() } else { 0.0 },
        finished: sim.is_finished(),
    }
}

fn chart_points(sim: &Simulation) -> Vec<LatencyPoint> {
    sim.series()
        .iter()
        .filter(|w| w.latency_ms.count > 0)
        .map(|w| LatencyPoint {
            t_s: w.start_s + w.width_s,
            p50_ms: w.latency_ms.p50,
            p95_ms: w.latency_ms.p95,
            p99_ms: w.latency_ms.p99,
        })
        .collect()
}

fn format_speed(x: f64) -> String {
    if x < 1.0 { format!("{x}×") } else { format!("{}×", x as u64) }
}

#[component]
pub fn App() -> impl IntoView {
    let selected = RwSignal::new(0usize);
    let sim = StoredValue::new(build(&presets::ALL[0]));
    let playing = RwSignal::new(true);
    let speed = RwSignal::new(10.0f64);
    let live = RwSignal::new(LiveFigures::default());
    let points = RwSignal::new(Vec::<LatencyPoint>::new());

    let mut ticks = 0u32;
    use_playback(playing, speed, move |sim_ns| {
        let progress = sim
            .try_update_value(|s| {
                let target = s.now() + sim_ns;
                s.advance(target, EVENT_BUDGET)
            })
            .unwrap_or(Progress::Finished);
        sim.with_value(|s| live.set(figures(s)));
        ticks += 1;
        if ticks.is_multiple_of(CHART_EVERY_TICKS) || progress == Progress::Finished {
            sim.with_value(|s| points.set(chart_points(s)));
        }
        progress
    });

    let select = move |i: usize| {
        selected.set(i);
        sim.set_value(build(&presets::ALL[i]));
        live.set(LiveFigures::default());
        points.set(Vec::new());
        playing.set(true);
    };
    let reset = move || select(selected.get_untracked());

    // Space toggles play/pause, R resets (ignored while typing in a field).
    let keydown = window_event_listener(leptos::ev::keydown, move |ev| {
        let typing = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(t).ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"));
        if typing || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        match ev.key().as_str() {
            " " => {
                ev.prevent_default();
                playing.update(|p| *p = !*p);
            }
            "r" | "R" => reset(),
            _ => {}
        }
    });
    on_cleanup(move || keydown.remove());

    let preset = move || &presets::ALL[selected.get()];
    let description = move || Scenario::from_json(preset().json).map(|s| s.spec.description).unwrap_or_default();

    view! {
        <header class="top">
            <div class="brand">
                <img src="favicon.svg" alt="" width="28" height="28"/>
                <h1>"Scale Lab"</h1>
            </div>
            <p class="tagline">"System design you can run: a deterministic simulator, checked against theory."</p>
        </header>
        <div class="layout">
            <nav class="gallery" aria-label="Scenarios" data-testid="gallery">
                <h2>"Scenarios"</h2>
                <ul>
                    {presets::ALL
                        .iter()
                        .enumerate()
                        .map(|(i, p)| {
                            view! {
                                <li>
                                    <button
                                        class="preset"
                                        class:selected=move || selected.get() == i
                                        data-testid=format!("preset-{}", p.id)
                                        title=p.lesson
                                        on:click=move |_| select(i)
                                    >
                                        <span class="icon" aria-hidden="true">{p.icon}</span>
                                        <span class="text">
                                            <span class="title">{p.title}</span>
                                            <span class="lesson">{p.lesson}</span>
                                        </span>
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
            <main class="run">
                <h2 data-testid="scenario-title">{move || preset().title}</h2>
                <p class="description">{description}</p>
                <div class="controls" role="toolbar" aria-label="Playback">
                    <button
                        data-testid="play"
                        title="Play or pause (Space)"
                        on:click=move |_| playing.update(|p| *p = !*p)
                    >
                        {move || if playing.get() { "Pause" } else { "Play" }}
                    </button>
                    <button data-testid="reset" title="Restart the run from time 0 (R)" on:click=move |_| reset()>
                        "Reset"
                    </button>
                    <label title="Simulated seconds per wall-clock second">
                        "Speed "
                        <select
                            data-testid="speed"
                            on:change:target=move |ev| {
                                if let Ok(x) = ev.target().value().parse::<f64>() {
                                    speed.set(x);
                                }
                            }
                        >
                            {SPEEDS
                                .iter()
                                .map(|&x| {
                                    view! {
                                        <option value=x.to_string() selected=move || speed.get() == x>
                                            {format_speed(x)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                </div>
                <dl class="figures" data-testid="figures">
                    <div>
                        <dt>"Simulated time"</dt>
                        <dd data-testid="sim-time">{move || format!("{:.1} s", live.get().sim_time_s)}</dd>
                    </div>
                    <div>
                        <dt>"Completed"</dt>
                        <dd data-testid="completed">{move || live.get().completed.to_string()}</dd>
                    </div>
                    <div>
                        <dt>"Errors"</dt>
                        <dd data-testid="errors">{move || live.get().errors.to_string()}</dd>
                    </div>
                    <div>
                        <dt title="99th percentile of end-to-end latency over the last window">"p99 (last window)"</dt>
                        <dd data-testid="p99">{move || format!("{:.1} ms", live.get().p99_ms)}</dd>
                    </div>
                    <div>
                        <dt>"Throughput"</dt>
                        <dd data-testid="throughput">{move || format!("{:.1}/s", live.get().throughput_per_s)}</dd>
                    </div>
                    <div>
                        <dt>"Events"</dt>
                        <dd data-testid="events">{move || live.get().events.to_string()}</dd>
                    </div>
                </dl>
                <p class="status" data-testid="status">
                    {move || if live.get().finished { "Finished: the scenario's stop condition was reached." } else { "" }}
                </p>
                <section class="charts" aria-label="Charts">
                    <h3>"End-to-end latency"</h3>
                    <LatencyChart points=points/>
                    <p class="chart-note" data-testid="chart-points">
                        {move || format!("{} windows of 1 simulated second", points.get().len())}
                    </p>
                </section>
            </main>
        </div>
    }
}
