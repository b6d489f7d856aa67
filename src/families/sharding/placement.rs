//! Where keys live in a sharded store: a consistent-hash ring, key ranges,
//! or modulo hashing; and the replicas of a key (the next N distinct shards).
//!
//! ```text
//!   hash:    position = xxh3_64("key-<k>") on the ring; owner = first shard
//!            point clockwise; replicas = the next N distinct shards clockwise
//!   range:   owner = the shard whose range [start, next start) holds k;
//!            replicas = the owners of the following ranges
//!   modulo:  owner = members[hash mod n]; replicas = the next members
//! ```
//! Pure and deterministic: the store node, the ring view and the tests use it.

use crate::families::ring::{HashRing, hash64, key_bytes};
use crate::sim::spec::Partitioning;

/// A key's position on the hash ring.
pub fn key_hash(key: u64) -> u64 {
    hash64(key_bytes(key, &mut [0; 24]))
}

/// A shard's name (what its ring points are hashed from).
pub fn shard_name(shard: u32) -> String {
    format!("shard-{shard}")
}

#[derive(Clone, Debug)]
pub struct Placement {
    partitioning: Partitioning,
    vnodes: u32,
    key_space: u64,
    /// Shards in the placement, ascending.
    members: Vec<u32>,
    /// Weight of every shard ever created, by shard number.
    weights: Vec<u32>,
    ring: HashRing,
    /// Shard number of each of the ring's names, in the ring's order.
    ring_shard: Vec<u32>,
    /// (first key, shard), ascending; the first range starts at 0.
    ranges: Vec<(u64, u32)>,
}

impl Placement {
    /// Shards 0 … weights.len()−1, all members.
    pub fn new(partitioning: Partitioning, vnodes: u32, key_space: u64, weights: &[u32]) -> Self {
        let mut p = Placement {
            partitioning,
            vnodes: vnodes.max(1),
            key_space: key_space.max(1),
            members: (0..weights.len() as u32).collect(),
            weights: weights.to_vec(),
            ring: HashRing::new(vnodes),
            ring_shard: Vec::new(),
            ranges: Vec::new(),
        };
        p.rebuild();
        p
    }

    pub fn partitioning(&self) -> Partitioning {
        self.partitioning
    }

    pub fn vnodes(&self) -> u32 {
        self.vnodes
    }

    pub fn key_space(&self) -> u64 {
        self.key_space
    }

    pub fn members(&self) -> &[u32] {
        &self.members
    }

    /// Rebuilds the ring and the ranges from the members (ranges split the
    /// key space by weight, in shard order).
    fn rebuild(&mut self) {
        self.ring = HashRing::new(self.vnodes);
        self.ring_shard.clear();
        self.ranges.clear();
        match self.partitioning {
            Partitioning::Hash => {
                for &m in &self.members {
                    self.ring.add_weighted(&shard_name(m), self.weights[m as usize]);
                    self.ring_shard.push(m);
                }
            }
            Partitioning::Range => {
                let total: u64 = self.members.iter().map(|&m| u64::from(self.weights[m as usize])).sum();
                let mut acc = 0u64;
                for &m in &self.members {
                    let start = (u128::from(self.key_space) * u128::from(acc) / u128::from(total.max(1))) as u64;
                    self.ranges.push((start, m));
                    acc += u64::from(self.weights[m as usize]);
                }
            }
            Partitioning::Modulo => {}
        }
    }

    pub fn set_vnodes(&mut self, vnodes: u32) {
        self.vnodes = vnodes.max(1);
        if self.partitioning == Partitioning::Hash {
            self.rebuild();
        }
    }

    pub fn set_partitioning(&mut self, partitioning: Partitioning) {
        self.partitioning = partitioning;
        self.rebuild();
    }

    /// A new shard joins. Range partitioning splits the widest range owned by
    /// `split` (the busiest shard, say) at its middle, or the widest range
    /// overall; the new shard takes the upper half.
    pub fn add(&mut self, shard: u32, weight: u32, split: Option<u32>) {
        if self.weights.len() <= shard as usize {
            self.weights.resize(shard as usize + 1, 1);
        }
        self.weights[shard as usize] = weight.max(1);
        if self.members.contains(&shard) {
            return;
        }
        let at = self.members.partition_point(|&m| m < shard);
        self.members.insert(at, shard);
        match self.partitioning {
            Partitioning::Hash => {
                self.ring.add_weighted(&shard_name(shard), weight);
                self.ring_shard.push(shard);
            }
            Partitioning::Range => {
                let Some(i) = self.widest_range(split).or_else(|| self.widest_range(None)) else {
                    self.ranges.push((0, shard));
                    return;
                };
                let (start, end) = (self.ranges[i].0, self.range_end(i));
                if end - start < 2 {
                    return;
                }
                self.ranges.insert(i + 1, (start + (end - start) / 2, shard));
            }
            Partitioning::Modulo => {}
        }
    }

    /// A shard leaves; its keys go to their next owners (range: the range
    /// before it, or after it for the first range).
    pub fn remove(&mut self, shard: u32) {
        let Some(at) = self.members.iter().position(|&m| m == shard) else {
            return;
        };
        self.members.remove(at);
        match self.partitioning {
            Partitioning::Hash => {
                if let Some(pos) = self.ring_shard.iter().position(|&s| s == shard) {
                    self.ring.remove_node(&shard_name(shard));
                    self.ring_shard.remove(pos);
                }
            }
            Partitioning::Range => {
                let mut i = 0;
                while i < self.ranges.len() {
                    if self.ranges[i].1 != shard {
                        i += 1;
                    } else if i > 0 {
                        // Merge into the range before.
                        self.ranges.remove(i);
                    } else if self.ranges.len() > 1 {
                        // The first range: the next range starts at 0 instead.
                        self.ranges.remove(0);
                        self.ranges[0].0 = 0;
                    } else {
                        self.ranges.clear();
                    }
                }
                self.ranges.dedup_by_key(|r| r.1);
            }
            Partitioning::Modulo => {}
        }
    }

    /// The widest range (of `only`'s, if given); ties go to the first.
    fn widest_range(&self, only: Option<u32>) -> Option<usize> {
        (0..self.ranges.len())
            .filter(|&i| only.is_none_or(|s| self.ranges[i].1 == s))
            .max_by_key(|&i| (self.range_end(i) - self.ranges[i].0, std::cmp::Reverse(i)))
    }

    fn range_end(&self, i: usize) -> u64 {
        self.ranges.get(i + 1).map_or(self.key_space, |r| r.0)
    }

    fn range_index(&self, key: u64) -> usize {
        self.ranges.partition_point(|r| r.0 <= key).saturating_sub(1)
    }

    /// The shard that owns `key` (`hash` = [`key_hash`] of it), or None when
    /// there are no members.
    pub fn owner(&self, key: u64, hash: u64) -> Option<u32> {
        match self.partitioning {
            Partitioning::Hash => self.ring.owner_of_hash(hash).map(|i| self.ring_shard[i as usize]),
            Partitioning::Range => self.ranges.get(self.range_index(key)).map(|r| r.1),
            Partitioning::Modulo => {
                (!self.members.is_empty()).then(|| self.members[(hash % self.members.len() as u64) as usize])
            }
        }
    }

    /// [`Placement::replicas`] of a key, hashing it only when the scheme
    /// places by hash (ranges place by the key itself).
    pub fn replicas_of_key(&self, key: u64, n: usize, out: &mut Vec<u32>) {
        let hash = if self.partitioning == Partitioning::Range { 0 } else { key_hash(key) };
        self.replicas(key, hash, n, out);
    }

    /// The preference list of `key`: up to `n` distinct shards, owner first.
    pub fn replicas(&self, key: u64, hash: u64, n: usize, out: &mut Vec<u32>) {
        out.clear();
        let n = n.min(self.members.len());
        let push = |s: u32, out: &mut Vec<u32>| {
            if !out.contains(&s) {
                out.push(s);
            }
            out.len() >= n
        };
        match self.partitioning {
            Partitioning::Hash => {
                for i in self.ring.successors(hash) {
                    if push(self.ring_shard[i as usize], out) {
                        break;
                    }
                }
            }
            Partitioning::Range => {
                let first = self.range_index(key);
                for j in 0..self.ranges.len() {
                    if push(self.ranges[(first + j) % self.ranges.len()].1, out) {
                        break;
                    }
                }
            }
            Partitioning::Modulo => {
                let m = self.members.len();
                if m == 0 {
                    return;
                }
                let first = (hash % m as u64) as usize;
                for j in 0..m {
                    if push(self.members[(first + j) % m], out) {
                        break;
                    }
                }
            }
        }
    }

    /// Where a key is drawn on the ring, in [0, 1): its hash (hash and
    /// modulo), or its place in the key space (range).
    pub fn position(&self, key: u64, hash: u64) -> f64 {
        match self.partitioning {
            Partitioning::Range => key as f64 / self.key_space as f64,
            _ => hash as f64 / 2f64.powi(64),
        }
    }

    /// The boundaries drawn on the ring: (position in [0, 1), shard) of
    /// every ring point (hash) or range start (range); none for modulo.
    pub fn ticks(&self) -> Vec<(f64, u32)> {
        match self.partitioning {
            Partitioning::Hash => self
                .ring
                .points()
                .iter()
                .map(|&(p, i)| (p as f64 / 2f64.powi(64), self.ring_shard[i as usize]))
                .collect(),
            Partitioning::Range => {
                self.ranges.iter().map(|&(s, shard)| (s as f64 / self.key_space as f64, shard)).collect()
            }
            Partitioning::Modulo => Vec::new(),
        }
    }

    /// The fraction of keys each member owns (of the hash space, or of the
    /// key space for ranges), as (shard, share), ascending by shard.
    pub fn shares(&self) -> Vec<(u32, f64)> {
        let mut out: Vec<(u32, f64)> = self.members.iter().map(|&m| (m, 0.0)).collect();
        let slot = |s: u32| self.members.iter().position(|&m| m == s).unwrap_or(0);
        match self.partitioning {
            Partitioning::Hash => {
                for (i, share) in self.ring.shares().into_iter().enumerate() {
                    out[slot(self.ring_shard[i])].1 += share;
                }
            }
            Partitioning::Range => {
                for i in 0..self.ranges.len() {
                    let width = self.range_end(i) - self.ranges[i].0;
                    out[slot(self.ranges[i].1)].1 += width as f64 / self.key_space as f64;
                }
            }
            Partitioning::Modulo => {
                let n = self.members.len().max(1) as f64;
                for o in &mut out {
                    o.1 = 1.0 / n;
                }
            }
        }
        out
    }
}

/// max/mean and the coefficient of variation (population standard deviation
/// / mean) of per-shard loads; (0, 0) when there is no load.
pub fn load_balance(loads: &[f64]) -> (f64, f64) {
    if loads.is_empty() {
        return (0.0, 0.0);
    }
    let n = loads.len() as f64;
    let mean = loads.iter().sum::<f64>() / n;
    if mean <= 0.0 {
        return (0.0, 0.0);
    }
    let max = loads.iter().copied().fold(0.0, f64::max);
    let var = loads.iter().map(|l| (l - mean) * (l - mean)).sum::<f64>() / n;
    (max / mean, var.sqrt() / mean)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owners(p: &Placement, keys: u64) -> Vec<u32> {
        (0..keys).map(|k| p.owner(k, key_hash(k)).unwrap()).collect()
    }

    #[test]
    fn replicas_are_distinct_and_start_with_the_owner() {
        for part in [Partitioning::Hash, Partitioning::Range, Partitioning::Modulo] {
            let p = Placement::new(part, 50, 10_000, &[1; 5]);
            let mut out = Vec::new();
            for k in 0..2_000 {
                let h = key_hash(k);
                p.replicas(k, h, 3, &mut out);
                assert_eq!(out.len(), 3, "{part:?}");
                assert_eq!(out[0], p.owner(k, h).unwrap());
                assert!(out[0] != out[1] && out[1] != out[2] && out[0] != out[2]);
            }
            p.replicas(0, key_hash(0), 9, &mut out);
            assert_eq!(out.len(), 5, "no more replicas than shards");
        }
    }

    #[test]
    fn range_partitioning_keeps_neighbouring_keys_together() {
        let p = Placement::new(Partitioning::Range, 1, 1_000, &[1; 4]);
        assert_eq!(owners(&p, 1_000).windows(2).filter(|w| w[0] != w[1]).count(), 3);
        assert_eq!(p.owner(0, 0), Some(0));
        assert_eq!(p.owner(999, 0), Some(3));
        assert_eq!(p.shares(), vec![(0, 0.25), (1, 0.25), (2, 0.25), (3, 0.25)]);
    }

    #[test]
    fn adding_a_range_shard_splits_one_range_and_moves_only_its_upper_half() {
        let mut p = Placement::new(Partitioning::Range, 1, 1_000, &[1; 4]);
        let before = owners(&p, 1_000);
        p.add(4, 1, Some(1));
        let after = owners(&p, 1_000);
        let moved: Vec<usize> = (0..1_000).filter(|&k| before[k] != after[k]).collect();
        assert_eq!(moved.len(), 125);
        assert!(moved.iter().all(|&k| before[k] == 1 && after[k] == 4 && (375..500).contains(&k)));
        p.remove(4);
        assert_eq!(owners(&p, 1_000), before, "removing it merges the range back");
        p.remove(0);
        assert_eq!(p.owner(0, 0), Some(1), "the first range goes to the next one");
    }

    #[test]
    fn weights_scale_shares() {
        let p = Placement::new(Partitioning::Hash, 200, 1, &[1, 1, 2]);
        let s = p.shares();
        assert!((s[2].1 - 0.5).abs() < 0.05, "{s:?}");
        let r = Placement::new(Partitioning::Range, 1, 1_000, &[1, 3]);
        assert_eq!(r.shares(), vec![(0, 0.25), (1, 0.75)]);
    }

    #[test]
    fn load_balance_of_even_and_skewed_loads() {
        assert_eq!(load_balance(&[5.0, 5.0, 5.0]), (1.0, 0.0));
        let (mm, cv) = load_balance(&[1.0, 3.0]);
        assert_eq!(mm, 1.5);
        assert!((cv - 0.5).abs() < 1e-12);
        assert_eq!(load_balance(&[]), (0.0, 0.0));
    }
}
