//! The page: header, scenario gallery, topology, controls and inspector,
//! sharing and comparison, charts. Owns the playback loop, the keyboard
//! shortcuts, how the URL opens the app, and the embed layout.

use leptos::prelude::*;

use super::charts::Charts;
use super::compare::ComparePanel;
use super::controls::Controls;
use super::gallery::Gallery;
use super::inspector::Inspector;
use super::playback::use_animation_frame;
use super::share_panel::SharePanel;
use super::state::{Lab, MAX_SPEED, MIN_SPEED};
use super::topology::Topology;
use super::{api, url};
use crate::families::ChunksFailed;
use crate::presets;
use crate::sim::time::s_to_ns;

/// Speed changes by this factor per + or − key press.
const SPEED_KEY_FACTOR: f64 = 1.778_279_41; // 10^(1/4)

/// Builds the `Lab` the URL asks for: a share link's state, or a preset;
/// an unreadable link leaves a message and the default scenario, and so
/// does one whose family's code did not load (`chunks`, from `main`).
fn start(chunks: Result<(), ChunksFailed>) -> Lab {
    let startup = url::read();
    // A preset whose family's chunk is not in cannot be built.
    let ready = |p: &usize| crate::families::to_load_text(presets::all()[*p].json).is_empty();
    let lab = Lab::new(startup.preset.filter(ready).unwrap_or(0), startup.options);
    let mut t_s = startup.t_s;
    if let Err(failed) = chunks {
        // Not the scenario asked for: say so, offer a reload, and do not
        // play the stand-in (an embed would otherwise run it unasked).
        let text = format!("{failed} The page opened the default scenario instead: reload it to try again.");
        lab.playing.set(false);
        lab.reload_for.set(Some(text.clone()));
        lab.notice.set(Some(text));
        return lab;
    }
    match startup.link {
        Some(Ok((state, scenario))) => {
            let preset = state.preset.as_deref().and_then(|id| presets::all().iter().position(|p| p.id == id));
            lab.speed.set(state.speed.clamp(MIN_SPEED, MAX_SPEED));
            lab.load(scenario, preset, state.compare);
            t_s = t_s.or((state.t_s > 0.0).then_some(state.t_s));
        }
        Some(Err(e)) => lab.notice.set(Some(e.to_string())),
        None => {}
    }
    if let Some(s) = startup.speed {
        lab.speed.set(s);
    }
    if let Some(t) = t_s {
        lab.seek(s_to_ns(t));
    }
    lab
}

/// The lab. `chunks` says whether the code of the families the page's
/// address needs loaded (see `url::load_families`); a failure opens the
/// default scenario with a notice that says so.
#[component]
pub fn App(#[prop(optional)] chunks: Option<Result<(), ChunksFailed>>) -> impl IntoView {
    let lab = start(chunks.unwrap_or(Ok(())));
    provide_context(lab);
    api::install(lab);
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
        if typing || ev.ctrl_key() || ev.meta_key() || ev.alt_key() || super::crash::crashed() {
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

    let title = move || {
        lab.scene.track();
        match lab.preset.get() {
            Some(p) => presets::all()[p].title.to_string(),
            None => lab.sim.with_value(|s| s.scenario().spec.name.clone()),
        }
    };
    let description = move || {
        lab.scene.track();
        lab.sim.with_value(|s| s.scenario().spec.description.clone())
    };
    let notice = move || {
        let loading = lab.loading.get().map(|l| {
            view! { <p class="banner loading" role="status" data-testid="loading">{l}</p> }
        });
        let notice = lab.notice.get().map(|n| {
            let reload = (lab.reload_for.get().as_ref() == Some(&n)).then(|| {
                view! {
                    <button class="reload" data-testid="notice-reload" title="Load the page again, with its link"
                        on:click=move |_| {
                            if let Some(w) = web_sys::window() {
                                let _ = w.location().reload();
                            }
                        }>"Reload"</button>
                }
            });
            view! {
                <p class="banner" role="alert" data-testid="notice">
                    <span>{n}</span>
                    {reload}
                    <button class="dismiss" title="Dismiss this message" aria-label="Dismiss" data-testid="notice-dismiss"
                        on:click=move |_| lab.notice.set(None)>"×"</button>
                </p>
            }
        });
        let note = lab.note.get().map(|n| {
            view! {
                <p class="banner info" role="status" data-testid="note">
                    <span>{n}</span>
                    <button class="dismiss" title="Dismiss this message" aria-label="Dismiss" data-testid="note-dismiss"
                        on:click=move |_| lab.note.set(None)>"×"</button>
                </p>
            }
        });
        // One sticky box: the wait and a notice stack instead of overlapping.
        view! { <div class="banners">{loading}{notice}{note}</div> }
    };

    if lab.options.embed {
        return view! {
            <div class="embed" data-testid="embed-view">
                {notice}
                <div class="embed-bar">
                    <button class="primary" data-testid="play" title="Play or pause (Space)" on:click=move |_| lab.playing.update(|p| *p = !*p)>
                        {move || if lab.playing.get() { "Pause" } else { "Play" }}
                    </button>
                    <h2 data-testid="scenario-title">{title}</h2>
                    <button class="open-full" title="Open this run, at this moment, in the full app" on:click=move |_| {
                        let state = lab.share_state();
                        leptos::task::spawn_local(async move {
                            if let (Ok(link), Some(w)) = (url::link_for(&state, false).await, web_sys::window()) {
                                let _ = w.open_with_url_and_target(&link, "_blank");
                            }
                        });
                    }>
                        "Open in Scale Lab ↗"
                    </button>
                </div>
                <Topology/>
                {super::family_panels(true)}
                <Charts/>
            </div>
        }
        .into_any();
    }

    view! {
        <header class="top">
            <div class="brand">
                <img src="favicon.svg" alt="" width="28" height="28"/>
                <h1>"Scale Lab"</h1>
            </div>
            <p class="tagline">"System design you can run: a deterministic simulator, checked against theory."</p>
        </header>
        {notice}
        <div class="layout">
            <Gallery/>
            <main class="stage">
                <h2 data-testid="scenario-title">{title}</h2>
                <p class="description">{description}</p>
                <Topology/>
                <p class="legend">
                    <span class="dot request"></span>"request "
                    <span class="dot write"></span>"write "
                    <span class="dot response"></span>"response "
                    <span class="dot error"></span>"error · fill: "
                    <span class="swatch idle"></span>"idle → "
                    <span class="swatch busy"></span>"saturated · bar: queue (log scale) · records and messages: coloured by key"
                </p>
                {super::family_panels(false)}
                <Charts/>
            </main>
            <aside class="side">
                <Controls/>
                <Inspector/>
                <ComparePanel/>
                <SharePanel/>
            </aside>
        </div>
    }
    .into_any()
}
