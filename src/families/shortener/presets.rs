//! The URL shortener's presets: scenario files in `public/presets/`,
//! embedded at build time, in gallery order ([`PRESETS`], the gallery's
//! cards), and their lessons ([`LESSONS`], handed over in `kinds::PARTS`).

use crate::families::preset::{Lesson, Preset, fetched_in_release};
use crate::lessons::{Agg, Better, Figure, Moment, Nodes, Of, Stat, Unit};
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

pub const SHORTENER_JSON: &str = fetched_in_release!(include_str!("../../../public/presets/shortener.json"));
pub const HASH_FILLS_JSON: &str =
    fetched_in_release!(include_str!("../../../public/presets/shortener-hash-fills.json"));
pub const ID_STRATEGIES_JSON: &str =
    fetched_in_release!(include_str!("../../../public/presets/shortener-id-strategies.json"));
pub const VIRAL_JSON: &str = fetched_in_release!(include_str!("../../../public/presets/shortener-viral.json"));
pub const CLOCK_SKEW_JSON: &str =
    fetched_in_release!(include_str!("../../../public/presets/shortener-clock-skew.json"));
pub const COORDINATOR_DOWN_JSON: &str =
    fetched_in_release!(include_str!("../../../public/presets/shortener-coordinator-down.json"));

pub const PRESETS: &[Preset] = &[
    Preset {
        id: "shortener",
        title: "URL shortener: the whole design",
        lesson: "Writes take an id and insert a base62 code; redirects are mostly cache hits.",
        icon: "/",
        file_text: SHORTENER_JSON,
        speed: 1.0,
    },
    Preset {
        id: "shortener-hash-fills",
        title: "Hashed codes as the table fills",
        lesson: "Short hashed codes collide more as the table fills; a counter's never do.",
        icon: "H3",
        file_text: HASH_FILLS_JSON,
        speed: 2.0,
    },
    Preset {
        id: "shortener-id-strategies",
        title: "Snowflake vs ranges vs one counter",
        lesson: "One auto-increment serialises every write; Snowflake and ranges do not.",
        icon: "ID",
        file_text: ID_STRATEGIES_JSON,
        speed: 1.0,
    },
    Preset {
        id: "shortener-viral",
        title: "A viral link, then the cache dies",
        lesson: "The cache absorbs a hot link; without it the database drowns. 301s keep repeats away.",
        icon: "!",
        file_text: VIRAL_JSON,
        speed: 2.0,
    },
    Preset {
        id: "shortener-clock-skew",
        title: "Snowflake and a clock that steps back",
        lesson: "A Snowflake server whose clock goes back must refuse until it catches up.",
        icon: "T-",
        file_text: CLOCK_SKEW_JSON,
        speed: 1.0,
    },
    Preset {
        id: "shortener-coordinator-down",
        title: "The ID coordinator goes down",
        lesson: "Leased blocks carry writes through a coordinator outage, until they run out.",
        icon: "Z!",
        file_text: COORDINATOR_DOWN_JSON,
        speed: 1.0,
    },
];

/// What each preset's lesson adds, in the same order: read only once the
/// preset opens, through `kinds::PARTS` (`families::lesson_of`), so a chunk
/// family's are in its chunk, not the first load.
pub const LESSONS: &[Lesson] = &[
    Lesson {
        id: "shortener",
        compare_b: None,
        figures: &[
            Figure {
                name: "Redirects served by the cache",
                // The cache is the one node that reports a hit ratio.
                of: Of::Sample { nodes: Nodes::All, stat: Stat::HitRatio, agg: Agg::Mean },
                at: Moment::Window { from_s: 10, to_s: 120 },
                better: Better::Higher,
                unit: Unit::Fraction,
            },
            Figure {
                name: "Writes failed",
                of: Of::View { nodes: Nodes::Kind("url_app"), label: "Writes failed" },
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Count,
            },
        ],
    },
    Lesson {
        id: "shortener-hash-fills",
        compare_b: Some(hash_to_counter),
        figures: &[Figure {
            name: "Hash collisions",
            of: Of::View { nodes: Nodes::Kind("url_app"), label: "Hash collisions" },
            at: Moment::Run,
            better: Better::Lower,
            unit: Unit::Count,
        }],
    },
    Lesson {
        id: "shortener-id-strategies",
        compare_b: Some(counter_to_snowflake),
        figures: &[Figure {
            name: "Writes app-counter completes",
            of: Of::Sample { nodes: Nodes::Id("app-counter"), stat: Stat::Completed, agg: Agg::PerS },
            at: Moment::Run,
            better: Better::Higher,
            unit: Unit::PerS,
        }],
    },
    Lesson {
        id: "shortener-viral",
        compare_b: Some(answer_301),
        figures: &[
            Figure {
                name: "Requests failed while the cache is down",
                of: Of::Errors,
                at: Moment::Window { from_s: 70, to_s: 90 },
                better: Better::Lower,
                unit: Unit::Count,
            },
            Figure {
                name: "Database utilisation during the viral link",
                of: Of::Sample { nodes: Nodes::Kind("url_db"), stat: Stat::Utilisation, agg: Agg::Mean },
                at: Moment::Window { from_s: 25, to_s: 70 },
                better: Better::Lower,
                unit: Unit::Fraction,
            },
        ],
    },
    Lesson {
        id: "shortener-clock-skew",
        compare_b: None,
        figures: &[Figure {
            name: "Writes refused while the clock is behind",
            of: Of::View { nodes: Nodes::Kind("url_app"), label: "Clock refusals" },
            at: Moment::Run,
            better: Better::Lower,
            unit: Unit::Count,
        }],
    },
    Lesson {
        id: "shortener-coordinator-down",
        compare_b: None,
        figures: &[Figure {
            name: "Writes refused for want of a block",
            of: Of::View { nodes: Nodes::Kind("url_app"), label: "Refused: no block" },
            at: Moment::Run,
            better: Better::Lower,
            unit: Unit::Count,
        }],
    },
];
