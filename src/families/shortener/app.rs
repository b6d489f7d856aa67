//! `url_app`: the shortener's app server. Workers behind a queue (a
//! [`Station`]); each request is served (`service_time`), then:
//!
//! ```text
//!   POST ─► an id by strategy ──────────────────────────► insert the code at the table (first url_db)
//!           counter:   auto-increment at a url_db (round robin; one trip when it is the table)
//!           hash:      digest(url[#salt]) → first 8 bytes mod 62^len ── taken by another URL → retry
//!           snowflake: ms since epoch | datacenter | worker | sequence (4,096 a ms, then wait;
//!                      clock behind the last id: refuse)
//!           range:     next id of the leased block ── empty → lease R ids from the id_coordinator
//!   GET  ─► cache get ── hit ──────────────────────────► 301 / 302
//!                     └─ miss ─► table lookup ─► cache set (not awaited) ─► 301 / 302 (or 404)
//!           302 (or a first 301) ─► one click message to the analytics server (not awaited)
//! ```
//! A worker stays with its request until it is answered. The app keeps the
//! stories of its newest requests (ids, codes, retries, hits) for the view.
//! A crash loses the requests it holds and the rest of its leased block
//! (counted as wasted ids).

use std::collections::VecDeque;

use super::spec::{AppParams, IdsSpec, Strategy, UrlAppSpec};
use crate::families::web_tier::station::{Admit, Station};
use crate::sim::dist::Duration;
use crate::sim::engine::{Ctx, Node, NodeSummary, NodeView, Op, OwnPart, Payload, Request, Status};
use crate::sim::family::{Figure, Story};
use crate::sim::kind::NodeSpec;
use crate::sim::metrics::NodeSample;
use crate::sim::spec::CallOp;
use crate::sim::spec::service_time;
use crate::sim::time::SimTime;
use crate::sim::validate::validate_service_time;
use crate::sim::validate::{Change, LinkIdx, NodeIdx, Problems, Topology, limits, parse_as};

use super::code::Code;
use super::hash::{Hash, MAX_LEN, MIN_LEN, prefix_u64};
use super::snowflake::{self, SEQUENCE_PER_MS, Snowflake};
use super::wire::{Call, For};
use crate::families::ring::write_decimal;

const TAG_SERVICE: u32 = 0;
const TAG_TICK: u32 = 1;
/// The `key` of a redirect's answer when the code is not in the table (404).
pub const NOT_FOUND: u64 = u64::MAX;
/// Most salted retries after a hash collision.
pub const MAX_HASH_RETRIES: u32 = 20;
/// Most ids in one leased block.
pub const MAX_BLOCK: u64 = 10_000_000;
/// Leases remembered across crashes (a crash adds at most one).
const MAX_ORPHAN_LEASES: usize = 16;
/// Stories kept of each class, writes and redirects (redirects are most of
/// the traffic; a write's story must not be pushed out by them at once):
/// enough that the answers still on their way to the users can be pointed
/// at in the diagram.
const STORIES: usize = 48;
/// Steps one story holds (a long retry chain keeps its first steps).
const STEPS: usize = 14;
const MS: i128 = 1_000_000;

pub fn validate(s: &UrlAppSpec, path: &str, p: &mut Problems) {
    p.range_u64(path, "workers", u64::from(s.workers), 1, u64::from(limits::MAX_WORKERS));
    p.range_u64(path, "queue_capacity", s.queue_capacity, 0, limits::MAX_QUEUE_CAPACITY);
    validate_service_time(&s.service_time, &format!("{path}.service_time"), p);
    validate_ids(&s.ids, s.clock_start_ms, &format!("{path}.ids"), p);
    if let Some(pad) = s.pad_to {
        p.range_u64(path, "pad_to", u64::from(pad), MIN_LEN as u64, MAX_LEN as u64);
    }
    check_redirect(s.redirect, path, p);
    p.range_f64(path, "clock_skew_ms", s.clock_skew_ms, -limits::MAX_DURATION_MS, limits::MAX_DURATION_MS);
    p.range_u64(path, "clock_start_ms", s.clock_start_ms, 0, 1 << 42);
}

fn check_redirect(code: u16, path: &str, p: &mut Problems) {
    if code != 301 && code != 302 {
        p.add(format!("{path}.redirect"), format!("must be 301 or 302 (got {code})"));
    }
}

/// An ID strategy's settings: each field must apply to the strategy.
fn validate_ids(ids: &IdsSpec, clock_start_ms: u64, path: &str, p: &mut Problems) {
    let strategy = ids.strategy.name();
    let fields: [(&str, bool, &[Strategy]); 7] = [
        ("hash", ids.hash.is_some(), &[Strategy::Hash]),
        ("length", ids.length.is_some(), &[Strategy::Hash]),
        ("max_retries", ids.max_retries.is_some(), &[Strategy::Hash]),
        ("epoch_ms", ids.epoch_ms.is_some(), &[Strategy::Snowflake]),
        ("datacenter", ids.datacenter.is_some(), &[Strategy::Snowflake]),
        ("worker", ids.worker.is_some(), &[Strategy::Snowflake]),
        ("block", ids.block.is_some(), &[Strategy::Range]),
    ];
    for (name, present, applies) in fields {
        if present && !applies.contains(&ids.strategy) {
            p.add(format!("{path}.{name}"), format!("applies to strategy `{}`, not `{strategy}`", applies[0].name()));
        }
    }
    p.range_u64(path, "length", u64::from(ids.length()), MIN_LEN as u64, MAX_LEN as u64);
    p.range_u64(path, "max_retries", u64::from(ids.max_retries()), 0, u64::from(MAX_HASH_RETRIES));
    p.range_u64(path, "datacenter", u64::from(ids.datacenter.unwrap_or(0)), 0, 31);
    p.range_u64(path, "worker", u64::from(ids.worker.unwrap_or(0)), 0, 31);
    p.range_u64(path, "block", ids.block(), 1, MAX_BLOCK);
    if ids.strategy == Strategy::Snowflake {
        let epoch = ids.epoch_ms();
        // The clock may run up to an hour behind (`clock_skew_ms`), and a run
        // lasts up to 30 days: the epoch must sit before all of it, and
        // 41 bits of milliseconds must reach past it.
        let skew_ms = limits::MAX_DURATION_MS as u64;
        let run_ms = (limits::MAX_SIM_TIME_S * 1000.0) as u64 + skew_ms;
        if epoch.saturating_add(skew_ms) > clock_start_ms {
            p.add(
                format!("{path}.epoch_ms"),
                format!(
                    "{epoch} is after the app's clock at the start ({clock_start_ms}, `clock_start_ms`) less an hour of possible skew: ids would have negative times; use an epoch in the past"
                ),
            );
        } else if clock_start_ms - epoch + run_ms >= 1u64 << snowflake::TIMESTAMP_BITS {
            p.add(
                format!("{path}.epoch_ms"),
                format!("{epoch} is too long before the clock: 41 bits of milliseconds (about 69 years) would overflow during a run"),
            );
        }
    }
}

/// What an app uses a link for, by what its target is: the URL table, the
/// coordinator, a key cache (a target that takes `get`), or the analytics
/// sink (anything else that takes writes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Table,
    Coordinator,
    Cache,
    Analytics,
    Unusable,
}

pub fn role(target: &NodeSpec) -> Role {
    let ops = target.kind.accepted_ops();
    match target.kind_name() {
        "url_db" => Role::Table,
        "id_coordinator" => Role::Coordinator,
        _ if ops.contains(&CallOp::Get) => Role::Cache,
        "url_app" => Role::Unusable,
        _ if ops.contains(&CallOp::Write) => Role::Analytics,
        _ => Role::Unusable,
    }
}

/// Checks what an app links to: one or more URL tables, at most one cache,
/// coordinator and analytics sink, and a coordinator for `range`.
pub fn validate_links(s: &UrlAppSpec, path: &str, out: &[&NodeSpec], p: &mut Problems) {
    let count = |r: Role| out.iter().filter(|n| role(n) == r).count();
    let id = &s.id;
    if count(Role::Table) == 0 {
        p.add(path, format!("url_app `{id}` needs a link to a url_db (its URL table)"));
    }
    for (r, what) in [
        (Role::Cache, "key caches"),
        (Role::Coordinator, "id_coordinators"),
        (Role::Analytics, "analytics sinks (servers)"),
    ] {
        if count(r) > 1 {
            p.add(path, format!("url_app `{id}` links to {} {what}; it uses one", count(r)));
        }
    }
    for n in out.iter().filter(|n| role(n) == Role::Unusable) {
        p.add(
            path,
            format!(
                "url_app `{id}` links to the {} `{}`; it calls a url_db, a key cache, an id_coordinator and an analytics server",
                n.kind_name(),
                n.id()
            ),
        );
    }
    if s.ids.strategy == Strategy::Range && count(Role::Coordinator) == 0 {
        p.add(
            format!("{path}.ids.strategy"),
            format!("`range` leases blocks from an id_coordinator, but `{id}` links to none: add a link to one"),
        );
    }
}

/// Checks a `set` entry's `params` for an app (`out`: what it links to).
pub fn check_params(s: &UrlAppSpec, params: &serde_json::Value, path: &str, out: &[&NodeSpec], p: &mut Problems) {
    let Some(a) = parse_as::<AppParams>(params.clone(), path, p) else { return };
    if a == AppParams::default() {
        p.add(path, "needs at least one of `ids`, `pad_to`, `redirect`, `clock_skew_ms`");
    }
    if let Some(ids) = &a.ids {
        validate_ids(ids, s.clock_start_ms, &format!("{path}.ids"), p);
        if ids.strategy == Strategy::Range && !out.iter().any(|n| role(n) == Role::Coordinator) {
            p.add(
                format!("{path}.ids.strategy"),
                format!("`range` needs an id_coordinator, and `{}` links to none", s.id),
            );
        }
    }
    if let Some(pad) = a.pad_to
        && pad != 0
    {
        p.range_u64(path, "pad_to", u64::from(pad), MIN_LEN as u64, MAX_LEN as u64);
    }
    if let Some(code) = a.redirect {
        check_redirect(code, path, p);
    }
    if let Some(skew) = a.clock_skew_ms {
        p.range_f64(path, "clock_skew_ms", skew, -limits::MAX_DURATION_MS, limits::MAX_DURATION_MS);
    }
}

/// A/B changes the compare panel offers for an app: each other ID strategy
/// (range only with a coordinator, which `spec` cannot tell, so the edit's
/// validation decides) and the other redirect code.
pub fn candidates(id: &str, s: &UrlAppSpec) -> Vec<(String, String, crate::sim::spec::FaultSpec)> {
    let edit = |v: serde_json::Value| crate::sim::spec::FaultSpec {
        set: Some(id.to_string()),
        params: Some(v),
        ..Default::default()
    };
    let mut out = Vec::new();
    for other in Strategy::ALL.into_iter().filter(|&x| x != s.ids.strategy) {
        out.push((
            format!("{id}: {} ids", s.ids.strategy.name()),
            format!("{id}: {} ids", other.name()),
            edit(serde_json::json!({"ids": IdsSpec { strategy: other, ..Default::default() }})),
        ));
    }
    let other = if s.redirect == 301 { 302 } else { 301 };
    out.push((format!("{id}: {}", s.redirect), format!("{id}: {other}"), edit(serde_json::json!({"redirect": other}))));
    out
}

/// One step of a request's story.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Step {
    Post {
        url: u64,
    },
    Get {
        rank: u64,
    },
    /// An auto-increment at the url_db linked `db`-th.
    Counter {
        db: u8,
        id: u64,
    },
    Lease {
        start: u64,
        block: u64,
    },
    FromBlock {
        id: u64,
    },
    Snowflake {
        id: u64,
        ms: u64,
        sequence: u16,
    },
    Base62 {
        code: Code,
    },
    Hash {
        hash: Hash,
        attempt: u32,
        code: Code,
    },
    Inserted,
    SameUrl,
    Taken,
    Violation,
    Wait,
    ClockBehind {
        by_ms: u64,
    },
    NoLease,
    GaveUp,
    CacheHit,
    CacheMiss,
    Db {
        found: bool,
    },
    Answer(u16),
    Failed(Status),
}

#[derive(Clone, Copy, Debug)]
struct StoryBuf {
    req_id: u64,
    write: bool,
    failed: bool,
    n: u8,
    steps: [Step; STEPS],
}

impl StoryBuf {
    fn new(req_id: u64, write: bool) -> Self {
        StoryBuf { req_id, write, failed: false, n: 0, steps: [Step::Inserted; STEPS] }
    }

    fn push(&mut self, s: Step) {
        if usize::from(self.n) < STEPS {
            self.steps[usize::from(self.n)] = s;
            self.n += 1;
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        for (i, s) in self.steps[..usize::from(self.n)].iter().enumerate() {
            let sep = if i == 0 { "" } else { " → " };
            let part = match *s {
                Step::Post { url } => format!("POST url #{url}"),
                Step::Get { rank } => format!("GET code of rank {rank}"),
                Step::Counter { db: 0, id } => format!("auto-increment → {id}"),
                Step::Counter { db, id } => format!("auto-increment at url_db #{} → {id}", db + 1),
                Step::Lease { start, block } => format!("lease {start}…{} from the coordinator", start + block - 1),
                Step::FromBlock { id } => format!("{id} from the leased block"),
                Step::Snowflake { id, ms, sequence } => format!("snowflake {id} (ms {ms}, seq {sequence})"),
                Step::Base62 { code } => format!("base62 → {}", code.text()),
                Step::Hash { hash, attempt: 0, code } => {
                    format!("{}(url) → first 8 bytes mod 62^{} → {}", hash.name(), code.len, code.text())
                }
                Step::Hash { attempt, code, .. } => format!("retry {attempt} (salted) → {}", code.text()),
                Step::Inserted => "insert ✓".into(),
                Step::SameUrl => "taken by the same URL: reuse (deduplicated)".into(),
                Step::Taken => "taken".into(),
                Step::Violation => "unique-key violation: the code was handed out twice".into(),
                Step::Wait => "4,096 ids this ms: wait for the next".into(),
                Step::ClockBehind { by_ms } => format!("clock {by_ms} ms behind the last id: refused"),
                Step::NoLease => "no block: the coordinator is unreachable".into(),
                Step::GaveUp => "out of retries: refused".into(),
                Step::CacheHit => "cache hit".into(),
                Step::CacheMiss => "cache miss → db".into(),
                Step::Db { found: true } => "found".into(),
                Step::Db { found: false } => "not in the table: 404".into(),
                Step::Answer(code) => code.to_string(),
                Step::Failed(status) => format!("failed ({})", status_name(status)),
            };
            // "taken" reads as a clause of the code before it.
            if matches!(s, Step::Taken) {
                out.push_str(", taken");
            } else {
                out.push_str(sep);
                out.push_str(&part);
            }
        }
        out
    }
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Pending => "pending",
        Status::Ok => "ok",
        Status::Dropped => "queue full",
        Status::TimedOut => "timed out",
        Status::Refused => "refused",
        Status::Reset => "reset",
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    Service,
    /// Waiting for an id (a lease, or the next millisecond).
    WaitId,
    /// An auto-increment at a database that is not the table.
    Id,
    Insert,
    CacheGet,
    DbRead,
}

#[derive(Clone, Copy, Debug)]
struct Job {
    req: Request,
    /// The outstanding call's request id.
    call: u64,
    phase: Phase,
    strategy: Strategy,
    /// The strategy's settings when the write got its id (a retry keeps them).
    ids: IdsSpec,
    attempt: u32,
    code: Code,
    waited: bool,
    story: StoryBuf,
}

/// Whole-run counts.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Counts {
    writes_ok: u64,
    writes_failed: u64,
    collisions: u64,
    retries: u64,
    gave_up: u64,
    deduplicated: u64,
    violations: u64,
    sequence_waits: u64,
    clock_refusals: u64,
    leases: u64,
    lease_failures: u64,
    no_block_refusals: u64,
    wasted_ids: u64,
    redirects: u64,
    answered_301: u64,
    answered_302: u64,
    not_found: u64,
    cache_hits: u64,
    cache_misses: u64,
    clicks_sent: u64,
    redirects_failed: u64,
}

#[derive(Clone, Debug)]
pub struct App {
    st: Station,
    service: Duration,
    spec: UrlAppSpec,
    /// Links to the url_dbs, the table's first.
    dbs: Vec<LinkIdx>,
    cache: Option<LinkIdx>,
    coordinator: Option<LinkIdx>,
    analytics: Option<LinkIdx>,
    jobs: Vec<Option<Job>>,
    free_jobs: Vec<u32>,
    /// Writes waiting for an id, oldest first.
    waiting: VecDeque<u32>,
    next_db: usize,
    /// Snowflake: the last id's millisecond and sequence.
    last_ms: i128,
    sequence: u32,
    tick_set: bool,
    /// Range: the leased block [next, end) and the lease in flight (its
    /// request id and size).
    block_next: u64,
    block_end: u64,
    lease_out: Option<(u64, u64)>,
    /// Leases in flight when the app crashed (id, size): their blocks are wasted.
    orphan_leases: Vec<(u64, u64)>,
    counts: Counts,
    /// The newest stories: [writes, redirects].
    stories: [VecDeque<StoryBuf>; 2],
}

impl App {
    pub fn new(s: &UrlAppSpec, idx: NodeIdx, topo: &Topology, node_specs: &[NodeSpec]) -> Self {
        let links = &topo.out_links[idx as usize];
        let role_of = |l: LinkIdx| role(&node_specs[topo.links[l as usize].to as usize]);
        let first = |r: Role| links.iter().copied().find(|&l| role_of(l) == r);
        App {
            st: Station::new(s.workers, s.queue_capacity, None),
            service: service_time(&s.service_time),
            spec: s.clone(),
            dbs: links.iter().copied().filter(|&l| role_of(l) == Role::Table).collect(),
            cache: first(Role::Cache),
            coordinator: first(Role::Coordinator),
            analytics: first(Role::Analytics),
            jobs: Vec::new(),
            free_jobs: Vec::new(),
            waiting: VecDeque::new(),
            next_db: 0,
            last_ms: -1,
            sequence: 0,
            tick_set: false,
            block_next: 0,
            block_end: 0,
            lease_out: None,
            orphan_leases: Vec::new(),
            counts: Counts::default(),
            stories: [VecDeque::with_capacity(STORIES + 1), VecDeque::with_capacity(STORIES + 1)],
        }
    }

    fn pad(&self) -> u32 {
        self.spec.pad_to.unwrap_or(0)
    }

    fn job(&mut self, slot: u32) -> &mut Job {
        self.jobs[slot as usize].as_mut().expect("a live job's slot")
    }

    /// Sends a call; its note says whom the answer is for (`wire::Call`).
    fn call(&mut self, ctx: &mut Ctx, link: LinkIdx, op: Op, key: u64, client_id: u32, call: Call) -> u64 {
        let id = ctx.new_request_id();
        let mut req = Request::new(id, client_id, key, ctx.now());
        req.op = op;
        req.set_note(call);
        ctx.send_request(link, req);
        id
    }

    /// A call for job `slot`; `call` says the rest (`wire::Call`: a write's
    /// code length, or an auto-increment's padding and whether it inserts).
    fn call_for(&mut self, ctx: &mut Ctx, slot: u32, link: LinkIdx, (op, key): (Op, u64), call: Call, phase: Phase) {
        let url = self.job(slot).req.key as u32;
        let id = self.call(ctx, link, op, key, url, Call { slot, ..call });
        let job = self.job(slot);
        job.call = id;
        job.phase = phase;
    }

    /// Job `slot` inserts `code` under the table's unique index (the note
    /// says how many characters it has).
    fn insert_code(&mut self, ctx: &mut Ctx, slot: u32, code: Code) {
        let call = Call { len: code.len, ..Call::job(slot) };
        self.call_for(ctx, slot, self.dbs[0], (Op::Write, code.value), call, Phase::Insert);
    }

    fn start_job(&mut self, ctx: &mut Ctx, req: Request) {
        let slot = self.free_jobs.pop().unwrap_or_else(|| {
            self.jobs.push(None);
            (self.jobs.len() - 1) as u32
        });
        let write = req.op == Op::Write;
        let mut story = StoryBuf::new(req.id, write);
        story.push(if write { Step::Post { url: req.key } } else { Step::Get { rank: req.key } });
        self.jobs[slot as usize] = Some(Job {
            req,
            call: 0,
            phase: Phase::Service,
            strategy: self.spec.ids.strategy,
            ids: self.spec.ids,
            attempt: 0,
            code: Code::default(),
            waited: false,
            story,
        });
        let t = self.service.sample_ns(ctx.rng());
        ctx.set_timer(t, TAG_SERVICE, slot);
    }

    /// Answers job `slot`'s request and frees its worker.
    fn finish(&mut self, ctx: &mut Ctx, slot: u32, status: Status) {
        let Some(mut job) = self.jobs[slot as usize].take() else { return };
        self.free_jobs.push(slot);
        if status != Status::Ok {
            job.story.push(Step::Failed(status));
            job.story.failed = true;
        }
        if job.req.op == Op::Write && status == Status::Ok {
            self.counts.writes_ok += 1;
        }
        if status != Status::Ok {
            self.count_failed(job.req.op);
        }
        let kept = &mut self.stories[usize::from(!job.story.write)];
        if kept.len() == STORIES {
            kept.pop_front();
        }
        kept.push_back(job.story);
        self.st.integrate(ctx.now());
        self.st.free_worker();
        self.st.record_done(ctx.now(), &job.req);
        ctx.reply(job.req, status);
        self.start_queued(ctx);
    }

    /// Starts queued requests while workers are free.
    fn start_queued(&mut self, ctx: &mut Ctx) {
        while let Some(next) = self.st.next(ctx.now()) {
            match next {
                Ok(req) => self.start_job(ctx, req),
                Err(late) => ctx.reply(late, Status::TimedOut),
            }
        }
    }

    /// Counts a request answered with an error, by path.
    fn count_failed(&mut self, op: Op) {
        if op == Op::Write {
            self.counts.writes_failed += 1;
        } else {
            self.counts.redirects_failed += 1;
        }
    }

    // ---- writes ----

    /// The code of `url` for attempt `attempt` (0: the URL itself; n: salted
    /// with `#n`) under the settings `ids`.
    fn hash_code(ids: &IdsSpec, url: u64, attempt: u32) -> Code {
        let len = ids.length();
        // "https://sho.rt/l/<url>[#<attempt>]", written without allocating.
        let mut buf = [0u8; 48];
        let mut n = 0;
        for &b in b"https://sho.rt/l/" {
            buf[n] = b;
            n += 1;
        }
        n += write_decimal(&mut buf[n..], url);
        if attempt > 0 {
            buf[n] = b'#';
            n += 1;
            n += write_decimal(&mut buf[n..], u64::from(attempt));
        }
        let space = 62u128.pow(len);
        let value = (u128::from(prefix_u64(&buf[..n], ids.hash())) % space) as u64;
        Code { len: len as u8, value }
    }

    /// Starts getting job `slot` an id; false while it must wait.
    fn begin_write(&mut self, ctx: &mut Ctx, slot: u32) -> bool {
        let (strategy, ids) = (self.spec.ids.strategy, self.spec.ids);
        let job = self.job(slot);
        job.strategy = strategy;
        job.ids = ids;
        match strategy {
            Strategy::Counter => {
                let i = self.next_db % self.dbs.len();
                self.next_db = self.next_db.wrapping_add(1);
                if i == 0 {
                    // The table counts: INSERT … RETURNING id, one trip
                    // (`pad_to` is at most MAX_LEN).
                    let pad = self.pad();
                    self.call_for(
                        ctx,
                        slot,
                        self.dbs[0],
                        (Op::Set, 0),
                        Call { len: pad as u8, insert: true, ..Call::job(slot) },
                        Phase::Insert,
                    );
                } else {
                    self.job(slot).attempt = i as u32;
                    self.call_for(ctx, slot, self.dbs[i], (Op::Set, 0), Call::job(slot), Phase::Id);
                }
                true
            }
            Strategy::Hash => {
                let url = self.job(slot).req.key;
                let code = Self::hash_code(&ids, url, 0);
                let hash = ids.hash();
                let job = self.job(slot);
                job.code = code;
                job.story.push(Step::Hash { hash, attempt: 0, code });
                self.insert_code(ctx, slot, code);
                true
            }
            Strategy::Snowflake => {
                let now_ms = self.clock_ms(ctx.now());
                let epoch = i128::from(ids.epoch_ms());
                if now_ms < self.last_ms || now_ms < epoch || now_ms - epoch >= 1 << snowflake::TIMESTAMP_BITS {
                    self.counts.clock_refusals += 1;
                    let by_ms = (self.last_ms.max(epoch) - now_ms).max(0) as u64;
                    self.job(slot).story.push(Step::ClockBehind { by_ms });
                    self.finish(ctx, slot, Status::Refused);
                    return true;
                }
                if now_ms == self.last_ms && self.sequence + 1 >= SEQUENCE_PER_MS {
                    if !self.job(slot).waited {
                        self.counts.sequence_waits += 1;
                        let job = self.job(slot);
                        job.waited = true;
                        job.story.push(Step::Wait);
                    }
                    self.job(slot).phase = Phase::WaitId;
                    if !self.tick_set {
                        self.tick_set = true;
                        let next_ns = (now_ms + 1) * MS - self.clock_origin_ns();
                        ctx.set_timer((next_ns - i128::from(ctx.now())).max(1) as SimTime, TAG_TICK, 0);
                    }
                    return false;
                }
                if now_ms == self.last_ms {
                    self.sequence += 1;
                } else {
                    self.last_ms = now_ms;
                    self.sequence = 0;
                }
                let ids = &self.spec.ids;
                let s = Snowflake {
                    timestamp_ms: now_ms as u64,
                    datacenter: ids.datacenter.unwrap_or(0) as u8,
                    worker: ids.worker.unwrap_or(0) as u8,
                    sequence: self.sequence as u16,
                };
                let id = snowflake::compose(&s, ids.epoch_ms());
                self.job(slot).story.push(Step::Snowflake { id, ms: now_ms as u64, sequence: s.sequence });
                self.insert_id(ctx, slot, id);
                true
            }
            Strategy::Range => {
                if self.block_next < self.block_end {
                    let id = self.block_next;
                    self.block_next += 1;
                    self.job(slot).story.push(Step::FromBlock { id });
                    self.insert_id(ctx, slot, id);
                    return true;
                }
                self.job(slot).phase = Phase::WaitId;
                if self.lease_out.is_none()
                    && let Some(link) = self.coordinator
                {
                    let block = self.spec.ids.block();
                    let id = self.call(ctx, link, Op::Write, block, 0, Call::unanswered(For::Lease));
                    self.lease_out = Some((id, block));
                }
                false
            }
        }
    }

    fn insert_id(&mut self, ctx: &mut Ctx, slot: u32, id: u64) {
        let code = Code::of(id, self.pad());
        let job = self.job(slot);
        job.code = code;
        job.story.push(Step::Base62 { code });
        self.insert_code(ctx, slot, code);
    }

    /// Gives waiting writes their ids, in order, while ids are to be had.
    fn pump(&mut self, ctx: &mut Ctx) {
        while let Some(&slot) = self.waiting.front() {
            if self.jobs[slot as usize].is_none() || self.begin_write(ctx, slot) {
                self.waiting.pop_front();
            } else {
                break;
            }
        }
    }

    /// Unix nanoseconds at sim time 0 on this app's clock (skew included).
    fn clock_origin_ns(&self) -> i128 {
        i128::from(self.spec.clock_start_ms) * MS + (self.spec.clock_skew_ms * 1e6) as i128
    }

    /// The app's clock at `now`, in Unix milliseconds.
    fn clock_ms(&self, now: SimTime) -> i128 {
        (self.clock_origin_ns() + i128::from(now)).div_euclid(MS)
    }

    fn on_insert(&mut self, ctx: &mut Ctx, slot: u32, resp: Request) {
        if resp.status != Status::Ok {
            self.finish(ctx, slot, resp.status);
            return;
        }
        let job = *self.job(slot);
        if job.strategy == Strategy::Counter && job.phase == Phase::Insert && job.code == Code::default() {
            // The table's own auto-increment: the id came back in `key`.
            let code = Code::of(resp.key, self.pad());
            let j = self.job(slot);
            j.code = code;
            j.story.push(Step::Counter { db: 0, id: resp.key });
            j.story.push(Step::Base62 { code });
        }
        if !resp.hit {
            self.job(slot).story.push(Step::Inserted);
            self.finish(ctx, slot, Status::Ok);
            return;
        }
        if job.strategy != Strategy::Hash {
            self.counts.violations += 1;
            self.job(slot).story.push(Step::Violation);
            self.finish(ctx, slot, Status::Refused);
            return;
        }
        if resp.client_id == job.req.key as u32 {
            self.counts.deduplicated += 1;
            self.job(slot).story.push(Step::SameUrl);
            self.finish(ctx, slot, Status::Ok);
            return;
        }
        self.counts.collisions += 1;
        self.job(slot).story.push(Step::Taken);
        if job.attempt >= job.ids.max_retries() {
            self.counts.gave_up += 1;
            self.job(slot).story.push(Step::GaveUp);
            self.finish(ctx, slot, Status::Refused);
            return;
        }
        self.counts.retries += 1;
        let attempt = job.attempt + 1;
        let code = Self::hash_code(&job.ids, job.req.key, attempt);
        let hash = job.ids.hash();
        let j = self.job(slot);
        j.attempt = attempt;
        j.code = code;
        j.story.push(Step::Hash { hash, attempt, code });
        self.insert_code(ctx, slot, code);
    }

    fn on_lease(&mut self, ctx: &mut Ctx, resp: Request) {
        // A lease asked for before a crash: its block is never used.
        if let Some(k) = self.orphan_leases.iter().position(|l| l.0 == resp.id) {
            let (_, block) = self.orphan_leases.remove(k);
            if resp.status == Status::Ok {
                self.counts.wasted_ids += block;
            }
            return;
        }
        let Some((id, block)) = self.lease_out else { return };
        if id != resp.id {
            return;
        }
        self.lease_out = None;
        if resp.status == Status::Ok {
            self.counts.leases += 1;
            self.block_next = resp.key;
            self.block_end = resp.key + block;
            if let Some(&slot) = self.waiting.front()
                && let Some(job) = self.jobs[slot as usize].as_mut()
            {
                job.story.push(Step::Lease { start: resp.key, block });
            }
            self.pump(ctx);
        } else {
            // No block to be had: the writes waiting for one fail.
            self.counts.lease_failures += 1;
            while let Some(slot) = self.waiting.pop_front() {
                if self.jobs[slot as usize].is_some() {
                    self.counts.no_block_refusals += 1;
                    self.job(slot).story.push(Step::NoLease);
                    self.finish(ctx, slot, Status::Refused);
                }
            }
        }
    }

    // ---- redirects ----

    fn begin_redirect(&mut self, ctx: &mut Ctx, slot: u32) {
        let rank = self.job(slot).req.key;
        match self.cache {
            Some(link) => self.call_for(ctx, slot, link, (Op::Get, rank), Call::job(slot), Phase::CacheGet),
            None => self.call_for(ctx, slot, self.dbs[0], (Op::Read, rank), Call::job(slot), Phase::DbRead),
        }
    }

    fn answer_redirect(&mut self, ctx: &mut Ctx, slot: u32, found: bool) {
        let code = self.spec.redirect;
        self.counts.redirects += 1;
        let job = self.job(slot);
        if found {
            job.req.hit = code == 301;
            job.story.push(Step::Answer(code));
        } else {
            job.req.key = NOT_FOUND;
        }
        let rank = job.req.key;
        if found {
            if code == 301 {
                self.counts.answered_301 += 1;
            } else {
                self.counts.answered_302 += 1;
            }
            if let Some(link) = self.analytics {
                self.counts.clicks_sent += 1;
                self.call(ctx, link, Op::Write, rank, 0, Call::unanswered(For::Nobody));
            }
        } else {
            self.counts.not_found += 1;
        }
        self.finish(ctx, slot, Status::Ok);
    }

    fn on_answer(&mut self, ctx: &mut Ctx, resp: Request) {
        let Some(call) = resp.note::<Call>() else { return };
        let slot = match call.answer {
            For::Nobody => return,
            For::Lease => return self.on_lease(ctx, resp),
            For::Job => call.slot,
        };
        let Some(job) = self.jobs.get(slot as usize).copied().flatten() else { return };
        if job.call != resp.id {
            return;
        }
        match job.phase {
            Phase::Insert => self.on_insert(ctx, slot, resp),
            Phase::Id => {
                if resp.status != Status::Ok {
                    return self.finish(ctx, slot, resp.status);
                }
                // A counter's job keeps the database's number in `attempt`.
                self.job(slot).story.push(Step::Counter { db: job.attempt as u8, id: resp.key });
                self.insert_id(ctx, slot, resp.key);
            }
            Phase::CacheGet => {
                if resp.status == Status::Ok && resp.hit {
                    self.counts.cache_hits += 1;
                    self.job(slot).story.push(Step::CacheHit);
                    self.answer_redirect(ctx, slot, true);
                } else {
                    // A miss, or a cache that is down or full: the table answers.
                    self.counts.cache_misses += 1;
                    self.job(slot).story.push(Step::CacheMiss);
                    let rank = job.req.key;
                    self.call_for(ctx, slot, self.dbs[0], (Op::Read, rank), Call::job(slot), Phase::DbRead);
                }
            }
            Phase::DbRead => {
                if resp.status != Status::Ok {
                    return self.finish(ctx, slot, resp.status);
                }
                self.job(slot).story.push(Step::Db { found: resp.hit });
                if resp.hit
                    && let Some(link) = self.cache
                {
                    self.call(ctx, link, Op::Set, job.req.key, 0, Call::unanswered(For::Nobody));
                }
                self.answer_redirect(ctx, slot, resp.hit);
            }
            Phase::Service | Phase::WaitId => {}
        }
    }

    fn apply_params(&mut self, ctx: &mut Ctx, a: AppParams) {
        if let Some(ids) = a.ids {
            let was = self.spec.ids.strategy;
            self.spec.ids = ids;
            if was == Strategy::Range && self.spec.ids.strategy != Strategy::Range {
                // The rest of the block is never used.
                self.counts.wasted_ids += self.block_end - self.block_next;
                self.block_next = self.block_end;
            }
        }
        if let Some(pad) = a.pad_to {
            self.spec.pad_to = (pad > 0).then_some(pad);
        }
        if let Some(code) = a.redirect {
            self.spec.redirect = code;
        }
        if let Some(skew) = a.clock_skew_ms {
            self.spec.clock_skew_ms = skew;
        }
        self.pump(ctx);
    }
}

impl Node for App {
    fn start(&mut self, _ctx: &mut Ctx) {}

    fn on_message(&mut self, ctx: &mut Ctx, _from: NodeIdx, payload: Payload) {
        match payload {
            Payload::Request(req) => {
                self.st.integrate(ctx.now());
                match self.st.admit(ctx.now(), req) {
                    Admit::Start(req) => self.start_job(ctx, req),
                    Admit::Queued => {}
                    Admit::Dropped(req) => {
                        // Refused at the door: the queue is full.
                        self.count_failed(req.op);
                        ctx.reply(req, Status::Dropped);
                    }
                }
            }
            Payload::Timer { tag: TAG_SERVICE, slot } => {
                let Some(job) = self.jobs.get(slot as usize).copied().flatten() else { return };
                if job.phase != Phase::Service {
                    return;
                }
                if job.req.op == Op::Write {
                    self.job(slot).phase = Phase::WaitId;
                    self.waiting.push_back(slot);
                    self.pump(ctx);
                } else {
                    self.begin_redirect(ctx, slot);
                }
            }
            Payload::Timer { tag: TAG_TICK, .. } => {
                self.tick_set = false;
                self.pump(ctx);
            }
            Payload::Response(resp) => self.on_answer(ctx, resp),
            _ => {}
        }
    }

    fn on_fail(&mut self, ctx: &mut Ctx) {
        self.st.integrate(ctx.now());
        let mut lost: Vec<Request> = self.jobs.iter_mut().filter_map(Option::take).map(|j| j.req).collect();
        lost.extend(self.st.drain());
        self.free_jobs = (0..self.jobs.len() as u32).rev().collect();
        self.waiting.clear();
        self.tick_set = false;
        // What was left of the leased block is gone with the process, and so
        // is a block leased for it but not yet received.
        self.counts.wasted_ids += self.block_end - self.block_next;
        self.block_next = 0;
        self.block_end = 0;
        if let Some(lease) = self.lease_out.take() {
            if self.orphan_leases.len() == MAX_ORPHAN_LEASES {
                self.orphan_leases.remove(0);
            }
            self.orphan_leases.push(lease);
        }
        for req in lost {
            self.st.reset += 1;
            self.count_failed(req.op);
            ctx.reply(req, Status::Reset);
        }
    }

    fn set(&mut self, ctx: &mut Ctx, change: &Change) {
        self.st.integrate(ctx.now());
        if let Some(st) = &change.service_time {
            self.service = service_time(st);
            self.spec.service_time = st.clone();
        }
        if let Some(w) = change.workers {
            self.st.workers = w;
            self.spec.workers = w;
            self.start_queued(ctx);
        }
        // Validated by `check_params`.
        if let Some(a) = change.params.as_ref().and_then(crate::sim::validate::read_as::<AppParams>) {
            self.apply_params(ctx, a);
        }
    }

    fn view(&self) -> NodeView {
        let c = &self.counts;
        let mut v = self.st.view("url_app");
        v.params = Some(OwnPart::new(self.spec.clone()));
        // Every request answered with an error: drops and crashes included.
        v.errors = c.writes_failed + c.redirects_failed;
        v.figures = vec![
            ("Writes ok", c.writes_ok as f64),
            ("Writes failed", c.writes_failed as f64),
            ("Hash collisions", c.collisions as f64),
            ("Salted retries", c.retries as f64),
            ("Deduplicated", c.deduplicated as f64),
            ("Unique-key violations", c.violations as f64),
            ("Sequence waits", c.sequence_waits as f64),
            ("Clock refusals", c.clock_refusals as f64),
            ("Blocks leased", c.leases as f64),
            ("Ids left in block", (self.block_end - self.block_next) as f64),
            ("Wasted ids", c.wasted_ids as f64),
            ("Refused: no block", c.no_block_refusals as f64),
            ("Redirects", c.redirects as f64),
            ("Cache hits", c.cache_hits as f64),
            ("Cache misses", c.cache_misses as f64),
            ("Clicks sent", c.clicks_sent as f64),
        ];
        let mut newest: Vec<&StoryBuf> = self.stories.iter().flatten().collect();
        newest.sort_by_key(|s| std::cmp::Reverse(s.req_id));
        v.stories = newest
            .into_iter()
            .map(|s| Story {
                req_id: s.req_id,
                class: if s.write { "write" } else { "redirect" },
                text: s.text(),
                failed: s.failed,
            })
            .collect();
        v
    }

    fn sample(&mut self, now: SimTime) -> NodeSample {
        self.st.sample(now)
    }

    fn summary(&self, now: SimTime, _topo: &Topology) -> NodeSummary {
        let c = &self.counts;
        let mut s = self.st.summary("url_app", now);
        let lookups = c.cache_hits + c.cache_misses;
        s.figures = crate::sim::family::figures(&[
            ("writes_ok", Figure::Count(c.writes_ok)),
            ("writes_failed", Figure::Count(c.writes_failed)),
            ("collisions", Figure::Count(c.collisions)),
            ("retries", Figure::Count(c.retries)),
            ("gave_up", Figure::Count(c.gave_up)),
            ("deduplicated", Figure::Count(c.deduplicated)),
            ("duplicates", Figure::Count(c.violations)),
            ("sequence_waits", Figure::Count(c.sequence_waits)),
            ("clock_refusals", Figure::Count(c.clock_refusals)),
            ("blocks_leased", Figure::Count(c.leases)),
            ("lease_failures", Figure::Count(c.lease_failures)),
            ("refused_no_block", Figure::Count(c.no_block_refusals)),
            ("wasted_ids", Figure::Count(c.wasted_ids)),
            ("redirects", Figure::Count(c.redirects)),
            ("answered_301", Figure::Count(c.answered_301)),
            ("answered_302", Figure::Count(c.answered_302)),
            ("not_found", Figure::Count(c.not_found)),
            ("cache_hits", Figure::Count(c.cache_hits)),
            ("cache_misses", Figure::Count(c.cache_misses)),
            ("cache_hit_ratio", Figure::Value(if lookups > 0 { c.cache_hits as f64 / lookups as f64 } else { 0.0 })),
            ("clicks_sent", Figure::Count(c.clicks_sent)),
        ]);
        s
    }
}
