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
pub mod code;
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
pub(crate) mod wire;

use crate::families::family::Glyph;

pub const FAMILY: super::family::Family = super::family::Family {
    id: "shortener",
    title: "URL shortener",
    kinds: &["url_users", "url_app", "url_db", "id_coordinator"],
    presets: presets::PRESETS,
    glyphs: &[("url_users", Glyph::Circle("U"))],
    // Its kinds, panel, editors and tooltips come from its chunk.
    code: super::family::Code::Chunk(kinds::chunk),
    #[cfg(feature = "web")]
    panel_in_embed: true,
    #[cfg(feature = "web")]
    editors: None,
};
