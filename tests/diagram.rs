//! The diagram's layout for every preset at phone and desktop widths:
//! everything inside the drawing, no node on another, every name readable
//! (not on another name or node, and, outside its own box, clear of every
//! link by more than a message dot's radius, so no dot passes under it).
//! The browser test (`tests/e2e/visual.test.mjs`) checks the same on the
//! rendered page, with real fonts.

use scalelab::Scenario;
use scalelab::diagram::{Layout, Rect, layout};

/// Widths the diagram gets: a 360 px and a 390 px phone, a narrow and a
/// wide desktop stage.
const WIDTHS: [f64; 6] = [318.0, 348.0, 480.0, 640.0, 900.0, 1200.0];

fn problems(s: &Scenario, l: &Layout) -> Vec<String> {
    let ids = &s.topology.ids;
    let mut out = Vec::new();
    for (i, p) in l.nodes.iter().enumerate() {
        if !p.shape.inside(l.width, l.height) || !p.label.inside(l.width, l.height) {
            out.push(format!("{} is not inside the {}×{} drawing", ids[i], l.width, l.height));
        }
        let in_own_box = contains(&p.shape, &p.label);
        for (j, q) in l.nodes.iter().enumerate().filter(|&(j, _)| j != i) {
            if p.shape.overlaps(&q.shape) {
                out.push(format!("{} overlaps {}", ids[i], ids[j]));
            }
            if p.label.overlaps(&q.label) || p.label.overlaps(&q.shape) {
                out.push(format!("the name {} is on {}", ids[i], ids[j]));
            }
        }
        if !in_own_box {
            let near = Rect { x: p.label.x - 4.0, y: p.label.y - 4.0, w: p.label.w + 8.0, h: p.label.h + 8.0 };
            for link in &s.topology.links {
                if near.crossed_by(l.pos(link.from), l.pos(link.to)) {
                    out.push(format!(
                        "the name {} is on the link {} → {}",
                        ids[i], ids[link.from as usize], ids[link.to as usize]
                    ));
                }
            }
        }
    }
    out
}

fn contains(outer: &Rect, inner: &Rect) -> bool {
    inner.x >= outer.x
        && inner.y >= outer.y
        && inner.x + inner.w <= outer.x + outer.w
        && inner.y + inner.h <= outer.y + outer.h
}

#[test]
fn every_preset_lays_out_readably_at_every_width() {
    let mut bad = Vec::new();
    for p in scalelab::presets::all() {
        let s = Scenario::from_json(p.json()).expect("a valid preset");
        for w in WIDTHS {
            let l = layout(&s, w);
            assert_eq!(l.width, w);
            for problem in problems(&s, &l) {
                bad.push(format!(
                    "{} at {w} px ({}): {problem}",
                    p.id,
                    if l.vertical { "vertical" } else { "horizontal" }
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{} problems:\n{}", bad.len(), bad.join("\n"));
}

#[test]
fn a_wide_page_runs_left_to_right_and_a_phone_top_to_bottom() {
    let s = Scenario::from_json(scalelab::families::storage::presets::CACHE_ASIDE_JSON).unwrap();
    let wide = layout(&s, 900.0);
    assert!(!wide.vertical);
    let x = |id: &str| wide.nodes[s.topology.index_of(id).unwrap() as usize].x;
    assert!(x("users") < x("lb") && x("lb") < x("app-1") && x("app-1") < x("cache"), "tiers left to right");
    for id in ["app-1", "app-2", "cache", "db"] {
        assert!(wide.nodes[s.topology.index_of(id).unwrap() as usize].show_load, "{id}: a wide box shows its load");
    }
    // Six layers of the chat design do not fit side by side on a phone.
    let chat = Scenario::from_json(scalelab::presets::by_id("chat-gateway-dies").unwrap().json()).unwrap();
    let phone = layout(&chat, 348.0);
    assert!(phone.vertical);
    let y = |id: &str| phone.nodes[chat.topology.index_of(id).unwrap() as usize].y;
    assert!(y("users") < y("lb") && y("lb") < y("gw-1"), "tiers top to bottom");
}

#[test]
#[ignore]
fn print_layout() {
    let id = std::env::var("PRESET").unwrap_or("shortener-id-strategies".into());
    let w: f64 = std::env::var("WIDTH").ok().and_then(|w| w.parse().ok()).unwrap_or(348.0);
    let s = Scenario::from_json(scalelab::presets::by_id(&id).unwrap().json()).unwrap();
    let l = layout(&s, w);
    println!("{}x{} vertical {}", l.width, l.height, l.vertical);
    for (i, p) in l.nodes.iter().enumerate() {
        println!(
            "{:16} at ({:.0},{:.0}) shape {:?} label {:?} {:?} load {}",
            s.topology.ids[i], p.x, p.y, p.shape, p.label, p.anchor, p.show_load
        );
    }
}

/// Consumers link to their broker but read from it: they are drawn after
/// it, as producers and publishers are drawn before it (Kafka and RabbitMQ).
#[test]
fn consumers_are_drawn_after_the_broker_they_read_from() {
    for (id, broker, producer, consumer) in
        [("kafka-keys", "kafka", "checkout", "billing-1"), ("rabbitmq-exchanges", "rabbit", "shop", "eu-fulfilment")]
    {
        let s = Scenario::from_json(scalelab::presets::by_id(id).unwrap().json()).unwrap();
        let wide = layout(&s, 900.0);
        let x = |n: &str| wide.nodes[s.topology.index_of(n).unwrap() as usize].x;
        assert!(x(producer) < x(broker) && x(broker) < x(consumer), "{id}: {producer} → {broker} → {consumer}");
    }
}
