//! The preset scenarios: one registry that the gallery, the CLI and the tests
//! all iterate over. Each preset is a scenario file in `public/presets/`,
//! embedded at build time.

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
}

pub const MM8_JSON: &str = include_str!("../public/presets/mm8.json");
pub const LOAD_BALANCING_JSON: &str = include_str!("../public/presets/load-balancing.json");
pub const ONE_QUEUE_OR_MANY_JSON: &str = include_str!("../public/presets/one-queue-or-many.json");

pub const ALL: &[Preset] = &[
    Preset {
        id: "queueing-basics",
        title: "Queueing basics: why p99 explodes near saturation",
        lesson: "An M/M/8 pool: drag utilisation, watch p99 against Erlang C.",
        icon: "Q",
        json: MM8_JSON,
        speed: 10.0,
    },
    Preset {
        id: "load-balancing",
        title: "Load-balancing algorithms",
        lesson: "Eight servers of mixed capacity; switch algorithm live; one fails at 30 s.",
        icon: "LB",
        json: LOAD_BALANCING_JSON,
        speed: 1.0,
    },
    Preset {
        id: "one-queue-or-many",
        title: "One queue or many",
        lesson: "One shared queue vs eight: same load, very different p99.",
        icon: "1:N",
        json: ONE_QUEUE_OR_MANY_JSON,
        speed: 10.0,
    },
];

pub fn by_id(id: &str) -> Option<&'static Preset> {
    ALL.iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_and_ids_are_unique() {
        for (i, p) in ALL.iter().enumerate() {
            crate::Scenario::from_json(p.json).unwrap_or_else(|e| panic!("preset {}: {e}", p.id));
            assert!(ALL[..i].iter().all(|q| q.id != p.id), "duplicate id {}", p.id);
        }
    }
}
