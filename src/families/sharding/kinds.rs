//! The family's kind as the registry reaches it (an [`OwnKind`], through
//! [`PARTS`]): nothing outside this folder names its types, so its code
//! sits in the family's own wasm chunk.
//!
//! [`OwnKind`]: crate::sim::kind::OwnKind

use super::sharded_store::{self, StoreParams, StoreSummary};
use super::spec::ShardedStoreSpec;
use crate::families::family::Parts;
use crate::sim::engine::{Node, NodeSummary, NodeView};
use crate::sim::kind::{ChartWords, PartsOf};
use crate::sim::kind::{NodeSpec, TypedKind};
use crate::sim::spec::{CallOp, FaultSpec};
use crate::sim::validate::{NodeIdx, Problems, Topology};

/// `sharded_store`.
pub struct Store;

/// What the family's chunk hands over (`families::Chunk`).
pub static PARTS: Parts = Parts {
    kinds: &[&Store],
    lessons: super::presets::LESSONS,
    #[cfg(feature = "web")]
    panel: Some(super::ui::panel),
    #[cfg(feature = "web")]
    inspector: Some(super::ui::inspector),
    #[cfg(feature = "web")]
    describe: Some(super::ui::describe),
};

impl TypedKind for Store {
    type Spec = ShardedStoreSpec;
    const NAME: &'static str = "sharded_store";
    fn id(s: &ShardedStoreSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &ShardedStoreSpec, path: &str, p: &mut Problems) {
        sharded_store::validate(s, path, p)
    }
    fn validate_from(&self, s: &ShardedStoreSpec, path: &str, from: &[&NodeSpec], p: &mut Problems) {
        sharded_store::validate_clients(s, path, from, p)
    }
    fn build(&self, s: &ShardedStoreSpec, _: &[NodeSpec], _: NodeIdx, _: &Topology) -> Box<dyn Node> {
        Box::new(sharded_store::ShardedStore::new(s))
    }
    fn accepted_ops(&self) -> &'static [CallOp] {
        &[CallOp::Read, CallOp::Write, CallOp::Range]
    }
    fn set_fields(&self, _: &ShardedStoreSpec) -> &'static [&'static str] {
        &["workers", "service_time", "vnodes", "partitioning", "routing"]
    }
    fn is_station(&self) -> bool {
        true
    }
    fn is_leaf_store(&self) -> bool {
        true
    }
    fn parts(&self, s: &ShardedStoreSpec) -> Option<PartsOf> {
        Some(sharded_store::parts(s))
    }
    fn verdict_figures(&self) -> &'static [(&'static str, &'static str)] {
        &[("Load max/mean", "Load max/mean"), ("Keys moved by the last change %", "keys moved %")]
    }
    fn chart_words(&self) -> ChartWords {
        ChartWords { utilisation: Some("(mean of its shards)"), ..ChartWords::default() }
    }
    fn candidates(&self, id: &str, v: &NodeView) -> Vec<crate::families::offers::Offer> {
        v.params::<StoreParams>().map_or_else(Vec::new, |p| p.candidates(id))
    }
    fn settings(&self, v: &NodeView) -> FaultSpec {
        v.params::<StoreParams>().map(StoreParams::settings).unwrap_or_default()
    }
    fn summary_text(&self, id: &str, summary: &NodeSummary) -> Vec<String> {
        summary.own::<StoreSummary>().map_or_else(Vec::new, |st| store_text(id, st))
    }
}

/// A sharded store's placement, routing, per-shard load and moved keys,
/// as the CLI prints them under its table.
fn store_text(id: &str, st: &StoreSummary) -> Vec<String> {
    let (partitioning, routing) = (st.partitioning.label(), st.routing.label());
    let scans = if st.ranges > 0 {
        format!(", {} range scans ({:.2} shards each)", st.ranges, st.mean_range_fanout)
    } else {
        String::new()
    };
    let mut out = vec![
        format!(
            "{id}: {partitioning}, routing by {routing} (mean hops {:.2}); {} reads, {} writes{scans}; \
             {} unavailable; load max/mean {:.2}, CV {:.3}",
            st.mean_hops, st.reads, st.writes, st.unavailable, st.load_max_over_mean, st.load_cv
        ),
        format!("{:<14} {:>10} {:>8} {:>8}", "shard", "served", "util", "keys %"),
    ];
    for (name, sh) in &st.shards {
        let state = match (sh.present, sh.up) {
            (false, _) => "  (removed)",
            (true, false) => "  (down)",
            _ => "",
        };
        out.push(format!("{name:<14} {:>10} {:>8.3} {:>8.1}{state}", sh.served, sh.utilisation, sh.share * 100.0));
    }
    for c in &st.changes {
        out.push(format!(
            "at {:.1} s {}: {} of {} sampled keys moved ({:.1}%); {} would have moved {:.1}%",
            c.at_s,
            c.what,
            c.moved,
            c.sampled,
            c.moved_fraction * 100.0,
            c.alternative,
            c.alternative_fraction * 100.0
        ));
    }
    out
}

crate::split::family_chunk!(family_sharding);
