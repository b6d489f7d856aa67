//! A bounded ring of recent link crossings: what the UI animates as dots.
//!
//! Memory is fixed at `capacity` entries whatever the run's length; the
//! oldest entries are overwritten first.

use serde::Serialize;

use super::ids::NodeIdx;
use super::time::SimTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MsgKind {
    Request,
    /// A request that writes (op write, set or delete): drawn in its own colour.
    Write,
    Response,
    /// A response carrying an error status (dropped, refused, reset, timed out).
    Error,
    /// A record or message: a produce, a fetch response, a delivery.
    Record,
    /// An acknowledgement (produce ack, commit, basic.ack).
    Ack,
    /// Protocol traffic: heartbeats, joins, fetch requests, nacks.
    Control,
    /// A message sent across a partition: it never arrives (the entry's
    /// `arrive_ns` is where the animation lets it fade, half way).
    Lost,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TraceEntry {
    pub msg_id: u64,
    pub req_id: u64,
    pub from: NodeIdx,
    pub to: NodeIdx,
    pub sent_ns: SimTime,
    pub arrive_ns: SimTime,
    pub kind: MsgKind,
    /// What colours the dot: a record's key or routing key (messaging), the
    /// request id otherwise.
    pub key: u32,
}

#[derive(Clone, Debug)]
pub struct Trace {
    buf: Vec<TraceEntry>,
    capacity: usize,
    /// Where the next entry goes once the ring is full.
    next: usize,
}

impl Trace {
    pub fn new(capacity: usize) -> Self {
        Trace { buf: Vec::with_capacity(capacity), capacity, next: 0 }
    }

    #[inline(always)]
    pub fn push(&mut self, e: TraceEntry) {
        if self.capacity == 0 {
            return;
        }
        if self.buf.len() < self.capacity {
            self.buf.push(e);
        } else {
            self.buf[self.next] = e;
            // A compare, not `%`: this runs for every message sent.
            self.next += 1;
            if self.next == self.capacity {
                self.next = 0;
            }
        }
    }

    /// Records nothing from now on (and forgets what it held): for a run
    /// nobody animates. A push then costs one compare.
    pub fn stop(&mut self) {
        self.capacity = 0;
        self.buf = Vec::new();
        self.next = 0;
    }

    /// Oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &TraceEntry> {
        let (newer, older) = self.buf.split_at(self.next);
        older.iter().chain(newer.iter())
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The trace packed for keeping (a checkpoint's): each entry as the
    /// differences from the one before it, in variable-length integers,
    /// about a third of the entries' size. [`PackedTrace::unpack`] gives
    /// back the same entries in the same order.
    pub fn pack(&self) -> PackedTrace {
        let mut bytes = Vec::with_capacity(self.buf.len() * 16);
        let mut prev = TraceEntry {
            msg_id: 0,
            req_id: 0,
            from: 0,
            to: 0,
            sent_ns: 0,
            arrive_ns: 0,
            kind: MsgKind::Request,
            key: 0,
        };
        for e in self.iter() {
            put(&mut bytes, zigzag(e.msg_id.wrapping_sub(prev.msg_id)));
            put(&mut bytes, zigzag(e.req_id.wrapping_sub(prev.req_id)));
            put(&mut bytes, zigzag(e.sent_ns.wrapping_sub(prev.sent_ns)));
            put(&mut bytes, zigzag(e.arrive_ns.wrapping_sub(e.sent_ns)));
            put(&mut bytes, u64::from(e.from));
            put(&mut bytes, u64::from(e.to));
            put(&mut bytes, u64::from(e.key));
            put(&mut bytes, e.kind as u64);
            prev = *e;
        }
        bytes.shrink_to_fit();
        PackedTrace { bytes, len: self.buf.len(), capacity: self.capacity }
    }

    /// The same trace holding nothing, and no memory: what a checkpoint's
    /// copy keeps beside its [`PackedTrace`].
    pub fn emptied(&self) -> Trace {
        Trace { buf: Vec::new(), capacity: self.capacity, next: 0 }
    }
}

/// A [`Trace`] packed by [`Trace::pack`].
#[derive(Clone, Debug)]
pub struct PackedTrace {
    bytes: Vec<u8>,
    len: usize,
    capacity: usize,
}

impl PackedTrace {
    /// The trace it was packed from: its entries, oldest first, and its
    /// capacity (a full ring goes on overwriting its oldest entry).
    pub fn unpack(&self) -> Trace {
        let mut buf = Vec::with_capacity(self.capacity.max(self.len));
        let mut at = 0;
        let mut next = || take(&self.bytes, &mut at);
        let (mut msg_id, mut req_id, mut sent_ns) = (0u64, 0u64, 0u64);
        for _ in 0..self.len {
            msg_id = msg_id.wrapping_add(unzigzag(next()));
            req_id = req_id.wrapping_add(unzigzag(next()));
            sent_ns = sent_ns.wrapping_add(unzigzag(next()));
            let arrive_ns = sent_ns.wrapping_add(unzigzag(next()));
            let (from, to, key) = (next() as NodeIdx, next() as NodeIdx, next() as u32);
            let kind = MsgKind::from_u8(next() as u8);
            buf.push(TraceEntry { msg_id, req_id, from, to, sent_ns, arrive_ns, kind, key });
        }
        Trace { buf, capacity: self.capacity, next: 0 }
    }

    /// Bytes it takes.
    pub fn bytes(&self) -> usize {
        self.bytes.len()
    }
}

fn zigzag(d: u64) -> u64 {
    let d = d as i64;
    ((d << 1) ^ (d >> 63)) as u64
}

fn unzigzag(z: u64) -> u64 {
    ((z >> 1) as i64 ^ -((z & 1) as i64)) as u64
}

/// LEB128: 7 bits a byte, the high bit set on every byte but the last.
fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn take(bytes: &[u8], at: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = bytes[*at];
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return v;
        }
        shift += 7;
    }
}

impl MsgKind {
    const ALL: [MsgKind; 8] = [
        MsgKind::Request,
        MsgKind::Write,
        MsgKind::Response,
        MsgKind::Error,
        MsgKind::Record,
        MsgKind::Ack,
        MsgKind::Control,
        MsgKind::Lost,
    ];

    fn from_u8(b: u8) -> MsgKind {
        MsgKind::ALL[usize::from(b)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: u64) -> TraceEntry {
        TraceEntry {
            msg_id: id,
            req_id: id,
            from: 0,
            to: 1,
            sent_ns: id,
            arrive_ns: id + 1,
            kind: MsgKind::Request,
            key: 0,
        }
    }

    #[test]
    fn keeps_the_most_recent_entries_in_order() {
        let mut t = Trace::new(3);
        for id in 1..=5 {
            t.push(entry(id));
        }
        let ids: Vec<u64> = t.iter().map(|e| e.msg_id).collect();
        assert_eq!(ids, vec![3, 4, 5]);
        assert_eq!(t.len(), 3);
    }

    /// Packing keeps every entry, in order, and the ring's capacity: the
    /// unpacked trace goes on overwriting its oldest entry as the original
    /// does. Entries as a run makes them (ids up and down, times that jump,
    /// every kind, the largest values) and a ring that wrapped.
    #[test]
    fn a_packed_trace_unpacks_to_the_same_entries_and_goes_on_the_same() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(3);
        for (capacity, n) in [(0, 5), (1, 3), (7, 5), (7, 7), (64, 1_000)] {
            let mut t = Trace::new(capacity);
            let mut now = 0u64;
            for i in 0..n as u64 {
                now += rng.random_range(0..2_000_000u64);
                let e = TraceEntry {
                    msg_id: i + 1,
                    req_id: if i % 5 == 0 { u64::MAX - i } else { rng.random_range(0..1_000u64) },
                    from: rng.random_range(0..u32::MAX),
                    to: rng.random_range(0..4u32),
                    sent_ns: now,
                    arrive_ns: if i == 3 { u64::MAX } else { now + rng.random_range(0..10_000_000_000u64) },
                    kind: MsgKind::ALL[(i % 8) as usize],
                    key: if i == 2 { u32::MAX } else { rng.random_range(0..100u32) },
                };
                t.push(e);
            }
            let packed = t.pack();
            let mut back = packed.unpack();
            let entries = |t: &Trace| t.iter().copied().collect::<Vec<_>>();
            assert_eq!(entries(&back), entries(&t), "capacity {capacity}, {n} pushed");
            if capacity >= 7 && n >= 7 {
                assert!(packed.bytes() < t.len() * std::mem::size_of::<TraceEntry>() / 2, "{} bytes", packed.bytes());
            }
            for i in 0..3 {
                t.push(entry(1_000_000 + i));
                back.push(entry(1_000_000 + i));
            }
            assert_eq!(entries(&back), entries(&t), "after more pushes, capacity {capacity}");
        }
    }
}
