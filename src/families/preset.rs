//! One of a family's gallery entries, and its lesson. A leaf: the
//! families' presets and the app's state (`ui::state::Lab`) name them,
//! below the registry.

use crate::lessons::Figure;
use crate::sim::spec::FaultSpec;

/// One of a family's gallery entries (`families/<family>/presets.rs`, the
/// scenario file in `public/presets/`: embedded, or in the release build a
/// chunk family's fetched with its code): what the gallery shows and an
/// open needs first. What only an open preset reads is its [`Lesson`].
pub struct Preset {
    /// Stable id, used in URLs and on the command line.
    pub id: &'static str,
    /// Gallery title.
    pub title: &'static str,
    /// One line on what you will learn.
    pub lesson: &'static str,
    /// A single emoji-free glyph for the gallery card.
    pub icon: &'static str,
    /// The scenario file's text (format v1), or "" for a file the page
    /// fetches (a chunk family's, in the release build: see
    /// `fetched_in_release!`). Read it through [`Preset::text`].
    pub file_text: &'static str,
    /// The playback speed it opens at (simulated seconds per wall second).
    pub speed: f64,
}

/// What a preset's lesson adds to its card, read only once the preset is
/// open: a family's `LESSONS` (beside its `PRESETS`, one per preset), handed
/// over in its [`Parts`](super::family::Parts), so a chunk family's are in
/// its chunk, not the first load. Found with `families::lesson_of`.
pub struct Lesson {
    /// The id of its [`Preset`].
    pub id: &'static str,
    /// Opens as an A/B comparison: variant B is the scenario plus this edit at time 0.
    pub compare_b: Option<fn() -> FaultSpec>,
    /// What the lesson is about: the figures it names, at the moments it
    /// names, and which way is better; the first is the one the A/B
    /// verdict leads with (`crate::lessons`; `tests/lessons.rs` checks the
    /// lesson's claim against them).
    pub figures: &'static [Figure],
}

/// A chunk family's preset file (`public/presets/<id>.json`): its text,
/// except in the release build (feature `split`), where it is "" and the
/// page fetches the file when the preset first opens (`ui::open`): the
/// text would otherwise be in every visitor's first load, though the code
/// that runs it is in the family's chunk.
macro_rules! fetched_in_release {
    ($text:expr) => {
        if cfg!(feature = "split") { "" } else { $text }
    };
}
pub(crate) use fetched_in_release;

/// The preset files fetched so far, by preset id (each kept for the page's
/// life, as a chunk's code is).
static FETCHED: std::sync::Mutex<Vec<(&'static str, &'static str)>> = std::sync::Mutex::new(Vec::new());

impl Preset {
    /// The scenario file's text: in the page, or fetched (`None`: a file
    /// the page has not fetched yet; never on a native or test build).
    pub fn text(&self) -> Option<&'static str> {
        if !self.file_text.is_empty() {
            return Some(self.file_text);
        }
        FETCHED.lock().ok()?.iter().find(|(id, _)| *id == self.id).map(|&(_, text)| text)
    }

    /// The scenario file's text, once it is in the program: always on a
    /// native or test build; in the app, after `ui::open::fetch_for` (which
    /// `families::to_fetch`, reading [`Preset::text`], says when to call).
    pub fn json(&self) -> &'static str {
        self.text().expect("a preset's file is fetched before it is read (ui::open)")
    }

    /// Where the page fetches the file from, relative to the wasm
    /// package's content-hashed folder (`scripts/build-release.mjs` copies
    /// `public/presets/` there), so a page reads only its own build's files.
    pub fn path(&self) -> String {
        format!("presets/{}.json", self.id)
    }

    /// Keeps the fetched file's `text` for the page's life.
    pub fn remember(&self, text: String) {
        if self.text().is_none()
            && let Ok(mut fetched) = FETCHED.lock()
        {
            fetched.push((self.id, Box::leak(text.into_boxed_str())));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fetched_file_is_kept_and_an_embedded_one_is_always_there() {
        static FETCHED_ONE: Preset =
            Preset { id: "test-fetched-one", title: "", lesson: "", icon: "", file_text: "", speed: 1.0 };
        static EMBEDDED: Preset = Preset { id: "test-embedded", file_text: "{}", ..FETCHED_ONE };
        assert_eq!(FETCHED_ONE.text(), None, "not fetched yet");
        assert_eq!(FETCHED_ONE.path(), "presets/test-fetched-one.json");
        FETCHED_ONE.remember("{\"a\":1}".to_string());
        assert_eq!(FETCHED_ONE.text(), Some("{\"a\":1}"));
        FETCHED_ONE.remember("{}".to_string());
        assert_eq!(FETCHED_ONE.json(), "{\"a\":1}", "the first text stays");
        assert_eq!(EMBEDDED.text(), Some("{}"));
        EMBEDDED.remember("other".to_string());
        assert_eq!(EMBEDDED.json(), "{}", "an embedded file is never replaced");
    }
}
