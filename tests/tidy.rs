//! Tidy checks: the simulation core stays pure and deterministic.

use std::path::Path;

/// Names that would make `src/sim` depend on the browser, the wall clock or
/// OS randomness.
const FORBIDDEN: &[&str] =
    &["leptos", "web_sys", "js_sys", "wasm_bindgen", "Instant::now", "SystemTime", "thread_rng", "HashMap", "HashSet"];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/sim` and the families' models are pure; only a family's `ui.rs`
/// (its panel, behind the `web` feature) may use the browser.
#[test]
fn sim_names_no_web_clock_or_os_randomness() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src/sim"), &mut files);
    rust_files(&root.join("src/families"), &mut files);
    files.retain(|f| f.file_name().is_none_or(|n| n != "ui.rs"));
    assert!(files.len() >= 30, "found only {files:?}");
    let mut offences = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (i, line) in text.lines().enumerate() {
            for word in FORBIDDEN {
                if line.contains(word) {
                    offences.push(format!("{}:{}: `{word}`", f.display(), i + 1));
                }
            }
        }
    }
    assert!(offences.is_empty(), "src/sim and the families' models must stay pure:\n{}", offences.join("\n"));
}

/// Names of node families, which the engine must not use: a family lives in
/// its own modules and reaches the engine only through the registry
/// (`families/kinds.rs` builds nodes, `family.rs` declares their messages,
/// views and summaries).
const FAMILY_NAMES: &[&str] = &["kafka", "rabbit", "shard", "cache", "database", "messaging", "broker"];

/// The engine's files: the loop, its event queue and its clock.
const ENGINE_FILES: &[&str] = &["src/sim/engine.rs", "src/sim/queue.rs", "src/sim/time.rs"];

#[test]
fn the_engine_names_no_family() {
    let mut offences = Vec::new();
    for f in ENGINE_FILES {
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(f)).unwrap();
        for (i, line) in text.lines().enumerate() {
            let lower = line.to_lowercase();
            for word in FAMILY_NAMES {
                if lower.contains(word) {
                    offences.push(format!("{f}:{}: `{word}` in: {}", i + 1, line.trim()));
                }
            }
            // Only the kind registry may be imported, no family module.
            if line.trim_start().starts_with("use ") && line.contains("families::") && !line.contains("families::kinds")
            {
                offences.push(format!("{f}:{}: imports a node module: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(offences.is_empty(), "the engine must name no family:\n{}", offences.join("\n"));
}

/// The storage family (issue 13's measure of the seams): outside its folder
/// only the kind registry (`families/kinds.rs`), `spec.rs` (the format's
/// list of kinds), `families/mod.rs` and the presets' index name it.
/// Everything else asks the registry.
#[test]
fn only_the_registry_names_the_storage_kinds() {
    let allowed = ["src/families/kinds.rs", "src/sim/spec.rs", "src/families/mod.rs", "src/presets.rs"];
    let mut offences = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stack = vec![root.join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            if path.is_dir() {
                if !rel.ends_with("families/storage") {
                    stack.push(path);
                }
                continue;
            }
            if allowed.contains(&rel.as_str()) {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, line) in text.lines().enumerate() {
                for word in ["\"cache\"", "\"database\"", "NodeSpec::Cache", "NodeSpec::Database", "storage::"] {
                    if line.contains(word) {
                        offences.push(format!("{rel}:{}: {}", i + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(offences.is_empty(), "name the storage kinds only in the registry:\n{}", offences.join("\n"));
}

/// A family in a chunk of its own (the URL shortener, chat) is named only
/// in its folder, the registry's list (`families/mod.rs`) and the crate
/// root's re-exports of its pure algorithms for tests (`lib.rs`): anything
/// else that named its types or modules would pull its code back into the
/// main wasm module.
#[test]
fn a_family_in_a_chunk_is_named_only_in_its_folder() {
    let allowed = ["src/families/mod.rs", "src/lib.rs"];
    let families: [(&str, &[&str]); 2] = [
        ("shortener", &["shortener::", "UrlAppSpec", "UrlUsersSpec", "UrlDbSpec", "IdCoordinatorSpec", "AppParams"]),
        ("chat", &["chat::", "ChatUsersSpec", "ChatServerSpec", "ChatRegistrySpec", "ChatPubsubSpec", "ChatStoreSpec"]),
    ];
    let mut offences = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    for path in files {
        let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        if allowed.contains(&rel.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (family, words) in families {
            if rel.starts_with(&format!("src/families/{family}/")) {
                continue;
            }
            for (i, line) in text.lines().enumerate() {
                if let Some(word) = words.iter().find(|w| line.contains(*w)) {
                    offences.push(format!("{rel}:{}: `{word}` ({family}) in: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(offences.is_empty(), "name a chunk family only through its chunk's Parts:\n{}", offences.join("\n"));
}

/// `cargo build --release` and `cargo install --path .` give the fast CLI;
/// the browser build asks for its size profile by name (issue 14).
#[test]
fn release_is_the_fast_cli_and_the_browser_build_names_its_size_profile() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let section = |name: &str| -> String {
        let start = cargo.find(&format!("[profile.{name}]")).unwrap_or_else(|| panic!("no [profile.{name}]"));
        let rest = &cargo[start + 1..];
        rest[..rest.find("\n[").unwrap_or(rest.len())].to_string()
    };
    let release = section("release");
    assert!(release.contains("opt-level = 3"), "the release profile is for speed:\n{release}");
    assert!(!release.contains("panic = \"abort\""), "the CLI unwinds:\n{release}");
    let wasm = section("wasm-release");
    assert!(wasm.contains("opt-level = \"z\"") && wasm.contains("panic = \"abort\""), "{wasm}");
    let html = std::fs::read_to_string(root.join("index.html")).unwrap();
    assert!(html.contains(r#"data-cargo-profile-release="wasm-release""#), "index.html builds with wasm-release");
}
