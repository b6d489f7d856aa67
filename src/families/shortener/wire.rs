//! How the app speaks to the table, the coordinator and its cache: each
//! call's note ([`Call`], a request's typed fields; see
//! `crate::sim::request::Note`), carried back unchanged by the answer.

use bytemuck::{CheckedBitPattern, NoUninit};

/// Whom an answer is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, NoUninit, CheckedBitPattern)]
#[repr(u8)]
pub enum For {
    /// The job in [`Call::slot`].
    Job = 0,
    /// Nobody waits for it (a cache fill, an analytics message).
    Nobody = 1,
    /// A lease of ids from the coordinator.
    Lease = 2,
}

/// A call's note.
#[derive(Clone, Copy, Debug, PartialEq, NoUninit, CheckedBitPattern)]
#[repr(C, packed)]
pub struct Call {
    /// The app's job slot (for [`For::Job`]).
    pub slot: u32,
    pub answer: For,
    /// An insert's code length (a code written with `len` characters:
    /// `Code::of(value, len)` is that code exactly, as `value` fits in
    /// `len`), or an auto-increment's padding.
    pub len: u8,
    /// An auto-increment that inserts the row too.
    pub insert: bool,
}

impl Call {
    /// A call for job `slot`.
    pub fn job(slot: u32) -> Call {
        Call { slot, answer: For::Job, len: 0, insert: false }
    }

    /// A call nobody waits for the answer to, or a lease.
    pub fn unanswered(answer: For) -> Call {
        Call { slot: 0, answer, len: 0, insert: false }
    }
}
