//! What travels the engine's links besides a family's own messages: a
//! `Request` (and on its way back, its answer), its `Status` and `Op`.

use serde::Serialize;

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
    /// The sender's own fields, typed by its family ([`Note`]): a server's
    /// call slot, a chat frame's kind and whom it is about. The answer
    /// carries them back unchanged; a client's request has none.
    pub note: Note,
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

/// The most bytes of a request's [`Note`]: what is left of its 64.
pub const NOTE_BYTES: usize = 9;

/// A family's own fields in a request, typed: any `Copy` type of at most
/// [`NOTE_BYTES`] whose bytes are all its fields (`bytemuck::NoUninit`)
/// and whose bit patterns can be checked (`bytemuck::CheckedBitPattern`:
/// derive both; an enum field needs `#[repr(u8)]`, a struct
/// `#[repr(C, packed)]` to fit). The family writes it with
/// [`Request::set_note`] and reads it back with [`Request::note`]; no bits
/// are shifted or masked by hand. A type larger than `NOTE_BYTES` does not
/// compile.
///
/// The request does not know the note's type (no room for it): a note is
/// read back as the type its reader expects, and bytes that are no valid
/// value of that type read as `None`. A node reads the notes of the
/// requests it sent (an answer carries its note back) and of its own
/// family's; a request from another family (a web-tier server calling a
/// URL table) may read as `None` or as a value its sender never wrote, so
/// a reader gives such a request a meaning of its own. A family's note
/// types start their first enum at 1, so a request with no note (all
/// zeros) reads as `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Note([u8; NOTE_BYTES]);

impl Note {
    /// A note holding `value`; a type over [`NOTE_BYTES`] does not compile.
    #[inline(always)]
    pub fn new<T: bytemuck::NoUninit>(value: T) -> Note {
        const { assert!(std::mem::size_of::<T>() <= NOTE_BYTES, "a request's note must fit in NOTE_BYTES") };
        let mut bytes = [0; NOTE_BYTES];
        bytes[..std::mem::size_of::<T>()].copy_from_slice(bytemuck::bytes_of(&value));
        Note(bytes)
    }

    /// The note as a `T`, or `None` if its bytes are no `T`.
    #[inline(always)]
    pub fn get<T: bytemuck::CheckedBitPattern>(&self) -> Option<T> {
        bytemuck::checked::try_pod_read_unaligned(&self.0[..std::mem::size_of::<T>()]).ok()
    }
}

impl Request {
    pub fn new(id: u64, client_id: u32, key: u64, now: SimTime) -> Self {
        Request {
            id,
            client_id,
            key,
            created_ns: now,
            arrived_ns: now,
            status: Status::Pending,
            op: Op::Read,
            hit: false,
            note: Note::default(),
            n_hops: 0,
            hops: [0; limits::MAX_HOPS],
        }
    }

    /// Its note as a `T` (see [`Note`]).
    #[inline(always)]
    pub fn note<T: bytemuck::CheckedBitPattern>(&self) -> Option<T> {
        self.note.get()
    }

    /// Writes `value` as its note (see [`Note`]).
    #[inline(always)]
    pub fn set_note<T: bytemuck::NoUninit>(&mut self, value: T) {
        self.note = Note::new(value);
    }

    /// How many links it has crossed and not yet crossed back: 0 once an
    /// answer is back at its client.
    pub fn n_hops(&self) -> usize {
        usize::from(self.n_hops)
    }

    /// The link it crossed last (to the node holding it now): which node
    /// sent it, for a node that answers several.
    pub fn last_link(&self) -> Option<super::ids::LinkIdx> {
        let n = usize::from(self.n_hops).checked_sub(1)?;
        self.hops.get(n).map(|&l| super::ids::LinkIdx::from(l))
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
    /// Whether it changes its key: a write, a set or a delete.
    pub fn writes(self) -> bool {
        matches!(self, Op::Write | Op::Set | Op::Delete)
    }

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
