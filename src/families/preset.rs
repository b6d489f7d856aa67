//! One of a family's gallery entries. A leaf: the families' presets and
//! the app's state (`ui::state::Lab`) name it, below the registry.

use crate::lessons::Figure;
use crate::sim::spec::FaultSpec;

/// One of a family's gallery entries (`families/<family>/presets.rs`, the
/// scenario file in `public/presets/`, embedded at build time).
pub struct Preset {
    /// Stable id, used in URLs and on the command line.
    pub id: &'static str,
    /// Gallery title.
    pub title: &'static str,
    /// One line on what you will learn.
    pub lesson: &'static str,
    /// A single emoji-free glyph for the gallery card.
    pub icon: &'static str,
    /// The scenario, format v1.
    pub json: &'static str,
    /// The playback speed it opens at (simulated seconds per wall second).
    pub speed: f64,
    /// Opens as an A/B comparison: variant B is the scenario plus this edit at time 0.
    pub compare_b: Option<fn() -> FaultSpec>,
    /// What the lesson is about: the figures it names, at the moments it
    /// names, and which way is better; the first is the one the A/B
    /// verdict leads with (`crate::lessons`; `tests/lessons.rs` checks the
    /// lesson's claim against them).
    pub figures: &'static [Figure],
}
