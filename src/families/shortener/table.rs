//! `url_db`: the URL table. Rows map a code to its long URL under a unique
//! index on the code; an auto-increment counter hands out numbers one at a
//! time under its lock. Lookups and inserts are served by `workers` (a
//! [`Desk`]); the counter is a desk of one.
//!
//! ```text
//!   read  (key = rank)        ─► Desk ─► read_time  ─► hit = the row exists
//!   write (key = code value)  ─► Desk ─► write_time ─► inserted, or hit = taken
//!                                                      (client_id = the owner's URL)
//!   set   (auto-increment)    ─► counter desk (1) ─► counter_time ─► key = next id
//!                                                      (and the row, with INSERT)
//! ```
//! A code is (length, value) ([`Code`]); a call's note carries its length
//! or padding (`wire::Call`). The rows from before the run (`rows`) are what
//! redirects find; only the run's inserts are held, in an ordered map (at
//! most [`MAX_HELD_ROWS`]; past it an insert is dropped, as a full disk
//! would refuse it).

use std::collections::BTreeMap;

use crate::families::web_tier::spec::StationParams;
use crate::families::web_tier::station::{Desk, Station};
use crate::sim::dist::Duration;
use crate::sim::engine::{Ctx, Node, NodeSummary, NodeView, Op, OwnPart, Payload, Request, Status};
use crate::sim::family::Figure;
use crate::sim::metrics::NodeSample;
use crate::sim::spec::service_time;
use crate::sim::time::SimTime;
use crate::sim::validate::validate_service_time;
use crate::sim::validate::{Change, NodeIdx, Problems, Topology, limits};

use super::code::Code;
use super::spec::UrlDbSpec;
use super::wire::Call;

const TAG_QUERY: u32 = 0;
const TAG_COUNTER: u32 = 1;
/// Rows a table holds beyond those from before the run.
pub const MAX_HELD_ROWS: usize = 4_000_000;
/// Most rows from before the run.
pub const MAX_ROWS: u64 = 1_000_000_000_000;

pub fn validate(s: &UrlDbSpec, path: &str, p: &mut Problems) {
    p.range_u64(path, "workers", u64::from(s.workers), 1, u64::from(limits::MAX_WORKERS));
    p.range_u64(path, "queue_capacity", s.queue_capacity, 0, limits::MAX_QUEUE_CAPACITY);
    validate_service_time(&s.read_time, &format!("{path}.read_time"), p);
    validate_service_time(&s.write_time, &format!("{path}.write_time"), p);
    validate_service_time(&s.counter_time, &format!("{path}.counter_time"), p);
    p.range_u64(path, "rows", s.rows, 0, MAX_ROWS);
    if let Some(n) = s.next_id {
        p.range_u64(path, "next_id", n, 0, u64::MAX / 2);
    }
}

#[derive(Clone, Debug)]
pub struct Table {
    queries: Desk,
    counter: Desk,
    /// [read, write] service times.
    services: [Duration; 2],
    counter_time: [Duration; 1],
    read_spec: crate::sim::spec::ServiceTimeSpec,
    rows_before: u64,
    /// The run's rows: code → the long URL's number.
    held: BTreeMap<Code, u64>,
    next_id: u64,
    lookups: u64,
    found: u64,
    inserts: u64,
    taken: u64,
    ids_issued: u64,
    full: u64,
}

fn service_of(op: Op) -> usize {
    usize::from(!matches!(op, Op::Read | Op::Get))
}

impl Table {
    pub fn new(s: &UrlDbSpec) -> Self {
        Table {
            queries: Desk::new(Station::new(s.workers, s.queue_capacity, None), TAG_QUERY),
            counter: Desk::new(Station::new(1, s.queue_capacity, None), TAG_COUNTER),
            services: [service_time(&s.read_time), service_time(&s.write_time)],
            counter_time: [service_time(&s.counter_time)],
            read_spec: s.read_time.clone(),
            rows_before: s.rows,
            held: BTreeMap::new(),
            next_id: s.next_id.unwrap_or(s.rows + 1),
            lookups: 0,
            found: 0,
            inserts: 0,
            taken: 0,
            ids_issued: 0,
            full: 0,
        }
    }

    pub fn rows(&self) -> u64 {
        self.rows_before + self.held.len() as u64
    }

    /// Inserts `code` for `url`: `None` if inserted, else the owner's URL
    /// (or `Err` when the table holds all it can).
    fn insert(&mut self, code: Code, url: u64) -> Result<Option<u64>, ()> {
        if let Some(&owner) = self.held.get(&code) {
            self.taken += 1;
            return Ok(Some(owner));
        }
        if self.held.len() >= MAX_HELD_ROWS {
            self.full += 1;
            return Err(());
        }
        self.held.insert(code, url);
        self.inserts += 1;
        Ok(None)
    }

    /// Does what a served query asks; the status to answer with.
    fn apply(&mut self, req: &mut Request) -> Status {
        // A write's note says its code's length; an auto-increment's, the
        // padding and whether it inserts the row too. A caller of another
        // family (a web-tier server) sends none: the shortest code, no row.
        let call = req.note::<Call>().unwrap_or(Call::job(0));
        let len_or_pad = u32::from(call.len);
        match req.op {
            Op::Write => match self.insert(Code::of(req.key, len_or_pad), u64::from(req.client_id)) {
                Ok(None) => req.hit = false,
                Ok(Some(owner)) => {
                    req.hit = true;
                    req.client_id = owner as u32;
                }
                Err(()) => return Status::Dropped,
            },
            Op::Set => {
                let id = self.next_id;
                self.next_id += 1;
                self.ids_issued += 1;
                req.key = id;
                req.hit = false;
                if call.insert {
                    match self.insert(Code::of(id, len_or_pad), u64::from(req.client_id)) {
                        Ok(None) => {}
                        Ok(Some(owner)) => {
                            req.hit = true;
                            req.client_id = owner as u32;
                        }
                        Err(()) => return Status::Dropped,
                    }
                }
            }
            _ => {
                self.lookups += 1;
                req.hit = req.key < self.rows();
                self.found += u64::from(req.hit);
            }
        }
        Status::Ok
    }
}

impl Node for Table {
    fn start(&mut self, _ctx: &mut Ctx) {}

    fn on_message(&mut self, ctx: &mut Ctx, _from: NodeIdx, payload: Payload) {
        match payload {
            Payload::Request(req) if req.op == Op::Set => self.counter.arrive(ctx, req, &self.counter_time, |_| 0),
            Payload::Request(req) => self.queries.arrive(ctx, req, &self.services, service_of),
            Payload::Timer { tag: TAG_QUERY, slot } => {
                if let Some(mut req) = self.queries.done(ctx, slot) {
                    let status = self.apply(&mut req);
                    ctx.reply(req, status);
                    self.queries.start_waiting(ctx, &self.services, service_of);
                }
            }
            Payload::Timer { tag: TAG_COUNTER, slot } => {
                if let Some(mut req) = self.counter.done(ctx, slot) {
                    let status = self.apply(&mut req);
                    ctx.reply(req, status);
                    self.counter.start_waiting(ctx, &self.counter_time, |_| 0);
                }
            }
            _ => {}
        }
    }

    fn on_fail(&mut self, ctx: &mut Ctx) {
        // The rows are on disk: a restart keeps them; queries in flight are lost.
        self.queries.fail(ctx);
        self.counter.fail(ctx);
    }

    fn set(&mut self, ctx: &mut Ctx, change: &Change) {
        // The inspector's service time is a lookup's (`read_time`).
        if let Some(st) = &change.service_time {
            self.services[0] = service_time(st);
            self.read_spec = st.clone();
        }
        if let Some(w) = change.workers {
            self.queries.set_workers(ctx, w, &self.services, service_of);
        }
    }

    fn view(&self) -> NodeView {
        let mut v = self.queries.st.view("url_db");
        v.in_service += u64::from(self.counter.st.busy);
        v.queue_len += self.counter.st.queue_len();
        v.completed += self.counter.st.completed;
        v.params = Some(OwnPart::new(StationParams { service_time: self.read_spec.clone(), hold_worker: None }));
        v.figures = vec![
            ("Rows", self.rows() as f64),
            ("Rows inserted in the run", self.held.len() as f64),
            ("Inserts", self.inserts as f64),
            ("Unique-key violations", self.taken as f64),
            ("Lookups", self.lookups as f64),
            ("Ids from the auto-increment", self.ids_issued as f64),
            ("Next auto-increment id", self.next_id as f64),
            ("Waiting for the counter's lock", self.counter.st.queue_len() as f64),
        ];
        v
    }

    fn sample(&mut self, now: SimTime) -> NodeSample {
        let c = self.counter.st.sample(now);
        let mut s = self.queries.st.sample(now);
        s.completed += c.completed;
        s.dropped += c.dropped;
        s.queue_len += c.queue_len;
        s
    }

    fn summary(&self, now: SimTime, _topo: &Topology) -> NodeSummary {
        let mut s = self.queries.st.summary("url_db", now);
        s.figures = crate::sim::family::figures(&[
            ("rows", Figure::Count(self.rows())),
            ("rows_inserted", Figure::Count(self.held.len() as u64)),
            ("inserts", Figure::Count(self.inserts)),
            ("unique_key_violations", Figure::Count(self.taken)),
            ("lookups", Figure::Count(self.lookups)),
            ("lookups_found", Figure::Count(self.found)),
            ("auto_increment_ids", Figure::Count(self.ids_issued)),
            ("counter_utilisation", Figure::Value(self.counter.st.summary("", now).utilisation.unwrap_or(0.0))),
            ("table_full", Figure::Count(self.full)),
        ]);
        s
    }
}
