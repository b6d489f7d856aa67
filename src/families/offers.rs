//! The A/B offers several families' kinds make (`OwnKind::candidates`):
//! twice or half a pool's workers, a source's rate ±25%. Below the
//! registry; it names no kind.

use crate::sim::spec::FaultSpec;

/// (label of A, label of B, the `set` entry that makes B).
pub type Offer = (String, String, FaultSpec);

/// A `set` of node `id` that changes what `change` gives.
pub fn set(id: &str, change: FaultSpec) -> FaultSpec {
    FaultSpec { set: Some(id.into()), ..change }
}

/// Twice and half `now` workers (at least 1; none that is `now`).
pub fn workers(id: &str, now: u32) -> Vec<Offer> {
    [now.saturating_mul(2), (now / 2).max(1)]
        .into_iter()
        .filter(|&w| w != now)
        .map(|w| {
            let change = FaultSpec { workers: Some(w), ..Default::default() };
            (format!("{id}: {now} workers"), format!("{id}: {w} workers"), set(id, change))
        })
        .collect()
}

/// A rate 25% higher and 25% lower. What a person reads is rounded (6.4 ×
/// 0.75 is 4.800000000000001); the entry keeps the exact rate.
pub fn rate(id: &str, rate: f64, unit: &str) -> Vec<Offer> {
    [1.25, 0.75]
        .into_iter()
        .map(|k| {
            let change = FaultSpec { rate_per_s: Some(rate * k), ..Default::default() };
            let label = |r: f64| format!("{id}: {} {unit}", crate::lessons::rounded(r, 2));
            (label(rate), label(rate * k), set(id, change))
        })
        .collect()
}

/// The settings of a kind whose `set` fields are its spec's own (given
/// as `params`): its spec now, as JSON (`OwnKind::settings`).
pub fn own_settings<T: serde::Serialize>(spec: Option<&T>) -> FaultSpec {
    FaultSpec { params: spec.and_then(|s| serde_json::to_value(s).ok()), ..Default::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_are_doubled_and_halved_and_never_the_same() {
        let labels = |n| workers("app", n).into_iter().map(|o| (o.1, o.2.workers)).collect::<Vec<_>>();
        assert_eq!(labels(8), [("app: 16 workers".to_string(), Some(16)), ("app: 4 workers".to_string(), Some(4))]);
        assert_eq!(labels(1), [("app: 2 workers".to_string(), Some(2))]);
        assert!(workers("app", 3).iter().all(|o| o.0 == "app: 3 workers" && o.2.set.as_deref() == Some("app")));
    }

    #[test]
    fn rates_move_a_quarter_either_way_and_read_rounded() {
        let offers = rate("users", 6.4, "req/s");
        assert_eq!(offers[0].0, "users: 6.4 req/s");
        assert_eq!(offers[0].1, "users: 8 req/s");
        assert_eq!(offers[1].1, "users: 4.8 req/s");
        assert_eq!(offers[1].2.rate_per_s, Some(6.4 * 0.75));
        assert_eq!(offers[1].2.set.as_deref(), Some("users"));
    }
}
