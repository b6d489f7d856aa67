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
use super::state::{Lab, MAX_SPEED, MIN_SPEED, speed_step};
use super::topology::Topology;
use super::{api, open, url};
use crate::families::{ChunksFailed, lesson_of};
use crate::presets;
use crate::sim::time::s_to_ns;

/// Builds the `Lab` the URL asks for: a share link's state, or a preset;
/// an unreadable link leaves a message and the default scenario, and so
/// does one whose family's code did not load (`chunks`, from `main`).
fn start(chunks: Result<(), ChunksFailed>) -> Lab {
    let startup = url::read();
    // A preset whose family's chunk is not in cannot be built.
    let ready = |p: &usize| crate::families::to_fetch(&[presets::all()[*p]], &[]).is_empty();
    let first = match &startup.preset {
        Some(Ok(p)) if ready(p) && startup.link.is_none() => *p,
        _ => 0,
    };
    let preset = presets::all()[first];
    let lab = Lab::new(preset, lesson_of(preset), open::scenario_of(preset), startup.options);
    lab.address.set_value(url::href());
    if let Err(failed) = chunks {
        // Not the scenario asked for: say so, offer a reload, and do not
        // play the stand-in (an embed would otherwise run it unasked).
        let text = format!("{failed} The page opened the default scenario instead: reload it to try again.");
        lab.playing.set(false);
        lab.reload_for.set(Some(text.clone()));
        lab.notice.set(Some(text));
        return lab;
    }
    open_address(lab, startup, Some(first));
    lab
}

/// Opens what the address asks for, at start-up (`open`: the preset the
/// lab was built with) and whenever the address changes (a link pasted
/// into the tab, Back and Forward): a share link's state, as it was when
/// made (playing or paused, at its moment, with its comparison); else
/// `?preset=` (an unknown id says so and suggests the nearest); else the
/// default scenario. `?speed=` and `?t=` apply on top.
fn open_address(lab: Lab, startup: url::Startup, open: Option<usize>) {
    let mut t_s = startup.t_s;
    let open_preset = |p: usize| {
        if open != Some(p) {
            lab.open_preset(presets::all()[p]);
        }
    };
    match startup.link {
        Some(Ok((state, scenario))) => {
            let preset = state.preset.as_deref().and_then(presets::by_id);
            if let Some(p) = preset.filter(|p| p.text().is_some()) {
                // A reset restarts the preset's own file, as from the gallery.
                lab.set_original(p, open::scenario_of(p));
            }
            lab.notice.set(None);
            lab.speed.set(state.speed.clamp(MIN_SPEED, MAX_SPEED));
            lab.load(scenario, preset, state.compare);
            lab.playing.set(lab.options.autoplay && !state.paused);
            t_s = t_s.or((state.t_s > 0.0).then_some(state.t_s));
        }
        Some(Err(e)) => {
            open_preset(0);
            lab.notice.set(Some(e.to_string()));
        }
        None => match startup.preset {
            Some(Ok(p)) => open_preset(p),
            Some(Err(id)) => {
                open_preset(0);
                lab.notice.set(Some(url::unknown_preset(&id)));
            }
            None => open_preset(0),
        },
    }
    if let Some(s) = startup.speed {
        lab.speed.set(s);
    }
    if let Some(t) = t_s {
        lab.seek(s_to_ns(t));
    }
}

/// Follows the address when it changes without a reload (`popstate`,
/// `hashchange`; one change can fire both, so an address is opened once),
/// once the chunks of the families it needs have loaded.
fn follow_address(lab: Lab) {
    let changed = move || {
        // Addresses the app writes itself (a preset chosen, a link copied)
        // are not changes to follow: `Lab::address` holds them.
        let href = url::href();
        if lab.address.get_value() == href {
            return;
        }
        lab.address.set_value(href);
        let needed = url::families_needed();
        if needed.is_empty() {
            return open_address(lab, url::read(), None);
        }
        let waiting = format!("Loading the code of {}…", crate::families::the_families(&needed));
        lab.after(|_| open::load_families(), move || open_address(lab, url::read(), None));
        lab.loading.set(Some(waiting));
    };
    let pop = window_event_listener(leptos::ev::popstate, move |_| changed());
    let hash = window_event_listener(leptos::ev::hashchange, move |_| changed());
    on_cleanup(move || {
        pop.remove();
        hash.remove();
    });
}

/// The lab. `chunks` says whether the code of the families the page's
/// address needs loaded (see `open::load_families`); a failure opens the
/// default scenario with a notice that says so.
#[component]
pub fn App(#[prop(optional)] chunks: Option<Result<(), ChunksFailed>>) -> impl IntoView {
    let lab = start(chunks.unwrap_or(Ok(())));
    provide_context(lab);
    follow_address(lab);
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
        let speed_by = |up: bool| lab.speed.update(|s| *s = speed_step(*s, up));
        match ev.key().as_str() {
            " " => lab.playing.update(|p| *p = !*p),
            "ArrowRight" => lab.step(),
            "r" | "R" => lab.reset(),
            "+" | "=" => speed_by(true),
            "-" | "_" => speed_by(false),
            "Escape" => lab.selected.set(None),
            _ => return,
        }
        ev.prevent_default();
    });
    on_cleanup(move || keydown.remove());

    let title = move || {
        lab.scene.track();
        match lab.preset.get() {
            Some(p) => p.title.to_string(),
            None => lab.sim.with_value(|s| s.scenario().spec.name.clone()),
        }
    };
    // Only where records or messages carry keys (a family protocol's
    // sources: producers, publishers) does the legend explain their colours.
    let keyed = Memo::new(move |_| {
        lab.scene.track();
        lab.sim.with_value(|s| s.scenario().node_specs.iter().any(|n| n.is_source() && n.is_messaging()))
    });
    // Only where the timeline cuts the network does the legend show lost messages.
    let partitioned = Memo::new(move |_| {
        lab.scene.track();
        lab.frame.track();
        lab.sim.with_value(|s| s.scenario().spec.faults.iter().any(|f| f.partition.is_some()))
    });
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
                {family_panels(true)}
                <Charts/>
            </div>
        }
        .into_any();
    }

    // Keyboard users reach the controls first, not after every preset.
    let skip = move |ev: web_sys::MouseEvent| {
        ev.prevent_default();
        let play = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("section.controls [data-testid=play]").ok().flatten())
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok());
        if let Some(play) = play {
            let _ = play.focus();
        }
    };
    view! {
        <a class="skip-link" href="#controls" data-testid="skip-link" on:click=skip>"Skip to the playback controls"</a>
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
                    <span class="dot error"></span>"error "
                    {move || partitioned.get().then(|| view! { <span class="dot lost"></span>"lost at a cut " })}
                    "· fill: "
                    <span class="swatch idle"></span>"idle → "
                    <span class="swatch busy"></span>"saturated · bar: queue (log scale)"
                    {move || keyed.get().then_some(" · records and messages: coloured by key")}
                </p>
                {family_panels(false)}
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

/// The families' panels, in registry order (when `embed`, only those an
/// embedded lab shows).
fn family_panels(embed: bool) -> AnyView {
    let lab = expect_context::<Lab>();
    crate::families::FAMILIES
        .iter()
        .filter(|f| !embed || f.panel_in_embed)
        .map(|f| {
            // A family in a chunk: its panel joins the page once the chunk
            // has loaded (when a scenario of the family first opens); one
            // in the main module has it at once.
            let ready = Memo::new(move |_| {
                lab.scene.track();
                f.panel_fn().is_some()
            });
            (move || ready.get().then(|| f.panel_fn().map(|panel| panel()))).into_any()
        })
        .collect_view()
        .into_any()
}
