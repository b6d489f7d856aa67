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
}
