//! Replication: a primary and its replicas (`replicated_db`): sync,
//! semi-sync and async replication, replica lag, stale reads, the ledger of
//! acknowledged writes, and failover with the writes it loses; a
//! ZooKeeper-like `coordinator_ensemble` (sessions, ephemeral and
//! sequential znodes, watches, a majority) that the databases elect their
//! primary through.

pub mod election;
pub mod ensemble;
pub mod kinds;
pub mod presets;
pub mod replicated_db;
pub mod spec;
pub mod told;
#[cfg(feature = "web")]
pub mod ui;
pub mod zk;

pub const FAMILY: super::family::Family = super::family::Family {
    id: "replication",
    title: "Replication and consensus",
    kinds: &["replicated_db", "coordinator_ensemble"],
    presets: presets::PRESETS,
    // Its kind, panel, editor and tooltip come from its chunk.
    code: super::family::Code::Chunk(kinds::chunk),
    glyphs: &[],
    #[cfg(feature = "web")]
    panel_in_embed: true,
    #[cfg(feature = "web")]
    editors: None,
};
