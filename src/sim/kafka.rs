//! Kafka's default partitioner, bit for bit.
//!
//! ```text
//!   key bytes ─► murmur2 (seed 0x9747b28c) ─► toPositive (& 0x7fffffff) ─► % partitions
//! ```
//! The same arithmetic as Kafka's `Utils.murmur2` and `Utils.toPositive`
//! (Java `int`s: wrapping 32-bit multiplication, logical right shifts, the
//! tail bytes folded in from the highest one down), checked against Kafka's
//! own test vectors.

const SEED: u32 = 0x9747_b28c;
const M: u32 = 0x5bd1_e995;
const R: u32 = 24;

/// Kafka's murmur2 hash of `data` (a Java `int`).
pub fn murmur2(data: &[u8]) -> i32 {
    let len = data.len();
    let mut h: u32 = SEED ^ len as u32;
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let tail = chunks.remainder();
    if tail.len() >= 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if !tail.is_empty() {
        h ^= u32::from(tail[0]);
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// Kafka's `Utils.toPositive`: clears the sign bit (not `abs`, which would
/// overflow on `i32::MIN`).
pub fn to_positive(x: i32) -> i32 {
    x & 0x7fff_ffff
}

/// The partition Kafka's default partitioner gives a keyed record:
/// `toPositive(murmur2(key)) % n_partitions`. `n_partitions` must be at least 1.
pub fn kafka_partition(key: &[u8], n_partitions: u32) -> u32 {
    assert!(n_partitions > 0, "a topic has at least one partition");
    (to_positive(murmur2(key)) as u32) % n_partitions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kafka_test_vectors() {
        // Kafka's clients UtilsTest.testMurmur2.
        let cases: [(&[u8], i32); 6] = [
            (b"21", -973_932_308),
            (b"foobar", -790_332_482),
            (b"a-little-bit-long-string", -985_981_536),
            (b"a-little-bit-longer-string", -1_486_304_829),
            (b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
            (b"abc", 479_470_107),
        ];
        for (key, want) in cases {
            assert_eq!(murmur2(key), want, "{}", String::from_utf8_lossy(key));
        }
    }

    #[test]
    fn every_tail_length() {
        // Values from Kafka's implementation for keys of 1 to 5 bytes (0 to 3
        // tail bytes after whole 4-byte blocks).
        let cases: [(&[u8], i32); 5] = [
            (b"1", -1_993_445_489),
            (b"12", 126_087_238),
            (b"123", -267_702_483),
            (b"1234", -1_614_185_708),
            (b"12345", -1_188_365_604),
        ];
        for (key, want) in cases {
            assert_eq!(murmur2(key), want, "{}", String::from_utf8_lossy(key));
        }
    }

    #[test]
    fn partitions_are_in_range_and_use_the_sign_cleared_hash() {
        assert_eq!(to_positive(i32::MIN), 0);
        assert_eq!(to_positive(-1), i32::MAX);
        // "21" hashes to -973932308; & 0x7fffffff = 1173551340; % 12 = 0.
        assert_eq!(kafka_partition(b"21", 12), (1_173_551_340u32) % 12);
        for n in 1..=64 {
            for k in 0..200u32 {
                assert!(kafka_partition(k.to_string().as_bytes(), n) < n);
            }
        }
    }
}
