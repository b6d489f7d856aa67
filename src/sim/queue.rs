//! The future-event list: a binary heap ordered by (time, insertion sequence).
//!
//! ```text
//!   push(t, e) ──► slab[slot] = e ──► heap ⟨t, seq, slot⟩      (32 bytes an entry)
//!   pop()      ◄── smallest (t, seq) ◄── slab[slot].take()      (slot reused)
//! ```
//! Equal times pop in the order they were pushed (FIFO), because `seq` grows
//! by one per push: that is what makes a run reproducible. Payloads live in a
//! slab so the heap moves small entries, whatever the payload's size.
//!
//! An event pushed for the time of the last pop (a zero-latency hop, an
//! answer sent at once) skips the heap: it goes to a FIFO of "now" events,
//! which are already in (time, seq) order. `pop` takes the smaller of the
//! heap's top and the FIFO's front, so the order is exactly the one a heap
//! alone would give, at O(1) instead of O(log n) for those events.
//!
//! *Control* events (timeline entries: faults, live edits) pop after every
//! ordinary event of the same time, in their own push order. So an edit
//! made live at time t and the same edit replayed from a file take effect at
//! exactly the same point of the run.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::time::SimTime;

/// A heap entry. (time, seq) is one u128, so an entry is two aligned 16-byte
/// halves: the heap compares one number, and moving an entry never reads
/// across two earlier writes (which stalls the CPU's store forwarding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    /// time << 64 | seq.
    key: u128,
    slot: u32,
}

/// The heap's order: time first, then push order.
fn key(time: SimTime, seq: u64) -> u128 {
    (u128::from(time) << 64) | u128::from(seq)
}

impl Entry {
    fn new(time: SimTime, seq: u64, slot: u32) -> Self {
        Entry { key: key(time, seq), slot }
    }

    fn time(&self) -> SimTime {
        (self.key >> 64) as SimTime
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and we want the earliest first.
        other.key.cmp(&self.key)
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A priority queue of `T` keyed by simulated time, FIFO among equal times
/// (`T: Copy`: events are plain data, read out of the FIFO in place).
#[derive(Clone, Debug)]
pub struct EventQueue<T> {
    heap: BinaryHeap<Entry>,
    slab: Vec<Option<T>>,
    free_slots: Vec<u32>,
    /// Events for time `now`, in push order (every seq in it is larger
    /// than any seq of a heap entry at `now` pushed before it), from
    /// `fifo_head` on. A plain vector, emptied whenever it runs out: it
    /// holds a handful of events at most, and a `VecDeque`'s wrap-around
    /// cost more than the rest of a pop.
    now_fifo: Vec<(u64, T)>,
    fifo_head: usize,
    /// The time of the last pop.
    now: SimTime,
    next_seq: u64,
    next_control_seq: u64,
}

/// Control events' sequence numbers start here, above any ordinary one.
const CONTROL_SEQ_BASE: u64 = 1 << 63;

impl<T: Copy> Default for EventQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy> EventQueue<T> {
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            slab: Vec::new(),
            free_slots: Vec::new(),
            now_fifo: Vec::new(),
            fifo_head: 0,
            now: 0,
            next_seq: 0,
            next_control_seq: CONTROL_SEQ_BASE,
        }
    }

    #[inline(always)]
    pub fn push(&mut self, time: SimTime, item: T) {
        let seq = self.next_seq;
        self.next_seq += 1;
        if time == self.now {
            // Nothing pops before `now` again, and this seq is the largest
            // so far: the FIFO stays in (time, seq) order.
            self.now_fifo.push((seq, item));
        } else {
            self.push_with_seq(time, seq, item);
        }
    }

    /// Every event still queued, in no particular order.
    pub fn items(&self) -> impl Iterator<Item = &T> {
        self.slab.iter().flatten().chain(self.now_fifo[self.fifo_head..].iter().map(|(_, item)| item))
    }

    /// Pushes a control event: it pops after all ordinary events at `time`.
    pub fn push_control(&mut self, time: SimTime, item: T) {
        let seq = self.next_control_seq;
        self.next_control_seq += 1;
        self.push_with_seq(time, seq, item);
    }

    #[inline(always)]
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
        self.heap.push(Entry::new(time, seq, slot));
    }

    /// The earliest event and its time (the engine pops with a limit).
    #[cfg(test)]
    pub fn pop(&mut self) -> Option<(SimTime, T)> {
        self.pop_until(SimTime::MAX)
    }

    /// The earliest event and its time, if that time is at most `limit`
    /// (one look at the queue instead of `peek_time` then `pop`).
    #[inline(always)]
    pub fn pop_until(&mut self, limit: SimTime) -> Option<(SimTime, T)> {
        if let Some(&(seq, item)) = self.now_fifo.get(self.fifo_head) {
            // The FIFO's events are at `now`, no later than anything in the
            // heap; the heap goes first only with an earlier seq at `now`.
            let heap_first = self.heap.peek().is_some_and(|e| e.key < key(self.now, seq));
            if !heap_first {
                if self.now > limit {
                    return None;
                }
                self.fifo_head += 1;
                if self.fifo_head == self.now_fifo.len() {
                    self.now_fifo.clear();
                    self.fifo_head = 0;
                }
                return Some((self.now, item));
            }
        }
        if self.heap.peek()?.time() > limit {
            return None;
        }
        let entry = self.heap.pop()?;
        let item = self.slab[entry.slot as usize].take().expect("every heap entry owns a full slab slot");
        self.free_slots.push(entry.slot);
        self.now = entry.time();
        Some((self.now, item))
    }

    /// Keeps the pending control events for which `keep` is true (it may
    /// rewrite them too) and removes the rest. Ordinary events and the
    /// order of what stays are untouched. Runs only when a live edit drops
    /// timeline entries that were still to come, never per event.
    pub fn retain_controls(&mut self, mut keep: impl FnMut(&mut T) -> bool) {
        let (slab, free_slots) = (&mut self.slab, &mut self.free_slots);
        self.heap.retain(|e| {
            if e.key & u128::from(CONTROL_SEQ_BASE) == 0 {
                return true;
            }
            let item = slab[e.slot as usize].as_mut().expect("every heap entry owns a full slab slot");
            let kept = keep(item);
            if !kept {
                slab[e.slot as usize] = None;
                free_slots.push(e.slot);
            }
            kept
        });
    }

    /// The time of the earliest event, if any.
    pub fn peek_time(&self) -> Option<SimTime> {
        if self.fifo_head < self.now_fifo.len() {
            return Some(self.now);
        }
        self.heap.peek().map(Entry::time)
    }

    pub fn len(&self) -> usize {
        self.heap.len() + self.now_fifo.len() - self.fifo_head
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
        assert_eq!((q.len(), q.is_empty()), (5, false));
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, vec![(0, "first"), (1, "a"), (1, "b"), (5, "c"), (5, "d")]);
        assert!(q.is_empty());
    }

    /// `items` lists every event still queued, in the heap and in the
    /// FIFO of events due now, and none already popped.
    #[test]
    fn items_are_the_events_still_queued() {
        let mut q = EventQueue::new();
        let sorted = |q: &EventQueue<&'static str>| {
            let mut v: Vec<&str> = q.items().copied().collect();
            v.sort_unstable();
            v
        };
        assert!(sorted(&q).is_empty());
        q.push(0, "now-1");
        q.push(3, "later");
        q.push_control(3, "control");
        assert_eq!(sorted(&q), ["control", "later", "now-1"]);
        q.push(0, "now-2");
        assert_eq!(q.pop(), Some((0, "now-1")));
        // "now-3" goes to the FIFO of events due now, after "now-2".
        q.push(0, "now-3");
        assert_eq!(sorted(&q), ["control", "later", "now-2", "now-3"]);
        assert_eq!(q.pop(), Some((0, "now-2")));
        assert_eq!(sorted(&q), ["control", "later", "now-3"]);
        assert_eq!(q.pop(), Some((0, "now-3")));
        assert_eq!(q.pop(), Some((3, "later")));
        assert_eq!(sorted(&q), ["control"]);
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
    fn now_events_keep_the_order_a_heap_alone_gives() {
        // Random pushes at the current time, later times and as control
        // events, interleaved with pops; the reference pops the smallest
        // (time, class, push order), which is what the heap alone does.
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(11);
        let mut q = EventQueue::new();
        let mut reference: Vec<(SimTime, bool, u64)> = Vec::new();
        let (mut now, mut pushed, mut popped_now) = (0, 0u64, 0);
        for _ in 0..20_000 {
            if rng.random_range(0..3) > 0 || reference.is_empty() {
                let time = now + [0, 0, 1, 5][rng.random_range(0..4)];
                let control = rng.random_range(0..8) == 0;
                if control {
                    q.push_control(time, pushed);
                } else {
                    q.push(time, pushed);
                }
                reference.push((time, control, pushed));
                pushed += 1;
            } else {
                let at = (0..reference.len()).min_by_key(|&i| reference[i]).expect("non-empty");
                let (time, _, id) = reference.remove(at);
                assert_eq!(q.peek_time(), Some(time));
                assert_eq!(q.pop(), Some((time, id)));
                popped_now += u64::from(time == now);
                now = time;
            }
            assert_eq!(q.len(), reference.len());
        }
        assert!(popped_now > 1_000, "the FIFO of now events was exercised: {popped_now}");
    }

    #[test]
    fn pop_until_pops_nothing_after_the_limit() {
        let mut q = EventQueue::new();
        q.push(5, "heap");
        assert_eq!(q.pop_until(4), None);
        assert_eq!(q.pop_until(5), Some((5, "heap")));
        // Now events wait in the FIFO: a limit before `now` pops none of them.
        q.push(5, "now-1");
        q.push(5, "now-2");
        assert_eq!(q.pop_until(4), None);
        assert_eq!(q.len(), 2);
        assert_eq!(q.pop_until(5), Some((5, "now-1")));
        assert_eq!(q.pop_until(SimTime::MAX), Some((5, "now-2")));
        assert_eq!(q.pop_until(SimTime::MAX), None);
        assert!(q.is_empty());
    }

    #[test]
    fn retained_controls_keep_their_order_and_the_rest_go() {
        let mut q = EventQueue::new();
        q.push(5, 100);
        q.push_control(5, 1);
        q.push_control(3, 2);
        q.push_control(5, 3);
        q.push(3, 200);
        q.push_control(5, 4);
        // Drop control 3, renumber the others ×10; ordinary events stay whatever their value.
        q.retain_controls(|x| {
            *x *= 10;
            *x != 30
        });
        assert_eq!(q.len(), 5);
        assert_eq!(q.free_slots.len(), 1, "the dropped event's slot is free again");
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(order, vec![(3, 200), (3, 20), (5, 100), (5, 10), (5, 40)]);
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
