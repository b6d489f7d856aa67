//! Sharding: the sharded store (shards, replicas, quorums, routing tiers)
//! and where its keys live: key placement by the consistent-hash ring
//! (`families::ring`, shared with other families), ranges or modulo
//! (`placement`).

pub mod kinds;
pub mod placement;
pub mod presets;
pub mod sharded_store;
pub mod spec;
#[cfg(feature = "web")]
pub mod ui;

pub const FAMILY: super::family::Family = super::family::Family {
    id: "sharding",
    title: "Sharding",
    kinds: &["sharded_store"],
    presets: presets::PRESETS,
    // Its kind, panel, editor and tooltip come from its chunk.
    code: super::family::Code::Chunk(kinds::chunk),
    glyphs: &[],
    #[cfg(feature = "web")]
    panel_in_embed: true,
    #[cfg(feature = "web")]
    editors: None,
};
