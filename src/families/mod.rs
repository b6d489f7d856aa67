//! The families of node kinds, one folder each, and the one registry that
//! lists them ([`FAMILIES`]).
//!
//! ```text
//!   families/<family>/   spec.rs      its part of scenario format v1
//!                        <kind>.rs    node models: validation, Node impl, view, summary
//!                        presets.rs   its gallery entries (files in public/presets/)
//!                        ui.rs        its panel (feature `web`), if it has one
//!                        kinds.rs     its kinds as the registry reaches them (TypedKind)
//!   families/ring.rs     the consistent-hash ring and key hashing several families use
//!   families/mod.rs      FAMILIES and KINDS: what the validator, CLI, gallery and app iterate
//! ```
//! Everything here but the `ui.rs` files is pure, as `src/sim` is (a tidy
//! test checks both). The core imports nothing from here: it reaches the
//! kinds through [`KINDS`] (as `sim::family::Kinds`) and each node's
//! `OwnKind`.

pub mod chat;
pub mod messaging;
pub mod ring;
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
    /// Where the code of its kinds lives.
    pub code: Code,
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

/// Where a family's code lives: in the main module (the web tier: the
/// default scenario is made of it), or in a chunk of its own, which a web
/// page fetches when a scenario of the family first opens. Either way the
/// rest of the program reaches it only through its [`Parts`].
#[derive(Clone, Copy)]
pub enum Code {
    Main(&'static Parts),
    Chunk(Chunk),
}

/// A family whose code is reached only through [`Parts`], which this
/// hands over. With feature `split` (the release build) it calls a split
/// point: the first call fetches the family's wasm chunk. Elsewhere
/// (native, tests, `trunk serve`) it is ready at once. Written by
/// [`family_chunk!`](crate::family_chunk) (`split.rs`).
pub type Chunk = fn() -> ChunkLoad;

/// What a [`Chunk`] returns: the fetch of the family's code, which can fail
/// (offline, or a deploy replaced the files of the page still open).
pub type ChunkLoad = std::pin::Pin<Box<dyn std::future::Future<Output = Result<&'static Parts, ChunkError>>>>;

/// A family's chunk did not load. Nothing is cached: the next load of the
/// family tries again from scratch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkError;

/// The chunks of `families` that did not load: what the page says when an
/// open must wait for code the network did not deliver.
#[derive(Clone)]
pub struct ChunksFailed(pub Vec<&'static Family>);

impl std::fmt::Debug for ChunksFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.0.iter().map(|family| family.id)).finish()
    }
}

/// "the URL shortener family", "the URL shortener and Chat families": how
/// the page names the families whose code it waits for or missed.
pub fn the_families(families: &[&'static Family]) -> String {
    let titles: Vec<&str> = families.iter().map(|f| f.title).collect();
    match titles.as_slice() {
        [one] => format!("the {one} family"),
        [init @ .., last] => format!("the {} and {last} families", init.join(", ")),
        [] => "no family".to_string(),
    }
}

impl std::fmt::Display for ChunksFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Could not load the code of {}: the network request failed (offline, or the site was updated since \
             this page opened).",
            the_families(&self.0)
        )
    }
}

/// The chunks loaded so far, by family id.
static LOADED: std::sync::Mutex<Vec<(&'static str, &'static Parts)>> = std::sync::Mutex::new(Vec::new());

fn loaded(id: &str) -> Option<&'static Parts> {
    LOADED.lock().ok()?.iter().find(|(f, _)| *f == id).map(|&(_, p)| p)
}

fn remember(id: &'static str, parts: &'static Parts) {
    if let Ok(mut l) = LOADED.lock()
        && !l.iter().any(|(f, _)| *f == id)
    {
        l.push((id, parts));
    }
}

/// What a family's chunk holds: its kinds and, in the app, its panel,
/// inspector editors and tooltips (as `Family` has them for a family in
/// the main module).
pub struct Parts {
    pub kinds: &'static [&'static dyn crate::sim::kind::OwnKind],
    #[cfg(feature = "web")]
    pub panel: Option<crate::ui::PanelFn>,
    #[cfg(feature = "web")]
    pub inspector: Option<crate::ui::InspectorFn>,
    #[cfg(feature = "web")]
    pub describe: Option<crate::ui::DescribeFn>,
}

impl Family {
    /// Its chunk's parts, if loaded. A load that is ready at once (every
    /// build but the split one) happens here, on first use.
    pub fn parts(&self) -> Option<&'static Parts> {
        let chunk = match self.code {
            Code::Main(parts) => return Some(parts),
            Code::Chunk(chunk) => chunk,
        };
        if let Some(parts) = loaded(self.id) {
            return Some(parts);
        }
        if cfg!(feature = "split") {
            return None;
        }
        let mut load = chunk();
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match load.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(Ok(parts)) => {
                remember(self.id, parts);
                Some(parts)
            }
            std::task::Poll::Ready(Err(ChunkError)) | std::task::Poll::Pending => None,
        }
    }

    /// Fetches its chunk, if it has one and it is not loaded yet.
    pub async fn load(&self) -> Result<(), ChunkError> {
        if let Code::Chunk(chunk) = self.code
            && loaded(self.id).is_none()
        {
            remember(self.id, chunk().await?);
        }
        Ok(())
    }

    /// Whether its code can run now (in the main module, or its chunk loaded).
    pub fn ready(&self) -> bool {
        matches!(self.code, Code::Main(_)) || loaded(self.id).is_some()
    }
}

#[cfg(feature = "web")]
impl Family {
    /// Its panel, from the main module or its loaded chunk.
    pub fn panel_fn(&self) -> Option<crate::ui::PanelFn> {
        self.panel.or_else(|| self.parts()?.panel)
    }
    pub fn inspector_fn(&self) -> Option<crate::ui::InspectorFn> {
        self.inspector.or_else(|| self.parts()?.inspector)
    }
    pub fn describe_fn(&self) -> Option<crate::ui::DescribeFn> {
        self.describe.or_else(|| self.parts()?.describe)
    }
}

/// The family that owns the kind `name`.
pub fn family_of(kind: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.kinds.contains(&kind))
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
    &[web_tier::FAMILY, storage::FAMILY, messaging::FAMILY, sharding::FAMILY, shortener::FAMILY, chat::FAMILY];

/// Every kind name, family by family.
pub fn kind_names() -> impl Iterator<Item = &'static str> {
    FAMILIES.iter().flat_map(|f| f.kinds.iter().copied())
}
