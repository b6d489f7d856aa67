//! Queueing and caching theory the simulator is checked against (and that
//! the UI draws as overlays): M/M/c with FIFO service; cache hit ratios
//! under the independent reference model (below).
//!
//! ```text
//!   λ ─► [ queue ] ─► c workers, each rate μ        a = λ/μ,  ρ = a/c < 1
//!   C(c, a)  = P(wait > 0)                         (Erlang C)
//!   Wq | wait > 0  ~ Exp(cμ − λ),   S ~ Exp(μ),    T = Wq + S
//! ```
//! Pure math; used by tests and the UI, never by the engine.

/// Erlang B blocking probability, by the stable recurrence
/// B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)).
pub fn erlang_b(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    b
}

/// Erlang C: the probability an arrival has to wait, for `c` servers and
/// offered load `a = λ/μ` (requires a < c).
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let b = erlang_b(c, a);
    let c = f64::from(c);
    c * b / (c - a * (1.0 - b))
}

/// A node's part in an M/M/c queue, as its kind says
/// (`OwnKind::queue_role`): Poisson arrivals, or `c` workers with
/// exponential service. A source linked straight to a station, one of each,
/// is the queue the charts draw Erlang C's lines for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum QueueRole {
    Arrivals { rate_per_s: f64 },
    Servers { workers: u32, mean_service_s: f64 },
}

impl QueueRole {
    /// The queue a source in `from` and a station in `to` make.
    pub fn queue(from: QueueRole, to: QueueRole) -> Option<MMc> {
        match (from, to) {
            (QueueRole::Arrivals { rate_per_s }, QueueRole::Servers { workers, mean_service_s }) => {
                Some(MMc::new(workers, rate_per_s, mean_service_s))
            }
            _ => None,
        }
    }
}

/// An M/M/c queue: arrival rate `lambda` and per-worker service rate `mu`,
/// both per second.
#[derive(Clone, Copy, Debug)]
pub struct MMc {
    pub c: u32,
    pub lambda: f64,
    pub mu: f64,
}

impl MMc {
    pub fn new(c: u32, lambda_per_s: f64, mean_service_s: f64) -> Self {
        MMc { c, lambda: lambda_per_s, mu: 1.0 / mean_service_s }
    }

    pub fn utilisation(&self) -> f64 {
        self.lambda / (f64::from(self.c) * self.mu)
    }

    pub fn is_stable(&self) -> bool {
        self.utilisation() < 1.0
    }

    pub fn prob_wait(&self) -> f64 {
        erlang_c(self.c, self.lambda / self.mu)
    }

    /// Mean time in queue, seconds.
    pub fn mean_wait_s(&self) -> f64 {
        self.prob_wait() / (f64::from(self.c) * self.mu - self.lambda)
    }

    /// Mean sojourn (wait + service), seconds.
    pub fn mean_sojourn_s(&self) -> f64 {
        self.mean_wait_s() + 1.0 / self.mu
    }

    /// Mean number in the system (Little: L = λW).
    pub fn mean_in_system(&self) -> f64 {
        self.lambda * self.mean_sojourn_s()
    }

    /// P(sojourn > t), t in seconds.
    pub fn sojourn_tail(&self, t: f64) -> f64 {
        let mu = self.mu;
        let theta = f64::from(self.c) * mu - self.lambda;
        let pw = self.prob_wait();
        let waited = if (theta - mu).abs() < 1e-12 * mu {
            (1.0 + mu * t) * (-mu * t).exp()
        } else {
            (theta * (-mu * t).exp() - mu * (-theta * t).exp()) / (theta - mu)
        };
        (1.0 - pw) * (-mu * t).exp() + pw * waited
    }

    /// The q-quantile of the sojourn time, seconds (bisection on the tail).
    pub fn sojourn_quantile_s(&self, q: f64) -> f64 {
        let target = 1.0 - q;
        let mut hi = 1.0 / self.mu;
        while self.sojourn_tail(hi) > target {
            hi *= 2.0;
        }
        let mut lo = 0.0;
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if self.sojourn_tail(mid) > target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    }
}

/// Zipf popularities p_i ∝ i^−s over `n_keys` ranks (`p[0]` the most popular).
pub fn zipf_popularity(n_keys: usize, exponent: f64) -> Vec<f64> {
    let w: Vec<f64> = (1..=n_keys).map(|i| libm::pow(i as f64, -exponent)).collect();
    let total: f64 = w.iter().sum();
    w.into_iter().map(|x| x / total).collect()
}

/// The characteristic time T (in requests) at which `occupancy(T)` fills
/// `capacity` entries: bisection on an increasing function.
fn characteristic_time(capacity: f64, occupancy: impl Fn(f64) -> f64) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, capacity.max(1.0));
    while occupancy(hi) < capacity {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if occupancy(mid) < capacity {
            lo = mid
        } else {
            hi = mid
        }
        if hi - lo <= 1e-12 * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// LRU's hit ratio by Che's approximation: hᵢ = 1 − e^(−pᵢT), with T such
/// that Σ hᵢ = C; the hit ratio is Σ pᵢhᵢ (Che, Tung and Wang 2002;
/// Fricker, Robert and Roberts 2012).
pub fn lru_hit_ratio_che(p: &[f64], capacity: usize) -> f64 {
    if capacity >= p.len() {
        return 1.0;
    }
    let h = |t: f64, pi: f64| 1.0 - libm::exp(-pi * t);
    let t = characteristic_time(capacity as f64, |t| p.iter().map(|&pi| h(t, pi)).sum());
    p.iter().map(|&pi| pi * h(t, pi)).sum()
}

/// FIFO's and random eviction's hit ratio (they share one stationary law
/// under IRM, Gelenbe 1973): hᵢ = pᵢT / (1 + pᵢT) with Σ hᵢ = C (Martina,
/// Garetto and Leonardi 2014).
pub fn fifo_random_hit_ratio(p: &[f64], capacity: usize) -> f64 {
    if capacity >= p.len() {
        return 1.0;
    }
    let h = |t: f64, pi: f64| pi * t / (1.0 + pi * t);
    let t = characteristic_time(capacity as f64, |t| p.iter().map(|&pi| h(t, pi)).sum());
    p.iter().map(|&pi| pi * h(t, pi)).sum()
}

/// A perfect LFU (counts kept for every key, cached or not) holds the C most
/// popular keys: Σ of the top C popularities.
pub fn perfect_lfu_hit_ratio(p: &[f64], capacity: usize) -> f64 {
    let mut sorted = p.to_vec();
    sorted.sort_unstable_by(|a, b| b.total_cmp(a));
    sorted.iter().take(capacity).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_c_known_values() {
        // One server: C = ρ.
        assert!((erlang_c(1, 0.8) - 0.8).abs() < 1e-12);
        // Two servers, a = 1: C = a²/(2(2−a)) / (1 + a + a²/(2(2−a))) = 1/3.
        assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn mm1_sojourn_is_exponential() {
        let q = MMc::new(1, 0.8, 1.0);
        assert!((q.mean_sojourn_s() - 5.0).abs() < 1e-9);
        // T ~ Exp(μ − λ): median ln 2 / 0.2.
        assert!((q.sojourn_quantile_s(0.5) - 2f64.ln() / 0.2).abs() < 1e-6);
        assert!((q.sojourn_quantile_s(0.99) - 100f64.ln() / 0.2).abs() < 1e-6);
    }

    #[test]
    fn cache_approximations_agree_with_known_cases() {
        // Uniform popularity: every policy holds C of N keys.
        let uniform = vec![1e-3; 1000];
        assert!((lru_hit_ratio_che(&uniform, 100) - 0.1).abs() < 1e-9);
        assert!((fifo_random_hit_ratio(&uniform, 100) - 0.1).abs() < 1e-9);
        // The values of the research note (docs/research/cache-theory.md):
        // s = 1.0, N = 1000, C = 100: LRU 0.5765, FIFO/random 0.5202, LFU 0.6930.
        let p = zipf_popularity(1000, 1.0);
        assert!((lru_hit_ratio_che(&p, 100) - 0.5765).abs() < 5e-4);
        assert!((fifo_random_hit_ratio(&p, 100) - 0.5202).abs() < 5e-4);
        assert!((perfect_lfu_hit_ratio(&p, 100) - 0.6930).abs() < 5e-4);
        assert_eq!(lru_hit_ratio_che(&p, 1000), 1.0);
    }

    #[test]
    fn quantiles_increase() {
        let q = MMc::new(8, 6.4, 1.0);
        let (a, b, c) = (q.sojourn_quantile_s(0.5), q.sojourn_quantile_s(0.95), q.sojourn_quantile_s(0.99));
        assert!(a < b && b < c);
        assert!((q.sojourn_tail(b) - 0.05).abs() < 1e-9);
    }
}
