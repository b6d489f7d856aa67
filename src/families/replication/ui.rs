//! The replication family's panel, inspector rows and tooltip (feature
//! `web`), from the kit only.
//!
//! ```text
//!   Replication · db (async, reads from replicas)            status line
//!   figures: acknowledged · stale reads · lost · lag …        dl.sl-figures
//!   db-0  primary          ■■■■■■ 812/s                       one row a member:
//!   db-1  replica · sync   ■■■ 401/s   lag ▮▮▯▯▯ 3 (1.2 ms)    load bar, lag bar
//!   db-2  replica · async  down
//!   failovers and semi-sync fallbacks, newest last           ul.stories
//! ```

use leptos::prelude::*;

use super::replicated_db::{DbSettings, DbView, MemberState};
use super::spec::{ReadFrom, ReplicaMode, Replication, replication_label, replication_words};
use crate::format::{figure as fmt, thousands};
use crate::sim::engine::NodeView;
use crate::sim::spec::FaultSpec;
use crate::ui::scene::Live;
use crate::ui::state::Lab;
use crate::ui::widgets::{enum_choice, workers_form};

/// The panel's figures: (view label, words, test id).
const PANEL_FIGURES: &[(&str, &str, &str)] = &[
    ("Writes acknowledged", "writes acknowledged", "rep-acked"),
    ("Reads answered", "reads answered", "rep-reads"),
    ("Stale reads", "stale reads", "rep-stale"),
    ("Read-your-writes violations", "read-your-writes broken", "rep-ryw"),
    ("Lost writes", "acknowledged, then lost", "rep-lost"),
    ("Max replica lag (entries)", "max lag (entries)", "rep-lag"),
    ("Writes waiting for replicas", "writes waiting for replicas", "rep-waiting"),
    ("Failovers", "failovers", "rep-failovers"),
];

/// What the database is doing now, in a sentence.
pub fn status_text(id: &str, v: &DbView) -> String {
    let primary = v.members.iter().find(|m| m.primary);
    let mut out = format!(
        "{id}: {}, reads from {}; primary {}",
        replication_words(v.replication),
        v.read_from.label(),
        primary.map_or("none", |m| m.name.as_str())
    );
    if let Some(since) = v.failover_since_s {
        out.push_str(&format!(
            " (down since {since:.1} s: a failover is under way; {} requests wait for a primary{})",
            v.waiting_for_primary,
            if v.read_from == ReadFrom::Primary { "" } else { ", reads from replicas go on" }
        ));
    } else if primary.is_some_and(|m| !m.up) || primary.is_none() {
        out.push_str(" (none can take writes)");
    }
    if v.fallen_back {
        out.push_str(". Semi-sync timed out and runs async until a replica catches up");
    } else if v.waiting_for_replicas > 0 {
        let down_sync = v.members.iter().filter(|m| !m.primary && !m.up && m.mode == ReplicaMode::Sync).count();
        out.push_str(&format!(". {} writes wait for their replicas", thousands(v.waiting_for_replicas)));
        if down_sync > 0 && v.replication != Some(Replication::SemiSync) {
            out.push_str(" (a sync replica is down: no write completes until it returns)");
        }
    }
    out
}

fn member_row(m: &MemberState, max_load: f64, max_lag: u64) -> impl IntoView + use<> {
    let role = if m.primary { "primary".to_string() } else { format!("replica · {}", m.mode.label()) };
    let load_w = if max_load > 0.0 { 100.0 * m.load_per_s / max_load } else { 0.0 };
    let lag_w = if max_lag > 0 { 100.0 * m.lag_entries as f64 / max_lag as f64 } else { 0.0 };
    let state = if m.up { "" } else { " down" };
    let lag = if m.primary {
        String::new()
    } else if m.detached {
        "out of the replica set".to_string()
    } else {
        format!("lag {} ({:.1} ms)", thousands(m.lag_entries), m.lag_ms)
    };
    let title = format!(
        "{} · {role}{} · {}/s served in the last window · {} busy, {} queued{}",
        m.name,
        if m.up { "" } else { " · down" },
        fmt(m.load_per_s.round()),
        m.busy,
        m.queue_len,
        if m.primary {
            String::new()
        } else if m.detached {
            "\nthe old primary: it follows no log until it returns, re-cloned from the new primary".to_string()
        } else {
            format!(
                "\nlag: {} log entries not applied yet, the oldest {:.1} ms old",
                thousands(m.lag_entries),
                m.lag_ms
            )
        }
    );
    view! {
        <li class=format!("rep-member{state}") title=title data-testid=format!("rep-{}", m.name)>
            <span class="rep-name">{m.name.clone()}</span>
            <span class="rep-role">{role}{if m.up { "" } else { " · down" }}</span>
            <span class="rep-bar" aria-hidden="true"><i style=format!("width:{load_w:.0}%")></i></span>
            <span class="rep-num">{format!("{}/s", fmt(m.load_per_s.round()))}</span>
            <span class="rep-bar lag" aria-hidden="true"><i style=format!("width:{lag_w:.0}%")></i></span>
            <span class="rep-num">{lag}</span>
        </li>
    }
}

#[component]
pub fn ReplicationPanel() -> impl IntoView {
    let lab = expect_context::<Lab>();
    move || {
        let scene = lab.scene.get();
        let dbs = scene.cells_of("replicated_db");
        if dbs.is_empty() {
            return None;
        }
        Some(view! {
            <section class="replication" data-testid="replication" aria-label="Replication">
                <h3>"Replication"</h3>
                {dbs.into_iter().map(|(id, cell)| db_block(id, cell)).collect_view()}
            </section>
        })
    }
}

fn db_block(id: String, cell: RwSignal<Live>) -> impl IntoView {
    let status_id = id.clone();
    let status = Memo::new(move |_| cell.with(|l| l.view.own::<DbView>().map(|v| status_text(&status_id, v))));
    let figures = Memo::new(move |_| {
        cell.with(|l| PANEL_FIGURES.iter().map(|f| l.view.figure(f.0).unwrap_or(0.0)).collect::<Vec<f64>>())
    });
    let members =
        Memo::new(move |_| cell.with(|l| l.view.own::<DbView>().map(|v| v.members.clone()).unwrap_or_default()));
    let stories = Memo::new(move |_| {
        cell.with(|l| l.view.stories.iter().map(|s| (s.failed, s.text.clone())).collect::<Vec<_>>())
    });
    view! {
        <p class="rep-status" data-testid="rep-status">{move || status.get()}</p>
        <dl class="sl-figures">
            {PANEL_FIGURES.iter().enumerate().map(|(k, &(_, words, testid))| view! {
                <div>
                    <dt>{words}</dt>
                    <dd data-testid=testid>{move || figures.with(|f| fmt(f[k]))}</dd>
                </div>
            }).collect_view()}
        </dl>
        <ul class="rep-members" aria-label=format!("{id}'s members: load and lag")>
            {move || members.with(|ms| {
                let max_load = ms.iter().map(|m| m.load_per_s).fold(0.0, f64::max);
                let max_lag = ms.iter().map(|m| m.lag_entries).max().unwrap_or(0);
                ms.iter().map(|m| member_row(m, max_load, max_lag)).collect_view()
            })}
        </ul>
        <p class="legend">"load: requests served per second · lag: log entries a replica has not applied"</p>
        <ul class="stories" data-testid="rep-stories" aria-live="off">
            {move || stories.with(|list| list.iter().rev().map(|(failed, text)| {
                let cls = if *failed { "story failed" } else { "story" };
                view! { <li class=cls title=text.clone()>{text.clone()}</li> }
            }).collect_view())}
        </ul>
    }
}

pub fn panel() -> AnyView {
    view! { <ReplicationPanel/> }.into_any()
}

/// The database's editor: replication, where reads go, each member's fate.
pub fn inspector(lab: Lab, cell: RwSignal<Live>, id: String, v: &NodeView) -> Option<AnyView> {
    let s = v.params::<DbSettings>()?.clone();
    let n_members = v.parts.len() as u32;
    let set = {
        let id = id.clone();
        move |params: serde_json::Value| {
            lab.edit(FaultSpec { set: Some(id.clone()), params: Some(params), ..Default::default() })
        }
    };
    let (set_r, set_f) = (set.clone(), set);
    const NO_SEMI_SYNC: [Replication; 2] = [Replication::Sync, Replication::Async];
    let modes: &'static [Replication] = if s.semi_sync_possible { &Replication::ALL } else { &NO_SEMI_SYNC };
    let member = RwSignal::new(0u32);
    let act = {
        let id = id.clone();
        move |fail: bool| {
            let target = Some(id.clone());
            let part = Some(member.get_untracked());
            let e = if fail {
                FaultSpec { fail: target, part, ..Default::default() }
            } else {
                FaultSpec { recover: target, part, ..Default::default() }
            };
            lab.edit(e);
        }
    };
    let (act_f, act_r) = (act.clone(), act);
    let kill_primary = {
        let id = id.clone();
        move |_| {
            let primary =
                cell.with_untracked(|l| l.view.own::<DbView>().and_then(|v| v.members.iter().position(|m| m.primary)));
            match primary {
                Some(p) => lab.edit(FaultSpec { fail: Some(id.clone()), part: Some(p as u32), ..Default::default() }),
                None => lab.notice.set(Some("There is no primary to kill: a failover is under way.".into())),
            }
        }
    };
    let names = Memo::new(move |_| {
        cell.with(|l| {
            l.view.own::<DbView>().map_or_else(Vec::new, |v| {
                v.members
                    .iter()
                    .map(|m| {
                        let role = if m.primary { "primary" } else { "replica" };
                        format!("{} ({role}{})", m.name, if m.up { "" } else { ", down" })
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    Some(
        view! {
            <div class="edit rep-edit">
                {enum_choice(
                    "Replication",
                    "When the primary answers a write: async at once, sync after every sync replica applied it, semi-sync after ack_count replicas (or its timeout)",
                    "edit-replication",
                    (modes, Replication::label),
                    s.replication.unwrap_or(Replication::Async),
                    move |r| set_r(serde_json::json!({ "replication": r })),
                )}
                {enum_choice(
                    "Reads from",
                    "The primary (always fresh), the least busy replica (more capacity, maybe stale) or any member",
                    "edit-read-from",
                    (&ReadFrom::ALL, ReadFrom::label),
                    s.read_from,
                    move |r| set_f(serde_json::json!({ "read_from": r })),
                )}
            </div>
            {workers_form(lab, id.clone(), "Workers per member", s.workers, s.service_time.clone())}
            <div class="edit rep-member-edit">
                <label title="The member the buttons act on">
                    "Member "
                    <select data-testid="edit-member" on:change:target=move |ev| member.set(ev.target().value().parse().unwrap_or(0))>
                        {move || names.get().into_iter().enumerate().map(|(i, name)| {
                            view! { <option value=i.to_string() selected=move || member.get() == i as u32>{name}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <button class="danger" data-testid="fail-member" title="This member dies: what it holds fails; if it is the primary, a replica takes over after failover_ms" on:click=move |_| act_f(true)>"Fail"</button>
                <button data-testid="recover-member" title="Bring it back: a replica catches up; an old primary rejoins as a replica, re-cloned" on:click=move |_| act_r(false)>"Recover"</button>
                <button class="danger" data-testid="kill-primary" title="Kill whichever member is the primary now" on:click=kill_primary>"Kill the primary"</button>
            </div>
            <p class="hint">{format!("{n_members} members; a failover promotes the replica that received most")}</p>
        }
        .into_any(),
    )
}

pub fn describe(id: &str, v: &NodeView, state: &str) -> Option<String> {
    let own = v.own::<DbView>()?;
    let f = |label: &str| fmt(v.figure(label).unwrap_or(0.0));
    Some(format!(
        "{id} · replicated database ({}, reads from {}){state}\n{}/{} workers busy over its members · lag {} entries\n{} writes acknowledged · {} stale reads · {} lost",
        replication_label(own.replication),
        own.read_from.label(),
        v.in_service,
        v.workers,
        f("Max replica lag (entries)"),
        f("Writes acknowledged"),
        f("Stale reads"),
        f("Lost writes")
    ))
}
