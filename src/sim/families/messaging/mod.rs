//! Messaging: Kafka (a cluster of brokers with replicated partition logs,
//! producers, consumer groups) and RabbitMQ (exchanges, queues, publishers,
//! consumers), with the real systems' own algorithms: Kafka's partitioner
//! and assignors (`kafka`), RabbitMQ's topic matching (`topic`).

pub mod kafka;
pub mod kafka_client;
pub mod kafka_cluster;
pub mod rabbitmq;
pub mod topic;
