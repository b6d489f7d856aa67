//! The chat family's panel, editors and tooltips.
//!
//! ```text
//!   ┌ Chat · WebSocket ───────────────────────────────────────────┐
//!   │ delivered · p50/p95/p99 · requests per message · empty …    │  the population's figures
//!   │ gw-1 ●●●●●●●  gw-2 ●●●●●  reconnecting ●●  offline ○○○○     │  the crowd, by server
//!   │ user 5 → user 9 → ✓ stored 44 ms → on user 9's phone 85 ms  │  newest messages, step by step
//!   │ Estimate: daily users, messages, bytes, years…   [Apply]    │  the back-of-the-envelope, live
//!   └─────────────────────────────────────────────────────────────┘
//! ```

use leptos::html::Input;
use leptos::prelude::*;

use super::estimate::{EstimateInput, estimate};
use super::spec::{ChatUsersSpec, Mode, Reconnect};
use crate::sim::engine::NodeView;
use crate::sim::spec::FaultSpec;
use crate::ui::estimator::{Estimator, Field, bytes};
use crate::ui::scene::Live;
use crate::ui::state::Lab;
use crate::ui::widgets::{choice, error_line, number_in};

/// The population's figures as the panel shows them: (label in the view,
/// words, test id, unit).
const PANEL_FIGURES: [(&str, &str, &str, &str); 16] = [
    ("Delivered", "delivered", "chat-delivered", ""),
    ("Deliver p50 ms", "send → phone p50", "chat-p50", " ms"),
    ("Deliver p95 ms", "p95", "chat-p95", " ms"),
    ("Deliver p99 ms", "p99", "chat-p99", " ms"),
    ("Requests per delivered message", "requests per message", "chat-requests-per", ""),
    ("Empty polls %", "empty polls", "chat-empty", " %"),
    ("Bytes per user per minute", "bytes per user-minute", "chat-bytes", " B"),
    ("Receipt p50 ms", "✓✓ back p50", "chat-receipt", " ms"),
    ("Offline seen p50 s", "offline seen p50", "chat-offline-p50", " s"),
    ("Offline seen p95 s", "offline seen p95", "chat-offline-p95", " s"),
    ("Connects refused", "connects refused", "chat-refused", ""),
    ("Connections lost", "sockets lost", "chat-lost", ""),
    ("Delivered after coming back", "waited in an inbox", "chat-after", ""),
    ("Duplicates", "duplicates", "chat-duplicates", ""),
    ("Out of order", "out of order", "chat-ooo", ""),
    ("Send failed", "sends failed", "chat-failed", ""),
];

fn fmt(x: f64) -> String {
    if !x.is_finite() {
        "–".into()
    } else if x >= 1000.0 || x.fract() == 0.0 {
        crate::format::thousands(x.round().max(0.0) as u64)
    } else if x >= 10.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

fn mode_of(v: &NodeView) -> Option<Mode> {
    v.params::<ChatUsersSpec>().map(|s| s.mode)
}

/// Dots the crowd draws at most per group.
const CROWD_DOTS: f64 = 120.0;

/// The panel of the current scene's population, rebuilt whole when the
/// scene changes.
#[component]
pub fn ChatPanel() -> impl IntoView {
    let lab = expect_context::<Lab>();
    move || {
        let scene = lab.scene.get();
        let (users_id, users) = scene.cells_of("chat_users").into_iter().next()?;
        let servers = scene.cells_of("chat_server");
        let stores = scene.cells_of("chat_store");
        let figures = Memo::new(move |_| {
            users.with(|l| {
                PANEL_FIGURES.iter().map(|&(label, ..)| l.view.figure(label).unwrap_or(0.0)).collect::<Vec<f64>>()
            })
        });
        let mode = Memo::new(move |_| users.with(|l| mode_of(&l.view)).unwrap_or_default());
        // The crowd: phones held by each server, those trying to connect, those offline.
        let total = users.with_untracked(|l| l.view.params::<ChatUsersSpec>().map_or(2_000.0, |s| f64::from(s.users)));
        let crowd_servers = servers.clone();
        let crowd = Memo::new(move |_| {
            let per_dot = (total / CROWD_DOTS).ceil().max(1.0);
            let mut groups: Vec<(String, f64, &'static str)> = crowd_servers
                .iter()
                .map(|(id, c)| {
                    c.with(|l| {
                        let held =
                            l.view.figure("Open sockets").unwrap_or(0.0) + l.view.figure("Held polls").unwrap_or(0.0);
                        (id.clone(), if l.view.up { held } else { 0.0 }, "held")
                    })
                })
                .collect();
            let (online, connected) =
                users.with(|l| (l.view.figure("Online").unwrap_or(0.0), l.view.figure("Connected").unwrap_or(0.0)));
            if mode.get().is_websocket() {
                groups.push(("reconnecting".into(), (online - connected).max(0.0), "waiting"));
            } else {
                let held: f64 = groups.iter().map(|g| g.1).sum();
                groups.push(("between polls".into(), (online - held).max(0.0), "polling"));
            }
            groups.push(("offline".into(), (total - online).max(0.0), "offline"));
            (per_dot, groups)
        });
        let lines = Memo::new(move |_| {
            let mut out: Vec<(&'static str, String)> = Vec::new();
            for (id, c) in &servers {
                c.with(|l| {
                    let v = &l.view;
                    let f = |label: &str| v.figure(label).unwrap_or(0.0);
                    out.push((
                        "chat-server",
                        format!(
                            "{id}{}: {} sockets, {} held polls ({}/{} connections, {:.0} MB) · {}/{} cores busy, {} queued · {} pushed, {} published, {} refused (full)",
                            if v.up { "" } else { " (down)" },
                            fmt(f("Open sockets")),
                            fmt(f("Held polls")),
                            fmt(f("Open sockets") + f("Held polls")),
                            fmt(f("Max connections")),
                            f("Memory MB"),
                            v.in_service,
                            v.workers,
                            v.queue_len,
                            fmt(f("Pushed")),
                            fmt(f("Published")),
                            fmt(f("Refused: full")),
                        ),
                    ));
                });
            }
            for (id, c) in &stores {
                c.with(|l| {
                    let f = |label: &str| l.view.figure(label).unwrap_or(0.0);
                    out.push((
                        "chat-store",
                        format!(
                            "{id}: {} messages in {} conversations · inboxes: {} entries for {} users (deepest {})",
                            fmt(f("Messages stored")),
                            fmt(f("Conversations")),
                            fmt(f("Inbox entries")),
                            fmt(f("Users with an inbox")),
                            fmt(f("Deepest inbox")),
                        ),
                    ));
                });
            }
            out
        });
        let stories = Memo::new(move |_| {
            users.with(|l| {
                // The newest that reached a phone (or failed) first, then the rest.
                let mut s: Vec<(String, bool)> = l.view.stories.iter().map(|s| (s.text.clone(), s.failed)).collect();
                s.reverse();
                s.sort_by_key(|(text, failed)| !(*failed || text.contains("phone")));
                s.truncate(6);
                s
            })
        });
        Some(view! {
            <section class="shortener chat" data-testid="chat" aria-label="Chat">
                <h3>"Chat · " {move || mode.get().name()} <span class="caption">{format!(" ({users_id})")}</span></h3>
                <dl class="sl-figures">
                    {PANEL_FIGURES.iter().enumerate().map(|(k, &(_, words, testid, unit))| view! {
                        <div>
                            <dt>{words}</dt>
                            <dd data-testid=testid>{move || figures.with(|f| format!("{}{unit}", fmt(f[k])))}</dd>
                        </div>
                    }).collect_view()}
                </dl>
                <div class="chat-crowd" data-testid="chat-crowd"
                    title="The people, grouped by the server that holds their socket (or poll); amber: trying to connect; grey: offline">
                    {move || crowd.with(|(per_dot, groups)| {
                        let per_dot = *per_dot;
                        groups.iter().map(|(label, n, class)| {
                            let dots = (n / per_dot).round() as usize;
                            view! {
                                <div class=format!("crowd-group {class}")>
                                    <span class="crowd-label">{format!("{label} · {}", fmt(*n))}</span>
                                    <span class="crowd-dots">{"●".repeat(dots)}</span>
                                </div>
                            }
                        }).collect_view()
                    })}
                    <p class="caption">{move || crowd.with(|(per_dot, _)| format!("one dot: {} people", fmt(*per_dot)))}</p>
                </div>
                <ul class="sl-lines">
                    {move || lines.with(|ls| ls.iter().map(|(testid, text)| view! { <li data-testid=*testid>{text.clone()}</li> }).collect_view())}
                </ul>
                <p class="legend">
                    <span class="dot write"></span>"messages "
                    <span class="dot request"></span>"polls, heartbeats, lookups "
                    <span class="dot error"></span>"refused or reset · newest first; point at a message's dot for its story"
                </p>
                <ul class="stories" data-testid="chat-stories" aria-live="off">
                    {move || stories.with(|list| list.iter().map(|(text, failed)| {
                        let cls = format!("story write{}", if *failed { " failed" } else { "" });
                        view! { <li class=cls title=text.clone()>{text.clone()}</li> }
                    }).collect_view())}
                </ul>
                {estimator(lab)}
            </section>
        })
    }
}

/// The estimator: the shared widget with chat's fields, its estimate, and
/// the edits that apply it (each person's message rate while online, each
/// server's connection limit).
fn estimator(lab: Lab) -> impl IntoView {
    let d = EstimateInput::default();
    let field = |label, testid, name, value| Field { label, testid, name, value };
    crate::ui::estimator::estimator(
        lab,
        Estimator {
            prefix: "chat-",
            fields: vec![
                field("Daily users", "chat-est-users", "daily_users", d.daily_users),
                field(
                    "Messages per user per day",
                    "chat-est-messages",
                    "messages_per_user_per_day",
                    d.messages_per_user_per_day,
                ),
                field("Bytes per message", "chat-est-bytes", "bytes_per_message", d.bytes_per_message),
                field("Years kept", "chat-est-years", "years", d.years),
                field(
                    "Connections per gateway",
                    "chat-est-conns",
                    "connections_per_gateway",
                    d.connections_per_gateway,
                ),
                field("Share online at peak", "chat-est-online", "online_share", d.online_share),
                field("Peak over mean", "chat-est-peak", "peak_factor", d.peak_factor),
            ],
            apply_title: "Set the people's message rate to what a real user sends while online, and each server's connection limit (live edits, kept in the share link)",
            estimate: |v| {
                let e = estimate(&input_of(v)).map_err(|e| (e.field, e.message))?;
                Ok(vec![
                    (
                        "Messages",
                        "chat-est-rate",
                        format!("{} /s (peak {})", fmt(e.messages_per_s), fmt(e.peak_messages_per_s)),
                    ),
                    ("Messages a day", "chat-est-day", fmt(e.messages_per_day)),
                    ("Storage", "chat-est-storage", bytes(e.storage_bytes)),
                    ("Connections at peak", "chat-est-connections", fmt(e.connections)),
                    ("Gateways", "chat-est-gateways", fmt(e.gateways)),
                    (
                        "Per online user",
                        "chat-est-per-user",
                        format!("{:.1} messages an hour", e.messages_per_online_hour),
                    ),
                ])
            },
            edits: edits_for,
        },
    )
}

/// The estimator's fields, in order, as the estimate reads them.
fn input_of(v: &[f64]) -> EstimateInput {
    EstimateInput {
        daily_users: v[0],
        messages_per_user_per_day: v[1],
        bytes_per_message: v[2],
        years: v[3],
        connections_per_gateway: v[4],
        online_share: v[5],
        peak_factor: v[6],
    }
}

/// The live edits that apply the estimate of `values` to the scene.
fn edits_for(lab: Lab, values: &[f64]) -> Vec<crate::ui::estimator::Edit> {
    let Ok(e) = estimate(&input_of(values)) else { return Vec::new() };
    let scene = lab.scene.get_untracked();
    let ids = scene.ids();
    let set = |i: usize, params| crate::ui::estimator::set_params(&ids[i], params);
    let mut out = Vec::new();
    // Each simulated person sends what a real one does while online.
    let rate = (e.messages_per_online_hour * 100.0).round() / 100.0;
    for i in (0..scene.kinds.len()).filter(|&i| scene.kinds[i] == "chat_users") {
        out.push((
            set(i, serde_json::json!({"messages_per_hour": rate})),
            format!("{}: {rate} messages an hour while online", ids[i]),
        ));
    }
    let conns = input_of(values).connections_per_gateway.round().clamp(1.0, 10_000_000.0) as u64;
    for i in (0..scene.kinds.len()).filter(|&i| scene.kinds[i] == "chat_server") {
        out.push((
            set(i, serde_json::json!({"max_connections": conns})),
            format!("{}: {} connections at most", ids[i], fmt(conns as f64)),
        ));
    }
    out
}

/// The family's panel, for the registry (`families::Family::panel`).
pub fn panel() -> AnyView {
    view! { <ChatPanel/> }.into_any()
}

/// Editors of the family's kinds: the people's mode, rate and reconnect
/// policy, a login wave and a network flap; a server's connection limit,
/// cores and its reach to the registry.
pub fn inspector(lab: Lab, cell: RwSignal<Live>, id: String, v: &NodeView) -> Option<AnyView> {
    let kind = v.kind;
    // The phones' settings now: (mode, reconnect policy, messages per hour).
    let spec = Memo::new(move |_| {
        cell.with(|l| l.view.params::<ChatUsersSpec>().map(|s| (s.mode, s.reconnect, s.messages_per_hour)))
    });
    let set = {
        let id = id.clone();
        Callback::new(move |v: serde_json::Value| {
            lab.edit(FaultSpec { set: Some(id.clone()), params: Some(v), ..Default::default() })
        })
    };
    match kind {
        "chat_users" => Some(users_editor(lab, id, spec, set)),
        "chat_server" => Some(server_editor(lab, cell, id, set)),
        _ => None,
    }
}

fn users_editor(
    lab: Lab,
    id: String,
    spec: Memo<Option<(Mode, Reconnect, f64)>>,
    set: Callback<serde_json::Value>,
) -> AnyView {
    let modes: Vec<(String, String)> = [
        ("websocket", "WebSocket (30 s heartbeats)"),
        ("long_polling", "Long polling (30 s hold)"),
        ("short_polling", "Short polling (every 5 s)"),
        ("short_polling_1s", "Short polling (every 1 s)"),
    ]
    .iter()
    .map(|(v, t)| (v.to_string(), t.to_string()))
    .collect();
    let pick_mode = Callback::new(move |v: String| {
        let m = match v.as_str() {
            "long_polling" => Mode::LongPolling { hold_ms: 30_000.0 },
            "short_polling" => Mode::ShortPolling { interval_ms: 5_000.0 },
            "short_polling_1s" => Mode::ShortPolling { interval_ms: 1_000.0 },
            _ => Mode::Websocket { heartbeat_ms: 30_000.0 },
        };
        set.run(serde_json::json!({ "mode": m }));
    });
    let policies: Vec<(String, String)> = vec![
        ("backoff".into(), "jittered exponential backoff (1 s … 30 s)".into()),
        ("immediate".into(), "at once".into()),
    ];
    let pick_policy = Callback::new(move |v: String| {
        let r = if v == "immediate" { Reconnect::Immediate } else { Reconnect::default() };
        set.run(serde_json::json!({ "reconnect": r }));
    });
    let rate0 = spec.with_untracked(|s| s.map_or(30.0, |s| s.2));
    let rate_in = NodeRef::<Input>::new();
    let error = RwSignal::new(None::<String>);
    let id2 = id.clone();
    view! {
        <div class="edit chat-edit">
            {move || {
                let mode = spec.with(|s| s.map(|s| s.0)).unwrap_or_default();
                let current = match mode {
                    Mode::Websocket { .. } => "websocket",
                    Mode::LongPolling { .. } => "long_polling",
                    Mode::ShortPolling { interval_ms } if interval_ms <= 1_000.0 => "short_polling_1s",
                    Mode::ShortPolling { .. } => "short_polling",
                };
                let policy = match spec.with(|s| s.map(|s| s.1)).unwrap_or_default() {
                    Reconnect::Immediate => "immediate",
                    Reconnect::Backoff { .. } => "backoff",
                };
                view! {
                    {choice("Mode", "How phones get messages: every online phone switches now", "edit-chat-mode", modes.clone(), current, pick_mode)}
                    {choice("Reconnect", "What a phone does when its socket fails", "edit-chat-reconnect", policies.clone(), policy, pick_policy)}
                }
            }}
        </div>
        <form class="edit" novalidate on:submit=move |ev| {
            ev.prevent_default();
            let entry = number_in(rate_in, "Messages per hour").map(|r| FaultSpec {
                set: Some(id2.clone()),
                params: Some(serde_json::json!({"messages_per_hour": r})),
                ..Default::default()
            });
            error.set(entry.and_then(|e| lab.try_edit(e)).err());
        }>
            <label title="Messages each online user sends per hour">"Messages/h " <input node_ref=rate_in type="number" min="0" step="any" value=rate0 data-testid="edit-chat-rate"/></label>
            <button type="submit" data-testid="apply-chat-rate">"Apply"</button>
            {error_line(error)}
        </form>
        <div class="buttons">
            <button data-testid="chat-login-wave" title="Every offline user comes online within 20 s (a morning login wave)"
                on:click=move |_| set.run(serde_json::json!({"login_within_s": 20}))>"Login wave"</button>
            <button data-testid="chat-flap" title="30% of the online phones lose their network at once and come straight back"
                on:click=move |_| set.run(serde_json::json!({"flap_share": 0.3}))>"Network flap"</button>
        </div>
    }
    .into_any()
}

fn server_editor(lab: Lab, cell: RwSignal<Live>, id: String, set: Callback<serde_json::Value>) -> AnyView {
    let (workers0, max0, reach0) = cell.with_untracked(|l| {
        (
            l.view.workers,
            l.view.figure("Max connections").unwrap_or(0.0),
            l.view.figure("Registry reachable").unwrap_or(0.0) > 0.5,
        )
    });
    let (workers_in, max_in) = (NodeRef::<Input>::new(), NodeRef::<Input>::new());
    let error = RwSignal::new(None::<String>);
    let reachable = Memo::new(move |_| cell.with(|l| l.view.figure("Registry reachable").unwrap_or(0.0) > 0.5));
    let _ = reach0;
    view! {
        <form class="edit" novalidate on:submit=move |ev| {
            ev.prevent_default();
            let entry = (|| -> Result<(), String> {
                let w = number_in(workers_in, "Cores")?;
                let m = number_in(max_in, "Max connections")?;
                if w < 1.0 || w.fract() != 0.0 {
                    return Err(format!("Cores: a whole number from 1 (got {w})."));
                }
                if m < 1.0 || m.fract() != 0.0 {
                    return Err(format!("Max connections: a whole number from 1 (got {m})."));
                }
                lab.try_edit(FaultSpec { set: Some(id.clone()), workers: Some(w as u32), ..Default::default() })?;
                lab.try_edit(FaultSpec {
                    set: Some(id.clone()),
                    params: Some(serde_json::json!({"max_connections": m as u64})),
                    ..Default::default()
                })
            })();
            error.set(entry.err());
        }>
            <label title="CPU cores: every frame, request, heartbeat and handshake takes one for its cost">"Cores " <input node_ref=workers_in type="number" min="1" step="1" value=workers0 data-testid="edit-chat-cores"/></label>
            <label title="Open sockets and held polls at once; one more is refused (503)">"Max connections " <input node_ref=max_in type="number" min="1" step="1" value=max0 data-testid="edit-chat-max"/></label>
            <button type="submit" data-testid="apply-chat-server">"Apply"</button>
            {error_line(error)}
        </form>
        <div class="buttons">
            <button data-testid="chat-registry-toggle"
                title="Cut this server off from the session registry (or restore it): cut off, it cannot register its users nor look anyone up, so it sends every message to every other server"
                on:click=move |_| set.run(serde_json::json!({"registry_reachable": !reachable.get_untracked()}))>
                {move || if reachable.get() { "Cut off the registry" } else { "Restore the registry" }}
            </button>
        </div>
    }
    .into_any()
}

/// Tooltip text of the family's nodes (`families::Family::describe`).
pub fn describe(id: &str, v: &NodeView, state: &str) -> Option<String> {
    let f = |label: &str| fmt(v.figure(label).unwrap_or(0.0));
    Some(match v.kind {
        "chat_users" => format!(
            "{id} · chat users ({}){state}\n{} online · {} with a socket\n{} delivered · p50 {} ms · {} requests per message",
            mode_of(v).unwrap_or_default().name(),
            f("Online"),
            f("Connected"),
            f("Delivered"),
            f("Deliver p50 ms"),
            f("Requests per delivered message")
        ),
        "chat_server" => format!(
            "{id} · chat server (gateway / app server){state}\n{} sockets · {} held polls · {} MB\n{}/{} cores busy · queued {} · {} pushed",
            f("Open sockets"),
            f("Held polls"),
            f("Memory MB"),
            v.in_service,
            v.workers,
            v.queue_len,
            f("Pushed")
        ),
        "chat_registry" => format!(
            "{id} · session registry{state}\n{} users registered · {} lookups ({} found)",
            f("Users registered"),
            f("Lookups"),
            f("Found")
        ),
        "chat_pubsub" => format!("{id} · pub/sub between servers{state}\n{} routed", f("Routed")),
        "chat_store" => format!(
            "{id} · message store{state}\n{} messages · inboxes: {} entries for {} users",
            f("Messages stored"),
            f("Inbox entries"),
            f("Users with an inbox")
        ),
        _ => return None,
    })
}
