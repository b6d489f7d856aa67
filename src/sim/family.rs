//! What the families put on the wire and show: the message, view and
//! summary types whose variants name node families, kept out of the engine.
//!
//! ```text
//!   engine.rs  moves a Payload, stores a Body, asks a Node for its NodeView
//!      │       and NodeSummary, and matches only Request, Response, Timer
//!      ▼
//!   family.rs  (this file) declares the payload, and the views and
//!              summaries with their per-family parts
//!      ▲
//!   families/… each family's node models fill them in, and send their
//!              own messages as `Payload::Own` (see `wire.rs`)
//! ```
//! The engine re-exports these types, so node code keeps importing them
//! from `engine`. A family with its own protocol declares its message type
//! and implements [`Message`] for it (`sim/wire.rs`): nothing here names
//! it. A family with its own panel puts its view data in `NodeView::own`
//! and its whole-run figures in `NodeSummary::own`, types of its own that
//! are opaque here.

use serde::Serialize;

use crate::sim::ids::NodeIdx;
use crate::sim::metrics::LatencySummary;
use crate::sim::request::Request;
use crate::sim::tree::{Tree, TreeError, to_tree};

/// What one event delivers to a node.
///
/// `repr(u64)`: a whole word for the tag puts every variant's fields on
/// 8-byte boundaries, so the compiler copies a payload in whole aligned
/// words. With a one-byte tag it moved the bytes after the tag as two
/// overlapping 4-byte halves, and reading those back stalled the CPU's
/// store forwarding on every event (measured: 10% of the M/M/8 bench).
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(u64)]
pub enum Payload {
    Request(Request),
    Response(Request),
    /// A timer the node set for itself; `tag` and `slot` are the node's own.
    Timer {
        tag: u32,
        slot: u32,
    },
    /// A family's own protocol message (Kafka's, RabbitMQ's), typed by the
    /// family and opaque here (see [`Msg`]).
    Own(Msg),
}

impl Payload {
    /// A family's message, wrapped for the wire.
    #[inline(always)]
    pub fn own<T: Message>(msg: T) -> Payload {
        Payload::Own(Msg::new(msg))
    }

    /// The body a protocol message holds in the engine's arena, if any.
    pub fn body(&self) -> Option<BodyId> {
        match self {
            Payload::Own(m) => m.body(),
            _ => None,
        }
    }

    /// The payload as a node that speaks the family message `T` sees it:
    /// what a family's `on_message` matches on.
    #[inline(always)]
    pub fn typed<T: Message>(self) -> Delivery<T> {
        match self {
            Payload::Request(r) => Delivery::Request(r),
            Payload::Response(r) => Delivery::Response(r),
            Payload::Timer { tag, slot } => Delivery::Timer { tag, slot },
            Payload::Own(m) => m.get().map_or(Delivery::Other, Delivery::Msg),
        }
    }
}

/// A [`Payload`] with the family's own messages typed (`Payload::typed`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Delivery<T> {
    Request(Request),
    Response(Request),
    Timer {
        tag: u32,
        slot: u32,
    },
    /// A message of the family's type.
    Msg(T),
    /// Another family's message (a node linked to one it cannot speak to).
    Other,
}

pub use super::wire::{Body, BodyId, Message, Msg};

/// A node's live state, for the topology view and the inspector.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct NodeView {
    pub kind: &'static str,
    pub up: bool,
    /// False before a timeline `add_server` and after a `remove_server`.
    pub present: bool,
    /// Cut off from the rest of the network by a timeline `partition`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cut: bool,
    /// Requests being served now (servers) or awaiting a response (balancers).
    pub in_service: u64,
    /// Concurrency limit (servers); 0 where it does not apply.
    pub workers: u32,
    pub queue_len: u64,
    pub queue_capacity: u64,
    pub completed: u64,
    pub dropped: u64,
    pub errors: u64,
    /// Backends currently in rotation (balancers).
    pub healthy_backends: Vec<NodeIdx>,
    /// A node made of parts (a Kafka cluster's brokers, a store's shards;
    /// see [`PartsOf`](super::kind::PartsOf)): each part's state, by number.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<PartState>,
    /// The node's current settings, typed by its kind (a server's service
    /// time, a balancer's algorithm, a chat phone's whole spec): what its
    /// family's editor, its A/B offers (`OwnKind::candidates`) and its
    /// `OwnKind::settings` read back with [`NodeView::params`]. Opaque here,
    /// as `own` is; nothing serializes it.
    #[serde(skip)]
    pub params: Option<OwnPart>,
    /// The kind's own live figures (label, value), shown by the inspector
    /// as they come: how a kind shows its numbers without a field here.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<(&'static str, f64)>,
    /// The kind's newest requests told step by step, newest last: how a
    /// kind explains what it did without a panel type here.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stories: Vec<Story>,
    /// The kind's own view data, whatever its family's panel draws (a
    /// Kafka cluster's brokers, partitions and groups; a RabbitMQ broker's
    /// exchanges, bindings and queues; a sharded store's shards, ring and
    /// recent routes): opaque here, read back by type with
    /// [`NodeView::own`]. Nothing serializes a view's part.
    #[serde(skip)]
    pub own: Option<OwnPart>,
}

impl NodeView {
    /// The kind's own view data, if it is a `T`.
    pub fn own<T: 'static>(&self) -> Option<&T> {
        self.own.as_ref()?.get()
    }

    /// The node's current settings, if they are a `T` (see the field).
    pub fn params<T: 'static>(&self) -> Option<&T> {
        self.params.as_ref()?.get()
    }

    /// Its own figure labelled `label` (`figures`), if it shows one.
    pub fn figure(&self, label: &str) -> Option<f64> {
        self.figures.iter().find(|f| f.0 == label).map(|f| f.1)
    }
}

/// A kind's own data in a view (`NodeView::own`) or a summary
/// (`OwnSummary`): any `T: PartialEq + Debug`, behind a shared pointer, so
/// a family's types are named only by the family (its code can sit in a
/// chunk) and a frame's copy of a view is a pointer. Two are equal when
/// they hold the same type and equal values; `Debug` shows the value
/// (natively; see `PartData::debug`).
#[derive(Clone)]
pub struct OwnPart(std::sync::Arc<dyn PartData>);

impl OwnPart {
    pub fn new<T: PartData>(part: T) -> Self {
        OwnPart(std::sync::Arc::new(part))
    }

    /// The data, if it is a `T`.
    pub fn get<T: 'static>(&self) -> Option<&T> {
        (&*self.0 as &dyn std::any::Any).downcast_ref()
    }
}

/// What [`OwnPart`] holds: implemented for every `PartialEq + Debug` type.
pub trait PartData: std::any::Any + Send + Sync {
    /// Equal to `other` (false when `other` is another type).
    fn same(&self, other: &dyn PartData) -> bool;
    /// The value's `Debug`. Only natively: in the browser nothing prints
    /// a view, and a vtable entry would keep every part's `Debug` (and the
    /// float formatting behind it) in the download (measured: 3.5 KB gzip
    /// for the sharded store's view alone).
    #[cfg(not(target_arch = "wasm32"))]
    fn debug(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result;
}

impl<T: std::any::Any + std::fmt::Debug + PartialEq + Send + Sync> PartData for T {
    fn same(&self, other: &dyn PartData) -> bool {
        (other as &dyn std::any::Any).downcast_ref::<T>().is_some_and(|o| o == self)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn debug(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

impl PartialEq for OwnPart {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0) || self.0.same(&*other.0)
    }
}

impl std::fmt::Debug for OwnPart {
    #[cfg(not(target_arch = "wasm32"))]
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.debug(f)
    }

    #[cfg(target_arch = "wasm32")]
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OwnPart(..)")
    }
}

/// A part's state in a node's view (`NodeView::parts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartState {
    Up,
    Down,
    /// Removed by the timeline (a store's shard that left).
    Gone,
}

impl PartState {
    pub fn of(present: bool, up: bool) -> PartState {
        match (present, up) {
            (false, _) => PartState::Gone,
            (true, true) => PartState::Up,
            (true, false) => PartState::Down,
        }
    }
}

/// One request's story, as a node tells it (`NodeView::stories`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Story {
    /// The request the node was asked (what the animation's dots carry).
    pub req_id: u64,
    /// What kind of request: the panel colours by it ("write", "redirect").
    pub class: &'static str,
    pub text: String,
    /// Whether it ended in an error.
    pub failed: bool,
}

/// Outcomes are the metrics' (`metrics.rs`); the summary they make is this
/// file's.
impl crate::sim::metrics::Outcomes {
    /// A source's summary: these outcomes of the `sent` requests, and the
    /// throughput of those completed by `now`.
    pub fn summary(&self, kind: &'static str, sent: u64, now: crate::sim::time::SimTime) -> NodeSummary {
        NodeSummary {
            kind,
            sent: Some(sent),
            completed: Some(self.completed),
            dropped: Some(self.dropped),
            timed_out: Some(self.timed_out),
            refused: Some(self.refused),
            reset: Some(self.reset),
            throughput_per_s: Some(crate::sim::time::per_s(self.completed, now)),
            ..Default::default()
        }
    }
}

/// Whole-run figures of one node; fields that do not apply are left out.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct NodeSummary {
    pub kind: &'static str,
    pub up: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dropped: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timed_out: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reset: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throughput_per_s: Option<f64>,
    /// Busy worker-time / (workers x elapsed time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utilisation: Option<f64>,
    /// Time-averaged number waiting in the queue.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_queue_len: Option<f64>,
    /// Time-averaged number in the node (waiting + in service): L in Little's law.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_in_system: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<LatencySummary>,
    /// Requests sent to each backend (balancers), by backend id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forwarded: Option<std::collections::BTreeMap<String, u64>>,
    /// Batches a producer sent again (after an error or a timeout).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_lettered: Option<u64>,
    /// Records this consumer processed that its group had processed before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicates: Option<u64>,
    /// Records processed after a later record of the same producer and partition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_of_order: Option<u64>,
    /// Deliveries this consumer got that were redeliveries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redelivered: Option<u64>,
    /// The kind's own whole-run figures, written under their own key at
    /// this place: a Kafka cluster's `kafka` (appends, elections, groups,
    /// partitions), a RabbitMQ broker's `queues` (by name), a sharded
    /// store's `store` (shards, load and changes).
    #[serde(flatten)]
    pub own: Option<OwnSummary>,
    /// Requests that failed because one of the node's calls failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<u64>,
    /// A server's calls, by the id of the node called.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calls: Option<std::collections::BTreeMap<String, CallStats>>,
    /// The kind's own whole-run figures, printed as fields of the node
    /// (a cache's `hits`, `hit_ratio`…): how a kind reports numbers
    /// without a field here.
    #[serde(flatten)]
    pub figures: std::collections::BTreeMap<&'static str, Figure>,
}

/// Calls a node made to one target, over the run (a server's, by the
/// target's id in `NodeSummary::calls`).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct CallStats {
    pub sent: u64,
    pub ok: u64,
    /// Calls that failed for good (after their retries).
    pub failed: u64,
    /// Attempts that got no answer within `timeout_ms`.
    pub timed_out: u64,
    pub retried: u64,
}

impl NodeSummary {
    /// The kind's own whole-run figures, if they are a `T`.
    pub fn own<T: 'static>(&self) -> Option<&T> {
        self.own.as_ref()?.typed.get()
    }
}

/// A kind's own part of its summary (`NodeSummary::own`), whose type only
/// its family names: read back by type, and written out as `"key": value`
/// exactly as the typed value would be, through a [`Tree`] that `tree_of`
/// (the family's code, chosen by `new`) makes of it when the summary is
/// written. Equal when the values are; `Debug` shows the value (natively).
#[derive(Clone)]
pub struct OwnSummary {
    key: &'static str,
    typed: OwnPart,
    tree_of: fn(&OwnPart) -> Result<Tree, TreeError>,
}

impl OwnSummary {
    /// `value` under `key`.
    pub fn new<T: Serialize + PartData>(key: &'static str, value: T) -> Self {
        fn tree_of<T: Serialize + 'static>(part: &OwnPart) -> Result<Tree, TreeError> {
            to_tree(part.get::<T>().expect("an OwnSummary's part is the type `new` was given"))
        }
        OwnSummary { key, typed: OwnPart::new(value), tree_of: tree_of::<T> }
    }
}

impl PartialEq for OwnSummary {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key && self.typed == other.typed
    }
}

impl Serialize for OwnSummary {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeMap};
        let tree = (self.tree_of)(&self.typed).map_err(S::Error::custom)?;
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(self.key, &tree)?;
        map.end()
    }
}

impl std::fmt::Debug for OwnSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entry(&self.key, &self.typed).finish()
    }
}

/// A summary's figures from a list. Every kind builds them through this one
/// function: a `collect()` from an array of another length would be its own
/// copy of the stable sort behind `BTreeMap::from_iter` in the wasm (about
/// 4 KB each). A repeated label keeps its last value, as `collect` does.
pub fn figures(list: &[(&'static str, Figure)]) -> std::collections::BTreeMap<&'static str, Figure> {
    list.iter().copied().collect_map()
}

/// `collect()` into a `BTreeMap` by inserts, for the browser's download:
/// `BTreeMap::from_iter` sorts with a stable sort, and each key-value type
/// and each iterator type gets its own copy of it in the wasm (about 4 KB
/// each), while `insert` is there already. Same map: a repeated key keeps
/// its last value.
pub trait CollectMap<K: Ord, V>: Iterator<Item = (K, V)> + Sized {
    fn collect_map(self) -> std::collections::BTreeMap<K, V> {
        let mut map = std::collections::BTreeMap::new();
        for (k, v) in self {
            map.insert(k, v);
        }
        map
    }
}

impl<K: Ord, V, I: Iterator<Item = (K, V)>> CollectMap<K, V> for I {}

/// A number in a node's summary: a count prints as an integer.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Figure {
    Count(u64),
    Value(f64),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The app re-renders a node's panel only when its view changed, and
    /// the checkpoint tests compare views by `Debug`: both must see the
    /// value, not the pointer.
    #[test]
    fn own_views_compare_by_type_and_value_and_print_the_value() {
        let a = OwnPart::new(vec![1u32, 2]);
        assert_eq!(a, a.clone());
        assert_eq!(a, OwnPart::new(vec![1u32, 2]));
        assert_ne!(a, OwnPart::new(vec![1u32, 3]));
        assert_ne!(a, OwnPart::new(vec![1u64, 2]), "another type is another view");
        assert_eq!(format!("{a:?}"), "[1, 2]");
        assert_eq!(a.get::<Vec<u32>>(), Some(&vec![1, 2]));
        assert_eq!(a.get::<Vec<u64>>(), None);
        let view = NodeView { own: Some(a), ..Default::default() };
        assert_eq!(view.own::<Vec<u32>>().map(Vec::len), Some(2));
        assert_eq!(NodeView::default().own::<Vec<u32>>(), None);
    }

    /// A summary's own part prints as a field of the node, where the typed
    /// field used to be (after `completed`, before `failed`), and compares
    /// and prints by value.
    #[test]
    fn own_summaries_write_under_their_key_in_place() {
        let node = |shards: Vec<u32>| NodeSummary {
            kind: "store",
            completed: Some(3),
            own: Some(OwnSummary::new("store", shards)),
            failed: Some(1),
            ..Default::default()
        };
        let a = node(vec![1, 2]);
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            r#"{"kind":"store","up":false,"completed":3,"store":[1,2],"failed":1}"#
        );
        assert_eq!(a.own::<Vec<u32>>(), Some(&vec![1, 2]));
        assert_eq!(a, node(vec![1, 2]));
        assert_ne!(a, node(vec![1, 3]));
        assert!(format!("{a:?}").contains(r#"own: Some({"store": [1, 2]})"#), "{a:?}");
        let none = NodeSummary { kind: "client", ..Default::default() };
        assert_eq!(serde_json::to_string(&none).unwrap(), r#"{"kind":"client","up":false}"#);
        // A part a `Tree` refuses is an error of the write, not a panic.
        let refused = NodeSummary { own: Some(OwnSummary::new("x", 1.5f32)), ..Default::default() };
        let err = serde_json::to_string(&refused).unwrap_err().to_string();
        assert!(err.contains("an f32 (1.5) is not supported"), "{err}");
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Ping {
        Ping(u32),
        Batch { body: BodyId },
    }
    impl Message for Ping {
        fn body(&self) -> Option<BodyId> {
            if let Ping::Batch { body } = *self { Some(body) } else { None }
        }
    }
    #[derive(Clone, Copy, Debug, PartialEq)]
    struct Other(u8);
    impl Message for Other {}

    #[test]
    fn a_payload_is_seen_typed_by_the_family_that_speaks_it() {
        let p = Payload::own(Ping::Ping(7));
        assert_eq!(p.typed::<Ping>(), Delivery::Msg(Ping::Ping(7)));
        assert_eq!(p.typed::<Other>(), Delivery::Other);
        assert_eq!(p.body(), None);
        assert_eq!(Payload::own(Ping::Batch { body: 3 }).body(), Some(3));
        assert_eq!(Payload::Timer { tag: 1, slot: 2 }.typed::<Ping>(), Delivery::Timer { tag: 1, slot: 2 });
        assert_eq!(Payload::Timer { tag: 1, slot: 2 }.body(), None);
        let r = Request::new(5, 0, 9, 0);
        assert_eq!(Payload::Request(r).typed::<Ping>(), Delivery::Request(r));
        assert_eq!(Payload::Response(r).typed::<Ping>(), Delivery::Response(r));
    }
}
