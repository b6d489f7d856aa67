//! The hash ring against theory: keys moved when a node joins, balance with
//! virtual nodes, modulo hashing for contrast. Each check averages over many
//! node-name sets, so it tests the hashing, not one lucky layout.

use scalelab::HashRing;
use scalelab::families::ring::modulo_node;

fn ring(names: &[String], vnodes: u32) -> HashRing {
    let mut r = HashRing::new(vnodes);
    for n in names {
        r.add_node(n);
    }
    r
}

fn names(set: u32, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("set{set}-node{i}")).collect()
}

fn keys(n: u32) -> Vec<Vec<u8>> {
    (0..n).map(|k| format!("key-{k}").into_bytes()).collect()
}

#[test]
fn adding_a_node_moves_about_one_in_n_plus_one_keys_all_to_the_new_node() {
    let keys = keys(10_000);
    for n in [3usize, 5, 10] {
        let mut fractions = Vec::new();
        for set in 0..40 {
            let all = names(set, n + 1);
            let before = ring(&all[..n], 100);
            let after = ring(&all, 100);
            let mut moved = 0;
            for k in &keys {
                let (a, b) = (before.node_for(k).unwrap(), after.node_for(k).unwrap());
                if a != b {
                    assert_eq!(b, all[n], "a moved key goes to the new node, never between old ones");
                    moved += 1;
                }
            }
            fractions.push(f64::from(moved) / keys.len() as f64);
        }
        let mean = fractions.iter().sum::<f64>() / fractions.len() as f64;
        let want = 1.0 / (n as f64 + 1.0);
        println!("ring, {n} -> {} nodes: mean moved fraction {mean:.4}, theory {want:.4}", n + 1);
        assert!((mean - want).abs() / want < 0.10, "n = {n}: moved {mean:.4}, theory {want:.4}");
    }
}

#[test]
fn modulo_hashing_moves_about_n_over_n_plus_one_keys() {
    let keys = keys(50_000);
    for n in [3u64, 5, 10] {
        let moved = keys.iter().filter(|k| modulo_node(k, n) != modulo_node(k, n + 1)).count();
        let frac = moved as f64 / keys.len() as f64;
        let want = n as f64 / (n as f64 + 1.0);
        println!("modulo, {n} -> {} nodes: moved fraction {frac:.4}, theory {want:.4}", n + 1);
        assert!((frac - want).abs() / want < 0.02, "n = {n}: moved {frac:.4}, theory {want:.4}");
    }
}

#[test]
fn load_spread_matches_theory_for_every_vnode_count() {
    // A node's share of the ring is a sum of v of the n*v arcs between random
    // points: Beta(v, nv - v), so its coefficient of variation is
    // sqrt((n - 1) / (n v + 1)).
    let n = 10;
    for v in [1u32, 10, 100, 1000] {
        let sets = if v == 1000 { 40 } else { 200 };
        let mut cv2_sum = 0.0;
        for set in 0..sets {
            let shares = ring(&names(set, n), v).shares();
            assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            let mean = 1.0 / n as f64;
            let var = shares.iter().map(|s| (s - mean) * (s - mean)).sum::<f64>() / n as f64;
            cv2_sum += var / (mean * mean);
        }
        let cv = (cv2_sum / f64::from(sets)).sqrt();
        let want = ((n as f64 - 1.0) / (n as f64 * f64::from(v) + 1.0)).sqrt();
        println!("n = {n}, v = {v}: load CV {cv:.4}, theory {want:.4}");
        assert!((cv - want).abs() / want < 0.15, "v = {v}: CV {cv:.4}, theory {want:.4}");
    }
}

#[test]
fn removing_a_node_and_the_ring_is_deterministic() {
    let all = names(7, 6);
    let a = ring(&all, 50);
    let b = ring(&all, 50);
    let keys = keys(2_000);
    assert!(keys.iter().all(|k| a.node_for(k) == b.node_for(k)));
    let mut c = ring(&all, 50);
    c.remove_node(&all[2]);
    for k in &keys {
        let (before, after) = (a.node_for(k).unwrap(), c.node_for(k).unwrap());
        assert_ne!(after, all[2]);
        if before != all[2] {
            assert_eq!(before, after, "only the removed node's keys move");
        }
    }
}
