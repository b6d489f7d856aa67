//! The family's six kinds as the registry reaches them ([`OwnKind`]s,
//! through [`PARTS`]): nothing outside this folder names their types, so
//! their code sits in the family's own wasm chunk.
//!
//! Kafka's and RabbitMQ's nodes speak `"messaging"` ([`OwnKind::protocol`]):
//! they link only to each other, and take no requests.
//!
//! [`OwnKind`]: crate::sim::kind::OwnKind
//! [`OwnKind::protocol`]: crate::sim::kind::OwnKind::protocol

use super::spec::{
    KafkaClusterSpec, KafkaConsumerSpec, KafkaProducerSpec, RabbitConsumerSpec, RabbitMqSpec, RabbitPublisherSpec,
};
use super::{kafka_client, kafka_cluster, rabbitmq};
use crate::families::family::Parts;
use crate::families::offers::{self, Offer};
use crate::families::web_tier::spec::SourceParams;
use crate::sim::engine::{Node, NodeView};
use crate::sim::kind::{ChartWords, PartsOf};
use crate::sim::kind::{NodeSpec, TypedKind};
use crate::sim::spec::{Acks, FaultSpec};
use crate::sim::validate::{NodeIdx, Problems, Topology};

/// `kafka_cluster`.
pub struct Cluster;
/// `kafka_producer`.
pub struct Producer;
/// `kafka_consumer`.
pub struct Consumer;
/// `rabbitmq`.
pub struct Broker;
/// `rabbit_publisher`.
pub struct Publisher;
/// `rabbit_consumer`.
pub struct RabbitConsumer;

/// What the family's chunk hands over (`families::Chunk`).
pub static PARTS: Parts = Parts {
    kinds: &[&Cluster, &Producer, &Consumer, &Broker, &Publisher, &RabbitConsumer],
    lessons: super::presets::LESSONS,
    #[cfg(feature = "web")]
    panel: Some(super::ui::panel),
    #[cfg(feature = "web")]
    inspector: Some(super::ui::inspector),
    #[cfg(feature = "web")]
    describe: Some(super::ui::describe),
};

const MESSAGING: &str = "messaging";

impl TypedKind for Cluster {
    type Spec = KafkaClusterSpec;
    const NAME: &'static str = "kafka_cluster";
    fn id(s: &KafkaClusterSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &KafkaClusterSpec, path: &str, p: &mut Problems) {
        kafka_cluster::validate(s, path, p)
    }
    fn build(&self, s: &KafkaClusterSpec, node_specs: &[NodeSpec], idx: NodeIdx, topo: &Topology) -> Box<dyn Node> {
        Box::new(kafka_cluster::KafkaCluster::new(s, idx, topo, node_specs))
    }
    fn is_leaf_store(&self) -> bool {
        true
    }
    fn protocol(&self) -> &'static str {
        MESSAGING
    }
    fn parts(&self, s: &KafkaClusterSpec) -> Option<PartsOf> {
        Some(kafka_cluster::parts(s))
    }
    fn chart_words(&self) -> ChartWords {
        // Its samples' queue length is its consumer groups' total lag.
        ChartWords { backlog: Some("consumer lag"), ..ChartWords::default() }
    }
}

impl TypedKind for Producer {
    type Spec = KafkaProducerSpec;
    const NAME: &'static str = "kafka_producer";
    fn id(s: &KafkaProducerSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &KafkaProducerSpec, path: &str, p: &mut Problems) {
        kafka_client::validate_producer(s, path, p)
    }
    fn validate_links(&self, s: &KafkaProducerSpec, path: &str, out: &[&NodeSpec], p: &mut Problems) {
        kafka_client::validate_client_links(kafka_client::ClientSpec::Producer(s), path, out, p)
    }
    fn build(&self, s: &KafkaProducerSpec, node_specs: &[NodeSpec], idx: NodeIdx, topo: &Topology) -> Box<dyn Node> {
        Box::new(kafka_client::Producer::new(s, idx, topo, node_specs))
    }
    fn set_fields(&self, _: &KafkaProducerSpec) -> &'static [&'static str] {
        &["rate_per_s", "acks"]
    }
    /// The other acks.
    fn candidates(&self, id: &str, v: &NodeView) -> Vec<Offer> {
        let Some(p) = v.params::<kafka_client::ProducerParams>() else { return Vec::new() };
        [Acks::Leader, Acks::All, Acks::None]
            .into_iter()
            .filter(|&a| a != p.acks)
            .map(|a| {
                let change = FaultSpec { acks: Some(a), ..Default::default() };
                (format!("{id}: acks={}", p.acks.name()), format!("{id}: acks={}", a.name()), offers::set(id, change))
            })
            .collect()
    }
    fn settings(&self, v: &NodeView) -> FaultSpec {
        let Some(p) = v.params::<kafka_client::ProducerParams>() else { return FaultSpec::default() };
        FaultSpec { rate_per_s: Some(p.arrivals.rate_per_s()), acks: Some(p.acks), ..Default::default() }
    }
    fn is_source(&self) -> bool {
        true
    }
    fn protocol(&self) -> &'static str {
        MESSAGING
    }
}

impl TypedKind for Consumer {
    type Spec = KafkaConsumerSpec;
    const NAME: &'static str = "kafka_consumer";
    fn id(s: &KafkaConsumerSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &KafkaConsumerSpec, path: &str, p: &mut Problems) {
        kafka_client::validate_consumer(s, path, p)
    }
    fn validate_links(&self, s: &KafkaConsumerSpec, path: &str, out: &[&NodeSpec], p: &mut Problems) {
        kafka_client::validate_client_links(kafka_client::ClientSpec::Consumer(s), path, out, p)
    }
    fn build(&self, s: &KafkaConsumerSpec, node_specs: &[NodeSpec], idx: NodeIdx, topo: &Topology) -> Box<dyn Node> {
        Box::new(kafka_client::Consumer::new(s, idx, topo, node_specs))
    }
    fn protocol(&self) -> &'static str {
        MESSAGING
    }
}

impl TypedKind for Broker {
    type Spec = RabbitMqSpec;
    const NAME: &'static str = "rabbitmq";
    fn id(s: &RabbitMqSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &RabbitMqSpec, path: &str, p: &mut Problems) {
        rabbitmq::validate(s, path, p)
    }
    fn build(&self, s: &RabbitMqSpec, node_specs: &[NodeSpec], idx: NodeIdx, topo: &Topology) -> Box<dyn Node> {
        Box::new(rabbitmq::RabbitMq::new(s, idx, topo, node_specs))
    }
    fn is_leaf_store(&self) -> bool {
        true
    }
    fn protocol(&self) -> &'static str {
        MESSAGING
    }
    fn chart_words(&self) -> ChartWords {
        // Its samples' queue length is the messages ready in its queues.
        ChartWords { backlog: Some("ready"), ..ChartWords::default() }
    }
}

impl TypedKind for Publisher {
    type Spec = RabbitPublisherSpec;
    const NAME: &'static str = "rabbit_publisher";
    fn id(s: &RabbitPublisherSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &RabbitPublisherSpec, path: &str, p: &mut Problems) {
        rabbitmq::validate_publisher(s, path, p)
    }
    fn validate_links(&self, s: &RabbitPublisherSpec, path: &str, out: &[&NodeSpec], p: &mut Problems) {
        rabbitmq::validate_client_links(rabbitmq::ClientSpec::Publisher(s), path, out, p)
    }
    fn build(&self, s: &RabbitPublisherSpec, _: &[NodeSpec], idx: NodeIdx, topo: &Topology) -> Box<dyn Node> {
        Box::new(rabbitmq::Publisher::new(s, idx, topo))
    }
    fn set_fields(&self, _: &RabbitPublisherSpec) -> &'static [&'static str] {
        &["rate_per_s"]
    }
    fn candidates(&self, id: &str, v: &NodeView) -> Vec<Offer> {
        SourceParams::offers(id, v, "msg/s")
    }
    fn settings(&self, v: &NodeView) -> FaultSpec {
        SourceParams::settings(v)
    }
    fn is_source(&self) -> bool {
        true
    }
    fn protocol(&self) -> &'static str {
        MESSAGING
    }
}

impl TypedKind for RabbitConsumer {
    type Spec = RabbitConsumerSpec;
    const NAME: &'static str = "rabbit_consumer";
    fn id(s: &RabbitConsumerSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &RabbitConsumerSpec, path: &str, p: &mut Problems) {
        rabbitmq::validate_consumer(s, path, p)
    }
    fn validate_links(&self, s: &RabbitConsumerSpec, path: &str, out: &[&NodeSpec], p: &mut Problems) {
        rabbitmq::validate_client_links(rabbitmq::ClientSpec::Consumer(s), path, out, p)
    }
    fn build(&self, s: &RabbitConsumerSpec, _: &[NodeSpec], idx: NodeIdx, topo: &Topology) -> Box<dyn Node> {
        Box::new(rabbitmq::Consumer::new(s, idx, topo))
    }
    fn protocol(&self) -> &'static str {
        MESSAGING
    }
}

crate::split::family_chunk!(family_messaging);
