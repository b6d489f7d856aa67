//! How the app and the table speak (a call's `tag`): the app's job slot
//! in the high bits; in bits 0–3 an insert's code length (a code written
//! with `len` characters: `Code::of(value, len)` is that code exactly, as
//! `value` fits in `len`) or an auto-increment's padding; and (an
//! auto-increment) whether to insert the row too in bit 4.
pub const PAD_MASK: u32 = 0xF;
pub const INSERT: u32 = 1 << 4;
pub const SLOT_SHIFT: u32 = 8;
/// An answer nobody waits for (a cache fill, an analytics message).
pub const NO_SLOT: u32 = u32::MAX;
/// The answer to a lease request.
pub const LEASE: u32 = u32::MAX - 1;
