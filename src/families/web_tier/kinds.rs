//! The web tier's three kinds as the registry reaches them ([`OwnKind`]s,
//! through [`PARTS`]). They stay in the main module: the default scenario
//! is made of them (`families::Code::Main`).
//!
//! [`OwnKind`]: crate::sim::kind::OwnKind

use super::spec::{BalancerParams, ClientSpec, LoadBalancerSpec, ServerSpec, SourceParams, StationParams, StepSpec};
use super::{client, load_balancer, server};
use crate::families::family::Parts;
use crate::families::offers::{self, Offer};
use crate::sim::engine::{Node, NodeView};
use crate::sim::kind::{NodeSpec, TypedKind};
use crate::sim::spec::{Algorithm, CallOp, FaultSpec};
use crate::sim::theory::QueueRole;
use crate::sim::validate::{NodeIdx, Problems, Topology};

/// `client`.
pub struct Client;
/// `server`.
pub struct Server;
/// `load_balancer`.
pub struct LoadBalancer;

/// What the family hands over (`families::Code::Main`).
pub static PARTS: Parts = Parts {
    kinds: &[&Client, &Server, &LoadBalancer],
    lessons: super::presets::LESSONS,
    #[cfg(feature = "web")]
    panel: None,
    #[cfg(feature = "web")]
    // Its editors are a chunk of their own (`ui::chunk`).
    inspector: None,
    #[cfg(feature = "web")]
    describe: Some(super::ui::describe),
};

/// What a server and a balancer answer.
const REQUEST_OPS: &[CallOp] = &[CallOp::Read, CallOp::Write, CallOp::Range];

impl TypedKind for Client {
    type Spec = ClientSpec;
    const NAME: &'static str = "client";
    fn id(s: &ClientSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &ClientSpec, path: &str, p: &mut Problems) {
        client::validate(s, path, p)
    }
    fn validate_links(&self, s: &ClientSpec, path: &str, out: &[&NodeSpec], p: &mut Problems) {
        if out.len() != 1 {
            p.add(path, format!("client `{}` needs exactly one outgoing link (it has {})", s.id, out.len()));
        }
    }
    fn build(&self, s: &ClientSpec, _: &[NodeSpec], idx: NodeIdx, topo: &Topology) -> Box<dyn Node> {
        Box::new(client::Client::new(s, idx, topo))
    }
    fn is_source(&self) -> bool {
        true
    }
    fn can_fail(&self) -> bool {
        false
    }
    fn set_fields(&self, _: &ClientSpec) -> &'static [&'static str] {
        &["rate_per_s"]
    }
    fn candidates(&self, id: &str, v: &NodeView) -> Vec<Offer> {
        SourceParams::offers(id, v, "req/s")
    }
    fn settings(&self, v: &NodeView) -> FaultSpec {
        SourceParams::settings(v)
    }
    fn queue_role(&self, v: &NodeView) -> Option<QueueRole> {
        SourceParams::queue_role(v)
    }
}

impl TypedKind for Server {
    type Spec = ServerSpec;
    const NAME: &'static str = "server";
    fn id(s: &ServerSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &ServerSpec, path: &str, p: &mut Problems) {
        server::validate(s, path, p)
    }
    fn validate_links(&self, s: &ServerSpec, path: &str, out: &[&NodeSpec], p: &mut Problems) {
        validate_calls(s, path, out, p)
    }
    fn build(&self, s: &ServerSpec, _: &[NodeSpec], idx: NodeIdx, topo: &Topology) -> Box<dyn Node> {
        Box::new(server::Server::new(s, idx, topo))
    }
    fn accepted_ops(&self) -> &'static [CallOp] {
        REQUEST_OPS
    }
    fn set_fields(&self, s: &ServerSpec) -> &'static [&'static str] {
        // Whether a worker waits for the calls means something only when
        // there are calls.
        if s.calls.is_empty() { &["workers", "service_time"] } else { &["workers", "service_time", "hold_worker"] }
    }
    fn calls_tiers(&self, s: &ServerSpec) -> bool {
        !s.calls.is_empty()
    }
    fn is_station(&self) -> bool {
        true
    }
    fn pool_member(&self) -> bool {
        true
    }
    fn copy(&self, s: &ServerSpec, id: &str) -> Option<ServerSpec> {
        Some(ServerSpec { id: id.to_string(), ..s.clone() })
    }
    fn weight(&self, s: &ServerSpec) -> u32 {
        s.weight
    }
    fn candidates(&self, id: &str, v: &NodeView) -> Vec<Offer> {
        StationParams::offers(id, v)
    }
    fn settings(&self, v: &NodeView) -> FaultSpec {
        StationParams::settings(v)
    }
    fn queue_role(&self, v: &NodeView) -> Option<QueueRole> {
        StationParams::queue_role(v)
    }
}

impl TypedKind for LoadBalancer {
    type Spec = LoadBalancerSpec;
    const NAME: &'static str = "load_balancer";
    fn id(s: &LoadBalancerSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &LoadBalancerSpec, path: &str, p: &mut Problems) {
        load_balancer::validate(s, path, p)
    }
    fn validate_links(&self, s: &LoadBalancerSpec, path: &str, out: &[&NodeSpec], p: &mut Problems) {
        if out.is_empty() {
            p.add(path, format!("load balancer `{}` needs at least one outgoing link to a backend", s.id));
        }
    }
    fn validate_from(&self, s: &LoadBalancerSpec, path: &str, from: &[&NodeSpec], p: &mut Problems) {
        if from.is_empty() {
            p.add(path, format!("load balancer `{}` has no incoming link, so it would get no traffic", s.id));
        }
    }
    fn build(&self, s: &LoadBalancerSpec, node_specs: &[NodeSpec], idx: NodeIdx, topo: &Topology) -> Box<dyn Node> {
        Box::new(load_balancer::LoadBalancer::new(s, idx, topo, |n| {
            let backend = &node_specs[n as usize];
            backend.kind.weight(backend)
        }))
    }
    fn accepted_ops(&self) -> &'static [CallOp] {
        REQUEST_OPS
    }
    fn set_fields(&self, _: &LoadBalancerSpec) -> &'static [&'static str] {
        &["algorithm"]
    }
    fn balances(&self) -> bool {
        true
    }
    /// Every other algorithm.
    fn candidates(&self, id: &str, v: &NodeView) -> Vec<Offer> {
        let Some(&BalancerParams { algorithm: now }) = v.params() else { return Vec::new() };
        Algorithm::ALL
            .into_iter()
            .filter(|&a| a != now)
            .map(|a| {
                let change = FaultSpec { algorithm: Some(a), ..Default::default() };
                (now.name().into(), a.name().into(), offers::set(id, change))
            })
            .collect()
    }
    fn settings(&self, v: &NodeView) -> FaultSpec {
        FaultSpec { algorithm: v.params::<BalancerParams>().map(|p| p.algorithm), ..Default::default() }
    }
}

/// A server's calls go over its links, to nodes that take their ops; every
/// link is used by some call.
fn validate_calls(s: &ServerSpec, path: &str, out: &[&NodeSpec], p: &mut Problems) {
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
        let ops = target.kind.accepted_ops();
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
