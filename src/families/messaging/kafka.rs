//! Kafka's default partitioner, bit for bit.
//!
//! ```text
//!   key bytes ─► murmur2 (seed 0x9747b28c) ─► toPositive (& 0x7fffffff) ─► % partitions
//! ```
//! The same arithmetic as Kafka's `Utils.murmur2` and `Utils.toPositive`
//! (Java `int`s: wrapping 32-bit multiplication, logical right shifts, the
//! tail bytes folded in from the highest one down), checked against Kafka's
//! own test vectors. Also the consumer-group assignors a rebalance runs:
//! `RangeAssignor` and `RoundRobinAssignor`, as Kafka documents them.

use crate::sim::family::CollectMap;
use std::collections::BTreeMap;

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

/// A consumer group member: its id and the topics it subscribes to.
pub type Member<'a> = (&'a str, &'a [&'a str]);
/// Each member's assigned (topic, partition)s, in order.
pub type Assignment = BTreeMap<String, Vec<(String, u32)>>;

fn empty_assignment(members: &[Member]) -> Assignment {
    members.iter().map(|(id, _)| (id.to_string(), Vec::new())).collect_map()
}

/// Kafka's `RangeAssignor`: per topic, partitions in order and the members
/// that subscribe to it in lexicographic order; each gets a contiguous run
/// of P / n partitions, the first P % n one more.
pub fn range_assign(topics: &[(&str, u32)], members: &[Member]) -> Assignment {
    let mut out = empty_assignment(members);
    for &(topic, n_partitions) in topics {
        let mut subscribed: Vec<&str> = members.iter().filter(|(_, t)| t.contains(&topic)).map(|(id, _)| *id).collect();
        subscribed.sort_unstable();
        let n = subscribed.len() as u32;
        if n == 0 {
            continue;
        }
        let (per, extra) = (n_partitions / n, n_partitions % n);
        for (i, id) in subscribed.iter().enumerate() {
            let i = i as u32;
            let start = per * i + i.min(extra);
            let len = per + u32::from(i < extra);
            let list = out.get_mut(*id).expect("every member has an entry");
            list.extend((start..start + len).map(|p| (topic.to_string(), p)));
        }
    }
    out
}

/// Kafka's `RoundRobinAssignor`: every topic-partition, sorted by topic then
/// partition, dealt in turn to the members in lexicographic order, skipping
/// members not subscribed to its topic.
pub fn round_robin_assign(topics: &[(&str, u32)], members: &[Member]) -> Assignment {
    let mut out = empty_assignment(members);
    let mut sorted: Vec<Member> = members.to_vec();
    sorted.sort_unstable_by_key(|(id, _)| *id);
    let mut topics: Vec<(&str, u32)> =
        topics.iter().filter(|(t, _)| sorted.iter().any(|(_, s)| s.contains(t))).copied().collect();
    topics.sort_unstable();
    let mut next = 0;
    for (topic, n_partitions) in topics {
        for p in 0..n_partitions {
            while !sorted[next % sorted.len()].1.contains(&topic) {
                next += 1;
            }
            let id = sorted[next % sorted.len()].0;
            out.get_mut(id).expect("every member has an entry").push((topic.to_string(), p));
            next += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn as_strings(a: &Assignment) -> Vec<String> {
        a.iter()
            .map(|(m, tps)| {
                format!("{m}: [{}]", tps.iter().map(|(t, p)| format!("{t}p{p}")).collect::<Vec<_>>().join(", "))
            })
            .collect()
    }

    #[test]
    fn range_and_round_robin_match_kafkas_documented_examples() {
        // Two consumers, two topics of three partitions (Kafka's javadoc).
        let topics = [("t0", 3), ("t1", 3)];
        let both: &[&str] = &["t0", "t1"];
        let members = [("C0", both), ("C1", both)];
        assert_eq!(as_strings(&range_assign(&topics, &members)), ["C0: [t0p0, t0p1, t1p0, t1p1]", "C1: [t0p2, t1p2]"]);
        assert_eq!(
            as_strings(&round_robin_assign(&topics, &members)),
            ["C0: [t0p0, t0p2, t1p1]", "C1: [t0p1, t1p0, t1p2]"]
        );
        // Uneven subscriptions (RoundRobinAssignor's javadoc): C0 reads t0;
        // C1 reads t0 and t1; C2 reads t0, t1 and t2.
        let topics = [("t0", 1), ("t1", 2), ("t2", 3)];
        let (s0, s1, s2): (&[&str], &[&str], &[&str]) = (&["t0"], &["t0", "t1"], &["t0", "t1", "t2"]);
        let members = [("C0", s0), ("C1", s1), ("C2", s2)];
        assert_eq!(
            as_strings(&round_robin_assign(&topics, &members)),
            ["C0: [t0p0]", "C1: [t1p0]", "C2: [t1p1, t2p0, t2p1, t2p2]"]
        );
    }

    #[test]
    fn every_partition_goes_to_exactly_one_subscribed_member() {
        let all: &[&str] = &["orders", "payments"];
        let one: &[&str] = &["orders"];
        for n_members in 1..=7 {
            let ids: Vec<String> = (0..n_members).map(|i| format!("m{i}")).collect();
            let members: Vec<Member> =
                ids.iter().enumerate().map(|(i, id)| (id.as_str(), if i % 3 == 2 { one } else { all })).collect();
            let topics = [("orders", 12), ("payments", 5)];
            for assign in [range_assign, round_robin_assign] {
                let a = assign(&topics, &members);
                let mut seen: Vec<(String, u32)> = a.values().flatten().cloned().collect();
                seen.sort();
                let want: Vec<(String, u32)> =
                    topics.iter().flat_map(|(t, n)| (0..*n).map(move |p| (t.to_string(), p))).collect();
                assert_eq!(seen, want, "{n_members} members");
                for (m, tps) in &a {
                    let subs = members.iter().find(|(id, _)| id == m).unwrap().1;
                    assert!(tps.iter().all(|(t, _)| subs.contains(&t.as_str())), "{m} got an unsubscribed topic");
                }
                let sizes: Vec<usize> = a.values().map(Vec::len).collect();
                assert!(sizes.iter().sum::<usize>() == 17);
            }
        }
    }

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
