//! The page: header, scenario gallery, topology, controls and inspector,
//! charts. Owns the playback loop and the keyboard shortcuts.

use leptos::prelude::*;

use super::charts::Charts;
use super::controls::Controls;
use super::gallery::Gallery;
use super::inspector::Inspector;
use super::playback::use_animation_frame;
use super::state::{Lab, MAX_SPEED, MIN_SPEED};
use super::topology::Topology;
use crate::presets;

/// Speed changes by this factor per + or − key press.
const SPEED_KEY_FACTOR: f64 = 1.778_279_41; // 10^(1/4)

#[component]
pub fn App() -> impl IntoView {
    let lab = Lab::new(0);
    provide_context(lab);
    use_animation_frame(move |wall_ms| lab.tick(wall_ms));

    let keydown = window_event_listener(leptos::ev::keydown, move |ev| {
        // Keys typed into a text field are the field's; a slider is not a text field.
        let typing = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(t).ok())
            .is_some_and(|el| match el.tag_name().as_str() {
                "INPUT" => el.get_attribute("type").as_deref() != Some("range"),
                "SELECT" | "TEXTAREA" => true,
                _ => false,
            });
        if typing || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let speed_by = |k: f64| lab.speed.update(|s| *s = (*s * k).clamp(MIN_SPEED, MAX_SPEED));
        match ev.key().as_str() {
            " " => lab.playing.update(|p| *p = !*p),
            "ArrowRight" => lab.step(),
            "r" | "R" => lab.reset(),
            "+" | "=" => speed_by(SPEED_KEY_FACTOR),
            "-" | "_" => speed_by(1.0 / SPEED_KEY_FACTOR),
            "Escape" => lab.selected.set(None),
            _ => return,
        }
        ev.prevent_default();
    });
    on_cleanup(move || keydown.remove());

    let preset = move || &presets::ALL[lab.preset.get()];
    let description = move || {
        lab.topology_version.get();
        lab.sim.with_value(|s| s.scenario().spec.description.clone())
    };

    view! {
        <header class="top">
            <div class="brand">
                <img src="favicon.svg" alt="" width="28" height="28"/>
                <h1>"Scale Lab"</h1>
            </div>
            <p class="tagline">"System design you can run: a deterministic simulator, checked against theory."</p>
        </header>
        <div class="layout">
            <Gallery/>
            <main class="stage">
                <h2 data-testid="scenario-title">{move || preset().title}</h2>
                <p class="description">{description}</p>
                <Topology/>
                <p class="legend">
                    <span class="dot request"></span>"request "
                    <span class="dot response"></span>"response "
                    <span class="dot error"></span>"error · fill: "
                    <span class="swatch idle"></span>"idle → "
                    <span class="swatch busy"></span>"saturated · bar: queue (log scale)"
                </p>
                <Charts/>
            </main>
            <aside class="side">
                <Controls/>
                <Inspector/>
            </aside>
        </div>
    }
}
