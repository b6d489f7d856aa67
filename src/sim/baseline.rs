//! A minimal hand-written M/M/c simulator: the yardstick `scalelab bench`
//! measures the engine against (issue 14). The same model as the
//! `queueing-basics` preset run to N requests (Poisson arrivals, c workers,
//! exponential service, one FIFO queue, no link latency), the same RNG
//! (xoshiro256++ via `dist`), the same statistics (every sojourn into an
//! hdrhistogram, completions counted), and nothing else: no nodes, no
//! messages, no time series, no trace.
//!
//! ```text
//!   heap of (time, seq, event) ─► Arrival: idle worker? serve : queue; next arrival
//!                              └► Departure: record sojourn; next in queue starts
//! ```

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use super::dist::{Duration, SimRng, node_streams};
use super::metrics::LatencyHist;
use super::time::SimTime;

/// What a baseline run measured.
#[derive(Clone, Copy, Debug)]
pub struct BaselineRun {
    pub completed: u64,
    pub mean_sojourn_ms: f64,
    pub events: u64,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Arrival,
    /// A departure of the request that arrived at this time.
    Departure(SimTime),
}

/// Runs M/M/c until `requests` have completed.
pub fn mmc(workers: u32, rate_per_s: f64, mean_service_ms: f64, requests: u64, seed: u64) -> BaselineRun {
    let mut streams = node_streams(seed, 2);
    let mut service_rng: SimRng = streams.pop().expect("two streams");
    let mut arrival_rng: SimRng = streams.pop().expect("two streams");
    let gap = Duration::exponential(1000.0 / rate_per_s);
    let service = Duration::exponential(mean_service_ms);
    let mut heap: BinaryHeap<Reverse<(SimTime, u64, Ev)>> = BinaryHeap::new();
    let mut seq = 0u64;
    let mut queue: VecDeque<SimTime> = VecDeque::new();
    let mut busy = 0u32;
    let mut hist = LatencyHist::new(2);
    let (mut completed, mut events) = (0u64, 0u64);
    heap.push(Reverse((gap.sample_ns(&mut arrival_rng), seq, Ev::Arrival)));
    while completed < requests {
        let Reverse((now, _, ev)) = heap.pop().expect("arrivals never stop");
        events += 1;
        match ev {
            Ev::Arrival => {
                if busy < workers {
                    busy += 1;
                    seq += 1;
                    heap.push(Reverse((now + service.sample_ns(&mut service_rng), seq, Ev::Departure(now))));
                } else {
                    queue.push_back(now);
                }
                seq += 1;
                heap.push(Reverse((now + gap.sample_ns(&mut arrival_rng), seq, Ev::Arrival)));
            }
            Ev::Departure(arrived) => {
                hist.record(now - arrived);
                completed += 1;
                match queue.pop_front() {
                    Some(next) => {
                        seq += 1;
                        heap.push(Reverse((now + service.sample_ns(&mut service_rng), seq, Ev::Departure(next))));
                    }
                    None => busy -= 1,
                }
            }
        }
    }
    BaselineRun { completed, mean_sojourn_ms: hist.mean_ms(), events }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::theory::MMc;

    #[test]
    fn the_baseline_is_an_mmc_queue() {
        // M/M/8 at rho = 0.8 with 1 s service: Erlang C's mean sojourn.
        let run = mmc(8, 6.4, 1000.0, 200_000, 3);
        let theory_ms = MMc::new(8, 6.4, 1.0).mean_sojourn_s() * 1e3;
        let err = (run.mean_sojourn_ms - theory_ms).abs() / theory_ms;
        assert!(err < 0.03, "baseline mean {:.1} ms, theory {theory_ms:.1} ms", run.mean_sojourn_ms);
        assert_eq!(run.completed, 200_000);
    }
}
