//! A consistent-hash ring with virtual nodes.
//!
//! ```text
//!            0 ─── a#0 ─── b#1 ───┐      a key hashes to a point on the
//!          /                       \     ring and belongs to the first
//!       c#0          ring           a#1  virtual node clockwise from it.
//!          \                       /
//!            └── b#0 ─── c#1 ─────┘
//! ```
//! Points are `xxh3_64("{name}#{i}")` for i in 0..vnodes; keys are placed by
//! `xxh3_64(key)`. Equal points are ordered by node, so the ring is the same
//! whatever order nodes were added in.

use xxhash_rust::xxh3::xxh3_64;

/// The 64-bit hash used for ring points and keys: XXH3-64, seed 0.
pub fn hash64(data: &[u8]) -> u64 {
    xxh3_64(data)
}

/// A key's bytes: `key-<k>`, written without allocating (what Kafka's
/// partitioner and the sharded store hash).
pub fn key_bytes(k: u64, buf: &mut [u8; 24]) -> &[u8] {
    buf[..4].copy_from_slice(b"key-");
    let len = write_decimal(&mut buf[4..], k);
    &buf[..4 + len]
}

/// Writes `n` in decimal at the start of `buf` (at least 20 bytes free),
/// without allocating; its length.
pub fn write_decimal(buf: &mut [u8], mut n: u64) -> usize {
    let mut digits = [0u8; 20];
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for i in 0..len {
        buf[i] = digits[len - 1 - i];
    }
    len
}

/// Modulo hashing, for comparison: `hash64(key) % n_nodes`.
pub fn modulo_node(key: &[u8], n_nodes: u64) -> u64 {
    hash64(key) % n_nodes
}

#[derive(Clone, Debug, Default)]
pub struct HashRing {
    vnodes_per_node: u32,
    names: Vec<String>,
    /// (point, index into `names`), sorted.
    points: Vec<(u64, u32)>,
}

impl HashRing {
    /// An empty ring; each node added gets `vnodes_per_node` points (at least 1).
    pub fn new(vnodes_per_node: u32) -> Self {
        HashRing { vnodes_per_node: vnodes_per_node.max(1), names: Vec::new(), points: Vec::new() }
    }

    /// Adds a node; adding a name already present does nothing.
    pub fn add_node(&mut self, name: &str) {
        self.add_weighted(name, 1);
    }

    /// Adds a node with `weight` times the points (a bigger machine owns a
    /// proportionally bigger share of the ring).
    pub fn add_weighted(&mut self, name: &str, weight: u32) {
        if self.names.iter().any(|n| n == name) {
            return;
        }
        let idx = self.names.len() as u32;
        self.names.push(name.to_string());
        for i in 0..self.vnodes_per_node.saturating_mul(weight.max(1)) {
            self.points.push((hash64(format!("{name}#{i}").as_bytes()), idx));
        }
        self.sort_points();
    }

    /// Removes a node and its points; removing an absent name does nothing.
    pub fn remove_node(&mut self, name: &str) {
        let Some(pos) = self.names.iter().position(|n| n == name) else {
            return;
        };
        let removed = pos as u32;
        self.names.remove(pos);
        self.points.retain(|&(_, n)| n != removed);
        for p in &mut self.points {
            if p.1 > removed {
                p.1 -= 1;
            }
        }
        self.sort_points();
    }

    fn sort_points(&mut self) {
        // Ties broken by name, not by insertion order.
        let names = &self.names;
        self.points.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| names[a.1 as usize].cmp(&names[b.1 as usize])));
    }

    /// The node that owns `key`, or None on an empty ring.
    pub fn node_for(&self, key: &[u8]) -> Option<&str> {
        self.owner_of_hash(hash64(key)).map(|i| self.names[i as usize].as_str())
    }

    /// Index (in insertion order, after removals) of the owner of a point.
    pub fn owner_of_hash(&self, h: u64) -> Option<u32> {
        self.successors(h).next()
    }

    /// Owners of the virtual nodes clockwise from `h`, once round the ring
    /// (an owner may repeat): for skipping down nodes and picking replicas.
    pub fn successors(&self, h: u64) -> impl Iterator<Item = u32> + '_ {
        let start = self.points.partition_point(|&(p, _)| p < h);
        let n = self.points.len();
        (0..n).map(move |i| self.points[(start + i) % n].1)
    }

    /// The fraction of the hash space each node owns (the arcs ending at its
    /// points), in `names()` order. Sums to 1 on a non-empty ring.
    pub fn shares(&self) -> Vec<f64> {
        let mut owned = vec![0u128; self.names.len()];
        let n = self.points.len();
        for i in 0..n {
            // Keys in (previous point, this point] belong to this point's owner.
            let prev = self.points[(i + n - 1) % n].0;
            let arc = if n == 1 { 1u128 << 64 } else { u128::from(self.points[i].0.wrapping_sub(prev)) };
            owned[self.points[i].1 as usize] += arc;
        }
        owned.iter().map(|&a| a as f64 / 2f64.powi(64)).collect()
    }

    /// The ring's points, (position, index into `names()`), in ring order.
    pub fn points(&self) -> &[(u64, u32)] {
        &self.points
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_bytes_spell_the_key() {
        let mut buf = [0; 24];
        assert_eq!(key_bytes(0, &mut buf), b"key-0");
        assert_eq!(key_bytes(4_294_967_295, &mut buf), b"key-4294967295");
        assert_eq!(key_bytes(u64::MAX, &mut buf), b"key-18446744073709551615");
        assert_eq!(key_bytes(42, &mut buf), b"key-42");
    }

    #[test]
    fn every_key_has_an_owner_and_order_of_adds_does_not_matter() {
        let mut a = HashRing::new(50);
        let mut b = HashRing::new(50);
        for n in ["x", "y", "z"] {
            a.add_node(n);
        }
        for n in ["z", "x", "y"] {
            b.add_node(n);
        }
        for k in 0..1000u32 {
            let key = k.to_le_bytes();
            assert_eq!(a.node_for(&key), b.node_for(&key));
            assert!(a.node_for(&key).is_some());
        }
        assert_eq!(HashRing::new(10).node_for(b"k"), None);
    }

    #[test]
    fn removing_a_node_moves_only_its_keys() {
        let mut ring = HashRing::new(100);
        for n in ["a", "b", "c", "d"] {
            ring.add_node(n);
        }
        let before: Vec<String> = (0..2000u32).map(|k| ring.node_for(&k.to_le_bytes()).unwrap().to_string()).collect();
        ring.remove_node("c");
        for (k, owner) in before.iter().enumerate() {
            let now = ring.node_for(&(k as u32).to_le_bytes()).unwrap();
            if owner != "c" {
                assert_eq!(now, owner, "key {k} moved though its node stayed");
            } else {
                assert_ne!(now, "c");
            }
        }
    }
}
