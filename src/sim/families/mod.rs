//! One folder per family of node kinds: its node models (each with its
//! validation, view and summary data) and the algorithms they rest on.
//! `nodes/mod.rs` registers the kinds; `family.rs` declares the messages,
//! views and summaries the engine carries for them.
//!
//! Still outside the folders (issue 13's next step): each kind's spec type
//! (`spec.rs`), its presets (`presets.rs`, `public/presets/`) and its panels
//! (`ui/`).

pub mod messaging;
pub mod sharding;
pub mod web_tier;
