//! The layers point down: `http` → `graphql` → `service`, never back. A file that imports upwards
//! fails this test, named with its import; so does a new cycle between service modules, and a source
//! file grown past what one reader holds in mind.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::helpers::TestResult;

/// Cycles between service modules that are known and still to be taken apart, each by its modules
/// in order. None today: a cycle fails the test, and so does a listed one that is gone.
const KNOWN_CYCLES: &[&[&str]] = &[];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// Lines that are code, not comments.
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())).filter(|(_, l)| !l.starts_with("//"))
}

#[test]
fn no_layer_imports_a_layer_above_it() -> TestResult {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("api/src");
    let rules: [(&str, &[&str]); 2] = [
        ("graphql", &["crate::http"]),
        ("service", &["crate::http", "crate::graphql", "crate::state", "AppState", "async_graphql::Context"]),
    ];
    let mut found = Vec::new();
    for (layer, forbidden) in rules {
        let mut files = Vec::new();
        rust_files(&src.join(layer), &mut files)?;
        assert!(!files.is_empty(), "no files under {layer}/");
        for file in files {
            let text = std::fs::read_to_string(&file)?;
            for (n, line) in code_lines(&text) {
                for f in forbidden {
                    if line.contains(f) {
                        let shown = file.strip_prefix(&src).unwrap_or(&file).display().to_string();
                        found.push(format!("{shown}:{n} names `{f}`: {line}"));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "imports that point up a layer:\n{}", found.join("\n"));
    Ok(())
}

/// Which service modules each service module uses (`super::x` or `crate::service::x`), with where.
fn service_graph(src: &Path) -> TestResult<BTreeMap<String, BTreeMap<String, String>>> {
    let dir = src.join("service");
    let mut files = Vec::new();
    rust_files(&dir, &mut files)?;
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|f| {
            let rel = f.strip_prefix(&dir).ok()?;
            let first = rel.components().next()?.as_os_str().to_str()?;
            Some(first.trim_end_matches(".rs").to_owned())
        })
        .filter(|m| m != "mod")
        .collect();
    let mut graph: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for file in &files {
        let rel = file.strip_prefix(&dir)?;
        let Some(module) = rel.components().next().and_then(|c| c.as_os_str().to_str()) else { continue };
        let module = module.trim_end_matches(".rs").to_owned();
        if module == "mod" {
            continue;
        }
        let text = std::fs::read_to_string(file)?;
        // In a domain's folder (`service/issue/raise.rs`) `super::` is the domain itself.
        let prefixes: &[&str] =
            if rel.components().count() > 1 { &["crate::service::"] } else { &["super::", "crate::service::"] };
        for (n, line) in code_lines(&text) {
            for prefix in prefixes {
                for (at, _) in line.match_indices(prefix) {
                    let rest = &line[at + prefix.len()..];
                    let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    if name != module && modules.contains(&name) {
                        let place = format!("service/{}:{n}: {line}", rel.display());
                        graph.entry(module.clone()).or_default().entry(name).or_insert(place);
                    }
                }
            }
        }
    }
    Ok(graph)
}

/// Every elementary cycle, each rotated to start at its smallest module (so each is found once).
fn cycles(graph: &BTreeMap<String, BTreeMap<String, String>>) -> BTreeSet<Vec<String>> {
    fn walk(
        graph: &BTreeMap<String, BTreeMap<String, String>>,
        start: &str,
        at: &str,
        path: &mut Vec<String>,
        out: &mut BTreeSet<Vec<String>>,
    ) {
        for next in graph.get(at).into_iter().flat_map(|e| e.keys()) {
            if next == start {
                out.insert(path.clone());
            } else if next.as_str() > start && !path.contains(next) {
                path.push(next.clone());
                walk(graph, start, next, path, out);
                path.pop();
            }
        }
    }
    let mut out = BTreeSet::new();
    for start in graph.keys() {
        walk(graph, start, start, &mut vec![start.clone()], &mut out);
    }
    out
}

#[test]
fn service_modules_form_no_new_cycle() -> TestResult {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("api/src");
    let graph = service_graph(&src)?;
    let known: BTreeSet<Vec<String>> =
        KNOWN_CYCLES.iter().map(|c| c.iter().map(|m| (*m).to_owned()).collect()).collect();
    let found = cycles(&graph);
    let gone: Vec<&Vec<String>> = known.iter().filter(|c| !found.contains(*c)).collect();
    assert!(gone.is_empty(), "listed as known but no longer cycles: {gone:?}");
    let mut new = Vec::new();
    for cycle in found {
        if known.contains(&cycle) {
            continue;
        }
        let mut edges = Vec::new();
        for (i, from) in cycle.iter().enumerate() {
            let to = &cycle[(i + 1) % cycle.len()];
            let place = graph.get(from).and_then(|e| e.get(to)).cloned().unwrap_or_default();
            edges.push(format!("  {from} → {to} at {place}"));
        }
        new.push(format!("{}:\n{}", cycle.join(" → "), edges.join("\n")));
    }
    assert!(new.is_empty(), "service modules that depend on each other in a circle:\n{}", new.join("\n"));
    Ok(())
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let mut g: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (a, b) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        g.entry(a.into()).or_default().insert(b.into(), String::new());
    }
    let found = cycles(&g);
    assert_eq!(found, BTreeSet::from([vec!["a".to_owned(), "b".to_owned(), "c".to_owned()]]));
}

/// Lines a source file may have: past this, split it by concern (see the README's "Adding a domain").
const MAX_FILE_LINES: usize = 400;

#[test]
fn no_source_file_outgrows_one_concern() -> TestResult {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["api/src", "entity/src", "src"] {
        rust_files(&root.join(dir), &mut files)?;
    }
    let mut long = Vec::new();
    for file in files {
        let lines = std::fs::read_to_string(&file)?.lines().count();
        if lines > MAX_FILE_LINES {
            long.push(format!("{} has {lines} lines", file.strip_prefix(root)?.display()));
        }
    }
    assert!(
        long.is_empty(),
        "files over {MAX_FILE_LINES} lines (migrations, append-only, are exempt):\n{}",
        long.join("\n")
    );
    Ok(())
}
