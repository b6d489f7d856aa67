//! The node kinds, and the one registry that parses, validates and builds
//! them.
//!
//! Each kind's model lives in its family's folder (`families/<family>/`).
//! A family with a chunk (`families::Chunk`) reaches this file only through
//! `NodeSpec::Own` and its [`OwnKind`](crate::sim::spec::OwnKind)s: the arms
//! below are for the families in the main module (ARCHITECTURE.md,
//! "Adding a family").

use super::web_tier::{client, load_balancer, server};

use crate::sim::engine::Node;
use crate::sim::family::PartsOf;
use crate::sim::spec::{CallOp, NodeSpec, ScenarioSpec, StepSpec};
use crate::sim::validate::{NodeIdx, Problems, Topology, parse_as};

/// Parses a node's fields (without `kind`) as the kind named; `None` for
/// a name no kind has.
pub fn parse(kind: &str, body: serde_json::Value, path: &str, p: &mut Problems) -> Option<Option<NodeSpec>> {
    Some(match kind {
        "client" => parse_as(body, path, p).map(NodeSpec::Client),
        "server" => parse_as(body, path, p).map(NodeSpec::Server),
        "load_balancer" => parse_as(body, path, p).map(NodeSpec::LoadBalancer),
        _ => match super::own_kind(kind) {
            Some(k) => k.parse(body, path, p).map(NodeSpec::Own),
            None => {
                if let Some(f) = super::family_of(kind) {
                    // A split build parses only after the UI has loaded the
                    // family (`families::to_load`); this is a bug if seen.
                    p.add(
                        format!("{path}.kind"),
                        format!(
                            "the code of the {} family (kind `{kind}`) is not loaded yet; reload the page",
                            f.title
                        ),
                    );
                    return Some(None);
                }
                return None;
            }
        },
    })
}

/// Checks a node's own fields.
pub fn validate(spec: &NodeSpec, path: &str, p: &mut Problems) {
    match spec {
        NodeSpec::Client(s) => client::validate(s, path, p),
        NodeSpec::Server(s) => server::validate(s, path, p),
        NodeSpec::LoadBalancer(s) => load_balancer::validate(s, path, p),
        NodeSpec::Own(o) => o.kind.validate(o, path, p),
    }
}

/// What a kind answers when a server calls it (empty: it takes no calls).
pub fn accepted_ops(spec: &NodeSpec) -> &'static [CallOp] {
    match spec {
        NodeSpec::Server(_) | NodeSpec::LoadBalancer(_) => &[CallOp::Read, CallOp::Write, CallOp::Range],
        NodeSpec::Own(o) => o.kind.accepted_ops(),
        _ => &[],
    }
}

/// The parts a node is made of, if any: what a `fail` or `recover` entry
/// may name in it (see [`PartsOf`]).
pub fn parts(spec: &NodeSpec) -> Option<PartsOf> {
    match spec {
        NodeSpec::Own(o) => o.kind.parts(o),
        _ => None,
    }
}

/// Which `set` parameters of the timeline a kind takes: (workers, service_time).
pub fn settable(spec: &NodeSpec) -> (bool, bool) {
    match spec {
        NodeSpec::Server(_) => (true, true),
        NodeSpec::Own(o) => o.kind.settable(),
        _ => (false, false),
    }
}

/// Whether a kind is workers behind a queue (the app charts its
/// utilisation, shows its queue and workers, and draws it as a tier).
pub fn is_station(spec: &NodeSpec) -> bool {
    match spec {
        NodeSpec::Server(_) => true,
        NodeSpec::Own(o) => o.kind.is_station(),
        _ => false,
    }
}

/// Whether a kind answers requests over its incoming links as a leaf (a
/// node with no outgoing links of its own).
fn is_leaf_store(spec: &NodeSpec) -> bool {
    match spec {
        NodeSpec::Own(o) => o.kind.is_leaf_store(),
        _ => false,
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
    // A node links only to nodes that speak what it speaks.
    let speaks = spec.protocol();
    for target in out.iter().filter(|t| t.protocol() != speaks) {
        let message = if speaks == "requests" {
            format!("`{id}` links to the {} `{}`, which takes no requests", target.kind_name(), target.id())
        } else {
            format!("`{id}` links to `{}`, which does not speak its protocol", target.id())
        };
        p.add(path, message);
    }
    if is_leaf_store(spec) && !out.is_empty() {
        p.add(path, format!("`{id}` must have no outgoing links; its clients link to it"));
    }
    match spec {
        NodeSpec::Client(_) if out.len() != 1 => {
            p.add(path, format!("{} `{id}` needs exactly one outgoing link (it has {})", spec.kind_name(), out.len()));
        }
        NodeSpec::Own(o) => {
            let from: Vec<&NodeSpec> =
                topo.links.iter().filter(|l| l.to == idx).map(|l| &scenario.nodes[l.from as usize]).collect();
            o.kind.validate_links(o, path, &out, p);
            o.kind.validate_in(o, path, &scenario.nodes, &out, p);
            o.kind.validate_from(o, path, &from, p);
        }
        NodeSpec::Server(s) => validate_calls(s, path, &out, p),
        NodeSpec::LoadBalancer(_) => {
            if out.is_empty() {
                p.add(path, format!("load balancer `{id}` needs at least one outgoing link to a backend"));
            }
            if n_in == 0 {
                p.add(path, format!("load balancer `{id}` has no incoming link, so it would get no traffic"));
            }
        }
        _ => {}
    }
}

/// A server's calls go over its links, to nodes that take their ops; every
/// link is used by some call.
fn validate_calls(s: &crate::sim::spec::ServerSpec, path: &str, out: &[&NodeSpec], p: &mut Problems) {
    let id = &s.id;
    if s.calls.is_empty() {
        if let Some(first) = out.first() {
            p.add(
                format!("{path}.calls"),
                format!(
                    "is missing, but server `{id}` links to `{0}`: say what it calls, e.g. \"calls\": {{\"any\": [{{\"to\": \"{0}\", \"op\": \"read\"}}]}}, or remove the link",
                    first.id()
                ),
            );
        }
        return;
    }
    let mut used = vec![false; out.len()];
    let mut check = |c: &StepSpec, at: &str, p: &mut Problems| {
        let (Some(to), Some(op)) = (c.to.as_deref(), c.op) else { return };
        let Some(k) = out.iter().position(|t| t.id() == to) else {
            p.add(
                format!("{at}.to"),
                format!("`{to}` is not linked from `{id}`; add a link {{\"from\": \"{id}\", \"to\": \"{to}\"}}"),
            );
            return;
        };
        used[k] = true;
        let target = out[k];
        let ops = accepted_ops(target);
        if !ops.contains(&op) {
            let takes: Vec<&str> = ops.iter().map(|o| o.name()).collect();
            let takes = if takes.is_empty() { "no calls".to_string() } else { takes.join(", ") };
            p.add(
                format!("{at}.op"),
                format!("`{to}` is a {}, which takes {takes} (got {})", target.kind_name(), op.name()),
            );
        }
    };
    for (for_op, steps) in &s.calls {
        let list = format!("{path}.calls.{for_op}");
        for (i, step) in steps.iter().enumerate() {
            match &step.parallel {
                Some(group) => {
                    for (j, c) in group.iter().enumerate() {
                        check(c, &format!("{list}[{i}].parallel[{j}]"), p);
                    }
                }
                None => check(step, &format!("{list}[{i}]"), p),
            }
        }
    }
    for (k, target) in out.iter().enumerate() {
        if !used[k] {
            p.add(
                format!("{path}.calls"),
                format!(
                    "no call of server `{id}` goes to `{}`, which it links to; call it or remove the link",
                    target.id()
                ),
            );
        }
    }
}

/// Builds the node for a validated spec.
/// `n_initial_nodes`: nodes at or past this index are added by the timeline.
pub fn build(node_specs: &[NodeSpec], idx: NodeIdx, topo: &Topology, n_initial_nodes: usize) -> Box<dyn Node> {
    match &node_specs[idx as usize] {
        NodeSpec::Client(s) => Box::new(client::Client::new(s, idx, topo)),
        NodeSpec::Server(s) => Box::new(server::Server::new(s, idx, topo)),
        NodeSpec::LoadBalancer(s) => {
            let weight_of = |n: NodeIdx| match &node_specs[n as usize] {
                NodeSpec::Server(server) => server.weight,
                _ => 1,
            };
            Box::new(load_balancer::LoadBalancer::new(s, idx, topo, n_initial_nodes, weight_of))
        }
        NodeSpec::Own(o) => o.kind.build(o, node_specs, idx, topo),
    }
}

/// Checks a `set` entry's `params` (a kind's own live-editable fields) for
/// the node `idx`; a kind that takes none says so.
pub fn check_params(
    spec: &NodeSpec,
    idx: NodeIdx,
    params: &serde_json::Value,
    path: &str,
    node_specs: &[NodeSpec],
    topo: &Topology,
    p: &mut Problems,
) {
    match spec {
        NodeSpec::Own(o) => {
            let out: Vec<&NodeSpec> =
                topo.out_links[idx as usize].iter().map(|&l| &node_specs[topo.links[l as usize].to as usize]).collect();
            o.kind.check_params(o, params, path, &out, p)
        }
        _ => p.add(path, format!("`{}` is a {}, which takes no `params`", spec.id(), spec.kind_name())),
    }
}

/// A/B changes worth offering for a node whose editable fields are its
/// own (`NodeParams::Own`): (label of A, label of B, the edit that makes B).
/// A kind knows its own spec, not the scenario around it: what offers them
/// keeps only those the scenario can take ([`feasible`]).
pub fn candidates(
    kind: &str,
    id: &str,
    spec: &serde_json::Value,
) -> Vec<(String, String, crate::sim::spec::FaultSpec)> {
    super::own_kind(kind).map_or_else(Vec::new, |k| k.candidates(id, spec))
}

/// Whether `scenario` can take `entry` (a shortener's leased ranges need a
/// coordinator to lease from): a whole validation, so not for every frame.
pub fn feasible(scenario: &crate::sim::validate::Scenario, entry: &crate::sim::spec::FaultSpec) -> bool {
    scenario.with_entry(entry.clone()).is_ok()
}
