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
/// its own modules and reaches the engine only through the traits of
/// `family.rs` (its kinds build its nodes; it declares its messages, views
/// and summaries there).
const FAMILY_NAMES: &[&str] = &["kafka", "rabbit", "shard", "cache", "database", "messaging", "broker"];

/// The engine's files: the loop, its event queue and its clock.
const ENGINE_FILES: &[&str] = &["src/sim/engine.rs", "src/sim/queue.rs", "src/sim/time.rs", "src/sim/wire.rs"];

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
            // No family module, not even the registry.
            if line.trim_start().starts_with("use ") && line.contains("families::") {
                offences.push(format!("{f}:{}: imports a node module: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(offences.is_empty(), "the engine must name no family:\n{}", offences.join("\n"));
}

/// A family in a chunk of its own (storage, messaging, sharding, the URL
/// shortener, chat, replication) is named only
/// in its folder, the registry's list (`families/mod.rs`) and the crate
/// root's re-exports of its pure algorithms for tests (`lib.rs`): anything
/// else that named its types or modules would pull its code back into the
/// main wasm module. Nor does shared code name its kinds (`"kafka_cluster"`):
/// it asks the kind (`OwnKind`). The CLI (`src/bin`) writes scenarios, and
/// comments may name anything.
#[test]
fn a_family_is_named_only_in_its_folder() {
    let allowed = ["src/families/mod.rs", "src/lib.rs"];
    let families: [(&str, &[&str]); 7] = [
        (
            // In the main module (the default scenario is its), but named
            // no more than the others: shared code asks the kind.
            // Other families build on its tiers (a chat's balancer is
            // its): only shared code outside the families is checked.
            "web_tier",
            &["web_tier::kinds", "web_tier::ui", "web_tier::spec", "\"client\"", "\"server\"", "\"load_balancer\""],
        ),
        (
            "storage",
            &[
                "storage::",
                "CacheSpec",
                "DatabaseSpec",
                "EvictionSpec",
                "CacheNode",
                "cache_store",
                "\"cache\"",
                "\"database\"",
            ],
        ),
        (
            "sharding",
            &[
                "sharding::",
                "ShardedStore",
                "StoreView",
                "StoreSummary",
                "RingLayout",
                "placement::",
                "\"sharded_store\"",
            ],
        ),
        (
            "messaging",
            &[
                "messaging::",
                "\"kafka_cluster\"",
                "\"kafka_producer\"",
                "\"kafka_consumer\"",
                "\"rabbitmq\"",
                "\"rabbit_publisher\"",
                "\"rabbit_consumer\"",
                "KafkaClusterSpec",
                "KafkaProducerSpec",
                "KafkaConsumerSpec",
                "RabbitMqSpec",
                "RabbitPublisherSpec",
                "RabbitConsumerSpec",
                "KafkaView",
                "RabbitView",
                "KafkaMsg",
                "RabbitMsg",
            ],
        ),
        (
            "shortener",
            &[
                "shortener::",
                "UrlAppSpec",
                "UrlUsersSpec",
                "UrlDbSpec",
                "IdCoordinatorSpec",
                "AppParams",
                "\"url_users\"",
                "\"url_app\"",
                "\"url_db\"",
                "\"id_coordinator\"",
            ],
        ),
        (
            "replication",
            &[
                "replication::",
                "ReplicatedDbSpec",
                "ReplicatedDb",
                "DbView",
                "DbSettings",
                "ReplicationSummary",
                "\"replicated_db\"",
            ],
        ),
        (
            "chat",
            &[
                "chat::",
                "ChatUsersSpec",
                "ChatServerSpec",
                "ChatRegistrySpec",
                "ChatPubsubSpec",
                "ChatStoreSpec",
                "\"chat_users\"",
                "\"chat_server\"",
                "\"chat_registry\"",
                "\"chat_pubsub\"",
                "\"chat_store\"",
            ],
        ),
    ];
    let mut offences = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    for path in files {
        let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        if allowed.contains(&rel.as_str()) || rel.starts_with("src/bin/") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // The unit tests' module, at the end of a file (as `imports_of`
        // reads it): tests may name any kind.
        let code = text.split("\n#[cfg(test)]\nmod tests").next().unwrap_or("");
        for (family, words) in families {
            if rel.starts_with(&format!("src/families/{family}/"))
                || (family == "web_tier" && rel.starts_with("src/families/"))
            {
                continue;
            }
            let lines = if family == "web_tier" { code } else { text.as_str() };
            for (i, line) in lines.lines().enumerate().filter(|(_, l)| !l.trim_start().starts_with("//")) {
                if let Some(word) = words.iter().find(|w| line.contains(*w)) {
                    offences.push(format!("{rel}:{}: `{word}` ({family}) in: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "name a family only through its Parts (and a kind through OwnKind):\n{}",
        offences.join("\n")
    );
}

/// A family's presets' lessons (`LESSONS`: A/B variants, figures) are read
/// only once a preset is open, so they are named only where they are
/// written (its `presets.rs`) and in its `kinds.rs`, whose `PARTS` hands
/// them over (`families::lesson_of` finds them there): a chunk family's
/// then sit in its chunk. Named anywhere else (its `mod.rs`'s `FAMILY`, the
/// registry, the app) they would be back in the first load. Unit tests and
/// comments may name them.
#[test]
fn a_family_s_lessons_are_named_only_in_its_presets_and_kinds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut offences = Vec::new();
    let mut named_in = Vec::new();
    for path in files {
        let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&path).unwrap();
        let code = text.split("\n#[cfg(test)]\nmod tests").next().unwrap_or("");
        let allowed = rel.starts_with("src/families/") && (rel.ends_with("/presets.rs") || rel.ends_with("/kinds.rs"));
        for (i, line) in code.lines().enumerate().filter(|(_, l)| !l.trim_start().starts_with("//")) {
            if line.contains("LESSONS") {
                if allowed {
                    named_in.push(rel.clone());
                } else {
                    offences.push(format!("{rel}:{}: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(named_in.iter().any(|f| f.ends_with("/kinds.rs")), "no kinds.rs hands over LESSONS: {named_in:?}");
    assert!(offences.is_empty(), "LESSONS named outside presets.rs and kinds.rs:\n{}", offences.join("\n"));
}

/// Unicode case mapping (`str::to_lowercase`, `to_uppercase`, and
/// plotters' `FontFamily::from(&str)`, which lowercases the name) brings
/// std's case tables into the browser's download: 11 KB gzip of the first
/// load (measured when the charts stopped naming their font by a string).
/// The app's strings are ASCII: `to_ascii_lowercase`, and plotters'
/// `FontFamily::SansSerif`. The CLI (`src/bin`) and tests may.
#[test]
fn the_app_maps_no_unicode_case() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut offences = Vec::new();
    for f in files.iter().filter(|f| !f.starts_with(root.join("src/bin"))) {
        let text = std::fs::read_to_string(f).unwrap();
        // The `#[cfg(test)]` tail of a file is not in the app.
        let code = text.split("\n#[cfg(test)]").next().unwrap_or("");
        for (i, line) in code.lines().enumerate() {
            for word in [".to_lowercase()", ".to_uppercase()", "(\"sans-serif\",", "(\"serif\",", "(\"monospace\","] {
                if line.contains(word) {
                    offences.push(format!("{}:{}: `{word}` in: {}", f.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "no Unicode case mapping in the app (see the test's comment):\n{}",
        offences.join("\n")
    );
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

// ---- Import circles (issue 29, item 4) ----------------------------------
//
// A file "imports" another when it names a path into it: a `use crate::…`,
// `super::…` or `self::…` line (groups `{a, b::c}` expanded), or such a path
// written inline in the code. A path resolves to the deepest module file it
// names (`crate::sim::engine::Node` → src/sim/engine.rs, `crate::sim::Simulation`
// → src/sim/mod.rs). `mod x;` declarations, comments and the `#[cfg(test)]`
// tail of a file are not imports. A circle is a strongly connected set of
// two or more files: each reaches every other through imports.

/// A file's module path: src/lib.rs → [], src/a/mod.rs → [a], src/a/b.rs → [a, b].
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// Expands the path that starts at `text` (after `crate::`, `super::` or
/// `self::`): `a::b::C` → [[a, b, C]], `a::{b::C, d}` → [[a, b, C], [a, d]].
fn expand(text: &str) -> Vec<Vec<String>> {
    let mut prefix = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            // Split the group at its top-level commas.
            let (mut depth, mut start, mut out) = (0, 0, Vec::new());
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        if !group[start..i].trim().is_empty() {
                            out.push(group[start..i].to_string());
                        }
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(group[start..i].to_string());
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            return out
                .iter()
                .flat_map(|item| expand(item))
                .map(|tail| prefix.iter().cloned().chain(tail).collect())
                .collect();
        }
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
        if end == 0 {
            return vec![prefix];
        }
        prefix.push(rest[..end].to_string());
        rest = &rest[end..];
        match rest.strip_prefix("::") {
            Some(r) => rest = r,
            None => return vec![prefix],
        }
    }
}

/// The module paths a file's code names, made absolute.
fn imports_of(text: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut code = String::new();
    let mut children = Vec::new();
    let mut test_attr = false;
    for line in text.lines() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        // `mod x;` declares a child module; `x::…` then names it.
        let decl = line.trim_start_matches("pub ").trim_start_matches("pub(crate) ");
        if let Some(name) = decl.strip_prefix("mod ").and_then(|r| r.strip_suffix(';')) {
            children.push(name.trim().to_string());
            continue;
        }
        // The unit tests' module, at the end of a file: not the file's imports.
        if test_attr && decl.starts_with("mod ") {
            break;
        }
        test_attr = line.starts_with("#[cfg(test)]");
        code.push_str(line.split(" // ").next().unwrap_or(""));
        code.push('\n');
    }
    let mut anchors = vec![
        ("crate::".to_string(), Vec::new()),
        ("self::".to_string(), module.to_vec()),
        // In a/b.rs `super` is a; in a/mod.rs (module a) it is the crate.
        ("super::".to_string(), module[..module.len().saturating_sub(1)].to_vec()),
    ];
    for child in &children {
        let mut base = module.to_vec();
        base.push(child.clone());
        anchors.push((format!("{child}::"), base));
    }
    let mut out = Vec::new();
    for (anchor, base) in &anchors {
        let anchor = anchor.as_str();
        let mut from = 0;
        while let Some(at) = code[from..].find(anchor) {
            let start = from + at;
            from = start + anchor.len();
            let before = code[..start].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == ':') {
                continue;
            }
            for tail in expand(&code[from..]) {
                out.push(base.iter().cloned().chain(tail).collect());
            }
            if anchor != "crate::" && anchor != "self::" && anchor != "super::" {
                // `x::` for a child `x` with nothing after it resolved: the child itself.
                out.push(base.clone());
            }
        }
    }
    out
}

/// Every file under `src` (the library: not src/bin or src/main.rs) and the
/// files each imports.
fn import_graph(src: &Path) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.retain(|f| !f.starts_with(src.join("bin")) && *f != src.join("main.rs"));
    let by_module: std::collections::BTreeMap<Vec<String>, String> =
        files.iter().map(|f| (module_of(src, f), f.to_string_lossy().into_owned())).collect();
    let mut graph = std::collections::BTreeMap::new();
    for f in &files {
        let module = module_of(src, f);
        let name = f.to_string_lossy().into_owned();
        let text = std::fs::read_to_string(f).unwrap();
        let mut to = std::collections::BTreeSet::new();
        for path in imports_of(&text, &module) {
            // The deepest module file the path names.
            if let Some(target) = (0..=path.len()).rev().find_map(|k| by_module.get(&path[..k]))
                && *target != name
            {
                to.insert(target.clone());
            }
        }
        graph.insert(name, to);
    }
    graph
}

/// The circles of a graph: its strongly connected sets of two or more
/// nodes (Tarjan's algorithm), each sorted.
fn circles(graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        index: std::collections::BTreeMap<&'a str, (usize, usize)>,
        stack: Vec<&'a str>,
        on_stack: std::collections::BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a str) {
        let n = w.index.len();
        w.index.insert(v, (n, n));
        w.stack.push(v);
        w.on_stack.insert(v);
        for u in w.graph.get(v).into_iter().flatten() {
            let u = u.as_str();
            if !w.index.contains_key(u) {
                visit(w, u);
                let low = w.index[u].1.min(w.index[v].1);
                w.index.get_mut(v).unwrap().1 = low;
            } else if w.on_stack.contains(u) {
                let low = w.index[u].0.min(w.index[v].1);
                w.index.get_mut(v).unwrap().1 = low;
            }
        }
        if w.index[v].0 == w.index[v].1 {
            let mut set = Vec::new();
            loop {
                let u = w.stack.pop().unwrap();
                w.on_stack.remove(u);
                set.push(u.to_string());
                if u == v {
                    break;
                }
            }
            if set.len() > 1 {
                set.sort();
                w.out.push(set);
            }
        }
    }
    let mut w =
        Walk { graph, index: Default::default(), stack: Vec::new(), on_stack: Default::default(), out: Vec::new() };
    for v in graph.keys() {
        if !w.index.contains_key(v.as_str()) {
            visit(&mut w, v);
        }
    }
    w.out
}

/// No file of the library reaches itself through imports (issue 29): the
/// core sits in layers at the bottom; a family's folder imports the core,
/// `families/family.rs` and `families/preset.rs` and the app's kit
/// (`ui::state`, `ui::scene`, `ui::widgets`, `ui::hooks`, …), never the
/// registry (`families/mod.rs`) nor what imports it; a family's node files
/// read their neighbours by spec type (`NodeSpec::spec_of`), so only its
/// `kinds.rs` names them; the folder's shared code (`wire.rs`,
/// `people.rs`, `code.rs`) is a leaf, not its `mod.rs`. 79 files were in
/// circles at the start of session 20; 0 since session 21.
#[test]
fn no_file_reaches_itself_through_imports() {
    let graph = import_graph(Path::new("src"));
    let found = circles(&graph);
    let n: usize = found.iter().map(Vec::len).sum();
    // Each circle with the imports that tie it (what to cut).
    let list: Vec<String> = found
        .iter()
        .map(|c| {
            let ties: Vec<String> = c
                .iter()
                .flat_map(|a| graph[a].iter().filter(|b| c.contains(b)).map(move |b| format!("  {a} -> {b}")))
                .collect();
            format!("{} files: {}\n{}", c.len(), c.join(", "), ties.join("\n"))
        })
        .collect();
    assert!(n == 0, "{n} files reach themselves through imports (cut the arrows listed):\n{}", list.join("\n"));
}

/// The core is the bottom layer: a file of `src/sim` imports only files of
/// `src/sim` (the families reach it through its traits; it reaches their
/// kinds only through `sim::family::Kinds` and `OwnKind`, handed to it).
#[test]
fn the_core_imports_nothing_above_it() {
    let graph = import_graph(Path::new("src"));
    let mut offences = Vec::new();
    for (file, imports) in graph.iter().filter(|(f, _)| f.starts_with("src/sim/")) {
        for to in imports.iter().filter(|t| !t.starts_with("src/sim/")) {
            offences.push(format!("{file} imports {to}"));
        }
    }
    assert!(graph.keys().any(|f| f == "src/sim/engine.rs"), "the graph has the core's files: {:?}", graph.keys());
    assert!(offences.is_empty(), "the core must import nothing above it:\n{}", offences.join("\n"));
    // And it is layered within: no file of the core reaches itself.
    let core: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        graph.into_iter().filter(|(f, _)| f.starts_with("src/sim/")).collect();
    let found = circles(&core);
    assert!(found.is_empty(), "the core's files must import each other in layers, without a circle: {found:?}");
}

/// The checker itself, on small trees written for it.
#[test]
fn the_circle_checker_finds_a_circle_and_only_a_circle() {
    let root = std::env::temp_dir().join(format!("scalelab-circles-{}", std::process::id()));
    let write = |files: &[(&str, &str)]| {
        let _ = std::fs::remove_dir_all(&root);
        for (path, text) in files {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        circles(&import_graph(&root))
    };
    let lib = ("lib.rs", "pub mod core;\npub mod fam;\n");
    // A chain: fam uses core, core uses nothing. No circle.
    let chain = [
        lib,
        ("core/mod.rs", "pub mod engine;\npub use engine::Sim;\n"),
        ("core/engine.rs", "pub struct Sim;\n// crate::fam::Kind in a comment is no import\n"),
        ("fam/mod.rs", "use crate::core::{engine::Sim, Sim as S2};\npub struct Kind;\n"),
    ];
    assert_eq!(write(&chain), Vec::<Vec<String>>::new());
    // The engine names the family inline: engine → fam → core/mod.rs (its
    // `Sim as S2`) → engine (the re-export), and fam → engine: all three.
    let mut back = chain;
    back[2] = ("core/engine.rs", "pub struct Sim;\nfn f() { let _ = crate::fam::Kind; }\n");
    let found = write(&back);
    let names: Vec<Vec<&str>> =
        found.iter().map(|c| c.iter().map(|f| f.rsplit("scalelab-circles-").next().unwrap()).collect()).collect();
    assert_eq!(found.len(), 1, "{names:?}");
    assert_eq!(names, [["core/engine.rs", "core/mod.rs", "fam/mod.rs"].map(|f| format!("{}/{f}", std::process::id()))]);
    // Through `super::` in a group, and only outside the test tail.
    let sup = [
        lib,
        ("core/mod.rs", "pub mod engine;\npub mod queue;\n"),
        ("core/engine.rs", "use super::{queue::Q};\npub struct Sim;\n"),
        ("core/queue.rs", "pub struct Q;\n#[cfg(test)]\nmod tests { use crate::core::engine::Sim; }\n"),
        ("fam/mod.rs", ""),
    ];
    assert_eq!(write(&sup), Vec::<Vec<String>>::new());
    let mut sup_back = sup;
    sup_back[3] = ("core/queue.rs", "pub struct Q;\nfn g() { let _ = super::engine::Sim; }\n");
    assert_eq!(write(&sup_back).len(), 1);
    let _ = std::fs::remove_dir_all(&root);
}
