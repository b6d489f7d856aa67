//! The kind seam: a scenario's node ([`NodeSpec`]: its kind, its id, its
//! typed spec) and the traits through which the core reaches every kind
//! without naming one ([`OwnKind`], written by a family as [`TypedKind`])
//! and the registry of them ([`Kinds`]). The families implement these; the
//! validator and the engine call them.

use serde::Serialize;

use super::family::{NodeSummary, NodeView};
use super::ids::NodeIdx;
use super::node::Node;
use super::problems::{Problems, parse_as};
use super::spec::{CallOp, FaultSpec};
use super::theory::QueueRole;
use super::topology::Topology;
use super::tree::{Tree, TreeError, to_tree};

/// A node made of parts (Kafka's brokers, a store's shards; later a
/// database's replicas, an ensemble's members), as the timeline sees it: a
/// `fail` or `recover` entry names one part by the format's field for it,
/// and the node hears of it through `Node::on_part`. The validator asks the
/// kind (`OwnKind::parts`), never names it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PartsOf {
    /// The entry's field that names a part (`broker`, `shard`; a new kind's
    /// is `part`, the generic name every entry may use).
    pub field: &'static str,
    /// The parts, plural, as messages name them (`brokers`, `shards`).
    pub plural: &'static str,
    /// The node's kind as a message names it (`a Kafka cluster`).
    pub a_kind: &'static str,
    /// How many the node has at the start (numbered from 0).
    pub count: u32,
    /// Whether a `fail` or `recover` of the node must name a part (a
    /// cluster's brokers fail one by one; a store may fail whole).
    pub must_name: bool,
    /// The most the timeline may grow it to by adding parts, if it adds and
    /// removes them (then a part's number is checked against the count at
    /// the entry's time).
    pub membership: Option<u32>,
}

/// How the charts name a kind's series (`OwnKind::chart_words`); the
/// default names nothing of its own.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ChartWords {
    /// Its backlog's name on the backlog chart (its samples' `queue_len`),
    /// if it has one: a broker's "consumer lag" or "ready".
    pub backlog: Option<&'static str>,
    /// Words after its id on the utilisation chart, where its line is not
    /// a plain busy share ("(mean of its shards)").
    pub utilisation: Option<&'static str>,
}

/// A kind whose code lives with its family and is reached only through
/// this trait, so the family's code can sit in a wasm chunk of its own,
/// fetched when a scenario of the family first opens
/// (`families::Chunk`), or in the main module (the web tier). Every node
/// of a scenario is a [`NodeSpec`] of one. A family writes
/// [`TypedKind`]; this trait is what the registry calls.
pub trait OwnKind: Send + Sync + 'static {
    /// The `kind` name, as files write it.
    fn name(&self) -> &'static str;
    /// Reads a node's fields (without `kind`); `None` if they do not parse.
    fn parse(&'static self, body: serde_json::Value, path: &str, p: &mut Problems) -> Option<NodeSpec>;
    /// The fields as the format writes them (without `kind`), in the
    /// spec type's own order.
    fn fields(&self, spec: &NodeSpec) -> Result<Tree, TreeError>;
    fn same(&self, a: &NodeSpec, b: &NodeSpec) -> bool;
    /// Checks the node's own fields.
    fn validate(&self, spec: &NodeSpec, path: &str, p: &mut Problems);
    /// Checks what the node links to (`out`: the targets of its links).
    fn validate_links(&self, spec: &NodeSpec, path: &str, out: &[&NodeSpec], p: &mut Problems);
    /// Checks rules that need the whole scenario (`nodes`: every node).
    fn validate_in(&self, spec: &NodeSpec, path: &str, nodes: &[NodeSpec], out: &[&NodeSpec], p: &mut Problems);
    /// Checks what links to the node (`from`: the sources of its links).
    fn validate_from(&self, spec: &NodeSpec, path: &str, from: &[&NodeSpec], p: &mut Problems);
    /// What it answers when a server calls it (empty: it takes no calls).
    fn accepted_ops(&self) -> &'static [CallOp];
    /// The fields of a timeline `set` entry it takes, besides `params`
    /// (which `check_params` answers): `workers`, `service_time`,
    /// `rate_per_s`, `algorithm`, `acks`, `vnodes`, `partitioning`,
    /// `routing`, `hold_worker`.
    fn set_fields(&self, spec: &NodeSpec) -> &'static [&'static str];
    /// Whether a `fail` entry may take it down (a client cannot fail).
    fn can_fail(&self) -> bool;
    /// Whether a node of it is a member of a balancer's pool: what
    /// `add_server` copies and `remove_server` may take out. Cheap (the
    /// live actions ask it every frame); `copy` is `Some` exactly for them.
    fn pool_member(&self) -> bool;
    /// A copy of the node under another id, if it is a pool member: what
    /// `add_server` adds (`like` names the node copied).
    fn copy(&'static self, spec: &NodeSpec, id: &str) -> Option<NodeSpec>;
    /// Whether it spreads requests over its links and takes backends the
    /// timeline adds (a load balancer: `Node::on_backend`).
    fn balances(&self) -> bool;
    /// Its relative capacity as a balancer's backend, for the weighted
    /// algorithms (a server's `weight`).
    fn weight(&self, spec: &NodeSpec) -> u32;
    /// Workers behind a queue (the app charts its utilisation).
    fn is_station(&self) -> bool;
    /// A tier whose answers wait for its calls to the tiers below (a
    /// server with `calls`): the latency chart then draws each station's
    /// p99 beside the clients'.
    fn calls_tiers(&self, spec: &NodeSpec) -> bool;
    /// Answers requests over its incoming links and has no outgoing ones.
    fn is_leaf_store(&self) -> bool;
    /// Originates traffic.
    fn is_source(&self) -> bool;
    /// What it speaks over its links: `"requests"` (the engine's
    /// `Request`s, what servers, balancers and stores answer), or the name
    /// of a protocol of its family's own (Kafka's and RabbitMQ's
    /// `"messaging"`). A node links only to nodes that speak its protocol.
    fn protocol(&self) -> &'static str;
    fn build(&self, spec: &NodeSpec, node_specs: &[NodeSpec], idx: NodeIdx, topo: &Topology) -> Box<dyn Node>;
    /// Checks a `set` entry's `params` (`out`: what the node links to).
    fn check_params(
        &self,
        spec: &NodeSpec,
        params: &serde_json::Value,
        path: &str,
        out: &[&NodeSpec],
        p: &mut Problems,
    );
    /// A/B changes worth offering (label of A, label of B, the edit that
    /// makes B), from the node's view.
    fn candidates(&self, id: &str, view: &NodeView) -> Vec<(String, String, FaultSpec)>;
    /// The node's settings now, in a `set` entry's words (see `TypedKind`).
    fn settings(&self, view: &NodeView) -> FaultSpec;
    /// Its part in an M/M/c queue (see `TypedKind`).
    fn queue_role(&self, view: &NodeView) -> Option<QueueRole>;
    /// What the compare verdict sums over the kind's nodes in each variant:
    /// (a figure's label in its view, the verdict's word for it).
    fn verdict_figures(&self) -> &'static [(&'static str, &'static str)];
    /// What the charts call its series: its backlog's name, if its samples'
    /// `queue_len` is one (a broker's: "consumer lag", "ready"), and what
    /// its utilisation line adds to its id ("(mean of its shards)").
    fn chart_words(&self) -> ChartWords;
    /// The parts the node is made of, if any (see [`PartsOf`]).
    fn parts(&self, spec: &NodeSpec) -> Option<PartsOf>;
    /// Lines the CLI prints under its table for a node of the kind, from
    /// its whole-run summary (a store's shards and moved keys).
    fn summary_text(&self, id: &str, summary: &NodeSummary) -> Vec<String>;
}

/// The node kinds a build knows, as the validator reads a scenario: the
/// families' registry (`families::KINDS`) is the one implementation, so
/// the core reaches every kind through this and names none.
pub trait Kinds {
    /// The kind named `name`, if its code can run now (in the main module,
    /// or in a family chunk already loaded).
    fn kind(&self, name: &str) -> Option<&'static dyn OwnKind>;
    /// For a kind the build has but cannot run yet (its family's chunk is
    /// not loaded), what to tell the person.
    fn missing(&self, name: &str) -> Option<String>;
    /// Every kind name, family by family (what an error lists).
    fn names(&self) -> Vec<&'static str>;
}

/// What a family writes for each of its kinds: the typed half of
/// [`OwnKind`] (which every `TypedKind` is). Defaults: no calls taken, no
/// timeline parameters, not a station, store, source, pool member or
/// balancer, may fail, no `params`, no A/B offers.
pub trait TypedKind: Send + Sync + 'static {
    /// The kind's part of scenario format v1.
    type Spec: serde::de::DeserializeOwned + Serialize + PartialEq + Send + Sync + 'static;
    const NAME: &'static str;
    fn id(spec: &Self::Spec) -> &str;
    fn validate(&self, spec: &Self::Spec, path: &str, p: &mut Problems);
    fn validate_links(&self, _spec: &Self::Spec, _path: &str, _out: &[&NodeSpec], _p: &mut Problems) {}
    fn validate_in(&self, _spec: &Self::Spec, _path: &str, _nodes: &[NodeSpec], _out: &[&NodeSpec], _p: &mut Problems) {
    }
    fn validate_from(&self, _spec: &Self::Spec, _path: &str, _from: &[&NodeSpec], _p: &mut Problems) {}
    fn build(&self, spec: &Self::Spec, node_specs: &[NodeSpec], idx: NodeIdx, topo: &Topology) -> Box<dyn Node>;
    fn accepted_ops(&self) -> &'static [CallOp] {
        &[]
    }
    fn set_fields(&self, _spec: &Self::Spec) -> &'static [&'static str] {
        &[]
    }
    fn can_fail(&self) -> bool {
        true
    }
    fn pool_member(&self) -> bool {
        false
    }
    /// Called only for a `pool_member`.
    fn copy(&self, _spec: &Self::Spec, _id: &str) -> Option<Self::Spec> {
        None
    }
    fn balances(&self) -> bool {
        false
    }
    fn weight(&self, _spec: &Self::Spec) -> u32 {
        1
    }
    fn is_station(&self) -> bool {
        false
    }
    fn calls_tiers(&self, _spec: &Self::Spec) -> bool {
        false
    }
    fn is_leaf_store(&self) -> bool {
        false
    }
    fn is_source(&self) -> bool {
        false
    }
    fn protocol(&self) -> &'static str {
        "requests"
    }
    fn check_params(
        &self,
        spec: &Self::Spec,
        _params: &serde_json::Value,
        path: &str,
        _out: &[&NodeSpec],
        p: &mut Problems,
    ) {
        p.add(path, format!("`{}` is a {}, which takes no `params`", Self::id(spec), Self::NAME));
    }
    /// The changes an A/B comparison (and the live offers) can make to the
    /// node, from its view now: (label A, label B, a `set` entry at 0 s).
    fn candidates(&self, _id: &str, _view: &NodeView) -> Vec<(String, String, FaultSpec)> {
        Vec::new()
    }
    /// The node's current settings in a `set` entry's words (`rate_per_s`,
    /// `workers`, `algorithm`, …; its own fields as `params`), so a `set`
    /// that gives only these values is known to change nothing. A field
    /// left `None` is compared with nothing (`workers` is read from the
    /// view).
    fn settings(&self, _view: &NodeView) -> FaultSpec {
        FaultSpec::default()
    }
    /// The node's part in an M/M/c queue: Poisson arrivals, or workers with
    /// exponential service (`None`: any other node).
    fn queue_role(&self, _view: &NodeView) -> Option<QueueRole> {
        None
    }
    fn verdict_figures(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }
    fn chart_words(&self) -> ChartWords {
        ChartWords::default()
    }
    /// The parts the node is made of, if any (see [`PartsOf`]).
    fn parts(&self, _spec: &Self::Spec) -> Option<PartsOf> {
        None
    }
    fn summary_text(&self, _id: &str, _summary: &NodeSummary) -> Vec<String> {
        Vec::new()
    }
}

impl<T: TypedKind> OwnKind for T {
    fn name(&self) -> &'static str {
        T::NAME
    }
    fn parse(&'static self, body: serde_json::Value, path: &str, p: &mut Problems) -> Option<NodeSpec> {
        let spec: T::Spec = parse_as(body, path, p)?;
        Some(NodeSpec { kind: self, id: T::id(&spec).to_string(), typed: std::sync::Arc::new(spec) })
    }
    fn fields(&self, spec: &NodeSpec) -> Result<Tree, TreeError> {
        to_tree(spec.get::<T::Spec>())
    }
    fn same(&self, a: &NodeSpec, b: &NodeSpec) -> bool {
        a.get::<T::Spec>() == b.get::<T::Spec>()
    }
    fn validate(&self, spec: &NodeSpec, path: &str, p: &mut Problems) {
        TypedKind::validate(self, spec.get(), path, p)
    }
    fn validate_links(&self, spec: &NodeSpec, path: &str, out: &[&NodeSpec], p: &mut Problems) {
        TypedKind::validate_links(self, spec.get(), path, out, p)
    }
    fn validate_in(&self, spec: &NodeSpec, path: &str, nodes: &[NodeSpec], out: &[&NodeSpec], p: &mut Problems) {
        TypedKind::validate_in(self, spec.get(), path, nodes, out, p)
    }
    fn validate_from(&self, spec: &NodeSpec, path: &str, from: &[&NodeSpec], p: &mut Problems) {
        TypedKind::validate_from(self, spec.get(), path, from, p)
    }
    fn accepted_ops(&self) -> &'static [CallOp] {
        TypedKind::accepted_ops(self)
    }
    fn set_fields(&self, spec: &NodeSpec) -> &'static [&'static str] {
        TypedKind::set_fields(self, spec.get())
    }
    fn can_fail(&self) -> bool {
        TypedKind::can_fail(self)
    }
    fn pool_member(&self) -> bool {
        TypedKind::pool_member(self)
    }
    fn copy(&'static self, spec: &NodeSpec, id: &str) -> Option<NodeSpec> {
        if !TypedKind::pool_member(self) {
            return None;
        }
        let copy = TypedKind::copy(self, spec.get(), id)?;
        Some(NodeSpec { kind: self, id: T::id(&copy).to_string(), typed: std::sync::Arc::new(copy) })
    }
    fn balances(&self) -> bool {
        TypedKind::balances(self)
    }
    fn weight(&self, spec: &NodeSpec) -> u32 {
        TypedKind::weight(self, spec.get())
    }
    fn is_station(&self) -> bool {
        TypedKind::is_station(self)
    }
    fn calls_tiers(&self, spec: &NodeSpec) -> bool {
        TypedKind::calls_tiers(self, spec.get())
    }
    fn is_leaf_store(&self) -> bool {
        TypedKind::is_leaf_store(self)
    }
    fn is_source(&self) -> bool {
        TypedKind::is_source(self)
    }
    fn protocol(&self) -> &'static str {
        TypedKind::protocol(self)
    }
    fn build(&self, spec: &NodeSpec, node_specs: &[NodeSpec], idx: NodeIdx, topo: &Topology) -> Box<dyn Node> {
        TypedKind::build(self, spec.get(), node_specs, idx, topo)
    }
    fn check_params(
        &self,
        spec: &NodeSpec,
        params: &serde_json::Value,
        path: &str,
        out: &[&NodeSpec],
        p: &mut Problems,
    ) {
        TypedKind::check_params(self, spec.get(), params, path, out, p)
    }
    fn candidates(&self, id: &str, view: &NodeView) -> Vec<(String, String, FaultSpec)> {
        TypedKind::candidates(self, id, view)
    }
    fn settings(&self, view: &NodeView) -> FaultSpec {
        TypedKind::settings(self, view)
    }
    fn queue_role(&self, view: &NodeView) -> Option<QueueRole> {
        TypedKind::queue_role(self, view)
    }
    fn verdict_figures(&self) -> &'static [(&'static str, &'static str)] {
        TypedKind::verdict_figures(self)
    }
    fn chart_words(&self) -> ChartWords {
        TypedKind::chart_words(self)
    }
    fn parts(&self, spec: &NodeSpec) -> Option<PartsOf> {
        TypedKind::parts(self, spec.get())
    }
    fn summary_text(&self, id: &str, summary: &NodeSummary) -> Vec<String> {
        TypedKind::summary_text(self, id, summary)
    }
}

/// A node of a scenario (format v1's `nodes[i]`): its kind, its id and its
/// typed spec, which only the kind's own code reads (`get`, `as_kind`).
/// Read by `validate.rs`'s `parse_node` (through [`Kinds`]), written
/// `{"kind": <its name>, <its fields>}`.
#[derive(Clone)]
pub struct NodeSpec {
    pub kind: &'static dyn OwnKind,
    pub id: String,
    typed: std::sync::Arc<dyn std::any::Any + Send + Sync>,
}

impl NodeSpec {
    /// The typed spec; a kind asks only for its own `Spec` type.
    pub fn get<S: 'static>(&self) -> &S {
        self.typed.downcast_ref().expect("a NodeSpec is read as its own kind's spec type")
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn kind_name(&self) -> &'static str {
        self.kind.name()
    }

    /// What the node speaks over its links (see `OwnKind::protocol`).
    pub fn protocol(&self) -> &'static str {
        self.kind.protocol()
    }

    /// Whether the node speaks a protocol of its family's own (Kafka's,
    /// RabbitMQ's), not requests.
    pub fn is_messaging(&self) -> bool {
        self.protocol() != "requests"
    }

    /// Whether the node originates traffic (a run needs at least one).
    pub fn is_source(&self) -> bool {
        self.kind.is_source()
    }

    /// Whether it originates requests (a client, a chat's or a shortener's
    /// users): its latency is their whole way.
    pub fn sends_requests(&self) -> bool {
        self.is_source() && !self.is_messaging()
    }

    /// The typed spec of a node of the kind `K`, if it is one: how a family
    /// reads its own nodes (and its neighbours) in a scenario.
    pub fn as_kind<K: TypedKind>(&self) -> Option<&K::Spec> {
        if self.kind.name() == K::NAME { Some(self.get()) } else { None }
    }

    /// The typed spec, if it is an `S`: how a family's node files read a
    /// neighbour of a kind whose spec type is its own (`spec.rs`) without
    /// naming the kind's registry entry (`kinds.rs`, which names them).
    pub fn spec_of<S: 'static>(&self) -> Option<&S> {
        self.typed.downcast_ref()
    }

    /// The type of its spec: each kind's own (what `spec_of` relies on).
    pub fn spec_type(&self) -> std::any::TypeId {
        (*self.typed).type_id()
    }

    /// Whether a `set` entry may change `field` of the node (see
    /// `OwnKind::set_fields`).
    pub fn takes(&self, field: &str) -> bool {
        self.kind.set_fields(self).contains(&field)
    }
}

impl PartialEq for NodeSpec {
    fn eq(&self, other: &NodeSpec) -> bool {
        self.kind.name() == other.kind.name() && self.kind.same(self, other)
    }
}

impl std::fmt::Debug for NodeSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind.fields(self) {
            Ok(fields) => write!(f, "{} {}", self.kind.name(), serde_json::to_string(&fields).unwrap_or_default()),
            Err(e) => write!(f, "{} ({e})", self.kind.name()),
        }
    }
}

impl Serialize for NodeSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeMap};
        // In the spec type's field order, as a tagged enum variant writes
        // its struct (`kind` first): a `serde_json::Value` would sort them.
        let fields = match self.kind.fields(self).map_err(S::Error::custom)? {
            Tree::Map(fields) => fields,
            _ => Vec::new(),
        };
        let mut map = s.serialize_map(Some(1 + fields.len()))?;
        map.serialize_entry("kind", self.kind.name())?;
        for (k, v) in &fields {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}
