//! The topology: nodes in SVG (shape by kind, fill by utilisation, a queue
//! bar per server, failed nodes crossed out, a tooltip on hover, the
//! inspector on click) and the messages in flight as dots on a canvas laid
//! over it.
//!
//! ```text
//!   layer 0        layer 1          layer 2
//!   clients  ──►   balancers  ──►   servers      (layer = longest path from a client)
//! ```

use leptos::html::Canvas;
use leptos::prelude::*;

use std::sync::Arc;

use super::scene::Scene;
use super::state::{Dot, Lab, MAX_DOTS};
use crate::families::Glyph;
use crate::sim::engine::NodeView;
use crate::sim::spec::NodeSpec;
use crate::sim::trace::MsgKind;
use crate::sim::validate::{NodeIdx, Scenario};

pub const VIEW_W: f64 = 1000.0;

/// Colours of record keys and routing keys (key number modulo their count).
pub const KEY_COLOURS: [&str; 8] =
    ["#2f81f7", "#d29922", "#a371f7", "#3fb950", "#f778ba", "#39c5cf", "#db6d28", "#8b949e"];
/// Width of a server's box, in view units.
const BOX_W: f64 = 150.0;

/// Where each node is drawn, and the drawing's height.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub pos: Vec<(f64, f64)>,
    pub height: f64,
    /// Server box height (shrinks when a layer is crowded).
    pub box_h: f64,
}

/// Layers by longest path from a client; nodes spread evenly in a layer.
pub fn layout(s: &Scenario) -> Layout {
    let topo = &s.topology;
    let n = topo.ids.len();
    let mut layer = vec![0usize; n];
    // Paths are at most MAX_HOPS long and acyclic: relax that many times.
    for _ in 0..=crate::sim::validate::limits::MAX_HOPS {
        for l in &topo.links {
            layer[l.to as usize] = layer[l.to as usize].max(layer[l.from as usize] + 1);
        }
    }
    // Consumers link to their broker but read from it: draw them after it.
    for (i, spec) in s.node_specs.iter().enumerate() {
        if matches!(spec, NodeSpec::KafkaConsumer(_) | NodeSpec::RabbitConsumer(_))
            && let Some((_, broker)) = topo.target_of(i as NodeIdx)
        {
            layer[i] = layer[broker as usize] + 1;
        }
    }
    let n_layers = layer.iter().max().map_or(1, |m| m + 1);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n_layers];
    for (i, &l) in layer.iter().enumerate() {
        members[l].push(i);
    }
    let crowd = members.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let min_row = (460.0 / crowd as f64).clamp(26.0, 90.0);
    let height = (crowd as f64 * min_row + 40.0).max(300.0);
    let box_h = (min_row * 0.78).min(46.0);
    let margin_x = 100.0;
    let step_x = if n_layers > 1 { (VIEW_W - 2.0 * margin_x) / (n_layers - 1) as f64 } else { 0.0 };
    let mut pos = vec![(0.0, 0.0); n];
    for (l, nodes) in members.iter_mut().enumerate() {
        // Order a layer by where its parents sit (fewer crossing links),
        // then spread it over the whole height.
        if l > 0 {
            let parent_y = |i: usize| {
                let ys: Vec<f64> =
                    topo.links.iter().filter(|k| k.to as usize == i).map(|k| pos[k.from as usize].1).collect();
                if ys.is_empty() { 0.0 } else { ys.iter().sum::<f64>() / ys.len() as f64 }
            };
            let keyed: Vec<(f64, usize)> = nodes.iter().map(|&i| (parent_y(i), i)).collect();
            let mut keyed = keyed;
            keyed.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            *nodes = keyed.into_iter().map(|(_, i)| i).collect();
        }
        let row = (height - 40.0) / nodes.len() as f64;
        for (k, &i) in nodes.iter().enumerate() {
            let x = if n_layers > 1 { margin_x + l as f64 * step_x } else { VIEW_W / 2.0 };
            pos[i] = (x, 20.0 + row * (k as f64 + 0.5));
        }
    }
    Layout { pos, height, box_h }
}

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
    let state = if !v.up { " · DOWN" } else { "" };
    // A family that describes its own kinds.
    if let Some(text) = crate::families::FAMILIES.iter().filter_map(|f| f.describe_fn()).find_map(|d| d(id, v, state)) {
        return text;
    }
    match v.kind {
        "server" => format!(
            "{id} · server{state}\n{}/{} workers busy · queue {}/{}\n{} completed · {} dropped or timed out",
            v.in_service, v.workers, v.queue_len, v.queue_capacity, v.completed, v.dropped
        ),
        "load_balancer" => format!(
            "{id} · load balancer{state}\n{} in flight · {} backends in rotation · {} refused",
            v.in_service,
            v.healthy_backends.len(),
            v.errors
        ),
        // A kind that shows its numbers as figures (a cache, a database).
        _ if !v.figures.is_empty() => {
            let figures: Vec<String> =
                v.figures.iter().take(4).map(|(l, x)| format!("{} {x:.0}", l.to_lowercase())).collect();
            format!(
                "{id} · {}{state}\n{}\n{}/{} workers busy · queue {}/{} · {} errors",
                v.kind,
                figures.join(" · "),
                v.in_service,
                v.workers,
                v.queue_len,
                v.queue_capacity,
                v.errors
            )
        }
        _ => format!("{id} · client\n{} in flight · {} completed · {} errors", v.in_service, v.completed, v.errors),
    }
}

/// Moving dots, or (with `reduced_motion`) links as thick as their traffic.
fn draw_dots(canvas: &web_sys::HtmlCanvasElement, dots: &[Dot], layout: &Layout, reduced_motion: bool) {
    let (cw, ch) = (f64::from(canvas.client_width()), f64::from(canvas.client_height()));
    let ratio = super::canvas::pixel_ratio();
    let (pw, ph) = super::canvas::fit(canvas, cw, ch, ratio);
    let Some(ctx) = super::canvas::context2d(canvas) else {
        return;
    };
    ctx.clear_rect(0.0, 0.0, f64::from(pw), f64::from(ph));
    // The SVG scales its view box to fit and centres it (xMidYMid meet):
    // map view units to canvas pixels the same way.
    let scale = (f64::from(pw) / VIEW_W).min(f64::from(ph) / layout.height);
    let (ox, oy) = ((f64::from(pw) - VIEW_W * scale) / 2.0, (f64::from(ph) - layout.height * scale) / 2.0);
    let to_px = |x: f64, y: f64| (ox + x * scale, oy + y * scale);
    // Dots and the layout come from one scene: every index is in range.
    let pos = |i: NodeIdx| layout.pos[i as usize];
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
    // Dots shrink with the drawing, within 1.5 to 4 CSS pixels.
    let radius = (6.0 * scale).clamp(1.5 * ratio, 4.0 * ratio);
    let fixed = [
        (MsgKind::Request, "#2f81f7"),
        (MsgKind::Write, "#d29922"),
        (MsgKind::Response, "#2da44e"),
        (MsgKind::Error, "#e5484d"),
        (MsgKind::Ack, "#2da44e"),
        (MsgKind::Control, "#8b949e"),
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
            let p = f64::from(d.progress);
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

/// One node's shape, label and cross; it reads only its own cell.
fn node_shape(lab: Lab, scene: &Scene, i: usize, hovered: RwSignal<Option<NodeIdx>>) -> impl IntoView + use<> {
    let kind = scene.kinds[i];
    let id = scene.ids()[i].clone();
    // A Copy handle on the scene's cell, owned by (and disposed with) this view.
    let cell = RwSignal::from(scene.nodes[i].clone());
    let (x, y) = scene.layout.pos[i];
    let box_h = scene.layout.box_h;
    let view_of = move |f: fn(&NodeView) -> String| cell.with(|l| f(&l.view));
    let up = move || cell.with(|l| l.view.up);
    let present = move || cell.with(|l| l.view.present);
    let glyph = crate::families::glyph(kind);
    let broker = glyph == Glyph::Broker;
    let shape = match glyph {
        Glyph::Circle(letter) => view! {
            <circle class="shape" r="20" cx=x cy=y></circle>
            <text class="glyph" x=x y=y + 5.0>{letter}</text>
        }
        .into_any(),
        Glyph::Diamond(label) => view! {
            <polygon
                class="shape"
                points=format!("{},{} {},{} {},{} {},{}", x, y - 24.0, x + 24.0, y, x, y + 24.0, x - 24.0, y)
            ></polygon>
            <text class="glyph" x=x y=y + 5.0>{label}</text>
        }
        .into_any(),
        Glyph::Station | Glyph::Broker => view! {
            <rect
                class="shape"
                x=x - BOX_W / 2.0
                y=y - box_h / 2.0
                width=BOX_W
                height=box_h
                rx="6"
                fill=move || view_of(|v| if v.up { load_colour(utilisation(v)) } else { "var(--down)".to_string() })
            ></rect>
            <rect
                class="queue-bar"
                x=x - BOX_W / 2.0
                y=y + box_h / 2.0 - 4.0
                height="4"
                width=move || {
                    view_of(|v| {
                        let cap = v.queue_capacity.max(1) as f64;
                        (BOX_W * ((1.0 + v.queue_len as f64).ln() / (1.0 + cap).ln()).min(1.0)).to_string()
                    })
                }
            ></rect>
            <text class="load" x=x + BOX_W / 2.0 - 6.0 y=y + 4.0>
                {move || {
                    cell.with(|l| {
                        let v = &l.view;
                        if !v.up {
                            "DOWN".into()
                        } else if broker {
                            format!("{} in · q{}", v.completed, v.queue_len)
                        } else {
                            format!("{}/{} · q{}", v.in_service, v.workers, v.queue_len)
                        }
                    })
                }}
            </text>
        }
        .into_any(),
    };
    let (label_dx, label_dy) =
        if matches!(glyph, Glyph::Station | Glyph::Broker) { (-BOX_W / 2.0 + 6.0, 4.0) } else { (0.0, 36.0) };
    let node = i as NodeIdx;
    view! {
        <g
            class=format!("node {kind}")
            class:down=move || !up()
            class:selected=move || lab.selected.get() == Some(node)
            class:absent=move || !present()
            data-testid=format!("node-{id}")
            data-id=id.clone()
            tabindex="0"
            role="button"
            on:click=move |_| lab.selected.set(Some(node))
            on:keydown=move |ev: web_sys::KeyboardEvent| {
                if ev.key() == "Enter" {
                    lab.selected.set(Some(node));
                }
            }
            on:mouseenter=move |_| hovered.set(Some(node))
            on:mouseleave=move |_| hovered.set(None)
        >
            {shape}
            <text class="label" x=x + label_dx y=y + label_dy>{id.clone()}</text>
            <line class="cross" x1=x - 14.0 y1=y - 14.0 x2=x + 14.0 y2=y + 14.0></line>
        </g>
    }
}

fn scene_topology(lab: Lab, scene: Arc<Scene>) -> impl IntoView {
    // What the pointer is over: state of this scene's view alone.
    let hovered = RwSignal::new(None::<NodeIdx>);
    let canvas_ref = NodeRef::<Canvas>::new();
    {
        let scene = scene.clone();
        Effect::new(move |_| {
            scene.motion.with(|m| {
                if let Some(c) = canvas_ref.get() {
                    draw_dots(&c, &m.dots, &scene.layout, lab.options.reduced_motion);
                }
            })
        });
    }
    let view_h = scene.layout.height;
    // Changes only when a node is added or removed, so the links are not
    // rebuilt every frame.
    let presence = {
        let scene = scene.clone();
        Memo::new(move |_| scene.nodes.iter().map(|c| c.with(|l| l.view.present)).collect::<Vec<_>>())
    };
    let links = {
        let scene = scene.clone();
        move || {
            presence.with(|present| {
                scene
                    .links
                    .iter()
                    .filter(|&&(a, b)| present[a as usize] && present[b as usize])
                    .map(|&(a, b)| {
                        let (p, q) = (scene.layout.pos[a as usize], scene.layout.pos[b as usize]);
                        view! { <line class="link" x1=p.0 y1=p.1 x2=q.0 y2=q.1></line> }
                    })
                    .collect_view()
            })
        }
    };
    let nodes = (0..scene.len()).map(|i| node_shape(lab, &scene, i, hovered)).collect_view();
    let tooltip = {
        let scene = scene.clone();
        move || {
            let i = hovered.get()? as usize;
            let (x, y) = scene.layout.pos[i];
            let text = scene.nodes[i].with(|l| describe(&scene.ids()[i], &l.view));
            Some(view! {
                <div
                    class="tooltip"
                    role="tooltip"
                    data-testid="tooltip"
                    style=format!("left: {:.2}%; top: {:.2}%;", x / VIEW_W * 100.0, (y + 30.0) / view_h * 100.0)
                >
                    {text}
                </div>
            })
        }
    };
    // The story of the request whose dot is under the pointer, when a node
    // tells one (`NodeView::stories`): (x, y in view units, text).
    let dot_story = RwSignal::new(None::<(f64, f64, String)>);
    let on_move = {
        let scene = scene.clone();
        move |ev: web_sys::MouseEvent| {
            use wasm_bindgen::JsCast;
            let Some(el) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
            let rect = el.get_bounding_client_rect();
            let scale = (rect.width() / VIEW_W).min(rect.height() / view_h);
            if scale <= 0.0 {
                return;
            }
            let (ox, oy) = ((rect.width() - VIEW_W * scale) / 2.0, (rect.height() - view_h * scale) / 2.0);
            let mx = (f64::from(ev.client_x()) - rect.left() - ox) / scale;
            let my = (f64::from(ev.client_y()) - rect.top() - oy) / scale;
            let pos = |i: NodeIdx| scene.layout.pos[i as usize];
            let nearest = scene.motion.with_untracked(|m| {
                m.dots
                    .iter()
                    .filter(|d| {
                        matches!(d.kind, MsgKind::Request | MsgKind::Write | MsgKind::Response | MsgKind::Error)
                    })
                    .map(|d| {
                        let (a, b, p) = (pos(d.from), pos(d.to), f64::from(d.progress));
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
        dot_story.get().map(|(x, y, text)| {
            view! {
                <div
                    class="tooltip story-tip"
                    role="tooltip"
                    data-testid="dot-story"
                    // Anchored in proportion to x, so it never leaves the drawing.
                    style=format!(
                        "left: {0:.2}%; transform: translateX(-{0:.2}%); top: {1:.2}%;",
                        x / VIEW_W * 100.0,
                        (y + 10.0) / view_h * 100.0
                    )
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

    view! {
        <div
            class="topology"
            data-testid="topology"
            data-scene=scene.generation
            data-motion=if lab.options.reduced_motion { "static" } else { "animated" }
            style=format!("aspect-ratio: {} / {:.0}", VIEW_W, view_h)
            on:mousemove=on_move
            on:mouseleave=move |_| dot_story.set(None)
        >
            <svg
                viewBox=format!("0 0 {VIEW_W} {view_h:.0}")
                role="img"
                aria-label="Topology: nodes and links; messages move along the links"
            >
                <g class="links">{links}</g>
                <g class="nodes">{nodes}</g>
            </svg>
            <canvas node_ref=canvas_ref class="dots" aria-hidden="true"></canvas>
            {tooltip}
            {story_tip}
            <p class="in-flight" data-testid="in-flight">{in_flight}</p>
        </div>
    }
}
