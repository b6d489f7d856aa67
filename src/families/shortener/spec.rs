//! Scenario format v1, the URL shortener's part: the people who shorten
//! and follow links (`url_users`), the app server with its ID strategy
//! (`url_app`), the URL table (`url_db`) and the ID-range coordinator
//! (`id_coordinator`) (re-exported by `sim::spec`, where `NodeSpec` lists
//! them). Live edits of these kinds go through a `set` entry's `params`,
//! an object of the fields below that the kind's `Params` type lists.

use serde::{Deserialize, Serialize};

use super::hash::Hash;
use crate::sim::spec::ServiceTimeSpec;
use crate::sim::spec::defaults::{default_queue_capacity, is_default_queue_capacity, is_one_f64, is_zero_f64, one_f64};

/// People shortening links (POST) and following them (GET), each a
/// Poisson stream. Redirects pick a code by popularity (`codes`, a Zipf
/// law of `exponent` over the table's rows, rank 0 the hottest); a 301
/// answer is remembered by the visitor's browser, so its repeat visits
/// never reach the service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UrlUsersSpec {
    pub id: String,
    /// New links per second. Default 100.
    #[serde(default = "default_writes_per_s", skip_serializing_if = "is_default_writes_per_s")]
    pub writes_per_s: f64,
    /// Redirects per second. Default 1000.
    #[serde(default = "default_redirects_per_s", skip_serializing_if = "is_default_redirects_per_s")]
    pub redirects_per_s: f64,
    /// Visitors, each with a browser that remembers 301s. Default 100,000.
    #[serde(default = "default_url_users", skip_serializing_if = "is_default_url_users")]
    pub users: u32,
    /// Distinct long URLs people shorten (a smaller pool repeats URLs,
    /// which a hashed code deduplicates). Default 1,000,000,000.
    #[serde(default = "default_long_urls", skip_serializing_if = "is_default_long_urls")]
    pub long_urls: u64,
    /// Codes redirects are spread over (the table's first rows). Default 100,000.
    #[serde(default = "default_codes", skip_serializing_if = "is_default_codes")]
    pub codes: u64,
    /// Zipf exponent of their popularity (0: all alike). Default 1.
    #[serde(default = "one_f64", skip_serializing_if = "is_one_f64")]
    pub exponent: f64,
    /// Share of redirects that go to the one viral code (rank 0). Default 0.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub viral_share: f64,
}

/// Live edits of `url_users` (`set` with `params`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsersParams {
    pub writes_per_s: Option<f64>,
    pub redirects_per_s: Option<f64>,
    pub viral_share: Option<f64>,
}

/// The app server: workers behind a queue; a write gets an ID by its
/// strategy and inserts the code into the table (the first `url_db` it
/// links to); a redirect reads the cache (a `cache` it links to, if any),
/// the table on a miss, and answers 301 or 302. A `server` it links to
/// gets one click-analytics message per redirect answered (fire and forget).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UrlAppSpec {
    pub id: String,
    /// Requests served at once. Default 32.
    #[serde(default = "default_app_workers", skip_serializing_if = "is_default_app_workers")]
    pub workers: u32,
    /// Requests that may wait; one more is dropped (503). Default 1000.
    #[serde(default = "default_queue_capacity", skip_serializing_if = "is_default_queue_capacity")]
    pub queue_capacity: u64,
    /// The app's own time per request. Default constant 1 ms.
    #[serde(default = "default_app_service", skip_serializing_if = "is_default_app_service")]
    pub service_time: ServiceTimeSpec,
    pub ids: IdsSpec,
    /// Codes shorter than this are left-padded with `0` (1 to 11); a
    /// hashed code always has its `length`. Default: no padding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pad_to: Option<u32>,
    /// 301 (permanent: browsers remember it) or 302 (every visit comes
    /// back, so every click is counted). Default 302.
    #[serde(default = "default_redirect", skip_serializing_if = "is_default_redirect")]
    pub redirect: u16,
    /// The app's wall clock at the run's time 0, in Unix milliseconds
    /// (what Snowflake ids are stamped from), 0 to 2^42. Default
    /// 2026-01-01T00:00:00Z.
    #[serde(default = "default_clock_start_ms", skip_serializing_if = "is_default_clock_start_ms")]
    pub clock_start_ms: u64,
    /// The app's clock error now: negative runs it behind (a clock stepped
    /// back). Default 0.
    #[serde(default, skip_serializing_if = "is_zero_f64")]
    pub clock_skew_ms: f64,
}

/// Live edits of `url_app` (`set` with `params`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppParams {
    pub ids: Option<IdsSpec>,
    /// 0 removes the padding.
    pub pad_to: Option<u32>,
    pub redirect: Option<u16>,
    pub clock_skew_ms: Option<f64>,
}

/// How a write gets its unique number (or, for `hash`, its code).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// The database's auto-increment: one round trip to the counting
    /// database per write, serialised by its counter's lock.
    #[default]
    Counter,
    /// A digest of the long URL cut to `length` base62 characters.
    Hash,
    /// Twitter's layout, made by the app itself: ms since `epoch_ms`,
    /// datacenter, worker, sequence.
    Snowflake,
    /// Blocks of `block` ids leased from an `id_coordinator`.
    Range,
}

impl Strategy {
    pub const ALL: [Strategy; 4] = [Strategy::Counter, Strategy::Hash, Strategy::Snowflake, Strategy::Range];

    pub fn name(self) -> &'static str {
        match self {
            Strategy::Counter => "counter",
            Strategy::Hash => "hash",
            Strategy::Snowflake => "snowflake",
            Strategy::Range => "range",
        }
    }
}

/// An ID strategy and its settings; a field that does not apply to the
/// strategy is an error naming it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdsSpec {
    pub strategy: Strategy,
    /// `hash`: the digest. Default md5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<Hash>,
    /// `hash`: code length, 1 to 11. Default 7.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    /// `hash`: salted retries after a collision, 0 to 20. Default 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<u32>,
    /// `snowflake`: the epoch, Unix ms, at or before the app's clock. Default Twitter's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch_ms: Option<u64>,
    /// `snowflake`: 0 to 31. Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datacenter: Option<u32>,
    /// `snowflake`: 0 to 31. Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker: Option<u32>,
    /// `range`: ids per lease, 1 to 10,000,000. Default 1000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<u64>,
}

impl IdsSpec {
    pub fn hash(&self) -> Hash {
        self.hash.unwrap_or_default()
    }
    pub fn length(&self) -> u32 {
        self.length.unwrap_or(7)
    }
    pub fn max_retries(&self) -> u32 {
        self.max_retries.unwrap_or(5)
    }
    pub fn epoch_ms(&self) -> u64 {
        self.epoch_ms.unwrap_or(super::snowflake::TWITTER_EPOCH_MS)
    }
    pub fn block(&self) -> u64 {
        self.block.unwrap_or(1000)
    }
}

/// The URL table: rows (code → long URL) under a unique index on the code,
/// an auto-increment counter, reads and writes served by `workers`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UrlDbSpec {
    pub id: String,
    /// Queries served at once. Default 16.
    #[serde(default = "default_db_workers", skip_serializing_if = "is_default_db_workers")]
    pub workers: u32,
    #[serde(default = "default_queue_capacity", skip_serializing_if = "is_default_queue_capacity")]
    pub queue_capacity: u64,
    /// A lookup by code. Default exponential, mean 2 ms.
    #[serde(default = "default_url_read", skip_serializing_if = "is_default_url_read")]
    pub read_time: ServiceTimeSpec,
    /// An insert under the unique index. Default exponential, mean 5 ms.
    #[serde(default = "default_url_write", skip_serializing_if = "is_default_url_write")]
    pub write_time: ServiceTimeSpec,
    /// The auto-increment: one at a time under its lock. Default constant 0.5 ms.
    #[serde(default = "default_counter_time", skip_serializing_if = "is_default_counter_time")]
    pub counter_time: ServiceTimeSpec,
    /// Rows from before the run (what redirects find; they are not in the
    /// unique index the run's inserts check). Default 1,000,000.
    #[serde(default = "default_rows", skip_serializing_if = "is_default_rows")]
    pub rows: u64,
    /// The auto-increment's next value. Default 1,000,001 (after `rows`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_id: Option<u64>,
}

/// A small ZooKeeper-like node that leases blocks of ids: each lease is
/// one write to its log, one at a time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdCoordinatorSpec {
    pub id: String,
    /// One lease. Default constant 2 ms.
    #[serde(default = "default_lease_time", skip_serializing_if = "is_default_lease_time")]
    pub lease_time: ServiceTimeSpec,
    /// The first id it hands out. Default 1.
    #[serde(default = "one_u64", skip_serializing_if = "is_one_u64")]
    pub first_id: u64,
}

// This family's serde defaults (`fn NAME()` and `fn is_NAME(&T)`).
crate::sim::spec::serde_defaults! {
    default_writes_per_s, is_default_writes_per_s: f64 = 100.0;
    default_redirects_per_s, is_default_redirects_per_s: f64 = 1000.0;
    default_url_users, is_default_url_users: u32 = 100_000;
    default_long_urls, is_default_long_urls: u64 = 1_000_000_000;
    default_codes, is_default_codes: u64 = 100_000;
    default_app_workers, is_default_app_workers: u32 = 32;
    default_app_service, is_default_app_service: ServiceTimeSpec = ServiceTimeSpec::Constant { mean_ms: 1.0 };
    default_redirect, is_default_redirect: u16 = 302;
    default_clock_start_ms, is_default_clock_start_ms: u64 = 1_767_225_600_000;
    default_db_workers, is_default_db_workers: u32 = 16;
    default_url_read, is_default_url_read: ServiceTimeSpec = ServiceTimeSpec::Exponential { mean_ms: 2.0 };
    default_url_write, is_default_url_write: ServiceTimeSpec = ServiceTimeSpec::Exponential { mean_ms: 5.0 };
    default_counter_time, is_default_counter_time: ServiceTimeSpec = ServiceTimeSpec::Constant { mean_ms: 0.5 };
    default_rows, is_default_rows: u64 = 1_000_000;
    default_lease_time, is_default_lease_time: ServiceTimeSpec = ServiceTimeSpec::Constant { mean_ms: 2.0 };
    one_u64, is_one_u64: u64 = 1;
}
