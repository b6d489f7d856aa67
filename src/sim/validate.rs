//! Scenario validation: JSON text → [`ScenarioSpec`] → [`Scenario`].
//!
//! ```text
//!  text ──parse each part──► ScenarioSpec ──check every rule──► Scenario (+ Topology)
//!           │                                  │
//!           └──────── Vec<FieldError> ◄────────┘   (all problems, each with its path)
//! ```
//! Each top-level field, each node, link and fault is parsed on its own, so
//! one bad node does not hide the problems of the next. Rules that only one
//! node kind cares about live with the kind ([`OwnKind`](super::kind::OwnKind)), called from here;
//! the kinds a build knows come in as [`Kinds`] (the families' registry),
//! so nothing here names a family. A [`Scenario`] that comes out of this
//! module can always be run.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::kind::{Kinds, NodeSpec};
use super::spec::*;
use super::time::{SimTime, ms_to_ns, s_to_ns};

pub use super::limits;

pub use super::ids::{LinkIdx, NodeIdx};
pub use super::problems::{FieldError, Problems, ScenarioError};
pub(crate) use super::problems::{parse_as, read_as};
pub use super::timeline::{Action, Change, Cut, Membership, TimedAction};
pub use super::topology::{Link, Topology};

/// Read by `validate::parse_spec_value` (field by field, so every error
/// names its field), written by serde.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScenarioSpec {
    /// Format version; this build reads `1`.
    pub version: u32,
    pub name: String,
    /// One line on what the scenario teaches.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Seeds the run's one RNG: the same seed replays the same run.
    pub seed: u64,
    pub stop: StopSpec,
    pub nodes: Vec<NodeSpec>,
    pub links: Vec<LinkSpec>,
    pub faults: Vec<FaultSpec>,
    #[serde(skip_serializing_if = "MetricsSpec::is_default")]
    pub metrics: MetricsSpec,
}

/// When a run ends.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stop {
    /// After this many requests have finished (with any outcome), or at the
    /// simulated-time horizon if that comes first.
    FinishedRequests(u64),
    SimTime(SimTime),
}

/// A validated scenario: always runnable.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The scenario as written (with defaults filled in): what share links
    /// and exports serialize.
    pub spec: ScenarioSpec,
    /// Every node: the spec's, then servers added by the timeline (absent
    /// until their `add_server` time), in timeline-entry order.
    pub node_specs: Vec<NodeSpec>,
    pub topology: Topology,
    pub stop: Stop,
    /// The timeline in entry order (the engine runs equal times in this order).
    pub timeline: Vec<TimedAction>,
    pub window_ns: SimTime,
}

impl Scenario {
    /// Parses and validates scenario JSON, with the node kinds `kinds`
    /// knows (`Scenario::from_json` passes the families' registry).
    pub fn read_json(text: &str, kinds: &dyn Kinds) -> Result<Scenario, ScenarioError> {
        let spec = parse_spec(text, kinds)?;
        Scenario::from_spec(spec)
    }

    /// Validates an already-parsed spec.
    pub fn from_spec(spec: ScenarioSpec) -> Result<Scenario, ScenarioError> {
        let mut p = Problems::default();
        let checked = check_spec(&spec, &mut p);
        if !p.is_empty() {
            return Err(ScenarioError { errors: p.errors });
        }
        let (topology, node_specs, timeline) = checked.expect("no problems means the topology resolved");
        let stop = match spec.stop {
            StopSpec::CompletedRequests(n) => Stop::FinishedRequests(n),
            StopSpec::SimTimeS(s) => Stop::SimTime(s_to_ns(s)),
        };
        Ok(Scenario { window_ns: s_to_ns(spec.metrics.window_s), stop, timeline, node_specs, topology, spec })
    }

    /// This scenario with one more timeline entry, validated as a whole.
    pub fn with_entry(&self, entry: FaultSpec) -> Result<Scenario, ScenarioError> {
        let mut spec = self.spec.clone();
        spec.faults.push(entry);
        Scenario::from_spec(spec)
    }

    /// [`Self::with_entry`] for an entry made live, at `entry.at_s`: a
    /// `remove_server` also drops the entries the timeline still had for
    /// that server from then on (a scheduled fail, recover or change of a
    /// server that is gone could no longer happen, and would make the whole
    /// timeline invalid). Returns the scenario and the entries dropped, in
    /// timeline order, so the person can be told.
    pub fn with_live_entry(&self, entry: FaultSpec) -> Result<(Scenario, Vec<FaultSpec>), ScenarioError> {
        let mut spec = self.spec.clone();
        let mut dropped = Vec::new();
        if let Some(gone) = &entry.remove_server {
            let from = s_to_ns(entry.at_s);
            let (later, kept): (Vec<FaultSpec>, Vec<FaultSpec>) = std::mem::take(&mut spec.faults)
                .into_iter()
                .partition(|f| s_to_ns(f.at_s) >= from && f.names(gone) && f.add_server.is_none());
            spec.faults = kept;
            dropped = later;
        }
        // A live cut or reconnect overrides what the timeline planned for
        // those nodes' network: its later partitions and heals naming any
        // of them are dropped.
        if let Some(list) = entry.cut_list() {
            let from = s_to_ns(entry.at_s);
            let (later, kept): (Vec<FaultSpec>, Vec<FaultSpec>) = std::mem::take(&mut spec.faults)
                .into_iter()
                .partition(|f| s_to_ns(f.at_s) >= from && f.cut_list().is_some() && list.iter().any(|id| f.names(id)));
            spec.faults = kept;
            dropped.extend(later);
        }
        spec.faults.push(entry);
        Ok((Scenario::from_spec(spec)?, dropped))
    }

    /// The scenario as pretty JSON in the v1 format.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.spec).expect("specs always serialize")
    }

    /// The same scenario stopping after `n` finished requests.
    pub fn with_stop_requests(&self, n: u64) -> Scenario {
        let mut s = self.clone();
        s.spec.stop = StopSpec::CompletedRequests(n);
        s.stop = Stop::FinishedRequests(n);
        s
    }

    /// The same scenario with another seed.
    pub fn with_seed(&self, seed: u64) -> Scenario {
        let mut s = self.clone();
        s.spec.seed = seed;
        s
    }
}

fn one_error(path: &str, message: impl Into<String>) -> ScenarioError {
    ScenarioError { errors: vec![FieldError { path: path.into(), message: message.into() }] }
}

/// Parses each part on its own so every structural problem is reported.
pub fn parse_spec(text: &str, kinds: &dyn Kinds) -> Result<ScenarioSpec, ScenarioError> {
    if text.len() > limits::MAX_SCENARIO_BYTES {
        return Err(one_error(
            "(document)",
            format!("is {} bytes; the largest scenario accepted is {} bytes", text.len(), limits::MAX_SCENARIO_BYTES),
        ));
    }
    let value: Value =
        serde_json::from_str(text).map_err(|e| one_error("(document)", format!("is not valid JSON: {e}")))?;
    parse_spec_value(value, kinds)
}

/// Like [`parse_spec`], from a parsed JSON tree (a share link's `scenario`).
/// Every spec is read from a `Value`, so serde's code for the spec types is
/// generated once, not once per input kind.
pub fn parse_spec_value(value: Value, kinds: &dyn Kinds) -> Result<ScenarioSpec, ScenarioError> {
    let Value::Object(mut top) = value else {
        return Err(one_error("(document)", "must be a JSON object"));
    };

    // The version decides how to read the rest, so it is checked first.
    match top.get("version") {
        None => {
            return Err(one_error("version", "is missing; this build reads version 1"));
        }
        Some(v) => match v.as_u64() {
            Some(n) if n == u64::from(FORMAT_VERSION) => {}
            Some(n) if n > u64::from(FORMAT_VERSION) => {
                return Err(one_error(
                    "version",
                    format!(
                        "{n} is newer than this build of Scale Lab reads ({FORMAT_VERSION}); open it with a newer Scale Lab"
                    ),
                ));
            }
            _ => {
                return Err(one_error("version", format!("must be {FORMAT_VERSION} (got {v})")));
            }
        },
    }

    let mut p = Problems::default();
    const KNOWN: &[&str] = &["version", "name", "description", "seed", "stop", "nodes", "links", "faults", "metrics"];
    for key in top.keys() {
        if !KNOWN.contains(&key.as_str()) {
            p.add(key.clone(), format!("unknown field; expected one of: {}", KNOWN.join(", ")));
        }
    }

    let name: Option<String> = field(&mut top, "name", true, &mut p);
    let description: Option<String> = field(&mut top, "description", false, &mut p);
    let seed: Option<u64> = field(&mut top, "seed", false, &mut p);
    let stop: Option<StopSpec> = field(&mut top, "stop", true, &mut p);
    let metrics: Option<MetricsSpec> = field(&mut top, "metrics", false, &mut p);
    let nodes = list(&mut top, "nodes", true, &mut p, |v, path, p| parse_node(v, path, kinds, p));
    let links = list(&mut top, "links", false, &mut p, parse_as::<LinkSpec>);
    let faults = list(&mut top, "faults", false, &mut p, parse_as::<FaultSpec>);

    if !p.is_empty() {
        return Err(ScenarioError { errors: p.errors });
    }
    Ok(ScenarioSpec {
        version: FORMAT_VERSION,
        name: name.expect("required field parsed"),
        description: description.unwrap_or_default(),
        seed: seed.unwrap_or(1),
        stop: stop.expect("required field parsed"),
        nodes,
        links,
        faults,
        metrics: metrics.unwrap_or_default(),
    })
}

fn field<T: DeserializeOwned>(top: &mut Map<String, Value>, key: &str, required: bool, p: &mut Problems) -> Option<T> {
    match top.remove(key) {
        None => {
            if required {
                p.add(key, "is missing");
            }
            None
        }
        Some(v) => parse_as(v, key, p),
    }
}

fn list<T>(
    top: &mut Map<String, Value>,
    key: &str,
    required: bool,
    p: &mut Problems,
    parse_one: impl Fn(Value, &str, &mut Problems) -> Option<T>,
) -> Vec<T> {
    match top.remove(key) {
        None => {
            if required {
                p.add(key, "is missing");
            }
            Vec::new()
        }
        Some(Value::Array(items)) => {
            items.into_iter().enumerate().filter_map(|(i, v)| parse_one(v, &format!("{key}[{i}]"), p)).collect()
        }
        Some(other) => {
            p.add(key, format!("must be a list (got {})", json_type(&other)));
            Vec::new()
        }
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn parse_node(value: Value, path: &str, known: &dyn Kinds, p: &mut Problems) -> Option<NodeSpec> {
    let Value::Object(mut obj) = value else {
        p.add(path, format!("must be an object (got {})", json_type(&value)));
        return None;
    };
    let kinds = known.names().join(", ");
    let kind = match obj.remove("kind") {
        None => {
            p.add(format!("{path}.kind"), format!("is missing; expected one of: {kinds}"));
            return None;
        }
        Some(Value::String(s)) => s,
        Some(other) => {
            p.add(format!("{path}.kind"), format!("must be a string (got {})", json_type(&other)));
            return None;
        }
    };
    let body = Value::Object(obj);
    if let Some(k) = known.kind(&kind) {
        return k.parse(body, path, p);
    }
    let message = known.missing(&kind).unwrap_or_else(|| format!("unknown kind `{kind}`; expected one of: {kinds}"));
    p.add(format!("{path}.kind"), message);
    None
}

/// Checks every rule on a parsed spec; returns the resolved topology when the
/// ids and links made sense (other problems may still have been added).
fn check_spec(spec: &ScenarioSpec, p: &mut Problems) -> Option<(Topology, Vec<NodeSpec>, Vec<TimedAction>)> {
    use limits::*;
    if spec.version != FORMAT_VERSION {
        p.add("version", format!("must be {FORMAT_VERSION} (got {})", spec.version));
    }
    if spec.name.trim().is_empty() {
        p.add("name", "must not be empty");
    }
    if spec.name.chars().count() > MAX_NAME_CHARS {
        p.add("name", format!("must be at most {MAX_NAME_CHARS} characters"));
    }
    if spec.description.chars().count() > MAX_DESCRIPTION_CHARS {
        p.add("description", format!("must be at most {MAX_DESCRIPTION_CHARS} characters"));
    }
    match spec.stop {
        StopSpec::CompletedRequests(n) => p.range_u64("stop", "completed_requests", n, 1, MAX_COMPLETED_REQUESTS),
        StopSpec::SimTimeS(s) => p.positive_f64("stop", "sim_time_s", s, MAX_SIM_TIME_S),
    }
    p.range_f64("metrics", "window_s", spec.metrics.window_s, MIN_WINDOW_S, MAX_WINDOW_S);

    // Nodes: ids, then each kind's own rules.
    if spec.nodes.is_empty() {
        p.add("nodes", "must list at least one node");
    }
    if spec.nodes.len() > MAX_NODES {
        p.add("nodes", format!("must list at most {MAX_NODES} nodes (got {})", spec.nodes.len()));
        return None;
    }
    let mut index: BTreeMap<&str, NodeIdx> = BTreeMap::new();
    for (i, node) in spec.nodes.iter().enumerate() {
        let path = format!("nodes[{i}]");
        let id = node.id();
        if id.is_empty() || id.chars().count() > MAX_ID_CHARS {
            p.add(format!("{path}.id"), format!("must be 1 to {MAX_ID_CHARS} characters"));
        } else if !id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c)) {
            p.add(format!("{path}.id"), format!("`{id}` may use only letters, digits and - _ . :"));
        }
        if index.insert(id, i as NodeIdx).is_some() {
            p.add(format!("{path}.id"), format!("`{id}` is used by another node; ids must be unique"));
        }
        node.kind.validate(node, &path, p);
    }
    if !spec.nodes.iter().any(NodeSpec::is_source) {
        p.add(
            "nodes",
            "must include at least one client, kafka_producer or rabbit_publisher (nothing would send anything)",
        );
    }

    // Links.
    if spec.links.len() > MAX_LINKS {
        p.add("links", format!("must list at most {MAX_LINKS} links"));
        return None;
    }
    let mut links = Vec::with_capacity(spec.links.len());
    let mut out_links = vec![Vec::new(); spec.nodes.len()];
    let mut seen_pairs = BTreeMap::new();
    let mut links_ok = true;
    for (i, l) in spec.links.iter().enumerate() {
        let path = format!("links[{i}]");
        let from = index.get(l.from.as_str()).copied();
        let to = index.get(l.to.as_str()).copied();
        if from.is_none() {
            p.add(format!("{path}.from"), format!("names no node: `{}`", l.from));
        }
        if to.is_none() {
            p.add(format!("{path}.to"), format!("names no node: `{}`", l.to));
        }
        p.range_f64(&path, "latency_ms", l.latency_ms, 0.0, MAX_LATENCY_MS);
        let (Some(from), Some(to)) = (from, to) else {
            links_ok = false;
            continue;
        };
        if from == to {
            p.add(path.clone(), format!("links `{}` to itself", l.from));
            links_ok = false;
            continue;
        }
        if seen_pairs.insert((from, to), i).is_some() {
            p.add(path.clone(), format!("duplicates the link `{}` → `{}`", l.from, l.to));
        }
        out_links[from as usize].push(links.len() as LinkIdx);
        links.push(Link { from, to, latency_ns: ms_to_ns(l.latency_ms) });
    }
    let topology = Topology {
        ids: spec.nodes.iter().map(|n| n.id().to_string()).collect(),
        links,
        out_links,
        n_initial_nodes: spec.nodes.len(),
    };
    if links_ok && index.len() == spec.nodes.len() {
        for (i, node) in spec.nodes.iter().enumerate() {
            validate_links(node, i as NodeIdx, &format!("nodes[{i}]"), spec, &topology, p);
        }
        check_paths(spec, &topology, p);
    }

    // The timeline.
    if spec.faults.len() > MAX_FAULTS {
        p.add("faults", format!("must list at most {MAX_FAULTS} entries"));
        return None;
    }
    let mut topology = topology;
    let mut node_specs = spec.nodes.clone();
    let timeline = check_timeline(spec, &mut topology, &mut node_specs, p);
    Some((topology, node_specs, timeline))
}

/// Checks the timeline. Servers it adds get node indices in entry order
/// (so an entry appended later never renumbers earlier ones); whether a
/// target exists is judged in time order.
fn check_timeline(
    spec: &ScenarioSpec,
    topo: &mut Topology,
    node_specs: &mut Vec<NodeSpec>,
    p: &mut Problems,
) -> Vec<TimedAction> {
    use limits::*;
    let mut timeline = Vec::new();
    // The `faults` entry each timeline action came from (pass 1 skips bad ones).
    let mut entries = Vec::new();
    // Pass 1, entry order: each entry's own shape; allocate added servers.
    for (i, f) in spec.faults.iter().enumerate() {
        let path = format!("faults[{i}]");
        p.range_f64(&path, "at_s", f.at_s, 0.0, MAX_SIM_TIME_S);
        let verbs: Vec<(&str, &String)> = [
            ("fail", &f.fail),
            ("recover", &f.recover),
            ("set", &f.set),
            ("add_server", &f.add_server),
            ("remove_server", &f.remove_server),
            ("add_shard", &f.add_shard),
            ("remove_shard", &f.remove_shard),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.as_ref().map(|v| (name, v)))
        .collect();
        let cuts: Vec<(&str, &Vec<String>)> = [("partition", &f.partition), ("heal", &f.heal)]
            .into_iter()
            .filter_map(|(name, v)| v.as_ref().map(|v| (name, v)))
            .collect();
        let verb = match (&verbs[..], &cuts[..]) {
            ([(verb, _)], []) | ([], [(verb, _)]) => *verb,
            _ => {
                p.add(
                    path,
                    "must have exactly one of `fail`, `recover`, `set`, `add_server`, `remove_server`, `add_shard`, `remove_shard`, `partition` or `heal`",
                );
                continue;
            }
        };
        let has_params = f.rate_per_s.is_some()
            || f.workers.is_some()
            || f.service_time.is_some()
            || f.algorithm.is_some()
            || f.acks.is_some()
            || f.vnodes.is_some()
            || f.partitioning.is_some()
            || f.routing.is_some()
            || f.params.is_some();
        if verb != "set" && has_params {
            p.add(
                path.clone(),
                "parameters (`rate_per_s`, `workers`, `service_time`, `algorithm`, `acks`, `vnodes`, `partitioning`, `routing`, `params`) go only with `set`",
            );
        }
        for (field, named) in [("part", f.part), ("broker", f.broker)] {
            if named.is_some() && verb != "fail" && verb != "recover" {
                p.add(format!("{path}.{field}"), "goes only with `fail` or `recover`");
            }
        }
        if f.shard.is_some() && !["fail", "recover", "remove_shard"].contains(&verb) {
            p.add(format!("{path}.shard"), "goes only with `fail`, `recover` or `remove_shard`");
        }
        if f.weight.is_some() && verb != "add_shard" {
            p.add(format!("{path}.weight"), "goes only with `add_shard`");
        }
        if verb != "add_server" && f.like.is_some() {
            p.add(format!("{path}.like"), "goes only with `add_server`");
        }
        let at_ns = s_to_ns(f.at_s);
        if let [(_, ids)] = cuts[..] {
            let Some(cut) = cut_of(ids, &format!("{path}.{verb}"), verb == "partition", topo, node_specs, p) else {
                continue;
            };
            let node = cut.items[0].0;
            let action = if verb == "partition" { Action::Partition(cut) } else { Action::Heal(cut) };
            timeline.push(TimedAction { at_ns, node, action });
            entries.push(i);
            continue;
        }
        let Some(&(_, target)) = verbs.first() else { continue };
        let target_path = format!("{path}.{verb}");
        if verb == "add_server" {
            let Some(like) = f.like.as_ref() else {
                p.add(format!("{path}.like"), "is missing: name the server to copy");
                continue;
            };
            if topo.index_of(target).is_some() {
                p.add(target_path, format!("`{target}` is already a node's id"));
                continue;
            }
            if target.is_empty()
                || target.chars().count() > MAX_ID_CHARS
                || !target.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c))
            {
                p.add(target_path, format!("`{target}` must be 1 to {MAX_ID_CHARS} letters, digits or - _ . :"));
                continue;
            }
            let Some(like_idx) = topo.index_of(like) else {
                p.add(format!("{path}.like"), format!("names no node: `{like}`"));
                continue;
            };
            let like_spec = &node_specs[like_idx as usize];
            let Some(copy) = like_spec.kind.copy(like_spec, target) else {
                p.add(format!("{path}.like"), format!("`{like}` is not a server (a member of a balancer's pool)"));
                continue;
            };
            let incoming: Vec<Link> = topo.links.iter().filter(|l| l.to == like_idx).copied().collect();
            if incoming.iter().all(|l| !node_specs[l.from as usize].kind.balances()) {
                p.add(
                    format!("{path}.like"),
                    format!("`{like}` is behind no load balancer, so a copy would get no traffic"),
                );
                continue;
            }
            if node_specs.len() >= MAX_NODES {
                p.add(target_path, format!("would make more than {MAX_NODES} nodes"));
                continue;
            }
            let outgoing: Vec<Link> = topo.links.iter().filter(|l| l.from == like_idx).copied().collect();
            // The copy's links count against the same cap as the file's (a
            // request's path stores link indices as u16).
            if topo.links.len() + incoming.len() + outgoing.len() > MAX_LINKS {
                p.add(target_path, format!("would make more than {MAX_LINKS} links"));
                continue;
            }
            let new_idx = node_specs.len() as NodeIdx;
            node_specs.push(copy);
            topo.ids.push(target.clone());
            topo.out_links.push(Vec::new());
            for l in incoming {
                topo.out_links[l.from as usize].push(topo.links.len() as LinkIdx);
                topo.links.push(Link { from: l.from, to: new_idx, latency_ns: l.latency_ns });
            }
            // The copy calls what the original calls.
            for l in outgoing {
                topo.out_links[new_idx as usize].push(topo.links.len() as LinkIdx);
                topo.links.push(Link { from: new_idx, to: l.to, latency_ns: l.latency_ns });
            }
            timeline.push(TimedAction { at_ns, node: new_idx, action: Action::AddServer });
            entries.push(i);
            continue;
        }
        let Some(node) = topo.index_of(target) else {
            p.add(target_path, format!("names no node: `{target}`"));
            continue;
        };
        let kind = &node_specs[node as usize];
        let action = match verb {
            "fail" | "recover" => {
                if !kind.kind.can_fail() {
                    p.add(target_path, format!("`{target}` is a {}, which cannot fail", kind.kind_name()));
                    continue;
                }
                // A part named must be one of the node's kind (the kind says
                // which field names its parts, and how many it has).
                let parts = kind.kind.parts(kind);
                // The part, and the field that named it (`part`, or the
                // kind's own name for its parts).
                let mut named: Option<(u32, &str)> = None;
                let mut bad = false;
                for (field, n) in f.parts_named() {
                    let Some(n) = n else { continue };
                    match parts {
                        Some(_) if let Some((_, first)) = named => {
                            p.add(
                                format!("{path}.{field}"),
                                format!("names a part again (`{first}` did): give one of `{first}` and `{field}`"),
                            );
                            bad = true;
                        }
                        Some(ps) if ps.field == field || field == "part" => named = Some((n, field)),
                        Some(ps) => {
                            p.add(
                                format!("{path}.{field}"),
                                format!(
                                    "`{target}` is {}: its parts are {}, named by `{}` (or `part`)",
                                    ps.a_kind, ps.plural, ps.field
                                ),
                            );
                            bad = true;
                        }
                        None => {
                            p.add(
                                format!("{path}.{field}"),
                                format!("`{target}` is not made of parts; `{field}` names a part of a node that is"),
                            );
                            bad = true;
                        }
                    }
                }
                if bad {
                    continue;
                }
                let part = |n| if verb == "fail" { Action::FailPart(n) } else { Action::RecoverPart(n) };
                match (parts, named) {
                    // A count that the timeline changes is checked in time order below.
                    (Some(ps), Some((n, field))) if ps.membership.is_none() && n >= ps.count => {
                        p.add(
                            format!("{path}.{field}"),
                            format!("`{target}` has {} 0 to {} (got {n})", ps.plural, ps.count - 1),
                        );
                        continue;
                    }
                    (Some(ps), None) if ps.must_name => {
                        p.add(
                            format!("{path}.{}", ps.field),
                            format!("is missing: `{target}` is {}; name the {} that fails", ps.a_kind, ps.field),
                        );
                        continue;
                    }
                    (_, Some((n, _))) => part(n),
                    _ if verb == "fail" => Action::Fail,
                    _ => Action::Recover,
                }
            }
            "add_shard" | "remove_shard" => {
                if kind.kind.parts(kind).is_none_or(|ps| ps.membership.is_none()) {
                    p.add(target_path, format!("`{target}` has no parts the timeline can add or remove"));
                    continue;
                }
                if verb == "add_shard" {
                    let weight = f.weight.unwrap_or(1);
                    p.range_u64(&path, "weight", u64::from(weight), 1, u64::from(MAX_SHARD_WEIGHT));
                    Action::Membership(Membership::Add { weight })
                } else {
                    let Some(shard) = f.shard else {
                        p.add(format!("{path}.shard"), "is missing: name the shard that leaves");
                        continue;
                    };
                    Action::Membership(Membership::Remove(shard))
                }
            }
            "remove_server" => {
                if !kind.kind.pool_member() {
                    p.add(target_path, format!("`{target}` is not a server (a member of a balancer's pool)"));
                    continue;
                }
                Action::RemoveServer
            }
            _ => {
                let change = Change {
                    rate_per_s: f.rate_per_s,
                    workers: f.workers,
                    service_time: f.service_time.clone(),
                    algorithm: f.algorithm,
                    acks: f.acks,
                    vnodes: f.vnodes,
                    partitioning: f.partitioning,
                    routing: f.routing,
                    hold_worker: f.hold_worker,
                    params: f.params.clone(),
                };
                check_change(&change, kind, &path, p);
                if let Some(params) = &f.params {
                    let out = topo.targets(node, node_specs);
                    kind.kind.check_params(kind, params, &format!("{path}.params"), &out, p);
                }
                Action::Set(change)
            }
        };
        timeline.push(TimedAction { at_ns, node, action });
        entries.push(i);
    }

    // Pass 2, time order: targets must exist (be added, not yet removed),
    // and a part named must exist by then where the timeline adds and
    // removes parts (a store's first `shards`, plus one per earlier
    // `add_shard`, at most its kind's maximum).
    let mut order: Vec<usize> = (0..timeline.len()).collect();
    // Ties keep entry order (the index breaks them), as the engine runs them.
    order.sort_unstable_by_key(|&k| (timeline[k].at_ns, k));
    let mut added_at: BTreeMap<NodeIdx, SimTime> = BTreeMap::new();
    let mut removed_at: BTreeMap<NodeIdx, SimTime> = BTreeMap::new();
    // Parts of nodes the timeline adds and removes parts of: how many by now.
    let mut counts: BTreeMap<NodeIdx, u32> = BTreeMap::new();
    for a in &timeline {
        if a.action == Action::AddServer {
            added_at.insert(a.node, a.at_ns);
        }
    }
    // Which nodes (and parts) are cut off, and since when.
    let mut cut_by: BTreeMap<(NodeIdx, Option<u32>), SimTime> = BTreeMap::new();
    for k in order {
        let (a, i) = (&timeline[k], entries[k]);
        let id = &topo.ids[a.node as usize];
        // A partition cuts off only nodes on the main side; a heal joins
        // only nodes cut off.
        if let Action::Partition(cut) | Action::Heal(cut) = &a.action {
            let (verb, partition) =
                if matches!(a.action, Action::Partition(_)) { ("partition", true) } else { ("heal", false) };
            let when = super::time::format_s(super::time::ns_to_s(a.at_ns));
            for (j, &(n, part)) in cut.items.iter().enumerate() {
                let id = match part {
                    Some(k) => format!("{}/{k}", topo.ids[n as usize]),
                    None => topo.ids[n as usize].clone(),
                };
                let at = format!("faults[{i}].{verb}[{j}]");
                if partition && let Some(&by) = cut_by.get(&(n, part)) {
                    let since = super::time::format_s(super::time::ns_to_s(by));
                    p.add(
                        at,
                        format!("`{id}` is already cut off at {when} s (by the partition at {since} s); heal it first"),
                    );
                } else if !partition && cut_by.remove(&(n, part)).is_none() {
                    p.add(at, format!("`{id}` is not cut off at {when} s: nothing to heal"));
                } else if partition {
                    cut_by.insert((n, part), a.at_ns);
                }
            }
        }
        // Every node the entry acts on must be there at its time.
        let targets: Vec<NodeIdx> = match &a.action {
            Action::Partition(cut) | Action::Heal(cut) => cut.items.iter().map(|&(n, _)| n).collect(),
            _ => vec![a.node],
        };
        for n in &targets {
            let id = &topo.ids[*n as usize];
            if let Some(&t) = added_at.get(n)
                && a.action != Action::AddServer
                && a.at_ns < t
            {
                p.add(
                    format!("faults[{i}]"),
                    format!("`{id}` is only added at {} s", super::time::format_s(super::time::ns_to_s(t))),
                );
            }
            if let Some(&t) = removed_at.get(n) {
                p.add(
                    format!("faults[{i}]"),
                    format!("`{id}` was removed at {} s", super::time::format_s(super::time::ns_to_s(t))),
                );
            }
        }
        if a.action == Action::RemoveServer {
            removed_at.insert(a.node, a.at_ns);
        }
        if let Some(ps) = node_specs[a.node as usize].kind.parts(&node_specs[a.node as usize])
            && let Some(max) = ps.membership
        {
            let count = counts.entry(a.node).or_insert(ps.count);
            match a.action {
                Action::Membership(Membership::Add { .. }) if *count >= max => {
                    p.add(format!("faults[{i}].add_shard"), format!("would give `{id}` more than {max} {}", ps.plural));
                }
                Action::Membership(Membership::Add { .. }) => *count += 1,
                Action::FailPart(n) | Action::RecoverPart(n) | Action::Membership(Membership::Remove(n))
                    if n >= *count =>
                {
                    // The field the entry named it by (`part`, or the kind's own).
                    let field = spec.faults[i]
                        .parts_named()
                        .into_iter()
                        .find(|(_, v)| v.is_some())
                        .map_or(ps.field, |(f, _)| f);
                    p.add(
                        format!("faults[{i}].{field}"),
                        format!("`{id}` has {} 0 to {} by then (got {n})", ps.plural, *count - 1),
                    );
                }
                _ => {}
            }
        }
    }
    timeline
}

/// Checks a node's links: none into a source, none to a node that speaks
/// another protocol, none out of a leaf store; then what its kind needs
/// of what it links to and what links to it.
fn validate_links(
    spec: &NodeSpec,
    idx: NodeIdx,
    path: &str,
    scenario: &ScenarioSpec,
    topo: &Topology,
    p: &mut Problems,
) {
    let out = topo.targets(idx, &scenario.nodes);
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
    if spec.kind.is_leaf_store() && !out.is_empty() {
        p.add(path, format!("`{id}` must have no outgoing links; its clients link to it"));
    }
    let from: Vec<&NodeSpec> =
        topo.links.iter().filter(|l| l.to == idx).map(|l| &scenario.nodes[l.from as usize]).collect();
    spec.kind.validate_links(spec, path, &out, p);
    spec.kind.validate_in(spec, path, &scenario.nodes, &out, p);
    spec.kind.validate_from(spec, path, &from, p);
}

/// The nodes a `partition` or `heal` entry lists (at `path`): each names a
/// node, once; a partition leaves some node on the other side. `None` if
/// the list is bad.
/// A `partition` or `heal` list: node ids, or `<node>/<part>` for one part
/// of a node made of parts (a node's own id wins if it has a `/`).
fn cut_of(
    ids: &[String],
    path: &str,
    partition: bool,
    topo: &Topology,
    node_specs: &[NodeSpec],
    p: &mut Problems,
) -> Option<Cut> {
    if ids.is_empty() {
        p.add(path, "is empty: list the nodes to cut off or heal, e.g. [\"db\"], or a part, e.g. [\"db/0\"]");
        return None;
    }
    let before = p.errors.len();
    let mut cut = Cut::default();
    for (j, id) in ids.iter().enumerate() {
        let at = format!("{path}[{j}]");
        let item = match (topo.index_of(id), id.rsplit_once('/')) {
            (Some(n), _) => (n, None),
            (None, Some((node, part))) if let Some(n) = topo.index_of(node) => {
                let spec = &node_specs[n as usize];
                let Some(parts) = spec.kind.parts(spec) else {
                    p.add(at, format!("`{node}` is not made of parts: name it whole"));
                    continue;
                };
                let most = parts.membership.unwrap_or(parts.count);
                match part.parse::<u32>() {
                    Ok(k) if k < most => (n, Some(k)),
                    _ => {
                        p.add(
                            at,
                            format!(
                                "`{node}` has {} {} (0 to {}): `{part}` is none of them",
                                most,
                                parts.plural,
                                most.saturating_sub(1)
                            ),
                        );
                        continue;
                    }
                }
            }
            _ => {
                p.add(at, format!("names no node: `{id}` (a part is `<node>/<number>`)"));
                continue;
            }
        };
        let clash =
            cut.items.iter().any(|&(n, part)| n == item.0 && (part == item.1 || part.is_none() || item.1.is_none()));
        if clash {
            p.add(at, format!("`{id}` is listed twice (or with its node)"));
        } else {
            cut.items.push(item);
        }
    }
    if partition && p.errors.len() == before && cut.nodes().count() >= topo.ids.len() {
        p.add(path, "lists every node, so nothing is left on the other side of the cut: leave at least one out");
    }
    (p.errors.len() == before).then_some(cut)
}

/// A service time's parameters, bounded (every kind with workers has one).
pub fn validate_service_time(st: &ServiceTimeSpec, path: &str, p: &mut Problems) {
    match *st {
        ServiceTimeSpec::Exponential { mean_ms } | ServiceTimeSpec::Constant { mean_ms } => {
            p.positive_f64(path, "mean_ms", mean_ms, limits::MAX_DURATION_MS)
        }
        ServiceTimeSpec::Uniform { min_ms, max_ms } => {
            p.range_f64(path, "min_ms", min_ms, 0.0, limits::MAX_DURATION_MS);
            p.positive_f64(path, "max_ms", max_ms, limits::MAX_DURATION_MS);
            if max_ms < min_ms {
                p.add(format!("{path}.max_ms"), format!("must be at least min_ms ({min_ms}) (got {max_ms})"));
            }
        }
        ServiceTimeSpec::Lognormal { mean_ms, cv } => {
            p.positive_f64(path, "mean_ms", mean_ms, limits::MAX_DURATION_MS);
            p.range_f64(path, "cv", cv, 0.0, limits::MAX_CV);
        }
    }
}

/// A `set` entry's parameters must fit the node's kind (the fields it
/// takes: `OwnKind::set_fields`) and limits.
fn check_change(c: &Change, kind: &NodeSpec, path: &str, p: &mut Problems) {
    use limits::*;
    if c == &Change::default() {
        p.add(
            path,
            "`set` needs at least one of `rate_per_s`, `workers`, `service_time`, `algorithm`, `acks`, `vnodes`, `partitioning`, `routing`, `hold_worker`, `params`",
        );
    }
    let given = [
        ("rate_per_s", c.rate_per_s.is_some()),
        ("workers", c.workers.is_some()),
        ("service_time", c.service_time.is_some()),
        ("algorithm", c.algorithm.is_some()),
        ("acks", c.acks.is_some()),
        ("vnodes", c.vnodes.is_some()),
        ("partitioning", c.partitioning.is_some()),
        ("routing", c.routing.is_some()),
        ("hold_worker", c.hold_worker.is_some()),
    ];
    let takes = kind.kind.set_fields(kind);
    for (name, _) in given.iter().filter(|&&(name, given)| given && !takes.contains(&name)) {
        let what = match takes {
            [] => "none of these fields".to_string(),
            _ => takes.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", "),
        };
        p.add(
            format!("{path}.{name}"),
            format!("does not apply to `{}`, a {}: `set` on it takes {what}", kind.id(), kind.kind_name()),
        );
    }
    // The values of the fields it takes (a field it does not take has its
    // one error above).
    let taken = |name: &str| takes.contains(&name);
    if let Some(r) = c.rate_per_s.filter(|_| taken("rate_per_s")) {
        p.positive_f64(path, "rate_per_s", r, MAX_RATE_PER_S);
    }
    if let Some(w) = c.workers.filter(|_| taken("workers")) {
        p.range_u64(path, "workers", u64::from(w), 1, u64::from(MAX_WORKERS));
    }
    if let Some(st) = c.service_time.as_ref().filter(|_| taken("service_time")) {
        validate_service_time(st, &format!("{path}.service_time"), p);
    }
    if let Some(v) = c.vnodes.filter(|_| taken("vnodes")) {
        p.range_u64(path, "vnodes", u64::from(v), 1, u64::from(MAX_VNODES));
    }
}

/// Request paths, and the calls they lead to, must end within `MAX_HOPS`
/// links of their client and never loop (a cycle of calls is a cycle of links).
fn check_paths(spec: &ScenarioSpec, topo: &Topology, p: &mut Problems) {
    // Longest path (in links) from each node to a leaf; a node on the current
    // DFS stack seen again means a cycle.
    fn depth(
        n: usize,
        topo: &Topology,
        memo: &mut Vec<Option<usize>>,
        on_stack: &mut Vec<bool>,
    ) -> Result<usize, usize> {
        if let Some(d) = memo[n] {
            return Ok(d);
        }
        if on_stack[n] {
            return Err(n);
        }
        on_stack[n] = true;
        let mut d = 0;
        for &l in &topo.out_links[n] {
            let to = topo.links[l as usize].to as usize;
            d = d.max(1 + depth(to, topo, memo, on_stack)?);
        }
        on_stack[n] = false;
        memo[n] = Some(d);
        Ok(d)
    }
    let mut memo = vec![None; spec.nodes.len()];
    let mut on_stack = vec![false; spec.nodes.len()];
    for (i, node) in spec.nodes.iter().enumerate() {
        // Paths start at what sends requests (a protocol of a family's own
        // has no calls).
        if !node.is_source() || node.is_messaging() {
            continue;
        }
        match depth(i, topo, &mut memo, &mut on_stack) {
            Ok(d) if d > limits::MAX_HOPS => p.add(
                "links",
                format!(
                    "requests from `{}` cross {d} links (calls included); at most {} are allowed",
                    node.id(),
                    limits::MAX_HOPS
                ),
            ),
            Ok(_) => {}
            Err(at) => {
                p.add("links", format!("form a cycle through `{}`", topo.ids[at]));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MM8: &str = r#"{
      "version": 1, "name": "M/M/8", "seed": 1,
      "stop": {"completed_requests": 1000},
      "nodes": [
        {"id": "users", "kind": "client", "arrivals": {"process": "poisson", "rate_per_s": 6.4}},
        {"id": "pool", "kind": "server", "workers": 8, "queue_capacity": 1000000,
         "service_time": {"dist": "exponential", "mean_ms": 1000}}
      ],
      "links": [{"from": "users", "to": "pool", "latency_ms": 0}],
      "faults": []
    }"#;

    #[test]
    fn the_issue_example_is_valid_and_round_trips() {
        let s = Scenario::from_json(MM8).unwrap();
        assert_eq!(s.topology.ids, vec!["users", "pool"]);
        assert_eq!(s.stop, Stop::FinishedRequests(1000));
        let again = Scenario::from_json(&s.to_json()).unwrap();
        assert_eq!(again, s);
    }
}
