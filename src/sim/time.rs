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
    if ms.is_nan() || ms <= 0.0 { 0 } else { round_positive(ms * NS_PER_MS as f64) }
}

/// `x.round() as u64` for a positive `x`, bit for bit, without the call to
/// `round` that x86-64's baseline instruction set needs (every sampled
/// duration goes through here). Below 2^63 the truncation and its way back
/// are one signed conversion each; the fraction `x - trunc(x)` is exact in
/// floating point, so comparing it with 0.5 rounds half away from zero
/// exactly as `round` does (past 2^53 every float is an integer).
#[inline(always)]
fn round_positive(x: f64) -> SimTime {
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    if x < TWO_POW_63 {
        let t = x as i64;
        (t + i64::from(x - t as f64 >= 0.5)) as SimTime
    } else {
        x.round() as SimTime
    }
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

/// Seconds for people: to the millisecond, trailing zeros dropped (30,
/// 24.132, 0.5), so a time a person reads is never `7.616400001`.
pub fn format_s(s: f64) -> String {
    let text = format!("{s:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".into() } else { text.into() }
}

/// The first whole millisecond after `now`: when an edit made live takes
/// effect, so that the time the timeline records reads plainly (7.617 s,
/// not 7.616400001 s) and still comes after everything already done.
pub fn next_ms(now: SimTime) -> SimTime {
    (now / NS_PER_MS + 1) * NS_PER_MS
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

    #[test]
    fn times_for_people_read_plainly() {
        assert_eq!(format_s(30.0), "30");
        assert_eq!(format_s(24.132368011), "24.132");
        assert_eq!(format_s(0.5), "0.5");
        assert_eq!(format_s(7.6164), "7.616");
        assert_eq!(format_s(0.0), "0");
        assert_eq!(format_s(-0.0001), "0");
        assert_eq!(next_ms(0), NS_PER_MS);
        assert_eq!(next_ms(7_616_400_000), 7_617_000_000);
        assert_eq!(next_ms(7_617_000_000), 7_618_000_000, "strictly after now, even on a boundary");
    }

    #[test]
    fn rounding_matches_the_standard_round_bit_for_bit() {
        use rand::{Rng, SeedableRng};
        let two = |e: i32| 2f64.powi(e);
        let mut xs = vec![
            f64::from_bits(1),
            f64::MIN_POSITIVE,
            0.49999999999999994,
            0.5,
            1.5,
            2.5,
            two(52) - 0.5,
            two(52) + 0.5,
            two(53) - 1.0,
            two(53),
            f64::from_bits(two(63).to_bits() - 1),
            two(63),
            two(64) - 2048.0,
            two(64),
            two(64) + 4096.0,
            1e300,
            f64::MAX,
            f64::INFINITY,
        ];
        // Halves and their neighbours, and random magnitudes.
        for k in [1u64, 2, 3, 1_000, 999_999, 1 << 40, (1 << 52) - 1] {
            let h = k as f64 + 0.5;
            xs.extend([h, f64::from_bits(h.to_bits() - 1), f64::from_bits(h.to_bits() + 1)]);
        }
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        xs.extend((0..100_000).map(|_| two(rng.random_range(-10..70)) * rng.random::<f64>()));
        for x in xs.into_iter().filter(|&x| x > 0.0) {
            assert_eq!(round_positive(x), x.round() as u64, "x = {x:e} ({:#x})", x.to_bits());
        }
    }
}
