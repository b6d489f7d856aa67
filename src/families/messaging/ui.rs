//! The messaging view: Kafka's brokers, partition logs and consumer-group
//! lanes, or RabbitMQ's exchanges, bindings and queues, drawn on a canvas
//! every frame; and the recent messages, each of which says (on click) why
//! it went where it went.
//!
//! ```text
//!  Kafka    orders-0  L:B0  [B0][B1][B2]  ▮▮▮▮▮▮▮▮▮▮ (newest right)  HW 1201 · LEO 1204
//!           group billing · gen 3   billing-1 ▸ p0 p1 p2  lag 4
//!  RabbitMQ [events topic] ──*.order.#──► [all-orders ▮▮▮ 12 ready · 3 unacked] ► reporting
//! ```

use leptos::html::Canvas;
use leptos::prelude::*;
use web_sys::CanvasRenderingContext2d;

use std::sync::Arc;

use crate::families::messaging::kafka::{murmur2, to_positive};
use crate::families::messaging::kafka_client::{cluster_of, topic_of};
use crate::families::messaging::kafka_cluster::{KEYLESS, KafkaView, RECENT_KEYS};
use crate::families::messaging::rabbitmq::{RabbitView, explain_route};
use crate::sim::Scenario;
use crate::sim::engine::NodeView;
use crate::sim::spec::NodeSpec;
use crate::ui::scene::Scene;
use crate::ui::state::{Lab, Publish};
use crate::ui::topology::KEY_COLOURS;

const ROW: f64 = 18.0;
const CELL: f64 = 9.0;

fn key_colour(key: u32) -> &'static str {
    if key == KEYLESS { "#8b949e" } else { KEY_COLOURS[key as usize % KEY_COLOURS.len()] }
}

/// Why a recent record or message went where it went, in words.
pub fn explain(s: &Scenario, p: &Publish) -> String {
    let id = &s.topology.ids[p.from as usize];
    match &s.node_specs[p.from as usize] {
        NodeSpec::KafkaProducer(k) => {
            let cluster = cluster_of(p.from, &s.topology, &s.node_specs);
            let Some((_, n)) = cluster.and_then(|(_, c)| topic_of(c, &k.topic)) else { return String::new() };
            if let Some(part) = k.partition {
                return format!("`{id}` sends every record to partition {part} of `{}` (explicit partition)", k.topic);
            }
            if p.key == KEYLESS {
                return format!("a record without a key: `{id}` deals them round-robin over the {n} partitions");
            }
            let key = format!("key-{}", p.key);
            let h = murmur2(key.as_bytes());
            let pos = to_positive(h);
            format!(
                "key `{key}` → murmur2 = {h} → toPositive = {pos} → {pos} % {n} = partition {} of `{}`",
                pos as u32 % n,
                k.topic
            )
        }
        NodeSpec::RabbitPublisher(r) => {
            let Some(m) = r.messages.get(p.key as usize) else { return String::new() };
            let broker = s.topology.target_of(p.from).map(|(_, b)| &s.node_specs[b as usize]);
            let Some(NodeSpec::Rabbitmq(broker)) = broker else { return String::new() };
            let routes = explain_route(broker, &r.exchange, &m.routing_key, &m.headers);
            if routes.is_empty() {
                return format!(
                    "routing key `{}` matched no binding of exchange `{}`: the message is discarded (unroutable)",
                    m.routing_key, r.exchange
                );
            }
            routes.into_iter().map(|(q, why)| format!("→ {q}: {why}")).collect::<Vec<_>>().join("\n")
        }
        _ => String::new(),
    }
}

/// A recent publish's one-line label.
fn label(s: &Scenario, p: &Publish) -> String {
    let id = &s.topology.ids[p.from as usize];
    match &s.node_specs[p.from as usize] {
        NodeSpec::RabbitPublisher(r) => {
            let rk = r.messages.get(p.key as usize).map_or("", |m| m.routing_key.as_str());
            format!("{id} → {} `{rk}`", r.exchange)
        }
        NodeSpec::KafkaProducer(k) if p.key != KEYLESS => format!("{id} → {} key-{}", k.topic, p.key),
        NodeSpec::KafkaProducer(k) => format!("{id} → {} (no key)", k.topic),
        _ => id.clone(),
    }
}

fn context(canvas: &web_sys::HtmlCanvasElement, height_css: f64) -> Option<(CanvasRenderingContext2d, f64)> {
    let w = f64::from(canvas.client_width());
    let ctx = crate::ui::canvas::prepare(canvas, w, height_css)?;
    let dark = crate::ui::chart::prefers_dark();
    ctx.set_font("11px system-ui, sans-serif");
    ctx.set_fill_style_str(if dark { "#e6edf3" } else { "#1f2328" });
    Some((ctx, w))
}

fn kafka_height(k: &KafkaView) -> f64 {
    let members: usize = k.groups.iter().map(|g| g.members.len() + 1).sum();
    ROW * (2 + k.partitions.len() + 1 + members) as f64 + 8.0
}

fn draw_kafka(ctx: &CanvasRenderingContext2d, k: &KafkaView, ids: &[String], text: &str) {
    let put = |s: &str, x: f64, y: f64| {
        let _ = ctx.fill_text(s, x, y);
    };
    let mut y = ROW;
    put("brokers", 0.0, y - 4.0);
    for (b, up) in k.brokers_up.iter().enumerate() {
        let x = 70.0 + b as f64 * 58.0;
        ctx.set_fill_style_str(if *up { "#2da44e" } else { "#e5484d" });
        ctx.fill_rect(x, y - 13.0, 52.0, 14.0);
        ctx.set_fill_style_str("#fff");
        put(&format!("B{b} {}", if *up { "up" } else { "down" }), x + 4.0, y - 2.0);
    }
    ctx.set_fill_style_str(text);
    let summary = format!("elections {} · unclean {} · lost {}", k.elections, k.unclean_elections, k.lost);
    put(&summary, 80.0 + k.brokers_up.len() as f64 * 58.0, y - 2.0);
    y += ROW;
    put("partition   leader  replicas (green: in sync)   log, newest right", 0.0, y - 4.0);
    for p in &k.partitions {
        y += ROW;
        ctx.set_fill_style_str(text);
        put(&format!("{}-{}", k.topics[p.topic as usize], p.index), 0.0, y - 4.0);
        put(&p.leader.map_or("offline".to_string(), |b| format!("B{b}")), 92.0, y - 4.0);
        for (s, b) in p.replicas.iter().enumerate() {
            let x = 150.0 + s as f64 * 26.0;
            let colour = if !k.brokers_up[*b as usize] {
                "#e5484d"
            } else if p.isr.contains(b) {
                "#2da44e"
            } else {
                "#d29922"
            };
            ctx.set_fill_style_str(colour);
            ctx.fill_rect(x, y - 14.0, 22.0, 13.0);
            ctx.set_fill_style_str("#fff");
            put(&format!("B{b}"), x + 3.0, y - 4.0);
            if p.leader == Some(*b) {
                ctx.set_stroke_style_str(text);
                ctx.stroke_rect(x - 0.5, y - 14.5, 23.0, 14.0);
            }
        }
        let x0 = 150.0 + 3.0 * 26.0 + 10.0;
        // Newest at the right; records past the high watermark are faded
        // (not yet on every in-sync replica, not yet visible to consumers).
        let unreplicated = (p.log_end - p.hw) as usize;
        for (i, &key) in p.recent_keys.iter().enumerate() {
            let x = x0 + (RECENT_KEYS - 1 - i) as f64 * (CELL + 1.0);
            ctx.set_global_alpha(if i < unreplicated { 0.35 } else { 1.0 });
            ctx.set_fill_style_str(key_colour(key));
            ctx.fill_rect(x, y - 14.0, CELL, 13.0);
        }
        ctx.set_global_alpha(1.0);
        ctx.set_fill_style_str(text);
        // Replicas behind the log end, by how much.
        let behind: Vec<String> = p
            .leo
            .iter()
            .zip(&p.replicas)
            .filter(|(l, _)| **l < p.log_end)
            .map(|(l, b)| format!("B{b} −{}", p.log_end - l))
            .collect();
        let offsets = format!("end {} · HW {} {}", p.log_end, p.hw, behind.join(" "));
        put(&offsets, x0 + RECENT_KEYS as f64 * (CELL + 1.0) + 8.0, y - 4.0);
    }
    y += ROW;
    for g in &k.groups {
        y += ROW;
        ctx.set_fill_style_str(text);
        let state = if g.rebalancing { " · REBALANCING (partitions paused)" } else { "" };
        let total: u64 = g.lag.iter().sum();
        put(
            &format!(
                "group {} on {} · generation {} · {} rebalances · lag {total}{state}",
                g.name, k.topics[g.topic as usize], g.generation, g.rebalances
            ),
            0.0,
            y - 4.0,
        );
        for m in &g.members {
            y += ROW;
            ctx.set_fill_style_str(text);
            put(&ids[*m as usize], 16.0, y - 4.0);
            let mut x = 130.0;
            for (p, owner) in g.owner.iter().enumerate() {
                if *owner != Some(*m) {
                    continue;
                }
                let lag = g.lag[p];
                ctx.set_fill_style_str(if lag > 1000 { "#e5484d" } else { "#0969da" });
                ctx.fill_rect(x, y - 14.0, 70.0, 13.0);
                ctx.set_fill_style_str("#fff");
                put(&format!("p{p} lag {lag}"), x + 3.0, y - 4.0);
                x += 74.0;
            }
        }
    }
}

fn rabbit_height(r: &RabbitView) -> f64 {
    (ROW * 1.6 * r.queues.len().max(r.exchanges.len()) as f64 + ROW * 2.0).max(80.0)
}

fn draw_rabbit(ctx: &CanvasRenderingContext2d, r: &RabbitView, ids: &[String], text: &str, width: f64) {
    let put = |s: &str, x: f64, y: f64| {
        let _ = ctx.fill_text(s, x, y);
    };
    let row = ROW * 1.6;
    let ex_y = |i: usize| ROW * 1.5 + i as f64 * row;
    let (ex_w, q_x, q_w) = (120.0, (width * 0.42).max(250.0), 170.0);
    ctx.set_fill_style_str(text);
    put("exchanges", 0.0, ROW * 0.8);
    put("queues (bar: ready, outline: unacked)", q_x, ROW * 0.8);
    // Bindings first, so boxes sit on top of them.
    ctx.set_stroke_style_str("#8b949e");
    for b in &r.bindings {
        let (y0, y1) = (ex_y(b.exchange as usize) + 6.0, ex_y(b.queue as usize) + 6.0);
        ctx.begin_path();
        ctx.move_to(ex_w, y0);
        ctx.line_to(q_x, y1);
        ctx.stroke();
        if !b.label.is_empty() {
            ctx.set_fill_style_str(text);
            let t = 0.7;
            put(&b.label, ex_w + (q_x - ex_w) * t - 20.0, y0 + (y1 - y0) * t - 3.0);
        }
    }
    for (i, (name, kind)) in r.exchanges.iter().enumerate() {
        let y = ex_y(i);
        ctx.set_fill_style_str("#8250df");
        ctx.fill_rect(0.0, y - 6.0, ex_w, 22.0);
        ctx.set_fill_style_str("#fff");
        put(&format!("{name} ({kind})"), 4.0, y + 9.0);
    }
    for (i, q) in r.queues.iter().enumerate() {
        let y = ex_y(i);
        ctx.set_fill_style_str("#0969da");
        ctx.fill_rect(q_x, y - 6.0, q_w, 22.0);
        let depth = ((1.0 + q.ready as f64).ln() / (1.0 + 10_000f64).ln()).min(1.0);
        ctx.set_fill_style_str("#d29922");
        ctx.fill_rect(q_x, y + 12.0, q_w * depth, 4.0);
        ctx.set_fill_style_str("#fff");
        put(&format!("{} · {} ready · {} unacked", q.name, q.ready, q.unacked), q_x + 4.0, y + 9.0);
        ctx.set_fill_style_str(text);
        let who: Vec<&str> = q.consumers.iter().map(|c| ids[*c as usize].as_str()).collect();
        let mut extra = Vec::new();
        if q.redelivered > 0 {
            extra.push(format!("{} redelivered", q.redelivered));
        }
        if q.dead_lettered > 0 {
            extra.push(format!("{} dead-lettered", q.dead_lettered));
        }
        if q.expired > 0 {
            extra.push(format!("{} expired", q.expired));
        }
        if let Some(x) = q.dead_letter_exchange {
            extra.push(format!("DLX {}", r.exchanges[x as usize].0));
        }
        let consumers = if who.is_empty() { "no consumer".to_string() } else { format!("► {}", who.join(", ")) };
        put(&format!("{consumers}  {}", extra.join(" · ")), q_x + q_w + 8.0, y + 9.0);
    }
}

/// The broker panel of the current scene (the first Kafka cluster or
/// RabbitMQ broker in it), rebuilt whole when the scene changes.
#[component]
pub fn Messaging() -> impl IntoView {
    let lab = expect_context::<Lab>();
    move || {
        let scene = lab.scene.get();
        let broker = scene.kinds.iter().position(|k| matches!(*k, "kafka_cluster" | "rabbitmq"))?;
        Some(broker_panel(lab, scene, broker))
    }
}

fn broker_panel(lab: Lab, scene: Arc<Scene>, broker: usize) -> impl IntoView {
    let canvas_ref = NodeRef::<Canvas>::new();
    // A Copy handle on the scene's cell, owned by (and disposed with) this view.
    let cell = RwSignal::from(scene.nodes[broker].clone());
    let height = {
        Memo::new(move |_| {
            cell.with(|l| {
                l.view.own::<KafkaView>().map(kafka_height).or_else(|| l.view.own::<RabbitView>().map(rabbit_height))
            })
        })
    };
    {
        let scene = scene.clone();
        Effect::new(move |_| {
            let Some(h) = height.get() else { return };
            cell.with(|l| {
                let Some(c) = canvas_ref.get() else { return };
                let Some((ctx, w)) = context(&c, h) else { return };
                let text = ctx.fill_style().as_string().unwrap_or_default();
                if let Some(k) = l.view.own::<KafkaView>() {
                    draw_kafka(&ctx, k, scene.ids(), &text);
                } else if let Some(r) = l.view.own::<RabbitView>() {
                    draw_rabbit(&ctx, r, scene.ids(), &text, w);
                }
            })
        });
    }
    // The message whose story is shown: one of this scene's.
    let selected = RwSignal::new(None::<Publish>);
    let recent = {
        let motion = scene.motion.clone();
        move || motion.with(|m| m.recent.clone())
    };
    let item = {
        let scene = scene.clone();
        move |p: Publish| {
            let text = label(&scene.scenario, &p);
            let colour = format!("background:{}", key_colour(p.key));
            view! {
                <li>
                    <button
                        class:chosen=move || selected.get().is_some_and(|s| s.msg_id == p.msg_id)
                        title="Why did it go there?"
                        on:click=move |_| {
                            lab.playing.set(false);
                            selected.set(Some(p));
                        }
                    >
                        <span class="key" style=colour.clone()></span>
                        {text}
                    </button>
                </li>
            }
        }
    };
    let why = move || selected.get().map(|p| explain(&scene.scenario, &p));
    move || {
        height.get().map(|h| {
            view! {
                <section class="messaging" data-testid="messaging">
                    <canvas node_ref=canvas_ref data-testid="messaging-canvas" style=format!("height:{h}px")></canvas>
                    <div class="recent">
                        <h3>"Recent messages " <small>"(click one: pauses and explains)"</small></h3>
                        <ol data-testid="recent-messages">
                            <For each=recent.clone() key=|p| p.msg_id children=item.clone()/>
                        </ol>
                        <pre class="why" data-testid="why">{let why = why.clone(); move || why().unwrap_or_default()}</pre>
                    </div>
                </section>
            }
        })
    }
}

/// The family's panel, for the registry (`families::Family::panel`).
pub fn panel() -> AnyView {
    view! { <Messaging/> }.into_any()
}

/// Tooltip text of the family's nodes (`families::Family::describe`).
pub fn describe(id: &str, v: &NodeView, state: &str) -> Option<String> {
    Some(match v.kind {
        "kafka_cluster" => format!(
            "{id} · Kafka cluster{state}\n{} records appended · {} not yet replicated · {} lost",
            v.completed, v.queue_len, v.errors
        ),
        "rabbitmq" => format!(
            "{id} · RabbitMQ{state}\n{} ready · {} unacked · {} acked · {} discarded",
            v.queue_len, v.in_service, v.completed, v.errors
        ),
        "kafka_producer" => format!(
            "{id} · producer{state}\n{} batches in flight · {} records lingering · {} acked · {} failed",
            v.in_service, v.queue_len, v.completed, v.errors
        ),
        "rabbit_publisher" => format!("{id} · publisher{state}\n{} published", v.completed),
        "kafka_consumer" | "rabbit_consumer" => format!(
            "{id} · consumer{state}\n{} buffered · {} processed · {} failed",
            v.queue_len, v.completed, v.errors
        ),
        _ => return None,
    })
}
