//! How the app speaks to the table, the coordinator and its cache: each
//! call's note ([`Call`], a request's typed fields; see
//! `crate::sim::request::Note`), carried back unchanged by the answer. The
//! request's own fields: `key` is the rank looked up, the code's value
//! written or, on a lease, the block asked for (the answer: the first id);
//! `client_id` the long URL's number (the answer to a taken code: its
//! owner's); `hit` whether the row was there (a code taken; on a
//! redirect's answer to the users, a 301).

use bytemuck::{CheckedBitPattern, NoUninit};

/// Whom an answer is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, NoUninit, CheckedBitPattern)]
#[repr(u8)]
pub enum For {
    /// The job in [`Call::slot`]. (From 1: a request with no note, all
    /// zeros, is no call.)
    Job = 1,
    /// Nobody waits for it (a cache fill, an analytics message).
    Nobody,
    /// A lease of ids from the coordinator.
    Lease,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::engine::Request;

    #[test]
    fn a_call_goes_through_a_request_and_back_and_no_note_is_no_call() {
        let mut req = Request::new(1, 0, 0, 0);
        assert_eq!(req.note::<Call>(), None, "a request with no note");
        let call = Call { len: 7, insert: true, ..Call::job(41) };
        req.set_note(call);
        let back = req.note::<Call>().expect("a call");
        assert_eq!(back, call);
        assert_eq!((back.slot, back.answer, back.len, back.insert), (41, For::Job, 7, true));
        req.set_note(Call::unanswered(For::Lease));
        assert_eq!(req.note::<Call>().map(|c| c.answer), Some(For::Lease));
    }
}
