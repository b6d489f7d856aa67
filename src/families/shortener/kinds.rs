//! The family's four kinds as the registry reaches them ([`OwnKind`]s,
//! through [`PARTS`]): nothing outside this folder names their types, so
//! their code can sit in the family's own wasm chunk.
//!
//! [`OwnKind`]: crate::sim::kind::OwnKind

use super::spec::{IdCoordinatorSpec, UrlAppSpec, UrlDbSpec, UrlUsersSpec};
use super::{app, coordinator, table, users};
use crate::families::family::Parts;
use crate::families::offers::own_settings;
use crate::families::web_tier::spec::StationParams;
use crate::sim::engine::{Node, NodeView};
use crate::sim::kind::{NodeSpec, TypedKind};
use crate::sim::spec::{CallOp, FaultSpec};
use crate::sim::validate::{NodeIdx, Problems, Topology};

pub struct Users;
pub struct App;
pub struct Db;
pub struct Coordinator;

/// What the family's chunk hands over (`families::Chunk`).
pub static PARTS: Parts = Parts {
    kinds: &[&Users, &App, &Db, &Coordinator],
    lessons: super::presets::LESSONS,
    #[cfg(feature = "web")]
    panel: Some(super::ui::panel),
    #[cfg(feature = "web")]
    inspector: Some(super::ui::inspector),
    #[cfg(feature = "web")]
    describe: Some(super::ui::describe),
};

impl TypedKind for Users {
    type Spec = UrlUsersSpec;
    const NAME: &'static str = "url_users";
    fn id(s: &UrlUsersSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &UrlUsersSpec, path: &str, p: &mut Problems) {
        users::validate(s, path, p)
    }
    fn validate_links(&self, s: &UrlUsersSpec, path: &str, out: &[&NodeSpec], p: &mut Problems) {
        let id = &s.id;
        match out {
            [target] if !matches!(target.kind_name(), "url_app" | "load_balancer") => p.add(
                path,
                format!(
                    "url_users `{id}` links to the {} `{}`; people reach a url_app, directly or through a load_balancer",
                    target.kind_name(),
                    target.id()
                ),
            ),
            [_] => {}
            _ => p.add(path, format!("url_users `{id}` needs exactly one outgoing link (it has {})", out.len())),
        }
    }
    fn set_fields(&self, _: &UrlUsersSpec) -> &'static [&'static str] {
        &["rate_per_s"]
    }
    fn is_source(&self) -> bool {
        true
    }
    fn build(&self, s: &UrlUsersSpec, _: &[NodeSpec], idx: NodeIdx, topo: &Topology) -> Box<dyn Node> {
        Box::new(users::Users::new(s, idx, topo))
    }
    fn check_params(
        &self,
        _: &UrlUsersSpec,
        params: &serde_json::Value,
        path: &str,
        _: &[&NodeSpec],
        p: &mut Problems,
    ) {
        users::check_params(params, path, p)
    }
    /// Its spec, and its total rate (what `rate_per_s` sets, the mix kept).
    fn settings(&self, v: &NodeView) -> FaultSpec {
        let spec = v.params::<UrlUsersSpec>();
        FaultSpec { rate_per_s: spec.map(|s| s.writes_per_s + s.redirects_per_s), ..own_settings(spec) }
    }
}

impl TypedKind for App {
    type Spec = UrlAppSpec;
    const NAME: &'static str = "url_app";
    fn id(s: &UrlAppSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &UrlAppSpec, path: &str, p: &mut Problems) {
        app::validate(s, path, p)
    }
    fn validate_links(&self, s: &UrlAppSpec, path: &str, out: &[&NodeSpec], p: &mut Problems) {
        app::validate_links(s, path, out, p)
    }
    fn accepted_ops(&self) -> &'static [CallOp] {
        &[CallOp::Read, CallOp::Write]
    }
    fn set_fields(&self, _: &UrlAppSpec) -> &'static [&'static str] {
        &["workers", "service_time"]
    }
    fn is_station(&self) -> bool {
        true
    }
    fn build(&self, s: &UrlAppSpec, node_specs: &[NodeSpec], idx: NodeIdx, topo: &Topology) -> Box<dyn Node> {
        Box::new(app::App::new(s, idx, topo, node_specs))
    }
    fn check_params(
        &self,
        s: &UrlAppSpec,
        params: &serde_json::Value,
        path: &str,
        out: &[&NodeSpec],
        p: &mut Problems,
    ) {
        app::check_params(s, params, path, out, p)
    }
    fn candidates(&self, id: &str, v: &NodeView) -> Vec<(String, String, FaultSpec)> {
        v.params::<UrlAppSpec>().map_or_else(Vec::new, |s| app::candidates(id, s))
    }
    fn settings(&self, v: &NodeView) -> FaultSpec {
        let spec = v.params::<UrlAppSpec>();
        FaultSpec { service_time: spec.map(|s| s.service_time.clone()), ..own_settings(spec) }
    }
    /// What each variant's writes paid.
    fn verdict_figures(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("Writes failed", "Writes failed"),
            ("Hash collisions", "hash collisions"),
            ("Unique-key violations", "duplicate codes"),
        ]
    }
}

impl TypedKind for Db {
    type Spec = UrlDbSpec;
    const NAME: &'static str = "url_db";
    fn id(s: &UrlDbSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &UrlDbSpec, path: &str, p: &mut Problems) {
        table::validate(s, path, p)
    }
    fn accepted_ops(&self) -> &'static [CallOp] {
        &[CallOp::Read, CallOp::Write]
    }
    fn set_fields(&self, _: &UrlDbSpec) -> &'static [&'static str] {
        &["workers", "service_time"]
    }
    fn is_station(&self) -> bool {
        true
    }
    fn is_leaf_store(&self) -> bool {
        true
    }
    fn build(&self, s: &UrlDbSpec, _: &[NodeSpec], _: NodeIdx, _: &Topology) -> Box<dyn Node> {
        Box::new(table::Table::new(s))
    }
    fn candidates(&self, id: &str, v: &NodeView) -> Vec<(String, String, FaultSpec)> {
        StationParams::offers(id, v)
    }
    fn settings(&self, v: &NodeView) -> FaultSpec {
        StationParams::settings(v)
    }
    fn queue_role(&self, v: &NodeView) -> Option<crate::sim::theory::QueueRole> {
        StationParams::queue_role(v)
    }
}

impl TypedKind for Coordinator {
    type Spec = IdCoordinatorSpec;
    const NAME: &'static str = "id_coordinator";
    fn id(s: &IdCoordinatorSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &IdCoordinatorSpec, path: &str, p: &mut Problems) {
        coordinator::validate(s, path, p)
    }
    fn is_station(&self) -> bool {
        true
    }
    fn is_leaf_store(&self) -> bool {
        true
    }
    fn build(&self, s: &IdCoordinatorSpec, _: &[NodeSpec], _: NodeIdx, _: &Topology) -> Box<dyn Node> {
        Box::new(coordinator::Coordinator::new(s))
    }
}

// The split point: `family_shortener` hands over [`PARTS`]; the release build
// fetches it as `split_family_shortener.wasm` when a scenario of the family
// first opens.
crate::split::family_chunk!(family_shortener);
