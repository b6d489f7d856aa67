//! The web tier family's presets: scenario files in `public/presets/`,
//! embedded at build time, in gallery order.

use crate::presets::Preset;

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
        json: MM8_JSON,
        speed: 10.0,
        compare_b: None,
    },
    Preset {
        id: "load-balancing",
        title: "Load-balancing algorithms",
        lesson: "Eight servers of mixed capacity; when one fails, least connections sends it nearly everything until health checks take it out, then seven carry the load at their limit.",
        icon: "LB",
        json: LOAD_BALANCING_JSON,
        speed: 1.0,
        compare_b: None,
    },
    Preset {
        id: "one-queue-or-many",
        title: "One queue or many",
        lesson: "One shared queue vs eight: same load, four times the mean wait and the p99 with random routing.",
        icon: "1:N",
        json: ONE_QUEUE_OR_MANY_JSON,
        speed: 10.0,
        compare_b: None,
    },
    Preset {
        id: "one-server",
        title: "One server does everything",
        lesson: "App and database on one box: fine at 100 req/s, slow near 140, full at 180.",
        icon: "1",
        json: ONE_SERVER_JSON,
        speed: 5.0,
        compare_b: None,
    },
    Preset {
        id: "app-and-db-apart",
        title: "App and database apart",
        lesson: "Two tiers sized on their own; every request pays a hop; the database becomes the limit.",
        icon: "2",
        json: APP_AND_DB_APART_JSON,
        speed: 5.0,
        compare_b: None,
    },
    Preset {
        id: "load-balancer-app-servers",
        title: "Load balancer and many app servers",
        lesson: "Three app servers behind a balancer: one dies, its requests fail until health checks take it out, then the rest carry the load.",
        icon: "3",
        json: LB_APP_SERVERS_JSON,
        speed: 5.0,
        compare_b: None,
    },
];
