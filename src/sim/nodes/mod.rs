//! The node kinds, and the one registry that validates and builds them.
//!
//! Each kind's model lives in its family's folder (`families/<family>/`);
//! adding a kind: write it there with `validate`, `validate_links` and a
//! type implementing [`Node`]; add its spec type to `spec::NodeSpec`; add
//! one arm to each function below. The engine loop does not change.

use super::families::messaging::{kafka_client, kafka_cluster, rabbitmq};
use super::families::sharding::sharded_store;
use super::families::web_tier::{client, load_balancer, server};

use super::engine::Node;
use super::spec::{NodeSpec, ScenarioSpec};
use super::validate::{NodeIdx, Problems, Topology};

/// Checks a node's own fields.
pub fn validate(spec: &NodeSpec, path: &str, p: &mut Problems) {
    match spec {
        NodeSpec::Client(s) => client::validate(s, path, p),
        NodeSpec::Server(s) => server::validate(s, path, p),
        NodeSpec::LoadBalancer(s) => load_balancer::validate(s, path, p),
        NodeSpec::KafkaCluster(s) => kafka_cluster::validate(s, path, p),
        NodeSpec::KafkaProducer(s) => kafka_client::validate_producer(s, path, p),
        NodeSpec::KafkaConsumer(s) => kafka_client::validate_consumer(s, path, p),
        NodeSpec::Rabbitmq(s) => rabbitmq::validate(s, path, p),
        NodeSpec::RabbitPublisher(s) => rabbitmq::validate_publisher(s, path, p),
        NodeSpec::RabbitConsumer(s) => rabbitmq::validate_consumer(s, path, p),
        NodeSpec::ShardedStore(s) => sharded_store::validate(s, path, p),
    }
}

/// Checks a node's links against what its kind needs.
pub fn validate_links(
    spec: &NodeSpec,
    idx: NodeIdx,
    path: &str,
    scenario: &ScenarioSpec,
    topo: &Topology,
    p: &mut Problems,
) {
    let n_in = topo.links.iter().filter(|l| l.to == idx).count();
    let out: Vec<&NodeSpec> =
        topo.out_links[idx as usize].iter().map(|&l| &scenario.nodes[topo.links[l as usize].to as usize]).collect();
    let id = spec.id();
    for target in &out {
        if target.is_source() {
            p.add(
                path,
                format!(
                    "`{id}` links to the {} `{}`; traffic flows from sources, never to them",
                    target.kind_name(),
                    target.id()
                ),
            );
        }
    }
    if spec.is_messaging() {
        for target in &out {
            if !target.is_messaging() {
                p.add(path, format!("`{id}` links to `{}`, which does not speak its protocol", target.id()));
            }
        }
    }
    match spec {
        NodeSpec::Client(_) => {
            if out.len() != 1 {
                p.add(path, format!("client `{id}` needs exactly one outgoing link (it has {})", out.len()));
            }
        }
        NodeSpec::Server(_) => {
            if !out.is_empty() {
                p.add(
                    path,
                    format!(
                        "server `{id}` must have no outgoing links (it has {}); servers answer, they do not forward",
                        out.len()
                    ),
                );
            }
        }
        NodeSpec::KafkaProducer(_) | NodeSpec::KafkaConsumer(_) => {
            kafka_client::validate_client_links(spec, path, &out, p)
        }
        NodeSpec::RabbitPublisher(_) | NodeSpec::RabbitConsumer(_) => {
            rabbitmq::validate_client_links(spec, path, &out, p)
        }
        NodeSpec::KafkaCluster(_) | NodeSpec::Rabbitmq(_) | NodeSpec::ShardedStore(_) => {
            if !out.is_empty() {
                p.add(path, format!("`{id}` must have no outgoing links; its clients link to it"));
            }
            if let NodeSpec::ShardedStore(store) = spec {
                sharded_store::validate_clients(store, idx, path, scenario, topo, p);
            }
        }
        NodeSpec::LoadBalancer(_) => {
            if out.is_empty() {
                p.add(path, format!("load balancer `{id}` needs at least one outgoing link to a backend"));
            }
            if n_in == 0 {
                p.add(path, format!("load balancer `{id}` has no incoming link, so it would get no traffic"));
            }
        }
    }
}

/// Builds the node for a validated spec.
/// `n_initial_nodes`: nodes at or past this index are added by the timeline.
pub fn build(node_specs: &[NodeSpec], idx: NodeIdx, topo: &Topology, n_initial_nodes: usize) -> Box<dyn Node> {
    match &node_specs[idx as usize] {
        NodeSpec::Client(s) => Box::new(client::Client::new(s, idx, topo)),
        NodeSpec::Server(s) => Box::new(server::Server::new(s)),
        NodeSpec::LoadBalancer(s) => {
            let weight_of = |n: NodeIdx| match &node_specs[n as usize] {
                NodeSpec::Server(server) => server.weight,
                _ => 1,
            };
            Box::new(load_balancer::LoadBalancer::new(s, idx, topo, n_initial_nodes, weight_of))
        }
        NodeSpec::KafkaCluster(s) => Box::new(kafka_cluster::KafkaCluster::new(s, idx, topo, node_specs)),
        NodeSpec::KafkaProducer(s) => Box::new(kafka_client::Producer::new(s, idx, topo, node_specs)),
        NodeSpec::KafkaConsumer(s) => Box::new(kafka_client::Consumer::new(s, idx, topo, node_specs)),
        NodeSpec::Rabbitmq(s) => Box::new(rabbitmq::RabbitMq::new(s, idx, topo, node_specs)),
        NodeSpec::RabbitPublisher(s) => Box::new(rabbitmq::Publisher::new(s, idx, topo)),
        NodeSpec::RabbitConsumer(s) => Box::new(rabbitmq::Consumer::new(s, idx, topo)),
        NodeSpec::ShardedStore(s) => Box::new(sharded_store::ShardedStore::new(s)),
    }
}
