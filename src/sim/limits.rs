//! Limits on everything a scenario (and so a share link) can set. A hostile
//! file must not be able to exhaust memory or freeze a tab.
//! (A leaf: it imports nothing.)

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;
pub const MAX_ID_CHARS: usize = 64;
pub const MAX_NODES: usize = 256;
pub const MAX_LINKS: usize = 4_096;
pub const MAX_FAULTS: usize = 1_000;
/// Longest request path, client to server, in links.
pub const MAX_HOPS: usize = 6;
pub const MAX_WORKERS: u32 = 10_000;
pub const MAX_QUEUE_CAPACITY: u64 = 10_000_000;
pub const MAX_RATE_PER_S: f64 = 1_000_000.0;
pub const MAX_COMPLETED_REQUESTS: u64 = 100_000_000;
/// 30 days of simulated time: also the horizon of a `completed_requests` run.
pub const MAX_SIM_TIME_S: f64 = 2_592_000.0;
pub const MAX_DURATION_MS: f64 = 3_600_000.0;
pub const MAX_LATENCY_MS: f64 = 60_000.0;
pub const MAX_CLIENTS: u32 = 1_000_000_000;
pub const MAX_KEYS: u64 = 1_000_000_000_000;
pub const MAX_ZIPF_EXPONENT: f64 = 10.0;
pub const MAX_CV: f64 = 20.0;
pub const MAX_WEIGHT: u32 = 1_000;
pub const MAX_VNODES: u32 = 1_000;
/// Shards a store may ever have (its first ones plus every `add_shard`).
pub const MAX_SHARDS: u32 = 64;
pub const MAX_SHARD_WEIGHT: u32 = 10;
pub const MAX_REPLICATION: u32 = 5;
/// Keys one range scan may read.
pub const MAX_RANGE_KEYS: u32 = 10_000;
const _: () = assert!(MAX_RANGE_KEYS <= u16::MAX as u32);
pub const MIN_WINDOW_S: f64 = 0.001;
pub const MAX_WINDOW_S: f64 = 3_600.0;
pub const MIN_HEALTH_INTERVAL_MS: f64 = 10.0;
pub const MAX_HEALTH_INTERVAL_MS: f64 = 60_000.0;
pub const MAX_HEALTH_THRESHOLD: u32 = 100;
pub const MAX_BROKERS: u32 = 32;
pub const MAX_TOPICS: usize = 32;
pub const MAX_PARTITIONS: u32 = 1_024;
/// Partitions of all topics of one cluster together.
pub const MAX_TOTAL_PARTITIONS: u32 = 4_096;
pub const MAX_BATCH_RECORDS: u32 = 100_000;
/// Kafka's `retries` is a Java int.
pub const MAX_RETRIES: u32 = i32::MAX as u32;
/// Records a cluster keeps in all its logs together; older records are
/// deleted, as by retention (consumers that far behind skip ahead).
pub const MAX_RETAINED_RECORDS: usize = 2_000_000;
/// Records a Kafka producer holds unacknowledged (its `buffer.memory`).
pub const MAX_PRODUCER_BUFFER: u64 = 1_000_000;
pub const MAX_EXCHANGES: usize = 64;
pub const MAX_QUEUES: usize = 256;
pub const MAX_BINDINGS: usize = 1_024;
pub const MAX_MESSAGE_KINDS: usize = 256;
pub const MAX_HEADERS: usize = 16;
/// AMQP short strings (routing keys, names) are at most 255 bytes.
pub const MAX_SHORT_STR: usize = 255;
pub const MAX_PREFETCH: u32 = 65_535;
pub const MAX_DELIVERY_LIMIT: u32 = 1_000;
/// Messages one RabbitMQ queue holds at most.
pub const MAX_QUEUE_LENGTH: u64 = 1_000_000;
/// Largest scenario text accepted, in bytes.
pub const MAX_SCENARIO_BYTES: usize = 1_000_000;
