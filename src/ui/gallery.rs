//! The scenario gallery: the registry's families, each with its presets
//! (one card each).
//! Choosing one adds a history entry (`?preset=<id>`) and brings the
//! simulation into view. Below 1,100 px (a tablet, a phone) the gallery is
//! one line that opens into the list (the whole list is about 2,700 px tall
//! on a phone) and closes again once a scenario is chosen.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::state::Lab;
use crate::families::FAMILIES;

/// Below this width the gallery is compact (as `styles/app.css` lays the
/// page out in one column, the controls under the stage).
const NARROW: &str = "(max-width: 1100px)";

/// Whether the media query `query` matches, following changes (a phone
/// turned, a window resized).
fn media(query: &'static str) -> ReadSignal<bool> {
    let list = web_sys::window().and_then(|w| w.match_media(query).ok().flatten());
    let (matches, set) = signal(list.as_ref().is_some_and(|l| l.matches()));
    if let Some(list) = list {
        let watched = list.clone();
        let on_change = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || set.set(watched.matches()));
        let _ = list.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
        // The listener lives as long as the page (the gallery is never unmounted).
        on_change.forget();
    }
    matches
}

/// Scrolls the page so the simulation's top is in view, when it is not
/// (a preset chosen far down the gallery, or below it on a phone).
pub fn bring_stage_into_view() {
    let Some(w) = web_sys::window() else { return };
    let Some(stage) = w.document().and_then(|d| d.query_selector("main.stage").ok().flatten()) else { return };
    let top = stage.get_bounding_client_rect().top();
    let height = w.inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(800.0);
    if !(0.0..height * 0.4).contains(&top) {
        stage.scroll_into_view_with_bool(true);
    }
}

#[component]
pub fn Gallery() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let narrow = media(NARROW);
    let expanded = RwSignal::new(false);
    let groups = FAMILIES
        .iter()
        .filter(|f| !f.presets.is_empty())
        .map(|family| {
            let cards = family
                .presets
                .iter()
                .map(|p: &'static crate::presets::Preset| {
                    let chosen = move || lab.preset.get().is_some_and(|open| open.id == p.id);
                    view! {
                        <li>
                            <button
                                class="preset"
                                class:selected=chosen
                                aria-pressed=move || chosen().to_string()
                                data-testid=format!("preset-{}", p.id)
                                title=p.lesson
                                on:click=move |_| {
                                    lab.choose_preset(p);
                                    expanded.set(false);
                                    bring_stage_into_view();
                                }
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
                .collect_view();
            view! {
                <h3 class="family" data-testid=format!("family-{}", family.id)>{family.title}</h3>
                <ul>{cards}</ul>
            }
        })
        .collect_view();
    let current = move || lab.preset.get().map_or("a scenario of your own", |p| p.title);
    view! {
        <nav class="gallery" class:compact=narrow aria-label="Scenarios" data-testid="gallery">
            <h2>"Scenarios"</h2>
            <button
                class="gallery-toggle"
                data-testid="gallery-toggle"
                aria-controls="gallery-list"
                aria-expanded=move || expanded.get().to_string()
                title="Choose another scenario"
                on:click=move |_| expanded.update(|e| *e = !*e)
            >
                <span class="now">"Scenario: " {current}</span>
                <span aria-hidden="true">{move || if expanded.get() { "▴" } else { "▾" }}</span>
            </button>
            <div id="gallery-list" class="gallery-list" hidden=move || narrow.get() && !expanded.get()>
                {groups}
            </div>
        </nav>
    }
}
