//! The future-event list: a binary heap ordered by (time, insertion sequence).
//!
//! ```text
//!   push(t, e) ──► slab[slot] = e ──► heap ⟨t, seq, slot⟩      (24 bytes an entry)
//!   pop()      ◄── smallest (t, seq) ◄── slab[slot].take()      (slot reused)
//! ```
//! Equal times pop in the order they were pushed (FIFO), because `seq` grows
//! by one per push: that is what makes a run reproducible. Payloads live in a
//! slab so the heap moves small entries, whatever the payload's size.
//!
//! *Control* events (timeline entries: faults, live edits) pop after every
//! ordinary event of the same time, in their own push order. So an edit
//! made live at time t and the same edit replayed from a file take effect at
//! exactly the same point of the run.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::time::SimTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    time: SimTime,
    seq: u64,
    slot: u32,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and we want the earliest first.
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A priority queue of `T` keyed by simulated time, FIFO among equal times.
#[derive(Debug)]
pub struct EventQueue<T> {
    heap: BinaryHeap<Entry>,
    slab: Vec<Option<T>>,
    free_slots: Vec<u32>,
    next_seq: u64,
    next_control_seq: u64,
}

/// Control events' sequence numbers start here, above any ordinary one.
const CONTROL_SEQ_BASE: u64 = 1 << 63;

impl<T> Default for EventQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> EventQueue<T> {
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            slab: Vec::new(),
            free_slots: Vec::new(),
            next_seq: 0,
            next_control_seq: CONTROL_SEQ_BASE,
        }
    }

    pub fn push(&mut self, time: SimTime, item: T) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.push_with_seq(time, seq, item);
    }

    /// Pushes a control event: it pops after all ordinary events at `time`.
    pub fn push_control(&mut self, time: SimTime, item: T) {
        let seq = self.next_control_seq;
        self.next_control_seq += 1;
        self.push_with_seq(time, seq, item);
    }

    fn push_with_seq(&mut self, time: SimTime, seq: u64, item: T) {
        let slot = match self.free_slots.pop() {
            Some(slot) => {
                self.slab[slot as usize] = Some(item);
                slot
            }
            None => {
                self.slab.push(Some(item));
                (self.slab.len() - 1) as u32
            }
        };
        self.heap.push(Entry { time, seq, slot });
    }

    /// The earliest event and its time.
    pub fn pop(&mut self) -> Option<(SimTime, T)> {
        let entry = self.heap.pop()?;
        let item = self.slab[entry.slot as usize].take().expect("every heap entry owns a full slab slot");
        self.free_slots.push(entry.slot);
        Some((entry.time, item))
    }

    /// The time of the earliest event, if any.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| e.time)
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_order_and_fifo_among_equal_times() {
        let mut q = EventQueue::new();
        q.push(5, "c");
        q.push(1, "a");
        q.push(5, "d");
        q.push(1, "b");
        q.push(0, "first");
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, vec![(0, "first"), (1, "a"), (1, "b"), (5, "c"), (5, "d")]);
        assert!(q.is_empty());
    }

    #[test]
    fn control_events_pop_after_ordinary_events_at_the_same_time() {
        let mut q = EventQueue::new();
        q.push_control(5, "control-1");
        q.push(5, "a");
        q.push(6, "later");
        q.push_control(5, "control-2");
        q.push(5, "b");
        q.push(4, "earlier");
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, x)| x).collect();
        assert_eq!(order, vec!["earlier", "a", "b", "control-1", "control-2", "later"]);
    }

    #[test]
    fn slots_are_reused() {
        let mut q = EventQueue::new();
        for round in 0..100u64 {
            q.push(round, round);
            q.push(round, round + 1000);
            assert_eq!(q.pop(), Some((round, round)));
            assert_eq!(q.pop(), Some((round, round + 1000)));
        }
        assert!(q.slab.len() <= 2);
        assert_eq!(q.peek_time(), None);
    }
}
