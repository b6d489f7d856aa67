//! The family's kind as the registry reaches it (an [`OwnKind`], through
//! [`PARTS`]): nothing outside this folder names its types, so its code
//! sits in the family's own wasm chunk.
//!
//! [`OwnKind`]: crate::sim::kind::OwnKind

use super::election::{Election, Sources};
use super::ensemble::{self, EnsembleSummary};
use super::replicated_db::{self, DbSettings, ReplicatedDb, ReplicationSummary};
use super::spec::{EnsembleSpec, ReplicatedDbSpec};
use crate::families::family::Parts;
use crate::sim::engine::{Node, NodeSummary, NodeView};
use crate::sim::ids::LinkIdx;
use crate::sim::kind::{ChartWords, NodeSpec, PartsOf, TypedKind};
use crate::sim::spec::{CallOp, FaultSpec};
use crate::sim::time::ms_to_ns;
use crate::sim::validate::{NodeIdx, Problems, Topology};

/// `replicated_db`.
pub struct Db;

/// `coordinator_ensemble`.
pub struct Ensemble;

/// What the family's chunk hands over (`families::Chunk`).
pub static PARTS: Parts = Parts {
    kinds: &[&Db, &Ensemble],
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
    fn validate_links(&self, s: &ReplicatedDbSpec, path: &str, out: &[&NodeSpec], p: &mut Problems) {
        replicated_db::validate_links(s, path, out, p)
    }
    fn validate_in(&self, s: &ReplicatedDbSpec, path: &str, _: &[NodeSpec], out: &[&NodeSpec], p: &mut Problems) {
        if let (Some(e), Some(z)) = (&s.election, out.first().and_then(|n| n.as_kind::<Ensemble>())) {
            replicated_db::validate_election_path(e, z, path, p)
        }
    }
    fn build(&self, s: &ReplicatedDbSpec, nodes: &[NodeSpec], idx: NodeIdx, topo: &Topology) -> Box<dyn Node> {
        let db = ReplicatedDb::new(s);
        let ensemble = topo.out_links[idx as usize].first().and_then(|&l| {
            let z = nodes[topo.links[l as usize].to as usize].as_kind::<Ensemble>()?;
            Some((l, z))
        });
        match (&s.election, ensemble) {
            (Some(e), Some((link, z))) => {
                let (timeout, tick) = (ms_to_ns(z.session_timeout_ms), ms_to_ns(z.tick_ms));
                let zk = topo.links[link as usize].to;
                // A router for each node that sends it requests.
                let (mut routers, mut in_links): (Vec<(NodeIdx, String)>, Vec<_>) = (Vec::new(), Vec::new());
                for (k, l) in topo.links.iter().enumerate().filter(|(_, l)| l.to == idx) {
                    in_links.push((k as LinkIdx, l.from));
                    if !routers.iter().any(|r| r.0 == l.from) {
                        routers.push((l.from, topo.ids[l.from as usize].clone()));
                    }
                }
                let clients = Sources { routers, in_links };
                Box::new(db.with_election(Election::new(e, (link, zk), s.replicas + 1, clients, timeout, tick)))
            }
            _ => Box::new(db),
        }
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
        let settled = if f.cut_off {
            "; what the old one holds is settled when it learns it lost (below)".to_string()
        } else {
            format!("; {} acknowledged writes lost", f.lost)
        };
        out.push(format!(
            "failover: {} {} at {:.1} s, {} primary at {:.1} s{settled}",
            f.from,
            if f.cut_off { "cut off" } else { "died" },
            f.died_at_s,
            f.to,
            f.at_s,
        ));
        if let Some(e) = &f.election {
            out.push(format!(
                "  {} election: last heartbeat {:.3} s, first watch {}, new primary {:.3} s, app servers {}, \
                 replicas re-pointed {:.3} s; {} notification(s) to candidates; failover {}",
                e.recipe.label(),
                e.last_heartbeat_s,
                e.notified_s.map_or_else(|| "none".into(), |t| format!("{t:.3} s")),
                e.new_primary_s,
                e.app_servers_updated_s.map_or_else(|| "not yet".into(), |t| format!("{t:.3} s")),
                e.replicas_repointed_s,
                e.notifications,
                e.failover_s().map_or_else(|| "not over".into(), |t| format!("{:.0} ms", t * 1000.0)),
            ));
        }
    }
    if let Some(p) = &s.partitions {
        out.push(format!(
            "partitions ({}{}): {} split-brain writes, {} conflicts, {} writes refused by fencing, {} requests held",
            p.consistency.label(),
            if p.fencing { ", fencing" } else { "" },
            p.split_brain_writes,
            p.conflicts,
            p.refused_by_fencing,
            p.held_by_partition
        ));
    }
    if s.semi_sync_fallbacks > 0 {
        out.push(format!("semi-sync fell back to async {} time(s)", s.semi_sync_fallbacks));
    }
    out
}

impl TypedKind for Ensemble {
    type Spec = EnsembleSpec;
    const NAME: &'static str = "coordinator_ensemble";
    fn id(s: &EnsembleSpec) -> &str {
        &s.id
    }
    fn validate(&self, s: &EnsembleSpec, path: &str, p: &mut Problems) {
        ensemble::validate(s, path, p)
    }
    fn validate_links(&self, s: &EnsembleSpec, path: &str, out: &[&NodeSpec], p: &mut Problems) {
        if !out.is_empty() {
            p.add(
                path,
                format!("`{}` must have no outgoing links; the databases that elect through it link to it", s.id),
            );
        }
    }
    fn validate_from(&self, s: &EnsembleSpec, path: &str, from: &[&NodeSpec], p: &mut Problems) {
        for f in from.iter().filter(|f| f.as_kind::<Db>().is_none()) {
            p.add(
                path,
                format!(
                    "`{}` links to the ensemble `{}`; only a replicated_db with an `election` does (its members hold sessions)",
                    f.id(),
                    s.id
                ),
            );
        }
    }
    fn build(&self, s: &EnsembleSpec, _: &[NodeSpec], idx: NodeIdx, topo: &Topology) -> Box<dyn Node> {
        Box::new(ensemble::Ensemble::new(s, idx, topo))
    }
    fn parts(&self, s: &EnsembleSpec) -> Option<PartsOf> {
        Some(ensemble::parts(s))
    }
    fn verdict_figures(&self) -> &'static [(&'static str, &'static str)] {
        &[("Watch notifications", "watch notifications"), ("Writes not committed", "ensemble writes not committed")]
    }
    fn chart_words(&self) -> ChartWords {
        ChartWords { backlog: Some("writes being committed"), utilisation: None }
    }
    fn summary_text(&self, id: &str, summary: &NodeSummary) -> Vec<String> {
        summary.own::<EnsembleSummary>().map_or_else(Vec::new, |s| {
            vec![format!(
                "{id}: {} of {} servers up ({} needed), leader {}; {} sessions opened, {} expired; \
                 {} writes committed, {} not committed; {} watch notifications",
                s.servers_up,
                s.servers,
                s.majority,
                s.leader.as_deref().unwrap_or("none"),
                s.sessions_opened,
                s.sessions_expired,
                s.writes_committed,
                s.writes_not_committed,
                s.watch_notifications
            )]
        })
    }
}

crate::split::family_chunk!(family_replication);
