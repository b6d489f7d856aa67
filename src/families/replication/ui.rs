//! The replication family's panel, inspector rows and tooltip (feature
//! `web`), from the kit only.
//!
//! ```text
//!   Replication · db (async, reads from replicas)            status line
//!   figures: acknowledged · stale reads · lost · lag …        dl.sl-figures
//!   db-0  primary          ■■■■■■ 812/s                       one row a member:
//!   db-1  replica · sync   ■■■ 401/s   lag ▮▮▯▯▯ 3 (1.2 ms)    load bar, lag bar
//!   db-2  replica · async  down
//!   election (herd): last heartbeat → told → new primary → app servers  ol.zk-phases
//!   failovers and semi-sync fallbacks, newest last           ul.stories
//!   ZooKeeper · zk: 3 of 3 servers up (2 needed), leader zk-2  the ensemble:
//!   zk-0 zk-1 [zk-2]                                           its servers,
//!   /db  /db/master (ephemeral: db/db-0, 2 watches)            its znodes,
//!   session 3 db/db-2 expires in 2.4 s                         its sessions
//! ```

use leptos::prelude::*;

use super::ensemble::EnsembleView;
use super::replicated_db::{DbSettings, DbView, ElectionPhases, MemberState};
use super::spec::{OnPartition, ReadFrom, ReplicaMode, Replication, replication_label, replication_words};
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
    let reads_go_on = if v.read_from == ReadFrom::Primary { "" } else { ", reads from replicas go on" };
    if let (Some(since), Some(e)) = (v.failover_since_s, &v.election) {
        out.push_str(&format!(
            " (down since {since:.1} s: its session expires {} ms after its last heartbeat, then the {} election; \
             {} requests wait for a primary{reads_go_on})",
            fmt(e.session_timeout_ms),
            e.recipe.label(),
            thousands(v.waiting_for_primary)
        ));
    } else if let Some(since) = v.failover_since_s {
        out.push_str(&format!(
            " (down since {since:.1} s: a failover is under way; {} requests wait for a primary{reads_go_on})",
            v.waiting_for_primary,
        ));
    } else if let Some((who, knows)) = v
        .election
        .as_ref()
        .and_then(|e| e.app_servers_know.iter().find(|(_, k)| k.as_deref() != primary.map(|m| m.name.as_str())))
    {
        out.push_str(&format!(
            " ({who}'s app servers still send writes to {}: until their watch fires they wait, or fail if it is out of reach; {} requests held)",
            knows.as_deref().unwrap_or("none"),
            thousands(v.waiting_for_primary)
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

/// With an election: what partitions did (view label, words, test id).
const PARTITION_FIGURES: &[(&str, &str, &str)] = &[
    ("Split-brain writes", "split-brain writes", "rep-split"),
    ("Conflicts", "conflicts", "rep-conflicts"),
    ("Writes refused by fencing", "refused by fencing", "rep-fenced"),
    ("Requests held by a partition", "held by a partition", "rep-held"),
];

fn member_row(m: &MemberState, max_load: f64, max_lag: u64) -> impl IntoView + use<> {
    let role = if m.primary {
        "primary".to_string()
    } else if m.stale_leader {
        "old primary, still leading".to_string()
    } else {
        format!("replica · {}", m.mode.label())
    };
    let load_w = if max_load > 0.0 { 100.0 * m.load_per_s / max_load } else { 0.0 };
    let lag_w = if max_lag > 0 { 100.0 * m.lag_entries as f64 / max_lag as f64 } else { 0.0 };
    let state = match (m.up, m.cut) {
        (false, _) => " down",
        (true, true) => " cut",
        _ => "",
    };
    let lag = if m.cut {
        "cut off".to_string()
    } else if m.primary {
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
        if m.stale_leader {
            "\ncut off with some app servers, it has not learned another was elected: it takes their writes (split brain) until it hears from the ensemble".to_string()
        } else if m.cut {
            "\ncut off by a partition: nothing reaches it from the other side".to_string()
        } else if m.primary {
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
        let ensembles = scene.cells_of("coordinator_ensemble");
        if dbs.is_empty() && ensembles.is_empty() {
            return None;
        }
        Some(view! {
            <section class="replication" data-testid="replication" aria-label="Replication">
                <h3>"Replication"</h3>
                {dbs.into_iter().map(|(id, cell)| db_block(id, cell)).collect_view()}
                {ensembles.into_iter().map(|(id, cell)| ensemble_block(id, cell)).collect_view()}
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
    // Only an electing database has them.
    let partition = Memo::new(move |_| {
        cell.with(|l| PARTITION_FIGURES.iter().map(|f| l.view.figure(f.0)).collect::<Option<Vec<f64>>>())
    });
    let members =
        Memo::new(move |_| cell.with(|l| l.view.own::<DbView>().map(|v| v.members.clone()).unwrap_or_default()));
    let stories = Memo::new(move |_| {
        cell.with(|l| l.view.stories.iter().map(|s| (s.failed, s.text.clone())).collect::<Vec<_>>())
    });
    let phases = Memo::new(move |_| {
        cell.with(|l| {
            let e = l.view.own::<DbView>()?.election.as_ref()?;
            Some((e.recipe.label(), e.last.clone()))
        })
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
        {move || partition.get().map(|values| view! {
            <dl class="sl-figures" aria-label="Partitions">
                {PARTITION_FIGURES.iter().zip(values).map(|(&(_, words, testid), v)| view! {
                    <div>
                        <dt>{words}</dt>
                        <dd data-testid=testid>{fmt(v)}</dd>
                    </div>
                }).collect_view()}
            </dl>
        })}
        <ul class="rep-members" aria-label=format!("{id}'s members: load and lag")>
            {move || members.with(|ms| {
                let max_load = ms.iter().map(|m| m.load_per_s).fold(0.0, f64::max);
                let max_lag = ms.iter().map(|m| m.lag_entries).max().unwrap_or(0);
                ms.iter().map(|m| member_row(m, max_load, max_lag)).collect_view()
            })}
        </ul>
        <p class="legend">"load: requests served per second · lag: log entries a replica has not applied"</p>
        {move || phases.get().map(|(recipe, p)| phases_view(recipe, &p))}
        <ul class="stories" data-testid="rep-stories" aria-live="off">
            {move || stories.with(|list| list.iter().rev().map(|(failed, text)| {
                let cls = if *failed { "story failed" } else { "story" };
                view! { <li class=cls title=text.clone()>{text.clone()}</li> }
            }).collect_view())}
        </ul>
    }
}

/// The last failover through the ensemble, phase by phase.
fn phases_view(recipe: &'static str, p: &Option<ElectionPhases>) -> impl IntoView + use<> {
    let Some(p) = p else {
        return view! {
            <p class="rep-status" data-testid="zk-phases">{format!("Elects its primary through ZooKeeper ({recipe} recipe); no failover yet")}</p>
        }
        .into_any();
    };
    let at = |t: Option<f64>| t.map_or_else(|| "…".to_string(), |t| format!("{t:.3} s"));
    let steps = [
        ("last heartbeat", Some(p.last_heartbeat_s), "The dead primary's last heartbeat to the ensemble"),
        (
            "watches fire",
            p.notified_s,
            "Its session expired (the first tick after the timeout), its znode was deleted, and a candidate's watch fired",
        ),
        (
            "new primary",
            Some(p.new_primary_s),
            "A candidate learned it won (its create came back, or it found its znode the lowest)",
        ),
        (
            "app servers",
            p.app_servers_updated_s,
            "The app servers' watch fired and they read the znode: writes go to the new primary",
        ),
        (
            "replicas re-pointed",
            Some(p.replicas_repointed_s),
            "The new primary's log reaches the replicas (one shipping delay)",
        ),
    ];
    let took = p.failover_s().map_or_else(|| "under way".to_string(), |t| format!("{} ms", fmt(t * 1000.0)));
    view! {
        <div class="zk-election" data-testid="zk-phases">
            <p class="rep-status">{format!(
                "Last failover, {recipe} recipe: {took} from the last heartbeat; {} watch notification(s) to candidates",
                p.notifications
            )}</p>
            <ol class="zk-phases">
                {steps.into_iter().map(|(name, t, why)| view! {
                    <li title=why><span>{name}</span>" "<b>{at(t)}</b></li>
                }).collect_view()}
            </ol>
        </div>
    }
    .into_any()
}

/// What the ensemble is doing now, in a sentence.
pub fn ensemble_status(id: &str, v: &EnsembleView) -> String {
    let head = format!("{id}: {} of {} servers up ({} needed for a majority)", v.up, v.servers.len(), v.majority);
    match (&v.leader, v.electing) {
        (Some(l), _) => format!("{head}, leader {l}; {} sessions", v.sessions.len()),
        (None, true) => format!("{head}; electing a leader: nothing is served until it leads"),
        (None, false) => format!(
            "{head}: NO QUORUM. It serves nothing: no session is renewed or expires, no write commits, no election can happen"
        ),
    }
}

fn ensemble_block(id: String, cell: RwSignal<Live>) -> impl IntoView {
    let view = Memo::new(move |_| cell.with(|l| l.view.own::<EnsembleView>().cloned()));
    let stories = Memo::new(move |_| {
        cell.with(|l| l.view.stories.iter().map(|s| (s.failed, s.text.clone())).collect::<Vec<_>>())
    });
    let status_id = id.clone();
    view! {
        <h3>"ZooKeeper ensemble"</h3>
        <p class="rep-status" data-testid="zk-status">{move || view.with(|v| v.as_ref().map(|v| ensemble_status(&status_id, v)))}</p>
        <ul class="zk-servers" aria-label=format!("{id}'s servers")>
            {move || view.with(|v| v.iter().flat_map(|v| v.servers.clone()).map(|s| {
                let cls = format!("zk-server{}{}", if s.up { "" } else { " down" }, if s.leader { " leader" } else { "" });
                let title = format!("{}{}", s.name, if !s.up { ": down" } else if s.leader { ": the leader (writes go through it)" } else { ": a follower" });
                view! { <li class=cls title=title data-testid=format!("zk-{}", s.name)>{s.name.clone()}</li> }
            }).collect_view())}
        </ul>
        <ul class="zk-tree" data-testid="zk-tree" aria-label="znodes">
            {move || view.with(|v| v.iter().flat_map(|v| v.tree.clone()).map(|z| {
                let depth = if z.path == "/" { 0 } else { z.path.matches('/').count() };
                let mut note = match &z.owner {
                    Some(o) => format!("ephemeral, {o}"),
                    None => "persistent".to_string(),
                };
                if z.watches > 0 {
                    note.push_str(&format!(", {} watch{}", z.watches, if z.watches == 1 { "" } else { "es" }));
                }
                let title = format!("{} · created by write {} · data {}", z.path, z.czxid, z.data);
                view! {
                    <li style=format!("padding-left:{:.1}rem", depth as f64 * 0.8) title=title>
                        <span class="zk-path">{z.path.clone()}</span>" "<span class="zk-note">{note}</span>
                    </li>
                }
            }).collect_view())}
        </ul>
        <ul class="zk-sessions" data-testid="zk-sessions" aria-label="sessions">
            {move || view.with(|v| v.iter().flat_map(|v| v.sessions.clone()).map(|s| {
                let left = if s.closing { "expiring".to_string() } else { format!("expires in {:.1} s", s.expires_in_ms / 1000.0) };
                let cls = if s.expires_in_ms < 0.0 || s.closing { "late" } else { "" };
                view! { <li class=cls title="Renewed by each heartbeat: it expires at the first tick after the last heartbeat plus the timeout">{format!("session {} · {} · {left}", s.id, s.holder)}</li> }
            }).collect_view())}
        </ul>
        <ul class="stories" data-testid="zk-stories" aria-live="off">
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

/// The ensemble's editor: a server's fate, and the leader's.
fn ensemble_inspector(lab: Lab, cell: RwSignal<Live>, id: String) -> AnyView {
    let server = RwSignal::new(0u32);
    let act = {
        let id = id.clone();
        move |fail: bool, part: Option<u32>| {
            let Some(part) = part else {
                return lab
                    .notice
                    .set(Some("The ensemble has no leader now: no quorum, or it is electing one.".into()));
            };
            let target = Some(id.clone());
            let e = if fail {
                FaultSpec { fail: target, part: Some(part), ..Default::default() }
            } else {
                FaultSpec { recover: target, part: Some(part), ..Default::default() }
            };
            lab.edit(e);
        }
    };
    let (act_f, act_r, act_l) = (act.clone(), act.clone(), act);
    let names = Memo::new(move |_| {
        cell.with(|l| {
            l.view.own::<EnsembleView>().map_or_else(Vec::new, |v| {
                v.servers
                    .iter()
                    .map(|s| {
                        format!(
                            "{}{}",
                            s.name,
                            if !s.up {
                                " (down)"
                            } else if s.leader {
                                " (leader)"
                            } else {
                                ""
                            }
                        )
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let leader = move || {
        cell.with_untracked(|l| {
            l.view.own::<EnsembleView>().and_then(|v| v.servers.iter().position(|s| s.leader)).map(|i| i as u32)
        })
    };
    view! {
        <div class="edit rep-member-edit">
            <label title="The server the buttons act on">
                "Server "
                <select data-testid="edit-zk-server" on:change:target=move |ev| server.set(ev.target().value().parse().unwrap_or(0))>
                    {move || names.get().into_iter().enumerate().map(|(i, name)| {
                        view! { <option value=i.to_string() selected=move || server.get() == i as u32>{name}</option> }
                    }).collect_view()}
                </select>
            </label>
            <button class="danger" data-testid="fail-zk-server" title="This server dies: with a majority left the ensemble goes on (a new leader a tick later if it led); without one it serves nothing" on:click=move |_| act_f(true, Some(server.get_untracked()))>"Fail"</button>
            <button data-testid="recover-zk-server" title="Bring it back: with a majority again, a leader a tick later gives every session a fresh timeout" on:click=move |_| act_r(false, Some(server.get_untracked()))>"Recover"</button>
            <button class="danger" data-testid="kill-zk-leader" title="Kill whichever server leads now" on:click=move |_| act_l(true, leader())>"Kill the leader"</button>
        </div>
        <p class="hint">"A majority (⌊n/2⌋ + 1) must be up: 5 servers survive 2 failures, 4 survive only 1, like 3"</p>
    }
    .into_any()
}

/// The database's editor: replication, where reads go, each member's fate.
pub fn inspector(lab: Lab, cell: RwSignal<Live>, id: String, v: &NodeView) -> Option<AnyView> {
    if v.kind == "coordinator_ensemble" {
        return Some(ensemble_inspector(lab, cell, id));
    }
    let s = v.params::<DbSettings>()?.clone();
    let elects = v.own::<DbView>().is_some_and(|d| d.election.is_some());
    let on_partition = s.on_partition.map(|now| {
        let set = {
            let id = id.clone();
            move |o: OnPartition| lab.edit(FaultSpec { set: Some(id.clone()), params: Some(o.params()), ..Default::default() })
        };
        enum_choice(
            "On a partition",
            "What a primary cut off from the ensemble does with writes: cp fenced refuses them (its lease lapses before its session can expire); cp unfenced takes them until it learns it lost, then they are discarded (split brain); ap takes them and merges them at the heal, the newer version winning",
            "edit-on-partition",
            (&OnPartition::ALL, OnPartition::label),
            now,
            set,
        )
    });
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
            {on_partition}
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
            <p class="hint">{if elects {
                format!("{n_members} members; they elect a primary through ZooKeeper when the primary's session expires")
            } else {
                format!("{n_members} members; a failover promotes the replica that received most")
            }}</p>
        }
        .into_any(),
    )
}

pub fn describe(id: &str, v: &NodeView, state: &str) -> Option<String> {
    if let Some(z) = v.own::<EnsembleView>() {
        return Some(format!(
            "{}{state}\n{} znodes · {} watch notifications sent",
            ensemble_status(id, z),
            z.tree.len(),
            thousands(z.notifications)
        ));
    }
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
