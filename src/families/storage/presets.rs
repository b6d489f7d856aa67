//! The storage family's presets: scenario files in `public/presets/`,
//! embedded at build time, in gallery order ([`PRESETS`], the gallery's
//! cards), and their lessons ([`LESSONS`], handed over in `kinds::PARTS`).

use crate::families::preset::{Lesson, Preset, fetched_in_release};
use crate::lessons::{Agg, Better, Figure, Moment, Nodes, Of, Quantile, Stat, Unit};
use crate::sim::spec::FaultSpec;

/// "A slow database exhausts the app tier" compares held and freed workers.
fn app_frees_workers() -> FaultSpec {
    FaultSpec { set: Some("app".into()), hold_worker: Some(false), ..Default::default() }
}

pub const CACHE_ASIDE_JSON: &str = fetched_in_release!(include_str!("../../../public/presets/cache-aside.json"));
pub const CACHE_DIES_JSON: &str = fetched_in_release!(include_str!("../../../public/presets/cache-dies.json"));
pub const SLOW_DATABASE_JSON: &str = fetched_in_release!(include_str!("../../../public/presets/slow-database.json"));

pub const PRESETS: &[Preset] = &[
    Preset {
        id: "cache-aside",
        title: "A cache in front of the database (cache-aside)",
        lesson: "Get from the cache; on a miss read the database and set: hot keys stop reaching it.",
        icon: "$",
        file_text: CACHE_ASIDE_JSON,
        speed: 2.0,
    },
    Preset {
        id: "cache-dies",
        title: "The cache dies: the database takes the stampede",
        lesson: "Every read falls on a database sized for the misses until the cache warms up again.",
        icon: "$!",
        file_text: CACHE_DIES_JSON,
        speed: 2.0,
    },
    Preset {
        id: "slow-database",
        title: "A slow database exhausts the app tier",
        lesson: "Held workers wait on a slow database until even cache hits fail; freed workers keep hits fast.",
        icon: "DB",
        file_text: SLOW_DATABASE_JSON,
        speed: 2.0,
    },
];

/// What each preset's lesson adds, in the same order: read only once the
/// preset opens, through `kinds::PARTS` (`families::lesson_of`), so a chunk
/// family's are in its chunk, not the first load.
pub const LESSONS: &[Lesson] = &[
    Lesson {
        id: "cache-aside",
        compare_b: None,
        figures: &[Figure {
            name: "Cache hit ratio",
            of: Of::Sample { nodes: Nodes::Kind("cache"), stat: Stat::HitRatio, agg: Agg::Mean },
            at: Moment::Window { from_s: 10, to_s: 120 },
            better: Better::Higher,
            unit: Unit::Fraction,
        }],
    },
    Lesson {
        id: "cache-dies",
        compare_b: None,
        figures: &[
            Figure {
                name: "Requests turned away",
                of: Of::Errors,
                at: Moment::Window { from_s: 30, to_s: 60 },
                better: Better::Lower,
                unit: Unit::Count,
            },
            Figure {
                name: "Database utilisation",
                of: Of::Sample { nodes: Nodes::Kind("database"), stat: Stat::Utilisation, agg: Agg::Mean },
                at: Moment::Window { from_s: 35, to_s: 60 },
                better: Better::Lower,
                unit: Unit::Fraction,
            },
        ],
    },
    Lesson {
        id: "slow-database",
        compare_b: Some(app_frees_workers),
        figures: &[
            Figure {
                name: "Median latency (mostly cache hits)",
                of: Of::Latency { q: Quantile::P50, agg: Agg::Mean },
                at: Moment::Window { from_s: 25, to_s: 60 },
                better: Better::Lower,
                unit: Unit::Ms,
            },
            Figure {
                name: "Requests failed",
                of: Of::Errors,
                at: Moment::Window { from_s: 20, to_s: 60 },
                better: Better::Lower,
                unit: Unit::Count,
            },
        ],
    },
];
