//! Opening a preset whose family's code, or file, may still be on the
//! network: the gallery's choice and the waits for chunks and files.
//! Above the registry (it asks `families` what to fetch), so it sits apart
//! from `state.rs`, which the families' panels name.

use std::future::Future;

use leptos::prelude::*;

use super::state::Lab;
use crate::families::preset::Preset;
use crate::families::{ChunksFailed, Family, family_of_preset, lesson_of, load_all, the_families, to_fetch};
use crate::sim::Scenario;

/// A preset's file, parsed: embedded, or fetched by [`fetch_for`] (from
/// the page's own build) before anything opens it. Every preset is checked
/// by a native test; a broken one is a build defect.
pub fn scenario_of(preset: &Preset) -> Scenario {
    Scenario::from_json(preset.json()).expect("presets are valid scenarios")
}

/// Fetches what opening `presets` and `scenarios` needs
/// ([`to_fetch`]): each preset's file the page lacks, with its family's
/// chunk (one round trip, not two), then the chunks the scenarios and the
/// files name. The files are the page's own build's (in its
/// content-hashed package), so one that parses as JSON is a checked
/// preset; one that does not arrive or does not parse (a host may answer a
/// missing file with a page, not a 404) fails as its family's code would
/// (the notice names the family; asking again fetches again). `on_files`
/// hears which families' chunks it fetches, once a file says (a preset's
/// file can name another family: a shortener's cache is storage's) and
/// once more before the last of them.
pub async fn fetch_for(
    presets: Vec<&'static Preset>,
    scenarios: Vec<serde_json::Value>,
    mut on_files: impl FnMut(&[&'static Family]),
) -> Result<(), ChunksFailed> {
    let family = |p: &Preset| family_of_preset(p).expect("every preset is in a family's gallery");
    let mut failed: Vec<&'static Family> = Vec::new();
    let mut fetched: Vec<(&'static Preset, String, serde_json::Value)> = Vec::new();
    for &p in presets.iter().filter(|p| p.text().is_none()) {
        let file = async {
            let text = super::url::fetch_text(&p.path()).await.ok();
            let parsed = text.and_then(|t| Some((serde_json::from_str::<serde_json::Value>(&t).ok()?, t)));
            if let Some((value, _)) = &parsed {
                // Every family the file needs, as soon as it is in.
                on_files(&to_fetch(&presets, std::slice::from_ref(value)));
            }
            parsed
        };
        let (parsed, code) = futures::future::join(file, family(p).load()).await;
        match parsed {
            Some((value, text)) if code.is_ok() => fetched.push((p, text, value)),
            _ if failed.iter().any(|f| f.id == family(p).id) => {}
            _ => failed.push(family(p)),
        }
    }
    let wanted: Vec<serde_json::Value> = scenarios.into_iter().chain(fetched.iter().map(|f| f.2.clone())).collect();
    let families: Vec<&'static Family> =
        to_fetch(&presets, &wanted).into_iter().filter(|f| !failed.iter().any(|g| g.id == f.id)).collect();
    on_files(&families);
    if let Err(ChunksFailed(more)) = load_all(families).await {
        failed.extend(more);
    }
    for (p, text, _) in fetched {
        p.remember(text);
    }
    if failed.is_empty() { Ok(()) } else { Err(ChunksFailed(failed)) }
}

impl Lab {
    /// The gallery's choice: a new history entry (`?preset=<id>`, so Back
    /// returns to the scenario before), then [`Self::open_preset`].
    pub fn choose_preset(&self, preset: &'static Preset) {
        self.address.set_value(super::url::push_preset(preset.id));
        self.open_preset(preset);
    }

    /// Opens a preset from the start, at its own speed, once the chunk of
    /// its family (if it has one) has loaded.
    pub fn open_preset(&self, preset: &'static Preset) {
        let lab = *self;
        let needed = to_fetch(&[preset], &[]);
        if needed.is_empty() {
            return self.open_preset_now(preset, lesson_of(preset), scenario_of(preset));
        }
        let waiting = format!("Loading the code of {}…", the_families(&needed));
        self.after(
            move |ticket| {
                // Once the file is in, the line names every family it needs
                // (unless a newer choice has been made meanwhile).
                let all_named = move |all: &[&'static Family]| {
                    if !all.is_empty() && lab.is_current(ticket) {
                        lab.loading.set(Some(format!("Loading the code of {}…", the_families(all))));
                    }
                };
                fetch_for(vec![preset], Vec::new(), all_named)
            },
            move || lab.open_preset_now(preset, lesson_of(preset), scenario_of(preset)),
        );
        // After the ticket: it clears what an earlier wait showed.
        self.loading.set(Some(waiting));
    }

    /// Runs `open` once the fetch (of chunks, of preset files) that
    /// `fetch` makes for this open's ticket is done, unless another
    /// scenario was loaded or asked for meanwhile (the newer choice wins).
    pub fn after<F: Future<Output = Result<(), ChunksFailed>> + 'static>(
        &self,
        fetch: impl FnOnce(u64) -> F,
        open: impl FnOnce() + 'static,
    ) {
        let lab = *self;
        let ticket = self.ticket();
        let fetch = fetch(ticket);
        leptos::task::spawn_local(async move {
            let loaded = fetch.await;
            if !lab.is_current(ticket) {
                return;
            }
            lab.loading.set(None);
            match loaded {
                Ok(()) => open(),
                // The scene stays as it was; asking again fetches again.
                Err(failed) => lab.notice.set(Some(format!(
                    "{failed} Check the connection and click the preset again, or reload the page."
                ))),
            }
        });
    }
}

/// Fetches what the address opens needs (`url::wanted`: its presets and
/// its share link's scenario), so that `read` and the app after it find it
/// in the page ([`fetch_for`]: each family once, whichever scenarios need
/// it). What does not arrive is named in the `Err`: the app then opens
/// without what needed it.
pub async fn load_families() -> Result<(), ChunksFailed> {
    let (presets, scenarios) = super::url::wanted();
    fetch_for(presets, scenarios, |_| {}).await
}
