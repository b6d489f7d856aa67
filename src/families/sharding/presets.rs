//! The sharding family's presets: scenario files in `public/presets/`,
//! embedded at build time, in gallery order ([`PRESETS`], the gallery's
//! cards), and their lessons ([`LESSONS`], handed over in `kinds::PARTS`).

use crate::families::preset::{Lesson, Preset, fetched_in_release};
use crate::lessons::{Agg, Better, Figure, Moment, Nodes, Of, Stat, Unit};
use crate::sim::spec::{FaultSpec, Partitioning};

/// Variant B of the sharding presets: one setting of the store at time 0.
fn store_modulo() -> FaultSpec {
    FaultSpec { set: Some("store".into()), partitioning: Some(Partitioning::Modulo), ..Default::default() }
}
fn store_hash() -> FaultSpec {
    FaultSpec { set: Some("store".into()), partitioning: Some(Partitioning::Hash), ..Default::default() }
}
fn store_1000_vnodes() -> FaultSpec {
    FaultSpec { set: Some("store".into()), vnodes: Some(1000), ..Default::default() }
}

pub const HASH_VS_MODULO_JSON: &str = fetched_in_release!(include_str!("../../../public/presets/hash-vs-modulo.json"));
pub const VIRTUAL_NODES_JSON: &str = fetched_in_release!(include_str!("../../../public/presets/virtual-nodes.json"));
pub const HOT_KEY_JSON: &str = fetched_in_release!(include_str!("../../../public/presets/hot-key.json"));
pub const RANGE_VS_HASH_JSON: &str = fetched_in_release!(include_str!("../../../public/presets/range-vs-hash.json"));
pub const ADD_SHARD_JSON: &str = fetched_in_release!(include_str!("../../../public/presets/add-shard.json"));

pub const PRESETS: &[Preset] = &[
    Preset {
        id: "hash-vs-modulo",
        title: "Consistent hashing vs modulo",
        lesson: "A shard joins: the ring moves about 1/(n+1) of the keys, hash mod n most of them.",
        icon: "#",
        file_text: HASH_VS_MODULO_JSON,
        speed: 1.0,
    },
    Preset {
        id: "virtual-nodes",
        title: "Virtual nodes and balance",
        lesson: "One ring point per shard is lopsided; 100 even out the load.",
        icon: "V",
        file_text: VIRTUAL_NODES_JSON,
        speed: 1.0,
    },
    Preset {
        id: "hot-key",
        title: "A hot key",
        lesson: "Zipf keys make one shard hot, and more virtual nodes do not help.",
        icon: "H",
        file_text: HOT_KEY_JSON,
        speed: 1.0,
    },
    Preset {
        id: "range-vs-hash",
        title: "Range vs hash partitioning",
        lesson: "Ranges keep a scan on one shard but make hot ranges; hashing spreads load, scans ask every shard.",
        icon: "R/H",
        file_text: RANGE_VS_HASH_JSON,
        speed: 1.0,
    },
    Preset {
        id: "add-shard",
        title: "Adding a shard under load",
        lesson: "A fifth shard takes a fifth of the keys; then a replica fails and reads carry on.",
        icon: "+S",
        file_text: ADD_SHARD_JSON,
        speed: 1.0,
    },
];

/// What each preset's lesson adds, in the same order: read only once the
/// preset opens, through `kinds::PARTS` (`families::lesson_of`), so a chunk
/// family's are in its chunk, not the first load.
pub const LESSONS: &[Lesson] = &[
    Lesson {
        id: "hash-vs-modulo",
        compare_b: Some(store_modulo),
        figures: &[Figure {
            name: "Keys moved by the shard's arrival",
            of: Of::View { nodes: Nodes::Kind("sharded_store"), label: "Keys moved by the last change %" },
            at: Moment::Run,
            better: Better::Lower,
            unit: Unit::Percent,
        }],
    },
    Lesson {
        id: "virtual-nodes",
        compare_b: None,
        figures: &[Figure {
            name: "Busiest shard's load over the mean",
            of: Of::View { nodes: Nodes::Kind("sharded_store"), label: "Load max/mean" },
            at: Moment::Run,
            better: Better::Lower,
            unit: Unit::Ratio,
        }],
    },
    Lesson {
        id: "hot-key",
        compare_b: Some(store_1000_vnodes),
        figures: &[Figure {
            name: "Hot shard's load over the mean",
            of: Of::View { nodes: Nodes::Kind("sharded_store"), label: "Load max/mean" },
            at: Moment::Run,
            better: Better::Lower,
            unit: Unit::Ratio,
        }],
    },
    Lesson {
        id: "range-vs-hash",
        compare_b: Some(store_hash),
        figures: &[
            Figure {
                name: "Shards a range scan asks",
                of: Of::View { nodes: Nodes::Kind("sharded_store"), label: "Shards per range scan" },
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Ratio,
            },
            Figure {
                name: "Busiest shard's load over the mean",
                of: Of::View { nodes: Nodes::Kind("sharded_store"), label: "Load max/mean" },
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Ratio,
            },
        ],
    },
    Lesson {
        id: "add-shard",
        compare_b: None,
        figures: &[
            Figure {
                name: "Keys moved by the shard's arrival",
                of: Of::View { nodes: Nodes::Kind("sharded_store"), label: "Keys moved by the last change %" },
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Percent,
            },
            Figure {
                name: "Requests failed while shard-1 is down",
                of: Of::Errors,
                at: Moment::Window { from_s: 40, to_s: 50 },
                better: Better::Lower,
                unit: Unit::Count,
            },
            Figure {
                name: "Shards' utilisation with five",
                of: Of::Sample { nodes: Nodes::Kind("sharded_store"), stat: Stat::Utilisation, agg: Agg::Mean },
                at: Moment::Window { from_s: 25, to_s: 40 },
                better: Better::Lower,
                unit: Unit::Fraction,
            },
        ],
    },
];
