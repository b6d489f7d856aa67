//! Storage: the `cache` node (a bounded key cache in front of something
//! slower) and the `database` node (reads and writes behind a connection
//! limit), their spec types, and the cache's store, checked on its own
//! against caching theory.

pub mod cache;
pub mod cache_store;
pub mod database;
pub mod kinds;
pub mod presets;
pub mod spec;
#[cfg(feature = "web")]
pub mod ui;

pub const FAMILY: super::family::Family = super::family::Family {
    id: "storage",
    title: "Storage",
    kinds: &["cache", "database"],
    presets: presets::PRESETS,
    // Its kinds and editor come from its chunk.
    code: super::family::Code::Chunk(kinds::chunk),
    glyphs: &[],
    #[cfg(feature = "web")]
    panel_in_embed: false,
    #[cfg(feature = "web")]
    editors: None,
};
