//! The resolved graph of a scenario: node ids by index, links with their
//! ends as indices, each node's outgoing links.

use super::ids::{LinkIdx, NodeIdx};
use super::time::SimTime;

/// A link with its ends resolved to node indices.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    pub from: NodeIdx,
    pub to: NodeIdx,
    pub latency_ns: SimTime,
}

/// The resolved graph: node ids by index, links, and each node's outgoing links.
#[derive(Clone, Debug, PartialEq)]
pub struct Topology {
    pub ids: Vec<String>,
    pub links: Vec<Link>,
    pub out_links: Vec<Vec<LinkIdx>>,
    /// The scenario's own nodes, present from time 0: those at or past
    /// this index are servers the timeline adds (`add_server`).
    pub n_initial_nodes: usize,
}

impl Topology {
    pub fn index_of(&self, id: &str) -> Option<NodeIdx> {
        self.ids.iter().position(|x| x == id).map(|i| i as NodeIdx)
    }

    /// A node's first outgoing link and where it goes: for producers,
    /// publishers and consumers, their broker.
    pub fn target_of(&self, node: NodeIdx) -> Option<(LinkIdx, NodeIdx)> {
        let &link = self.out_links.get(node as usize)?.first()?;
        Some((link, self.links[link as usize].to))
    }

    /// What `node` links to, in link order, as items of `nodes` (indexed
    /// as the topology's nodes are: a scenario's node specs).
    pub fn targets<'a, T>(&self, node: NodeIdx, nodes: &'a [T]) -> Vec<&'a T> {
        self.out_links[node as usize].iter().map(|&l| &nodes[self.links[l as usize].to as usize]).collect()
    }
}
