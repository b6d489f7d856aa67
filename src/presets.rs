//! The preset scenarios: one registry that the gallery, the CLI and the tests
//! all iterate over. Each preset is a scenario file in `public/presets/`,
//! embedded at build time.

pub struct Preset {
    /// Stable id, used in URLs and on the command line.
    pub id: &'static str,
    /// Gallery title.
    pub title: &'static str,
    /// One line on what you will learn.
    pub lesson: &'static str,
    /// A single emoji-free glyph for the gallery card.
    pub icon: &'static str,
    /// The scenario, format v1.
    pub json: &'static str,
    /// The playback speed it opens at (simulated seconds per wall second).
    pub speed: f64,
    /// Opens as an A/B comparison: variant B is the scenario plus this edit at time 0.
    pub compare_b: Option<fn() -> FaultSpec>,
}

use crate::sim::spec::{Acks, FaultSpec, Partitioning};

/// "Kafka: a broker dies" compares its producer's acks=1 with acks=all.
fn acks_all() -> FaultSpec {
    FaultSpec { set: Some("api".into()), acks: Some(Acks::All), ..Default::default() }
}

/// "A slow database exhausts the app tier" compares held and freed workers.
fn app_frees_workers() -> FaultSpec {
    FaultSpec { set: Some("app".into()), hold_worker: Some(false), ..Default::default() }
}

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

pub const MM8_JSON: &str = include_str!("../public/presets/mm8.json");
pub const LOAD_BALANCING_JSON: &str = include_str!("../public/presets/load-balancing.json");
pub const ONE_QUEUE_OR_MANY_JSON: &str = include_str!("../public/presets/one-queue-or-many.json");
pub const KAFKA_KEYS_JSON: &str = include_str!("../public/presets/kafka-keys.json");
pub const KAFKA_BROKER_DIES_JSON: &str = include_str!("../public/presets/kafka-broker-dies.json");
pub const KAFKA_CONSUMER_DIES_JSON: &str = include_str!("../public/presets/kafka-consumer-dies.json");
pub const RABBITMQ_EXCHANGES_JSON: &str = include_str!("../public/presets/rabbitmq-exchanges.json");
pub const RABBITMQ_DEAD_LETTERS_JSON: &str = include_str!("../public/presets/rabbitmq-dead-letters.json");
pub const POINT_TO_POINT_JSON: &str = include_str!("../public/presets/point-to-point-vs-pubsub.json");
pub const HASH_VS_MODULO_JSON: &str = include_str!("../public/presets/hash-vs-modulo.json");
pub const VIRTUAL_NODES_JSON: &str = include_str!("../public/presets/virtual-nodes.json");
pub const HOT_KEY_JSON: &str = include_str!("../public/presets/hot-key.json");
pub const RANGE_VS_HASH_JSON: &str = include_str!("../public/presets/range-vs-hash.json");
pub const ADD_SHARD_JSON: &str = include_str!("../public/presets/add-shard.json");
pub const ONE_SERVER_JSON: &str = include_str!("../public/presets/one-server.json");
pub const APP_AND_DB_APART_JSON: &str = include_str!("../public/presets/app-and-db-apart.json");
pub const LB_APP_SERVERS_JSON: &str = include_str!("../public/presets/load-balancer-app-servers.json");
pub const CACHE_ASIDE_JSON: &str = include_str!("../public/presets/cache-aside.json");
pub const CACHE_DIES_JSON: &str = include_str!("../public/presets/cache-dies.json");
pub const SLOW_DATABASE_JSON: &str = include_str!("../public/presets/slow-database.json");

pub const ALL: &[Preset] = &[
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
        lesson: "Eight servers of mixed capacity; switch algorithm live; one fails at 30 s.",
        icon: "LB",
        json: LOAD_BALANCING_JSON,
        speed: 1.0,
        compare_b: None,
    },
    Preset {
        id: "one-queue-or-many",
        title: "One queue or many",
        lesson: "One shared queue vs eight: same load, very different p99.",
        icon: "1:N",
        json: ONE_QUEUE_OR_MANY_JSON,
        speed: 10.0,
        compare_b: None,
    },
    Preset {
        id: "kafka-keys",
        title: "Kafka: keys, partitions and consumer groups",
        lesson: "murmur2(key) % partitions; two groups read independently; joins and leaves rebalance.",
        icon: "K",
        json: KAFKA_KEYS_JSON,
        speed: 1.0,
        compare_b: None,
    },
    Preset {
        id: "kafka-broker-dies",
        title: "Kafka: a broker dies",
        lesson: "acks=1 loses what followers had not fetched; compare with acks=all.",
        icon: "K!",
        json: KAFKA_BROKER_DIES_JSON,
        speed: 1.0,
        compare_b: Some(acks_all),
    },
    Preset {
        id: "kafka-consumer-dies",
        title: "Kafka: a consumer dies before committing",
        lesson: "At-least-once: uncommitted work is redone after the rebalance.",
        icon: "K?",
        json: KAFKA_CONSUMER_DIES_JSON,
        speed: 1.0,
        compare_b: None,
    },
    Preset {
        id: "rabbitmq-exchanges",
        title: "RabbitMQ: direct, fanout and topic exchanges",
        lesson: "Routing keys against bindings: * one word, # zero or more.",
        icon: "R",
        json: RABBITMQ_EXCHANGES_JSON,
        speed: 1.0,
        compare_b: None,
    },
    Preset {
        id: "rabbitmq-dead-letters",
        title: "RabbitMQ: retries and dead letters",
        lesson: "Nack and requeue, a delivery limit, TTL, and a dead-letter exchange.",
        icon: "R!",
        json: RABBITMQ_DEAD_LETTERS_JSON,
        speed: 1.0,
        compare_b: None,
    },
    Preset {
        id: "point-to-point-vs-pubsub",
        title: "Point-to-point vs publish-subscribe",
        lesson: "Competing consumers share a queue; subscribers each get a copy.",
        icon: "P/S",
        json: POINT_TO_POINT_JSON,
        speed: 1.0,
        compare_b: None,
    },
    Preset {
        id: "hash-vs-modulo",
        title: "Consistent hashing vs modulo",
        lesson: "A shard joins: the ring moves about 1/(n+1) of the keys, hash mod n most of them.",
        icon: "#",
        json: HASH_VS_MODULO_JSON,
        speed: 1.0,
        compare_b: Some(store_modulo),
    },
    Preset {
        id: "virtual-nodes",
        title: "Virtual nodes and balance",
        lesson: "One ring point per shard is lopsided; 100 even out the load.",
        icon: "V",
        json: VIRTUAL_NODES_JSON,
        speed: 1.0,
        compare_b: None,
    },
    Preset {
        id: "hot-key",
        title: "A hot key",
        lesson: "Zipf keys make one shard hot, and more virtual nodes do not help.",
        icon: "H",
        json: HOT_KEY_JSON,
        speed: 1.0,
        compare_b: Some(store_1000_vnodes),
    },
    Preset {
        id: "range-vs-hash",
        title: "Range vs hash partitioning",
        lesson: "Ranges keep a scan on one shard but make hot ranges; hashing spreads load, scans ask every shard.",
        icon: "R/H",
        json: RANGE_VS_HASH_JSON,
        speed: 1.0,
        compare_b: Some(store_hash),
    },
    Preset {
        id: "add-shard",
        title: "Adding a shard under load",
        lesson: "A fifth shard takes a fifth of the keys; then a replica fails and reads carry on.",
        icon: "+S",
        json: ADD_SHARD_JSON,
        speed: 1.0,
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
        lesson: "Three app servers behind a balancer: one dies and the rest carry the load.",
        icon: "3",
        json: LB_APP_SERVERS_JSON,
        speed: 5.0,
        compare_b: None,
    },
    Preset {
        id: "cache-aside",
        title: "A cache in front of the database (cache-aside)",
        lesson: "Get from the cache; on a miss read the database and set: hot keys stop reaching it.",
        icon: "$",
        json: CACHE_ASIDE_JSON,
        speed: 2.0,
        compare_b: None,
    },
    Preset {
        id: "cache-dies",
        title: "The cache dies: the database takes the stampede",
        lesson: "Every read falls on a database sized for the misses until the cache warms up again.",
        icon: "$!",
        json: CACHE_DIES_JSON,
        speed: 2.0,
        compare_b: None,
    },
    Preset {
        id: "slow-database",
        title: "A slow database exhausts the app tier",
        lesson: "Held workers wait on a slow database until even cache hits fail; freed workers keep hits fast.",
        icon: "DB",
        json: SLOW_DATABASE_JSON,
        speed: 2.0,
        compare_b: Some(app_frees_workers),
    },
];

pub fn by_id(id: &str) -> Option<&'static Preset> {
    ALL.iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_and_ids_are_unique() {
        for (i, p) in ALL.iter().enumerate() {
            let s = crate::Scenario::from_json(p.json).unwrap_or_else(|e| panic!("preset {}: {e}", p.id));
            if let Some(b) = p.compare_b {
                s.with_entry(b()).unwrap_or_else(|e| panic!("preset {} variant B: {e}", p.id));
            }
            assert!(ALL[..i].iter().all(|q| q.id != p.id), "duplicate id {}", p.id);
        }
    }
}
