//! The families of node kinds, one folder each, and the one registry that
//! lists them ([`FAMILIES`]).
//!
//! ```text
//!   families/<family>/   spec.rs      its part of scenario format v1
//!                        <kind>.rs    node models: validation, Node impl, view, summary
//!                        presets.rs   its gallery entries (files in public/presets/)
//!                        ui.rs        its panel (feature `web`), if it has one
//!   families/kinds.rs    the kind registry: parse, validate, links, build
//!   families/mod.rs      FAMILIES: what the validator, CLI, gallery and app iterate
//! ```
//! Everything here but the `ui.rs` files is pure, as `src/sim` is (a tidy
//! test checks both). The engine imports only `kinds`.

pub mod kinds;
pub mod messaging;
pub mod sharding;
pub mod shortener;
pub mod storage;
pub mod web_tier;

use crate::presets::Preset;

/// One family: its kinds, its presets and (in the app) its panel.
pub struct Family {
    pub id: &'static str,
    pub title: &'static str,
    /// The `kind` names its nodes take, in the order the docs list them.
    pub kinds: &'static [&'static str],
    /// Its gallery entries, in order.
    pub presets: &'static [Preset],
    /// How the diagram draws its kinds (a kind not listed is a `Station`).
    pub glyphs: &'static [(&'static str, Glyph)],
    /// Its panel beside the diagram; it shows itself when the scene has one
    /// of the family's nodes.
    #[cfg(feature = "web")]
    pub panel: Option<crate::ui::PanelFn>,
    /// Whether an embedded lab (`?embed=1`) shows the panel too.
    #[cfg(feature = "web")]
    pub panel_in_embed: bool,
    /// The inspector's editor for its kinds (`None` for a node not its own).
    #[cfg(feature = "web")]
    pub inspector: Option<crate::ui::InspectorFn>,
    /// The diagram's tooltip for its kinds (`None` for a node not its own).
    #[cfg(feature = "web")]
    pub describe: Option<crate::ui::DescribeFn>,
}

/// How the diagram draws a node of a kind (pure data; the app draws it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Glyph {
    /// A source: a circle with a letter.
    Circle(&'static str),
    /// A router: a diamond with a label.
    Diamond(&'static str),
    /// Workers behind a queue: a box filled by load, "busy/workers · queue".
    Station,
    /// A broker: a box, "records in · queue".
    Broker,
}

/// How the diagram draws `kind`.
pub fn glyph(kind: &str) -> Glyph {
    FAMILIES.iter().flat_map(|f| f.glyphs.iter()).find(|(k, _)| *k == kind).map_or(Glyph::Station, |&(_, g)| g)
}

/// Every family, in gallery order.
pub const FAMILIES: &[Family] =
    &[web_tier::FAMILY, storage::FAMILY, messaging::FAMILY, sharding::FAMILY, shortener::FAMILY];

/// Every kind name, family by family.
pub fn kind_names() -> impl Iterator<Item = &'static str> {
    FAMILIES.iter().flat_map(|f| f.kinds.iter().copied())
}
