//! The ring view of a sharded store, drawn on a canvas: the ring with a tick
//! per virtual node (or range start) coloured by owner, the sampled keys as
//! dots at their positions, the shards as discs inside the ring, the newest
//! requests' routes, and, after a change, the moved keys flying from their
//! old shard to their new one. Beside it, the load per shard with max/mean
//! and the coefficient of variation.
//!
//! ```text
//!        ·  ·|· ·  ·         ticks: ring points / range starts, by owner
//!     ·  |  (s0)  (s1) |·    dots: keys at hash (or key-space) position
//!  C ─┼─► router ─► (s2)     discs: shards; routes: client → … → replicas
//!     ·  |  (s3)  (s4)  ·    flights: moved keys, old shard → new shard
//! ```
//! The ring, ticks and key dots change only when placement does, so they are
//! drawn once into an offscreen canvas and copied each frame: 10,000 dots
//! cost one `drawImage`.

use std::f64::consts::{PI, TAU};
use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use crate::families::sharding::placement::load_balance;
use crate::families::sharding::sharded_store::{RingLayout, StoreParams, StoreView};
use crate::format::thousands;
use crate::sim::engine::NodeView;
use crate::sim::spec::{FaultSpec, Partitioning, Routing};
use crate::sim::validate::NodeIdx;
use crate::ui::canvas;
use crate::ui::scene::Live;
use crate::ui::state::Lab;
use crate::ui::widgets::{choice, enum_choice, workers_form};

/// Shard colours (cycled).
pub const SHARD_COLOURS: [&str; 10] =
    ["#2f81f7", "#d29922", "#a371f7", "#3fb950", "#f778ba", "#39c5cf", "#db6d28", "#8b949e", "#e5484d", "#7ee787"];
/// Height of the ring's square; beside it (wide) or under it (narrow) the bars.
const RING_H: f64 = 330.0;
/// Below this width the bars go under the ring.
const NARROW: f64 = 620.0;
const BAR_ROW_NARROW: f64 = 18.0;

/// The canvas height for a width and a number of shards in the placement.
fn panel_height(w: f64, shards: usize) -> f64 {
    if w < NARROW { RING_H + 24.0 + shards as f64 * BAR_ROW_NARROW + 44.0 } else { RING_H }
}
/// Moved keys animated after a change (a sample when more moved).
const MAX_FLIGHTS: usize = 1_500;
const FLIGHT_MS: f64 = 1_800.0;

fn colour(shard: u32) -> &'static str {
    SHARD_COLOURS[shard as usize % SHARD_COLOURS.len()]
}

/// Geometry of the ring half of the canvas.
#[derive(Clone, Copy, PartialEq)]
struct Geom {
    cx: f64,
    cy: f64,
    r: f64,
}

impl Geom {
    fn at(&self, pos: f64, radius: f64) -> (f64, f64) {
        let a = TAU * pos - PI / 2.0;
        (self.cx + radius * a.cos(), self.cy + radius * a.sin())
    }

    /// Where shard `s` of `n` sits (on an inner circle, clockwise from the top).
    fn home(&self, s: u32, n: usize) -> (f64, f64) {
        self.at(f64::from(s) / n.max(1) as f64, self.r * 0.48)
    }
}

/// A small deterministic jitter in [0, 1) for a key's radius.
fn jitter(key: u64) -> f64 {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as f64 / (1u64 << 24) as f64
}

fn key_radius(g: &Geom, key: u64) -> f64 {
    g.r * (0.64 + 0.22 * jitter(key))
}

/// Draws the ring, its ticks and the key dots (the static layer).
fn draw_layer(off: &HtmlCanvasElement, w: f64, g: &Geom, layout: &RingLayout, dark: bool) -> Option<()> {
    let ctx = canvas::prepare(off, w, RING_H)?;
    ctx.set_stroke_style_str(if dark { "#30363d" } else { "#d0d7de" });
    ctx.set_line_width(2.0);
    ctx.begin_path();
    ctx.arc(g.cx, g.cy, g.r, 0.0, TAU).ok()?;
    ctx.stroke();
    // Ticks and key dots in runs of one colour (set once per shard).
    let long = layout.partitioning == Partitioning::Range || layout.ticks.len() <= 64;
    let half = if long { 12.0 } else { 6.0 };
    ctx.set_line_width(if long { 2.5 } else { 1.0 });
    for run in by_colour(layout.ticks.iter().map(|t| (t.1, f64::from(t.0)))) {
        ctx.set_stroke_style_str(colour(run.0));
        ctx.begin_path();
        for p in run.1 {
            let ((x0, y0), (x1, y1)) = (g.at(p, g.r - half), g.at(p, g.r + half));
            ctx.move_to(x0, y0);
            ctx.line_to(x1, y1);
        }
        ctx.stroke();
    }
    for run in by_colour(layout.keys.iter().map(|k| (k.2, (f64::from(k.1), key_radius(g, k.0))))) {
        ctx.set_fill_style_str(colour(run.0));
        for (p, radius) in run.1 {
            let (x, y) = g.at(p, radius);
            ctx.fill_rect(x - 1.0, y - 1.0, 2.0, 2.0);
        }
    }
    Some(())
}

/// Groups (shard, value) pairs by shard: one colour change per shard.
fn by_colour<T>(items: impl Iterator<Item = (u32, T)>) -> Vec<(u32, Vec<T>)> {
    let mut groups: Vec<(u32, Vec<T>)> = Vec::new();
    for (shard, v) in items {
        match groups.iter_mut().find(|g| g.0 == shard) {
            Some(g) => g.1.push(v),
            None => groups.push((shard, vec![v])),
        }
    }
    groups
}

/// What the last change did, in words.
pub fn change_text(layout: &RingLayout, n_members: usize) -> Option<String> {
    let c = layout.last_change.as_ref()?;
    let mut s = format!(
        "{} at {:.1} s: {} of {} sampled keys moved ({:.1}%)",
        c.what,
        c.at_s,
        thousands(c.moved),
        thousands(c.sampled),
        c.moved_fraction * 100.0
    );
    if c.what.starts_with("added") && layout.partitioning == Partitioning::Hash {
        s.push_str(&format!("; a ring moves about 1/(n+1) = {:.1}%", 100.0 / n_members.max(1) as f64));
    }
    if c.alternative_fraction > 0.0 {
        s.push_str(&format!("; {} would have moved {:.1}%", c.alternative, c.alternative_fraction * 100.0));
    }
    Some(s)
}

pub fn routing_text(v: &StoreView) -> String {
    let hops = match v.routing {
        Routing::Client => "1 hop",
        Routing::Router => "2 hops",
        Routing::AnyNode => "1 or 2 hops",
    };
    let vnodes =
        if v.partitioning == Partitioning::Hash { format!(", {} vnodes/shard", v.vnodes) } else { String::new() };
    format!(
        "{}{vnodes} · routing: {} ({hops}) · mean hops {:.2} · N={} R={} W={} · {} unavailable",
        v.partitioning.label(),
        v.routing.label(),
        v.mean_hops,
        v.replication,
        v.read_quorum,
        v.write_quorum,
        v.unavailable
    )
}

/// What a frame draws besides the store itself.
#[derive(Clone, Copy)]
struct Look {
    /// Progress of the moved keys' flight, 0 to 1, while one is on.
    flight_t: Option<f64>,
    /// The shard the inspector acts on (outlined).
    chosen: Option<u32>,
    dark: bool,
}

/// Per-frame drawing: the static layer, routes, homes, flights and the bars.
fn draw_frame(ctx: &CanvasRenderingContext2d, w: f64, g: &Geom, v: &StoreView, layer: &HtmlCanvasElement, look: Look) {
    let Look { flight_t, chosen, dark } = look;
    let text = if dark { "#e6edf3" } else { "#1f2328" };
    let muted = if dark { "#8b949e" } else { "#57606a" };
    let _ = ctx.draw_image_with_html_canvas_element_and_dw_and_dh(layer, 0.0, 0.0, w, RING_H);
    let n = v.shards.len();
    let put = |s: &str, x: f64, y: f64| {
        let _ = ctx.fill_text(s, x, y);
    };

    ctx.set_fill_style_str(muted);
    put("ticks: virtual nodes · dots: keys · discs: shards (arc: busy)", 8.0, 12.0);

    // Routes: newest brightest.
    let entry = (g.cx - g.r - 34.0, g.cy);
    ctx.set_fill_style_str(muted);
    put("clients", (entry.0 - 18.0).max(0.0), entry.1 - 10.0);
    let router = (g.cx, g.cy);
    if v.routing == Routing::Router {
        ctx.set_fill_style_str(if dark { "#30363d" } else { "#eaeef2" });
        ctx.fill_rect(router.0 - 22.0, router.1 - 9.0, 44.0, 18.0);
        ctx.set_fill_style_str(text);
        put("router", router.0 - 17.0, router.1 + 4.0);
    }
    ctx.set_line_width(1.5);
    let shown = v.recent.len().min(8);
    for (age, r) in v.recent.iter().rev().take(shown).enumerate() {
        let alpha = 0.85 - 0.09 * age as f64;
        ctx.set_global_alpha(alpha.max(0.1));
        ctx.set_stroke_style_str(if r.refused { "#e5484d" } else { muted });
        let from = match (r.router, r.coordinator) {
            (true, _) => {
                ctx.begin_path();
                ctx.move_to(entry.0, entry.1);
                ctx.line_to(router.0 - 22.0, router.1);
                ctx.stroke();
                router
            }
            (false, Some(c)) => {
                let h = g.home(c, n);
                ctx.begin_path();
                ctx.move_to(entry.0, entry.1);
                ctx.line_to(h.0, h.1);
                ctx.stroke();
                h
            }
            _ => entry,
        };
        ctx.begin_path();
        for &t in &r.targets[..(r.n_targets as usize).min(r.targets.len())] {
            if Some(t) == r.coordinator {
                continue;
            }
            let h = g.home(t, n);
            ctx.move_to(from.0, from.1);
            ctx.line_to(h.0, h.1);
        }
        ctx.stroke();
    }
    ctx.set_global_alpha(1.0);
    ctx.set_fill_style_str(muted);
    ctx.begin_path();
    let _ = ctx.arc(entry.0, entry.1, 5.0, 0.0, TAU);
    ctx.fill();

    // Shard homes.
    for s in &v.shards {
        let (x, y) = g.home(s.shard, n);
        let busy = if v.workers > 0 { f64::from(s.busy) / f64::from(v.workers) } else { 0.0 };
        ctx.set_global_alpha(if s.present { 1.0 } else { 0.3 });
        ctx.set_fill_style_str(if s.up { colour(s.shard) } else { "#e5484d" });
        ctx.begin_path();
        let _ = ctx.arc(x, y, 13.0, 0.0, TAU);
        ctx.fill();
        if s.present && s.up {
            // Busy workers as an arc around the disc.
            ctx.set_stroke_style_str(text);
            ctx.set_line_width(2.5);
            ctx.begin_path();
            let _ = ctx.arc(x, y, 16.5, -PI / 2.0, -PI / 2.0 + TAU * busy.min(1.0));
            ctx.stroke();
        }
        if chosen == Some(s.shard) {
            ctx.set_stroke_style_str(text);
            ctx.set_line_width(1.5);
            ctx.begin_path();
            let _ = ctx.arc(x, y, 21.0, 0.0, TAU);
            ctx.stroke();
        }
        ctx.set_fill_style_str("#fff");
        put(&format!("{}", s.shard), x - if s.shard >= 10 { 7.0 } else { 3.5 }, y + 4.0);
        if !s.up {
            ctx.set_fill_style_str(text);
            put("down", x - 12.0, y + 28.0);
        } else if !s.present {
            ctx.set_fill_style_str(text);
            put("removed", x - 20.0, y + 28.0);
        }
    }
    ctx.set_global_alpha(1.0);

    // Moved keys fly from their old shard to their new one.
    if let Some(t) = flight_t {
        let layout = &v.layout;
        let step = layout.moved.len().div_ceil(MAX_FLIGHTS).max(1);
        for (j, &(i, from)) in layout.moved.iter().step_by(step).enumerate() {
            let Some(&(key, _, to)) = layout.keys.get(i as usize) else { continue };
            // Staggered starts; each flight takes 60% of the window.
            let start = 0.4 * (j as f64 / (layout.moved.len() / step).max(1) as f64);
            let u = ((t - start) / 0.6).clamp(0.0, 1.0);
            if u <= 0.0 || u >= 1.0 {
                continue;
            }
            let e = u * u * (3.0 - 2.0 * u);
            let (a, b) = (g.home(from, n), g.home(to, n));
            let lift = 30.0 * (1.0 - (2.0 * e - 1.0).powi(2)) * if jitter(key) > 0.5 { 1.0 } else { -1.0 };
            let (x, y) = (a.0 + (b.0 - a.0) * e, a.1 + (b.1 - a.1) * e - lift);
            ctx.set_fill_style_str(colour(to));
            ctx.fill_rect(x - 1.5, y - 1.5, 3.0, 3.0);
        }
    }

    // Load per shard: beside the ring, or under it on a narrow screen.
    let present: Vec<_> = v.shards.iter().filter(|s| s.present).collect();
    let (bx, top, row) = if w < NARROW {
        (8.0, RING_H + 8.0, BAR_ROW_NARROW)
    } else {
        ((g.cx + g.r + 40.0).min(w * 0.55), 0.0, ((RING_H - 80.0) / present.len().max(1) as f64).min(22.0))
    };
    let bw = (w - bx - 200.0).max(60.0);
    let loads: Vec<f64> = present.iter().map(|s| s.load_per_s).collect();
    let (max_over_mean, cv) = load_balance(&loads);
    let max = loads.iter().copied().fold(1.0, f64::max);
    let mean = if loads.is_empty() { 0.0 } else { loads.iter().sum::<f64>() / loads.len() as f64 };
    ctx.set_fill_style_str(text);
    put("Load per shard (subrequests/s, last window)", bx, top + 16.0);
    for (i, s) in present.iter().enumerate() {
        let y = top + 28.0 + i as f64 * row;
        ctx.set_fill_style_str(if s.up { colour(s.shard) } else { "#e5484d" });
        ctx.fill_rect(bx, y, bw * s.load_per_s / max, row - 5.0);
        ctx.set_fill_style_str(text);
        let state = if s.up { "" } else { " · down" };
        put(
            &format!("shard-{} {:.0}/s · {:.1}% of keys{state}", s.shard, s.load_per_s, s.share * 100.0),
            bx + bw + 6.0,
            y + row * 0.6,
        );
    }
    if mean > 0.0 {
        let x = bx + bw * mean / max;
        ctx.set_stroke_style_str(text);
        ctx.set_line_width(1.0);
        let _ = ctx.set_line_dash(&js_sys::Array::of2(&4.0.into(), &3.0.into()));
        ctx.begin_path();
        ctx.move_to(x, top + 24.0);
        ctx.line_to(x, top + 28.0 + present.len() as f64 * row);
        ctx.stroke();
        let _ = ctx.set_line_dash(&js_sys::Array::new());
    }
    let y = top + 28.0 + present.len() as f64 * row + 14.0;
    ctx.set_fill_style_str(text);
    put(&format!("max/mean {max_over_mean:.2} · CV {cv:.2} · dashed: mean"), bx, y);
    if v.partitioning == Partitioning::Hash {
        let n = present.len() as f64;
        let theory = ((n - 1.0) / (n * f64::from(v.vnodes) + 1.0)).sqrt();
        ctx.set_fill_style_str(muted);
        put(&format!("ring shares alone: CV ≈ √((n−1)/(nv+1)) = {theory:.2}"), bx, y + 16.0);
    }
}

/// The ring view of the current scene's first sharded store, rebuilt whole
/// when the scene changes.
#[component]
pub fn RingPanel() -> impl IntoView {
    let lab = expect_context::<Lab>();
    move || {
        let scene = lab.scene.get();
        let store = scene.kinds.iter().position(|k| *k == "sharded_store")?;
        Some(ring_panel(lab, scene.nodes[store].clone(), store as NodeIdx))
    }
}

fn ring_panel(lab: Lab, cell: ArcRwSignal<Live>, store: NodeIdx) -> impl IntoView {
    // A Copy handle on the scene's cell, owned by (and disposed with) this view.
    let cell = RwSignal::from(cell);
    let canvas_ref = NodeRef::<Canvas>::new();
    // The offscreen layer, the layout version and size it shows, and when
    // the current version was first seen (for the flights).
    let layer: StoredValue<Option<HtmlCanvasElement>, LocalStorage> = StoredValue::new_local(None);
    let drawn: StoredValue<(u32, u64, bool), LocalStorage> = StoredValue::new_local((0, 0, false));
    let seen: StoredValue<(u32, f64), LocalStorage> = StoredValue::new_local((0, 0.0));
    // The geometry last drawn and the shard count, for pointing at discs.
    let geom: StoredValue<Option<(Geom, usize)>, LocalStorage> = StoredValue::new_local(None);
    // The shard disc under the pointer, if any.
    let shard_at = move |ev: &web_sys::MouseEvent| -> Option<u32> {
        let (g, n) = geom.get_value()?;
        let (x, y) = (f64::from(ev.offset_x()), f64::from(ev.offset_y()));
        (0..n as u32).find(|&s| {
            let (hx, hy) = g.home(s, n);
            (hx - x).powi(2) + (hy - y).powi(2) <= 17.0 * 17.0
        })
    };
    let tooltip = {
        move |shard: u32| -> Option<String> {
            cell.with_untracked(|l| {
            let v = l.view.own::<StoreView>()?;
            let s = v.shards.get(shard as usize)?;
            let state = match (s.present, s.up) {
                (false, _) => "removed",
                (true, false) => "down",
                (true, true) => "up",
            };
            Some(format!(
                "shard-{shard} · {state} · weight {}\n{:.1}% of keys · {:.0} subrequests/s\n{}/{} workers busy · {} queued · {} served\nClick to act on it in the inspector",
                s.weight,
                s.share * 100.0,
                s.load_per_s,
                s.busy,
                v.workers,
                s.queue_len,
                s.served
            ))
        })
        }
    };
    let draw_cell = cell;
    Effect::new(move |_| {
        let now_ns = lab.frame.with(|f| f.now_ns);
        draw_cell.with(|l| {
            let (Some(c), Some(v)) = (canvas_ref.get(), l.view.own::<StoreView>()) else {
                return;
            };
            let w = f64::from(c.client_width()).max(320.0);
            let h = panel_height(w, v.shards.iter().filter(|s| s.present).count());
            if (h * canvas::pixel_ratio()).round() as u32 != c.height() {
                let _ = c.set_attribute("style", &format!("height:{h}px"));
            }
            let Some(ctx) = canvas::prepare(&c, w, h) else { return };
            ctx.set_font("11px system-ui, sans-serif");
            let dark = crate::ui::chart::prefers_dark();
            let r = ((RING_H - 50.0) / 2.0).min(if w < NARROW { (w - 80.0) / 2.0 } else { w * 0.25 });
            let g = Geom { cx: r + 56.0, cy: RING_H / 2.0 + 8.0, r };
            geom.set_value(Some((g, v.shards.len())));
            let layout: &Arc<RingLayout> = &v.layout;
            let key = (layout.version, w.to_bits(), dark);
            if layer.with_value(|l| l.is_none()) {
                let off = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.create_element("canvas").ok())
                    .and_then(|e| e.dyn_into::<HtmlCanvasElement>().ok());
                layer.set_value(off);
            }
            if drawn.get_value() != key {
                layer.with_value(|l| l.as_ref().map(|off| draw_layer(off, w, &g, layout, dark)));
                drawn.set_value(key);
            }
            let now = web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now());
            if seen.get_value().0 != layout.version {
                seen.set_value((layout.version, now));
            }
            // Fly for a change just made, not for one a link or a seek
            // jumped past: it must be within one flight's worth of simulated
            // time (at the current speed) of the clock.
            let age = now - seen.get_value().1;
            let recent_ns = (FLIGHT_MS * 1e6 * lab.speed.get_untracked().max(1.0)) as u64;
            let recent = now_ns >= layout.changed_at_ns && now_ns - layout.changed_at_ns <= recent_ns;
            // Reduced motion: no flights (the caption still says what moved).
            let flight_t = (!lab.options.reduced_motion && !layout.moved.is_empty() && age < FLIGHT_MS && recent)
                .then_some(age / FLIGHT_MS);
            layer.with_value(|l| {
                if let Some(off) = l {
                    draw_frame(&ctx, w, &g, v, off, Look { flight_t, chosen: lab.shard.get(), dark });
                }
            });
        });
    });
    // Both captions from one pass over the frame (a memo: the text nodes
    // update only when the words change).
    let captions = Memo::new(move |_| {
        cell.with(|l| {
            let v = l.view.own::<StoreView>()?;
            let present = v.shards.iter().filter(|s| s.present).count();
            let change = change_text(&v.layout, present).unwrap_or_else(|| "No change of placement yet.".into());
            Some((routing_text(v), change))
        })
    });
    let hover = RwSignal::new(None::<u32>);
    {
        {
            view! {
                <section class="ring" data-testid="ring">
                    <canvas node_ref=canvas_ref data-testid="ring-canvas" style=format!("height:{RING_H}px")
                        aria-label="The hash ring: shards, virtual nodes, keys and routes"
                        class:pointing=move || hover.get().is_some()
                        on:mousemove=move |ev| {
                            let at = shard_at(&ev);
                            if at != hover.get_untracked() {
                                hover.set(at);
                                if let Some(c) = canvas_ref.get_untracked() {
                                    c.set_title(&at.and_then(tooltip).unwrap_or_default());
                                }
                            }
                        }
                        on:mouseleave=move |_| hover.set(None)
                        on:click=move |ev| {
                            if let Some(shard) = shard_at(&ev) {
                                lab.shard.set(Some(shard));
                                lab.selected.set(Some(store));
                            }
                        }></canvas>
                    <p class="caption" data-testid="ring-routing">{move || captions.with(|c| c.as_ref().map(|c| c.0.clone()))}</p>
                    <p class="caption" data-testid="ring-change" aria-live="polite">{move || captions.with(|c| c.as_ref().map(|c| c.1.clone()))}</p>
                </section>
            }
        }
    }
}

/// The family's panel, for the registry (`families::Family::panel`).
pub fn panel() -> AnyView {
    view! { <RingPanel/> }.into_any()
}

/// A sharded store's editor: placement, routing, virtual nodes, the shards'
/// workers and service time, and one shard's fate (fail, recover, remove) or
/// a new shard.
pub fn inspector(lab: Lab, cell: RwSignal<Live>, id: String, v: &NodeView) -> Option<AnyView> {
    let service_time = v.params::<StoreParams>()?.service_time.clone();
    // (shard, up) of the shards in the placement: the options change only
    // when these do, so a choice survives the frames in between.
    let st = cell.with_untracked(|l| l.view.own::<StoreView>().cloned());
    let shard_list = Memo::new(move |_| {
        cell.with(|l| {
            l.view.own::<StoreView>().map_or_else(Vec::new, |st| {
                st.shards.iter().filter(|s| s.present).map(|s| (s.shard, s.up)).collect::<Vec<_>>()
            })
        })
    });
    let st = st?;
    let set = {
        let id = id.clone();
        move |e: FaultSpec| lab.edit(FaultSpec { set: Some(id.clone()), ..e })
    };
    let (set_p, set_r, set_v) = (set.clone(), set.clone(), set.clone());
    // The shard the buttons act on: the one chosen (here or on the ring),
    // else the first in the list.
    let chosen_shard = move || {
        let list = shard_list.get_untracked();
        lab.shard.get_untracked().filter(|s| list.iter().any(|l| l.0 == *s)).or(list.first().map(|l| l.0))
    };
    let shard_edit = {
        let id = id.clone();
        move |verb: &'static str| {
            let Some(shard) = chosen_shard() else {
                lab.notice.set(Some("Choose a shard first.".into()));
                return;
            };
            let target = Some(id.clone());
            let mut e = FaultSpec { shard: Some(shard), ..Default::default() };
            match verb {
                "fail" => e.fail = target,
                "recover" => e.recover = target,
                _ => e.remove_shard = target,
            }
            lab.edit(e);
        }
    };
    let (fail_shard, recover_shard, remove_shard) = (shard_edit.clone(), shard_edit.clone(), shard_edit);
    let id_add = id.clone();
    let vnode_choices: Vec<u32> = {
        let mut v = vec![1, 10, 100, 1000, st.vnodes];
        v.sort_unstable();
        v.dedup();
        v
    };
    view! {
        <div class="edit store-edit">
            {enum_choice(
                "Partitioning",
                "Where keys live; changing it moves keys (the ring view shows which)",
                "edit-partitioning",
                (&Partitioning::ALL, Partitioning::label),
                st.partitioning,
                move |p| set_p(FaultSpec { partitioning: Some(p), ..Default::default() }),
            )}
            {enum_choice(
                "Routing",
                "Who knows where a key lives: the client library (1 hop), a router tier (2 hops), or any node, which forwards",
                "edit-routing",
                (&Routing::ALL, Routing::label),
                st.routing,
                move |r| set_r(FaultSpec { routing: Some(r), ..Default::default() }),
            )}
            {choice(
                "Virtual nodes",
                "Ring points per shard: more even shares, and a few keys move when it changes",
                "edit-vnodes",
                vnode_choices.iter().map(|n| (n.to_string(), n.to_string())).collect(),
                &st.vnodes.to_string(),
                Callback::new(move |v: String| set_v(FaultSpec { vnodes: v.parse().ok(), ..Default::default() })),
            )}
        </div>
        {workers_form(lab, id.clone(), "Workers per shard", st.workers, service_time)}
        <div class="edit shard-edit">
            <label title="The shard the buttons act on">
                "Shard "
                <select data-testid="edit-shard" on:change:target=move |ev| lab.shard.set(ev.target().value().parse().ok())>
                    {move || shard_list.get().into_iter().map(|(shard, up)| {
                        let label = format!("shard-{shard}{}", if up { "" } else { " (down)" });
                        view! { <option value=shard.to_string() selected=move || lab.shard.get() == Some(shard)>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <button class="danger" data-testid="fail-shard" title="This shard fails: what it holds is lost; its keys are served by other replicas, if any" on:click=move |_| fail_shard("fail")>"Fail"</button>
            <button data-testid="recover-shard" title="Bring the shard back (empty queue)" on:click=move |_| recover_shard("recover")>"Recover"</button>
            <button data-testid="remove-shard" title="Take the shard out of the placement: its keys move to their next owners" on:click=move |_| remove_shard("remove")>"Remove"</button>
            <button data-testid="add-shard" title="A new shard joins the placement and takes over its share of keys" on:click=move |_| {
                lab.edit(FaultSpec { add_shard: Some(id_add.clone()), ..Default::default() })
            }>"Add shard"</button>
        </div>
    }
    .into_any()
    .into()
}

/// Tooltip text of the family's nodes (`families::Family::describe`).
pub fn describe(id: &str, v: &NodeView, state: &str) -> Option<String> {
    Some(match v.kind {
        "sharded_store" => format!(
            "{id} · sharded store{state}\n{}/{} workers busy over its shards · queued {}\n{} answered · {} errors",
            v.in_service, v.workers, v.queue_len, v.completed, v.errors
        ),
        _ => return None,
    })
}
