//! Messaging: Kafka (a cluster of brokers with replicated partition logs,
//! producers, consumer groups) and RabbitMQ (exchanges, queues, publishers,
//! consumers), with the real systems' own algorithms: Kafka's partitioner
//! and assignors (`kafka`), RabbitMQ's topic matching (`topic`).

pub mod kafka;
pub mod kafka_client;
pub mod kafka_cluster;
pub mod kinds;
pub mod presets;
pub mod rabbitmq;
pub mod spec;
pub mod topic;
#[cfg(feature = "web")]
pub mod ui;

pub const FAMILY: super::family::Family = super::family::Family {
    id: "messaging",
    title: "Messaging",
    kinds: &["kafka_cluster", "kafka_producer", "kafka_consumer", "rabbitmq", "rabbit_publisher", "rabbit_consumer"],
    presets: presets::PRESETS,
    // Its kinds, panel and tooltips come from its chunk.
    code: super::family::Code::Chunk(kinds::chunk),
    glyphs: &[
        ("kafka_producer", super::family::Glyph::Circle("P")),
        ("rabbit_publisher", super::family::Glyph::Circle("P")),
        ("kafka_cluster", super::family::Glyph::Broker),
        ("rabbitmq", super::family::Glyph::Broker),
    ],
    #[cfg(feature = "web")]
    panel_in_embed: false,
    #[cfg(feature = "web")]
    editors: None,
};
