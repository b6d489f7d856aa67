//! A bounded key cache: what a `cache` node holds, kept apart so that it
//! can be checked against caching theory on its own (`tests/cache.rs`).
//!
//! ```text
//!   get(k) ──► hit? ── no ─► miss (expired entries count as misses)
//!                └─ yes ─► LRU: k becomes newest · LFU: count(k) += 1
//!   set(k) ──► full? ── yes ─► evict: LRU oldest use · LFU fewest uses
//!                              (then oldest use) · FIFO oldest insert ·
//!                              random: one entry drawn from the node's RNG
//! ```
//! Ordered maps only (no hash map: iteration order must not vary), so every
//! operation costs O(log n). LFU counts a key's uses while it is cached and
//! forgets them when it leaves (in-cache LFU, as caches built on a bounded
//! table do): it does not converge to "the C most popular keys" that a
//! perfect LFU would, which `tests/cache.rs` shows.

use std::collections::BTreeMap;

use rand::Rng;

use crate::sim::dist::SimRng;
use crate::sim::time::SimTime;

/// Which entry makes room for a new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eviction {
    Lru,
    Lfu,
    Fifo,
    Random,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    /// The entry's place in `order` (see `Cache::rank`).
    rank: (u64, u64),
    /// Uses since it was inserted (LFU).
    uses: u64,
    /// Where it sits in `slots` (random eviction).
    slot: u32,
    expires_ns: SimTime,
}

/// Counts over the cache's life.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
    pub evictions: u64,
    /// Entries found past their TTL (each also counts as a miss).
    pub expired: u64,
}

impl CacheStats {
    /// Hits over lookups (0 before the first lookup).
    pub fn hit_ratio(&self) -> f64 {
        let n = self.hits + self.misses;
        if n == 0 { 0.0 } else { self.hits as f64 / n as f64 }
    }
}

#[derive(Clone, Debug)]
pub struct Cache {
    capacity: usize,
    eviction: Eviction,
    /// Time to live after a `set`; `None`: entries never expire.
    ttl_ns: Option<SimTime>,
    entries: BTreeMap<u64, Entry>,
    /// Eviction order: the first key is the next to go (LRU, LFU, FIFO).
    order: BTreeMap<(u64, u64), u64>,
    /// The cached keys in no particular order (random eviction).
    slots: Vec<u64>,
    /// Counts operations: the recency part of every rank.
    clock: u64,
    stats: CacheStats,
}

impl Cache {
    /// A cache of at most `capacity` entries (at least 1).
    pub fn new(capacity: usize, eviction: Eviction, ttl_ns: Option<SimTime>) -> Cache {
        Cache {
            capacity: capacity.max(1),
            eviction,
            ttl_ns,
            entries: BTreeMap::new(),
            order: BTreeMap::new(),
            slots: Vec::new(),
            clock: 0,
            stats: CacheStats::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn eviction(&self) -> Eviction {
        self.eviction
    }

    pub fn stats(&self) -> CacheStats {
        self.stats
    }

    /// The rank that orders eviction: LRU by last use, LFU by uses then last
    /// use, FIFO by insertion (hits leave it alone).
    fn rank(&mut self, uses: u64) -> (u64, u64) {
        self.clock += 1;
        match self.eviction {
            Eviction::Lfu => (uses, self.clock),
            _ => (0, self.clock),
        }
    }

    /// Looks `key` up at `now_ns`: true on a hit. An entry past its TTL is
    /// dropped and the lookup is a miss.
    pub fn get(&mut self, key: u64, now_ns: SimTime) -> bool {
        let Some(&e) = self.entries.get(&key) else {
            self.stats.misses += 1;
            return false;
        };
        if now_ns >= e.expires_ns {
            self.remove(key);
            self.stats.expired += 1;
            self.stats.misses += 1;
            return false;
        }
        self.stats.hits += 1;
        if matches!(self.eviction, Eviction::Lru | Eviction::Lfu) {
            let rank = self.rank(e.uses + 1);
            self.order.remove(&e.rank);
            self.order.insert(rank, key);
            let entry = self.entries.get_mut(&key).expect("present");
            entry.rank = rank;
            entry.uses += 1;
        }
        true
    }

    /// Stores `key` at `now_ns` (refreshing its TTL if it is there),
    /// evicting one entry if the cache is full. Returns the evicted key.
    pub fn set(&mut self, key: u64, now_ns: SimTime, rng: &mut SimRng) -> Option<u64> {
        let expires_ns = self.ttl_ns.map_or(SimTime::MAX, |ttl| now_ns.saturating_add(ttl));
        if let Some(e) = self.entries.get_mut(&key) {
            e.expires_ns = expires_ns;
            return None;
        }
        let evicted = (self.entries.len() >= self.capacity).then(|| self.evict(rng));
        let rank = self.rank(1);
        self.order.insert(rank, key);
        self.slots.push(key);
        let slot = (self.slots.len() - 1) as u32;
        self.entries.insert(key, Entry { rank, uses: 1, slot, expires_ns });
        evicted
    }

    /// Removes `key`; true if it was cached.
    pub fn delete(&mut self, key: u64) -> bool {
        self.remove(key)
    }

    /// A new capacity (at least 1); a smaller one evicts down to it now.
    pub fn set_capacity(&mut self, capacity: usize, rng: &mut SimRng) {
        self.capacity = capacity.max(1);
        while self.entries.len() > self.capacity {
            self.evict(rng);
        }
    }

    /// Empties the cache (a failed cache node comes back cold); counts stay.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.order.clear();
        self.slots.clear();
    }

    fn evict(&mut self, rng: &mut SimRng) -> u64 {
        let victim = match self.eviction {
            Eviction::Random => self.slots[rng.random_range(0..self.slots.len())],
            _ => *self.order.values().next().expect("a full cache has entries"),
        };
        self.remove(victim);
        self.stats.evictions += 1;
        victim
    }

    fn remove(&mut self, key: u64) -> bool {
        let Some(e) = self.entries.remove(&key) else { return false };
        self.order.remove(&e.rank);
        // Keep `slots` dense: the last key takes the removed one's place.
        let slot = e.slot as usize;
        self.slots.swap_remove(slot);
        if let Some(&moved) = self.slots.get(slot) {
            self.entries.get_mut(&moved).expect("slots hold cached keys").slot = slot as u32;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::dist::rng_from_seed;

    #[test]
    fn lru_evicts_the_least_recently_used() {
        let mut rng = rng_from_seed(1);
        let mut c = Cache::new(2, Eviction::Lru, None);
        c.set(1, 0, &mut rng);
        c.set(2, 0, &mut rng);
        assert!(c.get(1, 0));
        assert_eq!(c.set(3, 0, &mut rng), Some(2));
        assert!(c.get(1, 0) && c.get(3, 0) && !c.get(2, 0));
    }

    #[test]
    fn fifo_ignores_hits() {
        let mut rng = rng_from_seed(1);
        let mut c = Cache::new(2, Eviction::Fifo, None);
        c.set(1, 0, &mut rng);
        c.set(2, 0, &mut rng);
        assert!(c.get(1, 0));
        assert_eq!(c.set(3, 0, &mut rng), Some(1));
    }

    #[test]
    fn lfu_evicts_the_least_used_then_the_oldest_use() {
        let mut rng = rng_from_seed(1);
        let mut c = Cache::new(3, Eviction::Lfu, None);
        for k in [1, 2, 3] {
            c.set(k, 0, &mut rng);
        }
        c.get(1, 0);
        c.get(1, 0);
        c.get(3, 0);
        c.get(2, 0);
        // Uses: 1 → 3, 2 → 2, 3 → 2 (3 used before 2): 3 goes.
        assert_eq!(c.set(4, 0, &mut rng), Some(3));
        // 4 has one use: it goes next.
        assert_eq!(c.set(5, 0, &mut rng), Some(4));
    }

    #[test]
    fn random_eviction_keeps_its_bookkeeping_consistent() {
        let mut rng = rng_from_seed(7);
        let mut c = Cache::new(50, Eviction::Random, None);
        for k in 0..10_000u64 {
            if !c.get(k % 173, 0) {
                c.set(k % 173, 0, &mut rng);
            }
            if k % 7 == 0 {
                c.delete(k % 31);
            }
            assert!(c.len() <= 50);
            assert_eq!(c.slots.len(), c.entries.len());
        }
        for (i, key) in c.slots.iter().enumerate() {
            assert_eq!(c.entries[key].slot as usize, i);
        }
    }

    #[test]
    fn entries_expire_after_their_ttl() {
        let mut rng = rng_from_seed(1);
        let mut c = Cache::new(10, Eviction::Lru, Some(1_000));
        c.set(1, 0, &mut rng);
        assert!(c.get(1, 999));
        assert!(!c.get(1, 1_000));
        assert_eq!(c.stats().expired, 1);
        assert!(c.is_empty());
        // A set refreshes the TTL.
        c.set(2, 0, &mut rng);
        c.set(2, 800, &mut rng);
        assert!(c.get(2, 1_500));
    }

    #[test]
    fn a_cleared_cache_is_cold_but_keeps_its_counts() {
        let mut rng = rng_from_seed(1);
        let mut c = Cache::new(10, Eviction::Lfu, None);
        c.set(1, 0, &mut rng);
        assert!(c.get(1, 0));
        c.clear();
        assert!(!c.get(1, 0));
        assert_eq!(c.stats(), CacheStats { hits: 1, misses: 1, evictions: 0, expired: 0 });
    }
}
