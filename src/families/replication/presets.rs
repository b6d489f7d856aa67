//! The replication family's presets: scenario files in `public/presets/`,
//! embedded at build time, in gallery order ([`PRESETS`], the gallery's
//! cards), and their lessons ([`LESSONS`], handed over in `kinds::PARTS`).

use crate::families::preset::{Lesson, Preset, fetched_in_release};
use crate::lessons::{Agg, Better, Figure, Moment, Nodes, Of, Quantile, Stat, Unit};
use crate::sim::spec::FaultSpec;

/// Variant B of a preset: the database's `params` at time 0.
fn db_params(params: serde_json::Value) -> FaultSpec {
    FaultSpec { set: Some("db".into()), params: Some(params), ..Default::default() }
}
fn reads_from_replicas() -> FaultSpec {
    db_params(serde_json::json!({ "read_from": "replicas" }))
}
fn sync() -> FaultSpec {
    db_params(serde_json::json!({ "replication": "sync" }))
}
fn all_async() -> FaultSpec {
    db_params(serde_json::json!({ "replication": "async" }))
}
fn sequential() -> FaultSpec {
    db_params(serde_json::json!({ "recipe": "sequential" }))
}
fn fenced() -> FaultSpec {
    db_params(super::spec::OnPartition::CpFenced.params())
}
fn ap() -> FaultSpec {
    db_params(super::spec::OnPartition::Ap.params())
}

pub const READ_REPLICAS_JSON: &str =
    fetched_in_release!(include_str!("../../../public/presets/replication-read-replicas.json"));
pub const REPLICA_DIES_JSON: &str =
    fetched_in_release!(include_str!("../../../public/presets/replication-replica-dies.json"));
pub const SYNC_STANDBY_DIES_JSON: &str =
    fetched_in_release!(include_str!("../../../public/presets/replication-sync-standby-dies.json"));
pub const ASYNC_FAILOVER_JSON: &str =
    fetched_in_release!(include_str!("../../../public/presets/replication-async-failover.json"));
pub const SEMI_SYNC_FALLBACK_JSON: &str =
    fetched_in_release!(include_str!("../../../public/presets/replication-semi-sync-fallback.json"));

/// An electing database's last failover, from the dead primary's last
/// heartbeat to its app servers' learning the new one.
const FAILOVER: Figure = Figure {
    name: "Failover from the last heartbeat",
    of: Of::View { nodes: Nodes::Id("db"), label: "Failover ms from the last heartbeat" },
    at: Moment::Run,
    better: Better::Lower,
    unit: Unit::Ms,
};
/// Requests that ended in an error, over the run.
const REQUESTS_FAILED: Figure =
    Figure { name: "Requests failed", of: Of::Errors, at: Moment::Run, better: Better::Lower, unit: Unit::Count };
/// Keys two primaries took, each not knowing of the other.
const CONFLICTS: Figure = Figure {
    name: "Conflicts",
    of: Of::View { nodes: Nodes::Id("db"), label: "Conflicts" },
    at: Moment::Run,
    better: Better::Lower,
    unit: Unit::Count,
};

pub const ELECTION_JSON: &str = fetched_in_release!(include_str!("../../../public/presets/replication-election.json"));
pub const HERD_VS_SEQUENTIAL_JSON: &str =
    fetched_in_release!(include_str!("../../../public/presets/replication-herd-vs-sequential.json"));
pub const QUORUM_LOST_JSON: &str =
    fetched_in_release!(include_str!("../../../public/presets/replication-quorum-lost.json"));
pub const SPLIT_BRAIN_JSON: &str =
    fetched_in_release!(include_str!("../../../public/presets/replication-split-brain.json"));
pub const CAP_JSON: &str = fetched_in_release!(include_str!("../../../public/presets/replication-cap.json"));

pub const PRESETS: &[Preset] = &[
    Preset {
        id: "replication-read-replicas",
        title: "Read replicas take the read load",
        lesson: "Reads on the primary overload it; three replicas take them in milliseconds, and some come back stale.",
        icon: "R+",
        file_text: READ_REPLICAS_JSON,
        speed: 1.0,
    },
    Preset {
        id: "replication-replica-dies",
        title: "A replica dies",
        lesson: "Its reads move to the other replica, twice as busy now; nothing fails but what it held.",
        icon: "R-",
        file_text: REPLICA_DIES_JSON,
        speed: 1.0,
    },
    Preset {
        id: "replication-sync-standby-dies",
        title: "A sync standby dies: writes stop",
        lesson: "No write completes while the sync standby is down, and the writes waiting hold the app's workers; async goes on.",
        icon: "S!",
        file_text: SYNC_STANDBY_DIES_JSON,
        speed: 1.0,
    },
    Preset {
        id: "replication-async-failover",
        title: "Async failover loses writes",
        lesson: "The primary dies: the writes its replicas had not received, acknowledged to users, are lost; sync loses none.",
        icon: "A!",
        file_text: ASYNC_FAILOVER_JSON,
        speed: 1.0,
    },
    Preset {
        id: "replication-semi-sync-fallback",
        title: "Semi-sync falls back to async",
        lesson: "Its replica dies: writes wait out the 3 s timeout once, then go on async until the replica catches up.",
        icon: "½",
        file_text: SEMI_SYNC_FALLBACK_JSON,
        speed: 1.0,
    },
    Preset {
        id: "replication-election",
        title: "The primary dies: ZooKeeper elects",
        lesson: "Its session expires 3 s after its last heartbeat; the watches fire, a replica wins, the app servers follow. Writes wait, reads go on.",
        icon: "ZK",
        file_text: ELECTION_JSON,
        speed: 1.0,
    },
    Preset {
        id: "replication-herd-vs-sequential",
        title: "Herd vs sequential znodes",
        lesson: "The primary dies: all 8 herd candidates are told and rush to create /db/master; sequential znodes tell only the next in line.",
        icon: "n_",
        file_text: HERD_VS_SEQUENTIAL_JSON,
        speed: 1.0,
    },
    Preset {
        id: "replication-quorum-lost",
        title: "The ensemble loses its quorum",
        lesson: "With 2 of 5 servers up ZooKeeper serves nothing: the dead primary's session never expires and no one is elected until a third returns.",
        icon: "Q?",
        file_text: QUORUM_LOST_JSON,
        speed: 1.0,
    },
    Preset {
        id: "replication-split-brain",
        title: "Split brain without fencing",
        lesson: "Cut off with its side's app servers, the old primary takes writes after another is elected; they are lost when it learns. Fencing refuses them.",
        icon: "SB",
        file_text: SPLIT_BRAIN_JSON,
        speed: 1.0,
    },
    Preset {
        id: "replication-cap",
        title: "CAP: a partition, CP vs AP",
        lesson: "CP refuses the cut-off side's writes: requests fail, nothing conflicts. AP takes writes on both sides and merges them: none fail, keys conflict.",
        icon: "CAP",
        file_text: CAP_JSON,
        speed: 1.0,
    },
];

/// What each preset's lesson adds, in the same order: read only once the
/// preset opens, through `kinds::PARTS` (`families::lesson_of`), so a chunk
/// family's are in its chunk, not the first load.
pub const LESSONS: &[Lesson] = &[
    Lesson {
        id: "replication-read-replicas",
        compare_b: Some(reads_from_replicas),
        figures: &[
            Figure {
                name: "p99 latency",
                of: Of::Latency { q: Quantile::P99, agg: Agg::Max },
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Ms,
            },
            Figure {
                name: "Stale reads",
                of: Of::View { nodes: Nodes::Id("db"), label: "Stale reads" },
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Count,
            },
        ],
    },
    Lesson {
        id: "replication-replica-dies",
        compare_b: None,
        figures: &[
            REQUESTS_FAILED,
            Figure {
                name: "Members' utilisation after the death",
                of: Of::Sample { nodes: Nodes::Id("db"), stat: Stat::Utilisation, agg: Agg::Mean },
                at: Moment::Window { from_s: 25, to_s: 60 },
                better: Better::Lower,
                unit: Unit::Fraction,
            },
        ],
    },
    Lesson {
        id: "replication-sync-standby-dies",
        compare_b: Some(all_async),
        figures: &[Figure {
            name: "Requests the database answered per second while the standby is down",
            of: Of::Sample { nodes: Nodes::Id("db"), stat: Stat::Completed, agg: Agg::PerS },
            at: Moment::Window { from_s: 21, to_s: 39 },
            better: Better::Higher,
            unit: Unit::PerS,
        }],
    },
    Lesson {
        id: "replication-async-failover",
        compare_b: Some(sync),
        figures: &[
            Figure {
                name: "Acknowledged writes lost",
                of: Of::View { nodes: Nodes::Id("db"), label: "Lost writes" },
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Count,
            },
            Figure {
                name: "p99 latency before the failover",
                of: Of::Latency { q: Quantile::P99, agg: Agg::Max },
                at: Moment::Window { from_s: 5, to_s: 30 },
                better: Better::Lower,
                unit: Unit::Ms,
            },
        ],
    },
    Lesson {
        id: "replication-semi-sync-fallback",
        compare_b: Some(all_async),
        figures: &[
            Figure {
                name: "p99 latency as the replica dies",
                of: Of::Latency { q: Quantile::P99, agg: Agg::Max },
                at: Moment::Window { from_s: 20, to_s: 24 },
                better: Better::Lower,
                unit: Unit::Ms,
            },
            Figure {
                name: "Semi-sync fallbacks",
                of: Of::View { nodes: Nodes::Id("db"), label: "Semi-sync fallbacks" },
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Count,
            },
        ],
    },
    Lesson {
        id: "replication-election",
        compare_b: None,
        figures: &[
            FAILOVER,
            Figure {
                name: "Reads answered per second during the election",
                of: Of::Sample { nodes: Nodes::Id("db"), stat: Stat::Completed, agg: Agg::PerS },
                at: Moment::Window { from_s: 21, to_s: 23 },
                better: Better::Higher,
                unit: Unit::PerS,
            },
        ],
    },
    Lesson {
        id: "replication-herd-vs-sequential",
        compare_b: Some(sequential),
        figures: &[
            Figure {
                name: "Election notifications",
                of: Of::View { nodes: Nodes::Id("db"), label: "Election notifications" },
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Count,
            },
            FAILOVER,
        ],
    },
    Lesson { id: "replication-quorum-lost", compare_b: None, figures: &[FAILOVER, REQUESTS_FAILED] },
    Lesson {
        id: "replication-split-brain",
        compare_b: Some(fenced),
        figures: &[
            Figure {
                name: "Split-brain writes",
                of: Of::View { nodes: Nodes::Id("db"), label: "Split-brain writes" },
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Count,
            },
            CONFLICTS,
        ],
    },
    Lesson { id: "replication-cap", compare_b: Some(ap), figures: &[REQUESTS_FAILED, CONFLICTS] },
];
