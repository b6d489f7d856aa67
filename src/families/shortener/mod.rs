//! The URL shortener (issue 15): the ID strategies side by side, the write
//! and redirect paths, and the estimate that sizes them.
//!
//! ```text
//!   url_users ─► load_balancer ─► url_app ─┬─► cache          (redirects: get; set on a miss)
//!   POST / GET                   (ids,     ├─► url_db         (the table: unique index on the code,
//!                                 301/302) │                   auto-increment counter)
//!                                          ├─► id_coordinator (range: leases blocks of ids)
//!                                          └─► server         (click analytics, fire and forget)
//! ```
//! The algorithms the strategies rest on are public at the crate root and
//! checked against the real systems' vectors (`tests/shortener.rs`):
//! [`base62`] (codes in `0-9a-zA-Z`), [`snowflake`] (Twitter's 64-bit
//! layout), [`hash`] (a digest of the long URL cut to `len` characters) and
//! [`estimate`] (the back-of-the-envelope sizing).

pub mod app;
pub mod base62;
pub mod coordinator;
pub mod estimate;
pub mod hash;
pub mod kinds;
pub mod presets;
pub mod snowflake;
pub mod spec;
pub mod table;
#[cfg(feature = "web")]
pub mod ui;
pub mod users;

use crate::families::Glyph;

pub const FAMILY: super::Family = super::Family {
    id: "shortener",
    title: "URL shortener",
    kinds: &["url_users", "url_app", "url_db", "id_coordinator"],
    presets: presets::PRESETS,
    glyphs: &[("url_users", Glyph::Circle("U"))],
    // Its kinds, panel, editors and tooltips come from its chunk.
    code: super::Code::Chunk(kinds::chunk),
    #[cfg(feature = "web")]
    inspector: None,
    #[cfg(feature = "web")]
    describe: None,
    #[cfg(feature = "web")]
    panel_in_embed: true,
    #[cfg(feature = "web")]
    panel: None,
};

/// A code as the table indexes it: its length in characters and its value
/// in base62 (so `0005` and `5` are different codes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Code {
    pub len: u8,
    pub value: u64,
}

impl Code {
    /// The code of `value` written with at least `pad` characters.
    pub fn of(value: u64, pad: u32) -> Code {
        let mut digits = 1;
        let mut v = value / 62;
        while v > 0 {
            digits += 1;
            v /= 62;
        }
        Code { len: digits.max(pad) as u8, value }
    }

    pub fn text(self) -> String {
        base62::encode_padded(self.value, usize::from(self.len))
    }
}

/// How the app and the table speak (a call's `tag`): the app's job slot
/// in the high bits; in bits 0–3 an insert's code length (a code written
/// with `len` characters: `Code::of(value, len)` is that code exactly, as
/// `value` fits in `len`) or an auto-increment's padding; and (an
/// auto-increment) whether to insert the row too in bit 4.
pub(crate) mod wire {
    pub const PAD_MASK: u32 = 0xF;
    pub const INSERT: u32 = 1 << 4;
    pub const SLOT_SHIFT: u32 = 8;
    /// An answer nobody waits for (a cache fill, an analytics message).
    pub const NO_SLOT: u32 = u32::MAX;
    /// The answer to a lease request.
    pub const LEASE: u32 = u32::MAX - 1;
}
