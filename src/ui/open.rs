//! Opening a preset whose family's code, or file, may still be on the
//! network: the gallery's choice and the waits for chunks and files.
//! Above the registry (it asks `families` what to fetch), so it sits apart
//! from `state.rs`, which the families' panels name.

use std::future::Future;

use leptos::prelude::*;

use super::state::Lab;
use crate::families::preset::Preset;
use crate::families::{ChunksFailed, Family, family_of_preset, load_all, the_families, to_fetch};
use crate::sim::Scenario;

/// A preset's file, parsed (fetched first if the page lacks it: see
/// [`fetch_for`]). Every preset is checked by a native test; a broken one
/// is a build defect.
pub fn scenario_of(preset: &Preset) -> Scenario {
    Scenario::from_json(preset.json()).expect("presets are valid scenarios")
}

/// Fetches what opening `presets` and `scenarios` needs
/// ([`to_fetch`]): each preset's file the page lacks, then the chunks the
/// scenarios and the files name. A file that does not arrive fails as its
/// family's code would (the notice names the family; asking again fetches
/// again). `on_files` hears which families' chunks it then fetches (a
/// preset's file can name another family: a shortener's cache is storage's).
pub async fn fetch_for(
    presets: Vec<&'static Preset>,
    scenarios: Vec<serde_json::Value>,
    on_files: impl FnOnce(&[&'static Family]),
) -> Result<(), ChunksFailed> {
    let mut failed: Vec<&'static Family> = Vec::new();
    for p in presets.iter().filter(|p| p.text().is_none()) {
        match super::url::fetch_text(&p.path()).await {
            Ok(text) => p.remember(text),
            Err(_) => failed.extend(family_of_preset(p)),
        }
    }
    let families: Vec<&'static Family> =
        to_fetch(&presets, &scenarios).into_iter().filter(|f| !failed.iter().any(|g| g.id == f.id)).collect();
    on_files(&families);
    if let Err(ChunksFailed(more)) = load_all(families).await {
        failed.extend(more);
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
            return self.open_preset_now(preset, scenario_of(preset));
        }
        let waiting = format!("Loading the code of {}…", the_families(&needed));
        // Once the file is in, the line names every family it needs (unless
        // a newer choice has cleared or replaced it).
        let shown = waiting.clone();
        let all_named = move |all: &[&'static Family]| {
            if !all.is_empty() && lab.loading.get_untracked().as_deref() == Some(shown.as_str()) {
                lab.loading.set(Some(format!("Loading the code of {}…", the_families(all))));
            }
        };
        self.after(fetch_for(vec![preset], Vec::new(), all_named), move || {
            lab.open_preset_now(preset, scenario_of(preset))
        });
        // After the ticket: it clears what an earlier wait showed.
        self.loading.set(Some(waiting));
    }

    /// Runs `open` once `fetch` (of chunks, of preset files) is done,
    /// unless another scenario was loaded or asked for meanwhile (the newer
    /// choice wins).
    pub fn after(
        &self,
        fetch: impl Future<Output = Result<(), ChunksFailed>> + 'static,
        open: impl FnOnce() + 'static,
    ) {
        let lab = *self;
        let ticket = self.ticket();
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

/// Fetches what [`url::families_needed`](super::url::families_needed) names, so that `read` and the app
/// after it find it in the page ([`fetch_for`]: each family once,
/// whichever scenarios need it). What does not arrive is named in the
/// `Err`: the app then opens without what needed it.
pub async fn load_families() -> Result<(), ChunksFailed> {
    let (presets, scenarios) = super::url::wanted();
    fetch_for(presets, scenarios, |_| {}).await
}
