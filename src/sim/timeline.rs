//! The timeline's entries as the validator resolves them and the engine and
//! the nodes read them: what happens to which node, and when.

use serde_json::Value;

use super::ids::NodeIdx;
use super::spec::{Acks, Algorithm, Partitioning, Routing, ServiceTimeSpec};
use super::time::SimTime;

/// New parameter values for a node (a `set` entry of the timeline).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Change {
    pub rate_per_s: Option<f64>,
    pub workers: Option<u32>,
    pub service_time: Option<ServiceTimeSpec>,
    pub algorithm: Option<Algorithm>,
    pub acks: Option<Acks>,
    pub vnodes: Option<u32>,
    pub partitioning: Option<Partitioning>,
    pub routing: Option<Routing>,
    pub hold_worker: Option<bool>,
    /// A kind's own fields (`set` with `params`), checked by the node's
    /// kind (`OwnKind::check_params`); the node reads them.
    pub params: Option<Value>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Fail,
    Recover,
    /// One part of the node fails or recovers (a Kafka broker, by number).
    FailPart(u32),
    RecoverPart(u32),
    Set(Change),
    /// The node (already in the topology, absent until now) joins its balancers.
    AddServer,
    /// The node leaves every balancer and finishes what it holds.
    RemoveServer,
    /// A store's shard joins or leaves.
    Membership(Membership),
    /// These nodes (and parts of nodes) are cut off from the rest,
    /// together (`partition`).
    Partition(Cut),
    /// These join the rest again (`heal`).
    Heal(Cut),
}

/// What a `partition` or `heal` entry names: whole nodes, and parts of
/// nodes made of parts (`"db/0"`: part 0 of `db`), which their node keeps
/// apart itself (`Node::on_part_cut`, `Ctx::part_side`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cut {
    /// In the entry's order: a node, or a node's part.
    pub items: Vec<(NodeIdx, Option<u32>)>,
}

impl Cut {
    /// The whole nodes it names.
    pub fn nodes(&self) -> impl Iterator<Item = NodeIdx> + '_ {
        self.items.iter().filter(|(_, p)| p.is_none()).map(|&(n, _)| n)
    }

    /// The parts it names.
    pub fn parts(&self) -> impl Iterator<Item = (NodeIdx, u32)> + '_ {
        self.items.iter().filter_map(|&(n, p)| Some((n, p?)))
    }
}

/// One timeline entry, resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct TimedAction {
    pub at_ns: SimTime,
    pub node: NodeIdx,
    pub action: Action,
}

/// A change in the set of parts of a node made of parts (a member joins
/// with a weight, or member `n` leaves).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Membership {
    Add { weight: u32 },
    Remove(u32),
}
