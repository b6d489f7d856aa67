//! Random distributions the scenarios sample from: service times, arrival
//! gaps, client ids and keys.
//!
//! Every draw comes from the run's one seeded RNG ([`SimRng`]). Transcendental
//! functions go through `libm`, never the platform's, so a seed gives the
//! same bits natively and in wasm. Exponential and normal draws use
//! inversion and Box–Muller rather than rand_distr's ziggurat: its lookup
//! tables cost the browser download about 8 KB for no visible gain here.
//! Zipf is rand_distr's (built without `std_math`, so it uses `libm` too).

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Zipf};

use super::time::{SimTime, ms_to_ns};

/// The simulation's one random number generator. xoshiro256++: fast, small
/// state, and its output is fixed by its seed on every platform.
pub type SimRng = rand_xoshiro::Xoshiro256PlusPlus;

pub fn rng_from_seed(seed: u64) -> SimRng {
    SimRng::seed_from_u64(seed)
}

/// The run's one generator, split into one non-overlapping substream per
/// node: node i draws from the root state advanced by i `jump()`s (2^128
/// draws each). One seed still fixes every draw; and a change at one node
/// (say, a balancer's algorithm) does not shift another node's draws, so two
/// variants of a scenario see identical traffic.
pub fn node_streams(seed: u64, n_nodes: usize) -> Vec<SimRng> {
    let mut root = rng_from_seed(seed);
    (0..n_nodes)
        .map(|_| {
            let stream = root.clone();
            root.jump();
            stream
        })
        .collect()
}

/// A non-negative duration distribution, in milliseconds once sampled.
#[derive(Clone, Debug)]
pub enum Duration {
    Constant {
        ms: f64,
    },
    Exponential {
        mean_ms: f64,
    },
    Uniform {
        min_ms: f64,
        max_ms: f64,
    },
    /// exp(mu + sigma Z), Z standard normal.
    LogNormal {
        mu: f64,
        sigma: f64,
    },
}

impl Duration {
    pub fn constant(ms: f64) -> Self {
        Duration::Constant { ms }
    }

    /// Exponential with the given mean (`mean_ms > 0`, checked by validation).
    pub fn exponential(mean_ms: f64) -> Self {
        Duration::Exponential { mean_ms }
    }

    pub fn uniform(min_ms: f64, max_ms: f64) -> Self {
        Duration::Uniform { min_ms, max_ms }
    }

    /// Log-normal with the given mean and coefficient of variation (sd/mean):
    /// sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2.
    pub fn lognormal(mean_ms: f64, cv: f64) -> Self {
        let sigma2 = libm::log(1.0 + cv * cv);
        let mu = libm::log(mean_ms) - sigma2 / 2.0;
        Duration::LogNormal { mu, sigma: libm::sqrt(sigma2) }
    }

    pub fn sample_ms(&self, rng: &mut SimRng) -> f64 {
        match self {
            Duration::Constant { ms } => *ms,
            // Inversion: -mean ln(U), U uniform in (0, 1].
            Duration::Exponential { mean_ms } => -mean_ms * libm::log(open_unit(rng)),
            Duration::Uniform { min_ms, max_ms } => {
                if max_ms > min_ms {
                    rng.random_range(*min_ms..*max_ms)
                } else {
                    *min_ms
                }
            }
            Duration::LogNormal { mu, sigma } => libm::exp(mu + sigma * standard_normal(rng)),
        }
    }

    pub fn sample_ns(&self, rng: &mut SimRng) -> SimTime {
        ms_to_ns(self.sample_ms(rng))
    }
}

/// Uniform in (0, 1]: never 0, so its logarithm is finite.
fn open_unit(rng: &mut SimRng) -> f64 {
    1.0 - rng.random::<f64>()
}

/// A standard normal draw (Box–Muller; the second variate is not kept, so
/// every draw consumes exactly two uniforms).
fn standard_normal(rng: &mut SimRng) -> f64 {
    let (u1, u2) = (open_unit(rng), rng.random::<f64>());
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(std::f64::consts::TAU * u2)
}

/// How a client picks the key of each request (for caches, hashing, shards).
#[derive(Clone, Debug)]
pub enum KeyDist {
    Uniform {
        n_keys: u64,
    },
    /// Zipf over ranks 1..=n_keys with the given exponent; key = rank - 1,
    /// so key 0 is the hottest.
    Zipf {
        zipf: Zipf<f64>,
    },
}

impl KeyDist {
    pub fn uniform(n_keys: u64) -> Self {
        KeyDist::Uniform { n_keys }
    }

    pub fn zipf(n_keys: u64, exponent: f64) -> Self {
        KeyDist::Zipf { zipf: Zipf::new(n_keys as f64, exponent).expect("validated: n_keys >= 1, exponent >= 0") }
    }

    pub fn sample(&self, rng: &mut SimRng) -> u64 {
        match self {
            KeyDist::Uniform { n_keys } => rng.random_range(0..*n_keys),
            KeyDist::Zipf { zipf } => (zipf.sample(rng) as u64).saturating_sub(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_of(d: &Duration, n: usize) -> f64 {
        let mut rng = rng_from_seed(7);
        (0..n).map(|_| d.sample_ms(&mut rng)).sum::<f64>() / n as f64
    }

    #[test]
    fn sample_means_match_parameters() {
        let n = 200_000;
        assert!((mean_of(&Duration::exponential(10.0), n) - 10.0).abs() < 0.1);
        assert!((mean_of(&Duration::uniform(2.0, 6.0), n) - 4.0).abs() < 0.02);
        assert!((mean_of(&Duration::lognormal(10.0, 2.0), n) - 10.0).abs() < 0.3);
        assert_eq!(mean_of(&Duration::constant(3.0), 10), 3.0);
    }

    #[test]
    fn node_streams_are_reproducible_and_distinct() {
        let a = node_streams(9, 3);
        let b = node_streams(9, 4);
        assert_eq!(a[..], b[..3], "adding a node leaves the others' streams alone");
        let first: Vec<u64> = a.iter().map(|r| r.clone().random::<u64>()).collect();
        assert!(first[0] != first[1] && first[1] != first[2]);
    }

    #[test]
    fn lognormal_has_requested_cv() {
        let d = Duration::lognormal(5.0, 0.5);
        let mut rng = rng_from_seed(3);
        let xs: Vec<f64> = (0..200_000).map(|_| d.sample_ms(&mut rng)).collect();
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / xs.len() as f64;
        let cv = var.sqrt() / m;
        assert!((cv - 0.5).abs() < 0.02, "cv {cv}");
    }

    #[test]
    fn exponential_quantiles_match() {
        // P(X <= m ln 2) = 1/2 and P(X <= m ln 100) = 0.99 for mean m.
        let d = Duration::exponential(10.0);
        let mut rng = rng_from_seed(5);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| d.sample_ms(&mut rng)).collect();
        let below = |x: f64| xs.iter().filter(|&&v| v <= x).count() as f64 / n as f64;
        assert!((below(10.0 * 2f64.ln()) - 0.5).abs() < 0.005);
        assert!((below(10.0 * 100f64.ln()) - 0.99).abs() < 0.001);
        assert!(xs.iter().all(|x| x.is_finite() && *x >= 0.0));
    }

    #[test]
    fn zipf_makes_key_zero_hottest() {
        let d = KeyDist::zipf(1000, 1.1);
        let mut rng = rng_from_seed(1);
        let mut counts = [0u32; 3];
        for _ in 0..50_000 {
            let k = d.sample(&mut rng);
            assert!(k < 1000);
            if k < 3 {
                counts[k as usize] += 1;
            }
        }
        assert!(counts[0] > counts[1] && counts[1] > counts[2], "{counts:?}");
    }
}
