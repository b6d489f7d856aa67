//! What travels the engine's links besides a family's own messages: a
//! `Request` (and on its way back, its answer), its `Status` and `Op`.

use serde::Serialize;

use super::ids::NodeIdx;
use super::limits;
use super::time::SimTime;

/// How a request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Still travelling towards a server.
    Pending,
    Ok,
    /// A server's queue was full (HTTP 503).
    Dropped,
    /// It waited in a queue past the server's `timeout_ms`.
    TimedOut,
    /// It reached a node that was down, or a balancer with no healthy backend.
    Refused,
    /// The node holding it failed.
    Reset,
}

/// A request and, on the way back, its response. `Copy` and fixed-size so the
/// hot path never allocates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Request {
    pub id: u64,
    /// The client node that sent it.
    pub client: NodeIdx,
    /// Drawn from the client's population; what `ip_hash` hashes.
    pub client_id: u32,
    /// Drawn from the client's key distribution.
    pub key: u64,
    pub created_ns: SimTime,
    /// When it arrived at the node now holding it.
    pub arrived_ns: SimTime,
    pub status: Status,
    /// What it asks for (a node that serves one kind of request ignores it).
    pub op: Op,
    /// On an answer to a `Get`: whether the key was there.
    pub hit: bool,
    /// The sender's own correlation number (a server's call slot); the
    /// answer carries it back unchanged. 0 for a client's request.
    pub tag: u32,
    pub(super) n_hops: u8,
    /// Links crossed, as u16 (validation caps links at `MAX_LINKS`, below
    /// 2^16, counting the links of servers the timeline adds; `Simulation::new`
    /// checks it): a smaller request is copied faster on every hop.
    pub(super) hops: [u16; limits::MAX_HOPS],
}

// Every message copies a request several times on its way through the
// event queue; keep it within 64 bytes.
const _: () = assert!(std::mem::size_of::<Request>() <= 64);
const _: () = assert!(limits::MAX_LINKS <= u16::MAX as usize + 1);
const _: () = assert!(limits::MAX_NODES <= u16::MAX as usize + 1);

impl Request {
    pub fn new(id: u64, client: NodeIdx, client_id: u32, key: u64, now: SimTime) -> Self {
        Request {
            id,
            client,
            client_id,
            key,
            created_ns: now,
            arrived_ns: now,
            status: Status::Pending,
            op: Op::Read,
            hit: false,
            tag: 0,
            n_hops: 0,
            hops: [0; limits::MAX_HOPS],
        }
    }

    /// How many links it has crossed and not yet crossed back: 0 once an
    /// answer is back at its client.
    pub fn n_hops(&self) -> usize {
        usize::from(self.n_hops)
    }
}

/// What a request asks for: read or write its key, or read a run of keys;
/// or, of a key store, get, set or delete its key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Op {
    #[default]
    Read,
    Write,
    /// Read this many consecutive keys from the request's key (at most
    /// `MAX_RANGE_KEYS`; u16 keeps a request small).
    Range(u16),
    Get,
    Set,
    Delete,
}

impl Op {
    pub fn name(self) -> &'static str {
        match self {
            Op::Read => "read",
            Op::Write => "write",
            Op::Range(_) => "range",
            Op::Get => "get",
            Op::Set => "set",
            Op::Delete => "delete",
        }
    }
}
