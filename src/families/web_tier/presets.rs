//! The web tier family's presets: scenario files in `public/presets/`,
//! embedded at build time, in gallery order ([`PRESETS`], the gallery's
//! cards), and their lessons ([`LESSONS`], handed over in `kinds::PARTS`).

use crate::families::preset::{Lesson, Preset};
use crate::lessons::{Agg, Better, Figure, Moment, Nodes, Of, Quantile, Stat, Unit};

pub const MM8_JSON: &str = include_str!("../../../public/presets/mm8.json");
pub const LOAD_BALANCING_JSON: &str = include_str!("../../../public/presets/load-balancing.json");
pub const ONE_QUEUE_OR_MANY_JSON: &str = include_str!("../../../public/presets/one-queue-or-many.json");
pub const ONE_SERVER_JSON: &str = include_str!("../../../public/presets/one-server.json");
pub const APP_AND_DB_APART_JSON: &str = include_str!("../../../public/presets/app-and-db-apart.json");
pub const LB_APP_SERVERS_JSON: &str = include_str!("../../../public/presets/load-balancer-app-servers.json");

pub const PRESETS: &[Preset] = &[
    Preset {
        id: "queueing-basics",
        title: "Queueing basics: why p99 explodes near saturation",
        lesson: "An M/M/8 pool: drag utilisation, watch p99 against Erlang C.",
        icon: "Q",
        file_text: MM8_JSON,
        speed: 10.0,
    },
    Preset {
        id: "load-balancing",
        title: "Load-balancing algorithms",
        lesson: "Eight servers of mixed capacity; when one fails, least connections sends it nearly everything until health checks take it out, then seven carry the load at their limit.",
        icon: "LB",
        file_text: LOAD_BALANCING_JSON,
        speed: 1.0,
    },
    Preset {
        id: "one-queue-or-many",
        title: "One queue or many",
        lesson: "One shared queue vs eight: same load, four times the mean wait and the p99 with random routing.",
        icon: "1:N",
        file_text: ONE_QUEUE_OR_MANY_JSON,
        speed: 10.0,
    },
    Preset {
        id: "one-server",
        title: "One server does everything",
        lesson: "App and database on one box: fine at 100 req/s, slow near 140, full at 180.",
        icon: "1",
        file_text: ONE_SERVER_JSON,
        speed: 5.0,
    },
    Preset {
        id: "app-and-db-apart",
        title: "App and database apart",
        lesson: "Two tiers sized on their own; every request pays a hop; the database becomes the limit.",
        icon: "2",
        file_text: APP_AND_DB_APART_JSON,
        speed: 5.0,
    },
    Preset {
        id: "load-balancer-app-servers",
        title: "Load balancer and many app servers",
        lesson: "Three app servers behind a balancer: one dies, its requests fail until health checks take it out, then the rest carry the load.",
        icon: "3",
        file_text: LB_APP_SERVERS_JSON,
        speed: 5.0,
    },
];

/// What each preset's lesson adds, in the same order: read only once the
/// preset opens, through `kinds::PARTS` (`families::lesson_of`), so a chunk
/// family's are in its chunk, not the first load.
pub const LESSONS: &[Lesson] = &[
    Lesson {
        id: "queueing-basics",
        compare_b: None,
        figures: &[Figure {
            name: "p99 latency",
            of: Of::Latency { q: Quantile::P99, agg: Agg::Mean },
            at: Moment::Run,
            better: Better::Lower,
            unit: Unit::Ms,
        }],
    },
    Lesson {
        id: "load-balancing",
        compare_b: None,
        figures: &[
            Figure {
                name: "Requests failed as app-2 dies",
                of: Of::Errors,
                at: Moment::Window { from_s: 30, to_s: 35 },
                better: Better::Lower,
                unit: Unit::Count,
            },
            Figure {
                name: "Requests served by the other seven",
                of: Of::Throughput,
                at: Moment::Window { from_s: 35, to_s: 60 },
                better: Better::Higher,
                unit: Unit::PerS,
            },
            Figure {
                name: "p99 latency without app-2",
                of: Of::Latency { q: Quantile::P99, agg: Agg::Mean },
                at: Moment::Window { from_s: 50, to_s: 60 },
                better: Better::Lower,
                unit: Unit::Ms,
            },
        ],
    },
    Lesson {
        id: "one-queue-or-many",
        compare_b: None,
        figures: &[
            Figure {
                name: "Mean latency with one shared queue",
                of: Of::Sample { nodes: Nodes::Id("users-pooled"), stat: Stat::MeanMs, agg: Agg::Mean },
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Ms,
            },
            Figure {
                name: "Mean latency with random routing to eight queues",
                of: Of::Sample { nodes: Nodes::Id("users-random"), stat: Stat::MeanMs, agg: Agg::Mean },
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Ms,
            },
            Figure {
                name: "Mean latency with least connections to eight queues",
                of: Of::Sample { nodes: Nodes::Id("users-lc"), stat: Stat::MeanMs, agg: Agg::Mean },
                at: Moment::Run,
                better: Better::Lower,
                unit: Unit::Ms,
            },
        ],
    },
    Lesson {
        id: "one-server",
        compare_b: None,
        figures: &[
            Figure {
                name: "Median latency at 100 req/s",
                of: Of::Latency { q: Quantile::P50, agg: Agg::Mean },
                at: Moment::Window { from_s: 5, to_s: 60 },
                better: Better::Lower,
                unit: Unit::Ms,
            },
            Figure {
                name: "Median latency at 140 req/s",
                of: Of::Latency { q: Quantile::P50, agg: Agg::Mean },
                at: Moment::Window { from_s: 65, to_s: 120 },
                better: Better::Lower,
                unit: Unit::Ms,
            },
            Figure {
                name: "Requests turned away at 180 req/s",
                of: Of::Errors,
                at: Moment::Window { from_s: 120, to_s: 180 },
                better: Better::Lower,
                unit: Unit::Count,
            },
        ],
    },
    Lesson {
        id: "app-and-db-apart",
        compare_b: None,
        figures: &[
            Figure {
                name: "Database utilisation at 400 req/s",
                of: Of::Sample { nodes: Nodes::Id("db"), stat: Stat::Utilisation, agg: Agg::Mean },
                at: Moment::Window { from_s: 125, to_s: 180 },
                better: Better::Lower,
                unit: Unit::Fraction,
            },
            Figure {
                name: "Requests served at 400 req/s",
                of: Of::Throughput,
                at: Moment::Window { from_s: 125, to_s: 180 },
                better: Better::Higher,
                unit: Unit::PerS,
            },
        ],
    },
    Lesson {
        id: "load-balancer-app-servers",
        compare_b: None,
        figures: &[
            Figure {
                name: "Requests failed while app-2 is down",
                of: Of::Errors,
                at: Moment::Window { from_s: 60, to_s: 90 },
                better: Better::Lower,
                unit: Unit::Count,
            },
            Figure {
                name: "Requests served by the other two",
                of: Of::Throughput,
                at: Moment::Window { from_s: 63, to_s: 90 },
                better: Better::Higher,
                unit: Unit::PerS,
            },
            Figure {
                name: "App servers' utilisation at 900 req/s",
                of: Of::Sample { nodes: Nodes::Kind("server"), stat: Stat::Utilisation, agg: Agg::Mean },
                at: Moment::Window { from_s: 125, to_s: 180 },
                better: Better::Lower,
                unit: Unit::Fraction,
            },
        ],
    },
];
