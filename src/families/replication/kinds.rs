//! The family's kind as the registry reaches it (an [`OwnKind`], through
//! [`PARTS`]): nothing outside this folder names its types, so its code
//! sits in the family's own wasm chunk.
//!
//! [`OwnKind`]: crate::sim::kind::OwnKind

use super::replicated_db::{self, DbSettings, ReplicatedDb, ReplicationSummary};
use super::spec::ReplicatedDbSpec;
use crate::families::family::Parts;
use crate::sim::engine::{Node, NodeSummary, NodeView};
use crate::sim::kind::{ChartWords, NodeSpec, PartsOf, TypedKind};
use crate::sim::spec::{CallOp, FaultSpec};
use crate::sim::validate::{NodeIdx, Problems, Topology};

/// `replicated_db`.
pub struct Db;

/// What the family's chunk hands over (`families::Chunk`).
pub static PARTS: Parts = Parts {
    kinds: &[&Db],
    lessons: super::presets::LESSONS,
    #[cfg(feature = "web")]
    panel: Some(super::ui::panel),
    #[cfg(feature = "web")]
    inspector: Some(super::ui::inspector),
    #[cfg(feature = "web")]
    describe: Some(super::ui::describe),
};

impl TypedKind for Db {
    type Spec = ReplicatedDbSpec;
    const NAME: &'static str = "replicated_db";
    fn id(s: &ReplicatedDbSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &ReplicatedDbSpec, path: &str, p: &mut Problems) {
        replicated_db::validate(s, path, p)
    }
    fn build(&self, s: &ReplicatedDbSpec, _: &[NodeSpec], _: NodeIdx, _: &Topology) -> Box<dyn Node> {
        Box::new(ReplicatedDb::new(s))
    }
    fn accepted_ops(&self) -> &'static [CallOp] {
        &[CallOp::Read, CallOp::Write, CallOp::Get, CallOp::Set, CallOp::Delete]
    }
    fn set_fields(&self, _: &ReplicatedDbSpec) -> &'static [&'static str] {
        &["workers", "service_time", "params"]
    }
    fn is_station(&self) -> bool {
        true
    }
    fn is_leaf_store(&self) -> bool {
        true
    }
    fn parts(&self, s: &ReplicatedDbSpec) -> Option<PartsOf> {
        Some(replicated_db::parts(s))
    }
    fn check_params(
        &self,
        s: &ReplicatedDbSpec,
        params: &serde_json::Value,
        path: &str,
        _: &[&NodeSpec],
        p: &mut Problems,
    ) {
        replicated_db::check_params(params, path, p, s)
    }
    fn verdict_figures(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("Lost writes", "lost writes"),
            ("Stale reads", "stale reads"),
            ("Writes acknowledged", "writes acknowledged"),
        ]
    }
    fn chart_words(&self) -> ChartWords {
        ChartWords { backlog: Some("replica lag (entries)"), utilisation: Some("(mean of its members)") }
    }
    fn candidates(&self, id: &str, v: &NodeView) -> Vec<crate::families::offers::Offer> {
        v.params::<DbSettings>().map_or_else(Vec::new, |p| p.candidates(id))
    }
    fn settings(&self, v: &NodeView) -> FaultSpec {
        v.params::<DbSettings>().map(DbSettings::settings).unwrap_or_default()
    }
    fn summary_text(&self, id: &str, summary: &NodeSummary) -> Vec<String> {
        summary.own::<ReplicationSummary>().map_or_else(Vec::new, |s| db_text(id, s))
    }
}

/// A replicated database's figures, as the CLI prints them under its table.
fn db_text(id: &str, s: &ReplicationSummary) -> Vec<String> {
    let mut out = vec![
        format!(
            "{id}: {}, reads from {}; {} reads ({} stale, {} read-your-writes violations), \
             {} writes ({} acknowledged); {} lost",
            super::spec::replication_words(s.replication),
            s.read_from.label(),
            s.reads,
            s.stale_reads,
            s.read_your_writes_violations,
            s.writes,
            s.acknowledged_writes,
            s.lost_writes
        ),
        format!("{:<8} {:>8} {:>7} {:>10} {:>8} {:>12}", "member", "role", "mode", "served", "util", "lag entries"),
    ];
    for (name, m) in &s.members {
        let role = if m.primary { "primary" } else { "replica" };
        let mode = if m.primary { "-" } else { m.mode.label() };
        let state = if m.up { "" } else { "  (down)" };
        out.push(format!(
            "{name:<8} {role:>8} {mode:>7} {:>10} {:>8.3} {:>12}{state}",
            m.served, m.utilisation, m.lag_entries
        ));
    }
    for f in &s.failovers {
        out.push(format!(
            "failover: {} died at {:.1} s, {} primary at {:.1} s; {} acknowledged writes lost",
            f.from, f.died_at_s, f.to, f.at_s, f.lost
        ));
    }
    if s.semi_sync_fallbacks > 0 {
        out.push(format!("semi-sync fell back to async {} time(s)", s.semi_sync_fallbacks));
    }
    out
}

crate::split::family_chunk!(family_replication);
