//! How numbers read to people: one place for the page's number formats, so
//! a figure never shows as `4.800000000000001` or `58.50` beside `48`, an
//! empty chart's axis reads 0 to 1, and markers that fall together share a
//! label. Pure, and tested natively; the machine-read forms (the scenario
//! file, `--json`) keep full precision.

/// `n` with a comma every three digits: 1,234,567.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `x` to `decimals` places, trailing zeros dropped: 1.5, 2, 0.125.
pub fn trimmed(x: f64, decimals: usize) -> String {
    let text = format!("{x:.decimals$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    if text == "-0" { "0".into() } else { text.into() }
}

/// A figure for people: whole numbers with thousands separators; others to
/// three significant digits (at most two decimals from 1 up), trailing
/// zeros dropped: 1,234 · 58.5 · 48 · 0.457 · 4.8.
pub fn figure(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let a = v.abs();
    if a >= 100.0 || a.fract() == 0.0 {
        return format!("{sign}{}", thousands(a.round() as u64));
    }
    let dp = if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        decimals(a, 1).max(1) + 2
    };
    match trimmed(a, dp) {
        zero if zero == "0" => zero,
        text => format!("{sign}{text}"),
    }
}

/// Decimals an axis's labels need so that its ticks, about `span / n`
/// apart, read differently: the same number for every label of the axis
/// (no "58.50" beside "48").
pub fn decimals(span: f64, n: usize) -> usize {
    let rough = span / n.max(1) as f64;
    if !(rough.is_finite() && rough > 0.0) {
        return 0;
    }
    // Ticks fall on a round step (1, 2 or 5 × a power of ten) at least
    // `rough` apart: as many decimals as that step has.
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|k| k * power).find(|&v| v >= rough * 0.999).unwrap_or(10.0 * power);
    (-(step.log10() + 1e-9).floor()).max(0.0) as usize
}

/// The top of a y axis for data up to `max`: a round number a little above
/// it (1, 2, 2.5 or 5 × a power of ten), and 1 while there is no data yet
/// (so an empty chart reads 0 to 1, not "0.00 / 0.00 / 0.00").
pub fn nice_top(max: f64) -> f64 {
    if !(max.is_finite() && max > 0.0) {
        return 1.0;
    }
    let want = max * 1.1;
    let power = 10f64.powf(want.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|k| k * power).find(|&v| v >= want).unwrap_or(10.0 * power)
}

/// Markers closer than this many CSS pixels share one label.
const MARKER_GAP_PX: f64 = 44.0;

/// One label for the timeline's markers that fall close together.
#[derive(Clone, Debug, PartialEq)]
pub struct MarkerGroup {
    /// The first marker's time (simulated s) and where it is drawn (CSS px).
    pub t: f64,
    pub x_px: f64,
    /// The first marker's label, "+N" for the others.
    pub label: String,
    pub count: usize,
}

/// The timeline's markers (in order of time) grouped by where they fall
/// (`x_px` maps a time to CSS pixels): a lone marker keeps its label; a
/// group says how many more it holds, so a run with many edits shows a few
/// readable labels, not a strip of overlapping ones.
pub fn marker_groups(markers: &[(f64, String)], x_px: impl Fn(f64) -> f64) -> Vec<MarkerGroup> {
    let mut groups: Vec<MarkerGroup> = Vec::new();
    for (t, label) in markers {
        let x = x_px(*t);
        match groups.last_mut() {
            Some(g) if x - g.x_px < MARKER_GAP_PX => g.count += 1,
            _ => groups.push(MarkerGroup { t: *t, x_px: x, label: label.clone(), count: 1 }),
        }
    }
    for g in &mut groups {
        if g.count > 1 {
            g.label = format!("{} +{}", g.label, g.count - 1);
        }
    }
    groups
}

/// The speeds the slider and the + and − keys step through (1, 2, 5 ×
/// a power of ten: round numbers, not 1.8× or 5.6×).
pub const SPEEDS: [f64; 16] =
    [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1_000.0];

/// The next speed of [`SPEEDS`] above `speed` (`up`) or below it, or
/// `speed` itself at either end.
pub fn speed_step(speed: f64, up: bool) -> f64 {
    let next = if up {
        SPEEDS.iter().copied().find(|&s| s > speed * 1.000_001)
    } else {
        SPEEDS.iter().rev().copied().find(|&s| s < speed * 0.999_999)
    };
    next.unwrap_or(speed)
}

/// Where `speed` sits on [`SPEEDS`]: the index of the nearest step (on a
/// log scale), for the slider.
pub fn speed_index(speed: f64) -> usize {
    let distance = |s: f64| (s.ln() - speed.ln()).abs();
    (0..SPEEDS.len()).min_by(|&a, &b| distance(SPEEDS[a]).total_cmp(&distance(SPEEDS[b]))).unwrap_or(6)
}

/// A speed for people: 0.01×, 0.5×, 1×, 250×, 1,000×.
pub fn format_speed(x: f64) -> String {
    format!("{}×", figure(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_step_through_round_numbers() {
        assert_eq!(speed_step(1.0, true), 2.0);
        assert_eq!(speed_step(2.0, true), 5.0);
        assert_eq!(speed_step(5.0, false), 2.0);
        assert_eq!(speed_step(1000.0, true), 1000.0, "the top stays");
        assert_eq!(speed_step(0.01, false), 0.01, "the bottom stays");
        assert_eq!(speed_step(3.7, true), 5.0, "a speed off the ladder goes to the next step");
        assert_eq!(speed_step(3.7, false), 2.0);
        assert_eq!(speed_index(1.0), 6);
        assert_eq!(speed_index(3.7), 8, "nearest on a log scale: 5, not 2");
        assert_eq!(speed_index(1e9), SPEEDS.len() - 1);
        assert_eq!(format_speed(0.01), "0.01×");
        assert_eq!(format_speed(0.5), "0.5×");
        assert_eq!(format_speed(37.4), "37.4×");
        assert_eq!(format_speed(1000.0), "1,000×");
        assert_eq!(format_speed(2.0), "2×");
        assert_eq!(format_speed(250.0), "250×");
    }

    #[test]
    fn figures_read_plainly() {
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(trimmed(1.5, 3), "1.5");
        assert_eq!(trimmed(2.0, 3), "2");
        assert_eq!(trimmed(0.1234567, 3), "0.123");
        assert_eq!(trimmed(-0.0001, 3), "0");
        assert_eq!(trimmed(120.0, 0), "120");
        assert_eq!(figure(4.800000000000001), "4.8");
        assert_eq!(figure(58.5), "58.5");
        assert_eq!(figure(48.0), "48");
        assert_eq!(figure(1234.0), "1,234");
        assert_eq!(figure(1234.56), "1,235");
        assert_eq!(figure(0.4567), "0.457");
        assert_eq!(figure(0.0012345), "0.00123");
        assert_eq!(figure(12.345), "12.3");
        assert_eq!(figure(3.14659), "3.15");
        assert_eq!(figure(-2.5), "-2.5");
        assert_eq!(figure(0.0), "0");
        assert_eq!(figure(f64::NAN), "–");
    }

    #[test]
    fn an_axis_reads_with_one_number_of_decimals() {
        assert_eq!(decimals(100.0, 5), 0);
        assert_eq!(decimals(5.0, 5), 0);
        assert_eq!(decimals(5.0, 6), 0, "ticks a whole second apart: 1, 2, 3, not 1.0, 2.0");
        assert_eq!(decimals(2.5, 6), 1, "ticks half a second apart");
        assert_eq!(decimals(1.0, 5), 1);
        assert_eq!(decimals(0.1, 5), 2);
        assert_eq!(decimals(0.0, 5), 0);
    }

    #[test]
    fn an_empty_axis_reads_zero_to_one_and_a_full_one_ends_round() {
        assert_eq!(nice_top(0.0), 1.0);
        assert_eq!(nice_top(f64::NAN), 1.0);
        assert_eq!(nice_top(1.0), 2.0);
        assert_eq!(nice_top(9.0), 10.0);
        assert_eq!(nice_top(1480.0), 2000.0);
        assert_eq!(nice_top(2100.0), 2500.0);
        assert_eq!(nice_top(0.03), 0.05);
        for m in [0.7, 3.3, 42.0, 999.0, 12_345.0] {
            assert!(nice_top(m) >= m * 1.1 && nice_top(m) <= m * 3.0, "{m} → {}", nice_top(m));
        }
    }

    #[test]
    fn markers_that_fall_together_share_one_label() {
        // 1 px a second: markers at 10, 20 and 30 s are closer than the gap.
        let markers: Vec<(f64, String)> =
            [(10.0, "✎ app-1"), (20.0, "✎ app-1"), (30.0, "✎ lb"), (100.0, "✕ db"), (200.0, "✓ db")]
                .into_iter()
                .map(|(t, l)| (t, l.to_string()))
                .collect();
        let groups = marker_groups(&markers, |t| t);
        let labels: Vec<(&str, usize)> = groups.iter().map(|g| (g.label.as_str(), g.count)).collect();
        assert_eq!(labels, [("✎ app-1 +2", 3), ("✕ db", 1), ("✓ db", 1)]);
        assert_eq!((groups[0].t, groups[1].x_px), (10.0, 100.0));
        // Wider apart on a wider chart: each keeps its label.
        assert_eq!(marker_groups(&markers, |t| t * 10.0).len(), 5);
        assert!(marker_groups(&[], |t| t).is_empty());
    }
}
