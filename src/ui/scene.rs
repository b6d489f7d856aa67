//! `Scene`: everything the page shows of one scenario's nodes, built in one
//! step whenever the scenario or its set of nodes changes.
//!
//! ```text
//!   Lab::load / an edit that adds a node ──► Scene::new(sim)   (generation g)
//!        │  ids, kinds, links, layout, the scenario: fixed for the scene
//!        │  one cell per node, the message dots, the recent publishes:
//!        ▼  written by Lab::refresh every frame (only when they change)
//!   views built for scene g hold an Arc<Scene> and read only its cells
//! ```
//!
//! Why: a node index (`NodeIdx`) means something only within one scenario.
//! A view built for an old scenario may still run once before Leptos
//! disposes of it (child effects can run before their parent re-renders);
//! if it read the app's current data by index, a switch to a scenario with
//! fewer nodes would index past the end. Here no per-node value ever leaves
//! its scene: a view reads the cells of the scene it was built for, which
//! stop changing once the scene is replaced, so a stale view sees its own
//! scenario's last state and never another's.

use std::sync::Arc;

use leptos::prelude::*;

use crate::sim::Simulation;
use crate::sim::engine::NodeView;
use crate::sim::metrics::NodeSample;
use crate::sim::trace::MsgKind;
use crate::sim::validate::{NodeIdx, Scenario};

/// A message drawn between two nodes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dot {
    pub from: NodeIdx,
    pub to: NodeIdx,
    /// 0 at the sender, 1 at the receiver.
    pub progress: f32,
    pub kind: MsgKind,
    /// A record's key or routing-key number (colours messaging dots).
    pub key: u32,
}

/// A record or message a producer or publisher sent recently (the list you
/// click to see why it went where it went).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Publish {
    pub msg_id: u64,
    pub from: NodeIdx,
    pub key: u32,
    pub sent_ns: u64,
}

/// How many recent publishes a frame lists.
pub const RECENT_PUBLISHES: usize = 8;

/// One node as a frame shows it: its view and its latest window's figures.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Live {
    pub view: NodeView,
    /// The latest closed window of the node's time series.
    pub sample: NodeSample,
}

/// The moving parts of a frame that name nodes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Motion {
    pub dots: Vec<Dot>,
    /// Newest first.
    pub recent: Vec<Publish>,
}

pub struct Scene {
    /// Counts scenes since the page opened: views keyed by it are rebuilt
    /// when it changes.
    pub generation: u64,
    /// The scenario as it was when the scene was built (node specs and
    /// topology do not change without a new scene).
    pub scenario: Arc<Scenario>,
    pub kinds: Vec<&'static str>,
    pub links: Vec<(NodeIdx, NodeIdx)>,
    /// One cell per node, in node order.
    pub nodes: Vec<ArcRwSignal<Live>>,
    pub motion: ArcRwSignal<Motion>,
}

impl PartialEq for Scene {
    fn eq(&self, other: &Self) -> bool {
        self.generation == other.generation
    }
}

impl Scene {
    pub fn new(sim: &Simulation, generation: u64) -> Scene {
        let scenario = sim.scenario();
        let nodes = (0..scenario.topology.ids.len()).map(|i| ArcRwSignal::new(live(sim, i as NodeIdx))).collect();
        Scene {
            generation,
            kinds: scenario.node_specs.iter().map(|n| n.kind_name()).collect(),
            links: scenario.topology.links.iter().map(|l| (l.from, l.to)).collect(),
            scenario: Arc::new(scenario.clone()),
            nodes,
            motion: ArcRwSignal::new(Motion::default()),
        }
    }

    /// Whether `sim` still has this scene's nodes.
    pub fn fits(&self, sim: &Simulation) -> bool {
        sim.scenario().topology.ids.len() == self.nodes.len()
    }

    pub fn ids(&self) -> &[String] {
        &self.scenario.topology.ids
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The id and cell of every node of `kind`, in node order (what a
    /// family's panel draws), each cell as a `Copy` handle owned by the
    /// calling view.
    pub fn cells_of(&self, kind: &str) -> Vec<(String, RwSignal<Live>)> {
        (0..self.nodes.len())
            .filter(|&i| self.kinds[i] == kind)
            .map(|i| (self.ids()[i].clone(), RwSignal::from(self.nodes[i].clone())))
            .collect()
    }

    /// The cell of node `i`, if this scene has such a node (for an index a
    /// person chose, such as the selection, which may outlive a scene).
    pub fn cell(&self, i: NodeIdx) -> Option<ArcRwSignal<Live>> {
        self.nodes.get(i as usize).cloned()
    }

    /// Writes a frame's values into the cells; a cell whose value did not
    /// change is not written, so its views do not re-render.
    pub fn update(&self, sim: &Simulation, motion: Motion) {
        for (i, cell) in self.nodes.iter().enumerate() {
            let next = live(sim, i as NodeIdx);
            if cell.with_untracked(|now| *now != next) {
                cell.set(next);
            }
        }
        if self.motion.with_untracked(|m| *m != motion) {
            self.motion.set(motion);
        }
    }
}

fn live(sim: &Simulation, node: NodeIdx) -> Live {
    Live { view: sim.node_view(node), sample: sim.node_series(node).back().copied().unwrap_or_default() }
}
