//! `Station`, the queue and workers inside the server, the cache and the
//! database, driven by hand: each figure here is worked out from the steps
//! taken, not from a run, so a wrong boundary or a wrong product shows.

use scalelab::families::web_tier::station::{Admit, Station};
use scalelab::sim::engine::Request;

fn req(id: u64) -> Request {
    Request::new(id, 0, id, 0)
}

fn admitted(st: &mut Station, now: u64, id: u64) -> &'static str {
    match st.admit(now, req(id)) {
        Admit::Start(_) => "start",
        Admit::Queued => "queued",
        Admit::Dropped(_) => "dropped",
    }
}

#[test]
fn a_request_that_waited_exactly_the_timeout_is_still_served() {
    let mut st = Station::new(1, 10, Some(100));
    assert_eq!(admitted(&mut st, 0, 1), "start");
    assert_eq!(admitted(&mut st, 0, 2), "queued");
    assert_eq!(admitted(&mut st, 0, 3), "queued");
    st.free_worker();
    // Request 2 waited 100 ns, the timeout itself: served, not expired.
    match st.next(100) {
        Some(Ok(r)) => assert_eq!(r.id, 2),
        other => panic!("wanted request 2 to start, got {:?}", other.map(|r| r.map(|r| r.id))),
    }
    assert_eq!(st.timed_out, 0);
    st.free_worker();
    // Request 3 waited 101 ns: past the timeout, counted and handed back.
    match st.next(101) {
        Some(Err(r)) => assert_eq!(r.id, 3),
        other => panic!("wanted request 3 to expire, got {:?}", other.map(|r| r.map(|r| r.id))),
    }
    assert_eq!(st.timed_out, 1);
}

#[test]
fn a_started_request_takes_a_worker_so_the_next_waits() {
    let mut st = Station::new(2, 10, None);
    for id in 1..=5 {
        admitted(&mut st, 0, id);
    }
    assert_eq!((st.busy, st.queue_len()), (2, 3));
    st.free_worker();
    assert_eq!(st.busy, 1);
    assert_eq!(st.next(5).map(|r| r.map(|r| r.id).ok()), Some(Some(3)));
    assert_eq!(st.busy, 2, "the started request holds a worker");
    assert!(st.next(5).is_none(), "both workers are busy: request 4 waits");
    assert_eq!(st.queue_len(), 2);
}

#[test]
fn a_full_queue_drops_and_a_failure_hands_back_the_queue_in_order() {
    let mut st = Station::new(1, 2, None);
    let got: Vec<_> = (1..=4).map(|id| admitted(&mut st, 0, id)).collect();
    assert_eq!(got, ["start", "queued", "queued", "dropped"]);
    assert_eq!(st.dropped, 1);
    let lost: Vec<u64> = st.drain().into_iter().map(|r| r.id).collect();
    assert_eq!(lost, [2, 3]);
    assert_eq!((st.busy, st.queue_len()), (0, 0));
    assert_eq!(admitted(&mut st, 10, 5), "start", "after the failure a worker is free");
}

#[test]
fn the_summary_counts_time_since_the_last_event() {
    // 2 workers; at 0 three requests arrive (2 in service, 1 queued), at 500
    // a fourth is queued; the summary at 1,500 integrates the last 1,000 ns
    // itself.
    let mut st = Station::new(2, 10, None);
    st.integrate(0);
    for id in 1..=3 {
        admitted(&mut st, 0, id);
    }
    st.integrate(500);
    admitted(&mut st, 500, 4);
    let s = st.summary("x", 1_500);
    // busy: 2 workers × 1,500 ns of 2 × 1,500 capacity.
    assert_eq!(s.utilisation, Some(1.0));
    // queued: 1 × 500 + 2 × 1,000 = 2,500 request-ns over 1,500 ns.
    assert_eq!(s.mean_queue_len, Some(2_500.0 / 1_500.0));
    // in the node: (3,000 + 2,500) / 1,500.
    assert_eq!(s.mean_in_system, Some(5_500.0 / 1_500.0));

    // Half the capacity busy: 1 of 2 workers from 0, seen at 800 with no
    // event since.
    let mut st = Station::new(2, 10, None);
    st.integrate(0);
    admitted(&mut st, 0, 1);
    let s = st.summary("x", 800);
    assert_eq!(s.utilisation, Some(0.5));
    assert_eq!(s.mean_in_system, Some(1.0));
}

#[test]
fn a_window_with_no_capacity_reports_no_utilisation() {
    let mut st = Station::new(1, 10, None);
    let s = st.sample(0);
    assert_eq!(s.utilisation, 0.0, "an empty window is 0, not 0/0");
    admitted(&mut st, 0, 1);
    let s = st.sample(1_000);
    assert_eq!(s.utilisation, 1.0);
}

#[test]
fn the_view_and_the_summary_count_drops_timeouts_and_resets_apart() {
    // 1 worker, room for 1: requests 3 and 4 are dropped, 2 waits past its
    // 10 ns timeout, and the owner counts 3 resets.
    let mut st = Station::new(1, 1, Some(10));
    let got: Vec<_> = (1..=4).map(|id| admitted(&mut st, 0, id)).collect();
    assert_eq!(got, ["start", "queued", "dropped", "dropped"]);
    st.free_worker();
    assert!(matches!(st.next(100), Some(Err(_))));
    st.reset = 3;
    assert_eq!((st.dropped, st.timed_out), (2, 1));
    admitted(&mut st, 100, 5);
    admitted(&mut st, 100, 6);
    let v = st.view("desk");
    assert_eq!(v.kind, "desk");
    assert_eq!((v.in_service, v.workers, v.queue_len, v.queue_capacity), (1, 1, 1, 1));
    assert_eq!(v.completed, 0);
    assert_eq!(v.dropped, 3, "drops and timeouts");
    assert_eq!(v.errors, 6, "drops, timeouts and resets");
    st.record_done(150, &req(5));
    assert_eq!(st.view("desk").completed, 1);

    let s = st.summary("desk", 200);
    assert_eq!(s.kind, "desk");
    assert_eq!((s.completed, s.dropped, s.timed_out, s.reset), (Some(1), Some(2), Some(1), Some(3)));
    // Nothing has been integrated (no `integrate` call): the summary
    // integrates 0..200 itself, at the state it sees (1 of 1 busy).
    assert_eq!(s.utilisation, Some(1.0));
    // No time has passed: no capacity, and utilisation 0, not 0/0.
    let s = Station::new(4, 1, None).summary("desk", 0);
    assert_eq!(s.utilisation, Some(0.0));
}
