//! The URL shortener's panel, editors and tooltips.
//!
//! ```text
//!   ┌ URL shortener ─────────────────────────────────────────────┐
//!   │ writes ok · failed · collisions · retries · dedup · …      │  figures, summed over app servers
//!   │ ● app-1 · POST url #81 → lease 1…1000 → 1 from the block … │  newest stories (writes orange,
//!   │ ● app-2 · GET code of rank 3 → cache hit → 302             │  redirects blue, failures red)
//!   │ Estimate: URLs/day, reads/write, years, bytes, peak  [Apply]│  the back-of-the-envelope, live
//!   └────────────────────────────────────────────────────────────┘
//! ```
//! The estimator's button applies its peak rates to the `url_users`, its
//! hot-set size to the caches and its code length to the apps, as live
//! edits (so a share link replays them).

use leptos::html::Input;
use leptos::prelude::*;

use super::spec::{IdsSpec, Strategy, UrlAppSpec, UrlUsersSpec};
use crate::families::web_tier::spec::StationParams;
use crate::sim::engine::NodeView;
use crate::sim::spec::FaultSpec;
use crate::sim::validate::read_as;
use crate::ui::estimator::{Estimator, Field, bytes};
use crate::ui::scene::Live;
use crate::ui::state::Lab;
use crate::ui::widgets::{choice, error_line, number_in, workers_form};

use super::estimate::{EstimateInput, HOT_SHARE, estimate};
use super::hash::Hash;

/// Figures summed over the scene's app servers, as the panel shows them:
/// (label in the view, words, test id).
const PANEL_FIGURES: [(&str, &str, &str); 12] = [
    ("Writes ok", "writes ok", "sl-writes-ok"),
    ("Writes failed", "writes failed", "sl-writes-failed"),
    ("Hash collisions", "collisions", "sl-collisions"),
    ("Salted retries", "retries", "sl-retries"),
    ("Deduplicated", "deduplicated", "sl-dedup"),
    ("Unique-key violations", "duplicate codes", "sl-duplicates"),
    ("Sequence waits", "sequence waits", "sl-waits"),
    ("Clock refusals", "clock refusals", "sl-clock"),
    ("Wasted ids", "wasted ids", "sl-wasted"),
    ("Refused: no block", "refused (no block)", "sl-no-block"),
    ("Redirects", "redirects", "sl-redirects"),
    ("Cache hits", "cache hits", "sl-cache-hits"),
];

fn fmt(x: f64) -> String {
    if x >= 1e12 {
        format!("{:.2} × 10^{}", x / 10f64.powi(x.log10().floor() as i32), x.log10().floor())
    } else if x >= 1000.0 || x.fract() == 0.0 {
        crate::format::thousands(x.round().max(0.0) as u64)
    } else {
        format!("{x:.1}")
    }
}

/// The panel of the current scene's app servers, rebuilt whole when the
/// scene changes.
#[component]
pub fn ShortenerPanel() -> impl IntoView {
    let lab = expect_context::<Lab>();
    move || {
        let scene = lab.scene.get();
        let apps = scene.cells_of("url_app");
        if apps.is_empty() {
            return None;
        }
        let figures_apps = apps.clone();
        // The people's side: redirects their browsers answered (301s kept).
        let users: Vec<RwSignal<Live>> = scene.cells_of("url_users").into_iter().map(|(_, c)| c).collect();
        let figures = Memo::new(move |_| {
            let mut sums: Vec<f64> = PANEL_FIGURES
                .iter()
                .map(|&(label, _, _)| {
                    figures_apps.iter().map(|(_, c)| c.with(|l| l.view.figure(label).unwrap_or(0.0))).sum::<f64>()
                })
                .collect();
            sums.push(users.iter().map(|c| c.with(|l| l.view.figure("Served by browsers (301)").unwrap_or(0.0))).sum());
            sums
        });
        // Per path, per users node; the table's size and load; the cache's hit ratio.
        let (path_users, tables, ratio_apps) = (scene.cells_of("url_users"), scene.cells_of("url_db"), apps.clone());
        let lines = Memo::new(move |_| {
            let mut out: Vec<(&'static str, String)> = Vec::new();
            for (id, c) in &path_users {
                c.with(|l| {
                    let f = |label: &str| l.view.figure(label).unwrap_or(0.0);
                    out.push((
                        "sl-path",
                        format!(
                            "{id}: writes {}/s, p50/p95/p99 {:.0}/{:.0}/{:.0} ms · redirects {}/s, p50/p95/p99 {:.0}/{:.0}/{:.0} ms",
                            fmt(f("Writes/s answered (last window)").round()),
                            f("Write p50 ms"),
                            f("Write p95 ms"),
                            f("Write p99 ms"),
                            fmt(f("Redirects/s answered (last window)").round()),
                            f("Redirect p50 ms"),
                            f("Redirect p95 ms"),
                            f("Redirect p99 ms"),
                        ),
                    ));
                });
            }
            for (id, c) in &tables {
                c.with(|l| {
                    let v = &l.view;
                    out.push((
                        "sl-table",
                        format!(
                            "{id}: {} rows ({} inserted in this run) · {}/{} workers busy, {} queued · {} waiting for the counter's lock",
                            fmt(v.figure("Rows").unwrap_or(0.0)),
                            fmt(v.figure("Rows inserted in the run").unwrap_or(0.0)),
                            v.in_service,
                            v.workers,
                            v.queue_len,
                            fmt(v.figure("Waiting for the counter's lock").unwrap_or(0.0)),
                        ),
                    ));
                });
            }
            let (hits, misses): (f64, f64) = ratio_apps
                .iter()
                .map(|(_, c)| {
                    c.with(|l| {
                        (l.view.figure("Cache hits").unwrap_or(0.0), l.view.figure("Cache misses").unwrap_or(0.0))
                    })
                })
                .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
            if hits + misses > 0.0 {
                out.push(("sl-hit-ratio", format!("redirect cache hit ratio {:.1}%", 100.0 * hits / (hits + misses))));
            }
            out
        });
        let story_apps = apps.clone();
        let stories = Memo::new(move |_| {
            let mut all: Vec<(u64, String, &'static str, bool, String)> = Vec::new();
            for (id, c) in &story_apps {
                c.with(|l| {
                    for s in &l.view.stories {
                        all.push((s.req_id, id.clone(), s.class, s.failed, s.text.clone()));
                    }
                });
            }
            // The newest four of each class, newest first.
            all.sort_by_key(|a| std::cmp::Reverse(a.0));
            let (mut writes, mut redirects) = (0, 0);
            all.retain(|s| {
                let n = if s.2 == "write" { &mut writes } else { &mut redirects };
                *n += 1;
                *n <= 4
            });
            all
        });
        Some(view! {
            <section class="shortener" data-testid="shortener" aria-label="URL shortener">
                <h3>"URL shortener"</h3>
                <dl class="sl-figures">
                    {PANEL_FIGURES.iter().enumerate().map(|(k, &(_, words, testid))| view! {
                        <div>
                            <dt>{words}</dt>
                            <dd data-testid=testid>{move || figures.with(|f| fmt(f[k]))}</dd>
                        </div>
                    }).collect_view()}
                    <div title="Visits a browser answered from its own memory of a 301: they never reached the service (and were never counted)">
                        <dt>"kept by browsers (301)"</dt>
                        <dd data-testid="sl-browsers">{move || figures.with(|f| fmt(f[PANEL_FIGURES.len()]))}</dd>
                    </div>
                </dl>
                <ul class="sl-lines">
                    {move || lines.with(|ls| ls.iter().map(|(testid, text)| view! { <li data-testid=*testid>{text.clone()}</li> }).collect_view())}
                </ul>
                <p class="legend">
                    <span class="dot write"></span>"writes (POST, inserts, cache fills, clicks) "
                    <span class="dot request"></span>"reads (GET, lookups) "
                    <span class="dot error"></span>"failed · newest first; hover for the whole story"
                </p>
                <ul class="stories" data-testid="shortener-stories" aria-live="off">
                    {move || stories.with(|list| list.iter().map(|(_, app, class, failed, text)| {
                        let cls = format!("story {class}{}", if *failed { " failed" } else { "" });
                        view! { <li class=cls title=format!("{app} · {text}")><b>{app.clone()}</b>" · "{text.clone()}</li> }
                    }).collect_view())}
                </ul>
                {estimator(lab)}
            </section>
        })
    }
}

/// The estimator: the shared widget with the shortener's fields, its
/// estimate, and the edits that apply it (the users' peak rates, the
/// caches' hottest 20% of codes, the apps' code length).
fn estimator(lab: Lab) -> impl IntoView {
    let d = EstimateInput::default();
    let field = |label, testid, name, value| Field { label, testid, name, value };
    crate::ui::estimator::estimator(
        lab,
        Estimator {
            prefix: "",
            fields: vec![
                field("New URLs per day", "est-urls", "new_urls_per_day", d.new_urls_per_day),
                field("Redirects per new URL", "est-reads", "reads_per_write", d.reads_per_write),
                field("Years kept", "est-years", "years", d.years),
                field("Bytes per record", "est-bytes", "bytes_per_record", d.bytes_per_record),
                field("Peak over mean", "est-peak", "peak_factor", d.peak_factor),
            ],
            apply_title: "Set the users' rates to the peak, the caches to the hottest 20% of codes and the apps' codes to this length (live edits, kept in the share link)",
            estimate: |v| {
                let e = estimate_of(v)?;
                Ok(vec![
                    ("Writes", "est-writes", format!("{} /s (peak {})", fmt(e.writes_per_s), fmt(e.peak_writes_per_s))),
                    (
                        "Redirects",
                        "est-redirects",
                        format!("{} /s (peak {})", fmt(e.redirects_per_s), fmt(e.peak_redirects_per_s)),
                    ),
                    ("Records", "est-records", fmt(e.records)),
                    ("Storage", "est-storage", bytes(e.storage_bytes)),
                    (
                        "Code length",
                        "est-length",
                        format!(
                            "{} base62 characters (62^{} ≈ {:.1e})",
                            e.code_length,
                            e.code_length,
                            62f64.powi(e.code_length as i32)
                        ),
                    ),
                    ("Cache (hottest 20% of a day)", "est-cache", bytes(e.cache_bytes)),
                ])
            },
            edits: edits_for,
        },
    )
}

/// The estimate of the fields' values, in order.
fn estimate_of(v: &[f64]) -> Result<super::estimate::Estimate, crate::ui::estimator::FieldError> {
    estimate(&EstimateInput {
        new_urls_per_day: v[0],
        reads_per_write: v[1],
        years: v[2],
        bytes_per_record: v[3],
        peak_factor: v[4],
    })
    .map_err(|e| (e.field, e.message))
}

/// The live edits that apply the estimate of `values` to the scene.
fn edits_for(lab: Lab, values: &[f64]) -> Vec<crate::ui::estimator::Edit> {
    let Ok(e) = estimate_of(values) else { return Vec::new() };
    let scene = lab.scene.get_untracked();
    let ids = scene.ids();
    let set = |i: usize, params| crate::ui::estimator::set_params(&ids[i], params);
    let mut out = Vec::new();
    let users: Vec<usize> = (0..scene.kinds.len()).filter(|&i| scene.kinds[i] == "url_users").collect();
    let share = users.len().max(1) as f64;
    let mut codes = 0u64;
    for &i in &users {
        let (w, r) = (e.peak_writes_per_s / share, e.peak_redirects_per_s / share);
        if let Some(c) = scene.nodes[i].with_untracked(|l| l.view.params::<UrlUsersSpec>().map(|s| s.codes)) {
            codes = codes.max(c);
        }
        out.push((
            set(i, serde_json::json!({"writes_per_s": w, "redirects_per_s": r})),
            format!("{}: {} writes/s, {} redirects/s", ids[i], fmt(w), fmt(r)),
        ));
    }
    // The hot fifth of the codes redirects spread over (the default's when unsaid).
    let hot = ((if codes == 0 { 100_000 } else { codes }) as f64 * HOT_SHARE).ceil() as u64;
    // The apps' key caches (what takes `get`); a size past a cache's
    // limit is refused with the limit named.
    let caches =
        (0..scene.kinds.len()).filter(|&i| super::app::role(&scene.scenario.node_specs[i]) == super::app::Role::Cache);
    for i in caches {
        out.push((
            set(i, serde_json::json!({"capacity": hot})),
            format!(
                "{}: {} entries (the hottest 20% of the {} codes this scenario's redirects spread over)",
                ids[i],
                fmt(hot as f64),
                fmt((hot as f64 / HOT_SHARE).round())
            ),
        ));
    }
    let len = e.code_length as u32;
    for i in (0..scene.kinds.len()).filter(|&i| scene.kinds[i] == "url_app") {
        let ids_now = scene.nodes[i].with_untracked(|l| l.view.params::<UrlAppSpec>().map(|s| s.ids));
        let params = match ids_now {
            Some(mut ids) if ids.strategy == Strategy::Hash => {
                ids.length = Some(len);
                serde_json::json!({"ids": ids})
            }
            _ => serde_json::json!({"pad_to": len}),
        };
        out.push((set(i, params), format!("{}: {len}-character codes", ids[i])));
    }
    out
}

/// The family's panel, for the registry (`families::Family::panel`).
pub fn panel() -> AnyView {
    view! { <ShortenerPanel/> }.into_any()
}

/// The spec of a node whose fields are its own (`params`), in the
/// format's words, as its editor reads it while it is open.
fn own_spec<T: serde::Serialize + 'static>(cell: RwSignal<Live>) -> Memo<serde_json::Value> {
    Memo::new(move |_| {
        cell.with(|l| l.view.params::<T>().and_then(|s| serde_json::to_value(s).ok()).unwrap_or_default())
    })
}

/// Editors of the family's kinds: an app's ID strategy, code length, block
/// size, redirect code and clock; the users' rates and viral share; the
/// table's workers and service time.
pub fn inspector(lab: Lab, cell: RwSignal<Live>, id: String, v: &NodeView) -> Option<AnyView> {
    let kind = v.kind;
    // The table: its workers and service time, as any station's.
    if let ("url_db", Some(p)) = (kind, v.params::<StationParams>()) {
        return Some(workers_form(lab, id, "Workers", v.workers, p.service_time.clone()));
    }
    let set = {
        let id = id.clone();
        Callback::new(move |v: serde_json::Value| {
            lab.edit(FaultSpec { set: Some(id.clone()), params: Some(v), ..Default::default() })
        })
    };
    match kind {
        "url_app" => Some(app_editor(lab, cell, id, own_spec::<UrlAppSpec>(cell), set)),
        "url_users" => Some(users_editor(lab, id, own_spec::<UrlUsersSpec>(cell), set)),
        _ => None,
    }
}

fn app_editor(
    lab: Lab,
    cell: RwSignal<Live>,
    id: String,
    spec: Memo<serde_json::Value>,
    set: Callback<serde_json::Value>,
) -> AnyView {
    let ids_of = move || spec.with(|s| s.get("ids").and_then(read_as::<IdsSpec>));
    let with_ids = move |f: &dyn Fn(&mut IdsSpec)| {
        if let Some(mut ids) = ids_of() {
            f(&mut ids);
            set.run(serde_json::json!({ "ids": ids }));
        }
    };
    let (workers, service_time) = cell.with_untracked(|l| {
        let st = spec.with_untracked(|s| s.get("service_time").and_then(read_as));
        (l.view.workers, st.unwrap_or(crate::sim::spec::ServiceTimeSpec::Constant { mean_ms: 1.0 }))
    });
    let strategies = Strategy::ALL.iter().map(|s| (s.name().to_string(), s.name().to_string())).collect::<Vec<_>>();
    view! {
        <div class="edit shortener-edit">
            {move || {
                let Some(ids) = ids_of() else { return ().into_any() };
                let strategy = ids.strategy;
                let redirect = spec.with(|s| s.get("redirect").and_then(|v| v.as_u64()).unwrap_or(302));
                let pad = spec.with(|s| s.get("pad_to").and_then(|v| v.as_u64()).unwrap_or(0));
                let skew = spec.with(|s| s.get("clock_skew_ms").and_then(|v| v.as_f64()).unwrap_or(0.0));
                let pick_strategy = Callback::new(move |v: String| {
                    if let Some(&s) = Strategy::ALL.iter().find(|s| s.name() == v) {
                        // The new strategy with its defaults.
                        set.run(serde_json::json!({ "ids": IdsSpec { strategy: s, ..Default::default() } }));
                    }
                });
                let lengths: Vec<(String, String)> = (1..=11).map(|n| (n.to_string(), format!("{n} characters"))).collect();
                let pads: Vec<(String, String)> = std::iter::once(("0".to_string(), "none".to_string()))
                    .chain((1..=11).map(|n| (n.to_string(), format!("to {n}"))))
                    .collect();
                view! {
                    {choice("ID strategy", "How a write gets its unique number (or, hash, its code)", "edit-strategy",
                        strategies.clone(), strategy.name(), pick_strategy)}
                    {(strategy == Strategy::Hash).then(|| view! {
                        {choice("Digest", "The digest of the long URL the code is cut from", "edit-hash",
                            Hash::ALL.iter().map(|h| (h.name().to_string(), h.name().to_string())).collect(),
                            ids.hash().name(),
                            Callback::new(move |v: String| with_ids(&|ids| ids.hash = Hash::ALL.iter().copied().find(|h| h.name() == v))))}
                        {choice("Code length", "Base62 characters: 62^n codes; shorter codes collide sooner", "edit-length",
                            lengths.clone(), &ids.length().to_string(),
                            Callback::new(move |v: String| with_ids(&|ids| ids.length = v.parse().ok())))}
                    })}
                    {(strategy == Strategy::Range).then(|| view! {
                        {choice("Block size", "Ids leased per round trip to the coordinator; a crash wastes the rest of a block", "edit-block",
                            [100u64, 1_000, 5_000, 10_000, 100_000].iter().map(|n| (n.to_string(), fmt(*n as f64))).collect(),
                            &ids.block().to_string(),
                            Callback::new(move |v: String| with_ids(&|ids| ids.block = v.parse().ok())))}
                    })}
                    {(strategy != Strategy::Hash).then(|| choice("Pad codes", "Left-pad shorter codes with 0 to a fixed length", "edit-pad",
                        pads.clone(), &pad.to_string(),
                        Callback::new(move |v: String| set.run(serde_json::json!({"pad_to": v.parse::<u32>().unwrap_or(0)})))))}
                    {choice("Redirect", "301: browsers keep it, repeat visits never come back (no click counts); 302: every visit comes back", "edit-redirect",
                        vec![("302".into(), "302 Found (temporary)".into()), ("301".into(), "301 Moved Permanently".into())],
                        &redirect.to_string(),
                        Callback::new(move |v: String| set.run(serde_json::json!({"redirect": v.parse::<u16>().unwrap_or(302)}))))}
                    {(strategy == Strategy::Snowflake).then(|| view! {
                        <div class="buttons">
                            <button data-testid="edit-clock-back" title="Step this server's clock back 3 seconds (as a bad NTP sync would): it refuses ids until its clock passes the last one's"
                                on:click=move |_| set.run(serde_json::json!({"clock_skew_ms": skew - 3000.0}))>"Clock back 3 s"</button>
                            <button data-testid="edit-clock-fix" title="Put the clock right (no skew)"
                                on:click=move |_| set.run(serde_json::json!({"clock_skew_ms": 0.0}))>"Fix clock"</button>
                            <span class="caption">{format!("skew {skew:.0} ms")}</span>
                        </div>
                    })}
                }.into_any()
            }}
        </div>
        {workers_form(lab, id, "Workers", workers, service_time)}
    }
    .into_any()
}

fn users_editor(lab: Lab, id: String, spec: Memo<serde_json::Value>, set: Callback<serde_json::Value>) -> AnyView {
    let get = move |k: &str| spec.with_untracked(|s| s.get(k).and_then(|v| v.as_f64()));
    let (w0, r0) = (get("writes_per_s").unwrap_or(100.0), get("redirects_per_s").unwrap_or(1000.0));
    let viral0 = get("viral_share").unwrap_or(0.0);
    let (w_in, r_in) = (NodeRef::<Input>::new(), NodeRef::<Input>::new());
    let error = RwSignal::new(None::<String>);
    let read = move || -> Result<FaultSpec, String> {
        let w = number_in(w_in, "Writes per second")?;
        let r = number_in(r_in, "Redirects per second")?;
        Ok(FaultSpec {
            set: Some(id.clone()),
            params: Some(serde_json::json!({"writes_per_s": w, "redirects_per_s": r})),
            ..Default::default()
        })
    };
    let shares: Vec<(String, String)> =
        [0.0, 0.1, 0.3, 0.6, 0.9].iter().map(|s| (s.to_string(), format!("{:.0}%", s * 100.0))).collect();
    let current = shares
        .iter()
        .find(|s| crate::share::parse_number(&s.0) == Some(viral0))
        .map_or("0".to_string(), |s| s.0.clone());
    view! {
        <form class="edit" novalidate on:submit=move |ev| {
            ev.prevent_default();
            error.set(read().and_then(|e| lab.try_edit(e)).err());
        }>
            <label>"Writes/s " <input node_ref=w_in type="number" min="0" step="any" value=w0 data-testid="edit-writes"/></label>
            <label>"Redirects/s " <input node_ref=r_in type="number" min="0" step="any" value=r0 data-testid="edit-redirects"/></label>
            <button type="submit" data-testid="apply-users">"Apply"</button>
            {error_line(error)}
        </form>
        {choice("Viral link", "Share of all redirects that go to one code (rank 0)", "edit-viral", shares, &current,
            Callback::new(move |v: String| set.run(serde_json::json!({"viral_share": crate::share::parse_number(&v).unwrap_or(0.0)}))))}
    }
    .into_any()
}

/// Tooltip text of the family's nodes (`families::Family::describe`).
pub fn describe(id: &str, v: &NodeView, state: &str) -> Option<String> {
    let f = |label: &str| fmt(v.figure(label).unwrap_or(0.0));
    Some(match v.kind {
        "url_users" => format!(
            "{id} · people shortening and following links{state}\n{} writes/s · {} redirects/s (set)\n{} served by browsers (301) · {} errors",
            f("Writes/s (set)"),
            f("Redirects/s (set)"),
            f("Served by browsers (301)"),
            v.errors
        ),
        "url_app" => {
            let latest = v.stories.first().map_or(String::new(), |s| format!("\nlatest: {}", s.text));
            format!(
                "{id} · URL shortener app server{state}\n{}/{} workers busy · queued {}\n{} writes ok · {} failed · {} redirects{latest}",
                v.in_service,
                v.workers,
                v.queue_len,
                f("Writes ok"),
                f("Writes failed"),
                f("Redirects")
            )
        }
        "url_db" => format!(
            "{id} · URL table{state}\n{} rows · {} unique-key violations\n{}/{} workers busy · queued {}",
            f("Rows"),
            f("Unique-key violations"),
            v.in_service,
            v.workers,
            v.queue_len
        ),
        "id_coordinator" => format!(
            "{id} · ID coordinator (ZooKeeper-like){state}\n{} blocks leased · next id {}",
            f("Blocks leased"),
            f("Next id")
        ),
        _ => return None,
    })
}
