//! Browser tests (wasm-bindgen-test in headless Chromium): mount the app,
//! click, let Leptos update the DOM (`tick().await`), assert what a person
//! would see. Run with `cargo test --target wasm32-unknown-unknown --features web --test web`.
#![cfg(all(target_arch = "wasm32", feature = "web"))]

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use scalelab::ui::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the app on the test page's own address: the app follows the
/// address (a preset chosen pushes `?preset=…`), so an earlier test's click
/// would otherwise choose what this one opens.
fn mount_app() -> (web_sys::HtmlElement, impl Drop) {
    let window = window();
    let path = window.location().pathname().unwrap();
    window.history().unwrap().replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path)).unwrap();
    let document = document();
    let wrapper = document.create_element("section").unwrap();
    document.body().unwrap().append_child(&wrapper).unwrap();
    let handle = mount_to(wrapper.clone().unchecked_into(), || view! { <App/> });
    (wrapper.unchecked_into(), handle)
}

fn by_testid(root: &web_sys::HtmlElement, id: &str) -> web_sys::HtmlElement {
    root.query_selector(&format!("[data-testid={id}]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no element with data-testid={id}"))
        .unchecked_into()
}

#[wasm_bindgen_test]
async fn gallery_lists_every_preset_and_selecting_one_changes_the_title() {
    let (root, _app) = mount_app();
    tick().await;
    for p in scalelab::presets::all() {
        by_testid(&root, &format!("preset-{}", p.id));
    }
    let title = by_testid(&root, "scenario-title");
    assert_eq!(title.text_content().unwrap(), scalelab::presets::all()[0].title);
    by_testid(&root, "preset-load-balancing").click();
    tick().await;
    assert_eq!(title.text_content().unwrap(), "Load-balancing algorithms");
    let selected = root.query_selector("button.preset.selected").unwrap().unwrap();
    assert_eq!(selected.get_attribute("data-testid").as_deref(), Some("preset-load-balancing"));
}

#[wasm_bindgen_test]
async fn the_play_button_toggles_between_play_and_pause() {
    let (root, _app) = mount_app();
    tick().await;
    let play = by_testid(&root, "play");
    assert_eq!(play.text_content().unwrap(), "Pause", "a preset starts playing");
    play.click();
    tick().await;
    assert_eq!(play.text_content().unwrap(), "Play");
    play.click();
    tick().await;
    assert_eq!(play.text_content().unwrap(), "Pause");
}

/// A click that bubbles, as a person's does (Leptos delegates click handlers
/// to the document, and SVG elements have no `click()`).
fn click(el: &web_sys::Element) {
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
    el.dispatch_event(&ev).unwrap();
}

#[wasm_bindgen_test]
async fn clicking_a_node_opens_the_inspector_with_its_parameters() {
    let (root, _app) = mount_app();
    tick().await;
    assert!(by_testid(&root, "inspector").text_content().unwrap().contains("Click a node"));
    click(&root.query_selector("[data-testid=node-pool]").unwrap().unwrap());
    tick().await;
    assert_eq!(by_testid(&root, "inspector-title").text_content().unwrap(), "pool");
    let workers: web_sys::HtmlInputElement = by_testid(&root, "edit-workers").unchecked_into();
    assert_eq!(workers.value(), "8");
    assert_eq!(by_testid(&root, "inspector-state").text_content().unwrap(), "up");
    // Failing it from the inspector marks it down in the topology.
    by_testid(&root, "fail").click();
    tick().await;
    assert_eq!(by_testid(&root, "inspector-state").text_content().unwrap(), "down");
    let node = root.query_selector("[data-testid=node-pool]").unwrap().unwrap();
    assert!(node.class_list().contains("down"));
    assert!(root.query_selector("[data-testid=recover]").unwrap().is_some());
}

#[wasm_bindgen_test]
async fn a_step_processes_exactly_one_event() {
    let (root, _app) = mount_app();
    tick().await;
    by_testid(&root, "play").click();
    tick().await;
    let events = || by_testid(&root, "events").text_content().unwrap().parse::<u64>().unwrap();
    let before = events();
    by_testid(&root, "step").click();
    tick().await;
    assert_eq!(events(), before + 1);
}

/// Resolves at the next animation frame (the playback loop runs in it).
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().request_animation_frame(&resolve).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

fn node_ids(root: &web_sys::HtmlElement) -> Vec<String> {
    let nodes = root.query_selector_all("[data-testid=topology] g.node").unwrap();
    let mut ids: Vec<String> = (0..nodes.length())
        .map(|k| nodes.item(k).unwrap().unchecked_into::<web_sys::Element>().get_attribute("data-id").unwrap())
        .collect();
    ids.sort();
    ids
}

/// The bug a new user hit first: a switch to a scenario with fewer nodes
/// panicked (a per-node view of the old scenario indexed the new one) and
/// left the old diagram on screen. A panic fails this test.
#[wasm_bindgen_test]
async fn switching_scenarios_shows_only_the_new_scenarios_nodes() {
    let (root, _app) = mount_app();
    tick().await;
    for (preset, ids) in [
        ("load-balancing", vec!["app-1", "app-2", "app-3", "app-4", "app-5", "app-6", "app-7", "app-8", "lb", "users"]),
        ("queueing-basics", vec!["pool", "users"]),
        ("kafka-keys", vec!["analytics-1", "analytics-2", "billing-1", "billing-2", "billing-3", "checkout", "kafka"]),
        ("add-shard", vec!["app", "store"]),
        ("queueing-basics", vec!["pool", "users"]),
    ] {
        // Select the busiest node first, so the inspector too must follow.
        click(&root.query_selector("[data-testid=topology] g.node").unwrap().unwrap());
        by_testid(&root, &format!("preset-{preset}")).click();
        tick().await;
        next_frame().await;
        next_frame().await;
        tick().await;
        assert_eq!(node_ids(&root), ids, "{preset}: the diagram shows exactly its nodes");
        assert!(by_testid(&root, "inspector").text_content().unwrap().contains("Click a node"));
    }
}

/// Each family reaches the app's hooks for its kinds: its panel, its
/// editors (the web tier's from a chunk of their own, `Family::editors`)
/// and its tooltips; a family with none has none.
#[wasm_bindgen_test]
fn every_family_hands_over_its_panel_editors_and_tooltips() {
    let family = |id: &str| scalelab::families::FAMILIES.iter().find(|f| f.id == id).expect("a family");
    let hooks = |id: &str| {
        let f = family(id);
        (f.panel_fn().is_some(), f.inspector_fn().is_some(), f.describe_fn().is_some())
    };
    assert_eq!(hooks("web_tier"), (false, true, true));
    assert_eq!(hooks("storage"), (false, true, false));
    assert_eq!(hooks("messaging"), (true, true, true));
    assert_eq!(hooks("sharding"), (true, true, true));
    assert_eq!(hooks("shortener"), (true, true, true));
    assert_eq!(hooks("chat"), (true, true, true));
    // The web tier's tooltip names its own kinds only.
    let describe = family("web_tier").describe_fn().unwrap();
    let view = scalelab::sim::engine::NodeView { kind: "load_balancer", ..Default::default() };
    assert!(describe("lb", &view, "").unwrap().starts_with("lb · load balancer"));
    assert_eq!(describe("c", &scalelab::sim::engine::NodeView { kind: "cache", ..Default::default() }, ""), None);
}
