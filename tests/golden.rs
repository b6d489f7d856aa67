//! Golden fixtures: scenario format v1 must keep giving the same results.
//!
//! `tests/golden/presets/<id>.json` is each preset's summary as
//! `scalelab run <id> --json` printed it (wall-clock fields removed), and
//! `tests/golden/links.json` holds share links made in the browser, each
//! with the summary its scenario ran to in `tests/golden/links/<name>.json`.
//! Both were made before the engine was restructured into families
//! (issue 13): a restructure that changes any figure, or stops an old link
//! from opening, fails here. After a deliberate change of results, rewrite
//! them with `SCALELAB_BLESS=1 cargo test --test golden` and say why in the
//! commit.

use std::path::PathBuf;

use scalelab::share;
use scalelab::{Scenario, Simulation, presets};

fn golden(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(path)
}

fn summary_text(scenario: &Scenario) -> String {
    serde_json::to_string_pretty(&Simulation::new(scenario).run()).expect("summaries serialize") + "\n"
}

/// Compares `text` with the fixture at `path` (or writes it when blessing).
fn check(path: &str, text: &str) {
    let file = golden(path);
    if std::env::var_os("SCALELAB_BLESS").is_some() {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    assert!(want == text, "{path}: the summary differs from the golden one:\n--- golden\n{want}\n--- now\n{text}");
}

#[test]
fn every_preset_gives_its_golden_summary() {
    for p in presets::all() {
        let scenario = Scenario::from_json(p.json()).expect("presets are valid");
        check(&format!("presets/{}.json", p.id), &summary_text(&scenario));
    }
}

#[derive(serde::Deserialize)]
struct Link {
    name: String,
    fragment: String,
}

#[test]
fn share_links_made_before_open_and_give_the_same_summary() {
    let links: Vec<Link> = serde_json::from_str(&std::fs::read_to_string(golden("links.json")).unwrap()).unwrap();
    assert!(links.len() >= 4);
    for link in links {
        let (state, scenario) =
            share::decode(&link.fragment, &scalelab::families::KINDS).unwrap_or_else(|e| panic!("{}: {e}", link.name));
        assert!(state.t_s > 0.0, "{}: the link keeps its time cursor", link.name);
        check(&format!("links/{}.json", link.name), &summary_text(&scenario));
    }
}
