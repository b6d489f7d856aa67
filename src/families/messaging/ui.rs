//! The messaging view: Kafka's brokers, partition logs and consumer-group
//! lanes, or RabbitMQ's exchanges, bindings and queues, as rows of text and
//! chips that wrap at any width (nothing is cut at the right edge); and the
//! recent messages, each of which says (on click) why it went where it
//! went. Also the inspector's editors of a Kafka producer (acks, rate) and
//! a RabbitMQ publisher (rate).
//!
//! ```text
//!  Kafka    orders-0  L:B0  [B0][B1][B2]  ▮▮▮▮▮▮▮▮▮▮ (newest right)  HW 1201 · LEO 1204
//!           group billing · gen 3   billing-1 ▸ p0 p1 p2  lag 4
//!  RabbitMQ [events topic] ──*.order.#──► [all-orders ▮▮▮ 12 ready · 3 unacked] ► reporting
//! ```

use leptos::prelude::*;

use std::sync::Arc;

use crate::families::messaging::kafka::{murmur2, to_positive};
use crate::families::messaging::kafka_client::{cluster_of, topic_of};
use crate::families::messaging::kafka_cluster::{KEYLESS, KafkaView, RECENT_KEYS};
use crate::families::messaging::rabbitmq::{RabbitView, explain_route};
use crate::families::messaging::spec::{KafkaConsumerSpec, KafkaProducerSpec, RabbitMqSpec, RabbitPublisherSpec};
use crate::sim::Scenario;
use crate::sim::engine::NodeView;
use crate::ui::canvas::KEY_COLOURS;
use crate::ui::scene::Publish;
use crate::ui::scene::Scene;
use crate::ui::state::Lab;
use crate::ui::widgets::{enum_choice, rate_form};

fn key_colour(key: u32) -> &'static str {
    if key == KEYLESS { "#8b949e" } else { KEY_COLOURS[key as usize % KEY_COLOURS.len()] }
}

/// Why a recent record or message went where it went, in words.
pub fn explain(s: &Scenario, p: &Publish) -> String {
    let id = &s.topology.ids[p.from as usize];
    let from = &s.node_specs[p.from as usize];
    if let Some(k) = from.spec_of::<KafkaProducerSpec>() {
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
    } else if let Some(r) = from.spec_of::<RabbitPublisherSpec>() {
        let Some(m) = r.messages.get(p.key as usize) else { return String::new() };
        let broker = s.topology.target_of(p.from).and_then(|(_, b)| s.node_specs[b as usize].spec_of::<RabbitMqSpec>());
        let Some(broker) = broker else { return String::new() };
        let routes = explain_route(broker, &r.exchange, &m.routing_key, &m.headers);
        if routes.is_empty() {
            return format!(
                "routing key `{}` matched no binding of exchange `{}`: the message is discarded (unroutable)",
                m.routing_key, r.exchange
            );
        }
        routes.into_iter().map(|(q, why)| format!("→ {q}: {why}")).collect::<Vec<_>>().join("\n")
    } else {
        String::new()
    }
}

/// A recent publish's one-line label.
fn label(s: &Scenario, p: &Publish) -> String {
    let id = &s.topology.ids[p.from as usize];
    let from = &s.node_specs[p.from as usize];
    if let Some(r) = from.spec_of::<RabbitPublisherSpec>() {
        let rk = r.messages.get(p.key as usize).map_or("", |m| m.routing_key.as_str());
        format!("{id} → {} `{rk}`", r.exchange)
    } else if let Some(k) = from.spec_of::<KafkaProducerSpec>() {
        if p.key != KEYLESS {
            format!("{id} → {} key-{}", k.topic, p.key)
        } else {
            format!("{id} → {} (no key)", k.topic)
        }
    } else {
        id.clone()
    }
}

/// A lag a group's partition keeps in normal running: two commit
/// intervals of the partition's share of its topic's traffic (offsets are
/// committed only that often), plus one poll's records. Red means more.
fn normal_lag(s: &Scenario, group: &str, topic: &str, partitions: usize) -> f64 {
    let rate: f64 = s
        .node_specs
        .iter()
        .filter_map(|n| n.spec_of::<KafkaProducerSpec>().filter(|p| p.topic == topic))
        .map(|p| p.arrivals.rate_per_s())
        .sum();
    let consumer = s.node_specs.iter().filter_map(|n| n.spec_of::<KafkaConsumerSpec>()).find(|c| c.group == group);
    let (commit_s, poll) =
        consumer.map_or((5.0, 500.0), |c| (c.commit_interval_ms / 1e3, f64::from(c.max_poll_records)));
    2.0 * rate / partitions.max(1) as f64 * commit_s.max(0.1) + poll
}

/// A row of coloured keys, newest right, as one CSS gradient (one style
/// attribute a frame, not a box per record); records not yet on every
/// in-sync replica are faded.
fn log_strip(keys: &[u32], unreplicated: usize) -> String {
    let cell = 100.0 / RECENT_KEYS as f64;
    let mut stops = Vec::with_capacity(keys.len());
    for (i, &key) in keys.iter().enumerate() {
        let slot = RECENT_KEYS - 1 - i;
        let (a, b) = (slot as f64 * cell, (slot as f64 + 1.0) * cell - cell * 0.12);
        let colour = key_colour(key);
        let colour = if i < unreplicated { format!("{colour}59") } else { colour.to_string() };
        stops.push((slot, format!("{colour} {a:.2}% {b:.2}%, transparent {b:.2}% {:.2}%", b + cell * 0.12)));
    }
    stops.sort_unstable_by_key(|s| s.0);
    if stops.is_empty() {
        return String::new();
    }
    let first = stops[0].0 as f64 * cell;
    let list: Vec<String> = stops.into_iter().map(|s| s.1).collect();
    format!("background: linear-gradient(to right, transparent 0% {first:.2}%, {})", list.join(", "))
}

/// Kafka's brokers, partitions and groups, in rows that wrap at any width.
fn kafka_view(k: &KafkaView, s: &Scenario) -> AnyView {
    let ids = &s.topology.ids;
    let brokers = k
        .brokers_up
        .iter()
        .enumerate()
        .map(|(b, up)| {
            let word = if *up { "up" } else { "down" };
            view! { <span class="chip" class:down=!*up>{format!("B{b} {word}")}</span> }
        })
        .collect_view();
    let summary = format!("elections {} · unclean {} · lost {}", k.elections, k.unclean_elections, k.lost);
    let partitions = k
        .partitions
        .iter()
        .map(|p| {
            let replicas = p
                .replicas
                .iter()
                .map(|b| {
                    let up = k.brokers_up.get(*b as usize).copied().unwrap_or(false);
                    let (class, state) = match (up, p.isr.contains(b)) {
                        (false, _) => ("chip down", "down"),
                        (true, true) => ("chip", "in sync"),
                        (true, false) => ("chip behind", "out of sync"),
                    };
                    let leader = p.leader == Some(*b);
                    let title = format!("B{b}: {state}{}", if leader { ", leader" } else { "" });
                    view! { <span class=class class:leader=leader title=title>{format!("B{b}")}</span> }
                })
                .collect_view();
            let behind: Vec<String> = p
                .leo
                .iter()
                .zip(&p.replicas)
                .filter(|(l, _)| **l < p.log_end)
                .map(|(l, b)| format!("B{b} −{}", crate::format::thousands(p.log_end - l)))
                .collect();
            let offsets = format!(
                "end {} · HW {}{}{}",
                crate::format::thousands(p.log_end),
                crate::format::thousands(p.hw),
                if behind.is_empty() { "" } else { " · " },
                behind.join(" ")
            );
            let name = format!("{}-{}", k.topics[p.topic as usize], p.index);
            let leader = p.leader.map_or("offline".to_string(), |b| format!("leader B{b}"));
            let strip = log_strip(&p.recent_keys, (p.log_end - p.hw) as usize);
            view! {
                <li class="mq-row">
                    <span class="mq-name">{name}</span>
                    <span class="mq-leader" class:down=p.leader.is_none()>{leader}</span>
                    <span class="chips">{replicas}</span>
                    <span class="log" style=strip title="The newest records, coloured by key; faded: not yet on every in-sync replica"></span>
                    <span class="mq-offsets">{offsets}</span>
                </li>
            }
        })
        .collect_view();
    let groups = k
        .groups
        .iter()
        .map(|g| {
            let topic = &k.topics[g.topic as usize];
            let n_parts = k.partitions.iter().filter(|p| p.topic == g.topic).count();
            let normal = normal_lag(s, &g.name, topic, n_parts);
            let total: u64 = g.lag.iter().sum();
            let state = if g.rebalancing { " · REBALANCING (partitions paused)" } else { "" };
            let head = format!(
                "group {} on {topic} · generation {} · {} rebalances · lag {}{state}",
                g.name,
                g.generation,
                g.rebalances,
                crate::format::thousands(total)
            );
            let members = g
                .members
                .iter()
                .map(|m| {
                    let chips = g
                        .owner
                        .iter()
                        .enumerate()
                        .filter(|(_, owner)| **owner == Some(*m))
                        .map(|(p, _)| {
                            let lag = g.lag[p];
                            let behind = lag as f64 > normal;
                            let title = format!(
                                "partition {p}: {} records not yet committed by {}; up to about {} is normal (two commit intervals of its traffic){}",
                                crate::format::thousands(lag),
                                g.name,
                                crate::format::thousands(normal.round() as u64),
                                if behind { ": this group is falling behind" } else { "" }
                            );
                            view! {
                                <span class="chip lag" class:behind=behind title=title>
                                    {format!("p{p} lag {}", crate::format::thousands(lag))}
                                </span>
                            }
                        })
                        .collect_view();
                    view! {
                        <li class="mq-row">
                            <span class="mq-name">{ids[*m as usize].clone()}</span>
                            <span class="chips">{chips}</span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div class="mq-group">
                    <p class="mq-head">{head}</p>
                    <ul class="mq-rows">{members}</ul>
                </div>
            }
        })
        .collect_view();
    view! {
        <div class="mq kafka">
            <p class="mq-head"><span class="chips">{brokers}</span> <span>{summary}</span></p>
            <p class="mq-caption">"partition · leader · replicas (green: in sync, amber: behind, red: down; outlined: the leader) · the log, newest right · offsets"</p>
            <ul class="mq-rows">{partitions}</ul>
            {groups}
        </div>
    }
    .into_any()
}

/// RabbitMQ's exchanges and queues: each queue with the bindings that feed
/// it, its depth and its consumers, in rows that wrap at any width.
fn rabbit_view(r: &RabbitView, s: &Scenario) -> AnyView {
    let ids = &s.topology.ids;
    let exchanges = r
        .exchanges
        .iter()
        .map(|(name, kind)| view! { <span class="chip exchange">{format!("{name} ({kind})")}</span> })
        .collect_view();
    let queues = r
        .queues
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let fed: Vec<String> = r
                .bindings
                .iter()
                .filter(|b| b.queue as usize == i)
                .map(|b| {
                    let ex = &r.exchanges[b.exchange as usize].0;
                    if b.label.is_empty() { ex.to_string() } else { format!("{ex} `{}`", b.label) }
                })
                .collect();
            let depth = ((1.0 + q.ready as f64).ln() / (1.0 + 10_000f64).ln()).min(1.0) * 100.0;
            let who: Vec<&str> = q.consumers.iter().map(|c| ids[*c as usize].as_str()).collect();
            let mut extra = Vec::new();
            if q.redelivered > 0 {
                extra.push(format!("{} redelivered", crate::format::thousands(q.redelivered)));
            }
            if q.dead_lettered > 0 {
                extra.push(format!("{} dead-lettered", crate::format::thousands(q.dead_lettered)));
            }
            if q.expired > 0 {
                extra.push(format!("{} expired", crate::format::thousands(q.expired)));
            }
            if let Some(x) = q.dead_letter_exchange {
                extra.push(format!("DLX {}", r.exchanges[x as usize].0));
            }
            let consumers = if who.is_empty() { "no consumer".to_string() } else { format!("► {}", who.join(", ")) };
            view! {
                <li class="mq-row">
                    <span class="mq-bindings">{if fed.is_empty() { "no binding".to_string() } else { format!("{} ──►", fed.join(", ")) }}</span>
                    <span class="queue" style=format!("--depth: {depth:.1}%")>
                        <b>{q.name.clone()}</b>
                        {format!(" · {} ready · {} unacked", crate::format::thousands(q.ready), crate::format::thousands(q.unacked))}
                    </span>
                    <span class="mq-consumers">{consumers}</span>
                    {(!extra.is_empty()).then(|| view! { <span class="mq-extra">{extra.join(" · ")}</span> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="mq rabbit">
            <p class="mq-head"><span>"exchanges "</span><span class="chips">{exchanges}</span></p>
            <p class="mq-caption">"binding ──► queue (bar: ready, log scale) ► its consumers"</p>
            <ul class="mq-rows">{queues}</ul>
        </div>
    }
    .into_any()
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
    // A Copy handle on the scene's cell, owned by (and disposed with) this view.
    let cell = RwSignal::from(scene.nodes[broker].clone());
    // Rebuilt a few times a second while playing (and at once after an
    // edit, a step or a seek), not every frame: a table of rows is DOM work,
    // and figures that change 60 times a second cannot be read anyway.
    let shown = RwSignal::new(0u64);
    let interval = gloo_timers::callback::Interval::new(250, move || {
        if lab.playing.get_untracked() {
            shown.update(|n| *n += 1);
        }
    });
    let interval = send_wrapper::SendWrapper::new(interval);
    on_cleanup(move || drop(interval));
    let state = {
        let scene = scene.clone();
        move || {
            shown.track();
            lab.charts_dirty.track();
            cell.with_untracked(|l| {
                if let Some(k) = l.view.own::<KafkaView>() {
                    kafka_view(k, &scene.scenario)
                } else if let Some(r) = l.view.own::<RabbitView>() {
                    rabbit_view(r, &scene.scenario)
                } else {
                    ().into_any()
                }
            })
        }
    };
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
            let title = format!("{text}: click to pause and see why it went where it went");
            view! {
                <li>
                    <button
                        class:chosen=move || selected.get().is_some_and(|s| s.msg_id == p.msg_id)
                        title=title
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
    view! {
        <section class="messaging" data-testid="messaging">
            <div data-testid="messaging-panel">{state}</div>
            <div class="recent">
                <h3>"Recent messages " <small>"(click one: pauses and explains)"</small></h3>
                <ol data-testid="recent-messages">
                    <For each=recent key=|p| p.msg_id children=item/>
                </ol>
                <pre class="why" data-testid="why">{move || why().unwrap_or_default()}</pre>
            </div>
        </section>
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

/// The editor of a Kafka producer (its acks and rate) or a RabbitMQ
/// publisher (its rate); `None` for any other node.
pub fn inspector(
    lab: Lab,
    _: RwSignal<crate::ui::scene::Live>,
    id: String,
    v: &crate::sim::engine::NodeView,
) -> Option<AnyView> {
    use crate::sim::spec::{Acks, FaultSpec};
    Some(match v.kind {
        "kafka_producer" => {
            let super::kafka_client::ProducerParams { arrivals, acks } = v.params()?;
            let id_acks = id.clone();
            view! {
                {enum_choice(
                    "acks",
                    "acks for batches from now on: 0 never waits, 1 waits for the leader, all for every in-sync replica",
                    "edit-acks",
                    (&Acks::ALL, Acks::name),
                    *acks,
                    move |a| lab.edit(FaultSpec { set: Some(id_acks.clone()), acks: Some(a), ..Default::default() }),
                )}
                {rate_form(lab, id, arrivals, "messages/s")}
            }
            .into_any()
        }
        "rabbit_publisher" => {
            let arrivals = &v.params::<crate::families::web_tier::spec::SourceParams>()?.arrivals;
            rate_form(lab, id, arrivals, "messages/s")
        }
        _ => return None,
    })
}
