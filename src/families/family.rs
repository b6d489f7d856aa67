//! What a family is and hands over, below the registry that lists them
//! (`families/mod.rs`): a family's folder imports this file, never the
//! registry, so no family reaches itself through the registry's imports.
//!
//! - [`Family`]: its id, kinds, presets, glyphs and where its code lives.
//! - [`Parts`]: its kinds, its presets' lessons and (in the app) its panel,
//!   inspector editors and tooltips; [`Code`]: in the main module or in a
//!   [`Chunk`] of its own.
//! - its gallery entries ([`Preset`], in `preset.rs`, a leaf the app's
//!   state names too) and their [`Lesson`]s.
//! - [`Glyph`]: how the diagram draws one of its kinds.

use super::preset::{Lesson, Preset};

/// One family: its kinds, its presets and (in the app) its panel.
pub struct Family {
    pub id: &'static str,
    pub title: &'static str,
    /// The `kind` names its nodes take, in the order the docs list them.
    pub kinds: &'static [&'static str],
    /// Its gallery entries, in order (their lessons are in its [`Parts`]).
    pub presets: &'static [Preset],
    /// How the diagram draws its kinds (a kind not listed is a `Station`).
    pub glyphs: &'static [(&'static str, Glyph)],
    /// Where the code of its kinds lives.
    pub code: Code,
    /// Whether an embedded lab (`?embed=1`) shows its panel too.
    #[cfg(feature = "web")]
    pub panel_in_embed: bool,
    /// A family in the main module: its inspector editors in a chunk of
    /// their own (`Parts` with its `inspector`), fetched with the
    /// inspector's code, so they are not in the first load either.
    #[cfg(feature = "web")]
    pub editors: Option<Chunk>,
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
/// `split::family_chunk!`.
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

/// Which of a family's chunks: its code, or (a family in the main module)
/// its editors.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Code,
    #[cfg_attr(not(feature = "web"), allow(dead_code))]
    Editors,
}

/// The chunks loaded so far, by family id and slot.
#[allow(clippy::type_complexity)]
static LOADED: std::sync::Mutex<Vec<(&'static str, Slot, &'static Parts)>> = std::sync::Mutex::new(Vec::new());

fn loaded(id: &str, slot: Slot) -> Option<&'static Parts> {
    LOADED.lock().ok()?.iter().find(|(f, s, _)| *f == id && *s == slot).map(|&(_, _, p)| p)
}

fn remember(id: &'static str, slot: Slot, parts: &'static Parts) {
    if let Ok(mut l) = LOADED.lock()
        && !l.iter().any(|(f, s, _)| *f == id && *s == slot)
    {
        l.push((id, slot, parts));
    }
}

/// The parts of `chunk`, the `slot` of family `id`, if loaded. A load that
/// is ready at once (every build but the split one) happens here.
fn parts_of(id: &'static str, slot: Slot, chunk: Chunk) -> Option<&'static Parts> {
    if let Some(parts) = loaded(id, slot) {
        return Some(parts);
    }
    if cfg!(feature = "split") {
        return None;
    }
    let mut load = chunk();
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match load.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(Ok(parts)) => {
            remember(id, slot, parts);
            Some(parts)
        }
        std::task::Poll::Ready(Err(ChunkError)) | std::task::Poll::Pending => None,
    }
}

/// What a family's chunk holds: its kinds, its presets' lessons and, in
/// the app, its panel, inspector editors and tooltips (a main-module
/// family's editors chunk: no kinds, no lessons, its `inspector`).
pub struct Parts {
    pub kinds: &'static [&'static dyn crate::sim::kind::OwnKind],
    /// One per preset of the family, in gallery order (its `presets.rs`'s
    /// `LESSONS`): named only here, so a chunk family's stay in its chunk.
    pub lessons: &'static [Lesson],
    #[cfg(feature = "web")]
    pub panel: Option<crate::ui::hooks::PanelFn>,
    #[cfg(feature = "web")]
    pub inspector: Option<crate::ui::hooks::InspectorFn>,
    #[cfg(feature = "web")]
    pub describe: Option<crate::ui::hooks::DescribeFn>,
}

impl Family {
    /// Its chunk's parts, if loaded. A load that is ready at once (every
    /// build but the split one) happens here, on first use.
    pub fn parts(&self) -> Option<&'static Parts> {
        match self.code {
            Code::Main(parts) => Some(parts),
            Code::Chunk(chunk) => parts_of(self.id, Slot::Code, chunk),
        }
    }

    /// Fetches its chunk, if it has one and it is not loaded yet.
    pub async fn load(&self) -> Result<(), ChunkError> {
        if let Code::Chunk(chunk) = self.code
            && loaded(self.id, Slot::Code).is_none()
        {
            remember(self.id, Slot::Code, chunk().await?);
        }
        Ok(())
    }

    /// Whether its code can run now (in the main module, or its chunk loaded).
    pub fn ready(&self) -> bool {
        matches!(self.code, Code::Main(_)) || loaded(self.id, Slot::Code).is_some()
    }

    /// The lesson of its preset `id`, from its parts (`None` if its chunk
    /// is not loaded yet: a preset opens only after it is).
    pub fn lesson(&self, id: &str) -> Option<&'static Lesson> {
        self.parts()?.lessons.iter().find(|l| l.id == id)
    }
}

#[cfg(feature = "web")]
impl Family {
    /// Its panel, from the main module or its loaded chunk.
    pub fn panel_fn(&self) -> Option<crate::ui::hooks::PanelFn> {
        self.parts()?.panel
    }
    /// Its inspector editor, from its loaded chunk (of code, or of editors).
    pub fn inspector_fn(&self) -> Option<crate::ui::hooks::InspectorFn> {
        let editors = || parts_of(self.id, Slot::Editors, self.editors?)?.inspector;
        self.parts()?.inspector.or_else(editors)
    }
    pub fn describe_fn(&self) -> Option<crate::ui::hooks::DescribeFn> {
        self.parts()?.describe
    }

    /// Fetches its editors' chunk, if it has one not loaded yet (with the
    /// inspector's code: `ui::inspector`).
    pub async fn load_editors(&self) -> Result<(), ChunkError> {
        if let Some(chunk) = self.editors
            && loaded(self.id, Slot::Editors).is_none()
        {
            remember(self.id, Slot::Editors, chunk().await?);
        }
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static PARTS: Parts = Parts {
        kinds: &[],
        lessons: &[],
        #[cfg(feature = "web")]
        panel: None,
        #[cfg(feature = "web")]
        inspector: None,
        #[cfg(feature = "web")]
        describe: None,
    };
    static FETCHES_OK: AtomicUsize = AtomicUsize::new(0);
    static FETCHES_FAILING: AtomicUsize = AtomicUsize::new(0);

    fn fetch_ok() -> ChunkLoad {
        FETCHES_OK.fetch_add(1, Ordering::SeqCst);
        Box::pin(std::future::ready(Ok(&PARTS)))
    }
    static FETCHES_OTHER: AtomicUsize = AtomicUsize::new(0);
    fn fetch_other() -> ChunkLoad {
        FETCHES_OTHER.fetch_add(1, Ordering::SeqCst);
        Box::pin(std::future::ready(Ok(&PARTS)))
    }
    fn fetch_failing() -> ChunkLoad {
        FETCHES_FAILING.fetch_add(1, Ordering::SeqCst);
        Box::pin(std::future::ready(Err(ChunkError)))
    }
    const fn family(id: &'static str, code: Code) -> Family {
        Family {
            id,
            title: id,
            kinds: &[],
            presets: &[],
            glyphs: &[],
            code,
            #[cfg(feature = "web")]
            panel_in_embed: false,
            #[cfg(feature = "web")]
            editors: None,
        }
    }

    fn poll<T>(f: impl std::future::Future<Output = T>) -> T {
        let mut f = std::pin::pin!(f);
        match f.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
            std::task::Poll::Ready(out) => out,
            std::task::Poll::Pending => panic!("a ready chunk is ready at once"),
        }
    }

    /// A chunk is fetched once, on first use, and kept; one that fails is
    /// not kept (the next use fetches again), and says so.
    #[test]
    fn a_chunk_is_fetched_once_and_a_failure_is_not_kept() {
        static OK: Family = family("test-chunk-ok", Code::Chunk(fetch_ok));
        assert!(!OK.ready(), "not fetched yet");
        assert_eq!(FETCHES_OK.load(Ordering::SeqCst), 0);
        assert!(std::ptr::eq(OK.parts().expect("fetched at once off the split build"), &PARTS));
        assert!(OK.ready());
        assert_eq!(poll(OK.load()), Ok(()));
        assert!(OK.parts().is_some());
        assert_eq!(FETCHES_OK.load(Ordering::SeqCst), 1, "kept: fetched once");

        static FAILING: Family = family("test-chunk-failing", Code::Chunk(fetch_failing));
        assert!(FAILING.parts().is_none());
        assert_eq!(poll(FAILING.load()), Err(ChunkError));
        assert!(!FAILING.ready());
        assert!(FAILING.parts().is_none());
        assert_eq!(FETCHES_FAILING.load(Ordering::SeqCst), 3, "each use fetches again");
        // One family's chunk is not another's, and each is kept.
        assert!(OK.ready() && !FAILING.ready());
        static OTHER: Family = family("test-chunk-other", Code::Chunk(fetch_other));
        assert!(OTHER.parts().is_some() && OTHER.parts().is_some());
        assert_eq!(FETCHES_OTHER.load(Ordering::SeqCst), 1, "a second family's chunk is kept too");
        assert_eq!(FETCHES_OK.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_family_in_the_main_module_is_ready_and_fetches_nothing() {
        static MAIN: Family = family("test-main", Code::Main(&PARTS));
        assert!(MAIN.ready());
        assert!(std::ptr::eq(MAIN.parts().unwrap(), &PARTS));
        assert_eq!(poll(MAIN.load()), Ok(()));
    }

    #[test]
    fn the_families_a_page_waits_for_are_named_in_words() {
        static A: Family = family("a", Code::Main(&PARTS));
        static B: Family = family("b", Code::Main(&PARTS));
        static C: Family = family("c", Code::Main(&PARTS));
        assert_eq!(the_families(&[&A]), "the a family");
        assert_eq!(the_families(&[&A, &B, &C]), "the a, b and c families");
        assert_eq!(the_families(&[]), "no family");
        let failed = ChunksFailed(vec![&A, &B]);
        assert_eq!(format!("{failed:?}"), r#"["a", "b"]"#);
        assert!(failed.to_string().starts_with("Could not load the code of the a and b families: the network"));
    }
}
