//! The family's two kinds as the registry reaches them ([`OwnKind`]s,
//! through [`PARTS`]): nothing outside this folder names their types, so
//! their code sits in the family's own wasm chunk (the default scenario
//! has neither; a shortener's cache fetches it with the shortener's).
//!
//! [`OwnKind`]: crate::sim::kind::OwnKind

use super::spec::{CacheSpec, DatabaseSpec};
use super::{cache, database};
use crate::families::family::Parts;
use crate::sim::engine::Node;
use crate::sim::kind::{NodeSpec, TypedKind};
use crate::sim::spec::CallOp;
use crate::sim::validate::{NodeIdx, Problems, Topology};

/// `cache`.
pub struct Cache;
/// `database`.
pub struct Database;

/// What the family's chunk hands over (`families::Chunk`).
pub static PARTS: Parts = Parts {
    kinds: &[&Cache, &Database],
    #[cfg(feature = "web")]
    panel: None,
    #[cfg(feature = "web")]
    inspector: Some(super::ui::inspector),
    #[cfg(feature = "web")]
    describe: None,
};

impl TypedKind for Cache {
    type Spec = CacheSpec;
    const NAME: &'static str = "cache";
    fn id(s: &CacheSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &CacheSpec, path: &str, p: &mut Problems) {
        cache::validate(s, path, p)
    }
    fn build(&self, s: &CacheSpec, _: &[NodeSpec], _: NodeIdx, _: &Topology) -> Box<dyn Node> {
        Box::new(cache::CacheNode::new(s))
    }
    fn accepted_ops(&self) -> &'static [CallOp] {
        &[CallOp::Get, CallOp::Set, CallOp::Delete]
    }
    fn set_fields(&self, _: &CacheSpec) -> &'static [&'static str] {
        &["workers", "service_time"]
    }
    fn is_station(&self) -> bool {
        true
    }
    fn is_leaf_store(&self) -> bool {
        true
    }
    fn check_params(&self, _: &CacheSpec, params: &serde_json::Value, path: &str, _: &[&NodeSpec], p: &mut Problems) {
        cache::check_params(params, path, p)
    }
}

impl TypedKind for Database {
    type Spec = DatabaseSpec;
    const NAME: &'static str = "database";
    fn id(s: &DatabaseSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &DatabaseSpec, path: &str, p: &mut Problems) {
        database::validate(s, path, p)
    }
    fn build(&self, s: &DatabaseSpec, _: &[NodeSpec], _: NodeIdx, _: &Topology) -> Box<dyn Node> {
        Box::new(database::Database::new(s))
    }
    fn accepted_ops(&self) -> &'static [CallOp] {
        &[CallOp::Read, CallOp::Write]
    }
    fn set_fields(&self, _: &DatabaseSpec) -> &'static [&'static str] {
        &["workers", "service_time"]
    }
    fn is_station(&self) -> bool {
        true
    }
    fn is_leaf_store(&self) -> bool {
        true
    }
}

crate::split::family_chunk!(family_storage);
