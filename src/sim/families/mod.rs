//! One folder per family of node kinds: its node models (each with its
//! validation, view and summary data) and the algorithms they rest on.
//! `nodes/mod.rs` registers the kinds; `family.rs` declares the messages,
//! views and summaries the engine carries for them.
//!
//! The storage family also keeps its spec types in its folder
//! (`storage/spec.rs`, re-exported by `spec.rs`); the older families'
//! spec types are still in `spec.rs`, their presets in `public/presets/`
//! and their panels in `ui/`.

pub mod messaging;
pub mod sharding;
pub mod storage;
pub mod web_tier;
