//! Opening a preset whose family's code may still be on the network: the
//! gallery's choice and the waits for chunks. Above the registry (it asks
//! `families` what to load and `presets` for the gallery), so it sits apart
//! from `state.rs`, which the families' panels name.

use leptos::prelude::*;

use super::state::Lab;
use crate::families::preset::Preset;
use crate::families::{Family, load_all, the_families, to_load_text};
use crate::sim::Scenario;

/// A preset's file, parsed. Every preset is checked by a native test; a
/// broken one is a build defect.
pub fn scenario_of(preset: &Preset) -> Scenario {
    Scenario::from_json(preset.json).expect("presets are valid scenarios")
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
        let needed = to_load_text(preset.json);
        if needed.is_empty() {
            return self.open_preset_now(preset, scenario_of(preset));
        }
        let waiting = format!("Loading the code of {}…", the_families(&needed));
        self.after_chunks(needed, move || lab.open_preset_now(preset, scenario_of(preset)));
        // After the ticket: it clears what an earlier wait showed.
        self.loading.set(Some(waiting));
    }

    /// Runs `open` once `families` have loaded, unless another scenario
    /// was loaded or asked for meanwhile (the newer choice wins).
    pub fn after_chunks(&self, families: Vec<&'static Family>, open: impl FnOnce() + 'static) {
        let lab = *self;
        let ticket = self.ticket();
        leptos::task::spawn_local(async move {
            let loaded = load_all(families).await;
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
