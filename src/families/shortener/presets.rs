//! The URL shortener's presets: scenario files in `public/presets/`,
//! embedded at build time, in gallery order.

use crate::presets::Preset;
use crate::sim::spec::FaultSpec;

/// A live edit of a node's own fields (`set` with `params`) at time 0.
fn params(node: &str, value: serde_json::Value) -> FaultSpec {
    FaultSpec { set: Some(node.into()), params: Some(value), ..Default::default() }
}
fn hash_to_counter() -> FaultSpec {
    params("app", serde_json::json!({"ids": {"strategy": "counter"}}))
}
fn counter_to_snowflake() -> FaultSpec {
    // The compare panel's own offer for the app (datacenter 0, worker 0: the
    // other Snowflake server is datacenter 1, worker 1).
    params("app-counter", serde_json::json!({"ids": {"strategy": "snowflake"}}))
}
fn answer_301() -> FaultSpec {
    params("app", serde_json::json!({"redirect": 301}))
}

pub const SHORTENER_JSON: &str = include_str!("../../../public/presets/shortener.json");
pub const HASH_FILLS_JSON: &str = include_str!("../../../public/presets/shortener-hash-fills.json");
pub const ID_STRATEGIES_JSON: &str = include_str!("../../../public/presets/shortener-id-strategies.json");
pub const VIRAL_JSON: &str = include_str!("../../../public/presets/shortener-viral.json");
pub const CLOCK_SKEW_JSON: &str = include_str!("../../../public/presets/shortener-clock-skew.json");
pub const COORDINATOR_DOWN_JSON: &str = include_str!("../../../public/presets/shortener-coordinator-down.json");

pub const PRESETS: &[Preset] = &[
    Preset {
        id: "shortener",
        title: "URL shortener: the whole design",
        lesson: "Writes take an id and insert a base62 code; redirects are mostly cache hits.",
        icon: "/",
        json: SHORTENER_JSON,
        speed: 1.0,
        compare_b: None,
    },
    Preset {
        id: "shortener-hash-fills",
        title: "Hashed codes as the table fills",
        lesson: "Short hashed codes collide more as the table fills; a counter's never do.",
        icon: "H3",
        json: HASH_FILLS_JSON,
        speed: 2.0,
        compare_b: Some(hash_to_counter),
    },
    Preset {
        id: "shortener-id-strategies",
        title: "Snowflake vs ranges vs one counter",
        lesson: "One auto-increment serialises every write; Snowflake and ranges do not.",
        icon: "ID",
        json: ID_STRATEGIES_JSON,
        speed: 1.0,
        compare_b: Some(counter_to_snowflake),
    },
    Preset {
        id: "shortener-viral",
        title: "A viral link, then the cache dies",
        lesson: "The cache absorbs a hot link; without it the database drowns. 301s keep repeats away.",
        icon: "!",
        json: VIRAL_JSON,
        speed: 2.0,
        compare_b: Some(answer_301),
    },
    Preset {
        id: "shortener-clock-skew",
        title: "Snowflake and a clock that steps back",
        lesson: "A Snowflake server whose clock goes back must refuse until it catches up.",
        icon: "T-",
        json: CLOCK_SKEW_JSON,
        speed: 1.0,
        compare_b: None,
    },
    Preset {
        id: "shortener-coordinator-down",
        title: "The ID coordinator goes down",
        lesson: "Leased blocks carry writes through a coordinator outage, until they run out.",
        icon: "Z!",
        json: COORDINATOR_DOWN_JSON,
        speed: 1.0,
        compare_b: None,
    },
];
