//! Twitter's Snowflake id layout: one reserved (sign) bit, 41 bits of
//! milliseconds since an epoch, 5 bits of datacenter, 5 of worker, 12 of
//! sequence (4,096 ids per millisecond per worker).
//!
//! ```text
//!  63 | 62 ............ 22 | 21 .. 17 | 16 .. 12 | 11 ....... 0
//!   0 |  ms since epoch    | datactr  |  worker  |  sequence
//! ```

/// Twitter's epoch, in Unix milliseconds (2010-11-04 01:42:54.657 UTC).
pub const TWITTER_EPOCH_MS: u64 = 1_288_834_974_657;

pub const TIMESTAMP_BITS: u32 = 41;
pub const DATACENTER_BITS: u32 = 5;
pub const WORKER_BITS: u32 = 5;
pub const SEQUENCE_BITS: u32 = 12;
/// Ids one worker can make in one millisecond.
pub const SEQUENCE_PER_MS: u32 = 1 << SEQUENCE_BITS;

const WORKER_SHIFT: u32 = SEQUENCE_BITS;
const DATACENTER_SHIFT: u32 = SEQUENCE_BITS + WORKER_BITS;
const TIMESTAMP_SHIFT: u32 = SEQUENCE_BITS + WORKER_BITS + DATACENTER_BITS;

/// The fields of one id; `timestamp_ms` in Unix milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Snowflake {
    pub timestamp_ms: u64,
    pub datacenter: u8,
    pub worker: u8,
    pub sequence: u16,
}

/// The id of `s` for `epoch_ms`. Fields are cut to their widths (the caller
/// keeps `timestamp_ms` within 2^41 ms, about 69 years, of the epoch).
pub fn compose(s: &Snowflake, epoch_ms: u64) -> u64 {
    let since = s.timestamp_ms.saturating_sub(epoch_ms) & ((1 << TIMESTAMP_BITS) - 1);
    since << TIMESTAMP_SHIFT
        | (u64::from(s.datacenter) & ((1 << DATACENTER_BITS) - 1)) << DATACENTER_SHIFT
        | (u64::from(s.worker) & ((1 << WORKER_BITS) - 1)) << WORKER_SHIFT
        | u64::from(s.sequence) & ((1 << SEQUENCE_BITS) - 1)
}

/// The fields of `id` for `epoch_ms`.
pub fn decompose(id: u64, epoch_ms: u64) -> Snowflake {
    Snowflake {
        timestamp_ms: (id >> TIMESTAMP_SHIFT) + epoch_ms,
        datacenter: ((id >> DATACENTER_SHIFT) & ((1 << DATACENTER_BITS) - 1)) as u8,
        worker: ((id >> WORKER_SHIFT) & ((1 << WORKER_BITS) - 1)) as u8,
        sequence: (id & ((1 << SEQUENCE_BITS) - 1)) as u16,
    }
}
