//! `replicated_db`: a primary and its replicas inside one node, its parts
//! `db-0` … `db-n` (`db-0` starts as the primary). Each member is a small
//! server (workers, a FIFO); the replicas apply the primary's log in order.
//!
//! ```text
//!   write ─► primary (write_service_time) ─► log entry i (version, key)
//!              │ ship_delay_ms ──► replica relay ─► apply (exp, 1/apply_rate) ─► ack ──ship_delay_ms──┐
//!              ▼                                                                                       │
//!   answered: async at once · sync when every sync replica acked i · semi_sync at ack_count acks ◄─────┘
//!             (semi_sync: none after timeout_ms → async until a replica catches up)
//!   read  ─► read_from: primary | the least busy live replica | the least busy live member
//!            answered with that member's applied version: stale if the ledger holds a newer one
//!   the primary dies ─► failover_ms later the live member that received most is promoted:
//!            acknowledged entries it never received are lost; the others re-point to it
//! ```
//! **The ledger** of acknowledged writes keeps, per key, the newest version
//! a client saw acknowledged and to whom: `key_space` × 8 bytes, whatever
//! the run's length. With the log it is what lost and stale figures are
//! counted against: counts only, no list of writes. The log holds entries
//! some member has not applied, at most `MAX_LOG` (a member left further
//! behind is re-cloned from the primary when it is up).
//!
//! **A failover.** The primary's sender dies with it: what the replicas
//! had not received is gone. The live member that received most is
//! promoted (`failover_ms` after the death) and applies its relay log
//! before it takes writes (here at once); the others re-point to it. So an
//! async failover loses the acknowledged writes of the last shipping delay
//! (on average write rate × `ship_delay_ms`); a sync one loses none (every
//! acknowledged write was applied on every sync replica).

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

use super::election::{Election, Outcome};
use super::spec::{
    Consistency, ElectionSpec, EnsembleSpec, OnPartition, ReadFrom, Recipe, ReplicaMode, ReplicatedDbSpec, Replication,
    member_name,
};
use super::told::Told;
use super::zk::{ZNODE_MAX, ZkMsg};
use crate::families::web_tier::station::{Desk, Station, read_or_write};
use crate::sim::dist::Duration;
use crate::sim::engine::{Ctx, Node, NodeSummary, NodeView, Op, OwnPart, OwnSummary, Payload, Request, Status};
use crate::sim::family::{Delivery, PartState};
use crate::sim::kind::{NodeSpec, PartsOf};
use crate::sim::metrics::{NodeSample, WindowLatency};
use crate::sim::spec::{FaultSpec, ServiceTimeSpec, service_time};
use crate::sim::time::{SimTime, ms_to_ns, ns_to_ms, ns_to_s, per_s};
use crate::sim::validate::validate_service_time;
use crate::sim::validate::{Change, NodeIdx, Problems, Topology, limits};

/// Replicas a database may have.
pub const MAX_REPLICAS: u32 = 8;
/// Keys a database may hold (one version slot each, per member).
pub const MAX_DB_KEYS: u64 = 100_000;
/// Log entries kept for members behind (24 bytes each).
pub const MAX_LOG: usize = 100_000;
/// Story lines kept.
const STORIES: usize = 8;
/// Failovers the summary lists (the newest).
const FAILOVERS: usize = 64;

/// A member's service timer: its number in the tag's upper bits (its
/// `Desk` voids the timers of what it lost when it failed).
const T_DONE: u32 = 1;
const T_SHIP: u32 = 2;
const T_APPLY: u32 = 3;
const T_ACK: u32 = 4;
const T_TIMEOUT: u32 = 5;
const T_PROMOTE: u32 = 6;
/// An election client's timer (`election.rs`; its slot says which client).
const T_ZK: u32 = 7;
/// Generations live in a timer tag's upper 29 bits.
const GEN_MASK: u32 = (1 << 29) - 1;
/// A ledger slot acknowledged to no one (reset by a failover).
const NOBODY: u32 = u32::MAX;

/// The members, as the timeline names them (`part`): each fails and
/// recovers on its own; the database may also fail whole.
pub fn parts(s: &ReplicatedDbSpec) -> PartsOf {
    PartsOf {
        field: "part",
        plural: "members",
        a_kind: "a replicated database",
        count: s.replicas + 1,
        must_name: false,
        membership: None,
    }
}

pub fn validate(s: &ReplicatedDbSpec, path: &str, p: &mut Problems) {
    p.range_u64(path, "replicas", u64::from(s.replicas), 0, u64::from(MAX_REPLICAS));
    if s.replication == Replication::SemiSync {
        if s.ack_count < 1 || s.ack_count > s.replicas {
            p.add(
                format!("{path}.ack_count"),
                format!(
                    "must be from 1 to the replicas ({}) (got {}): a semi-sync write waits for that many replicas",
                    s.replicas, s.ack_count
                ),
            );
        }
        if !s.modes.is_empty() {
            p.add(
                format!("{path}.modes"),
                "semi_sync counts acknowledgements from any replicas (`ack_count`); leave `modes` out, or use sync or async",
            );
        }
        p.positive_f64(path, "timeout_ms", s.timeout_ms, limits::MAX_DURATION_MS);
    } else if s.ack_count != 1 {
        p.add(format!("{path}.ack_count"), "applies to semi_sync replication only; leave it out");
    }
    if !s.modes.is_empty() && s.modes.len() != s.replicas as usize {
        p.add(
            format!("{path}.modes"),
            format!("must list one mode per replica ({}), or be left out (got {})", s.replicas, s.modes.len()),
        );
    }
    p.positive_f64(path, "apply_rate_per_s", s.apply_rate_per_s, limits::MAX_RATE_PER_S);
    p.range_f64(path, "ship_delay_ms", s.ship_delay_ms, 0.0, limits::MAX_LATENCY_MS);
    p.range_u64(path, "workers", u64::from(s.workers), 1, u64::from(limits::MAX_WORKERS));
    p.range_u64(path, "queue_capacity", s.queue_capacity, 0, limits::MAX_QUEUE_CAPACITY);
    validate_service_time(&s.service_time, &format!("{path}.service_time"), p);
    validate_service_time(&s.write_service_time, &format!("{path}.write_service_time"), p);
    p.range_u64(path, "key_space", s.key_space, 1, MAX_DB_KEYS);
    p.range_f64(path, "failover_ms", s.failover_ms, 0.0, limits::MAX_DURATION_MS);
    if s.election.is_none() {
        if s.fencing {
            p.add(format!("{path}.fencing"), "needs an `election`: a primary's epoch and lease come from the ensemble");
        }
        if s.consistency != Consistency::Cp {
            p.add(
                format!("{path}.consistency"),
                "needs an `election`: it says what a primary cut off from its ensemble does",
            );
        }
    }
    if s.fencing && s.consistency == Consistency::Ap {
        p.add(
            format!("{path}.consistency"),
            "ap keeps a cut-off primary taking writes, which fencing refuses: choose one (fencing with cp, or ap without fencing)",
        );
    }
}

/// What it links to: nothing, or the one ensemble its `election` runs through.
pub fn validate_links(s: &ReplicatedDbSpec, path: &str, out: &[&NodeSpec], p: &mut Problems) {
    let id = &s.id;
    for t in out.iter().filter(|t| t.kind_name() != "coordinator_ensemble") {
        p.add(
            path,
            format!(
                "`{id}` links to the {} `{}`; a replicated database links only to the coordinator_ensemble it elects through (its clients link to it)",
                t.kind_name(),
                t.id()
            ),
        );
    }
    if out.len() > 1 {
        p.add(path, format!("`{id}` links to {} nodes; it elects through one ensemble", out.len()));
    }
    match (&s.election, out.first()) {
        (Some(_), None) => p.add(
            format!("{path}.election"),
            format!("needs a link from `{id}` to a coordinator_ensemble, which the election runs through"),
        ),
        (None, Some(t)) if t.kind_name() == "coordinator_ensemble" => p.add(
            format!("{path}.election"),
            format!(
                "`{id}` links to the ensemble `{}` but has no `election`: add e.g. {{\"recipe\": \"herd\", \"path\": \"/db\"}}",
                t.id()
            ),
        ),
        _ => {}
    }
    if let Some(e) = &s.election
        && !(e.path.starts_with('/') && e.path.len() <= ZNODE_MAX)
    {
        p.add(
            format!("{path}.election.path"),
            format!("`{}` is not a znode path of at most {ZNODE_MAX} characters", e.path),
        );
    }
}

/// The election's znode must be there: a recipe creates its znodes under
/// it, and ZooKeeper refuses a child of a missing node.
pub fn validate_election_path(e: &ElectionSpec, z: &EnsembleSpec, path: &str, p: &mut Problems) {
    if e.path != "/" && !z.znodes.contains(&e.path) {
        p.add(
            format!("{path}.election.path"),
            format!(
                "`{}` is not a znode of the ensemble `{}` (its znodes: {:?}): add it to its `znodes`, or a recipe's create and watch there find no node",
                e.path, z.id, z.znodes
            ),
        );
    }
}

/// A `set` entry's `params` on a replicated database.
pub fn check_params(params: &serde_json::Value, path: &str, p: &mut Problems, s: &ReplicatedDbSpec) {
    let Some(d) = crate::sim::problems::parse_as::<super::spec::DbParams>(params.clone(), path, p) else { return };
    if d == super::spec::DbParams::default() {
        p.add(
            path,
            "needs at least one of `replication`, `read_from`, `apply_rate_per_s`, `recipe`, `fencing`, `consistency`",
        );
    }
    if (d.fencing == Some(true) || d.consistency == Some(Consistency::Ap)) && s.election.is_none() {
        p.add(path, format!("`{}` elects through no ensemble: fencing and ap need an `election`", s.id));
    }
    if d.fencing == Some(true) && d.consistency == Some(Consistency::Ap) {
        p.add(format!("{path}.consistency"), "ap and fencing exclude each other: choose one");
    }
    if d.recipe.is_some() && s.election.is_none() {
        p.add(
            format!("{path}.recipe"),
            format!(
                "`{}` elects through no ensemble: give it an `election` and a link to a coordinator_ensemble",
                s.id
            ),
        );
    }
    if let Some(r) = d.apply_rate_per_s {
        p.positive_f64(path, "apply_rate_per_s", r, limits::MAX_RATE_PER_S);
    }
    if d.replication == Some(Replication::SemiSync) && !s.semi_sync_possible() {
        p.add(
            format!("{path}.replication"),
            format!(
                "semi_sync needs replicas without modes of their own (`{}` has {} replicas, modes {:?})",
                s.id, s.replicas, s.modes
            ),
        );
    }
}

/// A database's live settings (`NodeView::params`): what a `set` changes.
#[derive(Clone, Debug, PartialEq)]
pub struct DbSettings {
    /// None while the replicas have modes of their own (`modes`) that
    /// differ from what `replication` alone would give them.
    pub replication: Option<Replication>,
    pub read_from: ReadFrom,
    pub apply_rate_per_s: f64,
    pub workers: u32,
    pub service_time: ServiceTimeSpec,
    /// Whether `semi_sync` may be offered (replicas and no per-replica modes).
    pub semi_sync_possible: bool,
    /// With an election: what a primary cut off does with writes.
    pub on_partition: Option<OnPartition>,
}

impl DbSettings {
    pub fn settings(&self) -> FaultSpec {
        let mut params = serde_json::json!({
            "read_from": self.read_from,
            "apply_rate_per_s": self.apply_rate_per_s,
        });
        if let Some(r) = self.replication {
            params["replication"] = serde_json::json!(r);
        }
        if let Some(o) = self.on_partition {
            for (k, v) in o.params().as_object().into_iter().flatten() {
                params[k] = v.clone();
            }
        }
        FaultSpec {
            workers: Some(self.workers),
            service_time: Some(self.service_time.clone()),
            params: Some(params),
            ..Default::default()
        }
    }

    /// The other replication modes and read policies.
    pub fn candidates(&self, id: &str) -> Vec<crate::families::offers::Offer> {
        let set = |params: serde_json::Value| {
            crate::families::offers::set(id, FaultSpec { params: Some(params), ..Default::default() })
        };
        let mut out = Vec::new();
        let now = super::spec::replication_label(self.replication);
        for r in Replication::ALL {
            if Some(r) != self.replication && (r != Replication::SemiSync || self.semi_sync_possible) {
                out.push((
                    format!("{id}: {now}"),
                    format!("{id}: {}", r.label()),
                    set(serde_json::json!({ "replication": r })),
                ));
            }
        }
        if let Some(now) = self.on_partition {
            for o in OnPartition::ALL.into_iter().filter(|&o| o != now) {
                out.push((format!("{id}: {}", now.label()), format!("{id}: {}", o.label()), set(o.params())));
            }
        }
        for r in ReadFrom::ALL.into_iter().filter(|&r| r != self.read_from) {
            out.push((
                format!("{id}: reads from {}", self.read_from.label()),
                format!("{id}: reads from {}", r.label()),
                set(serde_json::json!({ "read_from": r })),
            ));
        }
        out
    }
}

/// One entry of the primary's log.
#[derive(Clone, Copy, Debug)]
struct Entry {
    key: u32,
    version: u32,
    client: u32,
    at_ns: SimTime,
    /// A client saw it acknowledged.
    acked: bool,
}

#[derive(Clone, Debug)]
struct Member {
    up: bool,
    /// As a replica (the primary's is kept for when it steps down).
    mode: ReplicaMode,
    /// Its workers and queue; no workers while it is down (so the node's
    /// utilisation counts the live members only).
    desk: Desk,
    /// The version of each key it has applied (0: never written).
    versions: Vec<u32>,
    /// Log entries in its relay log (received) and applied, as counts: a
    /// replica's. The primary's log is the whole log; its own are set when
    /// it steps down (when it dies).
    received: u64,
    applied: u64,
    /// Entries the primary knows it applied.
    acked: u64,
    applying: bool,
    /// Voids its apply and ack timers when it is re-pointed or fails.
    stream: u32,
    /// Voids its shipments on their way (when it or the primary fails).
    ship_gen: u32,
    /// Shipments on their way: `received` becomes each on arrival.
    inflight: VecDeque<u64>,
    /// Acknowledgements on their way back.
    ack_flight: VecDeque<u64>,
    /// An old primary whose log the others do not share: re-cloned when it returns.
    diverged: bool,
    /// Out of the replica set: an old primary, until it returns (no write waits for it).
    detached: bool,
    /// It believes it is the primary: the primary, or an old one cut off
    /// from the ensemble that has not learned its session expired.
    leading: bool,
    /// What it holds that the primary lacks, an old primary cut off: per
    /// key, its last version and client, from before the election (its log
    /// past the new primary's) and after it (split brain); and the newest
    /// version at the election (a key both wrote past it is a conflict).
    stale: BTreeMap<u32, (u32, u32)>,
    stale_base: u32,
    /// A partition keeps it from the primary (as of the last cut or heal).
    apart: bool,
    /// A partition cut it off from the rest of the network.
    cut: bool,
    /// Requests served per second in the last metrics window.
    load_per_s: f64,
}

impl Member {
    fn new(mode: ReplicaMode, keys: usize, desk: Desk) -> Self {
        Member {
            up: true,
            mode,
            desk,
            versions: vec![0; keys],
            received: 0,
            applied: 0,
            acked: 0,
            applying: false,
            stream: 0,
            ship_gen: 0,
            inflight: VecDeque::new(),
            ack_flight: VecDeque::new(),
            diverged: false,
            detached: false,
            leading: false,
            stale: BTreeMap::new(),
            stale_base: 0,
            apart: false,
            cut: false,
            load_per_s: 0.0,
        }
    }

    /// Its apply under way, and what is on its way to it or back from it,
    /// come to nothing (it failed, or follows another primary now).
    fn void_flows(&mut self) {
        self.stream = (self.stream + 1) & GEN_MASK;
        self.void_shipments();
        self.ack_flight.clear();
        self.applying = false;
    }

    /// What is on its way to it will not arrive.
    fn void_shipments(&mut self) {
        self.ship_gen = (self.ship_gen + 1) & GEN_MASK;
        self.inflight.clear();
    }

    fn depth(&self) -> u64 {
        u64::from(self.desk.st.busy) + self.desk.st.queue_len()
    }
}

/// Where a request can go.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    Member(u32),
    /// No primary it can use yet: it waits (a failover under way).
    Wait,
    /// Its member is on the other side of a partition.
    Unreachable,
}

/// A committed write waiting for its replicas.
#[derive(Clone, Copy, Debug)]
struct Pending {
    index: u64,
    req: Request,
    since: SimTime,
}

/// One failover, as the summary and the timeline tell it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FailoverRecord {
    /// When the primary died, and when the new one took over.
    pub died_at_s: f64,
    pub at_s: f64,
    pub from: String,
    pub to: String,
    /// Acknowledged writes the new primary never applied.
    pub lost: u64,
    /// The old primary's log ahead of the new one's (entries).
    pub lag_entries: u64,
    /// The old primary was not dead but cut off by a partition (`died_at_s`
    /// is when).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cut_off: bool,
    /// Through an ensemble (`election`): the phases the database saw.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub election: Option<ElectionPhases>,
}

/// A failover through an ensemble, phase by phase (times in s). The
/// ensemble's own phases (session expiry, the znode deleted, the watches
/// fired) are its stories; these are what the database's clients saw.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ElectionPhases {
    pub recipe: Recipe,
    /// The dead primary's last heartbeat (sent).
    pub last_heartbeat_s: f64,
    /// The first watch notification a candidate received.
    pub notified_s: Option<f64>,
    /// The winner learned it won (`at_s` of the record).
    pub new_primary_s: f64,
    /// The app servers learned the new primary (their watch fired and they
    /// read the znode): writes flow again.
    pub app_servers_updated_s: Option<f64>,
    /// The new primary's log reaches the replicas (one shipping delay).
    pub replicas_repointed_s: f64,
    /// Watch notifications to candidates from the death to the new primary.
    pub notifications: u64,
}

impl ElectionPhases {
    /// From the last heartbeat to the app servers updated.
    pub fn failover_s(&self) -> Option<f64> {
        self.app_servers_updated_s.map(|t| t - self.last_heartbeat_s)
    }
}

/// One member as the panel draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct MemberState {
    pub name: String,
    pub up: bool,
    pub primary: bool,
    pub mode: ReplicaMode,
    pub busy: u32,
    pub queue_len: u64,
    pub load_per_s: f64,
    /// Entries of the primary's log it has not applied, and the age of the
    /// oldest of them (0 for the primary).
    pub lag_entries: u64,
    pub lag_ms: f64,
    /// An old primary out of the replica set until it returns.
    pub detached: bool,
    /// Cut off by a partition.
    pub cut: bool,
    /// It takes writes though another was elected (split brain).
    pub stale_leader: bool,
}

/// What the panel draws.
#[derive(Clone, Debug, PartialEq)]
pub struct DbView {
    /// None while the replicas have modes of their own (as `DbSettings`).
    pub replication: Option<Replication>,
    pub read_from: ReadFrom,
    pub members: Vec<MemberState>,
    /// Semi-sync is running asynchronously after a timeout.
    pub fallen_back: bool,
    /// Writes committed on the primary, waiting for replicas.
    pub waiting_for_replicas: u64,
    /// Requests waiting for a primary (during a failover).
    pub waiting_for_primary: u64,
    /// When the primary died, if a failover is under way.
    pub failover_since_s: Option<f64>,
    /// Through an ensemble: how it elects, and the last failover's phases.
    pub election: Option<ElectionView>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ElectionView {
    pub recipe: Recipe,
    /// Each node that sends it requests, and the member its app servers
    /// send writes to (what their watch read).
    pub app_servers_know: Vec<(String, Option<String>)>,
    /// The ensemble's session timeout.
    pub session_timeout_ms: f64,
    pub last: Option<ElectionPhases>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MemberSummary {
    pub up: bool,
    pub primary: bool,
    pub mode: ReplicaMode,
    pub served: u64,
    pub utilisation: f64,
    pub lag_entries: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReplicationSummary {
    /// Null while the replicas have modes of their own (each member says its).
    pub replication: Option<Replication>,
    pub read_from: ReadFrom,
    pub reads: u64,
    pub writes: u64,
    pub acknowledged_writes: u64,
    pub stale_reads: u64,
    pub read_your_writes_violations: u64,
    pub lost_writes: u64,
    pub semi_sync_fallbacks: u64,
    pub reclones: u64,
    pub failovers: Vec<FailoverRecord>,
    pub members: BTreeMap<String, MemberSummary>,
    /// The ledger's size: `key_space` × 8 bytes.
    pub ledger_bytes: u64,
    /// With an election: what partitions did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partitions: Option<PartitionSummary>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartitionSummary {
    pub consistency: Consistency,
    pub fencing: bool,
    /// Writes an old primary, cut off, took after another was elected.
    pub split_brain_writes: u64,
    /// Keys both sides wrote.
    pub conflicts: u64,
    pub refused_by_fencing: u64,
    /// Requests held because their member was on the other side of a
    /// partition (they waited for one in reach).
    pub held_by_partition: u64,
}

#[derive(Clone, Debug)]
pub struct ReplicatedDb {
    replication: Replication,
    read_from: ReadFrom,
    ack_count: u32,
    timeout_ns: SimTime,
    apply_rate_per_s: f64,
    apply: Duration,
    ship_ns: SimTime,
    workers: u32,
    queue_capacity: u64,
    /// A read's and a write's service time (`read_or_write`).
    services: [Duration; 2],
    read_spec: ServiceTimeSpec,
    key_space: u64,
    failover_ns: SimTime,
    semi_sync_possible: bool,
    members: Vec<Member>,
    /// The primary (kept while it is down, until one is promoted).
    primary: Option<u32>,
    log: VecDeque<Entry>,
    /// The index of `log[0]`.
    base: u64,
    /// The newest version handed out.
    version: u32,
    /// Per key: the newest version acknowledged, and to which client.
    ledger: Vec<(u32, u32)>,
    pending: VecDeque<Pending>,
    timeout_armed: bool,
    fallen_back: bool,
    /// Requests waiting for a primary, with the node each came from.
    orphans: VecDeque<(Request, NodeIdx)>,
    fencing: bool,
    consistency: Consistency,
    /// Writes a cut-off old primary took after another was elected, the
    /// keys both sides wrote, writes refused by fencing, and requests held
    /// because their member was across a partition.
    split_brain: u64,
    conflicts: u64,
    fenced: u64,
    unreachable: u64,
    /// Voids a promotion timer (the primary came back first).
    failover_gen: u32,
    died_at: Option<SimTime>,
    failovers: Vec<FailoverRecord>,
    /// Told as they happen (the view copies them).
    stories: Told,
    reads: u64,
    writes: u64,
    acknowledged: u64,
    completed: u64,
    errors: u64,
    stale: u64,
    ryw: u64,
    lost: u64,
    fallbacks: u64,
    reclones: u64,
    window_latency: WindowLatency,
    sampled: (u64, u64),
    last_sample_ns: SimTime,
    /// Turns round the members for reads that tie.
    turn: u32,
    /// The time of the last event (what the view's lag in ms is measured at).
    clock: SimTime,
    /// Elects its primary through an ensemble.
    election: Option<Election>,
    /// Watch notifications candidates received since the primary died.
    notified: (u64, Option<SimTime>),
}

impl ReplicatedDb {
    pub fn new(s: &ReplicatedDbSpec) -> Self {
        let keys = s.key_space as usize;
        // The primary's mode is what it has when it steps down.
        let default_mode = s.replication.replica_mode();
        let mode_of = |r: usize| s.modes.get(r).copied().unwrap_or(default_mode);
        let member = |i: usize, mode: ReplicaMode| {
            let desk = Desk::new(Station::new(s.workers, s.queue_capacity, None), T_DONE | ((i as u32) << 3));
            Member::new(mode, keys, desk)
        };
        let mut members = vec![member(0, default_mode)];
        members[0].leading = true;
        members.extend((0..s.replicas as usize).map(|r| member(r + 1, mode_of(r))));
        ReplicatedDb {
            replication: s.replication,
            read_from: s.read_from,
            ack_count: s.ack_count,
            timeout_ns: ms_to_ns(s.timeout_ms),
            apply_rate_per_s: s.apply_rate_per_s,
            apply: Duration::exponential(1000.0 / s.apply_rate_per_s),
            ship_ns: ms_to_ns(s.ship_delay_ms),
            workers: s.workers,
            queue_capacity: s.queue_capacity,
            services: [service_time(&s.service_time), service_time(&s.write_service_time)],
            read_spec: s.service_time.clone(),
            key_space: s.key_space,
            failover_ns: ms_to_ns(s.failover_ms),
            semi_sync_possible: s.semi_sync_possible(),
            members,
            primary: Some(0),
            log: VecDeque::new(),
            base: 0,
            version: 0,
            ledger: vec![(0, NOBODY); keys],
            pending: VecDeque::new(),
            timeout_armed: false,
            fallen_back: false,
            orphans: VecDeque::new(),
            fencing: s.fencing,
            consistency: s.consistency,
            split_brain: 0,
            conflicts: 0,
            fenced: 0,
            unreachable: 0,
            failover_gen: 0,
            died_at: None,
            failovers: Vec::new(),
            stories: Told::new("replication", STORIES, 1),
            reads: 0,
            writes: 0,
            acknowledged: 0,
            completed: 0,
            errors: 0,
            stale: 0,
            ryw: 0,
            lost: 0,
            fallbacks: 0,
            reclones: 0,
            window_latency: WindowLatency::new(),
            sampled: (0, 0),
            last_sample_ns: 0,
            clock: 0,
            turn: 0,
            election: None,
            notified: (0, None),
        }
    }

    /// Elects its primary through the ensemble it reaches by `link`.
    pub fn with_election(mut self, election: Election) -> Self {
        self.election = Some(election);
        self
    }

    /// Where a write from `from` goes: the primary its app servers know,
    /// if it is up, believes it leads, and is on their side of any
    /// partition.
    fn write_target(&self, ctx: &Ctx, from: NodeIdx) -> Target {
        let known = match &self.election {
            Some(e) => e.routed[e.router_of(from)],
            None => self.primary,
        };
        let Some(p) = known else { return Target::Wait };
        let m = &self.members[p as usize];
        if !m.up || !m.leading {
            return Target::Wait;
        }
        if ctx.part_side(p) != ctx.side_of(from) {
            return Target::Unreachable;
        }
        Target::Member(p)
    }

    /// Whether member `p` may take a write now: without fencing, always;
    /// with it, while it holds its lease (it heard from the ensemble within
    /// two thirds of the session timeout: a ZooKeeper client's read
    /// timeout, after which it reports itself disconnected).
    fn holds_lease(&self, now: SimTime, p: u32) -> bool {
        match &self.election {
            Some(e) if self.fencing => now.saturating_sub(e.last_heard(p)) <= e.timeout_ns() * 2 / 3,
            _ => true,
        }
    }

    /// Requests that ended in an error: its own answers and its members'
    /// (dropped by a full queue, reset by a failure).
    fn errors(&self) -> u64 {
        self.errors + self.members.iter().map(|m| m.desk.st.dropped + m.desk.st.reset).sum::<u64>()
    }

    fn head(&self) -> u64 {
        self.base + self.log.len() as u64
    }

    /// Whether every replica has the mode `replication` alone gives it.
    fn uniform(&self) -> bool {
        let mode = self.replication.replica_mode();
        self.members.iter().enumerate().all(|(i, m)| Some(i as u32) == self.primary || m.mode == mode)
    }

    fn live_primary(&self) -> Option<u32> {
        self.primary.filter(|&p| self.members[p as usize].up)
    }

    fn timer(ctx: &mut Ctx, delay: SimTime, kind: u32, generation: u32, slot: u32) {
        ctx.set_timer(delay, kind | ((generation & GEN_MASK) << 3), slot);
    }

    fn tell(&mut self, now: SimTime, text: String, bad: bool) {
        self.stories.tell(now, text, bad);
    }

    /// Whether a committed write must wait for replicas now.
    fn waits(&self) -> bool {
        match self.replication {
            Replication::SemiSync => !self.fallen_back,
            _ => self
                .members
                .iter()
                .enumerate()
                .any(|(i, m)| Some(i as u32) != self.primary && !m.detached && m.mode == ReplicaMode::Sync),
        }
    }

    /// Whether the write at log index `i` has the acknowledgements it needs.
    fn enough_acks(&self, i: u64) -> bool {
        let replicas = self
            .members
            .iter()
            .enumerate()
            .filter(|&(n, m)| Some(n as u32) != self.primary && !m.detached)
            .map(|(_, m)| m);
        match self.replication {
            Replication::SemiSync => {
                self.fallen_back || replicas.filter(|m| m.acked > i).count() >= self.ack_count as usize
            }
            _ => replicas.filter(|m| m.mode == ReplicaMode::Sync).all(|m| m.acked > i),
        }
    }

    // ---- requests ----

    /// Where a read from `from` goes now, if anywhere.
    fn read_target(&self, ctx: &Ctx, from: NodeIdx) -> Target {
        let side = ctx.side_of(from);
        let primary = match self.write_target(ctx, from) {
            Target::Member(p) => Some(p),
            _ => None,
        };
        // The least busy candidate on its side; ties take turns, each read
        // the next of the tied ones.
        let least_busy = |replicas_only: bool| {
            let candidates = || {
                (0..self.members.len() as u32).filter(move |&i| {
                    self.members[i as usize].up
                        && !(replicas_only && (Some(i) == self.primary || Some(i) == primary))
                        && ctx.part_side(i) == side
                })
            };
            let least = candidates().map(|i| self.members[i as usize].depth()).min()?;
            let tied = || candidates().filter(move |&i| self.members[i as usize].depth() == least);
            tied().nth(self.turn as usize % tied().count())
        };
        let found = match self.read_from {
            ReadFrom::Primary => primary,
            ReadFrom::Replicas => least_busy(true).or(primary),
            ReadFrom::Any => least_busy(false),
        };
        match found {
            Some(m) => Target::Member(m),
            None if (0..self.members.len() as u32).any(|i| ctx.part_side(i) == side) => Target::Wait,
            None => Target::Unreachable,
        }
    }

    /// Sends a request where it can go; says where that was.
    fn route(&mut self, ctx: &mut Ctx, req: Request, from: NodeIdx) -> Target {
        let write = req.op == Op::Write;
        if write && self.waits() && self.pending.len() as u64 >= self.queue_capacity {
            // The writes waiting for replicas fill the queue: one more is refused.
            self.finish(ctx, req, Status::Refused);
            return Target::Wait;
        }
        let target = if write { self.write_target(ctx, from) } else { self.read_target(ctx, from) };
        self.turn = self.turn.wrapping_add(1);
        match target {
            Target::Member(m) if write && !self.holds_lease(ctx.now(), m) => {
                self.fenced += 1;
                self.finish(ctx, req, Status::Refused);
            }
            Target::Member(m) => self.admit(ctx, req, m),
            // Waiting for a primary (a failover under way), or for its
            // member to be in reach again (its app servers retry until
            // they learn another), if there is room.
            Target::Wait | Target::Unreachable if (self.orphans.len() as u64) < self.queue_capacity => {
                self.orphans.push_back((req, from));
            }
            Target::Wait | Target::Unreachable => self.finish(ctx, req, Status::Refused),
        }
        target
    }

    fn admit(&mut self, ctx: &mut Ctx, req: Request, member: u32) {
        // A full queue answers `Dropped` itself (the desk counts it).
        self.members[member as usize].desk.arrive(ctx, req, &self.services, read_or_write);
    }

    /// Member `r`'s service timer fired.
    fn done(&mut self, ctx: &mut Ctx, r: u32, slot: u32) {
        let m = &mut self.members[r as usize];
        let Some(req) = m.desk.done(ctx, slot) else { return };
        m.desk.start_waiting(ctx, &self.services, read_or_write);
        let key = (req.key % self.key_space) as usize;
        if req.op == Op::Write && Some(r) == self.primary && self.members[r as usize].leading {
            self.commit(ctx, req, r, key);
        } else if req.op == Op::Write && self.members[r as usize].leading && self.holds_lease(ctx.now(), r) {
            self.split_brain_write(ctx, req, r, key);
        } else if req.op == Op::Write
            && !self.members[r as usize].leading
            && let Some(from) = self.election.as_ref().and_then(|e| e.source(&req))
        {
            // It stepped down while the write waited: its app servers try
            // the primary they know (or wait to learn one).
            self.route(ctx, req, from);
        } else if req.op == Op::Write {
            // It lost its lease while the write waited (fencing).
            self.fenced += u64::from(self.fencing);
            self.finish(ctx, req, Status::Refused);
        } else {
            let seen = self.members[r as usize].versions[key];
            let (newest, to) = self.ledger[key];
            if seen < newest {
                self.stale += 1;
                if to == req.client_id {
                    self.ryw += 1;
                }
            }
            self.finish(ctx, req, Status::Ok);
        }
    }

    /// An old primary cut off from the ensemble, another elected, took a
    /// write: acknowledged (the ledger has it), in no log the others follow.
    fn split_brain_write(&mut self, ctx: &mut Ctx, req: Request, r: u32, key: usize) {
        self.version += 1;
        self.split_brain += 1;
        let m = &mut self.members[r as usize];
        m.versions[key] = self.version;
        m.stale.insert(key as u32, (self.version, req.client_id));
        self.ledger[key] = (self.version, req.client_id);
        self.acknowledged += 1;
        self.finish(ctx, req, Status::Ok);
    }

    /// Member `o`, an old primary, learned its session expired: it stops
    /// taking writes, and what it took after another was elected is
    /// discarded (cp) or merged into the primary, the newer version of a
    /// key winning (ap).
    fn step_down(&mut self, ctx: &mut Ctx, o: u32) {
        let now = ctx.now();
        if !std::mem::replace(&mut self.members[o as usize].leading, false) {
            return;
        }
        let Some(p) = self.primary.filter(|&p| p != o) else {
            return self.tell(
                now,
                format!("{}'s session expired: it stops taking writes until it wins again", member_name(o)),
                true,
            );
        };
        let stale = std::mem::take(&mut self.members[o as usize].stale);
        let base = self.members[o as usize].stale_base;
        let (mut conflicts, mut lost, mut merged) = (0u64, 0u64, 0u64);
        for (&key, &(v, client)) in &stale {
            let k = key as usize;
            let theirs = self.members[p as usize].versions[k];
            // Two primaries took the key: it after the election, the new one too.
            if v > base && theirs > base {
                conflicts += 1;
            }
            if self.consistency == Consistency::Ap && v > theirs {
                // The newer version wins: it joins the primary's log.
                self.members[p as usize].versions[k] = v;
                self.log.push_back(Entry { key, version: v, client, at_ns: now, acked: true });
                merged += 1;
            } else {
                lost += 1;
                if self.ledger[k].0 == v {
                    self.ledger[k] = (theirs, NOBODY);
                }
            }
        }
        self.conflicts += conflicts;
        self.lost += lost;
        self.members[o as usize].diverged = true;
        let what = match self.consistency {
            Consistency::Ap => format!("{merged} key(s) merged into {}, {lost} lost to newer versions", member_name(p)),
            Consistency::Cp => format!("all {lost} discarded"),
        };
        self.tell(
            now,
            format!(
                "{} learned its session expired: it steps down. The keys it wrote while {} led: {what}; {conflicts} written on both sides",
                member_name(o),
                member_name(p)
            ),
            lost + conflicts > 0,
        );
        if self.members[o as usize].up && ctx.part_side(o) == ctx.part_side(p) {
            self.repoint(ctx, o);
        }
        for r in 0..self.members.len() as u32 {
            if r != p && self.members[r as usize].up && !self.members[r as usize].leading {
                self.ship(ctx, r);
            }
        }
    }

    /// The primary wrote: the entry joins the log and ships to the replicas.
    fn commit(&mut self, ctx: &mut Ctx, req: Request, primary: u32, key: usize) {
        self.version += 1;
        let index = self.head();
        self.members[primary as usize].versions[key] = self.version;
        self.log.push_back(Entry {
            key: key as u32,
            version: self.version,
            client: req.client_id,
            at_ns: ctx.now(),
            acked: false,
        });
        for r in 0..self.members.len() as u32 {
            if r != primary && self.members[r as usize].up {
                self.ship(ctx, r);
            }
        }
        if self.waits() {
            // One timeout timer at a time, for the oldest waiting write.
            if self.replication == Replication::SemiSync && !self.timeout_armed {
                self.timeout_armed = true;
                Self::timer(ctx, self.timeout_ns, T_TIMEOUT, 0, 0);
            }
            self.pending.push_back(Pending { index, req, since: ctx.now() });
        } else {
            self.acknowledge(ctx, req, index);
        }
        self.trim();
    }

    fn acknowledge(&mut self, ctx: &mut Ctx, req: Request, index: u64) {
        if let Some(e) = index.checked_sub(self.base).and_then(|i| self.log.get_mut(i as usize)) {
            e.acked = true;
            self.ledger[e.key as usize] = (e.version, e.client);
        }
        self.acknowledged += 1;
        self.finish(ctx, req, Status::Ok);
    }

    fn finish(&mut self, ctx: &mut Ctx, req: Request, status: Status) {
        if status == Status::Ok {
            self.completed += 1;
            self.window_latency.record(ctx.now() - req.arrived_ns);
        } else {
            self.errors += 1;
        }
        ctx.reply(req, status);
    }

    /// Answers the waiting writes that have their acknowledgements, in order.
    fn release(&mut self, ctx: &mut Ctx) {
        while let Some(&w) = self.pending.front() {
            if !self.enough_acks(w.index) {
                break;
            }
            self.pending.pop_front();
            self.acknowledge(ctx, w.req, w.index);
        }
    }

    // ---- replication ----

    /// Whether a partition keeps member `r` and the primary apart (what
    /// goes between them is lost).
    fn apart(&self, ctx: &Ctx, r: u32) -> bool {
        self.primary.is_some_and(|p| ctx.part_side(p) != ctx.part_side(r))
    }

    /// Ships the log up to its head to replica `r`.
    fn ship(&mut self, ctx: &mut Ctx, r: u32) {
        // Nothing ships to an old primary that still leads (it follows no
        // one until it learns it lost), nor across a partition.
        if self.members[r as usize].leading || self.apart(ctx, r) {
            return;
        }
        let head = self.head();
        let m = &mut self.members[r as usize];
        if m.received >= head || m.inflight.back() == Some(&head) {
            return;
        }
        m.inflight.push_back(head);
        Self::timer(ctx, self.ship_ns, T_SHIP, m.ship_gen, r);
    }

    fn shipped(&mut self, ctx: &mut Ctx, r: u32) {
        let (head, apart) = (self.head(), self.apart(ctx, r));
        let m = &mut self.members[r as usize];
        if let Some(upto) = m.inflight.pop_front()
            && !apart
        {
            m.received = m.received.max(upto.min(head));
        }
        self.start_apply(ctx, r);
    }

    fn start_apply(&mut self, ctx: &mut Ctx, r: u32) {
        let m = &self.members[r as usize];
        if m.up && !m.applying && m.applied < m.received {
            let stream = m.stream;
            self.members[r as usize].applying = true;
            let t = self.apply.sample_ns(ctx.rng());
            Self::timer(ctx, t, T_APPLY, stream, r);
        }
    }

    fn applied(&mut self, ctx: &mut Ctx, r: u32) {
        self.members[r as usize].applying = false;
        if self.members[r as usize].applied < self.base {
            return self.reclone(ctx, r);
        }
        let m = &mut self.members[r as usize];
        if let Some(e) = self.log.get((m.applied - self.base) as usize) {
            m.versions[e.key as usize] = e.version;
            m.applied += 1;
            m.ack_flight.push_back(m.applied);
            let stream = m.stream;
            Self::timer(ctx, self.ship_ns, T_ACK, stream, r);
        }
        self.start_apply(ctx, r);
        self.trim();
    }

    fn ack_arrived(&mut self, ctx: &mut Ctx, r: u32) {
        let (head, apart) = (self.head(), self.apart(ctx, r));
        let m = &mut self.members[r as usize];
        if let Some(a) = m.ack_flight.pop_front()
            && !apart
        {
            m.acked = m.acked.max(a);
        }
        if self.fallen_back && self.members[r as usize].acked >= head {
            self.fallen_back = false;
            self.tell(ctx.now(), format!("{} caught up: semi-sync again", member_name(r)), false);
        }
        self.release(ctx);
    }

    /// A semi-sync write waited `timeout_ms`: the primary answers every
    /// waiting write and goes on asynchronously.
    fn timed_out(&mut self, ctx: &mut Ctx) {
        self.timeout_armed = false;
        let Some(front) = self.pending.front().copied() else { return };
        let deadline = front.since + self.timeout_ns;
        if ctx.now() < deadline {
            self.timeout_armed = true;
            return Self::timer(ctx, deadline - ctx.now(), T_TIMEOUT, 0, 0);
        }
        self.fallen_back = true;
        self.fallbacks += 1;
        let n = self.pending.len();
        self.tell(
            ctx.now(),
            format!(
                "semi-sync: no {} acknowledgement(s) in {:.0} ms; falling back to async ({n} waiting writes answered)",
                self.ack_count,
                ns_to_ms(self.timeout_ns)
            ),
            true,
        );
        self.release(ctx);
    }

    /// Drops log entries every member has applied (and, past `MAX_LOG`,
    /// the oldest: members behind them are re-cloned).
    fn trim(&mut self) {
        let primary = self.primary.map(|p| p as usize);
        let floor = self
            .members
            .iter()
            .enumerate()
            .filter(|&(i, _)| Some(i) != primary)
            .map(|(_, m)| m.applied)
            .min()
            .unwrap_or(self.head());
        while self.base < floor && !self.log.is_empty() {
            self.log.pop_front();
            self.base += 1;
        }
        while self.log.len() > MAX_LOG {
            self.log.pop_front();
            self.base += 1;
        }
    }

    /// A member too far behind the log copies the primary's data.
    fn reclone(&mut self, ctx: &mut Ctx, r: u32) {
        let Some(p) = self.live_primary().filter(|&p| p != r) else { return };
        let head = self.head();
        let versions = self.members[p as usize].versions.clone();
        let m = &mut self.members[r as usize];
        m.versions = versions;
        m.received = head;
        m.applied = head;
        m.acked = head;
        m.diverged = false;
        m.void_flows();
        self.reclones += 1;
        self.tell(ctx.now(), format!("{} re-cloned from {}", member_name(r), member_name(p)), false);
    }

    /// Re-points replica `r` at the current primary: what is on its way is
    /// void, and it fetches what it lacks.
    fn repoint(&mut self, ctx: &mut Ctx, r: u32) {
        let head = self.head();
        let m = &mut self.members[r as usize];
        m.detached = false;
        m.void_flows();
        m.received = m.received.min(head).max(m.applied);
        m.acked = m.applied;
        if m.diverged || m.applied < self.base {
            self.reclone(ctx, r);
        } else {
            self.ship(ctx, r);
            self.start_apply(ctx, r);
        }
    }

    // ---- failures ----

    /// Every request member `r` holds fails with it.
    fn fail_member(&mut self, ctx: &mut Ctx, r: u32) {
        let m = &mut self.members[r as usize];
        m.desk.fail(ctx);
        m.desk.st.workers = 0;
        m.up = false;
        m.void_flows();
        if self.primary == Some(r) {
            // Waiting writes never learn their fate: an error to the client.
            while let Some(w) = self.pending.pop_front() {
                self.finish(ctx, w.req, Status::Reset);
            }
            // Its sender dies with it: what the replicas had not received is gone.
            for m in &mut self.members {
                m.void_shipments();
            }
            let (head, m) = (self.head(), &mut self.members[r as usize]);
            (m.received, m.applied, m.acked) = (head, head, head);
            self.died_at = Some(ctx.now());
            self.notified = (0, None);
            self.failover_gen = (self.failover_gen + 1) & GEN_MASK;
            if self.election.is_some() {
                self.tell(
                    ctx.now(),
                    format!(
                        "{} (primary) died: writes wait until its session expires and another wins the election",
                        member_name(r)
                    ),
                    true,
                );
            } else {
                Self::timer(ctx, self.failover_ns, T_PROMOTE, self.failover_gen, 0);
                self.tell(
                    ctx.now(),
                    format!(
                        "{} (primary) died: writes wait; a replica takes over in {:.0} ms",
                        member_name(r),
                        ns_to_ms(self.failover_ns)
                    ),
                    true,
                );
            }
        }
        if let Some(e) = &mut self.election {
            e.stop(r);
        }
    }

    fn recover_member(&mut self, ctx: &mut Ctx, r: u32) {
        let m = &mut self.members[r as usize];
        m.desk.set_workers(ctx, self.workers, &self.services, read_or_write);
        m.up = true;
        if self.members[r as usize].leading && self.primary != Some(r) {
            // An old primary that died cut off: what it took is settled now.
            self.step_down(ctx, r);
        }
        if let Some(e) = &mut self.election {
            e.resume(ctx, r, self.primary == Some(r), &mut zk_timer);
        }
        if self.primary == Some(r) {
            // Back before anyone took over: still the primary.
            self.failover_gen = (self.failover_gen + 1) & GEN_MASK;
            self.died_at = None;
            self.tell(ctx.now(), format!("{} came back before a failover: still the primary", member_name(r)), false);
            for s in 0..self.members.len() as u32 {
                if s != r && self.members[s as usize].up {
                    self.ship(ctx, s);
                }
            }
            self.drain_orphans(ctx);
        } else if self.primary.is_none() && self.election.is_none() {
            self.promote(ctx, None);
        } else {
            self.repoint(ctx, r);
        }
    }

    /// `chosen` (the election's winner), or else the live member that
    /// received most, becomes the primary.
    fn promote(&mut self, ctx: &mut Ctx, chosen: Option<u32>) {
        let now = ctx.now();
        let old = self.primary;
        let best = chosen.filter(|&c| self.members[c as usize].up).or_else(|| {
            (0..self.members.len() as u32)
                .filter(|&i| self.members[i as usize].up)
                .max_by_key(|&i| (self.members[i as usize].received, std::cmp::Reverse(i)))
        });
        let Some(b) = best else {
            self.primary = None;
            self.tell(now, "no live member to promote: writes wait".into(), true);
            return;
        };
        // It applies its relay log before it takes writes (here at once).
        let cut = self.members[b as usize].received;
        {
            let m = &mut self.members[b as usize];
            for i in m.applied..cut {
                if let Some(e) = i.checked_sub(self.base).and_then(|k| self.log.get(k as usize)) {
                    m.versions[e.key as usize] = e.version;
                }
            }
            m.applied = cut;
        }
        let head = self.head();
        let mut lost = 0;
        // An old primary alive but cut off still holds what it wrote past
        // the new one's log: settled when it learns it lost (`step_down`).
        let holder = old.filter(|&o| o != b && self.members[o as usize].up);
        let mut held = BTreeMap::new();
        let b_versions = &self.members[b as usize].versions;
        for e in self.log.iter().skip(cut.saturating_sub(self.base) as usize) {
            if e.acked && holder.is_some() {
                held.insert(e.key, (e.version, e.client));
            } else if e.acked {
                lost += 1;
                // The key's newest acknowledged version is what the new primary has.
                self.ledger[e.key as usize] = (b_versions[e.key as usize], NOBODY);
            }
        }
        if let Some(o) = holder {
            self.members[o as usize].stale = held;
        }
        self.log.truncate(cut.saturating_sub(self.base) as usize);
        self.lost += lost;
        if let Some(o) = old.filter(|&o| o != b) {
            // It steps down: its log runs past the new primary's.
            let (om, bm) = (self.members[o as usize].mode, self.members[b as usize].mode);
            self.members[o as usize].mode = bm;
            self.members[b as usize].mode = om;
            self.members[o as usize].diverged = head > cut;
            self.members[o as usize].detached = true;
            // Alive but cut off, it does not know: it leads on, on its side.
            // A dead one leads no more.
            self.members[o as usize].stale_base = self.version;
            self.members[o as usize].leading &= self.members[o as usize].up;
        }
        self.primary = Some(b);
        let m = &mut self.members[b as usize];
        m.acked = cut;
        m.leading = true;
        m.void_flows();
        let died = self.died_at.take().unwrap_or(now);
        let election = self.election.as_ref().map(|e| ElectionPhases {
            recipe: e.recipe,
            last_heartbeat_s: ns_to_s(old.and_then(|o| e.last_heartbeat(o)).unwrap_or(died)),
            notified_s: self.notified.1.map(ns_to_s),
            new_primary_s: ns_to_s(now),
            app_servers_updated_s: None,
            replicas_repointed_s: ns_to_s(now + self.ship_ns),
            notifications: self.notified.0,
        });
        self.failovers.push(FailoverRecord {
            died_at_s: ns_to_s(died),
            at_s: ns_to_s(now),
            from: old.map_or_else(|| "none".into(), member_name),
            to: member_name(b),
            lost,
            lag_entries: head - cut,
            cut_off: old.is_some_and(|o| self.members[o as usize].up),
            election,
        });
        if self.failovers.len() > FAILOVERS {
            self.failovers.remove(0);
        }
        let how = match &self.election {
            Some(e) => format!("won the {} election", e.recipe.label()),
            None => "promoted".to_string(),
        };
        let when = match old.filter(|&o| self.members[o as usize].up) {
            Some(o) => format!(
                "{:.0} ms after {} was cut off (alive, it still leads on its side)",
                ns_to_ms(now - died),
                member_name(o)
            ),
            None => format!("{:.0} ms after the death", ns_to_ms(now - died)),
        };
        self.tell(
            now,
            format!("{} {how} {when}: {lost} acknowledged write(s) it never received are lost", member_name(b)),
            lost > 0,
        );
        // Semi-sync starts afresh with the new primary.
        self.fallen_back = false;
        for r in 0..self.members.len() as u32 {
            let apart = self.apart(ctx, r);
            self.members[r as usize].apart = apart;
            let m = &self.members[r as usize];
            if r != b && m.up && !m.leading && !apart {
                self.repoint(ctx, r);
            }
        }
        self.drain_orphans(ctx);
    }

    /// What an election client's message meant.
    fn elected(&mut self, ctx: &mut Ctx, outcome: Outcome) {
        let now = ctx.now();
        match outcome {
            Outcome::Notified => {
                if self.died_at.is_some() {
                    self.notified.0 += 1;
                    self.notified.1.get_or_insert(now);
                }
            }
            Outcome::Won(c) if self.primary == Some(c) && self.died_at.is_none() => {
                self.members[c as usize].leading = true;
            }
            Outcome::Won(c) => self.promote(ctx, Some(c)),
            Outcome::Expired(c) => self.step_down(ctx, c),
            Outcome::Rejoined(c) => {
                if !self.members[c as usize].leading
                    && let Some(e) = &mut self.election
                {
                    e.rejoin(ctx, c);
                }
            }
            Outcome::Routed { router, member: c } => {
                let who = self.election.as_ref().map_or_else(String::new, |e| e.router_name(router).to_string());
                if self.primary != Some(c) {
                    return self.tell(
                        now,
                        format!("{who}'s app servers read {} from the znode: not the primary", member_name(c)),
                        true,
                    );
                }
                let mut took = None;
                if let Some(p) = self.failovers.last_mut().and_then(|f| f.election.as_mut())
                    && p.app_servers_updated_s.is_none()
                {
                    p.app_servers_updated_s = Some(ns_to_s(now));
                    took = p.failover_s();
                }
                let took =
                    took.map_or_else(String::new, |t| format!(" ({:.0} ms after its last heartbeat)", t * 1000.0));
                self.tell(now, format!("{who}'s watch fired: its writes go to {}{took}", member_name(c)), false);
                self.drain_orphans(ctx);
            }
        }
    }

    fn drain_orphans(&mut self, ctx: &mut Ctx) {
        for (req, from) in std::mem::take(&mut self.orphans) {
            self.route(ctx, req, from);
        }
    }

    // ---- what it shows ----

    /// A replica's lag: entries of the log it has not applied, and the age
    /// of the oldest. Nothing for the primary, nor for an old primary out of
    /// the replica set (it follows no log until it returns, re-cloned).
    fn lag_of(&self, i: usize, now: SimTime) -> (u64, f64) {
        let m = &self.members[i];
        if Some(i as u32) == self.primary || m.detached {
            return (0, 0.0);
        }
        let head = self.head();
        let behind = head.saturating_sub(m.applied);
        // The oldest entry it lacks (the log's first, if it lacks trimmed ones).
        let oldest = self.log.get(m.applied.saturating_sub(self.base) as usize);
        let ms = oldest.map_or(0.0, |e| ns_to_ms(now.saturating_sub(e.at_ns)));
        (behind, ms)
    }

    fn figures(&self, members: &[MemberState]) -> Vec<(&'static str, f64)> {
        let lag = members.iter().map(|m| m.lag_entries).max().unwrap_or(0);
        let lag_ms = members.iter().map(|m| m.lag_ms).fold(0.0, f64::max);
        let mut out = vec![
            ("Writes acknowledged", self.acknowledged as f64),
            ("Reads answered", (self.completed - self.acknowledged) as f64),
            ("Errors", self.errors() as f64),
            ("Stale reads", self.stale as f64),
            ("Stale reads %", 100.0 * self.stale as f64 / (self.completed - self.acknowledged).max(1) as f64),
            ("Read-your-writes violations", self.ryw as f64),
            ("Lost writes", self.lost as f64),
            ("Max replica lag (entries)", lag as f64),
            ("Max replica lag ms", lag_ms),
            ("Writes waiting for replicas", self.pending.len() as f64),
            ("Requests waiting for a primary", self.orphans.len() as f64),
            ("Failovers", self.failovers.len() as f64),
        ];
        if self.election.is_some() {
            out.extend([
                ("Split-brain writes", self.split_brain as f64),
                ("Conflicts", self.conflicts as f64),
                ("Writes refused by fencing", self.fenced as f64),
                ("Requests held by a partition", self.unreachable as f64),
            ]);
        }
        if let Some(f) = self.failovers.last() {
            out.push(("Last failover took s", f.at_s - f.died_at_s));
            if let Some(e) = &f.election {
                out.push(("Election notifications", e.notifications as f64));
                if let Some(t) = e.failover_s() {
                    out.push(("Failover ms from the last heartbeat", t * 1000.0));
                }
            }
        }
        if self.replication == Replication::SemiSync {
            out.push(("Semi-sync fallbacks", self.fallbacks as f64));
        }
        out
    }

    fn member_states(&self, now: SimTime) -> Vec<MemberState> {
        (0..self.members.len())
            .map(|i| {
                let m = &self.members[i];
                let (lag_entries, lag_ms) = self.lag_of(i, now);
                MemberState {
                    name: member_name(i as u32),
                    up: m.up,
                    primary: Some(i as u32) == self.primary,
                    mode: m.mode,
                    busy: m.desk.st.busy,
                    queue_len: m.desk.st.queue_len(),
                    load_per_s: m.load_per_s,
                    lag_entries,
                    lag_ms,
                    detached: m.detached,
                    cut: m.cut,
                    stale_leader: m.leading && Some(i as u32) != self.primary,
                }
            })
            .collect()
    }
}

/// Sets an election client's timer.
fn zk_timer(ctx: &mut Ctx, delay: SimTime, generation: u32, slot: u32) {
    ReplicatedDb::timer(ctx, delay, T_ZK, generation, slot);
}

impl Node for ReplicatedDb {
    fn start(&mut self, ctx: &mut Ctx) {
        if let Some(e) = &mut self.election {
            e.start(ctx, &mut zk_timer);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx, from: NodeIdx, payload: Payload) {
        self.clock = ctx.now();
        match payload {
            Payload::Request(mut req) => {
                req.arrived_ns = ctx.now();
                req.op = if req.op.writes() { Op::Write } else { Op::Read };
                if req.op == Op::Write {
                    self.writes += 1;
                } else {
                    self.reads += 1;
                }
                if self.route(ctx, req, from) == Target::Unreachable {
                    self.unreachable += 1;
                }
            }
            Payload::Timer { tag, slot } => {
                let (kind, generation) = (tag & 7, tag >> 3);
                match kind {
                    T_DONE if (generation as usize) < self.members.len() => self.done(ctx, generation, slot),
                    T_SHIP | T_APPLY | T_ACK => {
                        let Some(m) = self.members.get(slot as usize) else { return };
                        let current = if kind == T_SHIP { m.ship_gen } else { m.stream };
                        if current != generation || !m.up {
                            return;
                        }
                        match kind {
                            T_SHIP => self.shipped(ctx, slot),
                            T_APPLY => self.applied(ctx, slot),
                            _ => self.ack_arrived(ctx, slot),
                        }
                    }
                    T_TIMEOUT => self.timed_out(ctx),
                    T_PROMOTE if generation == self.failover_gen && self.died_at.is_some() => self.promote(ctx, None),
                    T_ZK => {
                        let Some(e) = &mut self.election else { return };
                        if e.generation(slot & 0xff) == generation {
                            e.timer(ctx, slot, &mut zk_timer);
                        }
                    }
                    _ => {}
                }
            }
            Payload::Own(_) => {
                let (Delivery::Msg(m), Some(e)) = (payload.typed::<ZkMsg>(), &mut self.election) else { return };
                let up = self.members.get(usize::from(m.client)).is_none_or(|x| x.up);
                if let Some(outcome) = e.on_msg(ctx, m, up, &mut zk_timer) {
                    self.elected(ctx, outcome);
                }
            }
            Payload::Response(_) => {}
        }
    }

    fn on_fail(&mut self, ctx: &mut Ctx) {
        if let Some(e) = &mut self.election {
            for c in 0..e.clients() {
                e.stop(c);
            }
        }
        for m in &mut self.members {
            m.desk.fail(ctx);
            m.void_flows();
        }
        for req in self.pending.drain(..).map(|w| w.req).chain(self.orphans.drain(..).map(|(r, _)| r)) {
            self.errors += 1;
            ctx.reply(req, Status::Reset);
        }
        self.timeout_armed = false;
    }

    fn on_recover(&mut self, ctx: &mut Ctx) {
        if let Some(e) = &mut self.election {
            for c in 0..e.clients() {
                let member = self.members.get(c as usize);
                if member.is_none_or(|m| m.up) {
                    e.resume(ctx, c, self.primary == Some(c), &mut zk_timer);
                }
            }
        } else if self.died_at.is_some() {
            // Its timers died with it: a promotion due now happens now.
            return self.promote(ctx, None);
        }
        for r in 0..self.members.len() as u32 {
            if Some(r) != self.primary && self.members[r as usize].up {
                self.repoint(ctx, r);
            }
        }
    }

    fn on_part_cut(&mut self, ctx: &mut Ctx, part: u32) {
        if (part as usize) < self.members.len() {
            let side = ctx.part_side(part);
            self.members[part as usize].cut = side != 0;
            // A primary cut off from the ensemble: a failover begins there
            // (its session will expire), unless it is back first.
            if Some(part) == self.primary
                && let Some(e) = &self.election
            {
                if !e.reaches(ctx, part) && self.died_at.is_none() {
                    self.died_at = Some(ctx.now());
                    self.notified = (0, None);
                } else if e.reaches(ctx, part) && self.members[part as usize].up {
                    self.died_at = None;
                }
            }
            let text = if side == 0 {
                format!("{} is back with the rest of the network", member_name(part))
            } else {
                format!("{} is cut off (a partition): what crosses it is lost", member_name(part))
            };
            self.tell(ctx.now(), text, side != 0);
        }
        // Replicas now apart from the primary lose what is on its way;
        // those back with it catch up.
        for r in 0..self.members.len() as u32 {
            let m = &self.members[r as usize];
            if Some(r) == self.primary || !m.up || m.leading {
                continue;
            }
            let apart = self.apart(ctx, r);
            if std::mem::replace(&mut self.members[r as usize].apart, apart) == apart {
                continue;
            }
            if apart {
                self.members[r as usize].void_flows();
            } else {
                self.repoint(ctx, r);
            }
        }
        self.drain_orphans(ctx);
    }

    fn on_part(&mut self, ctx: &mut Ctx, part: u32, up: bool) {
        let Some(m) = self.members.get(part as usize) else { return };
        match (m.up, up) {
            (true, false) => self.fail_member(ctx, part),
            (false, true) => self.recover_member(ctx, part),
            _ => {}
        }
    }

    fn set(&mut self, ctx: &mut Ctx, change: &Change) {
        if let Some(st) = &change.service_time {
            self.services[0] = service_time(st);
            self.read_spec = st.clone();
        }
        if let Some(w) = change.workers {
            self.workers = w;
            for m in self.members.iter_mut().filter(|m| m.up) {
                m.desk.set_workers(ctx, w, &self.services, read_or_write);
            }
        }
        let Some(params) = &change.params else { return };
        let Ok(d) = serde_json::from_value::<super::spec::DbParams>(params.clone()) else { return };
        if let Some(r) = d.read_from {
            self.read_from = r;
        }
        if let Some(f) = d.fencing {
            self.fencing = f && self.election.is_some();
            if f {
                self.consistency = Consistency::Cp;
            }
        }
        if let Some(c) = d.consistency {
            self.consistency = c;
            if c == Consistency::Ap {
                self.fencing = false;
            }
        }
        if d.fencing.is_some() || d.consistency.is_some() {
            let words = match (self.consistency, self.fencing) {
                (Consistency::Ap, _) => "ap: a cut-off primary goes on taking writes; they are merged at the heal",
                (Consistency::Cp, true) => {
                    "cp with fencing: a cut-off primary stops taking writes before its session can expire"
                }
                (Consistency::Cp, false) => {
                    "cp without fencing: a cut-off primary takes writes until it learns it lost (split brain)"
                }
            };
            self.tell(ctx.now(), words.to_string(), false);
        }
        if let (Some(r), Some(e)) = (d.recipe, &mut self.election) {
            let was = e.recipe;
            if e.set_recipe(r) {
                self.tell(ctx.now(), format!("the members elect by the {} recipe", r.label()), false);
            } else if r != was {
                self.tell(
                    ctx.now(),
                    format!(
                        "the recipe is chosen before the sessions open: it stays {} (its znodes and watches are in place)",
                        was.label()
                    ),
                    true,
                );
            }
        }
        if let Some(rate) = d.apply_rate_per_s {
            self.apply_rate_per_s = rate;
            self.apply = Duration::exponential(1000.0 / rate);
        }
        if let Some(r) = d.replication {
            self.replication = r;
            self.fallen_back = false;
            for i in 0..self.members.len() {
                self.members[i].mode = r.replica_mode();
            }
            if r == Replication::SemiSync && !self.pending.is_empty() && !self.timeout_armed {
                self.timeout_armed = true;
                Self::timer(ctx, self.timeout_ns, T_TIMEOUT, 0, 0);
            }
            self.tell(ctx.now(), format!("replication is now {}", r.label()), false);
            self.release(ctx);
        }
    }

    fn view(&self) -> NodeView {
        let members = self.member_states(self.clock.max(self.last_sample_ns));
        NodeView {
            kind: "replicated_db",
            params: Some(OwnPart::new(DbSettings {
                replication: self.uniform().then_some(self.replication),
                read_from: self.read_from,
                apply_rate_per_s: self.apply_rate_per_s,
                workers: self.workers,
                service_time: self.read_spec.clone(),
                semi_sync_possible: self.semi_sync_possible,
                on_partition: self.election.as_ref().map(|_| OnPartition::of(self.consistency, self.fencing)),
            })),
            in_service: members.iter().map(|m| u64::from(m.busy)).sum(),
            workers: self.members.iter().map(|m| m.desk.st.workers).sum(),
            queue_len: members.iter().map(|m| m.queue_len).sum::<u64>() + self.orphans.len() as u64,
            queue_capacity: self.queue_capacity * members.len() as u64,
            completed: self.completed,
            dropped: self.members.iter().map(|m| m.desk.st.dropped).sum(),
            errors: self.errors(),
            figures: self.figures(&members),
            parts: members.iter().map(|m| PartState::of(true, m.up)).collect(),
            stories: self.stories.lines(),
            own: Some(OwnPart::new(DbView {
                replication: self.uniform().then_some(self.replication),
                read_from: self.read_from,
                members,
                fallen_back: self.fallen_back,
                waiting_for_replicas: self.pending.len() as u64,
                waiting_for_primary: self.orphans.len() as u64,
                failover_since_s: self.died_at.map(ns_to_s),
                election: self.election.as_ref().map(|e| ElectionView {
                    recipe: e.recipe,
                    app_servers_know: (0..e.routed.len() as u32)
                        .map(|r| (e.router_name(r).to_string(), e.routed[r as usize].map(member_name)))
                        .collect(),
                    session_timeout_ms: ns_to_ms(e.timeout_ns()),
                    last: self.failovers.iter().rev().find_map(|f| f.election.clone()),
                }),
            })),
            ..Default::default()
        }
    }

    fn sample(&mut self, now: SimTime) -> NodeSample {
        let window = now.saturating_sub(self.last_sample_ns);
        self.last_sample_ns = now;
        let (mut busy, mut capacity) = (0u128, 0u128);
        for m in &mut self.members {
            let (sample, b, c) = m.desk.st.sample_with_use(now);
            busy += b;
            capacity += c;
            m.load_per_s = per_s(sample.completed, window);
        }
        let lag = (0..self.members.len()).map(|i| self.lag_of(i, now).0).max().unwrap_or(0);
        let sample = NodeSample {
            utilisation: if capacity > 0 { busy as f64 / capacity as f64 } else { 0.0 },
            queue_len: lag,
            completed: self.completed - self.sampled.0,
            dropped: self.errors() - self.sampled.1,
            latency_ms: self.window_latency.take_summary(),
            hit_ratio: None,
        };
        self.sampled = (self.completed, self.errors());
        sample
    }

    fn summary(&self, now: SimTime, _topo: &Topology) -> NodeSummary {
        let mut members = BTreeMap::new();
        for (i, m) in self.members.iter().enumerate() {
            members.insert(
                member_name(i as u32),
                MemberSummary {
                    up: m.up,
                    primary: Some(i as u32) == self.primary,
                    mode: m.mode,
                    served: m.desk.st.completed,
                    utilisation: m.desk.st.summary("replicated_db", now).utilisation.unwrap_or(0.0),
                    lag_entries: self.lag_of(i, now).0,
                },
            );
        }
        NodeSummary {
            kind: "replicated_db",
            completed: Some(self.completed),
            throughput_per_s: Some(per_s(self.completed, now)),
            own: Some(OwnSummary::new(
                "replication",
                ReplicationSummary {
                    replication: self.uniform().then_some(self.replication),
                    read_from: self.read_from,
                    reads: self.reads,
                    writes: self.writes,
                    acknowledged_writes: self.acknowledged,
                    stale_reads: self.stale,
                    read_your_writes_violations: self.ryw,
                    lost_writes: self.lost,
                    semi_sync_fallbacks: self.fallbacks,
                    reclones: self.reclones,
                    failovers: self.failovers.clone(),
                    members,
                    ledger_bytes: self.key_space * 8,
                    partitions: self.election.as_ref().map(|_| PartitionSummary {
                        consistency: self.consistency,
                        fencing: self.fencing,
                        split_brain_writes: self.split_brain,
                        conflicts: self.conflicts,
                        refused_by_fencing: self.fenced,
                        held_by_partition: self.unreachable,
                    }),
                },
            )),
            ..Default::default()
        }
    }
}
