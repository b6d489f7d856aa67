//! Metrics: whole-run latency histograms and counters, and a time series of
//! fixed windows of simulated time for the charts.
//!
//! ```text
//!  response ─► e2e histogram (whole run, 3 significant digits)
//!          └─► window accumulator ──close_window(t)──► series (ring of WindowStats)
//! ```
//! Memory is bounded however long a run lasts: histograms have fixed bounds,
//! the series keeps its most recent `max_points` windows, and a window keeps
//! at most `EXACT_WINDOW_SAMPLES` raw samples before it switches to a
//! histogram of its own.

use std::collections::VecDeque;

use hdrhistogram::Histogram;
use serde::Serialize;

use super::series::Series;

use super::request::Status;
use super::time::{NS_PER_US, SimTime, ns_to_ms, ns_to_s};

/// Latencies are recorded in microseconds, up to 30 days.
const HIST_MAX_US: u64 = 30 * 24 * 3_600 * 1_000_000;
/// Below this many samples a window's percentiles are exact (sorted samples).
const EXACT_WINDOW_SAMPLES: usize = 4_096;
/// Up to this many samples a window's percentiles come from a sort; above,
/// from three selections (measured: a sort wins on small windows).
const SORT_BELOW: usize = 128;

/// Percentiles of a latency distribution, in milliseconds. All zero when
/// nothing was recorded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct LatencySummary {
    pub count: u64,
    /// Exact mean (from the sum of the samples, not the histogram).
    pub mean: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

/// A latency histogram plus the exact sum for the mean.
#[derive(Clone, Debug)]
pub struct LatencyHist {
    /// u32 counts: half the memory of u64 (a checkpoint copies every
    /// histogram); a bucket saturates past 4.29 billion samples, far beyond
    /// any run's reach (1 h at 10,000 requests/s records 36 million). Its
    /// counts cover only up to the longest latency recorded (it grows to
    /// at most `HIST_MAX_US`): a run of millisecond latencies keeps a
    /// quarter of what the whole range takes at 3 significant digits.
    hist: Histogram<u32>,
    sum_ns: u128,
    max_ns: SimTime,
}

impl LatencyHist {
    /// `sigfig` significant decimal digits (3: 0.1% resolution; 2: 1%). The
    /// buckets are those of a histogram of the whole range (lowest value
    /// 1 µs): where each value lands, and so every quantile, is the same;
    /// only the counts past the longest latency are not held.
    pub fn new(sigfig: u8) -> Self {
        LatencyHist { hist: Histogram::new(sigfig).expect("static bounds are valid"), sum_ns: 0, max_ns: 0 }
    }

    pub fn record(&mut self, ns: SimTime) {
        // Clamped here (the histogram would grow to any value), so the
        // counts never outgrow the whole range's.
        let us = (ns / NS_PER_US).clamp(1, HIST_MAX_US);
        self.hist.record(us).expect("a value within 1 µs..=HIST_MAX_US always fits");
        self.sum_ns += u128::from(ns);
        self.max_ns = self.max_ns.max(ns);
    }

    pub fn count(&self) -> u64 {
        self.hist.len()
    }

    pub fn mean_ms(&self) -> f64 {
        if self.count() == 0 { 0.0 } else { (self.sum_ns as f64 / self.count() as f64) / 1e6 }
    }

    /// The value at quantile `q` (0..=1), in ms.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.count() == 0 {
            return 0.0;
        }
        // hdrhistogram reports the highest value equivalent to the bucket;
        // the median of the bucket is closer to the true sample on average.
        let v = self.hist.value_at_quantile(q);
        self.hist.median_equivalent(v) as f64 / 1e3
    }

    pub fn summary(&self) -> LatencySummary {
        LatencySummary {
            count: self.count(),
            mean: self.mean_ms(),
            p50: self.quantile_ms(0.50),
            p95: self.quantile_ms(0.95),
            p99: self.quantile_ms(0.99),
            max: ns_to_ms(self.max_ns),
        }
    }
}

/// One window of the time series.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct WindowStats {
    /// Window start, simulated seconds.
    pub start_s: f64,
    /// Window width, simulated seconds.
    pub width_s: f64,
    /// Requests the clients sent in the window (offered load).
    pub sent: u64,
    pub completed: u64,
    pub dropped: u64,
    pub timed_out: u64,
    /// Refused + reset.
    pub failed: u64,
    /// End-to-end latency of the window's successful requests.
    pub latency_ms: LatencySummary,
}

impl WindowStats {
    pub fn throughput_per_s(&self) -> f64 {
        self.completed as f64 / self.width_s
    }

    pub fn errors(&self) -> u64 {
        self.dropped + self.timed_out + self.failed
    }
}

/// One node's figures over one window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct NodeSample {
    /// Busy fraction of the node's workers over the window (0..=1).
    pub utilisation: f64,
    /// Queue length at the end of the window.
    pub queue_len: u64,
    pub completed: u64,
    pub dropped: u64,
    /// The node's latency over the window (servers: time in the server;
    /// clients: end to end).
    pub latency_ms: LatencySummary,
    /// Hits over lookups in the window, for nodes that look keys up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hit_ratio: Option<f64>,
}

/// Latency samples of the current window: exact while few (at most
/// `EXACT_WINDOW_SAMPLES`), a histogram beyond that, so closing a window
/// costs little at any rate.
#[derive(Clone, Debug)]
pub struct WindowLatency {
    samples: Vec<SimTime>,
    /// The histogram a busy window's samples move to. Kept, emptied, after
    /// a busy window (the next is likely busy too), dropped after a quiet one.
    overflow: Option<LatencyHist>,
    /// Whether this window's samples are in `overflow` (it had more than
    /// `EXACT_WINDOW_SAMPLES`); a quiet window stays exact even when the
    /// histogram of a busy one is still allocated.
    overflowed: bool,
    sum_ns: u128,
    max_ns: SimTime,
}

impl Default for WindowLatency {
    fn default() -> Self {
        Self::new()
    }
}

impl WindowLatency {
    pub fn new() -> Self {
        WindowLatency { samples: Vec::new(), overflow: None, overflowed: false, sum_ns: 0, max_ns: 0 }
    }

    pub fn record(&mut self, ns: SimTime) {
        self.sum_ns += u128::from(ns);
        self.max_ns = self.max_ns.max(ns);
        if self.samples.len() < EXACT_WINDOW_SAMPLES && !self.overflowed {
            self.samples.push(ns);
            return;
        }
        let h = self.overflow.get_or_insert_with(|| LatencyHist::new(2));
        if !self.overflowed {
            for &s in &self.samples {
                h.record(s);
            }
            self.samples.clear();
            self.overflowed = true;
        }
        h.record(ns);
    }

    /// The window's percentiles; clears it for the next window.
    pub fn take_summary(&mut self) -> LatencySummary {
        let summary = if let Some(h) = self.overflow.as_ref().filter(|_| self.overflowed) {
            let mut s = h.summary();
            s.max = ns_to_ms(self.max_ns);
            s
        } else if self.samples.is_empty() {
            LatencySummary::default()
        } else {
            let n = self.samples.len();
            // Nearest-rank percentiles: the values a full sort puts at those
            // ranks. Small windows are sorted; larger ones use selection,
            // each lower rank among the samples below the higher one (O(n)).
            let rank = |q: f64| ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
            let (r50, r95, r99) = (rank(0.50), rank(0.95), rank(0.99));
            let s = &mut self.samples[..];
            let (p50, p95, p99) = if n <= SORT_BELOW {
                s.sort_unstable();
                (s[r50], s[r95], s[r99])
            } else {
                let p99 = *s.select_nth_unstable(r99).1;
                let p95 = if r95 == r99 { p99 } else { *s[..r99].select_nth_unstable(r95).1 };
                let p50 = if r50 == r95 { p95 } else { *s[..r95].select_nth_unstable(r50).1 };
                (p50, p95, p99)
            };
            LatencySummary {
                count: n as u64,
                mean: (self.sum_ns as f64 / n as f64) / 1e6,
                p50: ns_to_ms(p50),
                p95: ns_to_ms(p95),
                p99: ns_to_ms(p99),
                max: ns_to_ms(self.max_ns),
            }
        };
        self.samples.clear();
        if self.overflowed {
            // Kept for the next window, emptied: a busy run needs it again.
            if let Some(h) = &mut self.overflow {
                h.hist.reset();
                h.sum_ns = 0;
                h.max_ns = 0;
            }
        } else {
            // A quiet window: a quiet run keeps no histogram.
            self.overflow = None;
        }
        self.overflowed = false;
        self.sum_ns = 0;
        self.max_ns = 0;
        summary
    }
}

/// How finished requests ended: one counter per outcome, kept by the run,
/// by each window and by each client.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outcomes {
    pub completed: u64,
    pub dropped: u64,
    pub timed_out: u64,
    pub refused: u64,
    pub reset: u64,
}

impl Outcomes {
    pub fn record(&mut self, status: Status) {
        match status {
            Status::Ok => self.completed += 1,
            Status::Dropped => self.dropped += 1,
            Status::TimedOut => self.timed_out += 1,
            Status::Refused => self.refused += 1,
            Status::Reset | Status::Pending => self.reset += 1,
        }
    }

    /// Everything but `completed`.
    pub fn errors(&self) -> u64 {
        self.dropped + self.timed_out + self.refused + self.reset
    }

    /// Finished with any outcome.
    pub fn finished(&self) -> u64 {
        self.completed + self.errors()
    }
}

/// Run-wide counts of the messaging scenarios (Kafka, RabbitMQ). In those, a
/// "request" of the main counters is one delivery: `sent` counts records
/// published, `completed` counts deliveries processed (once per consumer
/// group or queue), and the end-to-end latency runs from publish to processed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct MessagingCounts {
    /// Records (messages) the producers created.
    pub produced: u64,
    /// Records a producer got an acknowledgement for (Kafka, acks 1 or all).
    pub acked: u64,
    /// Records a producer gave up on after its retries.
    pub failed: u64,
    /// Records the producer counted as written (acknowledged, or sent with
    /// acks=0) that no longer exist: truncated away by a leader election.
    pub lost: u64,
    /// Deliveries processed a second time by the same consumer group.
    pub duplicates: u64,
    /// Records or messages sent to a dead-letter topic or exchange.
    pub dead_lettered: u64,
    /// Deliveries repeated after a nack, a crash or a rebalance (RabbitMQ).
    pub redelivered: u64,
    /// Messages past their TTL (RabbitMQ).
    pub expired: u64,
    /// Messages that matched no queue, or were rejected with nowhere to go.
    pub discarded: u64,
}

/// Record ids a duplicate check remembers, behind the newest (2 MB of bits
/// per group): a record redelivered after more than this many newer ones
/// were made is not recognised as a duplicate.
const ID_WINDOW: u64 = 1 << 24;

/// One bit per record id: which records a consumer group has processed,
/// for the most recent [`ID_WINDOW`] ids.
#[derive(Clone, Debug, Default)]
struct IdSet {
    /// Word k holds ids (base_word + k) * 64 ..
    words: VecDeque<u64>,
    base_word: u64,
}

impl IdSet {
    /// Marks `id`; returns whether it was already marked.
    fn insert(&mut self, id: u64) -> bool {
        let (w, b) = (id / 64, id % 64);
        if w < self.base_word {
            return false;
        }
        let end = self.base_word + self.words.len() as u64;
        if w >= end {
            self.words.extend(std::iter::repeat_n(0, (w + 1 - end) as usize));
        }
        while self.words.len() as u64 > ID_WINDOW / 64 {
            self.words.pop_front();
            self.base_word += 1;
        }
        let k = (w - self.base_word) as usize;
        let seen = self.words[k] >> b & 1 == 1;
        self.words[k] |= 1 << b;
        seen
    }
}

/// Run-wide counters, the end-to-end histogram, and the time series.
#[derive(Clone, Debug)]
pub struct Metrics {
    pub messaging: MessagingCounts,
    /// Per consumer group (or queue): the record ids it has processed.
    processed: Vec<IdSet>,
    pub sent: u64,
    outcomes: Outcomes,
    /// `outcomes.finished()`, kept as a count: the engine compares it with
    /// the stop condition after every event.
    finished: u64,
    pub e2e: LatencyHist,
    window_sent: u64,
    window_outcomes: Outcomes,
    window_latency: WindowLatency,
    window_ns: SimTime,
    series: Series<WindowStats>,
}

impl Metrics {
    pub fn new(window_ns: SimTime, max_points: usize) -> Self {
        Metrics {
            messaging: MessagingCounts::default(),
            processed: Vec::new(),
            sent: 0,
            outcomes: Outcomes::default(),
            finished: 0,
            e2e: LatencyHist::new(3),
            window_sent: 0,
            window_outcomes: Outcomes::default(),
            window_latency: WindowLatency::new(),
            window_ns,
            series: Series::new(max_points),
        }
    }

    /// How the requests finished so far ended.
    pub fn outcomes(&self) -> &Outcomes {
        &self.outcomes
    }

    /// Requests finished with any outcome.
    pub fn finished(&self) -> u64 {
        self.finished
    }

    pub fn record_sent(&mut self) {
        self.sent += 1;
        self.window_sent += 1;
    }

    /// A producer or publisher made a record: a request sent, in the main counters.
    pub fn record_published(&mut self) {
        self.record_sent();
        self.messaging.produced += 1;
    }

    /// Consumer group `group` has processed record `id`; returns true (and
    /// counts a duplicate) when the group had processed it before.
    pub fn record_processed(&mut self, group: usize, id: u64) -> bool {
        if group >= self.processed.len() {
            self.processed.resize(group + 1, IdSet::default());
        }
        let dup = self.processed[group].insert(id);
        self.messaging.duplicates += u64::from(dup);
        dup
    }

    /// A response reached its client.
    pub fn record_response(&mut self, status: Status, latency_ns: SimTime) {
        self.outcomes.record(status);
        self.finished += 1;
        self.window_outcomes.record(status);
        if status == Status::Ok {
            self.e2e.record(latency_ns);
            self.window_latency.record(latency_ns);
        }
    }

    /// Ends the window that ends at `end_ns` and starts the next.
    pub(crate) fn close_window(&mut self, end_ns: SimTime) {
        let o = std::mem::take(&mut self.window_outcomes);
        let w = WindowStats {
            start_s: ns_to_s(end_ns - self.window_ns),
            width_s: ns_to_s(self.window_ns),
            sent: std::mem::take(&mut self.window_sent),
            completed: o.completed,
            dropped: o.dropped,
            timed_out: o.timed_out,
            failed: o.refused + o.reset,
            latency_ms: self.window_latency.take_summary(),
        };
        self.series.push_back(w);
    }

    pub fn series(&self) -> &Series<WindowStats> {
        &self.series
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The duplicate check: each id is new once, then seen; ids in one
    /// word keep apart; past the window the oldest are forgotten, and the
    /// oldest word still kept still answers.
    #[test]
    fn the_id_set_sees_each_id_once_within_its_window() {
        let mut s = IdSet::default();
        assert!((0..1_000).all(|id| !s.insert(id)));
        assert!((0..1_000).all(|id| s.insert(id)));
        assert!(!s.insert(1_000) && !s.insert(1_063) && s.insert(1_063));
        // Ids 64 apart share a bit position, in different words.
        let mut t = IdSet::default();
        assert!(!t.insert(6) && !t.insert(70) && !t.insert(134));
        assert!(t.insert(70) && !t.insert(71));
        // Far ahead: the window slides; 0..63 fall out, and the oldest word
        // kept (the window's first) still recognises its ids.
        let far = ID_WINDOW + 64;
        assert!(!s.insert(far));
        assert!(!s.insert(5), "id 5 is behind the window: not recognised");
        let first = s.base_word * 64;
        assert!(first > 0 && first < 1_000);
        assert!(s.insert(first) && s.insert(first + 63), "the window's first word remembers");
        assert_eq!(s.words.len() as u64, ID_WINDOW / 64, "the window's size");
    }

    #[test]
    fn outcomes_count_each_ending_and_sum_to_finished() {
        let mut o = Outcomes::default();
        for (status, n) in
            [(Status::Ok, 1), (Status::Dropped, 2), (Status::TimedOut, 3), (Status::Refused, 4), (Status::Reset, 5)]
        {
            (0..n).for_each(|_| o.record(status));
        }
        assert_eq!((o.errors(), o.finished()), (14, 15));
        let s = o.summary("client", 20, 2 * crate::sim::time::NS_PER_S);
        assert_eq!(s.kind, "client");
        assert_eq!((s.sent, s.completed, s.dropped, s.timed_out), (Some(20), Some(1), Some(2), Some(3)));
        assert_eq!((s.refused, s.reset, s.throughput_per_s), (Some(4), Some(5), Some(0.5)));
    }

    /// A latency can be as long as the longest run (30 days): the
    /// histogram holds it to its 0.1% resolution, not clamped to a bound.
    #[test]
    fn a_latency_as_long_as_the_longest_run_is_recorded_not_clamped() {
        let mut h = LatencyHist::new(3);
        let longest_ns = crate::sim::time::s_to_ns(crate::sim::limits::MAX_SIM_TIME_S);
        h.record(longest_ns);
        let want_ms = longest_ns as f64 / 1e6;
        let p50 = h.quantile_ms(0.5);
        assert!((p50 - want_ms).abs() <= want_ms * 1e-3, "p50 {p50} ms, recorded {want_ms} ms");
    }

    /// The histogram holds counts only up to the longest latency seen, and
    /// reads every quantile as one over the whole range would (the golden
    /// fixtures' figures are the same); past `HIST_MAX_US` it clamps, as a
    /// histogram bounded there did.
    #[test]
    fn the_histogram_grows_with_its_longest_latency_and_reads_as_a_whole_range_one() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(9);
        for sigfig in [2, 3] {
            let mut h = LatencyHist::new(sigfig);
            let mut whole = Histogram::<u32>::new_with_bounds(1, HIST_MAX_US, sigfig).unwrap();
            // Milliseconds: the counts stay well short of the whole range's.
            for _ in 0..20_000 {
                let ns = rng.random_range(100_000..50_000_000u64);
                h.record(ns);
                whole.saturating_record((ns / NS_PER_US).max(1));
            }
            assert!(
                h.hist.distinct_values() * 3 < whole.distinct_values(),
                "{} counts held against {}",
                h.hist.distinct_values(),
                whole.distinct_values()
            );
            // Then a few long ones, up to past the bound.
            for ns in [3_000_000_000_000, 86_400_000_000_000, HIST_MAX_US * 1_000 * 2] {
                h.record(ns);
                whole.saturating_record((ns / NS_PER_US).clamp(1, HIST_MAX_US));
            }
            assert_eq!(h.hist.distinct_values(), whole.distinct_values(), "grown to the whole range");
            for q in [0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 0.99995, 1.0] {
                let v = whole.value_at_quantile(q);
                assert_eq!(h.quantile_ms(q), whole.median_equivalent(v) as f64 / 1e3, "q {q}, sigfig {sigfig}");
            }
            assert_eq!(h.count(), whole.len());
        }
    }

    #[test]
    fn window_percentiles_are_the_nearest_ranks_of_the_sorted_samples() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(4);
        for n in (1..=300).chain([1_000, 4_096]) {
            let mut w = WindowLatency::new();
            // Few distinct values, so ties between ranks are common.
            let xs: Vec<SimTime> = (0..n).map(|_| rng.random_range(0..40u64) * 1_000_000).collect();
            xs.iter().for_each(|&x| w.record(x));
            let mut sorted = xs.clone();
            sorted.sort_unstable();
            let at = |q: f64| ns_to_ms(sorted[((q * n as f64).ceil() as usize).clamp(1, n) - 1]);
            let s = w.take_summary();
            assert_eq!((s.p50, s.p95, s.p99, s.count), (at(0.5), at(0.95), at(0.99), n as u64), "n = {n}");
            let mean = xs.iter().sum::<u64>() as f64 / n as f64 / 1e6;
            assert!((s.mean - mean).abs() <= 1e-9 * mean.max(1.0), "n = {n}: mean {} ms, want {mean} ms", s.mean);
            assert_eq!(s.max, ns_to_ms(sorted[n - 1]), "n = {n}");
        }
    }

    /// Past `EXACT_WINDOW_SAMPLES` a window moves to the histogram (its
    /// buffer never holds more); the next quiet window is exact again,
    /// though the histogram stays allocated for the busy ones to come; a
    /// quiet window lets it go.
    #[test]
    fn a_busy_window_moves_to_the_histogram_and_a_quiet_one_after_it_is_exact() {
        let mut w = WindowLatency::new();
        for i in 0..10_000u64 {
            w.record((i % 997 + 1) * 1_000_003);
            assert!(w.samples.len() <= EXACT_WINDOW_SAMPLES, "{} samples held", w.samples.len());
        }
        let busy = w.take_summary();
        assert_eq!(busy.count, 10_000);
        // The histogram's 2 significant digits: within 1% of the exact median.
        assert!((busy.p50 - 499.0).abs() < 5.0, "{}", busy.p50);
        assert!(w.overflow.is_some(), "kept for the next busy window");
        let quiet: Vec<u64> = (1..=101).map(|k| k * 1_000_003).collect();
        for round in 0..2 {
            quiet.iter().for_each(|&x| w.record(x));
            let s = w.take_summary();
            // Exact: the nearest ranks of 101 values, not bucket medians.
            assert_eq!(
                (s.count, s.p50, s.p99),
                (101, ns_to_ms(51 * 1_000_003), ns_to_ms(100 * 1_000_003)),
                "round {round}"
            );
            assert!(w.overflow.is_none(), "a quiet window lets the histogram go");
        }
    }

    #[test]
    fn histogram_quantiles_are_within_resolution() {
        let mut h = LatencyHist::new(3);
        for ms in 1..=1000u64 {
            h.record(ms * 1_000_000);
        }
        let s = h.summary();
        assert_eq!(s.count, 1000);
        assert!((s.mean - 500.5).abs() < 1e-9, "exact mean: {}", s.mean);
        assert!((s.p50 - 500.0).abs() / 500.0 < 0.002, "{}", s.p50);
        assert!((s.p99 - 990.0).abs() / 990.0 < 0.002, "{}", s.p99);
        assert_eq!(s.max, 1000.0);
    }

    #[test]
    fn windows_are_exact_when_small_and_bounded_when_large() {
        let mut m = Metrics::new(1_000_000_000, 2);
        for ms in 1..=100u64 {
            m.record_response(Status::Ok, ms * 1_000_000);
        }
        m.record_response(Status::Dropped, 0);
        m.close_window(1_000_000_000);
        let w = m.series()[0];
        assert_eq!((w.completed, w.dropped), (100, 1));
        assert_eq!((w.latency_ms.p50, w.latency_ms.p95, w.latency_ms.max), (50.0, 95.0, 100.0));

        for i in 0..10_000u64 {
            m.record_response(Status::Ok, (i % 1000 + 1) * 1_000_000);
        }
        m.close_window(2_000_000_000);
        let w = m.series()[1];
        assert_eq!(w.completed, 10_000);
        assert!((w.latency_ms.p50 - 500.0).abs() < 10.0, "{}", w.latency_ms.p50);
        m.close_window(3_000_000_000);
        assert_eq!(m.series().len(), 2, "series keeps max_points windows");
        assert_eq!(m.series()[1].completed, 0);
        assert_eq!(m.series()[1].start_s, 2.0);
    }
}
