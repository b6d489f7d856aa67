//! Playback controls (play/pause, step, speed on a log scale, reset, seed),
//! the live figures, and, for an M/M/c scenario, a utilisation slider.

use leptos::prelude::*;

use super::charts::queue_model;
use super::state::{Lab, SPEEDS, format_speed, speed_index};
use crate::sim::spec::FaultSpec;
use crate::sim::time::ns_to_s;

/// A seed people can read and type: 1 to 999,999. With `?test-hooks=1`
/// the seeds follow a fixed sequence, so a UI walk replays exactly.
fn random_seed(lab: Lab) -> u64 {
    if lab.options.test_hooks {
        thread_local!(static NEXT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) });
        return NEXT.with(|n| {
            n.set(n.get() + 1);
            n.get() * 7_919 % 999_999 + 1
        });
    }
    (js_sys::Math::random() * 999_999.0).floor() as u64 + 1
}

#[component]
pub fn Controls() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let seed_text = RwSignal::new(String::new());
    let seed_error = RwSignal::new(None::<String>);
    let rho_error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        lab.scene.track();
        seed_text.set(lab.seed().to_string());
        seed_error.set(None);
        rho_error.set(None);
    });
    // (client id, c, μ, ρ) of an M/M/c scenario, from the scene's cells.
    let model = Memo::new(move |_| {
        let scene = lab.scene.get();
        if scene.links.len() != 1 {
            return None;
        }
        let nodes: Vec<_> = scene.nodes.iter().map(|c| c.with(|l| l.view.clone())).collect();
        queue_model(&scene.scenario.node_specs, &scene.scenario.topology, &nodes)
            .map(|(c, _, q)| (scene.ids()[c as usize].clone(), q.c, q.mu, q.utilisation()))
    });
    let figure = |testid: &'static str, label: &'static str, tip: &'static str, value: Signal<String>| {
        view! {
            <div title=tip>
                <dt>{label}</dt>
                <dd data-testid=testid>{value}</dd>
            </div>
        }
    };
    let f = lab.frame;
    view! {
        <section class="controls" id="controls" aria-label="Playback">
            <div class="buttons" role="toolbar">
                <button class="primary" data-testid="play" title="Play or pause (Space)" on:click=move |_| lab.playing.update(|p| *p = !*p)>
                    {move || if lab.playing.get() { "Pause" } else { "Play" }}
                </button>
                <button data-testid="step" title="Process one event (→)" on:click=move |_| lab.step()>"Step"</button>
                <button data-testid="reset" title="Start again from time 0 (R)" on:click=move |_| lab.reset()>"Reset"</button>
            </div>
            <label class="speed" title="Simulated seconds per wall-clock second, 0.01× to 1000× (+ and − keys)">
                <span>"Speed " <output data-testid="speed-label">{move || format_speed(lab.speed.get())}</output></span>
                <input
                    type="range"
                    data-testid="speed"
                    aria-label="Speed"
                    min="0"
                    max=(SPEEDS.len() - 1).to_string()
                    step="1"
                    prop:value=move || speed_index(lab.speed.get()).to_string()
                    on:input:target=move |ev| {
                        if let Some(&s) = ev.target().value().parse::<usize>().ok().and_then(|k| SPEEDS.get(k)) {
                            lab.speed.set(s);
                        }
                    }
                />
            </label>
            // A line of its own, always there, so the controls below do not
            // move when it comes and goes.
            <p class="reached" data-testid="speed-reached"
                title="Each frame processes at most a fixed number of events, so the page stays responsive; this scenario needs more for the speed asked">
                {move || lab.reached.get().map(|r| format!("Running at {} (the engine's per-frame budget)", format_speed(r)))}
            </p>
            <form
                class="seed"
                on:submit=move |ev| {
                    ev.prevent_default();
                    let text = seed_text.get_untracked();
                    match text.trim().parse::<u64>() {
                        Ok(s) => {
                            seed_error.set(None);
                            lab.set_seed(s);
                        }
                        Err(_) => seed_error.set(Some(format!("Seed: a whole number, 0 or more (got `{}`).", text.trim()))),
                    }
                }
            >
                <label title="The run's random draws follow from this seed: the same seed replays the same run">
                    "Seed "
                    <input
                        type="text"
                        inputmode="numeric"
                        data-testid="seed"
                        prop:value=move || seed_text.get()
                        on:input:target=move |ev| seed_text.set(ev.target().value())
                    />
                </label>
                <button type="button" data-testid="new-seed" title="Run again with a new random seed" on:click=move |_| {
                    seed_error.set(None);
                    lab.set_seed(random_seed(lab));
                }>
                    "New seed"
                </button>
                {super::widgets::error_line(seed_error)}
            </form>
            {move || {
                model
                    .get()
                    .map(|(id, c, mu, rho)| {
                        view! {
                            <label class="utilisation" title="Sets the arrival rate to ρ × workers / mean service time">
                                <span>"Utilisation ρ = " <output data-testid="rho">{format!("{rho:.2}")}</output></span>
                                <input
                                    type="range"
                                    data-testid="utilisation"
                                    aria-label="Utilisation"
                                    min="0.05"
                                    max="0.99"
                                    step="0.01"
                                    prop:value=rho
                                    on:change:target=move |ev| {
                                        let Some(r) = crate::share::parse_number(&ev.target().value()) else { return };
                                        let entry = FaultSpec {
                                            set: Some(id.clone()),
                                            rate_per_s: Some(r * f64::from(c) * mu),
                                            ..Default::default()
                                        };
                                        // A refused rate (over the limit) leaves the slider where the run is.
                                        let result = lab.try_edit(entry);
                                        if result.is_err() {
                                            ev.target().set_value(&rho.to_string());
                                        }
                                        rho_error.set(result.err());
                                    }
                                />
                            </label>
                            {super::widgets::error_line(rho_error)}
                        }
                    })
            }}
            <dl class="figures" data-testid="figures">
                {figure("sim-time", "Simulated time", "The simulated clock", Signal::derive(move || format!("{:.2} s", ns_to_s(f.with(|f| f.now_ns))))) }
                {figure("completed", "Completed", "Requests answered successfully", Signal::derive(move || f.with(|f| f.completed).to_string()))}
                {figure("errors", "Errors", "Dropped, timed out, refused or reset", Signal::derive(move || f.with(|f| f.errors).to_string()))}
                {figure("events", "Events", "Events the engine has processed", Signal::derive(move || f.with(|f| f.events).to_string()))}
            </dl>
            <p class="status" data-testid="status">
                {move || if f.with(|f| f.finished) { "Finished: the scenario's stop condition was reached." } else { "" }}
            </p>
            <p class="keys">"Keys: Space play/pause · → step · R reset · + / − speed · Esc close inspector"</p>
        </section>
    }
}
