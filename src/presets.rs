//! The preset scenarios. Each family lists its own (`families/<family>/presets.rs`,
//! scenario files in `public/presets/`, embedded at build time, except a
//! chunk family's in the release build, which the page fetches with the
//! family's code: `Preset::text`); [`all`]
//! is them in the registry's family order, what the gallery, the CLI and
//! the tests iterate over.

pub use crate::families::preset::{Lesson, Preset};

pub use crate::families::web_tier::presets::{
    APP_AND_DB_APART_JSON, LB_APP_SERVERS_JSON, LOAD_BALANCING_JSON, MM8_JSON, ONE_QUEUE_OR_MANY_JSON, ONE_SERVER_JSON,
};

/// Every preset, family by family (the order of `families::FAMILIES`).
pub fn all() -> &'static [&'static Preset] {
    static ALL: std::sync::LazyLock<Vec<&'static Preset>> =
        std::sync::LazyLock::new(|| crate::families::FAMILIES.iter().flat_map(|f| f.presets.iter()).collect());
    &ALL
}

pub fn by_id(id: &str) -> Option<&'static Preset> {
    all().iter().copied().find(|p| p.id == id)
}

/// The presets whose ids are nearest `id` (by edit distance, at most 3,
/// nearest first): what an unknown `?preset=` suggests.
pub fn nearest(id: &str) -> Vec<&'static str> {
    fn distance(a: &str, b: &str) -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut prev = row[0];
            row[0] = i + 1;
            for (j, &cb) in b.iter().enumerate() {
                let here = row[j + 1];
                row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(here + 1);
                prev = here;
            }
        }
        row[b.len()]
    }
    let id = id.to_ascii_lowercase();
    let mut ids: Vec<(usize, &'static str)> = all()
        .iter()
        .map(|p| {
            // A fragment of an id ("kafka") is near every id it is part of.
            let d = if p.id.contains(id.as_str()) && !id.is_empty() { 0 } else { distance(&id, p.id) };
            (d, p.id)
        })
        .collect();
    ids.sort_by_key(|&(d, _)| d);
    ids.into_iter().take(3).map(|(_, id)| id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_id_suggests_the_nearest() {
        assert_eq!(nearest("cache-aside")[0], "cache-aside");
        assert_eq!(nearest("cache-asid")[0], "cache-aside", "a typo");
        assert_eq!(nearest("Load-Balancing")[0], "load-balancing", "case");
        let kafka = nearest("kafka");
        assert_eq!(kafka.len(), 3);
        assert!(kafka.iter().all(|id| id.starts_with("kafka-")), "a fragment: {kafka:?}");
        assert_eq!(nearest("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz").len(), 3, "something is always suggested");
    }

    /// A chunk family's preset is fetched in the release build from the
    /// file its id names (`Preset::path`, copied into dist/ by
    /// `scripts/build-release.mjs`): the same text as the native build embeds.
    #[test]
    fn every_chunk_family_preset_is_in_the_file_the_page_fetches() {
        let mut n = 0;
        for p in all() {
            let family = crate::families::family_of_preset(p).expect("every preset has a family");
            if matches!(family.code, crate::families::Code::Chunk(_)) {
                let path = format!("{}/public/{}", env!("CARGO_MANIFEST_DIR"), p.path());
                let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("preset {}: {path}: {e}", p.id));
                assert_eq!(text, p.json(), "preset {}", p.id);
                n += 1;
            }
        }
        assert!(n >= 20, "only {n} presets of chunk families");
    }

    #[test]
    fn every_preset_is_valid_and_ids_are_unique() {
        for (i, p) in all().iter().enumerate() {
            let s = crate::Scenario::from_json(p.json()).unwrap_or_else(|e| panic!("preset {}: {e}", p.id));
            if let Some(b) = crate::families::lesson_of(p).and_then(|l| l.compare_b) {
                s.with_entry(b()).unwrap_or_else(|e| panic!("preset {} variant B: {e}", p.id));
            }
            assert!(all()[..i].iter().all(|q| q.id != p.id), "duplicate id {}", p.id);
        }
    }
}
