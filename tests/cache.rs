//! The cache store (`sim::cache`) against caching theory, under the
//! independent reference model: each request draws its key independently
//! from a fixed popularity (the simulator's own Zipf sampler), and a miss
//! inserts the key (cache-aside). Approximations and settings come from
//! `docs/research/cache-theory.md`, whose Monte Carlo put them within 0.5%
//! of simulation; the tests allow 2%.

mod common;

use scalelab::families::storage::cache_store::{Cache, Eviction};
use scalelab::sim::dist::{KeyDist, rng_from_seed};
use scalelab::sim::theory::{fifo_random_hit_ratio, lru_hit_ratio_che, perfect_lfu_hit_ratio, zipf_popularity};

use common::assert_close;

/// Requests before measuring: LRU is stationary once C distinct keys were
/// asked for; FIFO and random overshoot from an empty cache and settle after
/// a few characteristic times (the note advises max(10 T, 20 C)).
const WARM_UP: u64 = 50_000;
const MEASURED: u64 = 300_000;

/// The measured hit ratio of `eviction` at `capacity` for keys from `keys`.
fn hit_ratio(eviction: Eviction, capacity: usize, keys: &KeyDist, seed: u64) -> f64 {
    let mut draws = rng_from_seed(seed);
    let mut evictions = rng_from_seed(seed ^ 0x5eed);
    let mut cache = Cache::new(capacity, eviction, None);
    assert_eq!(cache.stats().hit_ratio(), 0.0, "no lookup yet");
    assert_eq!((cache.len(), cache.is_empty()), (0, true));
    let mut hits = 0;
    let mut warm = cache.stats();
    for n in 0..WARM_UP + MEASURED {
        let key = keys.sample(&mut draws);
        let hit = cache.get(key, n);
        if !hit {
            cache.set(key, n, &mut evictions);
        }
        if n >= WARM_UP && hit {
            hits += 1;
        }
        if n + 1 == WARM_UP {
            warm = cache.stats();
        }
    }
    // The store's own counts agree with the ones kept here. It is full
    // (more keys than entries), and every miss inserted a key: those not
    // held any more were evicted.
    assert_eq!((cache.len(), cache.capacity(), cache.is_empty()), (capacity, capacity, false));
    let stats = cache.stats();
    assert_eq!(stats.evictions, stats.misses - capacity as u64);
    assert_eq!(stats.hits + stats.misses, WARM_UP + MEASURED);
    assert_eq!(stats.hits - warm.hits, hits);
    let all_hits = stats.hits as f64 / (WARM_UP + MEASURED) as f64;
    assert_eq!(stats.hit_ratio(), all_hits);
    hits as f64 / MEASURED as f64
}

/// (Zipf exponent, keys, capacity): hit ratios from 0.3 to 0.8.
const SETTINGS: [(f64, usize, usize); 3] = [(1.0, 1_000, 100), (1.2, 1_000, 50), (1.0, 10_000, 100)];

#[test]
fn lru_matches_ches_approximation() {
    for (k, &(s, n, c)) in SETTINGS.iter().enumerate() {
        let seed = 11 + k as u64;
        let got = hit_ratio(Eviction::Lru, c, &KeyDist::zipf(n as u64, s), seed);
        let want = lru_hit_ratio_che(&zipf_popularity(n, s), c);
        println!("LRU zipf {s} keys {n} entries {c}: measured {got:.4}, Che {want:.4}");
        assert_close(&format!("LRU hit ratio, zipf {s}, {n} keys, {c} entries"), got, want, 0.02, seed);
    }
}

#[test]
fn fifo_and_random_match_their_approximation() {
    for eviction in [Eviction::Fifo, Eviction::Random] {
        for (k, &(s, n, c)) in SETTINGS.iter().enumerate() {
            let seed = 21 + k as u64;
            let got = hit_ratio(eviction, c, &KeyDist::zipf(n as u64, s), seed);
            let want = fifo_random_hit_ratio(&zipf_popularity(n, s), c);
            println!("{eviction:?} zipf {s} keys {n} entries {c}: measured {got:.4}, approximation {want:.4}");
            assert_close(&format!("{eviction:?} hit ratio, zipf {s}, {n} keys, {c} entries"), got, want, 0.02, seed);
        }
    }
}

#[test]
fn uniform_keys_give_capacity_over_keys_whatever_the_policy() {
    for eviction in [Eviction::Lru, Eviction::Lfu, Eviction::Fifo, Eviction::Random] {
        let got = hit_ratio(eviction, 250, &KeyDist::uniform(1_000), 31);
        assert_close(&format!("{eviction:?} hit ratio, uniform 1,000 keys, 250 entries"), got, 0.25, 0.02, 31);
    }
}

/// In-cache LFU forgets a key's count when it is evicted, so it does not
/// reach a perfect LFU's "C most popular keys"; under a skewed popularity it
/// still beats LRU, which keeps one-off keys at the expense of popular ones.
#[test]
fn in_cache_lfu_beats_lru_but_not_perfect_lfu() {
    let (s, n, c) = (1.0, 1_000, 100);
    let p = zipf_popularity(n, s);
    let lfu = hit_ratio(Eviction::Lfu, c, &KeyDist::zipf(n as u64, s), 41);
    let lru = hit_ratio(Eviction::Lru, c, &KeyDist::zipf(n as u64, s), 41);
    let perfect = perfect_lfu_hit_ratio(&p, c);
    println!("zipf {s} keys {n} entries {c}: LRU {lru:.4}, in-cache LFU {lfu:.4}, perfect LFU {perfect:.4}");
    assert!(lru < lfu && lfu < perfect, "LRU {lru:.4} < in-cache LFU {lfu:.4} < perfect LFU {perfect:.4}");
}

#[test]
fn the_same_seed_gives_the_same_hits() {
    let keys = KeyDist::zipf(1_000, 0.9);
    assert_eq!(hit_ratio(Eviction::Random, 64, &keys, 5), hit_ratio(Eviction::Random, 64, &keys, 5));
}

#[test]
fn a_smaller_capacity_evicts_down_to_it_at_once_in_eviction_order() {
    let mut rng = rng_from_seed(1);
    let mut cache = Cache::new(10, Eviction::Lru, None);
    for k in 0..10 {
        cache.set(k, k, &mut rng);
    }
    assert!(cache.get(2, 10), "key 2 is now the most recently used");
    cache.set_capacity(4, &mut rng);
    assert_eq!((cache.len(), cache.capacity(), cache.stats().evictions), (4, 4, 6));
    let held: Vec<u64> = (0..10).filter(|&k| cache.get(k, 11)).collect();
    assert_eq!(held, [2, 7, 8, 9], "the four most recently used stay");
    // Growing keeps what is there; a capacity of 0 is 1.
    cache.set_capacity(10, &mut rng);
    assert_eq!((cache.len(), cache.capacity()), (4, 10));
    cache.set_capacity(0, &mut rng);
    assert_eq!((cache.len(), cache.capacity(), cache.stats().evictions), (1, 1, 9));
}

#[test]
fn a_lookup_past_the_ttl_is_a_miss_and_the_entry_goes() {
    let mut rng = rng_from_seed(1);
    let mut cache = Cache::new(10, Eviction::Lru, Some(1_000));
    cache.set(7, 0, &mut rng);
    assert!(cache.get(7, 999), "alive for 1,000 ns");
    assert!(!cache.get(7, 1_000), "gone at its TTL");
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.misses, stats.expired, stats.evictions), (1, 1, 1, 0));
    assert_eq!(stats.hit_ratio(), 0.5);
    assert!(cache.is_empty(), "the expired entry is dropped, not kept");
}

#[test]
fn delete_says_whether_the_key_was_there() {
    let mut rng = rng_from_seed(1);
    let mut cache = Cache::new(4, Eviction::Lru, None);
    cache.set(1, 0, &mut rng);
    assert!(cache.delete(1), "it was cached");
    assert!(!cache.delete(1), "not any more");
    assert!(!cache.get(1, 0) && cache.is_empty());
}

#[test]
fn random_eviction_picks_its_victim_at_random() {
    // A full cache of two (keys 1 and 2, in that order) takes key 3: FIFO
    // or LRU would always evict 1; random eviction evicts either, so over
    // 200 independently seeded caches key 1 goes Binomial(200, ½) times:
    // 100 ± 35 (5 sd).
    let mut ones = 0;
    for seed in 0..200 {
        let mut rng = rng_from_seed(seed);
        let mut cache = Cache::new(2, Eviction::Random, None);
        cache.set(1, 0, &mut rng);
        cache.set(2, 0, &mut rng);
        let victim = cache.set(3, 0, &mut rng).expect("a full cache evicts");
        assert!(victim == 1 || victim == 2);
        ones += u32::from(victim == 1);
    }
    assert!((65..=135).contains(&ones), "key 1 evicted {ones} times of 200");
}
