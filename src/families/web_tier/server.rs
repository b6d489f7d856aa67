//! `server`: `workers` identical workers behind one FIFO queue (a
//! [`Station`]); optionally, after its own service time, calls to the nodes
//! it links to (the tier model).
//!
//! ```text
//!   Request ─► Station ─► serve (service_time) ─► calls for its op? ── no ─► Response(ok)
//!                                                   │ yes
//!                                                   ▼
//!   steps in order: call (to, op; when hit/miss; timeout, retries, optional)
//!                   or parallel [calls] (all at once, on when all answered)
//!        worker held (hold_worker: true) or freed (false) while calls are out
//!                                                   │
//!   last step answered ─► Response(ok)   a call failed (not optional) ─► Response(its status)
//! ```
//! A call is a new request from this server (its `tag` names the call's
//! slot, so the answer finds its way back to the job that made it); a late
//! answer, after a timeout or a retry, is recognised by its id and ignored.

use super::spec::{CALLS_FOR, ServerSpec, StationParams, StepSpec, When};
use crate::sim::dist::Duration;
use crate::sim::engine::{Ctx, Node, NodeSummary, NodeView, Op, OwnPart, Payload, Request, Status};
use crate::sim::metrics::NodeSample;
use crate::sim::spec::service_time;
use crate::sim::spec::{CallOp, ServiceTimeSpec};
use crate::sim::time::{SimTime, ms_to_ns};
use crate::sim::validate::{Change, LinkIdx, NodeIdx, Problems, Topology, limits, validate_service_time};

use super::station::{Admit, Station};
use crate::sim::family::{CallStats, CollectMap};

const TAG_DONE: u32 = 0;
/// A call's timeout; the tag's upper bits carry the call's generation.
const TAG_CALL_TIMEOUT: u32 = 1;
/// A call's retry, after its backoff.
const TAG_CALL_RETRY: u32 = 2;
const TAG_BITS: u32 = 2;

/// Most retries a step may ask for.
pub const MAX_CALL_RETRIES: u32 = 10;
/// Most steps (calls included in parallel groups) one list may have.
pub const MAX_STEPS: usize = 32;

/// What a server's call carries back (its request's note): which of its
/// calls it is. `Mark` starts at 1, so a request with no note is no call.
#[derive(Clone, Copy, Debug, PartialEq, bytemuck::NoUninit, bytemuck::CheckedBitPattern)]
#[repr(C, packed)]
struct CallNote {
    mark: Mark,
    slot: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, bytemuck::NoUninit, bytemuck::CheckedBitPattern)]
#[repr(u8)]
enum Mark {
    Call = 1,
}

pub fn validate(s: &ServerSpec, path: &str, p: &mut Problems) {
    p.range_u64(path, "workers", u64::from(s.workers), 1, u64::from(limits::MAX_WORKERS));
    p.range_u64(path, "queue_capacity", s.queue_capacity, 0, limits::MAX_QUEUE_CAPACITY);
    p.range_u64(path, "weight", u64::from(s.weight), 1, u64::from(limits::MAX_WEIGHT));
    if let Some(t) = s.timeout_ms {
        p.positive_f64(path, "timeout_ms", t, limits::MAX_DURATION_MS);
    }
    validate_service_time(&s.service_time, &format!("{path}.service_time"), p);
    for (for_op, steps) in &s.calls {
        let list = format!("{path}.calls.{for_op}");
        if !CALLS_FOR.contains(&for_op.as_str()) {
            p.add(&list, format!("`{for_op}` is not a kind of request; use one of {}", CALLS_FOR.join(", ")));
        }
        if steps.is_empty() {
            p.add(&list, "is an empty list; leave the key out for a server that answers by itself");
        }
        let n: usize = steps.iter().map(|st| st.parallel.as_ref().map_or(1, Vec::len)).sum();
        if n > MAX_STEPS {
            p.add(&list, format!("has {n} calls; at most {MAX_STEPS} are allowed"));
        }
        let mut seen_get = false;
        for (i, step) in steps.iter().enumerate() {
            let path = format!("{list}[{i}]");
            match &step.parallel {
                Some(group) => {
                    if step.to.is_some() || step.op.is_some() || step.when.is_some() {
                        p.add(&path, "`parallel` goes alone: put `to`, `op` and `when` on the calls inside it");
                    }
                    if group.is_empty() {
                        p.add(format!("{path}.parallel"), "must list at least one call");
                    }
                    for (j, call) in group.iter().enumerate() {
                        let path = format!("{path}.parallel[{j}]");
                        if call.parallel.is_some() {
                            p.add(format!("{path}.parallel"), "a parallel group cannot hold another");
                        }
                        validate_call(call, &path, seen_get, p);
                    }
                    seen_get |= group.iter().any(|c| c.op == Some(CallOp::Get));
                }
                None => {
                    validate_call(step, &path, seen_get, p);
                    seen_get |= step.op == Some(CallOp::Get);
                }
            }
        }
    }
}

fn validate_call(c: &StepSpec, path: &str, seen_get: bool, p: &mut Problems) {
    if c.to.is_none() {
        p.add(format!("{path}.to"), "is missing: name the node to call (one this server links to)");
    }
    if c.op.is_none() {
        p.add(format!("{path}.op"), "is missing: one of get, set, delete (a cache), read, write, range");
    }
    if c.when.is_some() && !seen_get {
        p.add(
            format!("{path}.when"),
            "needs a `get` earlier in this list: `when` follows the latest get's hit or miss",
        );
    }
    if let Some(t) = c.timeout_ms {
        p.positive_f64(path, "timeout_ms", t, limits::MAX_DURATION_MS);
    }
    p.range_u64(path, "retries", u64::from(c.retries), 0, u64::from(MAX_CALL_RETRIES));
    p.range_f64(path, "backoff_ms", c.backoff_ms, 0.0, limits::MAX_DURATION_MS);
}

/// One call, resolved.
#[derive(Clone, Copy, Debug)]
struct Call {
    link: LinkIdx,
    /// The node called (the link's far end).
    node: NodeIdx,
    /// Index into `Server::targets` (per-target counts).
    target: u16,
    op: CallOp,
    when: Option<When>,
    timeout_ns: Option<SimTime>,
    retries: u8,
    backoff_ns: SimTime,
    optional: bool,
}

/// The calls for one kind of request: steps are runs of `calls`.
#[derive(Clone, Debug, Default)]
struct Plan {
    calls: Vec<Call>,
    /// (first call, number of calls) of each step, in order.
    steps: Vec<(u16, u16)>,
}

/// A request inside the server: served, then waiting on its calls.
#[derive(Clone, Copy, Debug)]
struct Job {
    req: Request,
    holds_worker: bool,
    /// Index into `plans` (read, write, range).
    plan: u8,
    step: u16,
    /// Calls of the current step not yet answered.
    outstanding: u16,
    /// The latest get's answer: hit (true) or miss.
    last_get: Option<bool>,
    failure: Option<Status>,
}

/// A call in flight (or waiting out its backoff).
#[derive(Clone, Copy, Debug)]
struct Outgoing {
    job: u32,
    call: u16,
    attempt: u8,
    /// The id of the attempt in flight: an answer with another id is late.
    req_id: u64,
    generation: u32,
}

#[derive(Clone, Debug)]
pub struct Server {
    st: Station,
    service: Duration,
    service_spec: ServiceTimeSpec,
    hold_worker: bool,
    /// `StationParams` as of the last change (`settings_now`).
    params: OwnPart,
    /// Plans for read, write and range requests (`any` fills the gaps).
    plans: [Option<Plan>; 3],
    /// Ids of the nodes called, for the summary.
    targets: Vec<String>,
    call_stats: Vec<CallStats>,
    /// Requests in service or waiting on calls, by slot (the slot names
    /// the service timer); grows with the most ever held at once.
    jobs: Vec<Option<Job>>,
    free_jobs: Vec<u32>,
    outgoing: Vec<Option<Outgoing>>,
    free_outgoing: Vec<u32>,
    next_generation: u32,
    /// Requests whose worker was freed, waiting on calls.
    awaiting: u64,
    /// Requests that failed because a call failed.
    call_failures: u64,
}

/// Whether a call with this `when` is made, given the latest get's answer.
fn is_due(when: Option<When>, last_get: Option<bool>) -> bool {
    match when {
        None => true,
        Some(When::Hit) => last_get == Some(true),
        Some(When::Miss) => last_get == Some(false),
    }
}

fn plan_index(op: Op) -> usize {
    match op {
        Op::Write | Op::Set | Op::Delete => 1,
        Op::Range(_) => 2,
        Op::Read | Op::Get => 0,
    }
}

impl Server {
    pub fn new(s: &ServerSpec, me: NodeIdx, topo: &Topology) -> Self {
        let mut targets: Vec<String> = Vec::new();
        let mut resolve = |c: &StepSpec| {
            let to = c.to.as_deref().expect("validated");
            let link = topo.out_links[me as usize]
                .iter()
                .copied()
                .find(|&l| topo.ids[topo.links[l as usize].to as usize] == to)
                .expect("validated: the server links to every node it calls");
            let target = targets.iter().position(|t| t == to).unwrap_or_else(|| {
                targets.push(to.to_string());
                targets.len() - 1
            });
            Call {
                link,
                node: topo.links[link as usize].to,
                target: target as u16,
                op: c.op.expect("validated"),
                when: c.when,
                timeout_ns: c.timeout_ms.map(ms_to_ns),
                retries: c.retries as u8,
                backoff_ns: ms_to_ns(c.backoff_ms),
                optional: c.optional,
            }
        };
        let mut build = |steps: &Vec<StepSpec>| {
            let mut plan = Plan::default();
            for step in steps {
                let first = plan.calls.len() as u16;
                match &step.parallel {
                    Some(group) => plan.calls.extend(group.iter().map(&mut resolve)),
                    None => plan.calls.push(resolve(step)),
                }
                plan.steps.push((first, plan.calls.len() as u16 - first));
            }
            plan
        };
        let any = s.calls.get("any").map(&mut build);
        let mut plans: [Option<Plan>; 3] = Default::default();
        for (k, f) in ["read", "write", "range"].into_iter().enumerate() {
            plans[k] = s.calls.get(f).map(&mut build).or_else(|| any.clone());
        }
        let n_targets = targets.len();
        let mut server = Server {
            st: Station::new(s.workers, s.queue_capacity, s.timeout_ms.map(ms_to_ns)),
            service: service_time(&s.service_time),
            service_spec: s.service_time.clone(),
            hold_worker: s.hold_worker,
            params: OwnPart::new(()),
            plans,
            targets,
            call_stats: vec![CallStats::default(); n_targets],
            jobs: vec![None; s.workers as usize],
            free_jobs: (0..s.workers).rev().collect(),
            outgoing: Vec::new(),
            free_outgoing: Vec::new(),
            next_generation: 0,
            awaiting: 0,
            call_failures: 0,
        };
        server.params = server.settings_now();
        server
    }

    /// Its settings as its view shows them (built when they change, not
    /// every frame).
    fn settings_now(&self) -> OwnPart {
        OwnPart::new(StationParams {
            service_time: self.service_spec.clone(),
            hold_worker: (!self.targets.is_empty()).then_some(self.hold_worker),
        })
    }

    fn start_service(&mut self, ctx: &mut Ctx, req: Request) {
        let slot = self.free_jobs.pop().unwrap_or_else(|| {
            self.jobs.push(None);
            (self.jobs.len() - 1) as u32
        });
        let plan = plan_index(req.op) as u8;
        self.jobs[slot as usize] =
            Some(Job { req, holds_worker: true, plan, step: 0, outstanding: 0, last_get: None, failure: None });
        let t = self.service.sample_ns(ctx.rng());
        ctx.set_timer(t, TAG_DONE, slot);
    }

    /// The server's own work on a request is done: answer, or start its calls.
    fn finish_service(&mut self, ctx: &mut Ctx, slot: u32) {
        let Some(plan) = self.jobs[slot as usize].as_ref().map(|job| job.plan) else {
            return;
        };
        if self.plans[plan as usize].is_none() {
            self.complete(ctx, slot, Status::Ok);
            return;
        }
        if !self.hold_worker {
            self.jobs[slot as usize].as_mut().expect("present").holds_worker = false;
            self.awaiting += 1;
            self.st.free_worker();
            self.start_waiting(ctx);
        }
        self.run_steps(ctx, slot);
    }

    /// Sends the calls of the job's current step, skipping steps whose
    /// `when` does not hold, until one has calls out or the list is done.
    fn run_steps(&mut self, ctx: &mut Ctx, slot: u32) {
        loop {
            let job = self.jobs[slot as usize].expect("present");
            let plan = self.plans[job.plan as usize].as_ref().expect("a job with calls has a plan");
            let Some(&(first, n)) = plan.steps.get(job.step as usize) else {
                self.complete(ctx, slot, Status::Ok);
                return;
            };
            let due = |c: u16| is_due(plan.calls[c as usize].when, job.last_get);
            let n_due = (first..first + n).filter(|&c| due(c)).count() as u16;
            let j = self.jobs[slot as usize].as_mut().expect("present");
            j.outstanding = n_due;
            if n_due == 0 {
                j.step += 1;
                continue;
            }
            // No list of the due calls: this runs for every request.
            for call in first..first + n {
                let plan = self.plans[job.plan as usize].as_ref().expect("plan");
                if is_due(plan.calls[call as usize].when, job.last_get) {
                    let out = self.alloc_outgoing(slot, call);
                    self.send_attempt(ctx, out);
                }
            }
            return;
        }
    }

    fn alloc_outgoing(&mut self, job: u32, call: u16) -> u32 {
        let o = Some(Outgoing { job, call, attempt: 0, req_id: 0, generation: 0 });
        match self.free_outgoing.pop() {
            Some(i) => {
                self.outgoing[i as usize] = o;
                i
            }
            None => {
                self.outgoing.push(o);
                (self.outgoing.len() - 1) as u32
            }
        }
    }

    fn call_of(&self, o: &Outgoing) -> Call {
        let plan = self.jobs[o.job as usize].expect("present").plan;
        self.plans[plan as usize].as_ref().expect("plan").calls[o.call as usize]
    }

    fn send_attempt(&mut self, ctx: &mut Ctx, out: u32) {
        let o = self.outgoing[out as usize].expect("present");
        let call = self.call_of(&o);
        let parent = self.jobs[o.job as usize].expect("present").req;
        let id = ctx.new_request_id();
        let mut req = Request::new(id, parent.client_id, parent.key, ctx.now());
        req.op = match call.op {
            CallOp::Get => Op::Get,
            CallOp::Set => Op::Set,
            CallOp::Delete => Op::Delete,
            CallOp::Read => Op::Read,
            CallOp::Write => Op::Write,
            CallOp::Range => match parent.op {
                Op::Range(n) => Op::Range(n),
                _ => Op::Range(1),
            },
        };
        // The call's slot: the answer says which call it ends.
        req.set_note(CallNote { mark: Mark::Call, slot: out });
        self.next_generation = self.next_generation.wrapping_add(1);
        let generation = self.next_generation & (u32::MAX >> TAG_BITS);
        self.outgoing[out as usize] = Some(Outgoing { req_id: id, generation, ..o });
        self.call_stats[call.target as usize].sent += 1;
        ctx.send_request(call.link, req);
        if let Some(t) = call.timeout_ns {
            ctx.set_timer(t, TAG_CALL_TIMEOUT | (generation << TAG_BITS), out);
        }
    }

    /// An attempt ended: `status` is its answer's (or `TimedOut`).
    fn attempt_done(&mut self, ctx: &mut Ctx, out: u32, status: Status, hit: bool) {
        let o = self.outgoing[out as usize].expect("present");
        let call = self.call_of(&o);
        let stats = &mut self.call_stats[call.target as usize];
        if status == Status::Ok {
            stats.ok += 1;
        } else if (o.attempt as u32) < call.retries as u32 {
            stats.retried += 1;
            // The attempt in flight is abandoned: its answer will be late.
            self.outgoing[out as usize] = Some(Outgoing { attempt: o.attempt + 1, req_id: 0, ..o });
            if call.backoff_ns > 0 {
                self.next_generation = self.next_generation.wrapping_add(1);
                let generation = self.next_generation & (u32::MAX >> TAG_BITS);
                self.outgoing[out as usize].as_mut().expect("present").generation = generation;
                ctx.set_timer(call.backoff_ns, TAG_CALL_RETRY | (generation << TAG_BITS), out);
            } else {
                self.send_attempt(ctx, out);
            }
            return;
        } else {
            stats.failed += 1;
        }
        self.outgoing[out as usize] = None;
        self.free_outgoing.push(out);
        let job = self.jobs[o.job as usize].as_mut().expect("present");
        if call.op == CallOp::Get {
            // A failed optional get counts as a miss.
            job.last_get = Some(status == Status::Ok && hit);
        }
        if status != Status::Ok && !call.optional && job.failure.is_none() {
            job.failure = Some(status);
        }
        job.outstanding -= 1;
        if job.outstanding > 0 {
            return;
        }
        if let Some(failure) = job.failure {
            self.call_failures += 1;
            self.complete(ctx, o.job, failure);
        } else {
            job.step += 1;
            self.run_steps(ctx, o.job);
        }
    }

    /// Answers the job's request and frees its slot (and worker, if held).
    fn complete(&mut self, ctx: &mut Ctx, slot: u32, status: Status) {
        let job = self.jobs[slot as usize].take().expect("present");
        self.free_jobs.push(slot);
        if job.holds_worker {
            self.st.free_worker();
        } else {
            self.awaiting -= 1;
        }
        if status == Status::Ok {
            self.st.record_done(ctx.now(), &job.req);
        }
        ctx.reply(job.req, status);
        if job.holds_worker {
            self.start_waiting(ctx);
        }
    }

    /// Starts queued requests while workers are idle; answers those that
    /// waited past the timeout.
    fn start_waiting(&mut self, ctx: &mut Ctx) {
        while let Some(next) = self.st.next(ctx.now()) {
            match next {
                Ok(req) => self.start_service(ctx, req),
                Err(late) => ctx.reply(late, Status::TimedOut),
            }
        }
    }

    /// The live generation of a call slot, if the slot is in use.
    fn generation_of(&self, out: u32) -> Option<u32> {
        self.outgoing.get(out as usize).copied().flatten().map(|o| o.generation)
    }
}

impl Node for Server {
    fn start(&mut self, _ctx: &mut Ctx) {}

    fn on_message(&mut self, ctx: &mut Ctx, _from: NodeIdx, payload: Payload) {
        self.st.integrate(ctx.now());
        match payload {
            Payload::Request(req) => match self.st.admit(ctx.now(), req) {
                Admit::Start(req) => self.start_service(ctx, req),
                Admit::Queued => {}
                Admit::Dropped(req) => ctx.reply(req, Status::Dropped),
            },
            Payload::Timer { tag: TAG_DONE, slot } => self.finish_service(ctx, slot),
            Payload::Timer { tag, slot } => {
                let (kind, generation) = (tag & ((1 << TAG_BITS) - 1), tag >> TAG_BITS);
                if self.generation_of(slot) != Some(generation) {
                    return;
                }
                let o = self.outgoing[slot as usize].expect("present");
                if kind == TAG_CALL_TIMEOUT && o.req_id != 0 {
                    let call = self.call_of(&o);
                    self.call_stats[call.target as usize].timed_out += 1;
                    self.attempt_done(ctx, slot, Status::TimedOut, false);
                } else if kind == TAG_CALL_RETRY {
                    self.send_attempt(ctx, slot);
                }
            }
            Payload::Response(resp) => {
                let Some(CallNote { slot, .. }) = resp.note::<CallNote>() else { return };
                let Some(o) = self.outgoing.get(slot as usize).copied().flatten() else { return };
                if o.req_id != resp.id {
                    return;
                }
                // A node that is down answers nothing: a call with a
                // timeout waits it out (the host is gone); one without is
                // refused at once (connection refused).
                let call = self.call_of(&o);
                if resp.status == Status::Refused && call.timeout_ns.is_some() && !ctx.is_up(call.node) {
                    return;
                }
                self.attempt_done(ctx, slot, resp.status, resp.hit);
            }
            _ => {}
        }
    }

    fn on_fail(&mut self, ctx: &mut Ctx) {
        self.st.integrate(ctx.now());
        let mut lost: Vec<Request> = self.jobs.iter_mut().filter_map(Option::take).map(|j| j.req).collect();
        lost.extend(self.st.drain());
        self.free_jobs = (0..self.jobs.len() as u32).rev().collect();
        self.outgoing.clear();
        self.free_outgoing.clear();
        self.awaiting = 0;
        for req in lost {
            self.st.reset += 1;
            ctx.reply(req, Status::Reset);
        }
    }

    fn set(&mut self, ctx: &mut Ctx, change: &Change) {
        self.st.integrate(ctx.now());
        if let Some(st) = &change.service_time {
            self.service = service_time(st);
            self.service_spec = st.clone();
        }
        if let Some(hold) = change.hold_worker {
            // Jobs already waiting on calls keep what they had.
            self.hold_worker = hold;
        }
        if let Some(w) = change.workers {
            // Fewer workers: the busy ones finish; none start above the limit.
            self.st.workers = w;
            self.start_waiting(ctx);
        }
        self.params = self.settings_now();
    }

    fn view(&self) -> NodeView {
        let st = &self.st;
        let mut figures = Vec::new();
        if !self.targets.is_empty() {
            figures.push(("Waiting on calls", self.awaiting as f64));
            figures.push(("Failed by a call", self.call_failures as f64));
        }
        let mut v = st.view("server");
        v.errors += self.call_failures;
        v.params = Some(self.params.clone());
        v.figures = figures;
        v
    }

    fn sample(&mut self, now: SimTime) -> NodeSample {
        self.st.sample(now)
    }

    fn summary(&self, now: SimTime, _topo: &Topology) -> NodeSummary {
        let mut s = self.st.summary("server", now);
        if !self.targets.is_empty() {
            s.calls = Some(self.targets.iter().cloned().zip(self.call_stats.iter().cloned()).collect_map());
            s.failed = Some(self.call_failures);
        }
        s
    }
}
