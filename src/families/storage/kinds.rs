//! The family's two kinds as the registry reaches them ([`OwnKind`]s,
//! through [`PARTS`]): nothing outside this folder names their types, so
//! their code sits in the family's own wasm chunk (the default scenario
//! has neither; a shortener's cache fetches it with the shortener's).
//!
//! [`OwnKind`]: crate::sim::kind::OwnKind

use super::spec::{CacheSpec, DatabaseSpec};
use super::{cache, database};
use crate::families::family::Parts;
use crate::families::offers::{self, Offer};
use crate::families::web_tier::spec::StationParams;
use crate::sim::engine::{Node, NodeView};
use crate::sim::kind::{NodeSpec, TypedKind};
use crate::sim::spec::{CallOp, FaultSpec};
use crate::sim::theory::QueueRole;
use crate::sim::validate::{NodeIdx, Problems, Topology};

/// `cache`.
pub struct Cache;
/// `database`.
pub struct Database;

/// What the family's chunk hands over (`families::Chunk`).
pub static PARTS: Parts = Parts {
    kinds: &[&Cache, &Database],
    lessons: super::presets::LESSONS,
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
    /// A pool's offers, and twice or half the entries it holds.
    fn candidates(&self, id: &str, v: &NodeView) -> Vec<Offer> {
        let mut out = StationParams::offers(id, v);
        if let Some(now) = capacity(v) {
            for n in [now.saturating_mul(2).min(cache::MAX_CACHE_ENTRIES), (now / 2).max(1)] {
                if n != now {
                    let change = FaultSpec { params: Some(serde_json::json!({ "capacity": n })), ..Default::default() };
                    let label = |n: u64| format!("{id}: {} entries", crate::lessons::rounded(n as f64, 0));
                    out.push((label(now), label(n), offers::set(id, change)));
                }
            }
        }
        out
    }
    fn settings(&self, v: &NodeView) -> FaultSpec {
        let params = capacity(v).map(|n| serde_json::json!({ "capacity": n }));
        FaultSpec { params, ..StationParams::settings(v) }
    }
}

/// The entries a cache holds at most now (a figure of its view).
fn capacity(v: &NodeView) -> Option<u64> {
    v.figure("Capacity").map(|c| c as u64)
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

crate::split::family_chunk!(family_storage);
