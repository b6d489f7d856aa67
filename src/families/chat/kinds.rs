//! The family's five kinds as the registry reaches them ([`OwnKind`]s,
//! through [`PARTS`]): nothing outside this folder names their types, so
//! their code sits in the family's own wasm chunk.
//!
//! [`OwnKind`]: crate::sim::kind::OwnKind

use super::spec::{ChatPubsubSpec, ChatRegistrySpec, ChatServerSpec, ChatStoreSpec, ChatUsersSpec, Mode};
use super::{pubsub, registry, server, store, users};
use crate::families::family::Parts;
use crate::families::offers::own_settings;
use crate::sim::engine::{Node, NodeView};
use crate::sim::kind::{NodeSpec, TypedKind};
use crate::sim::spec::FaultSpec;
use crate::sim::validate::{NodeIdx, Problems, Topology};

pub struct Users;
pub struct Server;
pub struct Registry;
pub struct Pubsub;
pub struct Store;

/// What the family's chunk hands over (`families::Chunk`).
pub static PARTS: Parts = Parts {
    kinds: &[&Users, &Server, &Registry, &Pubsub, &Store],
    lessons: super::presets::LESSONS,
    #[cfg(feature = "web")]
    panel: Some(super::ui::panel),
    #[cfg(feature = "web")]
    inspector: Some(super::ui::inspector),
    #[cfg(feature = "web")]
    describe: Some(super::ui::describe),
};

impl TypedKind for Users {
    type Spec = ChatUsersSpec;
    const NAME: &'static str = "chat_users";
    fn id(s: &ChatUsersSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &ChatUsersSpec, path: &str, p: &mut Problems) {
        users::validate(s, path, p)
    }
    fn validate_links(&self, s: &ChatUsersSpec, path: &str, out: &[&NodeSpec], p: &mut Problems) {
        let id = &s.id;
        match out {
            [target] if !matches!(target.kind_name(), "chat_server" | "load_balancer") => p.add(
                path,
                format!(
                    "chat_users `{id}` links to the {} `{}`; phones reach a chat_server, directly or through a load_balancer",
                    target.kind_name(),
                    target.id()
                ),
            ),
            // A socket's frames must reach the server that holds it.
            [target]
                if let Some(lb) = target.as_kind::<crate::families::web_tier::kinds::LoadBalancer>()
                    && s.mode.is_websocket()
                    && !matches!(lb.algorithm, crate::sim::spec::Algorithm::ConsistentHash | crate::sim::spec::Algorithm::IpHash) =>
            {
                p.add(
                    path,
                    format!(
                        "chat_users `{id}` keep WebSockets through the balancer `{}`, whose algorithm `{}` sends each frame anywhere; use consistent_hash or ip_hash so each user stays on the server holding their socket",
                        lb.id,
                        lb.algorithm.name()
                    ),
                )
            }
            [_] => {}
            _ => p.add(path, format!("chat_users `{id}` needs exactly one outgoing link (it has {})", out.len())),
        }
    }
    fn validate_in(&self, s: &ChatUsersSpec, path: &str, nodes: &[NodeSpec], _: &[&NodeSpec], p: &mut Problems) {
        let n = nodes.iter().filter(|n| n.kind_name() == "chat_users").count();
        if n > 1 {
            p.add(
                path,
                format!(
                    "chat_users `{}` is one of {n} chat_users nodes; a scenario has one population (to compare modes, open it as an A/B comparison)",
                    s.id
                ),
            );
        }
        if !nodes.iter().any(|n| n.kind_name() == "chat_server") {
            p.add(path, format!("chat_users `{}` needs a chat_server to talk to", s.id));
        }
    }
    fn is_source(&self) -> bool {
        true
    }
    fn build(&self, s: &ChatUsersSpec, _: &[NodeSpec], idx: NodeIdx, topo: &Topology) -> Box<dyn Node> {
        Box::new(users::Users::new(s, idx, topo))
    }
    fn check_params(
        &self,
        _: &ChatUsersSpec,
        params: &serde_json::Value,
        path: &str,
        _: &[&NodeSpec],
        p: &mut Problems,
    ) {
        users::check_params(params, path, p)
    }
    /// The other two modes, and the other reconnect policy.
    fn settings(&self, v: &NodeView) -> FaultSpec {
        own_settings(v.params::<ChatUsersSpec>())
    }
    fn candidates(&self, id: &str, v: &NodeView) -> Vec<(String, String, FaultSpec)> {
        let Some(s) = v.params::<ChatUsersSpec>() else { return Vec::new() };
        let set =
            |params: serde_json::Value| FaultSpec { set: Some(id.into()), params: Some(params), ..Default::default() };
        let mut out = Vec::new();
        for m in [
            Mode::ShortPolling { interval_ms: 5_000.0 },
            Mode::LongPolling { hold_ms: 30_000.0 },
            Mode::Websocket { heartbeat_ms: 30_000.0 },
        ] {
            if std::mem::discriminant(&m) != std::mem::discriminant(&s.mode) {
                out.push((
                    format!("{id}: {}", s.mode.name()),
                    format!("{id}: {}", m.name()),
                    set(serde_json::json!({ "mode": m })),
                ));
            }
        }
        let other = match s.reconnect {
            super::spec::Reconnect::Immediate => super::spec::Reconnect::default(),
            super::spec::Reconnect::Backoff { .. } => super::spec::Reconnect::Immediate,
        };
        let name = |r: super::spec::Reconnect| match r {
            super::spec::Reconnect::Immediate => "reconnect at once",
            super::spec::Reconnect::Backoff { .. } => "reconnect with jittered backoff",
        };
        out.push((
            format!("{id}: {}", name(s.reconnect)),
            format!("{id}: {}", name(other)),
            set(serde_json::json!({ "reconnect": other })),
        ));
        out
    }
    fn verdict_figures(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("Requests to servers", "requests to servers"),
            ("Delivered", "messages delivered"),
            ("Connects refused", "connects refused"),
        ]
    }
}

impl TypedKind for Server {
    type Spec = ChatServerSpec;
    const NAME: &'static str = "chat_server";
    fn id(s: &ChatServerSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &ChatServerSpec, path: &str, p: &mut Problems) {
        server::validate(s, path, p)
    }
    fn validate_links(&self, s: &ChatServerSpec, path: &str, out: &[&NodeSpec], p: &mut Problems) {
        server::validate_links(s, path, out, p)
    }
    fn validate_in(&self, s: &ChatServerSpec, path: &str, nodes: &[NodeSpec], out: &[&NodeSpec], p: &mut Problems) {
        server::validate_in(s, path, nodes, out, p)
    }
    fn set_fields(&self, _: &ChatServerSpec) -> &'static [&'static str] {
        &["workers"]
    }
    fn is_station(&self) -> bool {
        true
    }
    fn build(&self, s: &ChatServerSpec, nodes: &[NodeSpec], idx: NodeIdx, topo: &Topology) -> Box<dyn Node> {
        Box::new(server::Server::new(s, idx, topo, nodes))
    }
    fn check_params(
        &self,
        _: &ChatServerSpec,
        params: &serde_json::Value,
        path: &str,
        _: &[&NodeSpec],
        p: &mut Problems,
    ) {
        server::check_params(params, path, p)
    }
    fn settings(&self, v: &NodeView) -> FaultSpec {
        own_settings(v.params::<ChatServerSpec>())
    }
}

impl TypedKind for Registry {
    type Spec = ChatRegistrySpec;
    const NAME: &'static str = "chat_registry";
    fn id(s: &ChatRegistrySpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &ChatRegistrySpec, path: &str, p: &mut Problems) {
        registry::validate(s, path, p)
    }
    fn is_station(&self) -> bool {
        true
    }
    fn is_leaf_store(&self) -> bool {
        true
    }
    fn build(&self, s: &ChatRegistrySpec, _: &[NodeSpec], _: NodeIdx, _: &Topology) -> Box<dyn Node> {
        Box::new(registry::Registry::new(s))
    }
}

impl TypedKind for Pubsub {
    type Spec = ChatPubsubSpec;
    const NAME: &'static str = "chat_pubsub";
    fn id(s: &ChatPubsubSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &ChatPubsubSpec, path: &str, p: &mut Problems) {
        pubsub::validate(s, path, p)
    }
    fn is_station(&self) -> bool {
        true
    }
    fn is_leaf_store(&self) -> bool {
        true
    }
    fn build(&self, s: &ChatPubsubSpec, _: &[NodeSpec], idx: NodeIdx, topo: &Topology) -> Box<dyn Node> {
        Box::new(pubsub::Pubsub::new(s, idx, topo))
    }
}

impl TypedKind for Store {
    type Spec = ChatStoreSpec;
    const NAME: &'static str = "chat_store";
    fn id(s: &ChatStoreSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &ChatStoreSpec, path: &str, p: &mut Problems) {
        store::validate(s, path, p)
    }
    fn is_station(&self) -> bool {
        true
    }
    fn is_leaf_store(&self) -> bool {
        true
    }
    fn build(&self, s: &ChatStoreSpec, nodes: &[NodeSpec], _: NodeIdx, _: &Topology) -> Box<dyn Node> {
        Box::new(store::Store::new(s, nodes))
    }
}

// The split point: `family_chat` hands over [`PARTS`]; the release build
// fetches it as `split_family_chat.wasm` when a scenario of the family
// first opens.
crate::split::family_chunk!(family_chat);
