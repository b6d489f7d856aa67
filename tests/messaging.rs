//! Messaging rules against the real systems' own tests.

use scalelab::{kafka_partition, murmur2, topic_matches};

/// RabbitMQ's topic exchange test: 26 bindings and, for each routing key,
/// exactly the bindings it must match (rabbitmq-server, the topic exchange
/// test in deps/rabbit/test; t27, a headers-args test, is left out).
#[test]
fn rabbitmq_topic_matching_table() {
    let bindings = [
        ("a.b.c", 1),
        ("a.*.c", 2),
        ("a.#.b", 3),
        ("a.b.b.c", 4),
        ("#", 5),
        ("#.#", 6),
        ("#.b", 7),
        ("*.*", 8),
        ("a.*", 9),
        ("*.b.c", 10),
        ("a.#", 11),
        ("a.#.#", 12),
        ("b.b.c", 13),
        ("a.b.b", 14),
        ("a.b", 15),
        ("b.c", 16),
        ("", 17),
        ("*.*.*", 18),
        ("vodka.martini", 19),
        ("a.b.c", 20),
        ("*.#", 21),
        ("#.*.#", 22),
        ("*.#.#", 23),
        ("#.#.#", 24),
        ("*", 25),
        ("#.b.#", 26),
    ];
    let expected: [(&str, &[u32]); 11] = [
        ("a.b.c", &[1, 2, 5, 6, 10, 11, 12, 18, 20, 21, 22, 23, 24, 26]),
        ("a.b", &[3, 5, 6, 7, 8, 9, 11, 12, 15, 21, 22, 23, 24, 26]),
        ("a.b.b", &[3, 5, 6, 7, 11, 12, 14, 18, 21, 22, 23, 24, 26]),
        ("", &[5, 6, 17, 24]),
        ("b.c.c", &[5, 6, 18, 21, 22, 23, 24, 26]),
        ("a.a.a.a.a", &[5, 6, 11, 12, 21, 22, 23, 24]),
        ("vodka.gin", &[5, 6, 8, 21, 22, 23, 24]),
        ("vodka.martini", &[5, 6, 8, 19, 21, 22, 23, 24]),
        ("b.b.c", &[5, 6, 10, 13, 18, 21, 22, 23, 24, 26]),
        ("nothing.here.at.all", &[5, 6, 21, 22, 23, 24]),
        ("oneword", &[5, 6, 21, 22, 23, 24, 25]),
    ];
    for (key, want) in expected {
        let got: Vec<u32> = bindings.iter().filter(|(b, _)| topic_matches(b, key)).map(|&(_, t)| t).collect();
        assert_eq!(got, want, "routing key {key:?}");
    }
}

#[test]
fn kafka_partitioner_is_murmur2_positive_modulo() {
    // 100k keys over 12 partitions: every partition used, roughly evenly
    // (murmur2 spreads well), and the same key always lands in the same place.
    let mut counts = [0u32; 12];
    for k in 0..100_000u32 {
        let key = format!("user-{k}");
        let p = kafka_partition(key.as_bytes(), 12);
        assert_eq!(p, kafka_partition(key.as_bytes(), 12));
        assert_eq!(p, ((murmur2(key.as_bytes()) & 0x7fff_ffff) as u32) % 12);
        counts[p as usize] += 1;
    }
    let mean = 100_000.0 / 12.0;
    for c in counts {
        assert!((f64::from(c) - mean).abs() / mean < 0.05, "{counts:?}");
    }
}
