//! The inspector: the selected node's live figures and its editable
//! parameters. Every edit goes through `Lab::edit`, so it is recorded on the
//! scenario's timeline and replays.

use leptos::prelude::*;

use super::scene::Scene;
use super::state::Lab;
use crate::sim::validate::NodeIdx;

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
        // With it, the editors of the families in the main module (each a
        // chunk of its own: the web tier's).
        let mut editors = Ok(());
        for family in crate::families::FAMILIES {
            editors = editors.and(family.load_editors().await);
        }
        let loaded = editors.and(loaded);
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
    let spec = &scene.scenario.node_specs[i];
    let station = spec.kind.is_station();
    let requester = spec.sends_requests();
    let balancer = spec.kind.balances();
    let view_now = cell.with_untracked(|l| l.view.clone());

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
            let mut rows = if station || requester || l.count > 0 {
                vec![
                    row("p50", "inspector-p50".into(), ms(l.p50)),
                    row("p95", "inspector-p95".into(), ms(l.p95)),
                    row("p99", "inspector-p99".into(), ms(l.p99)),
                ]
            } else {
                Vec::new()
            };
            match () {
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
                _ if balancer => {
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

    // The node's family draws its editor (a server's workers, a cache's
    // size, a store's placement…); a kind with nothing to edit has none.
    let editor = crate::families::FAMILIES
        .iter()
        .filter_map(|f| f.inspector_fn())
        .find_map(|e| e(lab, cell, id.clone(), &view_now))
        .unwrap_or_else(|| ().into_any());

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
