//! Sharding: the sharded store (shards, replicas, quorums, routing tiers)
//! and where its keys live: key placement by the consistent-hash ring
//! (`families::ring`, shared with other families), ranges or modulo
//! (`placement`).

pub mod placement;
pub mod presets;
pub mod sharded_store;
pub mod spec;
#[cfg(feature = "web")]
pub mod ui;

pub const FAMILY: super::Family = super::Family {
    id: "sharding",
    title: "Sharding",
    kinds: &["sharded_store"],
    presets: presets::PRESETS,
    chunk: None,
    glyphs: &[],
    #[cfg(feature = "web")]
    inspector: Some(ui::inspector),
    #[cfg(feature = "web")]
    describe: Some(ui::describe),
    #[cfg(feature = "web")]
    panel_in_embed: true,
    #[cfg(feature = "web")]
    panel: Some(ui::panel),
};
