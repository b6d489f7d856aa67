//! The families of node kinds, one folder each, and the one registry that
//! lists them ([`FAMILIES`]).
//!
//! ```text
//!   families/<family>/   spec.rs      its part of scenario format v1
//!                        <kind>.rs    node models: validation, Node impl, view, summary
//!                        presets.rs   its gallery entries (files in public/presets/) and their lessons
//!                        ui.rs        its panel (feature `web`), if it has one
//!                        kinds.rs     its kinds as the registry reaches them (TypedKind)
//!   families/ring.rs     the consistent-hash ring and key hashing several families use
//!   families/family.rs   what a family is and hands over (Family, Parts, Code, Glyph)
//!   families/preset.rs   one gallery entry (Preset) and its lesson (Lesson)
//!   families/mod.rs      FAMILIES and KINDS: what the validator, CLI, gallery and app iterate
//! ```
//! Everything here but the `ui.rs` files is pure, as `src/sim` is (a tidy
//! test checks both). The core imports nothing from here: it reaches the
//! kinds through [`KINDS`] (as `sim::family::Kinds`) and each node's
//! `OwnKind`. A family's folder imports `family.rs` and `preset.rs`, never
//! this file (a tidy test fails on any import circle).

pub mod chat;
pub mod family;
pub mod messaging;
pub mod offers;
pub mod preset;
pub mod replication;
pub mod ring;
pub mod sharding;
pub mod shortener;
pub mod storage;
pub mod web_tier;

pub use family::{Chunk, ChunkError, ChunksFailed, Code, Family, Glyph, Parts, the_families};

/// The family that owns the kind `name`.
pub fn family_of(kind: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.kinds.contains(&kind))
}

/// The family whose gallery lists `preset`.
pub fn family_of_preset(preset: &preset::Preset) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.presets.iter().any(|p| p.id == preset.id))
}

/// The lesson of `preset` (its A/B variant B, its figures), from its
/// family's parts: `None` while a chunk family's code is not loaded (an
/// open waits for it: `ui::open`), never once it is
/// (`every_preset_has_one_lesson_and_every_lesson_a_preset`).
pub fn lesson_of(preset: &preset::Preset) -> Option<&'static preset::Lesson> {
    family_of_preset(preset)?.lesson(preset.id)
}

/// The [`OwnKind`](crate::sim::kind::OwnKind) named `name`, if its family's
/// code is in the main module or loaded (or loads at once).
pub fn own_kind(name: &str) -> Option<&'static dyn crate::sim::kind::OwnKind> {
    family_of(name)?.parts()?.kinds.iter().copied().find(|k| k.name() == name)
}

/// The registry as the core asks it (`sim::family::Kinds`): what
/// `Scenario::from_json` and a share link's reader parse with.
pub struct Registry;

/// The one registry.
pub static KINDS: Registry = Registry;

impl crate::sim::kind::Kinds for Registry {
    fn kind(&self, name: &str) -> Option<&'static dyn crate::sim::kind::OwnKind> {
        own_kind(name)
    }
    fn missing(&self, name: &str) -> Option<String> {
        // A split build parses only after the UI has loaded the family
        // (`to_load`); this is a bug if seen.
        let family = family_of(name).filter(|f| !f.ready())?;
        Some(format!("the code of the {} family (kind `{name}`) is not loaded yet; reload the page", family.title))
    }
    fn names(&self) -> Vec<&'static str> {
        kind_names().collect()
    }
}

impl crate::sim::validate::Scenario {
    /// Parses and validates scenario JSON, with every kind of every family
    /// ([`KINDS`]).
    pub fn from_json(text: &str) -> Result<Self, crate::sim::validate::ScenarioError> {
        Self::read_json(text, &KINDS)
    }
}

/// The families with a chunk not loaded yet that the `scenarios` (scenario
/// files, read as JSON) have nodes of, each once: what to `load` before
/// parsing them on a split build.
pub fn to_load<'a>(scenarios: impl IntoIterator<Item = &'a serde_json::Value>) -> Vec<&'static Family> {
    let mut out: Vec<&'static Family> = Vec::new();
    for value in scenarios {
        let nodes = value.get("nodes").and_then(|n| n.as_array()).map_or(&[][..], |v| v.as_slice());
        for kind in nodes.iter().filter_map(|n| n.get("kind")?.as_str()) {
            if let Some(f) = family_of(kind)
                && !f.ready()
                && !out.iter().any(|o| o.id == f.id)
            {
                out.push(f);
            }
        }
    }
    out
}

/// What opening `presets` and `scenarios` (scenario files, read as JSON)
/// must fetch first, each family once: the chunks not loaded yet that the
/// scenarios and the presets' files name, and the family of each preset
/// whose file the page has not fetched yet (a chunk family's, in the
/// release build: its file comes with its code).
pub fn to_fetch(presets: &[&'static preset::Preset], scenarios: &[serde_json::Value]) -> Vec<&'static Family> {
    // Every chunk in (always off the split build): no file to read for them.
    let mut out = if FAMILIES.iter().all(Family::ready) {
        Vec::new()
    } else {
        let texts = presets.iter().filter_map(|p| serde_json::from_str(p.text()?).ok());
        to_load(&scenarios.iter().cloned().chain(texts).collect::<Vec<serde_json::Value>>())
    };
    for family in presets.iter().filter(|p| p.text().is_none()).filter_map(|p| family_of_preset(p)) {
        if !out.iter().any(|f| f.id == family.id) {
            out.push(family);
        }
    }
    out
}

/// [`to_load`] of one scenario's text (none if it is not JSON: the
/// parser then reports that).
pub fn to_load_text(text: &str) -> Vec<&'static Family> {
    serde_json::from_str::<serde_json::Value>(text).map(|v| to_load([&v])).unwrap_or_default()
}

/// Fetches the chunks of `families` (what [`to_load`] named), in turn;
/// names the families whose chunk did not load.
pub async fn load_all(families: Vec<&'static Family>) -> Result<(), ChunksFailed> {
    let mut failed = Vec::new();
    for family in families {
        if family.load().await.is_err() {
            failed.push(family);
        }
    }
    if failed.is_empty() { Ok(()) } else { Err(ChunksFailed(failed)) }
}

/// How the diagram draws `kind`.
pub fn glyph(kind: &str) -> Glyph {
    FAMILIES.iter().flat_map(|f| f.glyphs.iter()).find(|(k, _)| *k == kind).map_or(Glyph::Station, |&(_, g)| g)
}

/// Every family, in gallery order.
pub const FAMILIES: &[Family] = &[
    web_tier::FAMILY,
    storage::FAMILY,
    messaging::FAMILY,
    sharding::FAMILY,
    shortener::FAMILY,
    chat::FAMILY,
    replication::FAMILY,
];

/// Every kind name, family by family.
pub fn kind_names() -> impl Iterator<Item = &'static str> {
    FAMILIES.iter().flat_map(|f| f.kinds.iter().copied())
}

#[cfg(test)]
mod tests {
    /// A family's `LESSONS` (in its parts) and its `PRESETS` (its cards)
    /// name the same presets in the same order: a preset without a lesson
    /// would open without its comparison and figures, a lesson without a
    /// preset is dead weight in its chunk.
    #[test]
    fn every_preset_has_one_lesson_and_every_lesson_a_preset() {
        for family in super::FAMILIES {
            let parts = family.parts().expect("every chunk loads at once off the split build");
            let cards: Vec<&str> = family.presets.iter().map(|p| p.id).collect();
            let lessons: Vec<&str> = parts.lessons.iter().map(|l| l.id).collect();
            let without: Vec<&&str> = cards.iter().filter(|id| !lessons.contains(id)).collect();
            let orphans: Vec<&&str> = lessons.iter().filter(|id| !cards.contains(id)).collect();
            assert!(
                without.is_empty() && orphans.is_empty(),
                "{}: presets without a lesson (LESSONS): {without:?}; lessons of no preset (PRESETS): {orphans:?}",
                family.id
            );
            assert_eq!(lessons, cards, "{}: LESSONS in the order of PRESETS, each once", family.id);
        }
        for p in crate::presets::all() {
            let lesson = super::lesson_of(p).unwrap_or_else(|| panic!("{}: no lesson found", p.id));
            assert_eq!(lesson.id, p.id);
        }
    }

    /// `NodeSpec::spec_of` knows a node by its spec's type: no two kinds
    /// may share one. Every kind, as the presets use them.
    #[test]
    fn every_kind_has_a_spec_type_of_its_own() {
        let mut seen: Vec<(&str, std::any::TypeId)> = Vec::new();
        for p in crate::presets::all() {
            for n in crate::Scenario::from_json(p.json()).expect("a valid preset").node_specs.iter() {
                if !seen.iter().any(|(k, _)| *k == n.kind_name()) {
                    seen.push((n.kind_name(), n.spec_type()));
                }
            }
        }
        let missing: Vec<&str> = super::kind_names().filter(|k| !seen.iter().any(|(s, _)| s == k)).collect();
        assert!(missing.is_empty(), "kinds no preset uses: {missing:?}");
        for (i, (a, ta)) in seen.iter().enumerate() {
            for (b, tb) in &seen[i + 1..] {
                assert_ne!(ta, tb, "`{a}` and `{b}` share a spec type");
            }
        }
    }
}
