//! The topology: links in one SVG, the messages in flight as dots on a
//! canvas over it, and the nodes in a second SVG over the dots (shape by
//! kind, fill by utilisation, a queue bar per station, failed nodes
//! crossed out, a tooltip on hover, the inspector on click), so a node's
//! box and its name are never under a moving dot. The layout
//! (`crate::diagram`) is in CSS pixels for the width the page gives the
//! diagram: names are drawn at 12 px whatever the width, and a narrow page
//! runs the layers top to bottom.
//!
//! ```text
//!   svg.links   ──  lines between node centres
//!   canvas.dots ──  message dots (or, reduced motion, flows)
//!   svg.nodes   ──  shapes, names, load text, crosses
//! ```

use leptos::html::{Canvas, Div};
use leptos::prelude::*;

use std::sync::Arc;

use super::canvas::KEY_COLOURS;
use super::scene::Dot;
use super::scene::Scene;
use super::state::{Lab, MAX_DOTS};
use crate::diagram::{Anchor, Layout, Place};
use crate::families::Glyph;
use crate::sim::engine::NodeView;
use crate::sim::trace::MsgKind;
use crate::sim::validate::NodeIdx;

/// Green at idle through amber to red when saturated.
pub fn load_colour(utilisation: f64) -> String {
    let u = utilisation.clamp(0.0, 1.0);
    let hue = 130.0 * (1.0 - u);
    format!("hsl({hue:.0}, 62%, 42%)")
}

fn utilisation(v: &NodeView) -> f64 {
    if v.workers > 0 { v.in_service as f64 / f64::from(v.workers) } else { 0.0 }
}

/// Text of a node's tooltip.
pub fn describe(id: &str, v: &NodeView) -> String {
    let state = match (v.up, v.cut) {
        (false, _) => " · DOWN",
        (true, true) => " · CUT OFF: messages across the cut are lost",
        (true, false) => "",
    };
    // A family that describes its own kinds.
    if let Some(text) = crate::families::FAMILIES.iter().filter_map(|f| f.describe_fn()).find_map(|d| d(id, v, state)) {
        return text;
    }
    let kind = v.kind.replace('_', " ");
    match v.kind {
        // A kind that shows its numbers as figures (a cache, a database).
        _ if !v.figures.is_empty() => {
            let figures: Vec<String> =
                v.figures.iter().take(4).map(|(l, x)| format!("{} {x:.0}", l.to_ascii_lowercase())).collect();
            format!(
                "{id} · {kind}{state}\n{}\n{}/{} workers busy · queue {}/{} · {} errors",
                figures.join(" · "),
                v.in_service,
                v.workers,
                v.queue_len,
                v.queue_capacity,
                v.errors
            )
        }
        _ => format!(
            "{id} · {kind}{state}\n{} in flight · {} completed · {} errors",
            v.in_service, v.completed, v.errors
        ),
    }
}

/// Moving dots, or (with `reduced_motion`) links as thick as their traffic.
/// The canvas covers the drawing exactly, so layout pixels are its CSS pixels.
fn draw_dots(canvas: &web_sys::HtmlCanvasElement, dots: &[Dot], layout: &Layout, reduced_motion: bool) {
    let (cw, ch) = (f64::from(canvas.client_width()), f64::from(canvas.client_height()));
    let ratio = super::canvas::pixel_ratio();
    let (pw, ph) = super::canvas::fit(canvas, cw, ch, ratio);
    let Some(ctx) = super::canvas::context2d(canvas) else {
        return;
    };
    ctx.clear_rect(0.0, 0.0, f64::from(pw), f64::from(ph));
    let scale = (f64::from(pw) / layout.width).min(f64::from(ph) / layout.height);
    let to_px = |x: f64, y: f64| (x * scale, y * scale);
    // Dots and the layout come from one scene: every index is in range.
    let pos = |i: NodeIdx| layout.pos(i);
    if reduced_motion {
        // A static flow view: each link drawn as thick as its recent traffic.
        let mut flow: std::collections::BTreeMap<(NodeIdx, NodeIdx), u32> = std::collections::BTreeMap::new();
        for d in dots {
            let key = if matches!(d.kind, MsgKind::Request | MsgKind::Write) { (d.from, d.to) } else { (d.to, d.from) };
            *flow.entry(key).or_default() += 1;
        }
        ctx.set_stroke_style_str("rgba(47, 129, 247, 0.55)");
        for ((a, b), n) in flow {
            let (p, q) = (pos(a), pos(b));
            ctx.set_line_width((1.0 + 2.5 * f64::from(n).log2()) * ratio);
            ctx.begin_path();
            let ((x0, y0), (x1, y1)) = (to_px(p.0, p.1), to_px(q.0, q.1));
            ctx.move_to(x0, y0);
            ctx.line_to(x1, y1);
            ctx.stroke();
        }
        return;
    }
    let radius = 3.0 * ratio;
    let fixed = [
        (MsgKind::Request, "#2f81f7"),
        (MsgKind::Write, "#d29922"),
        (MsgKind::Response, "#2da44e"),
        (MsgKind::Error, "#e5484d"),
        (MsgKind::Ack, "#2da44e"),
        (MsgKind::Control, "#8b949e"),
        (MsgKind::Lost, "#a371f7"),
    ];
    // Records and messages take the colour of their key.
    let by_key = (0..KEY_COLOURS.len()).map(|k| (MsgKind::Record, KEY_COLOURS[k], Some(k as u32)));
    let groups = fixed.into_iter().map(|(kind, c)| (kind, c, None)).chain(by_key);
    for (kind, colour, key) in groups {
        ctx.set_fill_style_str(colour);
        ctx.begin_path();
        let palette = KEY_COLOURS.len() as u32;
        for d in dots.iter().filter(|d| d.kind == kind && key.is_none_or(|k| d.key % palette == k)) {
            let (a, b) = (pos(d.from), pos(d.to));
            // A lost message fades half way, where the cut is.
            let p = f64::from(d.progress) * if d.kind == MsgKind::Lost { 0.5 } else { 1.0 };
            let (x, y) = to_px(a.0 + (b.0 - a.0) * p, a.1 + (b.1 - a.1) * p);
            ctx.move_to(x + radius, y);
            let _ = ctx.arc(x, y, radius, 0.0, std::f64::consts::TAU);
        }
        ctx.fill();
    }
}

/// The topology of the current scene, rebuilt whole when the scene changes.
#[component]
pub fn Topology() -> impl IntoView {
    let lab = expect_context::<Lab>();
    move || scene_topology(lab, lab.scene.get())
}

/// A count for a box: 950, 9.9k, 12k, 1.2M.
fn short(n: u64) -> String {
    match n {
        0..1_000 => n.to_string(),
        1_000..10_000 => format!("{:.1}k", n as f64 / 1e3),
        10_000..1_000_000 => format!("{}k", n / 1_000),
        _ => format!("{:.1}M", n as f64 / 1e6),
    }
}

/// One node's shape, name, load text and cross, at `place`; it reads only
/// its own cell.
fn node_shape(
    lab: Lab,
    scene: &Scene,
    i: usize,
    place: Place,
    hovered: RwSignal<Option<NodeIdx>>,
) -> impl IntoView + use<> {
    let kind = scene.kinds[i];
    let id = scene.ids()[i].clone();
    // A Copy handle on the scene's cell, owned by (and disposed with) this view.
    let cell = RwSignal::from(scene.nodes[i].clone());
    let (x, y) = (place.x, place.y);
    let r = place.shape;
    let view_of = move |f: fn(&NodeView) -> String| cell.with(|l| f(&l.view));
    let up = move || cell.with(|l| l.view.up);
    let present = move || cell.with(|l| l.view.present);
    let glyph = crate::families::glyph(kind);
    let broker = glyph == Glyph::Broker;
    // The load text, shortened to what the box has room for beside the name.
    let room = r.w - place.label.w - 3.0 * 7.0;
    let load = move || {
        cell.with(|l| {
            let v = &l.view;
            if !v.up {
                return "DOWN".to_string();
            }
            if v.cut {
                return "CUT OFF".to_string();
            }
            let full = if broker {
                format!("{} in · q{}", short(v.completed), short(v.queue_len))
            } else {
                format!("{}/{} · q{}", v.in_service, v.workers, short(v.queue_len))
            };
            let queue = format!("q{}", short(v.queue_len));
            [full, queue]
                .into_iter()
                .find(|t| crate::diagram::text_width(t, crate::diagram::LOAD_PX) <= room)
                .unwrap_or_default()
        })
    };
    let shape = match glyph {
        Glyph::Circle(letter) => view! {
            <circle class="shape" r=r.w / 2.0 cx=x cy=y></circle>
            <text class="glyph" x=x y=y + 5.0>{letter}</text>
        }
        .into_any(),
        Glyph::Diamond(label) => {
            let d = r.w / 2.0;
            view! {
                <polygon
                    class="shape"
                    points=format!("{},{} {},{} {},{} {},{}", x, y - d, x + d, y, x, y + d, x - d, y)
                ></polygon>
                <text class="glyph" x=x y=y + 5.0>{label}</text>
            }
            .into_any()
        }
        Glyph::Station | Glyph::Broker => view! {
            <rect
                class="shape"
                x=r.x
                y=r.y
                width=r.w
                height=r.h
                rx="6"
                fill=move || view_of(|v| if v.up { load_colour(utilisation(v)) } else { "var(--down)".to_string() })
            ></rect>
            <rect
                class="queue-bar"
                x=r.x
                y=r.y + r.h - 4.0
                height="4"
                width=move || {
                    cell.with(|l| {
                        let cap = l.view.queue_capacity.max(1) as f64;
                        (r.w * ((1.0 + l.view.queue_len as f64).ln() / (1.0 + cap).ln()).clamp(0.0, 1.0)).to_string()
                    })
                }
            ></rect>
            {place.show_load.then(|| view! { <text class="load" x=r.x + r.w - 7.0 y=y + 4.0>{load}</text> })}
        }
        .into_any(),
    };
    let anchor = match place.anchor {
        Anchor::Start => "start",
        Anchor::Middle => "middle",
        Anchor::End => "end",
    };
    let inside = matches!(glyph, Glyph::Station | Glyph::Broker);
    let node = i as NodeIdx;
    let name = format!("{id}, {}", kind.replace('_', " "));
    view! {
        <g
            class=format!("node {kind} {}", match glyph {
                Glyph::Circle(_) => "source",
                Glyph::Diamond(_) => "router",
                Glyph::Station | Glyph::Broker => "tier",
            })
            class:down=move || !up()
            class:cut=move || cell.with(|l| l.view.cut)
            class:selected=move || lab.selected.get() == Some(node)
            class:absent=move || !present()
            data-testid=format!("node-{id}")
            data-id=id.clone()
            tabindex="0"
            role="button"
            aria-label=name
            on:click=move |_| lab.selected.set(Some(node))
            on:keydown=move |ev: web_sys::KeyboardEvent| {
                if ev.key() == "Enter" || ev.key() == " " {
                    ev.prevent_default();
                    lab.selected.set(Some(node));
                }
            }
            on:mouseenter=move |_| hovered.set(Some(node))
            on:mouseleave=move |_| hovered.set(None)
            on:focus=move |_| hovered.set(Some(node))
            on:blur=move |_| hovered.set(None)
        >
            {shape}
            <text class="label" class:inside=inside x=place.label_at.0 y=place.label_at.1 text-anchor=anchor>{id.clone()}</text>
            <line class="cross" x1=x - 14.0 y1=y - 14.0 x2=x + 14.0 y2=y + 14.0></line>
        </g>
    }
}

/// Follows the width the page gives `el` (a window resized, a phone turned,
/// a side panel that moves below): the layout is made for it.
fn watch_width(el: NodeRef<Div>, width: RwSignal<f64>) {
    el.on_load(move |div| {
        use wasm_bindgen::JsCast;
        let measure = {
            let div = div.clone();
            move || {
                let w = f64::from(div.client_width()).round();
                if w > 0.0 && (w - width.get_untracked()).abs() >= 1.0 {
                    width.set(w);
                }
            }
        };
        measure();
        let on_resize = wasm_bindgen::closure::Closure::<dyn Fn()>::new(measure);
        if let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
            observer.observe(&div);
            let observer = send_wrapper::SendWrapper::new(observer);
            on_cleanup(move || observer.disconnect());
        }
        // Lives as long as the observer, which the cleanup disconnects.
        on_resize.forget();
    });
}

fn scene_topology(lab: Lab, scene: Arc<Scene>) -> impl IntoView {
    // What the pointer is over: state of this scene's view alone.
    let hovered = RwSignal::new(None::<NodeIdx>);
    let canvas_ref = NodeRef::<Canvas>::new();
    let box_ref = NodeRef::<Div>::new();
    // The drawing's width in CSS pixels (a first guess until measured).
    let width = RwSignal::new(
        web_sys::window().and_then(|w| w.inner_width().ok()?.as_f64()).map_or(640.0, |w| (w * 0.55).max(300.0)),
    );
    watch_width(box_ref, width);
    let layout = {
        let scene = scene.clone();
        Memo::new(move |_| Arc::new(crate::diagram::layout(&scene.scenario, width.get())))
    };
    {
        let scene = scene.clone();
        Effect::new(move |_| {
            let l = layout.get();
            scene.motion.with(|m| {
                if let Some(c) = canvas_ref.get() {
                    draw_dots(&c, &m.dots, &l, lab.options.reduced_motion);
                }
            })
        });
    }
    // Changes only when a node is added or removed, so the links are not
    // rebuilt every frame.
    let presence = {
        let scene = scene.clone();
        Memo::new(move |_| scene.nodes.iter().map(|c| c.with(|l| l.view.present)).collect::<Vec<_>>())
    };
    let links = {
        let scene = scene.clone();
        move || {
            let l = layout.get();
            presence.with(|present| {
                scene
                    .links
                    .iter()
                    .filter(|&&(a, b)| present[a as usize] && present[b as usize])
                    .map(|&(a, b)| {
                        let (p, q) = (l.pos(a), l.pos(b));
                        view! { <line class="link" x1=p.0 y1=p.1 x2=q.0 y2=q.1></line> }
                    })
                    .collect_view()
            })
        }
    };
    let nodes = {
        let scene = scene.clone();
        move || {
            let l = layout.get();
            (0..scene.len()).map(|i| node_shape(lab, &scene, i, l.nodes[i].clone(), hovered)).collect_view()
        }
    };
    // A node's figures beside it, inside the drawing: anchored in proportion
    // to x, so it never runs off either side.
    let tooltip = {
        let scene = scene.clone();
        move || {
            let i = hovered.get()? as usize;
            let l = layout.get();
            let p = &l.nodes[i];
            let text = scene.nodes[i].with(|c| describe(&scene.ids()[i], &c.view));
            Some(view! {
                <div
                    class="tooltip"
                    role="tooltip"
                    data-testid="tooltip"
                    style=format!(
                        "left: {:.1}px; transform: translateX(-{:.1}%); top: {:.1}px;",
                        p.x,
                        p.x / l.width * 100.0,
                        p.shape.y + p.shape.h + 6.0
                    )
                >
                    {text}
                </div>
            })
        }
    };
    // The story of the request whose dot is under the pointer, when a node
    // tells one (`NodeView::stories`): (x, y in layout px, text).
    let dot_story = RwSignal::new(None::<(f64, f64, String)>);
    let on_move = {
        let scene = scene.clone();
        move |ev: web_sys::MouseEvent| {
            use wasm_bindgen::JsCast;
            let Some(el) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
            let l = layout.get_untracked();
            let rect = el.get_bounding_client_rect();
            let scale = (rect.width() / l.width).min(rect.height() / l.height);
            if scale <= 0.0 {
                return;
            }
            let mx = (f64::from(ev.client_x()) - rect.left()) / scale;
            let my = (f64::from(ev.client_y()) - rect.top()) / scale;
            let nearest = scene.motion.with_untracked(|m| {
                m.dots
                    .iter()
                    .filter(|d| {
                        matches!(d.kind, MsgKind::Request | MsgKind::Write | MsgKind::Response | MsgKind::Error)
                    })
                    .map(|d| {
                        let (a, b, p) = (l.pos(d.from), l.pos(d.to), f64::from(d.progress));
                        let (x, y) = (a.0 + (b.0 - a.0) * p, a.1 + (b.1 - a.1) * p);
                        ((x - mx).powi(2) + (y - my).powi(2), x, y, d.key)
                    })
                    .min_by(|a, b| a.0.total_cmp(&b.0))
            });
            // Within 10 CSS pixels; a request's dots carry its id (low 32 bits).
            let story = nearest.filter(|n| n.0.sqrt() * scale <= 10.0).and_then(|(_, x, y, key)| {
                scene
                    .nodes
                    .iter()
                    .find_map(|c| {
                        c.with_untracked(|l| {
                            l.view
                                .stories
                                .iter()
                                .find(|s| s.req_id as u32 == key)
                                .map(|s| format!("request {} · {}", s.req_id, s.text))
                        })
                    })
                    .map(|t| (x, y, t))
            });
            if story != dot_story.get_untracked() {
                dot_story.set(story);
            }
        }
    };
    let story_tip = move || {
        let w = layout.with(|l| l.width);
        dot_story.get().map(|(x, y, text)| {
            view! {
                <div
                    class="tooltip story-tip"
                    role="tooltip"
                    data-testid="dot-story"
                    // Anchored in proportion to x, so it never leaves the drawing.
                    style=format!("left: {x:.1}px; transform: translateX(-{:.1}%); top: {:.1}px;", x / w * 100.0, y + 10.0)
                >
                    {text}
                </div>
            }
        })
    };
    let in_flight = {
        let motion = scene.motion.clone();
        move || {
            let n = lab.frame.with(|f| f.in_flight);
            if n > MAX_DOTS {
                format!("showing {} of {} messages in flight (sampled)", motion.with(|m| m.dots.len()), n)
            } else {
                format!("{n} messages in flight")
            }
        }
    };
    let view_box = move || layout.with(|l| format!("0 0 {:.0} {:.0}", l.width, l.height));

    view! {
        <div
            node_ref=box_ref
            class="topology"
            data-testid="topology"
            data-scene=scene.generation
            data-motion=if lab.options.reduced_motion { "static" } else { "animated" }
            data-direction=move || if layout.with(|l| l.vertical) { "down" } else { "across" }
            style=move || layout.with(|l| format!("height: {:.0}px", l.height))
            on:mousemove=on_move
            on:mouseleave=move |_| dot_story.set(None)
        >
            <svg class="links" viewBox=view_box aria-hidden="true">
                <g class="links">{links}</g>
            </svg>
            <canvas node_ref=canvas_ref class="dots" aria-hidden="true"></canvas>
            <svg
                class="nodes"
                viewBox=view_box
                role="group"
                aria-label="Topology: nodes and links; messages move along the links"
            >
                <g class="nodes">{nodes}</g>
            </svg>
            {tooltip}
            {story_tip}
        </div>
        <p class="in-flight" data-testid="in-flight">{in_flight}</p>
    }
}
