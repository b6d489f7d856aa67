//! Simulated time.
//!
//! Time is an integer count of **nanoseconds** since the start of the run
//! (`SimTime = u64`), so it never drifts and compares exactly: two events at
//! the same time are ordered by insertion sequence, not by float rounding.
//! A `u64` of nanoseconds covers 584 years, far past any run's limit.

/// Nanoseconds since the start of the run.
pub type SimTime = u64;

pub const NS_PER_US: u64 = 1_000;
pub const NS_PER_MS: u64 = 1_000_000;
pub const NS_PER_S: u64 = 1_000_000_000;

/// Milliseconds (as written in scenario files) to simulated nanoseconds.
/// Negative and NaN inputs become 0; rounding is to the nearest nanosecond.
pub fn ms_to_ns(ms: f64) -> SimTime {
    if ms.is_nan() || ms <= 0.0 { 0 } else { (ms * NS_PER_MS as f64).round() as SimTime }
}

/// Seconds (as written in scenario files) to simulated nanoseconds.
pub fn s_to_ns(s: f64) -> SimTime {
    ms_to_ns(s * 1_000.0)
}

pub fn ns_to_ms(ns: SimTime) -> f64 {
    ns as f64 / NS_PER_MS as f64
}

pub fn ns_to_s(ns: SimTime) -> f64 {
    ns as f64 / NS_PER_S as f64
}

/// `count` events over the first `now` ns of a run, per second (0 at time 0).
pub fn per_s(count: u64, now: SimTime) -> f64 {
    if now > 0 { count as f64 / ns_to_s(now) } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_trip_and_clamp() {
        assert_eq!(ms_to_ns(1.5), 1_500_000);
        assert_eq!(s_to_ns(2.0), 2 * NS_PER_S);
        assert_eq!(ms_to_ns(-3.0), 0);
        assert_eq!(ms_to_ns(f64::NAN), 0);
        assert_eq!(ns_to_ms(2_500_000), 2.5);
        assert_eq!(ns_to_s(NS_PER_S / 2), 0.5);
    }
}
