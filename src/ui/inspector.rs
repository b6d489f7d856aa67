//! The inspector: the selected node's live figures and its editable
//! parameters. Every edit goes through `Lab::edit`, so it is recorded on the
//! scenario's timeline and replays.

use leptos::html::Input;
use leptos::prelude::*;

use super::scene::Scene;
use super::state::Lab;
use crate::sim::engine::NodeParams;
use crate::sim::spec::{Acks, Algorithm, FaultSpec, ServiceTimeSpec};
use crate::sim::validate::NodeIdx;

fn mean_ms(st: &ServiceTimeSpec) -> f64 {
    match *st {
        ServiceTimeSpec::Exponential { mean_ms }
        | ServiceTimeSpec::Constant { mean_ms }
        | ServiceTimeSpec::Lognormal { mean_ms, .. } => mean_ms,
        ServiceTimeSpec::Uniform { min_ms, max_ms } => (min_ms + max_ms) / 2.0,
    }
}

/// The same distribution with another mean (a uniform keeps its width ratio).
fn with_mean(st: &ServiceTimeSpec, m: f64) -> ServiceTimeSpec {
    match *st {
        ServiceTimeSpec::Exponential { .. } => ServiceTimeSpec::Exponential { mean_ms: m },
        ServiceTimeSpec::Constant { .. } => ServiceTimeSpec::Constant { mean_ms: m },
        ServiceTimeSpec::Lognormal { cv, .. } => ServiceTimeSpec::Lognormal { mean_ms: m, cv },
        ServiceTimeSpec::Uniform { min_ms, max_ms } => {
            let k = m / ((min_ms + max_ms) / 2.0).max(1e-9);
            ServiceTimeSpec::Uniform { min_ms: min_ms * k, max_ms: max_ms * k }
        }
    }
}

/// A labelled `<select>` of (value, text) options; choosing one calls `pick`
/// with its value. One non-generic widget for every choice the inspector
/// offers (each closure type would otherwise be its own copy of the view code).
pub(crate) fn choice(
    label: &'static str,
    title: &'static str,
    testid: &'static str,
    options: Vec<(String, String)>,
    selected: &str,
    pick: Callback<String>,
) -> AnyView {
    let options = options
        .into_iter()
        .map(|(value, text)| {
            let is_selected = value == selected;
            view! { <option value=value selected=is_selected>{text}</option> }
        })
        .collect_view();
    view! {
        <label class="edit" title=title>
            {label}
            " "
            <select data-testid=testid on:change:target=move |ev| pick.run(ev.target().value())>{options}</select>
        </label>
    }
    .into_any()
}

/// A form's own error line, shown next to its fields and scrolled into
/// view when it appears (on a phone the form may sit below the fold).
pub fn error_line(error: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            let line = NodeRef::<leptos::html::P>::new();
            line.on_load(|el| {
                let options = web_sys::ScrollIntoViewOptions::new();
                options.set_block(web_sys::ScrollLogicalPosition::Nearest);
                el.scroll_into_view_with_scroll_into_view_options(&options);
            });
            view! { <p node_ref=line class="field-error" role="alert" data-testid="field-error">{e}</p> }
        })
    }
}

/// The value of a number field, or the words for a person if it is not a
/// finite number (empty, text, NaN, 1e999).
pub fn number_in(input: NodeRef<Input>, what: &str) -> Result<f64, String> {
    let text = input.get_untracked().map(|i| i.value()).unwrap_or_default();
    match crate::share::parse_number(text.trim()) {
        Some(x) if x.is_finite() => Ok(x),
        _ if text.trim().is_empty() => Err(format!("{what}: type a number.")),
        _ => Err(format!("{what}: `{}` is not a number.", text.trim())),
    }
}

/// Workers and mean service time (a server's, or each shard's of a store),
/// applied together as one `set`; bad values change nothing and say why
/// next to the fields.
pub(crate) fn workers_form(
    lab: Lab,
    id: String,
    label: &'static str,
    workers: u32,
    service_time: ServiceTimeSpec,
) -> AnyView {
    let workers_in = NodeRef::<Input>::new();
    let mean_in = NodeRef::<Input>::new();
    let error = RwSignal::new(None::<String>);
    let mean = mean_ms(&service_time);
    let read = move || -> Result<FaultSpec, String> {
        let w = number_in(workers_in, label)?;
        let max = crate::sim::validate::limits::MAX_WORKERS;
        if w.fract() != 0.0 || w < 1.0 {
            return Err(format!("{label}: a whole number, 1 or more (got {w})."));
        }
        if w > f64::from(max) {
            return Err(format!("{label}: at most {max} (got {w})."));
        }
        let m = number_in(mean_in, "Mean service time")?;
        Ok(FaultSpec {
            set: Some(id.clone()),
            workers: Some(w as u32),
            service_time: Some(with_mean(&service_time, m)),
            ..Default::default()
        })
    };
    view! {
        <form class="edit" novalidate on:submit=move |ev| {
            ev.prevent_default();
            error.set(read().and_then(|e| lab.try_edit(e)).err());
        }>
            <label>{label} " " <input node_ref=workers_in type="number" min="1" step="1" value=workers data-testid="edit-workers"/></label>
            <label>"Mean service time (ms) " <input node_ref=mean_in type="number" min="0" step="any" value=mean data-testid="edit-service-mean"/></label>
            <button type="submit" data-testid="apply-server">"Apply"</button>
            {error_line(error)}
        </form>
    }
    .into_any()
}

/// A [`choice`] among an enum's values, shown by name; `pick` gets the value chosen.
pub(crate) fn enum_choice<T: Copy + Send + Sync + 'static>(
    label: &'static str,
    title: &'static str,
    testid: &'static str,
    (all, name): (&'static [T], fn(T) -> &'static str),
    current: T,
    pick: impl Fn(T) + Send + Sync + 'static,
) -> AnyView {
    let options = all.iter().map(|&x| (name(x).to_string(), name(x).replace('_', " "))).collect();
    let pick = Callback::new(move |v: String| {
        if let Some(&x) = all.iter().find(|&&x| name(x) == v) {
            pick(x);
        }
    });
    choice(label, title, testid, options, name(current), pick)
}

/// On a phone the inspector is a sheet over the lower half of the screen:
/// the page scrolls so the node it shows sits in the upper half, in view.
fn keep_node_above_the_sheet(id: &str) {
    let Some(w) = web_sys::window() else { return };
    let narrow = w.match_media("(max-width: 760px)").ok().flatten().is_some_and(|m| m.matches());
    let node = w.document().and_then(|d| d.query_selector(&format!("[data-testid=\"node-{id}\"]")).ok().flatten());
    let (true, Some(node)) = (narrow, node) else { return };
    let r = node.get_bounding_client_rect();
    let height = w.inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(800.0);
    w.scroll_by_with_x_and_y(0.0, r.top() + r.height() / 2.0 - height * 0.25);
}

/// What draws a node's inspector (its figures, editor and failure buttons).
type NodeInspector = fn(Lab, &Scene, NodeIdx) -> AnyView;

/// The inspector's code is a chunk of its own in the release build
/// (feature `split`): nobody needs it before a first click on a node, and
/// it is 15.6 KB of the first load (measured with it stubbed out). The
/// first call fetches it; a fetch that fails is an `Err` (not cached: the
/// next click tries again). Elsewhere it is ready at once.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(ui_inspector, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn node_inspector_code() -> Result<NodeInspector, crate::families::ChunkError> {
    Ok(|lab, scene, node| node_inspector(lab, scene, node).into_any())
}

/// Fetches the inspector's code into `code` (once; one fetch at a time).
/// A fetch the page asked for (`quiet`: the prefetch) fails silently; one
/// a click asked for says so and closes the inspector, and the next click
/// fetches again.
fn fetch_inspector(lab: Lab, code: RwSignal<Option<NodeInspector>>, fetching: StoredValue<bool>, quiet: bool) {
    if code.get_untracked().is_some() || fetching.get_value() {
        return;
    }
    fetching.set_value(true);
    leptos::task::spawn_local(async move {
        #[cfg(feature = "split")]
        let loaded = node_inspector_code().await;
        #[cfg(not(feature = "split"))]
        let loaded = node_inspector_code();
        fetching.set_value(false);
        match loaded {
            Ok(f) => code.set(Some(f)),
            Err(_) if quiet => {}
            Err(_) => {
                lab.selected.set(None);
                lab.notice.set(Some(
                    "Could not load the inspector's code: the network request failed (offline, or the site was \
                     updated since this page opened). Click the node again, or reload the page."
                        .to_string(),
                ));
            }
        }
    });
}

/// How long after the page opens the inspector's code is fetched in the
/// background, so that a first click finds it (the first chart is drawn
/// well before, even on a throttled phone).
const PREFETCH_AFTER_MS: u32 = 5_000;

#[component]
pub fn Inspector() -> impl IntoView {
    let lab = expect_context::<Lab>();
    // The inspector's code once it has loaded (at once where it is not a
    // chunk: native, tests, `trunk serve`), and whether a fetch is on its
    // way.
    #[cfg(not(feature = "split"))]
    let ready = node_inspector_code().ok();
    #[cfg(feature = "split")]
    let ready = None;
    let code = RwSignal::new(ready);
    let fetching = StoredValue::new(false);
    let prefetch =
        gloo_timers::callback::Timeout::new(PREFETCH_AFTER_MS, move || fetch_inspector(lab, code, fetching, true));
    let prefetch = send_wrapper::SendWrapper::new(prefetch);
    on_cleanup(move || drop(prefetch));
    Effect::new(move |_| {
        let Some(i) = lab.selected.get() else { return };
        let id = lab.scene.with_untracked(|s| s.ids().get(i as usize).cloned());
        if let Some(id) = id {
            keep_node_above_the_sheet(&id);
        }
        fetch_inspector(lab, code, fetching, false);
    });
    view! {
        <section class="inspector" class:open=move || lab.selected.get().is_some() aria-label="Inspector" data-testid="inspector">
            {move || {
                let scene = lab.scene.get();
                match (lab.selected.get().filter(|&i| scene.cell(i).is_some()), code.get()) {
                    (None, _) => view! { <p class="hint">"Click a node to inspect it and change its parameters."</p> }.into_any(),
                    (Some(_), None) => view! { <p class="hint" data-testid="inspector-loading">"Loading the inspector…"</p> }.into_any(),
                    (Some(i), Some(draw)) => draw(lab, &scene, i),
                }
            }}
        </section>
    }
}

/// The inspector of node `node` of `scene` (which has it): every figure
/// reads the node's own cell.
fn node_inspector(lab: Lab, scene: &Scene, node: NodeIdx) -> impl IntoView + use<> {
    let i = node as usize;
    let id = scene.ids()[i].clone();
    // A Copy handle on the scene's cell, owned by (and disposed with) this view.
    let cell = RwSignal::from(scene.nodes[i].clone());
    let up = move || cell.with(|l| l.view.up);
    let cut = move || cell.with(|l| l.view.cut);
    let kind = scene.kinds[i];
    let station = scene.scenario.node_specs[i].kind.is_station();
    let params = cell.with_untracked(|l| l.view.params.clone());

    // Read in place: a broker's or a store's view is large, and this runs
    // every frame.
    let figures = move || {
        cell.with(|l| {
            let (v, s) = (&l.view, l.sample);
            let row = |label: &'static str, testid: std::borrow::Cow<'static, str>, value: String| {
                view! {
                    <div>
                        <dt>{label}</dt>
                        <dd data-testid=testid>{value}</dd>
                    </div>
                }
            };
            let l = s.latency_ms;
            // Latency applies to what answers requests (a client's end to
            // end, a station's own) and to any node that measured some; a
            // Kafka cluster or a consumer shows none rather than "0.0 ms".
            let ms = |x: f64| if l.count > 0 { format!("{} ms", crate::format::figure(x)) } else { "–".to_string() };
            let mut rows = if station || v.kind == "client" || l.count > 0 {
                vec![
                    row("p50", "inspector-p50".into(), ms(l.p50)),
                    row("p95", "inspector-p95".into(), ms(l.p95)),
                    row("p99", "inspector-p99".into(), ms(l.p99)),
                ]
            } else {
                Vec::new()
            };
            match v.kind {
                _ if station => {
                    rows.push(row(
                        "Utilisation",
                        "inspector-utilisation".into(),
                        format!("{:.0}%", s.utilisation * 100.0),
                    ));
                    rows.push(row(
                        "Queue",
                        "inspector-queue".into(),
                        format!("{} / {}", v.queue_len, v.queue_capacity),
                    ));
                    rows.push(row(
                        "Busy workers",
                        "inspector-busy".into(),
                        format!("{} / {}", v.in_service, v.workers),
                    ));
                    rows.push(row("Completed", "inspector-completed".into(), v.completed.to_string()));
                    rows.push(row("Dropped", "inspector-dropped".into(), v.dropped.to_string()));
                }
                "load_balancer" => {
                    rows.truncate(0);
                    rows.push(row("In flight", "inspector-in-flight".into(), v.in_service.to_string()));
                    rows.push(row("In rotation", "inspector-rotation".into(), v.healthy_backends.len().to_string()));
                    rows.push(row("Refused", "inspector-refused".into(), v.errors.to_string()));
                }
                _ => {
                    rows.push(row("In flight", "inspector-in-flight".into(), v.in_service.to_string()));
                    rows.push(row("Completed", "inspector-completed".into(), v.completed.to_string()));
                    rows.push(row("Errors", "inspector-errors".into(), v.errors.to_string()));
                }
            }
            // The kind's own figures (a cache's hits and hit ratio, a
            // server's requests waiting on calls…), as the kind names them.
            for &(label, value) in &v.figures {
                let slug: String = label
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
                    .collect();
                rows.push(row(label, format!("inspector-fig-{slug}").into(), crate::format::figure(value)));
            }
            rows.collect_view()
        })
    };

    // Fail, recover, remove: what `live::offered` says the node takes now
    // (a Kafka cluster broker by broker), so the buttons and the test that
    // tries every offered action against every preset are one list.
    // Rebuilt only when the node's failures on offer change (it is up or
    // down, a broker failed), not every frame: a button replaced under the
    // pointer would never take a click.
    let faults = Memo::new(move |_| {
        cell.track();
        lab.sim.with_value(|s| crate::live::faults(s, node))
    });
    let fault_buttons = move || {
        let actions = faults.get();
        (!actions.is_empty()).then(|| {
            let buttons = actions
                .into_iter()
                .map(|a| {
                    let failing = a.entry.fail.is_some() || a.entry.partition.is_some();
                    let (testid, title) = match (&a.entry, a.entry.broker) {
                        (e, None) if e.partition.is_some() => (
                            "partition".to_string(),
                            "Cut this node off from the rest of the network: every message across the cut is lost",
                        ),
                        (e, None) if e.heal.is_some() => ("heal".to_string(), "Join this node back to the network"),
                        (e, Some(b)) if e.fail.is_some() => (format!("fail-broker-{b}"), "Fail this broker now"),
                        (_, Some(b)) => (format!("recover-broker-{b}"), "Bring this broker back"),
                        (e, None) if e.fail.is_some() => ("fail".to_string(), "Fail this node now"),
                        (e, None) if e.recover.is_some() => ("recover".to_string(), "Bring this node back, empty"),
                        _ => ("remove-server".to_string(), "Take this server out of every balancer"),
                    };
                    let mut label = a.label.clone();
                    if let Some(first) = label.get_mut(0..1) {
                        first.make_ascii_uppercase();
                    }
                    let entry = a.entry;
                    view! {
                        <button class:danger=failing data-testid=testid title=title on:click=move |_| lab.edit(entry.clone())>
                            {label}
                        </button>
                    }
                })
                .collect_view();
            view! { <div class="buttons">{buttons}</div> }
        })
    };

    let producer_acks = match &params {
        NodeParams::Producer { acks, .. } => Some(*acks),
        _ => None,
    };
    // A family that edits its own kinds (the sharded store's placement,
    // routing and shards).
    let family_editor = crate::families::FAMILIES
        .iter()
        .filter_map(|f| f.inspector_fn())
        .find_map(|e| e(lab, cell, id.clone(), &params));
    let editor = if let Some(editor) = family_editor {
        editor
    } else {
        match params {
            NodeParams::Client { arrivals } | NodeParams::Producer { arrivals, .. } => {
                let rate = match arrivals {
                    crate::sim::spec::ArrivalSpec::Poisson { rate_per_s }
                    | crate::sim::spec::ArrivalSpec::Constant { rate_per_s }
                    | crate::sim::spec::ArrivalSpec::Bursty { rate_per_s, .. } => rate_per_s,
                };
                let input = NodeRef::<Input>::new();
                let error = RwSignal::new(None::<String>);
                let id = id.clone();
                let id_acks = id.clone();
                let acks = producer_acks;
                let unit = if kind == "client" { "requests/s" } else { "messages/s" };
                view! {
                {acks.map(|current| enum_choice(
                    "acks",
                    "acks for batches from now on: 0 never waits, 1 waits for the leader, all for every in-sync replica",
                    "edit-acks",
                    (&Acks::ALL, Acks::name),
                    current,
                    move |a| lab.edit(FaultSpec { set: Some(id_acks.clone()), acks: Some(a), ..Default::default() }),
                ))}
                <form class="edit" novalidate on:submit=move |ev| {
                    ev.prevent_default();
                    let entry = number_in(input, "Arrival rate")
                        .map(|r| FaultSpec { set: Some(id.clone()), rate_per_s: Some(r), ..Default::default() });
                    error.set(entry.and_then(|e| lab.try_edit(e)).err());
                }>
                    <label>"Arrival rate (" {unit} ") " <input node_ref=input type="number" min="0" step="any" value=rate data-testid="edit-rate"/></label>
                    <button type="submit" data-testid="apply-rate">"Apply"</button>
                    {error_line(error)}
                </form>
            }
            .into_any()
            }
            NodeParams::Server { service_time, hold_worker } => {
                let workers = cell.with_untracked(|l| l.view.workers);
                let id_hold = id.clone();
                view! {
                {hold_worker.map(|current| enum_choice(
                    "Workers during calls",
                    "Held: a worker waits for the server's calls (thread per request), so a slow dependency can use up the pool. Freed: the worker takes the next request while calls are out (asynchronous).",
                    "edit-hold-worker",
                    (&[true, false], |h| if h { "held" } else { "freed" }),
                    current,
                    move |h| lab.edit(FaultSpec { set: Some(id_hold.clone()), hold_worker: Some(h), ..Default::default() }),
                ))}
                {workers_form(lab, id.clone(), "Workers", workers, service_time)}
            }
            .into_any()
            }
            NodeParams::LoadBalancer { algorithm } => {
                let id_set = id.clone();
                let id_add = id.clone();
                view! {
                <div class="edit">
                    {enum_choice(
                        "Algorithm",
                        "Takes effect at once",
                        "edit-algorithm",
                        (&Algorithm::ALL, Algorithm::name),
                        algorithm,
                        move |a| lab.edit(FaultSpec { set: Some(id_set.clone()), algorithm: Some(a), ..Default::default() }),
                    )}
                    <button data-testid="add-server" title="Add a copy of this balancer's first server" on:click=move |_| {
                        let offer = lab.sim.with_value(|s| crate::live::offered(s, node))
                            .into_iter()
                            .find(|a| a.entry.add_server.is_some());
                        match offer {
                            Some(a) => lab.edit(a.entry),
                            None => lab.notice.set(Some(format!(
                                "`{id_add}` has no plain server to copy: only a server behind a balancer can be added."
                            ))),
                        }
                    }>
                        "Add server"
                    </button>
                </div>
            }
            .into_any()
            }
            NodeParams::Store { .. } | NodeParams::None | NodeParams::Own { .. } => ().into_any(),
        }
    };

    let kind_name = kind.replace('_', " ");
    view! {
        <header>
            <h2 data-testid="inspector-title">{id.clone()}</h2>
            <span class="kind">{kind_name}</span>
            <span
                class="state"
                class:down=move || !up()
                class:cut=move || up() && cut()
                data-testid="inspector-state"
                title=move || (up() && cut()).then_some("Up, but cut off from the rest of the network by a partition: messages across the cut are lost")
            >
                {move || match (up(), cut()) {
                    (false, _) => "down",
                    (true, true) => "cut off",
                    (true, false) => "up",
                }}
            </span>
            <button class="close" data-testid="inspector-close" title="Close (Esc)" aria-label="Close the inspector" on:click=move |_| lab.selected.set(None)>"×"</button>
        </header>
        <dl class="figures">{figures}</dl>
        {editor}
        {fault_buttons}
    }
}
